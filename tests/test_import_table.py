"""explorer import table: Kumu workbooks and plain edge lists (.xlsx, .ods, .csv) into valid data folders."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from explorer.cli import cli
from explorer.graph import build_graph
from explorer.importers.facts import relation_kind
from explorer.loader import load_dataset


def run(*args: str, cwd: Path | None = None):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def ties(out: Path) -> dict:
    """(kind, ends, start, end) of every tie of the data folder ``out``, which must validate; and the graph."""
    G = build_graph(load_dataset(out))
    found = {}
    for u, v, _k, d in G.edges(keys=True, data=True):
        ends = (d["source"], d["target"]) if d["relation"] == "affiliation" else tuple(sorted((u, v)))
        found[(d["kind"], ends)] = d
    return found


def write_kumu(path: Path) -> None:
    """A workbook in Kumu's layout: Elements and Connections, Kumu's column names, dates as date cells and text."""
    wb = openpyxl.Workbook()
    el = wb.active
    el.title = "Elements"
    el.append(["Label", "Type", "Description", "Tags", "Country"])
    el.append(["China", "Country", "", "", ""])
    el.append(["Jane Example", "Person", "A deputy minister (made up)", "test", "Brazil"])
    el.append(["Shanghai Cooperation Organisation", "Organization", "", "", ""])
    el.append([])  # a blank row, as people leave them
    el.append(["Sergey Lavrov", "Person", "", "", ""])
    co = wb.create_sheet("Connections")
    co.append(["From", "To", "Type", "Direction", "Label", "Description", "Tags", "Start Date", "End Date", "URL"])
    co.append(
        ["China", "Russia", "Meeting", "undirected", "Talks in Beijing", "Trade", "trade", dt.datetime(2024, 5, 16)]
    )
    co.append(["Jane Example", "Sergey Lavrov", "phone call", "directed", None, None, None, "2024-03"])
    co.append(["China", "Shanghai Cooperation Organisation", "founding member", None, None, None, None, 2001])
    co.append(["Shanghai Cooperation Organisation", "India", "member", None, None, None, None, dt.date(2017, 6, 9)])
    co.append(["Russia", "India", "summit", None, "Annual summit", None, None, "2024-07-08", "2024-07-09"])
    co.cell(row=2, column=10, value="https://example.org/beijing-talks")
    wb.save(path)


def check_kumu_ties(out: Path, name: str) -> None:
    found = ties(out)
    assert set(found) == {
        ("meeting", ("CHN", "RUS")),
        ("call", ("jane-example", "sergey-lavrov")),
        ("founding_member", ("CHN", "SCO")),
        ("member", ("IND", "SCO")),
        ("summit", ("IND", "RUS")),
    }
    talks = found[("meeting", ("CHN", "RUS"))]
    assert (talks["title"], talks["start"], talks["end"]) == (
        "Talks in Beijing",
        dt.date(2024, 5, 16),
        dt.date(2024, 5, 16),
    )
    sources = pd.read_csv(out / "sources.csv", dtype=str, keep_default_na=False).set_index("id")
    assert sources.loc[talks["sources"][0], "url"] == "https://example.org/beijing-talks"
    call = found[("call", ("jane-example", "sergey-lavrov"))]
    assert (call["start"], call["end"]) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))  # a month
    assert "'phone call'" in call["note"] and "read as call" in call["note"]
    # A tie without a URL cites the file itself, by name.
    assert sources.loc[call["sources"][0], "title"] == name
    assert found[("founding_member", ("CHN", "SCO"))]["start"] == dt.date(2001, 1, 1)
    # Given organisation -> country, turned the way a membership goes.
    assert found[("member", ("IND", "SCO"))]["start"] == dt.date(2017, 6, 9)
    summit = found[("summit", ("IND", "RUS"))]
    assert (summit["start"], summit["end"]) == (dt.date(2024, 7, 8), dt.date(2024, 7, 9))
    entities = pd.read_csv(out / "entities.csv", dtype=str, keep_default_na=False).set_index("id")
    # Known names keep the --data folder's ids and attributes; the new official serves Brazil, which comes along.
    assert entities.loc["sergey-lavrov", "country"] == "RUS"
    assert entities.loc["SCO", "name"] == "Shanghai Cooperation Organisation"
    assert entities.loc["jane-example", ["kind", "country"]].tolist() == ["official", "BRA"]
    assert "BRA" in entities.index


def test_a_kumu_workbook_imports_as_is(tmp_path):
    write_kumu(tmp_path / "map.xlsx")
    result = run("import", "table", tmp_path / "map.xlsx", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "5 connections read from the Kumu workbook map.xlsx" in result.output
    assert "kind 'phone call' read as call: 1 tie" in result.output
    check_kumu_ties(tmp_path / "out", "map.xlsx")


def test_the_same_workbook_as_ods(tmp_path):
    write_kumu(tmp_path / "map.xlsx")
    sheets = pd.read_excel(tmp_path / "map.xlsx", sheet_name=None, dtype=object)
    with pd.ExcelWriter(tmp_path / "map.ods", engine="odf") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    result = run("import", "table", tmp_path / "map.ods", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    check_kumu_ties(tmp_path / "out", "map.ods")


def test_a_plain_edge_list_with_its_columns_named_by_options(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "notes"
    sheet = wb.create_sheet("contacts")
    sheet.append(["Actor A", "Actor B", "When", "Relation", "Headline", "Link"])
    sheet.append(["BRA", "Q148", dt.date(2024, 2, 21), "visit", "Wang Yi in Brasília", "https://example.org/v"])
    sheet.append(["Wang Yi", "Mauro Vieira", "2024-02-21", "", "", ""])
    sheet.append(["Türkiye", "Russian Federation", "2024", "consultations", "", ""])
    wb.save(tmp_path / "contacts.xlsx")
    result = run(
        "import", "table", tmp_path / "contacts.xlsx", "--out", tmp_path / "out", "--sheet", "contacts",
        "--source", "Actor A", "--target", "Actor B", "--date", "When", "--kind", "Relation",
        "--title", "Headline", "--url", "Link",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    found = ties(tmp_path / "out")
    # ISO3 code and Wikidata id resolve; an empty kind is the default (meeting); 'consultations' is mapped.
    assert set(found) == {
        ("visit", ("BRA", "CHN")),
        ("meeting", ("mauro-vieira", "wang-yi")),
        ("consultation", ("RUS", "TUR")),
    }
    assert found[("visit", ("BRA", "CHN"))]["title"] == "Wang Yi in Brasília"
    assert found[("consultation", ("RUS", "TUR"))]["start"] == dt.date(2024, 1, 1)
    entities = pd.read_csv(tmp_path / "out" / "entities.csv", dtype=str, keep_default_na=False).set_index("id")
    assert entities.loc["TUR", "kind"] == "country"  # not in the bundled data: made from its name


def test_a_csv_edge_list_with_usual_headers_and_start_end(tmp_path):
    (tmp_path / "ties.csv").write_text(
        "source,target,start,end,type,url\n"
        "India,Brazil,2023-08-22,2023-08-24,summit,https://example.org/s\n"
        "\n"
        "Brazil,BRICS,2006-09,,founding member,\n",
        encoding="utf-8",
    )
    result = run("import", "table", tmp_path / "ties.csv", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    found = ties(tmp_path / "out")
    assert (found[("summit", ("BRA", "IND"))]["start"], found[("summit", ("BRA", "IND"))]["end"]) == (
        dt.date(2023, 8, 22),
        dt.date(2023, 8, 24),
    )
    aff = pd.read_csv(tmp_path / "out" / "affiliations.csv", dtype=str, keep_default_na=False)
    assert aff[["source", "target", "kind", "start", "start_precision"]].values.tolist() == [
        ["BRA", "BRICS", "founding_member", "2006-09", "month"]
    ]


def test_a_semicolon_csv_with_a_new_organisation(tmp_path):
    (tmp_path / "ties.csv").write_text(
        "from;to;date;kind\nChina;Forum on China-Africa Cooperation;2000-10;chair\n", encoding="utf-8"
    )
    refused = run("import", "table", tmp_path / "ties.csv", "--out", tmp_path / "out")
    assert refused.exit_code == 1
    assert "row 2, column 'to': unknown entity 'Forum on China-Africa Cooperation'" in refused.output
    assert "--node-kind organization" in refused.output
    result = run("import", "table", tmp_path / "ties.csv", "--out", tmp_path / "out", "--node-kind", "organization")
    assert result.exit_code == 0, result.output
    assert set(ties(tmp_path / "out")) == {("chair", ("CHN", "FCAC"))}


BAD = (
    "source,target,date,kind,url\n"
    "China,Russia,2024-01-30,meeting,https://example.org/ok\n"  # row 2: fine
    "Atlantis,Russia,2024-01-30,meeting,\n"  # row 3: unknown entity
    "China,India,30/01/2024,meeting,\n"  # row 4: not a date
    "China,India,2024-01-30,war,\n"  # row 5: no relation near 'war'
    "China,BRICS,2024-01-30,office,\n"  # row 6: an office joins an official to a country
    "China,China,2024-01-30,meeting,\n"  # row 7: a tie with one end
    "China,India,2024-01-30,meeting,ftp://example.org\n"  # row 8: not a web address
    "China,India,,meeting,\n"  # row 9: no date
)


def test_bad_rows_are_refused_with_their_row_and_column_and_nothing_is_written(tmp_path):
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    result = run("import", "table", tmp_path / "bad.csv", "--out", tmp_path / "out")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == "explorer: error: bad.csv: 7 problems; nothing was written"
    expected = [
        "bad.csv, row 3, column 'source': unknown entity 'Atlantis'",
        "bad.csv, row 4, column 'date': '30/01/2024' is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY",
        "bad.csv, row 5, column 'kind': unknown kind 'war'; expected one of meeting,",
        "bad.csv, row 6: an office tie joins an official to a country; CHN is a country and BRICS an organization",
        "bad.csv, row 7: a tie needs two different entities; both ends are CHN",
        "bad.csv, row 8, column 'url': 'ftp://example.org' is not a web address",
        "bad.csv, row 9, column 'date': no date: every tie needs one",
    ]
    for line, start in zip(lines[1:], expected, strict=True):
        assert line.strip().startswith(start), line
    assert sorted(os.listdir(tmp_path)) == ["bad.csv"]  # no folder, no temporary left


def test_a_kumu_row_problem_names_the_sheet(tmp_path):
    write_kumu(tmp_path / "map.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "map.xlsx")
    wb["Elements"].append(["Somebody", "Spaceship"])
    wb["Connections"]["H3"] = "March 2024"
    wb.save(tmp_path / "map.xlsx")
    result = run("import", "table", tmp_path / "map.xlsx", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "map.xlsx, sheet 'Elements', row 7, column 'Type': unknown element type 'Spaceship'" in result.output
    assert "map.xlsx, sheet 'Connections', row 3, column 'Start Date': 'March 2024' is not a date" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_kinds_refuse_refuses_a_mapped_kind(tmp_path):
    (tmp_path / "t.csv").write_text("source,target,date,kind\nChina,Russia,2024-01-30,phone call\n", encoding="utf-8")
    result = run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "out", "--unknown-kinds", "refuse")
    assert result.exit_code == 1
    assert "t.csv, row 2, column 'kind': unknown kind 'phone call' (the nearest is call" in result.output


def test_options_that_name_no_column_or_sheet_exit_2(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,date\nChina,Russia,2024\n", encoding="utf-8")
    result = run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "no source or target column" in result.output
    result = run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "out", "--source", "x", "--target", "b")
    assert result.exit_code == 2
    assert "--source 'x': t.csv has no such column; its columns are 'a', 'b', 'date'" in result.output


def test_an_existing_out_needs_force_and_never_an_input(tmp_path):
    (tmp_path / "t.csv").write_text("source,target,date\nChina,Russia,2024\n", encoding="utf-8")
    assert run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "out").exit_code == 0
    again = run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "out")
    assert again.exit_code == 2 and "already exists" in again.output
    assert run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "out", "--force").exit_code == 0
    over = run("import", "table", tmp_path / "t.csv", "--out", tmp_path, "--force")
    assert over.exit_code == 2 and "holds an input" in over.output


def test_names_resolve_against_the_given_data_folder(tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("source,target,date,kind\nChina,Atlantis Union,2024,member\n", encoding="utf-8")
    assert run("import", "table", first, "--out", tmp_path / "a", "--node-kind", "organization").exit_code == 0
    second = tmp_path / "second.csv"
    second.write_text("source,target,date,kind\nIndia,AU,2025,member\n", encoding="utf-8")
    # 'AU' is the id the first import gave; only its folder knows it.
    result = run("import", "table", second, "--out", tmp_path / "b", "--data", tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert set(ties(tmp_path / "b")) == {("member", ("IND", "AU"))}


@pytest.mark.parametrize(
    "text, expected",
    [("Meeting", ("meeting", False)), ("working group", ("working_group", False)), ("phone", ("call", True)),
     ("membership", ("member", True)), ("sumit", ("summit", True)), ("war", None)],
)  # fmt: skip
def test_kinds_map_to_the_nearest_relation(text, expected):
    assert relation_kind(text) == expected


GUIDE = Path(__file__).resolve().parents[1] / "docs" / "importers.md"


def test_the_guides_examples_run_one_after_another(tmp_path, monkeypatch):
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Your own tables and graph files") :]
    name, table = re.search(r"`([\w.-]+\.csv)`:\n\n```csv\n(.*?)\n```", section, re.S).groups()
    (tmp_path / name).write_text(table + "\n", encoding="utf-8")
    # The edge-list example's workbook: the same rows, under other headers, in a sheet named 2024.
    wb = openpyxl.Workbook()
    wb.active.title = "2024"
    frame = pd.read_csv(tmp_path / name, dtype=str, keep_default_na=False)
    wb.active.append(["Actor A", "Actor B", "When", "Relation"])
    for row in frame[["source", "target", "start", "kind"]].values.tolist():
        wb.active.append(row)
    wb.save(tmp_path / "contacts.xlsx")
    monkeypatch.chdir(tmp_path)
    commands = [
        line
        for block in re.findall(r"```sh\n(.*?)\n```", section, re.S)
        for line in block.splitlines()
        if line.startswith("explorer ")
    ]
    assert len(commands) >= 7
    for command in commands:
        result = CliRunner().invoke(cli, shlex.split(command)[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
        out = re.search(r"^explorer import \S+ .*--out (\S+)", command)
        if out:
            load_dataset(tmp_path / out.group(1))  # validates
    shown = re.search(r"The first command says what it did:\n\n```\n(.*?)\n```", section, re.S).group(1)
    first = CliRunner().invoke(cli, [*shlex.split(commands[0])[1:], "--force"], catch_exceptions=False)
    assert first.output.strip() == shown.strip()


@pytest.mark.parametrize("name", ["table", "gexf", "graphml"])
def test_every_option_is_documented(name):
    text = GUIDE.read_text(encoding="utf-8")
    assert f"explorer import {name} FILE --out DIR" in text
    for param in cli.commands["import"].commands[name].params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                assert f"`{opt}" in text, f"{opt} of 'import {name}' is not documented"


def test_a_damaged_workbook_or_another_format_is_one_line(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run("import", "table", tmp_path / "broken.xlsx", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.startswith("explorer: error: broken.xlsx: not a readable .xlsx workbook")
    assert len(result.output.strip().splitlines()) == 1
    (tmp_path / "ties.json").write_text("{}", encoding="utf-8")
    result = run("import", "table", tmp_path / "ties.json", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "ties.json: not a table explorer reads; expected .csv, .ods, .tsv, .txt, .xlsm, .xlsx" in result.output


def test_rows_that_name_one_event_make_one_event(tmp_path):
    (tmp_path / "summit.csv").write_text(
        "event,source,target,date,kind,title\n"
        "kazan-2024,Russia,China,2024-10-22,summit,BRICS summit in Kazan\n"
        "kazan-2024,Russia,India,2024-10-22,summit,\n"
        "kazan-2024,China,India,2024-10-22,summit,\n"
        ",Russia,China,2024-10-22,meeting,Xi and Putin in Kazan\n",
        encoding="utf-8",
    )
    result = run("import", "table", tmp_path / "summit.csv", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    G = build_graph(load_dataset(tmp_path / "out"))
    events = G.graph["events"]
    assert sorted(events) == ["2024-10-22-xi-and-putin-in-kazan", "kazan-2024"]
    assert sorted(p for p, _ in events["kazan-2024"]["participants"]) == ["CHN", "IND", "RUS"]
    assert events["kazan-2024"]["title"] == "BRICS summit in Kazan"
    (tmp_path / "summit.csv").write_text(
        "event,source,target,date\nkazan-2024,Russia,China,2024-10-22\nkazan-2024,Russia,India,2024-10-23\n",
        encoding="utf-8",
    )
    result = run("import", "table", tmp_path / "summit.csv", "--out", tmp_path / "out2")
    assert result.exit_code == 1
    assert "summit.csv, row 3, column 'event': event 'kazan-2024' is dated 2024-10-22 in row 2 but 2024-10-23 here" in (
        result.output
    )


def test_out_is_never_the_data_folder_names_resolve_against(tmp_path):
    (tmp_path / "t.csv").write_text("source,target,date\nChina,Russia,2024\n", encoding="utf-8")
    assert run("import", "table", tmp_path / "t.csv", "--out", tmp_path / "mine").exit_code == 0
    before = (tmp_path / "mine" / "events.csv").read_bytes()
    result = run(
        "import", "table", tmp_path / "t.csv", "--out", tmp_path / "mine", "--data", tmp_path / "mine", "--force"
    )
    assert result.exit_code == 2 and "is an input of this command" in result.output
    assert (tmp_path / "mine" / "events.csv").read_bytes() == before


def test_our_csv_export_comes_back_through_import_table(tmp_path):
    result = run("export", "--format", "csv", "--from", "1989", "--to", "2026", "--out", tmp_path / "csv")
    assert result.exit_code == 0, result.output
    # edges.csv: source, target, start, end, kind, title, sources (ids of the --data folder), and 'event',
    # which joins the pairs of one event into that event.
    result = run("import", "table", tmp_path / "csv" / "edges.csv", "--out", tmp_path / "back")
    assert result.exit_code == 0, result.output
    original = build_graph(load_dataset(Path(__file__).resolve().parents[1] / "data"))
    back = build_graph(load_dataset(tmp_path / "back"))

    def facts(G):
        return {
            (d["relation"], d["kind"], tuple(sorted((u, v))), d["start"], d["end"], tuple(sorted(d["sources"])))
            for u, v, d in G.edges(data=True)
        }

    assert facts(back) == facts(original)
    assert {k: sorted(p for p, _ in e["participants"]) for k, e in back.graph["events"].items()} == {
        k: sorted(p for p, _ in e["participants"])
        for k, e in original.graph["events"].items()
        if len(e["participants"]) > 1
    }


def test_kumu_connections_may_name_elements_by_their_id(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Elements"
    wb.active.append(["ID", "Label", "Type"])
    wb.active.append([1, "China", "Country"])
    wb.active.append([2, "Arctic Council", "Organization"])
    co = wb.create_sheet("Connections")
    co.append(["From", "To", "Type", "Date"])
    co.append([1, 2, "partner", "2013-05-15"])
    wb.save(tmp_path / "ids.xlsx")
    result = run("import", "table", tmp_path / "ids.xlsx", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert set(ties(tmp_path / "out")) == {("partner", ("CHN", "AC"))}
