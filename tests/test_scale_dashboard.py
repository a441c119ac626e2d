"""The dashboard at volume: large folders read through the event store, large views drawn as their top.

The month-like folder is the real GDELT 2.0 fixture imported with every CAMEO code and its
events repeated with new ids and dates over March 2019 (as ``tests/test_store.py`` builds it).
"""

from __future__ import annotations

import json

import pytest
from conftest import write_dataset
from plotly.utils import PlotlyJSONEncoder
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_browser import nodes, settle, wait_until
from test_store import import_month

from explorer.details import node_details
from explorer.paths import bundled_data_dir
from explorer.presenter import (
    TOP_NODES,
    prepare_app_data,
    redraw_plan,
    render_changes,
    render_paths,
    render_series,
    render_view,
    uses_store,
)
from explorer.store_build import build_store
from explorer.viewstate import ViewState

MONTH = "?from=2019-03-10&to=2019-03-16"


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """A month-like folder whose store was built, as the importer leaves it."""
    folder = import_month(tmp_path_factory.mktemp("scale"), copies=6)
    assert not uses_store(folder)  # small enough for memory until a store is built
    build_store(folder)
    return folder


@pytest.fixture(scope="module")
def month_data(month):
    return prepare_app_data(month)


@pytest.fixture(scope="module")
def month_in_memory(month):
    return prepare_app_data(month, store=False)


# ---- the event store behind the dashboard ---------------------------------------------------


def test_a_folder_with_a_store_is_read_through_it(month_data, month_in_memory):
    assert month_data.store is not None and month_in_memory.store is None
    assert "events" not in {d.get("relation") for *_, d in month_data.graph.edges(data=True)}
    assert month_data.span == month_in_memory.span
    assert month_data.event_counts == month_in_memory.event_counts
    assert month_data.topics == month_in_memory.topics
    assert month_data.key_events == month_in_memory.key_events
    assert month_data.story.state == month_in_memory.story.state


@pytest.mark.parametrize(
    "query",
    [
        "from=2019-03-10&to=2019-03-16",
        "from=2019-03-01&to=2019-03-30&level=countries",
        "to=2019-03-05&lookback=7&minw=2",
    ],
)
def test_store_views_say_what_the_in_memory_views_say(month_data, month_in_memory, query):
    state, notices = ViewState.from_query(query)
    assert not notices
    got, ref = render_view(month_data, state), render_view(month_in_memory, state)
    assert set(got.view) == set(ref.view) and len(got.view) > 5
    assert got.counts == ref.counts
    assert got.description == ref.description
    by_id = {r["id"]: r for r in ref.metrics}
    for row in got.metrics:
        assert row["weighted_degree"] == pytest.approx(by_id[row["id"]]["weighted_degree"])
    node = max(ref.view.degree(weight="weight"), key=lambda nd: nd[1])[0]
    a, b = node_details(month_data.graph, got.whole, node), node_details(month_in_memory.graph, ref.whole, node)
    assert [e["id"] for e in a["events"]] == [e["id"] for e in b["events"]]
    assert a["events"][-1]["sources"] == b["events"][-1]["sources"]


def test_changes_paths_and_series_work_on_the_store(month_data, month_in_memory):
    state = ViewState(date_from="2019-03-16", date_to="2019-03-30", tab="changes")
    got, ref = render_changes(month_data, state), render_changes(month_in_memory, state)
    # The same entities change, with the same metric deltas; a tie of the store is a pair and kind
    # (not one per event), so it is added only when the pair had no such tie before.
    assert got["rows"] == ref["rows"] and len(got["rows"]) > 5
    kinds = {(min(e["u"], e["v"]), max(e["u"], e["v"]), e["kind"]) for e in got["changes"].edges_added}
    before = {(u, v, d["kind"]) for u, v, d in render_view(month_in_memory, got["compared"]).whole.edges(data=True)}
    after = {(u, v, d["kind"]) for u, v, d in render_view(month_in_memory, state).whole.edges(data=True)}
    assert kinds == {(min(u, v), max(u, v), k) for u, v, k in after} - {(min(u, v), max(u, v), k) for u, v, k in before}
    view = render_view(month_data, state).view
    a, b = sorted(view.degree(weight="weight"), key=lambda nd: -nd[1])[:2]
    paths = render_paths(month_data, state.replace(path_from=a[0], path_to=b[0]))
    assert paths and paths[0]["nodes"][0] == a[0] and paths[0]["nodes"][-1] == b[0]
    fig = render_series(month_data, state, [a[0]])
    assert any(len(t.get("y", ())) for t in fig.to_plotly_json()["data"])


@pytest.mark.browser
def test_the_dashboard_paints_a_month_and_answers_a_window_change(dash_duo, month_data):
    from explorer.app import create_app

    dash_duo.driver.set_window_size(1600, 1100)
    dash_duo.start_server(create_app(month_data))
    dash_duo.driver.get(dash_duo.server_url + "/" + MONTH)
    wait_until(lambda: nodes(dash_duo), timeout=60, what="the month's first paint")
    description = dash_duo.find_element("#view-description").text
    assert "2019-03-10 to 2019-03-16" in description
    week = int(description.split(" events")[0].rsplit("· ", 1)[1])
    assert week > 100
    settle(dash_duo)
    handles = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#timeline [role=slider]")
    handles[0].send_keys(Keys.HOME)  # widen the window to the first day of the data
    wait_until(
        lambda: "2019-03-01 to 2019-03-16" in dash_duo.find_element("#view-description").text,
        timeout=60,
        what="the widened window",
    )
    wider = dash_duo.find_element("#view-description").text
    assert int(wider.split(" events")[0].rsplit("· ", 1)[1]) > week
    assert "from=2019-03-01" in dash_duo.driver.current_url


# ---- a view too large to draw whole ---------------------------------------------------------


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    """600 officials of three countries: a chain of meetings, and a hub official who met every tenth one."""
    n = 600
    countries = ["CHN", "RUS", "EGY"]
    entities = [{"id": c, "kind": "country", "name": c, "iso3": c} for c in countries] + [
        {"id": f"o{i}", "kind": "official", "name": f"Official {i}", "country": countries[i % 3]} for i in range(n)
    ]
    events, participants = [], []

    def meet(a, b, day):
        eid = f"e{len(events)}"
        events.append(
            {
                "id": eid,
                "kind": "meeting",
                "title": f"{a} meets {b}",
                "start": day,
                "precision": "day",
                "confidence": "high",
                "sources": "S1",
            }
        )
        participants.extend([{"event": eid, "entity": a, "role": "host"}, {"event": eid, "entity": b, "role": "guest"}])

    for i in range(n - 1):
        meet(f"o{i}", f"o{i + 1}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}")
    for i in range(10, n, 10):
        meet("o0", f"o{i}", "2024-06-01")
        meet("o0", f"o{i}", "2024-07-01")
    folder = write_dataset(
        tmp_path_factory.mktemp("crowd") / "data",
        {"entities": entities, "affiliations": [], "events": events, "participants": participants},
    )
    return prepare_app_data(folder)


WHOLE = ViewState(date_from="2024-01-01", date_to="2024-12-31")


def test_a_large_view_draws_its_most_connected_entities_and_says_so(crowd):
    result = render_view(crowd, WHOLE)
    assert result.aggregated and len(result.whole) == 600
    assert len(result.view) == TOP_NODES
    assert result.counts["nodes"] == 600 and result.counts["shown"] == TOP_NODES
    assert f"showing the {TOP_NODES} most connected entities" in result.description
    assert "Click an entity to add its neighbourhood" in result.description
    assert {r["id"] for r in result.metrics} == set(result.view)
    strength = dict(result.whole.degree(weight="weight"))
    weakest_shown = min(strength[n] for n in result.view)
    assert all(strength[n] <= weakest_shown for n in result.whole if n not in result.view)
    assert "o0" in result.view  # the hub
    size = len(json.dumps(result.network, cls=PlotlyJSONEncoder)) + len(json.dumps(result.metrics, default=str))
    assert size < 1_000_000


def test_selecting_an_entity_left_out_shows_its_neighbourhood(crowd):
    shown = set(render_view(crowd, WHOLE).view)
    left_out = sorted(n for n in render_view(crowd, WHOLE).whole if n not in shown)[0]
    selected = WHOLE.replace(selected=left_out)
    result = render_view(crowd, selected)
    neighbours = set(result.whole[left_out])
    assert left_out in result.view and neighbours <= set(result.view)
    assert "with the selection's closest neighbours" in result.description
    assert "view" in redraw_plan(crowd, WHOLE, selected)  # redrawn, not patched
    details = node_details(crowd.graph, result.whole, left_out)
    assert len(details["events"]) == len(neighbours)


def test_selecting_a_drawn_entity_only_moves_the_highlight(crowd):
    result = render_view(crowd, WHOLE)
    top = sorted(result.view, key=lambda n: -result.whole.degree(n, weight="weight"))[0]
    # The hub's neighbours are all drawn already: nothing but the highlight changes.
    assert top == "o0"
    assert redraw_plan(crowd, WHOLE, WHOLE.replace(selected=top)) == frozenset({"selection"})


def test_the_bundled_views_are_drawn_whole():
    data = prepare_app_data(bundled_data_dir())
    assert data.store is None
    whole = ViewState(date_from=data.span[0].isoformat(), date_to=data.span[1].isoformat())
    for state in (data.story.state, whole):
        result = render_view(data, state)
        assert not result.aggregated and "most connected" not in result.description


# ---- entity dropdowns of a large folder ------------------------------------------------------


def test_entity_search_finds_by_name_and_keeps_the_current_value(crowd):
    from explorer.presenter import entity_search

    found = [o["value"] for o in entity_search(crowd, "official 59")]
    assert found[:2] == ["o59", "o590"]  # the name itself, then the names that start with it
    assert set(found) == {f"o{i}" for i in range(600) if "59" in str(i)}
    assert [o["value"] for o in entity_search(crowd, "", ["o7"])] == ["o7"]
    assert len(entity_search(crowd, "official", limit=20)) == 20
    assert entity_search(crowd, "nobody by that name") == []


def test_a_large_folder_page_leaves_the_entity_lists_to_the_server(crowd, monkeypatch):
    import explorer.app.callbacks as callbacks
    import explorer.app.layout as layout
    from explorer.app import create_app

    monkeypatch.setattr(layout, "OPTIONS_INLINE", 100)
    monkeypatch.setattr(callbacks, "OPTIONS_INLINE", 100)
    app = create_app(crowd)
    page = json.loads(app.server.test_client().get("/_dash-layout").data)
    text = json.dumps(page)
    assert "Official 599" not in text  # no option list of 600 entities in the page
    deps = json.loads(app.server.test_client().get("/_dash-dependencies").data)
    searched = [d for d in deps if d["output"] in ("search.options", "focus.options")]
    assert len(searched) == 2 and all(d["inputs"][0]["property"] == "search_value" for d in searched)
