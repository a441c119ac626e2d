"""Hostile and odd data at the boundary: year 0, the ends of the calendar, broken files,
bad rows, Wikidata ids and terminal escapes (issue 10).

Every case is one a user meets by saving a spreadsheet the wrong way or by editing a
link; each test checks what they would see: the problem's file, line and words, the
exit code, a notice instead of an error page.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import shutil

import pytest
from click.testing import CliRunner
from conftest import TINY, write_dataset

from explorer import DataError, load_dataset
from explorer.cli import cli
from explorer.dates import parse_bound, parse_partial
from explorer.errors import ArgumentError, Problem
from explorer.paths import bundled_data_dir
from explorer.presenter import STEPS, advance, prepare_app_data, render_view
from explorer.schema import FILES
from explorer.viewstate import ViewState


def _problems(folder) -> list[Problem]:
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    return info.value.problems


def _tiny(tmp_path, **changes):
    """The tiny data folder with ``changes``: {file: [(row index, column, value), ...]}."""
    tables = copy.deepcopy(TINY)
    for name, edits in changes.items():
        for index, column, value in edits:
            tables[name][index][column] = value
    return write_dataset(tmp_path / "d", tables)


def _bundled_copy(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), folder)
    return folder


def _csv_line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)
    return out.getvalue()


def _cli(*args):
    result = CliRunner().invoke(cli, list(args))
    # An error the CLI handles ends as SystemExit; anything else escaped as a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


# ---- 1. year 0 ------------------------------------------------------------------------


YEAR_ZERO = [
    ("affiliations", 2, "start", "0000-01-01", {"start_precision": "day"}),
    ("affiliations", 3, "end", "0000-06", {"end_precision": "month"}),
    ("events", 0, "start", "0000", {"precision": "year"}),
    ("sources", 1, "published", "0000-06", {}),
]


@pytest.mark.parametrize("file,index,column,value,more", YEAR_ZERO, ids=[f"{c[0]}-{c[3]}" for c in YEAR_ZERO])
def test_year_zero_is_a_validation_problem(tmp_path, file, index, column, value, more):
    edits = [(index, column, value)] + [(index, k, v) for k, v in more.items()]
    problems = _problems(_tiny(tmp_path, **{file: edits}))
    text = [str(p) for p in problems]
    assert len(text) == 1, text
    assert text[0].startswith(f"{file}.csv:{index + 2}: column '{column}': '{value}' is not a valid date; expected ")
    assert "year 0001 to 9999" in text[0]


def test_validate_info_and_serve_report_year_zero_in_one_line_each(tmp_path):
    folder = _tiny(tmp_path, affiliations=[(0, "start", "0000-01")])
    expected = "affiliations.csv:2: column 'start': '0000-01' is not a valid date"
    result = _cli("validate", "--data", str(folder))
    assert result.exit_code == 1 and expected in result.stdout
    result = _cli("info", "--data", str(folder))
    assert result.exit_code == 1 and expected in result.stderr
    with pytest.raises(DataError, match="'0000-01' is not a valid date"):
        prepare_app_data(folder)  # what `explorer serve` does first


@pytest.mark.parametrize("text", ["0000", "0000-06", "0000-01-01"])
def test_year_zero_in_arguments_and_links(text):
    with pytest.raises(ValueError, match="no year 0"):
        parse_partial(text)
    with pytest.raises(ArgumentError, match="--to: .*no year 0"):
        parse_bound(text, "to")
    state, notices = ViewState.from_query(f"to={text}")
    assert state.date_to is None and notices and "to=" in notices[0]


def test_digits_of_other_scripts_are_not_dates():
    with pytest.raises(ValueError):
        parse_partial("٢٠٢٤")  # Arabic-Indic digits for 2024, which int() accepts


# ---- 2. the ends of the calendar in a view ------------------------------------------------


def test_lookback_before_year_one_is_refused_with_a_notice_and_renders(app_data):
    state, notices = ViewState.from_query("?to=0001-01-05&lookback=10")
    assert state.lookback == 0 and state.window() == (None, dt.date(1, 1, 5))
    assert len(notices) == 1 and "lookback=10" in notices[0] and "at most 5" in notices[0]
    result = render_view(app_data, state)
    assert result.counts["nodes"] == 0  # the data has nothing in year 1, but the page draws


def test_lookback_that_fits_reaches_day_one():
    state, notices = ViewState.from_query("to=0001-01-05&lookback=5")
    assert not notices and state.window() == (dt.date(1, 1, 1), dt.date(1, 1, 5))


def test_window_of_a_state_built_directly_is_clamped_to_day_one():
    assert ViewState(date_to="0001-01-05", lookback=10).window() == (dt.date(1, 1, 1), dt.date(1, 1, 5))
    assert ViewState(date_to="0001-01-05", lookback=10**12).window()[0] == dt.date.min


@pytest.mark.parametrize(
    "query,previous",
    [
        ("from=0001-01-01&to=0001-01-05", None),
        ("to=0001-01-05&lookback=5", None),
        ("from=0001-01-03&to=0001-12-31", (dt.date(1, 1, 1), dt.date(1, 1, 2))),
        ("from=0001-01-06&to=0001-01-10", (dt.date(1, 1, 1), dt.date(1, 1, 5))),
        ("from=9999-12-31&to=9999-12-31", (dt.date(9999, 12, 30), dt.date(9999, 12, 30))),
    ],
)
def test_the_window_before_stops_at_day_one(query, previous):
    state, notices = ViewState.from_query(query)
    assert not notices and state.previous_window() == previous


def test_cli_lookback_before_year_one_is_one_line_exit_2(tmp_path):
    out = tmp_path / "view.json"
    result = _cli("export", "--to", "0001-01-05", "--lookback", "10", "--out", str(out))
    assert result.exit_code == 2 and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("explorer: error: --lookback:") and "at most 5" in lines[0]


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("query", ["from=9999-12-01&to=9999-12-31", "to=9999-12-31&lookback=30", "from=9999&to=9999"])
def test_play_from_a_window_ending_9999_12_31_stops_at_the_end(app_data, query, step):
    state, notices = ViewState.from_query(query)
    assert not notices
    new, done = advance(state, app_data, step)
    assert done
    start, end = new.window()
    assert end == app_data.span[1] and (start is None or start <= end)
    render_view(app_data, new)


def test_play_at_the_end_of_a_data_folder_reaching_9999(tmp_path):
    folder = _tiny(tmp_path, affiliations=[(4, "end", "9999-12-31"), (4, "end_precision", "day")])
    data = prepare_app_data(folder)
    assert data.span[1] == dt.date(9999, 12, 31)
    state = ViewState(date_from="9999-12-01", date_to="9999-12-31")
    for step in STEPS:
        new, done = advance(state, data, step)
        assert done and new.window()[1] == dt.date(9999, 12, 31)


# ---- 3. line numbers ----------------------------------------------------------------------


def _line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if marker in line)


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_line_numbers_count_blank_lines_and_line_breaks_in_quoted_values(tmp_path, newline):
    folder = write_dataset(tmp_path / "d")
    path = folder / "entities.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "")
    lines.insert(3, "")
    lines.insert(4, 'XKX,country,Kosovo,,XKX,,,"a note' + newline + "over" + newline + 'three lines"')
    lines.insert(5, "")
    lines.append("")
    lines.append("ZZZ,contry,Nowhere,,,,,")
    text = newline.join(lines) + newline
    path.write_bytes(text.encode("utf-8"))
    problems = _problems(folder)
    assert [str(p) for p in problems] == [
        f"entities.csv:{_line_of(text, 'ZZZ,contry')}: column 'kind': 'contry' is not allowed; "
        "expected one of country, official, organization"
    ]
    assert _line_of(text, "ZZZ,contry") == 15


def test_line_numbers_of_the_bundled_data_after_a_multiline_note(tmp_path):
    folder = _bundled_copy(tmp_path)
    path = folder / "events.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    head, row, rest = lines[0], lines[1], lines[2:]
    assert ',"Formalised' in row and all(line.count('"') % 2 == 0 for line in lines)  # one line per record
    row = row.replace(',"Formalised', ',"Formalised\n\n(two breaks)', 1)
    fields = next(csv.reader([rest[5]]))
    fields[FILES["events"].columns.index("confidence")] = "sure"
    bad = _csv_line(fields)
    text = head + "\n" + row + "".join(rest[:5]) + bad + "".join(rest[6:])
    path.write_text(text, encoding="utf-8")
    (p,) = _problems(folder)
    assert (p.line, p.column, p.value) == (text.splitlines().index(bad.rstrip("\n")) + 1, "confidence", "sure")


# ---- 4. files that are not UTF-8 CSV ----------------------------------------------------------


def _utf16(text: str) -> bytes:
    return text.encode("utf-16")


WHOLE_FILE = {
    "utf-16": (_utf16, "not UTF-8 text (looks like UTF-16); save it as UTF-8 CSV"),
    "utf-16-le-no-bom": (lambda t: t.encode("utf-16-le"), "not UTF-8 text (looks like UTF-16); save it as UTF-8 CSV"),
    "utf-16-be-no-bom": (lambda t: t.encode("utf-16-be"), "not UTF-8 text (looks like UTF-16); save it as UTF-8 CSV"),
    "utf-32": (lambda t: t.encode("utf-32"), "not UTF-8 text (looks like UTF-32); save it as UTF-8 CSV"),
    "xlsx": (lambda t: b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "looks like an .xlsx or .ods workbook"),
    "binary": (lambda t: bytes(range(256)) * 8, "not a text file (looks like binary data)"),
    "semicolons": (
        lambda t: t.replace(",", ";").encode(),
        "separates values with semicolons, not commas; save it as comma-separated UTF-8 CSV",
    ),
    "tabs": (lambda t: t.replace(",", "\t").encode(), "separates values with tabs, not commas"),
    "no-header": (lambda t: t.split("\n", 1)[1].encode(), "is not a header row"),
}


@pytest.mark.parametrize("file", ["entities", "sources", "events"])
@pytest.mark.parametrize("kind", list(WHOLE_FILE))
def test_a_file_that_is_not_utf8_csv_is_one_problem(tmp_path, file, kind):
    folder = _bundled_copy(tmp_path)
    path = folder / f"{file}.csv"
    convert, words = WHOLE_FILE[kind]
    path.write_bytes(convert(path.read_text(encoding="utf-8")))
    problems = _problems(folder)
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].file == f"{file}.csv" and words in str(problems[0])


def test_utf16_message_reads_as_asked(tmp_path):
    folder = _bundled_copy(tmp_path)
    (folder / "entities.csv").write_bytes(_utf16((folder / "entities.csv").read_text(encoding="utf-8")))
    result = _cli("validate", "--data", str(folder))
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        "  entities.csv: not UTF-8 text (looks like UTF-16); save it as UTF-8 CSV"
    ]


def test_a_latin1_file_is_one_problem_at_its_first_bad_line(tmp_path):
    folder = _bundled_copy(tmp_path)
    path = folder / "entities.csv"
    text = path.read_text(encoding="utf-8").replace("Russian Federation", "Fédération de Russie")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    first = next(i for i, line in enumerate(text.splitlines(), 1) if any(0x80 <= ord(c) <= 0xFF for c in line))
    (p,) = _problems(folder)
    assert p.line == first and "not UTF-8 text" in p.message and "Latin-1" in p.message


# ---- 5. rows with the wrong number of values, bad quotes --------------------------------------


def _append(folder, name: str, *rows: str) -> str:
    path = folder / name
    text = path.read_text(encoding="utf-8") + "".join(r + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    return text


def test_a_short_row_is_a_problem_naming_its_line(tmp_path):
    folder = write_dataset(tmp_path / "d")
    text = _append(folder, "entities.csv", "XKX,country,Kosovo")
    (p,) = _problems(folder)
    assert (p.file, p.line) == ("entities.csv", _line_of(text, "XKX,country,Kosovo"))
    assert "has 3 values but the header has 8 columns" in str(p)


def test_a_long_row_is_a_problem_naming_its_line(tmp_path):
    folder = write_dataset(tmp_path / "d")
    text = _append(folder, "participants.csv", "e1,EGY,guest,surprise")
    (p,) = _problems(folder)
    assert (p.file, p.line) == ("participants.csv", _line_of(text, "e1,EGY,guest,surprise"))
    assert "has 4 values but the header has 3 columns" in str(p)


def test_a_quote_never_closed_is_a_problem_at_the_line_it_opens(tmp_path):
    folder = write_dataset(tmp_path / "d")
    text = _append(folder, "sources.csv", 'S8,"An unclosed title,Agency,,2024,high,', "S9,Fine,Agency,,2024,high,")
    (p,) = _problems(folder)
    line = _line_of(text, "S8,")
    assert (p.file, p.line) == ("sources.csv", line)
    assert f"quote that is never closed (lines {line} to {line + 1}" in p.message


def test_a_misplaced_quote_is_a_problem_and_later_rows_are_still_checked(tmp_path):
    folder = write_dataset(tmp_path / "d")
    text = _append(folder, "sources.csv", 'S8,"Title" extra,Agency,,2024,high,', "S9,Fine,Agency,,2024,great,")
    problems = _problems(folder)
    assert [(p.line, p.column) for p in problems] == [
        (_line_of(text, "S8,"), ""),
        (_line_of(text, "S9,"), "reliability"),
    ]
    assert "quote in the wrong place" in problems[0].message


def test_a_value_too_long_to_be_one_stops_that_file_with_one_problem(tmp_path):
    folder = write_dataset(tmp_path / "d")
    text = _append(folder, "sources.csv", 'S8,"' + "x" * 200_000, "S9,Fine,Agency,,2024,high,")
    (p,) = _problems(folder)
    assert p.line == _line_of(text, "S8,") and "quote that is never closed" in p.message


# ---- 6. wikidata ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["Q0", "q148", "148", "Q148x", "Q 148", "Q-1", "Q０", "https://www.wikidata.org/wiki/Q148"]
)
def test_a_wikidata_value_must_be_an_item_id(tmp_path, value):
    (p,) = _problems(_tiny(tmp_path, entities=[(0, "wikidata", value)]))
    assert str(p).startswith(f"entities.csv:2: column 'wikidata': {value!r} is not a Wikidata item id")


@pytest.mark.parametrize("value", ["", "Q148", "Q1", "Q123456789"])
def test_wikidata_item_ids_and_empty_values_pass(tmp_path, value):
    load_dataset(_tiny(tmp_path, entities=[(0, "wikidata", value)]))


# ---- 7. terminal escapes --------------------------------------------------------------------------

# (A bare CR would end the line: the unit test below checks that one.)
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\t\x9b31m\u202e"


def test_validate_shows_control_characters_from_data_escaped(tmp_path):
    folder = _tiny(
        tmp_path,
        entities=[(0, "kind", "con" + ESCAPES)],  # also quoted inside another row's message
        sources=[(0, "reliability", ESCAPES)],
    )
    path = folder / "events.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",note", ",note" + ESCAPES, 1), encoding="utf-8")
    result = _cli("validate", "--data", str(folder))
    assert result.exit_code == 1
    shown = result.stdout
    for char in "\x1b\x07\x9b\u202e\t":
        assert char not in shown
    assert "\\x1b]0;pwned\\x07" in shown
    assert "column 'note\\x1b]0;pwned\\x07\\x1b[2J\\t\\x9b31m\\u202e': " in shown
    assert "'\\x1b]0;pwned\\x07\\x1b[2J\\t\\x9b31m\\u202e' is not allowed" in shown
    assert "is a con\\x1b]0;pwned" in shown  # a kind named in the message of an affiliation


def test_problem_text_is_one_line_whatever_the_data():
    p = Problem("entities.csv", 3, "name\n", "a\nb", "is odd\r", "x\x1by")
    assert "\n" not in str(p) and "\r" not in str(p) and "\x1b" not in str(p)
    err = DataError("/tmp/\x1b]0;x\x07", [p])
    assert "\x1b" not in err.report() and "\x07" not in err.report()


def test_a_header_with_a_broken_quote_is_one_problem_for_its_file(tmp_path):
    folder = _bundled_copy(tmp_path)
    path = folder / "sources.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text('"id"x,title' + text[len("id,title") :], encoding="utf-8")
    (p,) = _problems(folder)
    assert (p.file, p.line) == ("sources.csv", 1) and "quote in the wrong place" in p.message
