"""The dashboard's pure pipeline and callback logic, without a browser."""

from __future__ import annotations

import pytest

from explorer.app.controls import controls_from_state, state_from_controls
from explorer.details import edge_details, node_details
from explorer.paths import bundled_data_dir
from explorer.presenter import advance, prepare_app_data, render_map, render_view
from explorer.viewstate import ViewState


@pytest.fixture(scope="module")
def data():
    return prepare_app_data(bundled_data_dir())


def _traces(fig) -> list[dict]:
    """The figure's traces as plain dicts: the dashboard sends plain-dict figures, exports go.Figure."""
    return fig["data"] if isinstance(fig, dict) else [t.to_plotly_json() for t in fig.data]


def _node_ids(fig) -> set[str]:
    return {
        c[5:] for t in _traces(fig) for c in (t.get("customdata") or ()) if isinstance(c, str) and c.startswith("node|")
    }


def test_window_changes_the_graph(data):
    jan = render_view(data, ViewState(date_from="2024-01-29", date_to="2024-01-30"))
    year = render_view(data, ViewState(date_from="2024-01-01", date_to="2024-12-31"))
    assert {"ma-zhaoxu", "sergey-lavrov", "vladimir-titov", "sergey-ryabkov"} <= _node_ids(jan.network)
    assert jan.counts["nodes"] < year.counts["nodes"]
    assert _node_ids(jan.network) == set(jan.view.nodes)
    assert [r["id"] for r in jan.metrics] and set(r["id"] for r in jan.metrics) == set(jan.view.nodes)


def test_positions_do_not_move_between_windows(data):
    a = render_view(data, ViewState(date_from="2024-01", date_to="2024-01"))
    b = render_view(data, ViewState(date_from="2023", date_to="2025"))

    def xy(fig):
        out = {}
        for t in _traces(fig):
            if t.get("customdata") is None:
                continue
            for c, x, y in zip(t["customdata"], t["x"], t["y"]):
                if isinstance(c, str) and c.startswith("node|"):
                    out[c[5:]] = (x, y)
        return out

    pa, pb = xy(a.network), xy(b.network)
    common = set(pa) & set(pb)
    assert common and all(pa[n] == pb[n] for n in common)


def test_organisation_filter_changes_the_table(data):
    everyone = render_view(data, ViewState(date_from="2024-02-01", date_to="2024-02-01"))
    brics = render_view(data, ViewState(date_from="2024-02-01", date_to="2024-02-01", org="BRICS"))
    ids = {r["id"] for r in brics.metrics}
    assert {"EGY", "ETH", "IRN", "ARE", "SAU", "BRICS"} <= ids
    assert "USA" not in ids and "USA" in {r["id"] for r in everyone.metrics}


def test_country_level_and_disputed_mark(data):
    res = render_view(data, ViewState(date_from="2024-02-01", date_to="2024-02-01", level="countries"))
    assert not any(data.entities[n]["kind"] == "official" for n in res.view)
    names = {t.get("name") for t in _traces(res.network)}
    assert any("Disputed" in (n or "") for n in names), names


def test_node_details_list_sources_with_links(data):
    res = render_view(data, ViewState(date_from="2024-01-30", date_to="2024-01-30"))
    d = node_details(data.graph, res.view, "ma-zhaoxu")
    titles = [e["title"] for e in d["events"]]
    assert any("Lavrov" in t for t in titles)
    srcs = [s for e in d["events"] for s in e["sources"]]
    assert srcs and all(s["title"] for s in srcs) and any(s["url"].startswith("http") for s in srcs)
    assert any(a["kind"] == "office" for a in d["affiliations"])


def test_edge_details_from_figure_id(data):
    res = render_view(data, ViewState(date_from="2024-01-30", date_to="2024-01-30"))
    pair = next(
        c
        for t in _traces(res.network)
        for c in (t.get("customdata") or ())
        if isinstance(c, str) and c.startswith("pair|") and "sergey-lavrov" in c and "ma-zhaoxu" in c
    )
    d = edge_details(data.graph, res.view, pair)
    assert d["events"] and d["events"][0]["sources"]
    assert edge_details(data.graph, res.view, "pair|nobody|else") is None
    assert edge_details(data.graph, res.view, "garbage") is None


def test_controls_round_trip(data):
    state = ViewState(
        date_from="2024-01-01",
        date_to="2024-03-31",
        level="countries",
        org="BRICS",
        depth=2,
        entity_kinds=("country",),
        metric="pagerank",
        tab="map",
    )
    props = controls_from_state(state, data)
    assert props["date-from"] == "2024-01-01" and props["date-to"] == "2024-03-31"
    assert props["level"] == "countries" and props["org"] == "BRICS" and props["tabs"] == "map"
    moved = state_from_controls(state, "level", {**props, "level": "officials"}, data)
    assert moved.level == "officials" and moved.org == "BRICS"


def test_half_typed_input_keeps_the_view(data):
    state = ViewState(date_from="2024-01-01")
    assert state_from_controls(state, "min-weight", {"min-weight": 0}, data) == state
    assert state_from_controls(state, "date-to", {"date-to": "2023-01-01"}, data) == state


def test_timeline_slider_sets_month_bounds(data):
    state = ViewState()
    assert data.unit == "month"
    i = data.ticks.index(next(m for m in data.ticks if m.isoformat() == "2024-01-01"))
    new = state_from_controls(state, "timeline", {"timeline": [i, i + 1]}, data)
    assert (new.date_from, new.date_to) == ("2024-01-01", "2024-02-29")


def test_play_advances_and_stops_at_the_end(data):
    s, done = advance(ViewState(date_from="2024-01-01", date_to="2024-01-31"), data, "month")
    assert (s.date_from, s.date_to) == ("2024-02-01", "2024-02-29") and not done
    s, done = advance(ViewState(date_to="2024-01-31", lookback=30), data, "week")
    assert s.date_to == "2024-02-07" and s.lookback == 30
    s, done = advance(ViewState(date_from="2025-12-01", date_to=data.span[1].isoformat()), data, "year")
    assert done


def test_malformed_link_gives_default_view_with_notice():
    state, notices = ViewState.from_query("?from=2024-99-01&level=galaxy&depth=9&zzz=1")
    assert state.date_from is None and state.level == "officials" and state.depth == 1
    assert len(notices) == 4


def test_map_places_countries(data):
    fig = render_map(data, ViewState(date_from="2024-01", date_to="2024-02"))
    ids = _node_ids(fig)
    assert {"CHN", "RUS", "USA"} <= ids
    lines = [t for t in _traces(fig) if t.get("mode") == "lines"]
    assert lines, "ties between countries are drawn"


def test_changes_tab_marks_the_new_members(data):
    from explorer.presenter import render_changes

    state = ViewState(
        date_from="2024-01-01",
        date_to="2024-12-31",
        vs_from="2023-01-01",
        vs_to="2023-12-31",
        level="countries",
        tab="changes",
    )
    ch = render_changes(data, state)
    added = {frozenset((e["u"], e["v"])) for e in ch["changes"].edges_added if e["kind"] == "member"}
    assert {frozenset((c, "BRICS")) for c in ("EGY", "ETH", "IRN", "ARE")} <= added
    names = {t.get("name") for t in _traces(ch["figure"])}
    assert any("added" in (n or "") for n in names)
    assert ch["rows"] and "2023" in ch["summary"]


def test_changes_default_to_the_previous_window(data):
    from explorer.presenter import compare_state

    vs = compare_state(ViewState(date_from="2024-02-01", date_to="2024-02-29"))
    assert (vs.date_from, vs.date_to) == ("2024-01-03", "2024-01-31")


def test_path_finder_and_series(data):
    from explorer.presenter import render_paths, render_series

    state = ViewState(date_from="2024-01-01", date_to="2024-02-29", path_from="jake-sullivan", path_to="sergey-lavrov")
    paths = render_paths(data, state)
    assert paths and paths[0]["nodes"][0] == "jake-sullivan" and paths[0]["nodes"][-1] == "sergey-lavrov"
    assert all(h["ties"] for h in paths[0]["hops"])
    fig = render_series(data, ViewState(date_from="2023-01-01", date_to="2024-12-31", metric="degree"), ["CHN", "RUS"])
    assert {t.name for t in fig.data} == {"People's Republic of China", "Russian Federation"}
    assert len(fig.data[0].x) == 8  # quarters of 2023 and 2024


def test_short_data_gets_a_timeline_of_days(tiny):
    import datetime as dt

    from explorer.presenter import tick_end, timeline_ticks

    unit, ticks = timeline_ticks(dt.date(2018, 6, 1), dt.date(2018, 6, 2))
    assert unit == "day" and ticks == [dt.date(2018, 6, 1), dt.date(2018, 6, 2)]
    unit, ticks = timeline_ticks(dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    assert unit == "week" and tick_end(ticks[0], unit) == dt.date(2023, 1, 7)


def test_the_view_description_names_entities_not_ids(data):
    res = render_view(data, ViewState(date_from="2024-01", date_to="2024-02", focus="ma-zhaoxu", org="BRICS"))
    assert "ego network of Ma Zhaoxu" in res.description and "ma-zhaoxu" not in res.description


def test_the_story_is_the_opening_view_and_a_folder_without_one_opens_on_its_last_months(data, tmp_path):
    from conftest import write_dataset

    assert data.story.state.level == "countries" and data.story.state.date_from == "2024-01-01"
    assert "BRICS" in data.story.title
    own = prepare_app_data(write_dataset(tmp_path / "own"))
    start, end = own.story.state.window()
    assert end == own.span[1] and (end - start).days <= 92
    assert "last three months" in own.story.title


def test_a_window_beyond_the_data_is_explained_not_clamped(data):
    from explorer.presenter import window_notices

    state = ViewState(date_from="1990-01-01", date_to="2024-02-29")
    assert "starts on" in window_notices(data, state)[0]
    assert window_notices(data, ViewState(date_from="2024-01-01", date_to="2024-02-29")) == []
    assert "outside the data" in window_notices(data, ViewState(date_from="1990", date_to="1991"))[0]


def test_play_restarts_or_says_why(data):
    from explorer.presenter import play_frames, start_playback

    same, why = start_playback(data, ViewState(date_from="2024-01-01", date_to="2024-01-31"), "month")
    assert why == "" and same.date_from == "2024-01-01"
    first, last = (d.isoformat() for d in data.span)
    whole, why = start_playback(data, ViewState(date_from=first, date_to=last), "month")
    assert "one month at a time" in why and whole.date_from == first and whole.date_to < "2007"
    frames, done = play_frames(data, ViewState(date_from="2024-01-01", date_to="2024-01-31"), "month", 3)
    assert [f["dates"] for f in frames] == [
        ["2024-02-01", "2024-02-29"],
        ["2024-03-01", "2024-03-31"],
        ["2024-04-01", "2024-04-30"],
    ]
    assert not done and all(f["description"].split(" — ")[1].startswith(f["dates"][0]) for f in frames)


def test_a_window_at_the_start_of_the_calendar_renders_every_tab(data):
    """Issue 10: a window starting on 0001-01-01 has no earlier window to compare with."""
    from explorer.presenter import render_changes

    state = ViewState(date_from="0001-01-01", date_to="0001-01-05", tab="changes")
    assert controls_from_state(state, data)["vs-from"] is None
    assert render_changes(data, state)["summary"]
    assert render_view(data, state).counts["nodes"] == 0
