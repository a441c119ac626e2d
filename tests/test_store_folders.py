"""A curated folder and a large import opened together through the event store keep each
fact's folder, as the in-memory merge does: the views, the hidden folders (``hidefolders=``),
the timeline per folder, the details and the exports agree with the per-event path."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest
from click.testing import CliRunner
from conftest_import import GDELT2_FIXTURE, fixture

from explorer.cli import cli
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, uses_store, view_graph
from explorer.store import open_store
from explorer.store_build import STORE_DIR, build_store
from explorer.viewstate import ViewState

STATES = [
    ViewState(),
    ViewState(level="countries"),
    ViewState(hidden_folders=("gdelt",)),
    ViewState(hidden_folders=("gdelt",), level="countries"),
    ViewState(hidden_folders=("data",)),
    ViewState(hidden_folders=("data",), level="countries", date_from="2018-03-01", date_to="2018-03-31"),
    ViewState(hidden_folders=("data", "gdelt")),
    ViewState(hidden_folders=("gdelt",), relation_kinds=("member", "meeting"), level="countries"),
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A copy of the bundled (curated) data named ``data`` and the real GDELT fixture imported as ``gdelt``."""
    path = fixture(GDELT2_FIXTURE)
    root = tmp_path_factory.mktemp("folders")
    curated = root / "data"
    shutil.copytree(bundled_data_dir(), curated)
    result = CliRunner().invoke(cli, ["import", "gdelt", str(path), "--out", str(root / "gdelt"), "-q"])
    assert result.exit_code == 0, result.output
    return curated, root / "gdelt"


@pytest.fixture(scope="module")
def opened(folders, tmp_path_factory):
    """Both folders through the store (the import has a store, so it counts as large) and in memory."""
    curated, big = folders
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(cache))
    build_store(big)
    assert uses_store(big) and not uses_store(curated)
    store_data = prepare_app_data([curated, big])
    memory_data = prepare_app_data([curated, big], store=False)
    yield store_data, memory_data, cache
    mp.undo()


def _pairs(G) -> Counter:
    """Events per pair and relation kind (affiliations counted once each)."""
    out: Counter = Counter()
    for u, v, d in G.edges(data=True):
        out[(frozenset((u, v)), d["relation"], d["kind"] if d["relation"] == "affiliation" else "")] += d.get(
            "weight", 1
        )
    return out


def test_the_store_is_used_and_the_curated_folder_stays_in_memory(folders, opened):
    curated, _ = folders
    store_data, _, cache = opened
    assert store_data.store is not None
    # The curated folder's store went to the cache: opened alone, it is still read into memory.
    assert not (curated / STORE_DIR).exists()
    assert any(cache.rglob("manifest.json"))
    assert prepare_app_data(curated).store is None


def test_facts_carry_their_folder(opened):
    store_data, memory_data, _ = opened
    assert store_data.store.folders == memory_data.graph.graph["folders"] == ("data", "gdelt")
    assert store_data.graph.graph["folders"] == ("data", "gdelt")
    aff = Counter(d.get("folder") for *_, d in store_data.graph.edges(data=True))
    assert aff == Counter(d.get("folder") for *_, d in memory_data.graph.edges(data=True) if d["relation"] != "event")
    assert store_data.entities["CHN"]["folders"] == memory_data.entities["CHN"]["folders"] == ("data", "gdelt")
    events = memory_data.graph.graph["events"]
    sample = [e for e in events if events[e].get("folder") == "gdelt"][:3] + list(events)[:3]
    for eid in sample:
        assert store_data.store.events[eid]["folder"] == events[eid]["folder"]
    sources = memory_data.graph.graph["sources"]
    for sid in list(sources)[:3] + list(sources)[-3:]:
        assert store_data.store.sources[sid]["folder"] == sources[sid]["folder"]


def test_timeline_per_folder(opened):
    store_data, memory_data, _ = opened
    assert store_data.folder_event_counts == memory_data.folder_event_counts
    assert sum(store_data.folder_event_counts["gdelt"]) > 100
    assert store_data.folder_key_events == memory_data.folder_key_events


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.to_query() or "all")
def test_hidden_folders_give_the_per_event_view(opened, state):
    store_data, memory_data, _ = opened
    got, want = view_graph(store_data, state), view_graph(memory_data, state)
    assert set(got) == set(want)
    assert _pairs(got) == _pairs(want)


def test_hiding_a_folder_changes_the_view(opened):
    store_data, _, _ = opened
    everything = view_graph(store_data, ViewState(level="countries"))
    curated = view_graph(store_data, ViewState(level="countries", hidden_folders=("gdelt",)))
    imported = view_graph(store_data, ViewState(level="countries", hidden_folders=("data",)))
    assert 0 < curated.graph["event_count"] < everything.graph["event_count"]
    assert 0 < imported.graph["event_count"] < everything.graph["event_count"]
    assert curated.graph["event_count"] + imported.graph["event_count"] == everything.graph["event_count"]
    assert all(d.get("folder") != "data" for *_, d in imported.edges(data=True))
    assert {f for *_, d in everything.edges(data=True) for f in d.get("folders", ())} == {"data", "gdelt"}


def test_export_of_both_folders_from_the_command_line(folders, opened, tmp_path, monkeypatch):
    curated, big = folders
    _, memory_data, cache = opened
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    runner = CliRunner()
    docs = {}
    for hide in ("", "gdelt"):
        out = tmp_path / f"both-{hide or 'all'}.json"
        args = ["export", "--data", str(curated), "--data", str(big), "--level", "countries", "--out", str(out)]
        result = runner.invoke(cli, args + (["--hide-folder", hide] if hide else []))
        assert result.exit_code == 0, result.output
        docs[hide] = json.loads(out.read_text(encoding="utf-8"))
    assert docs[""]["graph"]["data"] == "data + gdelt"
    for hide, doc in docs.items():
        want = view_graph(memory_data, ViewState(level="countries", hidden_folders=(hide,) if hide else ()))
        assert {n["id"] for n in doc["nodes"]} == set(want)
        weights = Counter()
        for e in doc["edges"]:
            if e["relation"] == "event":
                weights[frozenset((e["source"], e["target"]))] += e["weight"]
        assert weights == Counter(
            {frozenset((u, v)): d["weight"] for u, v, d in want.edges(data=True) if d["relation"] == "event"}
        )
    assert len(docs["gdelt"]["edges"]) < len(docs[""]["edges"])


def test_a_merged_folder_keeps_its_folders_in_the_store(folders, tmp_path):
    curated, big = folders
    merged = tmp_path / "merged"
    result = CliRunner().invoke(cli, ["merge", str(curated), str(big), "--out", str(merged)])
    assert result.exit_code == 0, result.output
    memory = prepare_app_data(merged, store=False)
    with open_store(build_store(merged, tmp_path / "store")) as store:
        assert store.folders == memory.graph.graph["folders"] == ("data", "gdelt")
        data = prepare_app_data(merged, store=True)
        for state in (ViewState(level="countries", hidden_folders=("gdelt",)), ViewState(hidden_folders=("data",))):
            assert _pairs(view_graph(data, state)) == _pairs(view_graph(memory, state))


def test_labels_must_match_the_stores(folders, tmp_path):
    curated, big = folders
    from explorer.errors import ArgumentError

    with pytest.raises(ArgumentError, match="2 stores"):
        open_store([build_store(curated, tmp_path / "a"), build_store(big)], labels=["only-one"])


def test_solo_events_leave_out_hidden_folders(opened):
    store_data, memory_data, _ = opened
    from explorer.store import solo_events

    solo = memory_data.graph.graph.get("solo_events", {})
    events = memory_data.graph.graph["events"]
    node = max(solo, key=lambda n: len(solo[n]))
    want = sorted(solo[node], key=lambda e: (events[e]["start"], e))
    folders = {events[e].get("folder") for e in want}
    assert want and folders, "the two folders should hold an event with a single participant"
    assert solo_events(store_data.store, node, None, None) == want
    for hide in folders:
        kept = [e for e in want if events[e].get("folder") != hide]
        assert solo_events(store_data.store, node, None, None, hidden=(hide,)) == kept
    hidden = view_graph(store_data, ViewState(hidden_folders=("gdelt",)))
    assert hidden.graph["hidden_folders"] == frozenset({"gdelt"})
