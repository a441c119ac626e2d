"""A page opens with its view drawn: the layout is made for the link that asks for it
(explorer.app.opening_props), so the graph paints without waiting for a first callback, and
that first callback finds the page up to date and sends no figure again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dash import no_update

from explorer.app import callbacks, create_app
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

LINK = "?from=2024-01-01&to=2024-02-29&level=countries&sel=CHN"


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


@pytest.fixture(scope="module")
def app(app_data):
    return create_app(app_data)


def props_by_id(layout: dict) -> dict[str, dict]:
    out = {}

    def walk(node):
        if isinstance(node, dict):
            p = node.get("props")
            if isinstance(p, dict) and isinstance(p.get("id"), str):
                out[p["id"]] = p
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(layout)
    return out


def figure_nodes(fig: dict) -> set[str]:
    return {
        c[5:] for t in fig["data"] for c in (t.get("customdata") or []) if isinstance(c, str) and c.startswith("node|")
    }


def layout_for(app, link: str | None) -> dict:
    headers = {"Referer": f"http://127.0.0.1:8050/{link}"} if link is not None else {}
    r = app.server.test_client().get("/_dash-layout", headers=headers)
    assert r.status_code == 200
    return props_by_id(json.loads(r.data))


def test_the_layout_carries_the_links_view(app, app_data):
    page = layout_for(app, LINK)
    state = ViewState.from_query(LINK)[0]
    assert page["view-state"]["data"]["selected"] == "CHN"
    assert page["level"]["value"] == "countries"
    assert page["date-from"]["value"] == "2024-01-01" and page["date-to"]["value"] == "2024-02-29"
    assert figure_nodes(page["network"]["figure"]) == set(render_view(app_data, state).view)
    assert "People&#39;s Republic of China" in page["details-html"]["data"]
    assert page["view-description"]["children"]
    assert page["sparkline"]["figure"]["data"]


def test_a_page_with_no_link_or_no_referrer_opens_on_the_story(app, app_data):
    for page in (layout_for(app, ""), layout_for(app, None)):
        assert page["view-state"]["data"] == app_data.story.state.to_dict()
        assert figure_nodes(page["network"]["figure"]) == set(render_view(app_data, app_data.story.state).view)
        assert "search" not in page["url"]  # the link is the browser's: the first callback writes it


def first_call(app_data, page: dict, search: str, changed: dict | None = None) -> dict:
    """The main callback as the page's first call sends it: every input and state as the layout
    has them (``changed``: inputs by control id, and sent as the request's triggers)."""
    changed = changed or {}
    values = [changed.get(cid, page.get(cid, {}).get(prop)) for cid, prop in callbacks.CONTROL_IDS]
    # Clicks (graph, map, paths, grid), search, reset, play, ended; then the speed.
    inputs = [None] * 8 + [page["speed"].get("value")]
    states = [
        page["step"].get("value"),
        page["view-state"].get("data"),
        page["ticker"].get("disabled"),
        page["ticker"].get("interval"),
        page["play"].get("children"),
        page["timeline"].get("value"),
        page["timeline-server"].get("data"),
        # The level the control shows (after a click, the one clicked; its input is levelSwap's copy).
        changed["level"]["level"] if "level" in changed else page["level"].get("value"),
    ]
    triggered = {f"{callbacks._INPUT_OF.get(cid, (cid, 'value'))[0]}.x": v for cid, v in changed.items()}
    answer = callbacks.respond(app_data, search, tuple(values + inputs + states), triggered)
    return {f"{c}.{p}": v for (c, p), v in zip(callbacks._OUTPUTS, answer) if v is not no_update}


@pytest.mark.parametrize("link", [LINK, "?from=2023-01&to=2024-12&level=officials", ""])
def test_the_first_callback_finds_the_page_up_to_date(app, app_data, link):
    sent = first_call(app_data, layout_for(app, link), link)
    assert not {"network.figure", "details-html.data", "sparkline.figure", "view-description.children"} & set(sent)
    assert set(sent) <= {"url.search", "notice.children", "notice.is_open"}


def test_a_page_drawn_for_another_link_is_redrawn_by_its_first_call(app, app_data):
    """A browser that sends no Referer gets the story's layout; the first call draws its link."""
    link = "?from=2023-01&to=2024-12&level=officials&sel=CHN"
    assert ViewState.from_query(link)[0].window() != app_data.story.state.window()
    sent = first_call(app_data, layout_for(app, None), link)
    assert figure_nodes(sent["network.figure"]) == set(render_view(app_data, ViewState.from_query(link)[0]).view)
    assert "People&#39;s Republic of China" in sent["details-html.data"]


def test_the_page_fetches_plotly_and_the_graph_code_with_itself(app):
    """plotly.js (the dashboard's own build) and dcc.Graph's chunk come with the page (deferred),
    from this server: the first graph does not wait for them to be asked for once the layout is
    drawn, and plotly.py's full plotly.js (4.8 MB) is not fetched."""
    import re

    import dash

    from explorer.paths import assets_dir

    client = app.server.test_client()
    html = client.get("/").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    srcs = re.findall(r'<script defer src="([^"]+)"></script>', head)
    assert [s.rsplit("/", 1)[-1] for s in srcs] == ["plotly-explorer.min.js", "async-graph.js"]
    assert html.count("plotly-explorer.min.js") == 1 and "plotly.min.js" not in html
    files = [assets_dir() / "vendor" / "plotly-explorer.min.js", Path(dash.__file__).parent / "dcc" / "async-graph.js"]
    for src, file in zip(srcs, files):
        assert src.startswith(("/assets/", "/_dash-component-suites/"))  # served here, never from a CDN
        r = client.get(src)
        assert r.status_code == 200 and r.data == file.read_bytes(), src


def test_entity_dropdowns_open_with_their_value_and_get_every_entity_from_a_store(app, app_data):
    """Building a dropdown's search over every entity cost the first paint ~100 ms: the search
    and focus dropdowns open with the option of their value only; every entity waits in a store
    that the browser copies in once the graph has drawn (entityOptions in assets/explorer.js)."""
    page = layout_for(app, "?from=2024-01&to=2024-02&focus=sergey-lavrov")
    assert page["focus"]["value"] == "sergey-lavrov"
    assert [o["value"] for o in page["focus"]["options"]] == ["sergey-lavrov"]
    assert page["search"]["options"] == []
    stored = page["entity-options"]["data"]
    assert sorted(o["value"] for o in stored) == sorted(app_data.entities)
    assert any("Лавров" in o["search"] for o in stored)  # aliases stay searchable
    deps = json.loads(app.server.test_client().get("/_dash-dependencies").data)
    copy = [d for d in deps if d["inputs"] == [{"id": "entity-options", "property": "data"}]]
    assert len(copy) == 1 and copy[0]["clientside_function"]["function_name"] == "entityOptions"
    assert copy[0]["output"] == "..search.options...focus.options.."


def test_the_links_tab_is_open_in_the_page(app):
    page = layout_for(app, "?from=2024-01&to=2024-02&tab=map")
    assert page["panel-map"]["hidden"] is False and page["panel-network"]["hidden"] is True
    assert page["tab-map"]["aria-selected"] == "true" and page["tab-map"]["tabIndex"] == "0"
    assert page["tab-network"]["aria-selected"] == "false" and page["tab-network"]["tabIndex"] == "-1"
    story = layout_for(app, "")
    assert story["panel-network"]["hidden"] is False and story["panel-map"]["hidden"] is True


def test_a_level_switch_the_browser_drew_is_answered_without_the_figure(app, app_data):
    """levelSwap (assets/explorer.js) draws the other level's figure the page holds, made for the
    view shown (callbacks._register_level_ahead), and says so: the answer then brings the rest
    of the view but not the figure.  Any other figure, or none, and the answer sends it."""
    link = "?from=2024-01-01&to=2024-02-29&level=officials&sel=CHN"
    page = layout_for(app, link)
    stored = page["view-state"]["data"]
    target = callbacks.level_switched(app_data, ViewState.from_dict(stored), "countries")
    assert (
        target.level == "countries"
        and target.selected == "CHN"
        and target.window() == ViewState.from_dict(stored).window()
    )
    countries = set(render_view(app_data, target).view)
    assert countries != figure_nodes(page["network"]["figure"])

    def switch(drew):
        return first_call(app_data, page, link, {"level": {"level": "countries", "drew": drew, "at": 1}})

    drawn = switch(callbacks._ahead_key(stored, target))
    assert "network.figure" not in drawn
    assert drawn["view-state.data"]["level"] == "countries" and "level=countries" in drawn["url.search"]
    assert "countries" in str(drawn["view-description.children"]).lower()
    assert "level.value" not in drawn  # the control shows what was clicked: not written back

    other = ViewState.from_dict({**stored, "date_from": "2020-01-01"})
    for drew in (None, callbacks._ahead_key(other.to_dict(), target), callbacks._ahead_key(stored, other)):
        sent = switch(drew)
        assert figure_nodes(sent["network.figure"]) == countries, drew
        assert sent["view-state.data"] == drawn["view-state.data"]
