"""The temporal graph, window views and the country projection."""

from __future__ import annotations

import datetime as dt

from explorer import build_graph, load_dataset, project_to_countries, window_view

D = dt.date


def _org_ties(view, country, org="BRICS"):
    return {
        (d["kind"], d["status"])
        for _, _, d in view.edges(country, data=True)
        if d["relation"] == "affiliation" and org in (d["source"], d["target"])
    }


def test_edges_carry_dates_sources_and_event_details(tiny):
    G = build_graph(load_dataset(tiny))
    d = G.edges["ma-zhaoxu", "sergey-lavrov", "e1"]
    assert d["relation"] == "event" and d["kind"] == "meeting"
    assert d["start"] == D(2024, 1, 30) and isinstance(d["start"], dt.date)
    assert d["topics"] == (("Ukraine", "discussed"), ("Middle East", "agreed"))
    assert d["place"] == "Moscow" and d["sources"] == ("S1",)
    assert G.nodes["ma-zhaoxu"]["aliases"] == ("马朝旭",)


def test_window_keeps_overlapping_intervals_only(tiny):
    G = build_graph(load_dataset(tiny))
    before = window_view(G, D(2023, 12, 1), D(2023, 12, 1))
    assert _org_ties(before, "EGY") == {("invited", "confirmed")}
    after = window_view(G, D(2024, 2, 1), D(2024, 2, 1))
    assert _org_ties(after, "EGY") == {("member", "confirmed")}
    assert "e1" not in {k for *_, k in after.edges(keys=True)}


def test_window_drops_isolated_nodes_unless_asked(tiny):
    G = build_graph(load_dataset(tiny))
    view = window_view(G, D(2000, 1, 1), D(2000, 12, 31))
    assert len(view) == 0
    assert len(window_view(G, D(2000, 1, 1), D(2000, 12, 31), keep_isolated=True)) == len(G)


def test_views_and_projection_never_mutate_the_base_graph(tiny):
    G = build_graph(load_dataset(tiny))
    snapshot = (sorted(G.nodes), sorted(G.edges(keys=True)), dict(G.nodes["CHN"]))
    P = project_to_countries(window_view(G, D(2024, 1, 1), D(2024, 12, 31)))
    P.add_node("extra")
    assert (sorted(G.nodes), sorted(G.edges(keys=True)), dict(G.nodes["CHN"])) == snapshot


def test_projection_collapses_officials_into_their_country(tiny):
    G = build_graph(load_dataset(tiny))
    P = project_to_countries(window_view(G, D(2024, 1, 1), D(2024, 1, 31)))
    assert "ma-zhaoxu" not in P and "sergey-lavrov" not in P
    d = P.edges["CHN", "RUS", "events"]
    assert d["weight"] == 1 and d["events"] == ["e1"]


# --- the bundled dataset -------------------------------------------------------------


def test_bundled_brics_membership_on_2024_02_01(bundled_graph):
    view = window_view(bundled_graph, D(2024, 2, 1), D(2024, 2, 1))
    for c in ("EGY", "ETH", "IRN", "ARE"):
        assert ("member", "confirmed") in _org_ties(view, c), c
    assert not any(k == "member" for k, _ in _org_ties(view, "ARG")) if "ARG" in view else True
    sau = _org_ties(view, "SAU")
    assert ("member", "disputed") in sau and ("member", "confirmed") not in sau


def test_bundled_egypt_invited_not_member_on_2023_12_01(bundled_graph):
    view = window_view(bundled_graph, D(2023, 12, 1), D(2023, 12, 1))
    kinds = {k for k, _ in _org_ties(view, "EGY")}
    assert "invited" in kinds and "member" not in kinds


def test_bundled_ma_zhaoxu_met_lavrov_in_moscow_with_a_source_url(bundled_graph):
    view = window_view(bundled_graph, D(2024, 1, 30), D(2024, 1, 30))
    meetings = [
        d
        for d in view.get_edge_data("ma-zhaoxu", "sergey-lavrov", default={}).values()
        if d["relation"] == "event" and d["start"] == D(2024, 1, 30)
    ]
    assert meetings, "no Ma Zhaoxu–Lavrov event on 2024-01-30"
    m = meetings[0]
    assert "Moscow" in m["place"] and m["place_country"] == "RUS"
    urls = [bundled_graph.graph["sources"][s]["url"] for s in m["sources"]]
    assert any(u.startswith("https://") or u.startswith("http://") for u in urls)


def test_bundled_country_level_chn_rus_carries_the_january_meetings(bundled_graph):
    P = project_to_countries(window_view(bundled_graph, D(2024, 1, 1), D(2024, 1, 31)))
    d = P.edges["CHN", "RUS", "events"]
    assert d["weight"] >= 3, d["events"]
    days = {bundled_graph.graph["events"][e]["start"] for e in d["events"]}
    assert {D(2024, 1, 29), D(2024, 1, 30)} <= days, d["events"]
