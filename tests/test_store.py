"""The event store: built once from a data folder, answering windows with the same nodes, ties,
weights and metrics as the per-event graph (``build_graph`` + ``apply_view``)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_dataset
from conftest_import import GDELT2_FIXTURE, fixture

from explorer import build_graph, bundled_data_dir, load_dataset
from explorer.cli import cli
from explorer.errors import ArgumentError, DataError
from explorer.figures import make_network_figure
from explorer.metrics import compute_metrics
from explorer.pipeline import apply_view, data_span
from explorer.positions import compute_positions
from explorer.schema import FILES
from explorer.store import (
    EVENT_SAMPLE,
    base_graph,
    build_store,
    events_per_day,
    key_events,
    layout_graph,
    open_store,
    solo_events,
    store_is_current,
    topic_names,
    window_graph,
    window_ties,
)
from explorer.store import data_span as store_span
from explorer.store_build import STORE_DIR, default_store_path
from explorer.viewstate import ViewState

METRICS = ["degree", "weighted_degree", "pagerank"]


# ---- helpers -----------------------------------------------------------------------------


def reference_ties(H) -> dict:
    """The per-event view collapsed per tie: (pair, 'event', kind) -> [weight, first, last, event ids]
    (per pair and event kind at the officials level, per pair at the country level), and
    (pair, 'affiliation', key) -> the affiliation's dates."""
    out: dict = {}
    for u, v, k, d in H.edges(keys=True, data=True):
        pair = tuple(sorted((u, v)))
        if d["relation"] == "affiliation":
            out[(pair, "affiliation", k)] = [1, d["start"], d["end"], ()]
            continue
        ids = tuple(d["events"]) if "events" in d else (d["event"],)
        tie = out.setdefault((pair, "event", d["kind"]), [0, d["start"], d["end"], ()])
        tie[0] += d.get("weight", 1)
        tie[1], tie[2] = min(tie[1], d["start"]), max(tie[2], d["end"])
        tie[3] = tuple(sorted(set(tie[3]) | set(ids)))
    return out


def store_ties(G) -> dict:
    out: dict = {}
    for u, v, k, d in G.edges(keys=True, data=True):
        pair = tuple(sorted((u, v)))
        if d["relation"] == "affiliation":
            out[(pair, "affiliation", k)] = [1, d["start"], d["end"], ()]
        else:
            assert (pair, "event", d["kind"]) not in out, "one edge per tie"
            out[(pair, "event", d["kind"])] = [d["weight"], d["start"], d["end"], tuple(sorted(d["events"]))]
    return out


def assert_same_view(store, G, state: ViewState) -> None:
    H = apply_view(G, state, use_cache=False)
    W = window_graph(store, state)
    assert set(W.nodes) == set(H.nodes), state.to_query()
    ref, got = reference_ties(H), store_ties(W)
    assert got == ref, state.to_query()
    nodes, ties = window_ties(store, state)
    assert set(nodes["id"]) == set(H.nodes)
    assert len(ties) == W.number_of_edges()
    # The description's counts are those of the per-event view.
    assert W.graph["edge_count"] == H.number_of_edges()
    events = {d.get("event") for *_, d in H.edges(data=True) if d.get("event")} | {
        e for *_, d in H.edges(data=True) for e in d.get("events", ())
    }
    assert W.graph["event_count"] == len(events)
    if len(H):
        ref_m = compute_metrics(H, METRICS).set_index("id")
        got_m = compute_metrics(W, METRICS).set_index("id")
        assert list(got_m.index) == list(ref_m.index)
        for m in METRICS:
            for n in ref_m.index:
                assert got_m.at[n, m] == pytest.approx(ref_m.at[n, m], abs=1e-9, rel=1e-9), (state.to_query(), m, n)


def import_month(root: Path, copies: int) -> Path:
    """The real GDELT fixture imported (every CAMEO code) into ``root/imported`` and repeated
    ``copies`` times over March 2019 into ``root/month`` (see :func:`replicate`)."""
    path = fixture(GDELT2_FIXTURE)
    result = CliRunner().invoke(
        cli, ["import", "gdelt", str(path), "--out", str(root / "imported"), "--cameo", "all", "-q"]
    )
    assert result.exit_code == 0, result.output
    return replicate(root / "imported", root / "month", copies=copies)


def replicate(src: Path, dest: Path, copies: int, days: int = 30, first: dt.date = dt.date(2019, 3, 1)) -> Path:
    """A month-like data folder: every event of ``src`` repeated ``copies`` times with new ids,
    new source ids and dates spread over ``days`` days from ``first``."""
    dest.mkdir(parents=True)
    for name in ("entities.csv", "affiliations.csv"):
        shutil.copy(src / name, dest / name)

    def rows(name):
        with open(src / name, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            return reader.fieldnames, list(reader)

    ev_cols, events = rows("events.csv")
    pa_cols, participants = rows("participants.csv")
    so_cols, sources = rows("sources.csv")
    members = defaultdict(list)
    for p in participants:
        members[p["event"]].append(p)
    files = {
        n: open(dest / n, "w", encoding="utf-8", newline="") for n in ("events.csv", "participants.csv", "sources.csv")
    }
    try:
        we = csv.DictWriter(files["events.csv"], ev_cols, lineterminator="\n")
        wp = csv.DictWriter(files["participants.csv"], pa_cols, lineterminator="\n")
        ws = csv.DictWriter(files["sources.csv"], so_cols, lineterminator="\n")
        for w in (we, wp, ws):
            w.writeheader()
        for k in range(copies):
            for s in sources:
                ws.writerow({**s, "id": f"{s['id']}-r{k}"})
            for i, e in enumerate(events):
                day = first + dt.timedelta(days=(i * 31 + k * 17) % days)
                srcs = ";".join(f"{s}-r{k}" for s in e["sources"].split(";") if s)
                we.writerow({**e, "id": f"{e['id']}-r{k}", "start": day.isoformat(), "end": "", "sources": srcs})
                for p in members[e["id"]]:
                    wp.writerow({**p, "event": f"{e['id']}-r{k}"})
    finally:
        for fh in files.values():
            fh.close()
    return dest


# ---- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_store(tmp_path_factory):
    with open_store(build_store(bundled_data_dir(), tmp_path_factory.mktemp("store") / "s")) as store:
        yield store


@pytest.fixture(scope="module")
def base(bundled_graph_module):
    return bundled_graph_module


@pytest.fixture(scope="module")
def bundled_graph_module():
    return build_graph(load_dataset(bundled_data_dir()))


@pytest.fixture(scope="module")
def gdelt_month(tmp_path_factory):
    """The real GDELT fixture imported (every CAMEO code) and repeated 12 times over March 2019."""
    root = tmp_path_factory.mktemp("gdelt")
    folder = import_month(root, copies=12)
    G = build_graph(load_dataset(folder))
    with open_store(build_store(folder, root / "store")) as store:
        yield folder, G, store


# ---- equivalence on the bundled data -----------------------------------------------------

BUNDLED_STATES = [
    ViewState(),
    ViewState(level="countries"),
    ViewState(date_from="2024-01-30", date_to="2024-01-30"),
    ViewState(date_from="2024-01-30", date_to="2024-01-30", level="countries"),
    ViewState(date_from="2024-01", date_to="2024-01"),
    ViewState(date_from="2024-01", date_to="2024-01", level="countries"),
    ViewState(date_from="2023", date_to="2023"),
    ViewState(date_from="2023", date_to="2023", level="countries"),
    ViewState(date_to="2024-02-29", lookback=30, level="countries"),
    ViewState(org="BRICS"),
    ViewState(org="BRICS", date_from="2024", date_to="2024", level="countries"),
    ViewState(org="BRICS", relation_kinds=("meeting", "call")),
    ViewState(relation_kinds=("meeting", "call", "office"), date_from="2024", date_to="2024"),
    ViewState(relation_kinds=("member", "summit"), level="countries"),
    ViewState(countries=("CHN", "RUS")),
    ViewState(countries=("CHN",), date_from="2024", date_to="2024", level="countries"),
    ViewState(countries=("CHN", "RUS", "USA"), org="BRICS", level="countries"),
    ViewState(topics=("Ukraine",)),
    ViewState(topics=("ukraine", "Middle East"), outcomes=("agreed",), level="countries"),
    ViewState(outcomes=("agreed",), date_from="2024", date_to="2024"),
    ViewState(min_weight=2),
    ViewState(min_weight=2, date_from="2024", date_to="2024", level="countries"),
    ViewState(min_weight=3, entity_kinds=("country",), level="countries"),
    ViewState(entity_kinds=("official",)),
    ViewState(entity_kinds=("official", "organization"), date_from="2024-01", date_to="2024-02"),
    ViewState(focus="sergey-lavrov", date_from="2024", date_to="2024"),
    ViewState(focus="sergey-lavrov", depth=2, date_from="2024", date_to="2024", level="countries"),
    ViewState(focus="ma-zhaoxu", min_weight=2, date_from="2024-01", date_to="2024-02"),
    ViewState(focus="CHN", depth=2, entity_kinds=("country",), level="countries", min_weight=2),
    ViewState(focus="nobody-here", date_from="2024", date_to="2024"),
    ViewState(date_from="1990", date_to="1991"),
    ViewState(org="NOPE", date_from="2024", date_to="2024"),
]


@pytest.mark.parametrize("state", BUNDLED_STATES, ids=lambda s: s.to_query() or "whole-span")
def test_bundled_views_equal_the_per_event_pipeline(bundled_store, base, state):
    assert_same_view(bundled_store, base, state)


def test_the_views_are_not_trivial(bundled_store):
    """The states above cover what they claim: ties of many events, truncation off, both levels."""
    whole = window_graph(bundled_store, ViewState(level="countries"))
    heaviest = max(d["weight"] for *_, d in whole.edges(data=True) if d["relation"] == "event")
    assert 5 <= heaviest <= EVENT_SAMPLE
    assert window_graph(bundled_store, ViewState(min_weight=2)).number_of_edges() > 0
    assert len(window_graph(bundled_store, ViewState(focus="sergey-lavrov", date_from="2024", date_to="2024"))) > 2


def test_country_level_ties_carry_what_the_details_read(bundled_store, base):
    state = ViewState(date_from="2024-01", date_to="2024-02", level="countries")
    H = apply_view(base, state, use_cache=False)
    W = window_graph(bundled_store, state)
    ref = H.get_edge_data("CHN", "RUS")["events"]
    got = W.get_edge_data("CHN", "RUS")["events"]
    assert list(got["events"]) == ref["events"]  # the same ids, in date order
    assert got["sources"] == ref["sources"] and got["kinds"] == ref["kinds"] and got["topics"] == ref["topics"]
    assert got["title"] == ref["title"] and got["truncated"] is False
    # The events and sources they name are read from the store as build_graph keeps them.
    for eid in got["events"]:
        assert W.graph["events"][eid] == base.graph["events"][eid]
    for sid in got["sources"]:
        assert W.graph["sources"][sid] == base.graph["sources"][sid]
    assert "no-such-event" not in W.graph["events"]
    with pytest.raises(KeyError):
        W.graph["sources"]["no-such-source"]


def test_a_single_event_tie_is_that_event(bundled_store, base):
    W = window_graph(bundled_store, ViewState(date_from="2024-01", date_to="2024-02"))
    singles = [d for *_, d in W.edges(data=True) if d["relation"] == "event" and d["weight"] == 1]
    assert len(singles) > 10
    for d in singles:
        e = base.graph["events"][d["events"][0]]
        assert (d["title"], d["kind"], d["start"], d["end"]) == (e["title"], e["kind"], e["start"], e["end"])
        assert (d["sources"], d["confidence"]) == (tuple(sorted(e["sources"])), e["confidence"])
        assert d["topics"] == tuple(sorted(e["topics"]))


def test_metrics_and_the_figure_take_the_window_graph(bundled_store, base):
    state = ViewState(date_from="2024-01", date_to="2024-02")
    W = window_graph(bundled_store, state)
    positions = compute_positions(base)
    fig = make_network_figure(W, positions, as_dict=True)
    ref = make_network_figure(apply_view(base, state, use_cache=False), positions, as_dict=True)

    # The same lines (in either direction) and nodes are drawn, in the same traces.
    def drawn(figure):
        out = []
        for t in figure["data"]:
            segments, current = [], []
            xs, ys = t.get("x"), t.get("y")
            for x, y in zip(list(() if xs is None else xs), list(() if ys is None else ys)):
                if x is None or x != x:
                    segments.append(tuple(sorted(current)))
                    current = []
                else:
                    current.append((round(float(x), 6), round(float(y), 6)))
            segments.append(tuple(sorted(current)))
            out.append((t.get("uid"), tuple(sorted(segments))))
        return sorted(out)

    assert drawn(fig) == drawn(ref)


def test_sampled_events_are_the_latest_and_the_weight_stays_whole(bundled_store, base):
    state = ViewState(level="countries")
    full = window_graph(bundled_store, state)
    small = window_graph(bundled_store, state, sample=3)
    u, v, d = max(
        ((u, v, d) for u, v, d in full.edges(data=True) if d["relation"] == "event"), key=lambda e: e[2]["weight"]
    )
    s = small.get_edge_data(u, v)["events"]
    assert s["weight"] == d["weight"] > 3 and s["truncated"] is True
    assert s["events"] == d["events"][-3:]
    assert small.graph["event_count"] == full.graph["event_count"]


def test_layout_graph_has_the_per_event_graph_strengths(bundled_store, base):
    """Summing ``layout_weight`` per pair gives the number of parallel edges of the graphs that
    today's positions are computed on (the whole graph, and its country projection)."""
    from explorer.views import project_to_countries

    for level, ref in (("officials", base), ("countries", project_to_countries(base))):
        L = layout_graph(bundled_store, level)
        expected = Counter(tuple(sorted((u, v))) for u, v in ref.edges() if u != v)
        got = Counter()
        for u, v, d in L.edges(data=True):
            got[tuple(sorted((u, v)))] += d["layout_weight"]
        assert got == expected, level
        if level == "officials":
            assert set(L.nodes) == set(base.nodes)
        else:
            assert set(ref.nodes) <= set(L.nodes)
            assert not any(L.nodes[n]["kind"] == "official" for n in L)


def test_timeline_and_filter_choices_match_the_graph(bundled_store, base):
    assert store_span(bundled_store) == data_span(base)
    per_day = Counter(e["start"] for e in base.graph["events"].values())
    assert events_per_day(bundled_store) == sorted(per_day.items())
    topics = sorted({t for e in base.graph["events"].values() for t, _ in e["topics"]}, key=str.casefold)
    assert topic_names(bundled_store) == topics
    marks = sorted(
        (e["start"].isoformat(), e["title"])
        for e in base.graph["events"].values()
        if e["kind"] == "summit" or len(e["participants"]) >= 5
    )[:200]
    assert key_events(bundled_store) == marks


def test_base_graph_holds_the_affiliations_and_no_event(bundled_store, base):
    B = base_graph(bundled_store)
    aff = {
        (frozenset((u, v)), k): d for u, v, k, d in base.edges(keys=True, data=True) if d["relation"] == "affiliation"
    }
    assert {(frozenset((u, v)), k): d for u, v, k, d in B.edges(keys=True, data=True)} == aff
    assert B.graph["offices"] == base.graph["offices"]
    assert dict(B.nodes(data=True)) == dict(base.nodes(data=True))


# ---- building: once, atomically, only when the files change ------------------------------


def test_store_is_rebuilt_only_when_the_csv_files_change(tmp_path):
    folder = write_dataset(tmp_path / "data")
    path = build_store(folder)
    assert path == folder / STORE_DIR and store_is_current(folder)
    built = (path / "dyads.parquet").stat().st_mtime_ns
    # Same files: nothing is rebuilt.
    assert build_store(folder) == path and (path / "dyads.parquet").stat().st_mtime_ns == built
    # Touched but not changed: still not rebuilt, and the new times are remembered.
    events = folder / "events.csv"
    os.utime(events, ns=(events.stat().st_atime_ns, events.stat().st_mtime_ns + 10**9))
    assert build_store(folder) == path and (path / "dyads.parquet").stat().st_mtime_ns == built
    assert store_is_current(folder)
    # Changed: rebuilt, and the store answers with the new event.
    with open(events, "a", encoding="utf-8") as fh:
        fh.write("e2,call,Call,2024-02-01,,day,,,,high,S1,\n")
    with open(folder / "participants.csv", "a", encoding="utf-8") as fh:
        fh.write("e2,ma-zhaoxu,participant\ne2,sergey-lavrov,participant\n")
    assert not store_is_current(folder)
    build_store(folder)
    with open_store(path) as store:
        W = window_graph(store, ViewState())
        assert W.get_edge_data("ma-zhaoxu", "sergey-lavrov")["events:call"]["events"] == ("e2",)


def test_invalid_folder_writes_nothing(tmp_path):
    folder = write_dataset(tmp_path / "data")
    (folder / "events.csv").write_text("id,kind,title,start,confidence,sources\ne1,meeting,x,2024-13-01,high,S1\n")
    with pytest.raises(DataError, match="events.csv"):
        build_store(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(spec.name for spec in FILES.values())


def test_a_foreign_folder_is_never_replaced(tmp_path):
    folder = write_dataset(tmp_path / "data")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(ArgumentError, match="not an explorer store"):
        build_store(folder, out)
    assert (out / "thesis.docx").read_text() == "precious"


def test_read_only_folder_gets_its_store_in_the_cache(tmp_path, monkeypatch):
    folder = write_dataset(tmp_path / "data")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != folder)
    path = default_store_path(folder)
    assert (tmp_path / "cache") in path.parents
    assert build_store(folder) == path and store_is_current(folder)


def test_open_store_refuses_what_is_not_a_store(tmp_path):
    with pytest.raises(ArgumentError, match="not an explorer store"):
        open_store(tmp_path)


# ---- the curated folder and an import, opened together -----------------------------------


def test_two_stores_open_as_one(tmp_path):
    curated = write_dataset(tmp_path / "curated")
    extra = write_dataset(
        tmp_path / "extra",
        {
            "affiliations": [],
            "events": [
                {
                    "id": "x1",
                    "kind": "call",
                    "title": "China calls Egypt",
                    "start": "2024-02-02",
                    "confidence": "low",
                    "sources": "S9",
                }
            ],
            "participants": [
                {"event": "x1", "entity": "CHN", "role": "participant"},
                {"event": "x1", "entity": "EGY", "role": "participant"},
            ],
            "sources": [{"id": "S9", "title": "Wire"}],
        },
    )
    with open_store([build_store(curated), build_store(extra)]) as store:
        W = window_graph(store, ViewState(level="countries"))
        assert W.get_edge_data("CHN", "EGY")["events"]["events"] == ("x1",)
        assert W.get_edge_data("CHN", "RUS")["events"]["events"] == ("e1",)
        assert store.entities["CHN"]["name"] == "China"
        assert store.sources["S9"]["title"] == "Wire" and store.sources["S1"]["publisher"] == "TASS"
    with pytest.raises(DataError, match="more than one of the stores"):
        open_store([build_store(curated), build_store(curated, tmp_path / "again")])


def test_solo_events_are_found_by_node_and_level(tmp_path):
    folder = write_dataset(
        tmp_path / "data",
        {
            "events": [
                {
                    "id": "s1",
                    "kind": "announcement",
                    "title": "Lavrov speaks",
                    "start": "2024-02-03",
                    "confidence": "high",
                    "sources": "S1",
                },
                {
                    "id": "s2",
                    "kind": "announcement",
                    "title": "Russia speaks",
                    "start": "2024-03-03",
                    "confidence": "high",
                    "sources": "S1",
                },
            ],
            "participants": [
                {"event": "s1", "entity": "sergey-lavrov", "role": "host"},
                {"event": "s2", "entity": "RUS", "role": "host"},
            ],
        },
    )
    with open_store(build_store(folder)) as store:
        assert solo_events(store, "sergey-lavrov", None, None) == ["s1"]
        assert solo_events(store, "RUS", None, None) == ["s2"]
        assert solo_events(store, "RUS", None, None, level="countries") == ["s1", "s2"]
        assert solo_events(store, "RUS", dt.date(2024, 3, 1), None, level="countries") == ["s2"]
        assert solo_events(store, "RUS", None, None, level="countries", limit=1) == ["s2"]  # the latest


def test_threads_share_one_store(bundled_store):
    """The dashboard's server threads query one store at once; each gets its own view."""
    from concurrent.futures import ThreadPoolExecutor

    def ties(state, sample=EVENT_SAMPLE):  # a sample the cache has not seen makes each thread query
        return {k: t[:3] for k, t in store_ties(window_graph(bundled_store, state, sample=sample)).items()}

    states = [s for s in BUNDLED_STATES if not s.focus][:12]
    expected = {s: ties(s) for s in states}
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda job: ties(job[1], sample=50 + job[0]), enumerate(states * 3)))
    assert got == [expected[s] for s in states * 3]


def test_window_ties_frames(bundled_store):
    nodes, ties = window_ties(bundled_store, ViewState(date_from="2024-01", date_to="2024-02"))
    assert list(nodes.columns) == ["id", "kind", "name", "country", "iso3"]
    assert set(ties["relation"]) == {"event", "affiliation"}
    ev = ties[ties.relation == "event"]
    assert all(isinstance(x, tuple) for x in ev["events"]) and all(isinstance(x, dt.date) for x in ev["start"])
    assert (ev["weight"] == ev["events"].map(len)).all()
    assert set(nodes["id"]) == set(ties["u"]) | set(ties["v"])


# ---- a month of real GDELT rows ----------------------------------------------------------

GDELT_STATES = [
    ViewState(),
    ViewState(level="countries"),
    ViewState(date_from="2019-03-10", date_to="2019-03-10"),
    ViewState(date_from="2019-03-10", date_to="2019-03-10", level="countries"),
    ViewState(date_from="2019-03-08", date_to="2019-03-14", level="countries"),
    ViewState(date_from="2019-03", date_to="2019-03", min_weight=2),
    ViewState(min_weight=5, level="countries"),
    ViewState(countries=("USA", "RUS"), level="countries"),
    ViewState(relation_kinds=("visit", "consultation")),
    ViewState(entity_kinds=("country",), min_weight=2),
    ViewState(focus="USA", depth=1, date_from="2019-03-01", date_to="2019-03-07", level="countries"),
]


@pytest.mark.parametrize("state", GDELT_STATES, ids=lambda s: s.to_query() or "whole-span")
def test_gdelt_month_views_equal_the_per_event_pipeline(gdelt_month, state):
    _, G, store = gdelt_month
    assert_same_view(store, G, state)


def test_gdelt_month_is_month_like(gdelt_month):
    folder, G, store = gdelt_month
    assert store.counts["events"] == len(G.graph["events"]) >= 12_000
    assert store_span(store) == data_span(G)
    assert (data_span(G)[1] - data_span(G)[0]).days == 29
    assert sum(n for _, n in events_per_day(store)) == store.counts["events"]
    # A single-participant event has no tie but is found for its actor.
    actor, ids = max(G.graph["solo_events"].items(), key=lambda kv: len(kv[1]))
    assert sorted(solo_events(store, actor, None, None)) == sorted(ids)
