"""explorer import gexf|graphml: our own exports round-trip, other tools' files come in as dated ties."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from explorer.cli import cli
from explorer.graph import build_graph
from explorer.loader import load_dataset
from explorer.paths import bundled_data_dir
from explorer.views import project_to_countries, window_view

WINDOW = (dt.date(1989, 1, 1), dt.date(2026, 12, 31))


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """GEXF and GraphML exports of the bundled data, at both levels, over its whole span."""
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for fmt in ("gexf", "graphml"):
        for level in ("officials", "countries"):
            path = folder / f"{level}.{fmt}"
            result = run("export", "--format", fmt, "--out", path, "--from", "1989", "--to", "2026", "--level", level)
            assert result.exit_code == 0, result.output
            out[(fmt, level)] = path
    return out


def original_view():
    return window_view(build_graph(load_dataset(bundled_data_dir())), *WINDOW)


def imported_view(folder: Path):
    return window_view(build_graph(load_dataset(folder)), *WINDOW)


def entities_of(G) -> dict:
    """What a user sees of each entity that has a tie: its kind, name, country, aliases and ids elsewhere."""
    return {
        n: (a["kind"], a["name"], a["country"], tuple(a["aliases"]), a["iso3"], a["wikidata"])
        for n, a in G.nodes(data=True)
        if G.degree(n)
    }


def ties_of(G) -> set:
    """Every tie: relation, kind, its ends (direction for affiliations), key, dates, status and sources."""
    out = set()
    for u, v, k, d in G.edges(keys=True, data=True):
        ends = (d["source"], d["target"]) if d["relation"] == "affiliation" else tuple(sorted((u, v)))
        extra = (d.get("title"), d.get("place"), tuple(d.get("topics", ()))) if d["relation"] == "event" else ()
        out.add(
            (d["relation"], d["kind"], ends, k, d["start"], d["end"], d["status"], tuple(sorted(d["sources"])), extra)
        )
    return out


def country_ties_of(G, ordered: bool = True) -> set:
    """Every country-level tie: for events, the pair, its events (in date order), their number and first and
    last day."""
    out = set()
    for u, v, _k, d in project_to_countries(G).edges(keys=True, data=True):
        if d["relation"] == "event":
            events = tuple(d["events"]) if ordered else frozenset(d["events"])
            out.add(("event", tuple(sorted((u, v))), events, d["weight"], d["start"], d["end"]))
        else:
            out.add(("affiliation", d["kind"], d["source"], d["target"], d["start"], d["end"], tuple(d["sources"])))
    return out


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_our_export_of_officials_round_trips(exports, tmp_path, fmt):
    result = run("import", fmt, exports[(fmt, "officials")], "--out", tmp_path / "back")
    assert result.exit_code == 0, result.output
    original, back = original_view(), imported_view(tmp_path / "back")
    assert entities_of(back) == entities_of(original)
    assert ties_of(back) == ties_of(original)
    assert len(ties_of(original)) == 543
    # Events come back whole: every participant that has a tie in the view, the same kind, title and sources.
    events = original.graph["events"]
    for eid, record in back.graph["events"].items():
        assert {p for p, _ in record["participants"]} == {p for p, _ in events[eid]["participants"]}
        assert (record["kind"], record["start"], record["end"]) == (
            events[eid]["kind"],
            events[eid]["start"],
            events[eid]["end"],
        )
    # Sources are the --data folder's (the bundled data by default): titles and URLs, not only ids.
    sources = pd.read_csv(tmp_path / "back" / "sources.csv", dtype=str, keep_default_na=False).set_index("id")
    bundled = pd.read_csv(bundled_data_dir() / "sources.csv", dtype=str, keep_default_na=False).set_index("id")
    assert sources.equals(bundled.loc[sources.index])


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_our_country_level_export_round_trips_at_country_level(exports, tmp_path, fmt):
    result = run("import", fmt, exports[(fmt, "countries")], "--out", tmp_path / "back")
    assert result.exit_code == 0, result.output
    original, back = original_view(), imported_view(tmp_path / "back")
    assert entities_of(back) == entities_of(project_to_countries(original))
    assert country_ties_of(back) == country_ties_of(original)
    # Each event is dated by its own days, not by the first and last day of its tie.
    bra_ind = next(d for _, _, d in back.edges(data=True) if {"2024-10-22-brics-summit-kazan"} == {d.get("event")})
    assert (bra_ind["start"], bra_ind["end"]) == (dt.date(2024, 10, 22), dt.date(2024, 10, 24))


def test_two_imports_of_the_same_file_are_identical_and_keep_no_path(exports, tmp_path):
    path = exports[("gexf", "officials")]
    assert run("import", "gexf", path, "--out", tmp_path / "a").exit_code == 0
    os.chdir(path.parent)
    try:
        assert run("import", "gexf", path.name, "--out", tmp_path / "b").exit_code == 0
    finally:
        os.chdir(tmp_path)
    for name in ("entities.csv", "affiliations.csv", "events.csv", "participants.csv", "sources.csv"):
        text = (tmp_path / "a" / name).read_bytes()
        assert text == (tmp_path / "b" / name).read_bytes(), name
        assert str(path.parent).encode() not in text


def as_explorer_0_1_gexf(new: Path, old: Path) -> None:
    """The GEXF explorer 0.1 wrote for the same view: a tie's first and last day as its start and end, no
    spells, no plain date attributes, ``|`` in edge ids."""
    ns = {"g": "http://gexf.net/1.3"}
    ET.register_namespace("", ns["g"])
    ET.register_namespace("viz", "http://gexf.net/1.3/viz")
    tree = ET.parse(new)
    for attrs in tree.getroot().iterfind(".//g:attributes", ns):
        for a in list(attrs):
            if a.get("id") in ("start_date", "end_date", "dates"):
                attrs.remove(a)
    for el in tree.getroot().iterfind(".//g:edge", ns):
        values = {a.get("for"): a for a in el.iterfind("g:attvalues/g:attvalue", ns)}
        for name in ("start", "end"):
            if f"{name}_date" in values and values[f"{name}_date"].get("value"):
                el.set(name, values[f"{name}_date"].get("value"))
        holder = el.find("g:attvalues", ns)
        for name in ("start_date", "end_date", "dates"):
            if name in values:
                holder.remove(values[name])
        spells = el.find("g:spells", ns)
        if spells is not None:
            el.remove(spells)
        el.set("id", "|".join(el.get("id").split(".", 2)))
    for el in tree.getroot().iterfind(".//g:node/g:attvalues", ns):
        for a in list(el):
            if a.get("for") in ("start_date", "end_date"):
                el.remove(a)
    tree.write(old, encoding="utf-8", xml_declaration=True)


def test_exports_of_explorer_0_1_come_back_too(exports, tmp_path):
    # GEXF at country level: without one date per event, each event lies in the days its ties share.
    as_explorer_0_1_gexf(exports[("gexf", "countries")], tmp_path / "old.gexf")
    assert "<spell" not in (tmp_path / "old.gexf").read_text()
    result = run("import", "gexf", tmp_path / "old.gexf", "--out", tmp_path / "gexf")
    assert result.exit_code == 0, result.output
    # Same ties, events and first and last days; the order of a tie's events may differ, as their dates are wider.
    back = imported_view(tmp_path / "gexf")
    assert country_ties_of(back, ordered=False) == country_ties_of(original_view(), ordered=False)
    # GraphML as networkx's writer made it then: key ids shared by node and edge attributes, '|' in edge ids.
    H = nx.read_graphml(exports[("graphml", "officials")], force_multigraph=True)
    old = nx.MultiGraph()
    old.add_nodes_from(H.nodes(data=True))
    # A 4-tuple, since an attribute is called "key" too (as the 0.1 writer did).
    old.add_edges_from(
        (u, v, "|".join((u, v, d["key"])), {k: x for k, x in d.items() if k != "dates"})
        for u, v, d in H.edges(data=True)
    )
    nx.write_graphml(old, tmp_path / "old.graphml", named_key_ids=True)
    assert '<key id="kind" for="node"' in (tmp_path / "old.graphml").read_text()
    result = run("import", "graphml", tmp_path / "old.graphml", "--out", tmp_path / "graphml")
    assert result.exit_code == 0, result.output
    assert ties_of(imported_view(tmp_path / "graphml")) == ties_of(original_view())


GEPHI = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">
  <meta><creator>Gephi 0.10.1</creator></meta>
  <graph defaultedgetype="undirected" mode="dynamic" timeformat="{timeformat}">
    <attributes class="node" mode="static">
      <attribute id="type" title="type" type="string"/>
    </attributes>
    <attributes class="edge" mode="static">
      <attribute id="relation" title="relation" type="string"/>
    </attributes>
    <nodes>
      <node id="0" label="China"/>
      <node id="1" label="Russian Federation"/>
      <node id="2" label="Brazil"/>
      <node id="3" label="BRICS"/>
      <node id="4" label="Sergey Lavrov"/>
      <node id="5" label="Valdai Club"><attvalues><attvalue for="type" value="Organisation"/></attvalues></node>
    </nodes>
    <edges>
      <edge id="e0" source="0" target="1">
        <attvalues><attvalue for="relation" value="Meeting"/></attvalues>
        <spells><spell start="{d1}" end="{d1}"/><spell start="{d2}" end="{d3}"/></spells>
      </edge>
      <edge id="e1" source="2" target="0" start="{d4}" end="{d5}"/>
      <edge id="e2" source="3" target="2" start="2006-09-20">
        <attvalues><attvalue for="relation" value="founding member"/></attvalues>
      </edge>
      <edge id="e3" source="4" target="5" start="{d1}">
        <attvalues><attvalue for="relation" value="phone call"/></attvalues>
      </edge>
      {extra}
    </edges>
  </graph>
</gexf>
"""

DATES = {"d1": "2024-01-30", "d2": "2024-02-05", "d3": "2024-02-06", "d4": "2024-03-01", "d5": "2024-03-03"}


def gephi_file(path: Path, timeformat: str = "date", extra: str = "", **dates) -> Path:
    path.write_text(GEPHI.format(timeformat=timeformat, extra=extra, **{**DATES, **dates}), encoding="utf-8")
    return path


def test_a_gephi_file_with_spells_and_start_end_comes_in_as_dated_ties(tmp_path):
    result = run("import", "gexf", gephi_file(tmp_path / "gephi.gexf"), "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    G = build_graph(load_dataset(tmp_path / "out"))
    ties = sorted(
        (
            d["kind"],
            tuple(sorted((u, v))) if d["relation"] == "event" else (d["source"], d["target"]),
            d["start"],
            d["end"],
        )
        for u, v, d in G.edges(data=True)
    )
    day = dt.date.fromisoformat
    assert ties == [
        ("call", ("VC", "sergey-lavrov"), day("2024-01-30"), day("2024-01-30")),
        ("founding_member", ("BRA", "BRICS"), day("2006-09-20"), None),
        ("meeting", ("BRA", "CHN"), day("2024-03-01"), day("2024-03-03")),  # no kind: --default-kind
        ("meeting", ("CHN", "RUS"), day("2024-01-30"), day("2024-01-30")),  # one tie per spell
        ("meeting", ("CHN", "RUS"), day("2024-02-05"), day("2024-02-06")),
    ]
    entities = pd.read_csv(tmp_path / "out" / "entities.csv", dtype=str, keep_default_na=False).set_index("id")
    assert entities.loc["VC", ["kind", "name"]].tolist() == ["organization", "Valdai Club"]
    assert "phone call" in next(d["note"] for _, _, d in G.edges(data=True) if d["kind"] == "call")


def test_gephi_times_as_datetimes_and_gexf_1_3_timestamps(tmp_path):
    stamps = '<edge id="e4" source="1" target="2"><spells><spell timestamp="2024-05-01"/></spells></edge>'
    path = gephi_file(
        tmp_path / "g.gexf",
        "dateTime",
        stamps,
        d1="2024-01-30T09:00:00",
        d2="2024-02-05T00:00:00",
        d3="2024-02-06T23:00:00",
    )
    text = path.read_text().replace("http://www.gexf.net/1.2draft", "http://gexf.net/1.3").replace('"1.2"', '"1.3"')
    path.write_text(text, encoding="utf-8")
    result = run("import", "gexf", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    events = pd.read_csv(tmp_path / "out" / "events.csv", dtype=str, keep_default_na=False)
    assert sorted(events["start"]) == ["2024-01-30", "2024-01-30", "2024-02-05", "2024-03-01", "2024-05-01"]


def test_a_gephi_edge_without_a_date_or_with_an_unknown_kind_is_refused(tmp_path):
    extra = (
        '<edge id="e8" source="0" target="2"/>'
        '<edge id="e9" source="0" target="1" start="2024"><attvalues><attvalue for="relation" value="war"/></attvalues></edge>'
    )
    result = run("import", "gexf", gephi_file(tmp_path / "g.gexf", extra=extra), "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "g.gexf, edge 'e8': no date: every tie needs one" in result.output
    assert "g.gexf, edge 'e9', attribute 'kind': unknown kind 'war'" in result.output
    assert sorted(os.listdir(tmp_path)) == ["g.gexf"]


def test_a_graphml_file_of_another_tool(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("n0", label="India")
    G.add_node("n1", label="Brazil")
    G.add_node("n2", label="New Development Bank", type="organization")
    G.add_edge("n0", "n1", type="visit", date="2023-01-25", url="https://example.org/visit")
    G.add_edge("n1", "n2", type="member", start="2015-07", end="")
    G.add_edge("n0", "n1", type="meeting")
    nx.write_graphml(G, tmp_path / "yed.graphml")
    refused = run("import", "graphml", tmp_path / "yed.graphml", "--out", tmp_path / "out")
    assert refused.exit_code == 1
    assert "yed.graphml, edge '1': no date" in refused.output
    G.remove_edge("n0", "n1", 1)
    nx.write_graphml(G, tmp_path / "yed.graphml")
    result = run("import", "graphml", tmp_path / "yed.graphml", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    back = build_graph(load_dataset(tmp_path / "out"))
    kinds = sorted((d["kind"], d["start"]) for _, _, d in back.edges(data=True))
    assert kinds == [("member", dt.date(2015, 7, 1)), ("visit", dt.date(2023, 1, 25))]
    sources = pd.read_csv(tmp_path / "out" / "sources.csv", dtype=str, keep_default_na=False)
    assert "https://example.org/visit" in set(sources["url"])


def test_not_a_graph_file(tmp_path):
    (tmp_path / "x.gexf").write_text("<gexf><oops", encoding="utf-8")
    result = run("import", "gexf", tmp_path / "x.gexf", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.startswith("explorer: error: x.gexf: not an XML file")


def test_a_hand_edited_export_is_checked_like_any_input(tmp_path):
    G = nx.MultiGraph()
    G.add_node("CHN", kind="country", name="China")
    G.add_node("RUS", kind="country", name="Russia")
    G.add_node("atlantis-envoy", kind="official", name="Atlantis Envoy", country="ATL")
    common = {"relation": "event", "kind": "meeting", "start": "2024-01-30", "sources": "S03"}
    G.add_edges_from(  # 4-tuples: an attribute is called "key" too
        [
            ("CHN", "RUS", "ev1", {"key": "ev1", "title": "Talks", "confidence": "sure", **common}),
            (
                "CHN",
                "RUS",
                "ev2",
                {"key": "ev2", "title": "More", "confidence": "high", "topics": "Ukraine:maybe", **common},
            ),
        ]
    )
    nx.write_graphml(G, tmp_path / "edited.graphml")
    result = run("import", "graphml", tmp_path / "edited.graphml", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "edited.graphml: 3 problems; nothing was written" in result.output
    assert "edited.graphml, node 'atlantis-envoy', attribute 'country': 'ATL' is not a country" in result.output
    assert "edited.graphml, edge 'ev1', attribute 'confidence': 'sure' is not a confidence" in result.output
    assert "edited.graphml, edge 'ev2', attribute 'topics': 'Ukraine:maybe' is not a topic with its outcome" in (
        result.output
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("namespace", ['xmlns="http://gexf.net/1.2"', 'xmlns="https://gexf.net/1.3"', ""])
def test_gexf_under_another_namespace_spelling_or_none(tmp_path, namespace):
    path = gephi_file(tmp_path / "g.gexf")
    path.write_text(path.read_text().replace('xmlns="http://www.gexf.net/1.2draft"', namespace), encoding="utf-8")
    result = run("import", "gexf", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(build_graph(load_dataset(tmp_path / "out")).edges) == 5
