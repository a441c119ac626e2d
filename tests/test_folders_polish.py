"""Several data folders, the loose ends: what exports, the CLI's text and the timeline say about
folders, ``$EXPLORER_DATA`` with several folders, and exports that two runs write alike.

Two small hand-written folders (``data`` and ``extra``, each with its own meeting of Ma Zhaoxu
and Sergey Lavrov) are opened together; the bundled data checks that one folder looks as before.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TINY, free_port, write_dataset

from explorer.cli import cli
from explorer.exports import export_view
from explorer.exports.snapshot import Snapshot
from explorer.graph import build_graph
from explorer.loader import load_dataset, load_datasets
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_plan, render_timeline
from explorer.schema import CONFIDENCE
from explorer.views import project_edges_to_countries, project_to_countries
from explorer.viewstate import ViewState

WINDOW = ViewState(date_from="2024-01", date_to="2024-06")

EXTRA = {
    **TINY,
    "events": [
        {
            "id": "x1",
            "kind": "call",
            "title": "Ma calls Lavrov",
            "start": "2024-03-05",
            "precision": "day",
            "confidence": "medium",
            "sources": "X1",
        },
        {
            "id": "x2",
            "kind": "meeting",
            "title": "Ma meets Lavrov again",
            "start": "2024-04-10",
            "precision": "day",
            "confidence": "low",
            "sources": "X1",
        },
    ],
    "participants": [
        {"event": "x1", "entity": "ma-zhaoxu", "role": "host"},
        {"event": "x1", "entity": "sergey-lavrov", "role": "guest"},
        {"event": "x2", "entity": "ma-zhaoxu", "role": "guest"},
        {"event": "x2", "entity": "sergey-lavrov", "role": "host"},
    ],
    "sources": [
        *TINY["sources"],
        {
            "id": "X1",
            "title": "Ma and Lavrov talk",
            "publisher": "Xinhua",
            "url": "https://example.org/x1",
            "published": "2024-03-05",
            "reliability": "medium",
        },
    ],
}


def run(*args, env=None):
    result = CliRunner(env=env).invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("polish")
    return [write_dataset(root / "data"), write_dataset(root / "extra", EXTRA)]


@pytest.fixture(scope="module")
def two(folders):
    return prepare_app_data(folders, store=False)


@pytest.fixture(scope="module")
def one():
    return prepare_app_data(bundled_data_dir(), store=False)


# ---- 1. exports name every folder -----------------------------------------------------------


def _export_texts(data, state, tmp_path) -> dict[str, str]:
    """What the data exports and the HTML page say, by format (CSV: its view.json)."""
    out = {}
    for fmt, name in (("json", "v.json"), ("graphml", "v.graphml"), ("gexf", "v.gexf"), ("html", "v.html")):
        out[fmt] = export_view(data, state, fmt, tmp_path / name).read_text(encoding="utf-8")
    with zipfile.ZipFile(export_view(data, state, "csv", tmp_path / "v.zip")) as zf:
        out["csv"] = zf.read("view.json").decode("utf-8")
    return out


def test_exports_name_every_folder_never_a_path(two, folders, tmp_path):
    texts = _export_texts(two, WINDOW, tmp_path)
    assert json.loads(texts["json"])["graph"]["data"] == "data + extra"
    assert json.loads(texts["csv"])["data"] == "data + extra"
    assert '<data key="g_data">data + extra</data>' in texts["graphml"]
    for fmt in ("gexf", "html"):
        assert "data: data + extra" in texts[fmt], fmt
    # The pictures (PNG, SVG, PDF, GIF, MP4) draw the same caption lines.
    assert "explorer" in (line := Snapshot(two, WINDOW).caption_lines()[-1]) and "data: data + extra" in line
    for fmt, text in texts.items():
        for folder in folders:
            assert str(folder) not in text and str(folder.parent) not in text, fmt


def test_one_folder_exports_name_it_as_before(one, tmp_path):
    texts = _export_texts(one, WINDOW, tmp_path)
    assert json.loads(texts["json"])["graph"]["data"] == "data"
    assert "data: data " in Snapshot(one, WINDOW).caption_lines()[-1]
    assert "+" not in json.loads(texts["csv"])["data"]


# ---- 2. the CLI's text names each fact's folder -------------------------------------------


def test_path_and_ego_text_name_each_facts_folder(folders):
    data = [a for f in folders for a in ("--data", f)]
    code, out, err = run("path", "Ma Zhaoxu", "Sergey Lavrov", "--from", "2024-01", "--to", "2024-06", *data)
    assert code == 0, err
    lines = [line.strip() for line in out.splitlines()]
    assert "2024-01-30 meeting: Ma meets Lavrov · folder: data" in lines
    assert "2024-03-05 call: Ma calls Lavrov · folder: extra" in lines
    code, out, err = run("ego", "CHN", "--from", "2024-01", "--to", "2024-06", "--level", "countries", *data)
    assert code == 0, err
    # A country-level tie gathers events of both folders.
    lines = [line.strip() for line in out.splitlines()]
    assert "2024-01-30 to 2024-04-10 meeting: 3 events [China – Russia] · folders: data, extra" in lines
    # An affiliation both folders hold is kept once, as the first folder's.
    assert "2006-09-20 to now China founding member of BRICS · folder: data" in lines
    code, out, err = run("ego", "Ma Zhaoxu", "--from", "2024-01", "--to", "2024-06", *data)
    assert code == 0, err
    assert "2024-04-10 meeting: Ma meets Lavrov again [Ma Zhaoxu – Sergey Lavrov] · folder: extra" in out


def test_path_and_ego_text_are_unchanged_with_one_folder(folders):
    code, out, _ = run(
        "path", "Ma Zhaoxu", "Sergey Lavrov", "--from", "2024-01", "--to", "2024-02", "--data", folders[0]
    )
    assert code == 0
    assert out.splitlines()[1:3] == ["  Ma Zhaoxu – Sergey Lavrov:", "    2024-01-30 meeting: Ma meets Lavrov"]
    assert "folder" not in out
    code, out, _ = run("ego", "Ma Zhaoxu", "--from", "2024-01", "--to", "2024-02", "--data", folders[0])
    assert code == 0
    assert "  2024-01-30 meeting: Ma meets Lavrov [Ma Zhaoxu – Sergey Lavrov]" in out.splitlines()
    assert "folder" not in out
    code, out, _ = run(
        "path", "Ma Zhaoxu", "Sergey Lavrov", "--at", "2024-01-30", "--data", folders[0], "--format", "json"
    )
    assert code == 0 and '"folder"' not in out


# ---- 3. the timeline counts only the folders shown ---------------------------------------------


def _bars(figure: dict) -> dict[str, int]:
    bars = figure["data"][0]
    return {x: y for x, y in zip(bars["x"], bars["y"], strict=True) if y}


def test_timeline_counts_leave_out_hidden_folders(two):
    state = ViewState(date_from="2024-01", date_to="2024-06")
    every = _bars(render_timeline(two, state))
    assert sum(every.values()) == 3
    without_extra = _bars(render_timeline(two, state.replace(hidden_folders=("extra",))))
    assert sum(without_extra.values()) == 1 and set(without_extra) <= set(every)
    without_data = _bars(render_timeline(two, state.replace(hidden_folders=("data",))))
    assert sum(without_data.values()) == 2
    assert _bars(render_timeline(two, state.replace(hidden_folders=("data", "extra")))) == {}


def test_timeline_of_one_folder_is_unchanged(one):
    figure = render_timeline(one, ViewState())
    assert figure["data"][0]["y"] == [n for _, n in one.event_counts]
    assert sum(figure["data"][0]["y"]) == len(one.graph.graph["events"])


# ---- 4. $EXPLORER_DATA with several folders -------------------------------------------------


def test_explorer_data_takes_several_folders(folders):
    env = {"EXPLORER_DATA": os.pathsep.join(map(str, folders))}
    code, out, err = run("info", "--json", env=env)
    assert code == 0, err
    info = json.loads(out)
    assert set(info["folders"]) == {"data", "extra"}
    assert info["folders"]["extra"]["events"] == 2
    # --data still wins over the variable.
    code, out, _ = run("info", "--json", "--data", folders[1], env=env)
    assert code == 0 and "folders" not in json.loads(out)


def test_explorer_data_names_a_wrong_folder_in_one_line(folders, tmp_path):
    wrong = tmp_path / "nowhere"
    code, _, err = run("info", env={"EXPLORER_DATA": os.pathsep.join([str(folders[0]), str(wrong)])})
    assert code == 2
    assert err.strip().splitlines() == [f"explorer: error: $EXPLORER_DATA: {str(wrong)!r} is not a folder"]


def test_wsgi_entry_point_opens_every_folder_of_explorer_data(folders):
    code = "import explorer.wsgi as w; print(json.dumps(list(w._served.data.graph.graph['folders'])))"
    out = subprocess.run(
        [sys.executable, "-c", "import json; " + code],
        env={**os.environ, "EXPLORER_DATA": os.pathsep.join(map(str, folders))},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == ["data", "extra"]


def test_serve_opens_every_folder_of_explorer_data(folders):
    env = {**os.environ, "EXPLORER_DATA": os.pathsep.join(map(str, folders))}
    port = str(free_port())
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "serve", "--port", port],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        line = ""
        while time.monotonic() < deadline and "serving" not in line:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
        assert f"serving {folders[0]} + {folders[1]} on http://127.0.0.1:{port}/" in line, line
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# ---- 5. a country-level tie's confidence, and exports two runs write alike --------------------


def test_a_country_ties_confidence_is_the_lowest_of_its_events(bundled_graph):
    P = project_to_countries(bundled_graph)
    events = bundled_graph.graph["events"]
    checked = 0
    for *_, d in P.edges(keys=True, data=True):
        if d.get("relation") == "event":
            assert d["confidence"] == max((events[e]["confidence"] for e in d["events"]), key=CONFIDENCE.index)
            checked += 1
    assert checked > 50
    # South Africa's first tie with China is its invitation (medium), before a run of summits (high).
    assert P.edges["CHN", "ZAF", "events"]["confidence"] == "medium"


def test_a_country_tie_does_not_depend_on_the_order_of_its_events(bundled_graph):
    edges = list(bundled_graph.edges(keys=True, data=True))
    forward = project_edges_to_countries(bundled_graph.graph, edges)
    backward = project_edges_to_countries(bundled_graph.graph, reversed(edges))
    ties = {(min(u, v), max(u, v), k): d for u, v, k, d in forward.edges(keys=True, data=True)}
    assert ties == {(min(u, v), max(u, v), k): d for u, v, k, d in backward.edges(keys=True, data=True)}


_STAMPS = [
    re.compile(r'"exported": "[^"]*"'),  # JSON, view.json
    re.compile(r'<data key="g_exported">[^<]*</data>'),  # GraphML
    re.compile(r'lastmodifieddate="[^"]*"'),  # GEXF
]


def _unstamped(data: bytes) -> bytes:
    text = data.decode("utf-8")
    for pattern in _STAMPS:
        text = pattern.sub("STAMP", text)
    return text.encode("utf-8")


def _export_in_a_fresh_process(fmt: str, out: Path, seed: str) -> dict[str, bytes]:
    args = ["export", "--format", fmt, "--level", "countries", "--from", "2006", "--to", "2025", "--out", str(out)]
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("EXPLORER_DATA", None)
    done = subprocess.run([sys.executable, "-m", "explorer", *args], env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()
    if fmt == "csv":
        with zipfile.ZipFile(out) as zf:
            return {n: _unstamped(zf.read(n)) for n in sorted(zf.namelist())}
    return {"export": _unstamped(out.read_bytes())}


@pytest.mark.parametrize("fmt,suffix", [("gexf", ".gexf"), ("graphml", ".graphml"), ("json", ".json"), ("csv", ".zip")])
def test_two_fresh_processes_write_the_same_export(fmt, suffix, tmp_path):
    first = _export_in_a_fresh_process(fmt, tmp_path / f"a{suffix}", "1")
    second = _export_in_a_fresh_process(fmt, tmp_path / f"b{suffix}", "2")
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], name
    assert b"STAMP" in b"".join(first.values())  # the one line that may differ is the export's time


# ---- 6. one folder: the view state looks as before ---------------------------------------------


def test_one_folder_state_has_no_hidden_folders(one, tmp_path):
    assert "hidden_folders" not in ViewState().to_dict()
    meta = json.loads(export_view(one, WINDOW, "json", tmp_path / "v.json").read_text(encoding="utf-8"))
    assert "hidden_folders" not in meta["graph"]["state"]
    assert meta["graph"]["state"]["date_from"] == "2024-01"
    # With folders left out, the state says so and comes back whole.
    state = WINDOW.replace(hidden_folders=("extra",))
    assert state.to_dict()["hidden_folders"] == ["extra"]
    assert ViewState.from_dict(state.to_dict()) == state
    assert ViewState.from_dict(WINDOW.to_dict()) == WINDOW


def test_showing_every_folder_again_redraws_the_view():
    hidden = WINDOW.replace(hidden_folders=("extra",))
    assert "view" in render_plan(hidden, WINDOW)
    assert "view" in render_plan(WINDOW, hidden)


def test_merged_folder_opened_alone_still_names_its_folders(folders, tmp_path):
    merged = tmp_path / "merged"
    code, _, err = run("merge", *folders, "--out", merged)
    assert code == 0, err
    assert load_dataset(merged).folders == ("data", "extra")
    data = prepare_app_data(merged, store=False)
    assert Snapshot(data, WINDOW).data_name == "data + extra"
    assert build_graph(load_datasets([merged])).graph["folders"] == ("data", "extra")
