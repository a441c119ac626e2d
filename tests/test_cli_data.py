"""`explorer validate`, `info` and `graph`, as a user runs them."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import TINY, write_dataset

from explorer.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_ok_prints_one_line(tiny):
    code, out, _ = run("validate", "--data", str(tiny))
    assert code == 0 and len(out.strip().splitlines()) == 1 and "OK" in out


def test_validate_reports_every_problem_and_exits_1(tmp_path):
    tables = copy.deepcopy(TINY)
    tables["entities"][0]["kind"] = "contry"
    tables["events"][0]["start"] = "30/01/2024"
    folder = write_dataset(tmp_path / "bad", tables)
    code, out, _ = run("validate", "--data", str(folder))
    assert code == 1
    assert "entities.csv:2: column 'kind': 'contry'" in out
    assert "events.csv:2: column 'start': '30/01/2024'" in out


def test_info_json_counts(tiny):
    code, out, _ = run("info", "--data", str(tiny), "--json")
    info = json.loads(out)
    assert code == 0 and info["entities"] == {"country": 3, "official": 2, "organization": 1}
    assert info["sources"] == 2 and info["date_range"][0] == "2004-03-09"


def test_bundled_info_runs():
    code, out, _ = run("info")
    assert code == 0 and "sources:" in out


def test_graph_json_has_iso_dates_and_a_sources_map():
    code, out, _ = run("graph", "--at", "2024-01-30")
    assert code == 0
    g = json.loads(out)
    meeting = next(e for e in g["edges"] if {e["source"], e["target"]} == {"ma-zhaoxu", "sergey-lavrov"})
    assert meeting["start"] == "2024-01-30" and meeting["sources"]
    for s in meeting["sources"]:
        assert g["sources"][s]["title"] and "url" in g["sources"][s]
    assert g["graph"]["from"] == "2024-01-30" == g["graph"]["to"]


def test_graph_country_level():
    code, out, _ = run("graph", "--from", "2024-01", "--to", "2024-01", "--level", "countries")
    g = json.loads(out)
    kinds = {n["kind"] for n in g["nodes"]}
    assert code == 0 and "official" not in kinds
    chn_rus = [e for e in g["edges"] if {e["source"], e["target"]} == {"CHN", "RUS"} and e["relation"] == "event"]
    assert chn_rus and chn_rus[0]["weight"] >= 3


@pytest.mark.parametrize(
    "args,words",
    [
        (["graph", "--from", "yesterday"], "--from"),
        (["graph", "--from", "2025", "--to", "2024"], "after"),
        (["graph", "--level", "planets"], "planets"),
        (["graph", "--data", "/no/such/folder"], "not a folder"),
        (["graph", "--at", "2024-02-30"], "2024-02-30"),
    ],
)
def test_bad_arguments_one_line_exit_2(args, words):
    out = subprocess.run([sys.executable, "-m", "explorer", *args], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert words in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr
