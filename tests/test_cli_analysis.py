"""``explorer metrics``, ``changes``, ``path``, ``series`` and ``ego`` through click's CliRunner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import cli
from explorer.metrics import METRICS, metric_columns

MINI = {
    "entities.csv": """id,kind,name,aliases,iso3,country,wikidata,note
CHN,country,China,PRC,CHN,,,
RUS,country,Russia,,RUS,,,
USA,country,United States,,USA,,,
wang-yi,official,Wang Yi,,,CHN,,
sergey-lavrov,official,Sergey Lavrov,,,RUS,,
jake-sullivan,official,Jake Sullivan,,,USA,,
""",
    "affiliations.csv": """source,target,kind,title,start,end,start_precision,end_precision,status,confidence,sources,note
""",
    "events.csv": """id,kind,title,start,end,precision,place,place_country,topics,confidence,sources,note
bangkok,meeting,Sullivan and Wang Yi talks in Bangkok,2024-01-26,2024-01-27,day,Bangkok,THA,,high,s1,
call,call,Wang Yi and Lavrov phone call,2024-02-05,,day,,,,medium,s1,
""",
    "participants.csv": """event,entity,role
bangkok,jake-sullivan,participant
bangkok,wang-yi,participant
call,wang-yi,participant
call,sergey-lavrov,participant
""",
    "sources.csv": """id,title,publisher,url,published,reliability,note
s1,Readout,The White House,https://www.whitehouse.gov/,2024-01-27,high,
""",
}


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> str:
    folder: Path = tmp_path_factory.mktemp("mini-cli")
    for name, text in MINI.items():
        (folder / name).write_text(text, encoding="utf-8")
    return str(folder)


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# --- metrics --------------------------------------------------------------------------


def test_metrics_table(mini):
    result = run("metrics", "--data", mini, "--from", "2024-01", "--to", "2024-02")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 nodes, 2 edges; 2024-01-01 to 2024-02-29")
    assert lines[1].split()[:4] == ["id", "name", "kind", "country"]
    assert lines[2].split()[0] == "wang-yi"  # the broker comes first


def test_metrics_csv_columns_and_metric_choice(mini):
    result = run(
        "metrics", "--data", mini, "--from", "2024", "--to", "2024", "-m", "betweenness,degree", "--format", "csv"
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == metric_columns(["betweenness", "degree"])
    assert {r["id"]: float(r["betweenness"]) for r in rows} == {
        "wang-yi": 1.0,
        "jake-sullivan": 0.0,
        "sergey-lavrov": 0.0,
    }


def test_metrics_json_is_plain_and_complete(mini):
    result = run("metrics", "--data", mini, "--format", "json", "--top", "2", "--level", "countries")
    payload = json.loads(result.stdout)
    assert payload["level"] == "countries" and payload["metrics"] == list(METRICS)
    assert len(payload["rows"]) == 2 and payload["rows"][0]["id"] == "CHN"


def test_metrics_unknown_metric_exits_2(mini):
    result = run("metrics", "--data", mini, "--metric", "fame")
    assert result.exit_code == 2
    assert "'fame' is not one of degree" in result.stderr


def test_metrics_empty_window(mini):
    result = run("metrics", "--data", mini, "--at", "1999")
    assert result.exit_code == 0
    assert "0 nodes" in result.stdout and "(no rows)" in result.stdout
    payload = json.loads(run("metrics", "--data", mini, "--at", "1999", "--format", "json").stdout)
    assert payload["rows"] == []


def test_metrics_bad_date_exits_2(mini):
    result = run("metrics", "--data", mini, "--from", "2024-13")
    assert result.exit_code == 2 and result.stderr.startswith("explorer: error: --from")


# --- path -------------------------------------------------------------------------------------


def test_path_names_meetings(mini):
    result = run("path", "Jake Sullivan", "sergey-lavrov", "--data", mini, "--from", "2024-01", "--to", "2024-02")
    assert result.exit_code == 0
    out = result.stdout
    assert "path 1 (2 hops): Jake Sullivan → Wang Yi → Sergey Lavrov" in out
    assert "2024-01-26 to 2024-01-27 meeting: Sullivan and Wang Yi talks in Bangkok" in out
    assert "source: Readout, The White House, https://www.whitehouse.gov/" in out


def test_path_json_and_csv(mini):
    payload = json.loads(run("path", "jake-sullivan", "sergey-lavrov", "--data", mini, "--format", "json").stdout)
    assert payload["source"] == "jake-sullivan" and payload["paths"][0]["length"] == 2
    rows = list(
        csv.DictReader(
            io.StringIO(run("path", "jake-sullivan", "sergey-lavrov", "--data", mini, "--format", "csv").stdout)
        )
    )
    assert [(r["hop"], r["key"]) for r in rows] == [("1", "bangkok"), ("2", "call")]


def test_unknown_entity_exits_2_with_suggestions(mini):
    result = run("path", "Jake Sulivan", "sergey-lavrov", "--data", mini)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == "explorer: error: unknown entity 'Jake Sulivan'; did you mean: jake-sullivan?"


def test_no_path_says_why_and_exits_0(mini):
    result = run("path", "jake-sullivan", "sergey-lavrov", "--data", mini, "--at", "2024-01-26")
    assert result.exit_code == 0
    assert "no path from jake-sullivan to sergey-lavrov" in result.stdout
    assert "sergey-lavrov has no tie in the window" in result.stdout
    payload = json.loads(
        run("path", "jake-sullivan", "sergey-lavrov", "--data", mini, "--at", "2024-01-26", "--format", "json").stdout
    )
    assert payload["paths"] == []


# --- changes ------------------------------------------------------------------------------------


def test_changes_table_and_json(mini):
    args = [
        "changes",
        "--data",
        mini,
        "--from",
        "2024-02",
        "--to",
        "2024-02",
        "--vs-from",
        "2024-01",
        "--vs-to",
        "2024-01",
        "-m",
        "degree",
    ]
    result = run(*args)
    assert result.exit_code == 0
    out = result.stdout
    assert "nodes added (1)\n  sergey-lavrov" in out and "nodes removed (1)\n  jake-sullivan" in out
    assert "call: Wang Yi and Lavrov phone call" in out
    payload = json.loads(run(*args, "--format", "json").stdout)
    assert payload["before"]["from"] == "2024-01-01" and payload["after"]["to"] == "2024-02-29"
    assert [e["key"] for e in payload["edges_added"]] == ["call"]
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert {r["id"]: r["status"] for r in rows} == {
        "wang-yi": "kept",
        "sergey-lavrov": "added",
        "jake-sullivan": "removed",
    }


def test_changes_compares_with_the_previous_window_by_default(mini):
    """Like the dashboard's Changes tab: --from/--to is "after", the same length before it is "before"."""
    payload = json.loads(run("changes", "--data", mini, "--at", "2024-02", "-m", "degree", "--format", "json").stdout)
    # February 2024 has 29 days: the 29 days before it.
    assert payload["before"]["from"] == "2024-01-03" and payload["before"]["to"] == "2024-01-31"
    assert payload["after"]["from"] == "2024-02-01"
    assert "sergey-lavrov" in payload["nodes_added"]


def test_changes_bad_vs_window_exits_2(mini):
    result = run("changes", "--data", mini, "--vs-from", "2024-03", "--vs-to", "2024-01")
    assert result.exit_code == 2 and "is after --to" in result.stderr


# --- series and ego --------------------------------------------------------------------------------


def test_series_table_csv_json(mini):
    args = [
        "series",
        "--data",
        mini,
        "--nodes",
        "wang-yi,Sergey Lavrov",
        "--metric",
        "degree",
        "--freq",
        "month",
        "--from",
        "2024-01",
        "--to",
        "2024-03",
    ]
    result = run(*args)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Degree by month"
    assert lines[1].split() == ["period", "wang-yi", "sergey-lavrov"]
    assert lines[2].split() == ["2024-01", "1", "0"] and lines[3].split() == ["2024-02", "1", "1"]
    rows = list(csv.DictReader(io.StringIO(run(*args, "--format", "csv").stdout)))
    assert len(rows) == 6 and rows[0]["period"] == "2024-01"
    cumulative = json.loads(run(*args, "--cumulative", "--format", "json").stdout)
    assert cumulative["mode"] == "cumulative"
    assert [r["value"] for r in cumulative["rows"] if r["id"] == "wang-yi"] == [1.0, 2.0, 2.0]


def test_series_unknown_node_exits_2(mini):
    result = run("series", "--data", mini, "--nodes", "CHN,Atlantis")
    assert result.exit_code == 2 and "unknown entity 'Atlantis'" in result.stderr


def test_ego(mini):
    result = run("ego", "Wang Yi", "--data", mini, "--from", "2024-01", "--to", "2024-02")
    assert result.exit_code == 0
    assert "ego network of wang-yi at depth 1: 3 nodes, 2 edges" in result.stdout
    payload = json.loads(run("ego", "wang-yi", "--data", mini, "--format", "json").stdout)
    assert {n["id"] for n in payload["nodes"]} == {"wang-yi", "jake-sullivan", "sergey-lavrov"}
    assert run("ego", "wang-yi", "--data", mini, "--depth", "4").exit_code == 2


# --- the bundled data ---------------------------------------------------------------------------------


def test_bundled_path_sullivan_to_lavrov():
    result = run("path", "jake-sullivan", "Sergey Lavrov", "--from", "2024-01", "--to", "2024-02")
    assert result.exit_code == 0
    assert result.stdout.startswith("path 1 (")
    assert "Bangkok" in result.stdout  # the Wang Yi–Sullivan talks


def test_bundled_unknown_entity_suggests():
    result = run("ego", "lavorv", "--at", "2024-01-30")
    assert result.exit_code == 2
    assert "did you mean: sergey-lavrov" in result.stderr


def test_bundled_changes_brics_enlargement():
    result = run(
        "changes",
        "--from",
        "2024",
        "--to",
        "2024",
        "--vs-from",
        "2023",
        "--vs-to",
        "2023",
        "--format",
        "json",
        "-m",
        "degree",
    )
    payload = json.loads(result.stdout)
    added = {(e["u"], e["v"], e["kind"]) for e in payload["edges_added"]}
    assert {(c, "BRICS", "member") for c in ("EGY", "ETH", "IRN", "ARE")} <= added
