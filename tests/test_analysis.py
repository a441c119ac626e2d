"""Ego networks, paths, changes between windows and metrics over time."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import networkx as nx
import pytest

from explorer import build_graph, bundled_data_dir, load_dataset
from explorer.analysis import (
    FREQUENCIES,
    compare_views,
    describe_tie,
    ego_network,
    metric_series,
    period_buckets,
    shortest_paths,
    ties_between,
)
from explorer.errors import ArgumentError, UnknownEntityError
from explorer.formats import to_plain
from explorer.metrics import METRICS
from explorer.views import project_to_countries, window_view

D = dt.date

# A small data folder, hand-written so every expected answer can be checked by eye.
MINI = {
    "entities.csv": """id,kind,name,aliases,iso3,country,wikidata,note
CHN,country,China,PRC,CHN,,,
RUS,country,Russia,Russian Federation,RUS,,,
USA,country,United States,US,USA,,,
EGY,country,Egypt,,EGY,,,
BRA,country,Brazil,,BRA,,,
BRICS,organization,BRICS,,,,,
ma-zhaoxu,official,Ma Zhaoxu,,,CHN,,
wang-yi,official,Wang Yi,,,CHN,,
sergey-lavrov,official,Sergey Lavrov,Lavrov,,RUS,,
sergey-ryabkov,official,Sergey Ryabkov,,,RUS,,
vladimir-titov,official,Vladimir Titov,,,RUS,,
jake-sullivan,official,Jake Sullivan,,,USA,,
""",
    "affiliations.csv": """source,target,kind,title,start,end,start_precision,end_precision,status,confidence,sources,note
CHN,BRICS,founding_member,,2006,,year,,confirmed,high,s4,
RUS,BRICS,founding_member,,2006,,year,,confirmed,high,s4,
BRA,BRICS,founding_member,,2006,,year,,confirmed,high,s4,
EGY,BRICS,invited,,2023-08-24,2023-12-31,day,day,confirmed,high,s4,
EGY,BRICS,member,,2024-01-01,,day,,confirmed,high,s4,
""",
    "events.csv": """id,kind,title,start,end,precision,place,place_country,topics,confidence,sources,note
summit-2023,summit,XV BRICS summit,2023-08-22,2023-08-24,day,Johannesburg,ZAF,,high,s4,
bangkok,meeting,Sullivan and Wang Yi talks in Bangkok,2024-01-26,2024-01-27,day,Bangkok,THA,,high,s3,
consult,consultation,Consultations on strategic stability,2024-01-29,,day,Moscow,RUS,,high,s2,
ma-lavrov,meeting,Lavrov receives Ma Zhaoxu,2024-01-30,,day,Moscow,RUS,,high,s2,
call,call,Wang Yi and Lavrov phone call,2024-02-05,,day,,,,medium,s1;s2,
""",
    "participants.csv": """event,entity,role
summit-2023,CHN,participant
summit-2023,RUS,participant
summit-2023,BRA,participant
bangkok,jake-sullivan,participant
bangkok,wang-yi,participant
consult,ma-zhaoxu,participant
consult,sergey-ryabkov,participant
consult,vladimir-titov,participant
ma-lavrov,sergey-lavrov,host
ma-lavrov,ma-zhaoxu,guest
call,wang-yi,participant
call,sergey-lavrov,participant
""",
    "sources.csv": """id,title,publisher,url,published,reliability,note
s1,Chinese MFA news,MFA of China,https://www.fmprc.gov.cn/eng/,2024-02-05,high,
s2,Russian MFA press release,MFA of Russia,https://mid.ru/en/,2024-01-30,high,
s3,White House readout,The White House,https://www.whitehouse.gov/,2024-01-27,high,
s4,BRICS declaration,BRICS,https://brics2023.gov.za/,2023-08-24,high,
""",
}


def write_mini(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in MINI.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> nx.MultiGraph:
    return build_graph(load_dataset(write_mini(tmp_path_factory.mktemp("mini"))))


@pytest.fixture(scope="module")
def bundled_graph() -> nx.MultiGraph:
    return build_graph(load_dataset(bundled_data_dir()))


JAN_FEB_2024 = (D(2024, 1, 1), D(2024, 2, 29))


# --- ties ---------------------------------------------------------------------------


def test_describe_tie_names_the_facts(mini):
    view = window_view(mini, *JAN_FEB_2024)
    (tie,) = ties_between(view, "ma-zhaoxu", "sergey-lavrov")
    assert tie["relation"] == "event" and tie["event"] == "ma-lavrov" and tie["events"] == ["ma-lavrov"]
    assert tie["start"] == "2024-01-30" and tie["title"] == "Lavrov receives Ma Zhaoxu"
    assert tie["text"] == "2024-01-30 meeting: Lavrov receives Ma Zhaoxu"
    assert tie["sources"] == [
        {
            "id": "s2",
            "title": "Russian MFA press release",
            "publisher": "MFA of Russia",
            "url": "https://mid.ru/en/",
            "published": "2024-01-30",
        }
    ]
    json.dumps(tie)  # plain data


def test_describe_affiliation_keeps_its_direction(mini):
    view = window_view(mini, D(2024, 1, 1), D(2024, 12, 31))
    (tie,) = ties_between(view, "BRICS", "EGY")
    assert (tie["u"], tie["v"], tie["kind"]) == ("EGY", "BRICS", "member")
    assert tie["end"] == "" and tie["text"] == "2024-01-01 to now Egypt member of BRICS"


def test_country_level_edge_lists_its_events(mini):
    view = project_to_countries(window_view(mini, *JAN_FEB_2024))
    data = view.get_edge_data("CHN", "RUS", "events")
    tie = describe_tie(view, "CHN", "RUS", "events", data)
    assert tie["events"] == ["consult", "ma-lavrov", "call"] and tie["weight"] == 3.0
    assert {s["id"] for s in tie["sources"]} == {"s1", "s2"}


# --- ego networks ----------------------------------------------------------------------


def test_ego_network_depth_1_and_2(mini):
    view = window_view(mini, D(2024, 1, 20), D(2024, 1, 31))
    ego = ego_network(view, "Ma Zhaoxu", 1)
    assert set(ego) == {"ma-zhaoxu", "sergey-lavrov", "sergey-ryabkov", "vladimir-titov"}
    assert ego.nodes["ma-zhaoxu"]["hops"] == 0 and ego.nodes["sergey-lavrov"]["hops"] == 1
    assert ego.graph["ego"] == "ma-zhaoxu" and ego.graph["depth"] == 1
    # alters' ties among themselves are kept
    assert ego.has_edge("sergey-ryabkov", "vladimir-titov")
    assert ego.nodes["sergey-lavrov"]["name"] == "Sergey Lavrov"
    wider = ego_network(window_view(mini, *JAN_FEB_2024), "ma-zhaoxu", 2)
    assert wider.nodes["wang-yi"]["hops"] == 2
    assert "jake-sullivan" not in wider
    assert "jake-sullivan" in ego_network(window_view(mini, *JAN_FEB_2024), "ma-zhaoxu", 3)


def test_ego_network_does_not_touch_the_view(mini):
    view = window_view(mini, *JAN_FEB_2024)
    ego_network(view, "ma-zhaoxu", 2)
    assert "hops" not in mini.nodes["ma-zhaoxu"]


def test_ego_network_of_an_entity_without_ties_is_itself(mini):
    view = window_view(mini, D(2000, 1, 1), D(2000, 12, 31))  # before BRICS: an empty view
    assert len(view) == 0
    ego = ego_network(view, "CHN", 2)
    assert list(ego.nodes) == ["CHN"] and ego.number_of_edges() == 0
    assert ego.nodes["CHN"]["name"] == "China"


@pytest.mark.parametrize("depth", [0, 4, "2"])
def test_ego_network_depth_is_1_to_3(mini, depth):
    with pytest.raises(ArgumentError, match="depth"):
        ego_network(mini, "CHN", depth)


def test_ego_network_unknown_entity(mini):
    with pytest.raises(UnknownEntityError) as info:
        ego_network(mini, "Ma Zaoxu")
    assert "ma-zhaoxu" in info.value.suggestions


# --- paths -------------------------------------------------------------------------------


def test_path_names_each_hop_with_its_meetings(mini):
    view = window_view(mini, *JAN_FEB_2024)
    (path,) = shortest_paths(view, "Jake Sullivan", "Lavrov")
    assert path["nodes"] == ["jake-sullivan", "wang-yi", "sergey-lavrov"]
    assert path["names"] == ["Jake Sullivan", "Wang Yi", "Sergey Lavrov"] and path["length"] == 2
    first, second = path["hops"]
    assert [t["title"] for t in first["ties"]] == ["Sullivan and Wang Yi talks in Bangkok"]
    assert (
        first["ties"][0]["start"] == "2024-01-26" and first["ties"][0]["sources"][0]["publisher"] == "The White House"
    )
    assert [t["event"] for t in second["ties"]] == ["call"]
    assert [s["url"] for s in second["ties"][0]["sources"]] == ["https://www.fmprc.gov.cn/eng/", "https://mid.ru/en/"]
    assert json.loads(json.dumps(path)) == path


def test_paths_are_ordered_by_their_weakest_hop():
    G = nx.MultiGraph()
    G.add_edges_from([("a", "b"), ("b", "z"), ("a", "c"), ("a", "c"), ("c", "z"), ("c", "z")])
    paths = shortest_paths(G, "a", "z")
    assert [p["nodes"] for p in paths] == [["a", "c", "z"], ["a", "b", "z"]]
    assert len(shortest_paths(G, "a", "z", max_paths=1)) == 1


def test_no_path_is_an_empty_list(mini):
    view = window_view(mini, *JAN_FEB_2024)
    # MINI records no offices, so the officials' meetings never reach the countries and BRICS.
    assert shortest_paths(view, "jake-sullivan", "BRICS") == []
    early = window_view(mini, D(2023, 8, 1), D(2023, 8, 31))
    assert shortest_paths(early, "CHN", "jake-sullivan") == []  # Sullivan has no tie then
    two_parts = nx.MultiGraph([("a", "b"), ("c", "d")])
    assert shortest_paths(two_parts, "a", "d") == []


def test_path_to_itself(mini):
    (path,) = shortest_paths(mini, "CHN", "China")
    assert path["nodes"] == ["CHN"] and path["hops"] == [] and path["length"] == 0


def test_path_unknown_entity(mini):
    with pytest.raises(UnknownEntityError):
        shortest_paths(mini, "CHN", "Atlantis")
    with pytest.raises(ArgumentError):
        shortest_paths(mini, "CHN", "RUS", max_paths=0)


# --- changes ---------------------------------------------------------------------------------


def test_changes_between_2023_and_2024(mini):
    before = window_view(mini, D(2023, 1, 1), D(2023, 12, 31))
    after = window_view(mini, D(2024, 1, 1), D(2024, 12, 31))
    ch = compare_views(before, after, ["degree", "pagerank", "community"])
    assert "sergey-lavrov" in ch.nodes_added and ch.nodes_removed == []
    added = {(t["u"], t["v"], t["kind"]) for t in ch.edges_added}
    removed = {(t["u"], t["v"], t["kind"]) for t in ch.edges_removed}
    assert ("EGY", "BRICS", "member") in added
    assert ("EGY", "BRICS", "invited") in removed
    assert ("CHN", "BRICS", "founding_member") not in added | removed  # kept
    rows = {r["id"]: r for r in ch.metrics.to_dict("records")}
    lavrov = rows["sergey-lavrov"]
    assert lavrov["status"] == "added" and lavrov["degree_before"] == 0.0 and lavrov["degree_after"] == 2.0
    assert lavrov["degree_rank_before"] is None and lavrov["degree_rank_change"] is None
    chn = rows["CHN"]
    assert chn["status"] == "kept"
    assert chn["degree_delta"] == chn["degree_after"] - chn["degree_before"]
    assert chn["degree_rank_change"] == chn["degree_rank_before"] - chn["degree_rank_after"]
    assert chn["community_before"] is not None and "community_delta" not in chn
    deltas = [abs(d) for d in ch.metrics["degree_delta"]]
    assert deltas == sorted(deltas, reverse=True)
    plain = ch.to_dict()
    assert json.loads(json.dumps(to_plain(plain)))["nodes_added"] == ch.nodes_added


def test_changes_with_an_empty_window(mini):
    empty = window_view(mini, D(2000, 1, 1), D(2000, 1, 2))
    ch = compare_views(empty, window_view(mini, *JAN_FEB_2024), ["betweenness"])
    assert ch.nodes_removed == [] and len(ch.nodes_added) == len(ch.metrics)
    assert set(ch.metrics["status"]) == {"added"}


# --- series -------------------------------------------------------------------------------------


def test_period_buckets():
    assert period_buckets(D(2023, 11, 5), D(2024, 2, 1), "month") == [
        ("2023-11", D(2023, 11, 1), D(2023, 11, 30)),
        ("2023-12", D(2023, 12, 1), D(2023, 12, 31)),
        ("2024-01", D(2024, 1, 1), D(2024, 1, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
    ]
    assert [b[0] for b in period_buckets(D(2023, 2, 1), D(2024, 5, 1), "year")] == ["2023", "2024"]
    assert period_buckets(D(2024, 5, 1), D(2024, 5, 1), "quarter") == [("2024-Q2", D(2024, 4, 1), D(2024, 6, 30))]
    with pytest.raises(ArgumentError):
        period_buckets(D(2024, 1, 1), D(2023, 1, 1), "month")
    with pytest.raises(ArgumentError, match="frequency"):
        period_buckets(D(2024, 1, 1), D(2024, 1, 1), "week")
    assert set(FREQUENCIES) == {"month", "quarter", "year"}


def test_series_sliding_and_cumulative(mini):
    sliding = metric_series(mini, "wang-yi,Lavrov", "degree", "month", D(2024, 1, 1), D(2024, 3, 31))
    assert list(sliding.columns) == ["period", "start", "end", "id", "name", "value", "rank"]
    got = {(r["period"], r["id"]): r["value"] for r in sliding.to_dict("records")}
    # Wang Yi: office ties are not in MINI; Bangkok in January, the call in February.
    assert got[("2024-01", "wang-yi")] == 1.0 and got[("2024-02", "wang-yi")] == 1.0
    assert got[("2024-03", "wang-yi")] == 0.0
    assert sliding.loc[(sliding["period"] == "2024-03") & (sliding["id"] == "wang-yi"), "rank"].item() is None
    cumulative = metric_series(
        mini, ["sergey-lavrov"], "degree", "month", D(2024, 1, 1), D(2024, 3, 31), mode="cumulative"
    )
    assert cumulative["value"].tolist() == [1.0, 2.0, 2.0]
    assert cumulative["start"].tolist() == ["2024-01-01"] * 3
    span = metric_series(mini, ["sergey-lavrov"], "degree", "month", D(2024, 2, 1), D(2024, 3, 31), span=2)
    assert span["start"].tolist() == ["2024-01-01", "2024-02-01"] and span["value"].tolist() == [2.0, 1.0]


def test_series_defaults_to_the_event_range_and_country_level(mini):
    table = metric_series(mini, ["CHN", "RUS"], "weighted_degree", "quarter", level="countries")
    assert table["period"].iloc[0] == "2023-Q3" and table["period"].iloc[-1] == "2024-Q1"
    q1 = {r["id"]: r["value"] for r in table.to_dict("records") if r["period"] == "2024-Q1"}
    # China: 3 events with Russia, Bangkok with the US, BRICS; Russia: the 3 events and BRICS.
    assert q1 == {"CHN": 5.0, "RUS": 4.0}


def test_series_of_a_categorical_metric(mini):
    table = metric_series(mini, ["CHN"], "community", "year", D(2023, 1, 1), D(2024, 12, 31))
    assert all(type(v) is int for v in table["value"]) and set(table["rank"]) == {None}


def test_series_bad_input(mini):
    with pytest.raises(ArgumentError, match="metric"):
        metric_series(mini, ["CHN"], "fame")
    with pytest.raises(ArgumentError, match="mode"):
        metric_series(mini, ["CHN"], "degree", mode="rolling")
    with pytest.raises(ArgumentError, match="level"):
        metric_series(mini, ["CHN"], "degree", level="planets")
    with pytest.raises(ArgumentError, match="span"):
        metric_series(mini, ["CHN"], "degree", span=0)
    with pytest.raises(UnknownEntityError):
        metric_series(mini, ["Atlantis"], "degree")
    empty = metric_series(nx.MultiGraph([("a", "b")]), ["a"], "degree")
    assert empty.empty


def test_series_values_are_plain(mini):
    table = metric_series(mini, ["CHN"], "pagerank", "quarter", D(2023, 1, 1), D(2024, 12, 31))
    for record in table.to_dict("records"):
        assert type(record["value"]) is float
        assert record["rank"] is None or type(record["rank"]) is int


# --- the bundled data ------------------------------------------------------------------------------


def test_bundled_ma_zhaoxu_ego_network_late_january_2024(bundled_graph):
    view = window_view(bundled_graph, D(2024, 1, 20), D(2024, 1, 31))
    ego = ego_network(view, "ma-zhaoxu", 1)
    assert {"vladimir-titov", "sergey-ryabkov", "sergey-lavrov"} <= set(ego)


def test_bundled_path_from_sullivan_to_lavrov_names_the_meetings(bundled_graph):
    view = window_view(bundled_graph, D(2024, 1, 1), D(2024, 2, 29))
    paths = shortest_paths(view, "jake-sullivan", "sergey-lavrov")
    assert paths, "no path from Jake Sullivan to Sergey Lavrov in Jan-Feb 2024"
    path = paths[0]
    assert path["nodes"][0] == "jake-sullivan" and path["nodes"][-1] == "sergey-lavrov"
    for hop in path["hops"]:
        assert hop["ties"], hop
        for tie in hop["ties"]:
            assert tie["start"] and tie["text"] and tie["sources"]
            assert all(s["title"] for s in tie["sources"])
    meetings = [t for hop in path["hops"] for t in hop["ties"] if t["relation"] == "event"]
    assert meetings and all(t["title"] and t["event"] for t in meetings)
    assert path["hops"][0]["ties"][0]["relation"] == "event"  # Sullivan's side is a meeting
    assert any(t["relation"] == "event" for t in path["hops"][-1]["ties"])  # and so is Lavrov's


def test_bundled_brics_enlargement_2023_vs_2024(bundled_graph):
    before = window_view(bundled_graph, D(2023, 1, 1), D(2023, 12, 31))
    after = window_view(bundled_graph, D(2024, 1, 1), D(2024, 12, 31))
    ch = compare_views(before, after, ["degree", "betweenness"])
    added = {(t["u"], t["v"], t["kind"]) for t in ch.edges_added}
    for country in ("EGY", "ETH", "IRN", "ARE"):
        assert (country, "BRICS", "member") in added
        assert (country, "BRICS", "invited") in {(t["u"], t["v"], t["kind"]) for t in ch.edges_removed}
    brics = ch.metrics.loc[ch.metrics["id"] == "BRICS"].to_dict("records")[0]
    assert brics["degree_after"] > brics["degree_before"]


def test_bundled_series_runs_for_every_metric(bundled_graph):
    for metric in METRICS:
        table = metric_series(
            bundled_graph, "CHN,RUS", metric, "year", D(2022, 1, 1), D(2025, 12, 31), level="countries"
        )
        assert len(table) == 8
