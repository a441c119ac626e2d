"""Exports of views read from the event store, and of views too large to draw.

- A data export (GEXF, GraphML, CSV, JSON) of a store view holds the same entities, ties,
  weights, events and event dates as the export of the same view on the per-event graph,
  every event of a tie included (not only the latest ``EVENT_SAMPLE``), and reads the events'
  dates and the sources in a few queries, not one per event or source.
- A view above ``presenter.TOP_NODES`` entities: pictures and the page show its top and say
  so; the data exports hold every entity and tie of the view.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import write_dataset
from test_store import import_month

from explorer import build_graph, load_dataset
from explorer.cli import cli
from explorer.exports import export_view
from explorer.exports.snapshot import Snapshot
from explorer.pipeline import apply_view
from explorer.presenter import TOP_NODES, prepare_app_data, render_view
from explorer.store import EVENT_SAMPLE, Store
from explorer.viewstate import ViewState

MONTH = ViewState(level="countries")
WEEK = ViewState(date_from="2019-03-10", date_to="2019-03-16")


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    """The real GDELT fixture imported (every CAMEO code), repeated 20 times over March 2019 (so that
    a country pair has more than EVENT_SAMPLE events), opened through its event store and, for
    reference, in memory."""
    folder = import_month(tmp_path_factory.mktemp("month"), copies=20)
    return folder, prepare_app_data(folder, store=True), prepare_app_data(folder, store=False)


def _csv_tables(path: Path) -> dict[str, list[dict]]:
    with zipfile.ZipFile(path) as zf:
        return {
            name: list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8"))))
            for name in ("nodes.csv", "edges.csv", "sources.csv")
        }


def _event_dates(rows: list[dict]) -> dict[tuple[str, str], Counter]:
    """Per pair: how many events it has on each date (the ``dates`` of its event edges)."""
    out: dict[tuple[str, str], Counter] = {}
    for r in rows:
        if r["relation"] == "event":
            out.setdefault((r["source"], r["target"]), Counter()).update(filter(None, r["dates"].split(";")))
    return out


def _weights(rows: list[dict]) -> Counter:
    """Per pair: its number of events (the sum of its event edges' weights)."""
    out: Counter = Counter()
    for r in rows:
        if r["relation"] == "event":
            out[(r["source"], r["target"])] += int(r["weight"])
    return out


@pytest.mark.parametrize("state", [MONTH, WEEK], ids=["month-countries", "week-officials"])
def test_store_csv_export_equals_the_per_event_export(month, tmp_path, state):
    _, store_data, memory_data = month
    got = _csv_tables(export_view(store_data, state, "csv", tmp_path / "store.zip"))
    want = _csv_tables(export_view(memory_data, state, "csv", tmp_path / "memory.zip"))
    assert len(got["nodes.csv"]) > 20
    assert {r["id"] for r in got["nodes.csv"]} == {r["id"] for r in want["nodes.csv"]}
    assert {r["id"]: (r["start"], r["end"]) for r in got["nodes.csv"]} == {
        r["id"]: (r["start"], r["end"]) for r in want["nodes.csv"]
    }
    # Every event of every pair, with its date: the store's ties list all of them.
    assert _event_dates(got["edges.csv"]) == _event_dates(want["edges.csv"])
    for r in got["edges.csv"]:
        if r["relation"] == "event":
            assert len(r["events"].split(";")) == int(r["weight"]) == len(r["dates"].split(";"))
    assert _weights(got["edges.csv"]) == _weights(want["edges.csv"])
    assert {r["id"] for r in got["sources.csv"]} == {r["id"] for r in want["sources.csv"]}


def test_a_tie_above_the_sample_lists_every_event(month, tmp_path):
    _, store_data, _ = month
    screen = render_view(store_data, MONTH).whole
    heavy = [(u, v, d["weight"]) for u, v, d in screen.edges(data=True) if d.get("truncated")]
    assert heavy, f"the month should hold a country pair with more than {EVENT_SAMPLE} events"
    doc = json.loads(export_view(store_data, MONTH, "json", tmp_path / "m.json").read_text(encoding="utf-8"))
    by_pair = {frozenset((e["source"], e["target"])): e for e in doc["edges"] if e["relation"] == "event"}
    for u, v, weight in heavy:
        edge = by_pair[frozenset((u, v))]
        assert weight > EVENT_SAMPLE
        assert len(edge["events"]) == len(set(edge["events"])) == len(edge["dates"]) == weight
        assert edge["dates"] == sorted(edge["dates"])
        assert "truncated" not in edge or edge["truncated"] is False


def test_store_exports_read_events_and_sources_in_bulk(month, tmp_path, monkeypatch):
    _, store_data, _ = month
    queries: list[str] = []
    for name in ("query", "query_records"):
        original = getattr(Store, name)

        def counted(self, sql, params=None, _original=original):
            queries.append(sql)
            return _original(self, sql, params)

        monkeypatch.setattr(Store, name, counted)
    state = MONTH.replace(date_from="2019-03-01", date_to="2019-03-20")
    events = render_view(store_data, state).counts["events"]
    assert events > 1000
    for fmt, out in (("gexf", "m.gexf"), ("graphml", "m.graphml"), ("csv", "m.zip"), ("json", "m.json")):
        queries.clear()
        export_view(store_data, state, fmt, tmp_path / out)
        # The window (cached after the first), the ties with every event, their dates, the sources.
        assert len(queries) <= 6, (fmt, len(queries), queries[:8])
        # Nothing lists every event or every source of the store.
        assert not [q for q in queries if "SELECT id FROM events ORDER BY id" in q or "count(*) FROM events" in q]
        assert not [q for q in queries if "SELECT id FROM sources ORDER BY id" in q]


def test_gexf_of_a_store_view_reads_back(month, tmp_path):
    _, store_data, memory_data = month
    got = nx.read_gexf(export_view(store_data, WEEK, "gexf", tmp_path / "s.gexf"))
    want = nx.read_gexf(export_view(memory_data, WEEK, "gexf", tmp_path / "m.gexf"))
    assert set(got.nodes) == set(want.nodes)
    assert sum(float(d["weight"]) for *_, d in got.edges(data=True) if d["relation"] == "event") == sum(
        float(d["weight"]) for *_, d in want.edges(data=True) if d["relation"] == "event"
    )


# ---- views too large to draw -------------------------------------------------------------

COUNTRIES = ("CHN", "RUS", "IND", "BRA", "ZAF", "USA")


def _large_folder(folder: Path, officials: int = TOP_NODES + 60, meetings: int = 1500) -> Path:
    """A valid folder of ``officials`` officials of six countries meeting in pairs in the first week of 2024."""
    rng = random.Random(11)
    people = [f"official-{i:04d}" for i in range(officials)]
    home = {p: COUNTRIES[i % len(COUNTRIES)] for i, p in enumerate(people)}
    events, participants = [], []
    for i in range(meetings):
        a, b = rng.sample(people, 2)
        eid = f"2024-01-meeting-{i:05d}"
        day = f"2024-01-{1 + i % 7:02d}"
        events.append(
            {"id": eid, "kind": "meeting", "title": f"Meeting {i}", "start": day, "sources": "S1", "confidence": "high"}
        )
        participants += [{"event": eid, "entity": p, "role": "participant"} for p in (a, b)]
    return write_dataset(
        folder,
        {
            "entities": [{"id": c, "kind": "country", "name": f"Country {c}", "iso3": c} for c in COUNTRIES]
            + [{"id": p, "kind": "official", "name": f"Official {p[-4:]}", "country": home[p]} for p in people],
            "affiliations": [],
            "events": events,
            "participants": participants,
            "sources": [{"id": "S1", "title": "Wire", "publisher": "Bench", "url": "https://example.org/1"}],
        },
    )


@pytest.fixture(scope="module")
def large_folder(tmp_path_factory):
    return _large_folder(tmp_path_factory.mktemp("large") / "data")


@pytest.fixture(scope="module")
def large_whole(large_folder):
    """The whole view of January on the per-event graph (what the data exports must hold)."""
    return apply_view(build_graph(load_dataset(large_folder)), JANUARY)


@pytest.fixture(scope="module", params=[False, True], ids=["memory", "store"])
def large(request, large_folder):
    return prepare_app_data(large_folder, store=request.param)


JANUARY = ViewState(date_from="2024-01", date_to="2024-01")


def test_data_exports_hold_the_whole_view_and_pictures_its_top(large, large_whole, tmp_path):
    whole = large_whole
    snap = Snapshot(large, JANUARY)
    assert snap.aggregated and len(snap.view) == TOP_NODES < len(whole)
    # Pictures say what they show.
    assert f"drawn: the {TOP_NODES:,} most connected of {len(whole):,} entities" in snap.caption_lines()[0]
    tables = _csv_tables(export_view(large, JANUARY, "csv", tmp_path / "t.zip"))
    assert {r["id"] for r in tables["nodes.csv"]} == set(whole)
    events = Counter()
    for r in tables["edges.csv"]:
        events[frozenset((r["source"], r["target"]))] += int(r["weight"])
    assert events == Counter(frozenset((u, v)) for u, v in whole.edges())
    with zipfile.ZipFile(tmp_path / "t.zip") as zf:
        metrics = list(csv.DictReader(io.StringIO(zf.read("metrics.csv").decode("utf-8"))))
        view = json.loads(zf.read("view.json"))
    assert {r["id"] for r in metrics} == set(whole)
    assert view["counts"]["nodes"] == len(whole) and "drawn" not in view["description"]
    doc = json.loads(export_view(large, JANUARY, "json", tmp_path / "t.json").read_text(encoding="utf-8"))
    assert len(doc["nodes"]) == len(whole) and len(doc["metrics"]) == len(whole)
    assert set(nx.read_gexf(export_view(large, JANUARY, "gexf", tmp_path / "t.gexf"))) == set(whole)
    assert set(nx.read_graphml(export_view(large, JANUARY, "graphml", tmp_path / "t.graphml"))) == set(whole)
    page = export_view(
        large, JANUARY.replace(date_from="2024-01-01", date_to="2024-01-03"), "html", tmp_path / "p.html"
    )
    assert "most connected of" in page.read_text(encoding="utf-8")


def test_a_view_drawn_whole_says_nothing_about_a_top(large):
    small = JANUARY.replace(focus="official-0001")
    snap = Snapshot(large, small)
    assert not snap.aggregated
    assert "drawn:" not in snap.caption_lines()[0]
    assert [r["id"] for r in snap.whole_metrics] == [r["id"] for r in snap.result.metrics]


def test_the_command_line_says_what_a_picture_shows(large_folder, tmp_path):
    runner = CliRunner()
    window = ["--from", "2024-01-01", "--to", "2024-01-03"]
    page = runner.invoke(cli, ["export", "--data", str(large_folder), *window, "--out", str(tmp_path / "p.html")])
    assert page.exit_code == 0, page.output
    assert f"the {TOP_NODES:,} most connected entities drawn" in page.output
    data = runner.invoke(cli, ["export", "--data", str(large_folder), *window, "--out", str(tmp_path / "d.json")])
    assert data.exit_code == 0, data.output
    assert "drawn" not in data.output
    nodes = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["nodes"]
    assert len(nodes) > TOP_NODES
