"""Fuzzing the importers: real GDELT 2.0 / 1.0 and ICEWS lines with hostile fields.

Each example takes a few real rows of the fixtures (GDELT 1.0 rows are the 2.0
rows without the ADM2 codes, and without SOURCEURL for the 57-field layout),
overwrites some of their fields with hostile values (empty, control
characters, markup, spreadsheet formulas, odd codes, bad dates, huge numbers,
bytes that are not UTF-8, extra or missing tabs), and imports the file.  The
properties:

- the import raises nothing but the project's own errors
  (:class:`explorer.errors.ExplorerError`), and then writes nothing;
- whatever it writes is a data folder that :func:`explorer.loader.load_dataset`
  accepts and :func:`explorer.graph.build_graph` builds.

CI runs 50 derandomised examples per target (the same ones every run); set
``EXPLORER_FUZZ_EXAMPLES`` for a longer, random run with that many per target::

    EXPLORER_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_import.py -q

A failure prints a ``@reproduce_failure`` blob that replays it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from conftest_import import GDELT2_FIXTURE, ICEWS_FIXTURE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.errors import DataError, ExplorerError
from explorer.graph import build_graph
from explorer.importers import IMPORTERS, ImportOptions, run_import
from explorer.importers.cameo import parse_selection
from explorer.importers.gdelt import GDELT1_COLUMNS, GDELT1_URL_COLUMNS, GDELT2_COLUMNS
from explorer.importers.icews import ICEWS_COLUMNS
from explorer.loader import load_dataset

EXAMPLES = int(os.environ.get("EXPLORER_FUZZ_EXAMPLES", "0") or 0)
FUZZ = settings(
    max_examples=EXAMPLES or 50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not EXAMPLES,  # CI tries the same examples every run; a long run explores
    database=None,
    print_blob=True,
)


def _lines(path: Path, header: bool) -> list[bytes]:
    if not path.is_file():
        pytest.skip(f"real event fixtures not found at {path} (they live in ../shared/fixtures beside the repo)")
    lines = path.read_bytes().split(b"\n")
    lines = [line for line in lines if line]
    return lines[1:] if header else lines


def _project(row: bytes, columns: tuple[str, ...]) -> bytes:
    """A GDELT 2.0 row in another GDELT layout (the same columns, fewer of them)."""
    fields = dict(zip(GDELT2_COLUMNS, row.split(b"\t"), strict=True))
    return b"\t".join(fields[c] for c in columns)


HOSTILE_TEXT = [
    "",
    " ",
    "NA",
    "\t",
    "\x00",
    "\x1b]0;pwned\x07",
    "\x1b[31mred\x1b[0m",
    "a\rb",
    "\r",
    "\x0b\x0c\x1c\x1d\x1e\x1f",
    "\x85\u2028\u2029",
    "\u202eevil",
    "\ufeff",
    "\ufffe\uffff",
    '<a href="javascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    "<b>bold</b>&amp;",
    '=HYPERLINK("http://evil","x")',
    "+1+1",
    "-2874",
    "@SUM(A1)",
    'quote " inside, and comma',
    "semi;colon;list",
    "a:b",
    "Ⅷ ﬁ ǅ",
    "王毅",
    "Сергей Лавров",
    "x" * 300,
]
ODD_CODES = [
    "-2874", "eec", "EEC", "IGO", "IGOEEC", "A", "1", "0", "00", "000", "0000", "99999", "042", "04",
    "AFR", "EUR", "WST", "XXX", "USA", "CHN", "GOV", "ELI", "IGO-", "-", "_", "Ā", "ëëc", "e e c", "ZZZZZZZZZZZZZZZZZZZZ",
]  # fmt: skip
BAD_DATES = [
    "00000101", "00000000", "20180231", "20181301", "99991231", "00010101", "19000229", "20000229", "2018032",
    "201803260", "2018-03-26", "0000-01-01", "0000-06", "2018-02-30", "9999-12-31", "0001-01-01", "2018-6-1",
    "20180326044500", "99999999999999", "-20180326",
]  # fmt: skip
HUGE_NUMBERS = ["9" * 40, "-" + "9" * 40, "1e400", "-0", "NaN", "inf", "0x10", "1,5", "٣", "1_000", "4294967296"]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(ODD_CODES),
    st.sampled_from(BAD_DATES),
    st.sampled_from(HUGE_NUMBERS),
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Po", "Sm"]), max_size=6),
).map(lambda s: s.encode("utf-8"))
hostile_bytes = st.one_of(hostile_text, st.binary(max_size=8), st.just(b"\xff\xfe"), st.just(b"\xc3"))


@st.composite
def mutated_row(draw, rows: list[bytes], columns: tuple[str, ...], focus: tuple[str, ...]) -> bytes:
    """A real row with up to four fields replaced (most often those in ``focus``), sometimes a field
    more or less."""
    fields = draw(st.sampled_from(rows)).split(b"\t")
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.one_of(st.sampled_from(focus), st.sampled_from(columns)))
        fields[columns.index(name)] = draw(hostile_bytes)
    shape = draw(st.sampled_from(["same"] * 12 + ["drop", "add", "empty"]))
    if shape == "drop":
        del fields[draw(st.integers(0, len(fields) - 1))]
    elif shape == "add":
        fields.insert(draw(st.integers(0, len(fields))), draw(hostile_bytes))
    elif shape == "empty":
        return b""
    return b"\t".join(fields)


@st.composite
def organisation_row(draw, rows: list[bytes], columns: tuple[str, ...], fields: dict[str, bytes | None]) -> bytes:
    """A real row whose first actor is made an organisation (``fields`` fixed, None ones hostile)."""
    values = dict(zip(columns, draw(st.sampled_from(rows)).split(b"\t"), strict=False))
    for name, value in fields.items():
        values[name] = draw(hostile_bytes) if value is None else value
    return b"\t".join(values[c] for c in columns)


def _check_import(fmt: str, data: bytes, suffix: str, options: ImportOptions) -> None:
    with tempfile.TemporaryDirectory(prefix="explorer-fuzz-") as tmp:
        src = Path(tmp) / f"events{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        try:
            report = run_import(IMPORTERS[fmt], [src], out, options)
        except ExplorerError as exc:
            assert "internal error" not in str(exc)  # the importer's guard against its own invalid entities
            assert not out.exists(), "a failed import left its output folder"
            return
        try:
            dataset = load_dataset(out)
        except DataError as exc:
            raise AssertionError(f"the import wrote a folder that does not validate:\n{exc.report()}") from None
        build_graph(dataset)
        assert report.imported == len(dataset.events)


def _options(draw) -> ImportOptions:
    return ImportOptions(
        cameo=parse_selection(draw(st.sampled_from(["all", "default", "04,05"]))),
        strict=draw(st.booleans()),
    )


GDELT_FOCUS = tuple(
    f"Actor{n}{c}" for n in (1, 2) for c in ("Code", "Name", "CountryCode", "KnownGroupCode", "Type1Code")
) + ("GLOBALEVENTID", "SQLDATE", "EventCode", "ActionGeo_FullName", "DATEADDED", "NumSources", "NumMentions")


@pytest.mark.parametrize(
    "layout",
    [GDELT2_COLUMNS, GDELT1_URL_COLUMNS, GDELT1_COLUMNS],
    ids=["gdelt-2.0", "gdelt-1.0", "gdelt-1.0-no-url"],
)
def test_gdelt_import_of_hostile_lines_validates(layout):
    rows = [_project(r, layout) for r in _lines(GDELT2_FIXTURE, header=False)]
    focus = tuple(c for c in GDELT_FOCUS + ("SOURCEURL",) if c in layout)

    @FUZZ
    @given(data=st.data())
    def run(data):
        igo = {"Actor1Code": b"IGO", "Actor1Type1Code": b"IGO", "Actor1KnownGroupCode": None, "Actor1Name": None}
        line = st.one_of(mutated_row(rows, layout, focus), organisation_row(rows, layout, igo))
        lines = data.draw(st.lists(line, min_size=1, max_size=6), label="lines")
        # The first line decides the layout: keep one real row first half of the time.
        if data.draw(st.booleans(), label="real first line"):
            lines.insert(0, data.draw(st.sampled_from(rows), label="first"))
        _check_import("gdelt", b"\n".join(lines) + b"\n", ".CSV", _options(data.draw))

    run()


ICEWS_FOCUS = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "CAMEO Code",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Publisher",
    "City",
    "Province",
    "Country",
    "Story ID",
    "Event Text",
)


def test_icews_import_of_hostile_lines_validates():
    raw = _lines(ICEWS_FIXTURE, header=False)
    header, rows = raw[0], raw[1:]

    @FUZZ
    @given(data=st.data())
    def run(data):
        igo = {"Source Sectors": b"International Government Organization", "Source Country": b"NA", "Source Name": None}
        line = st.one_of(mutated_row(rows, ICEWS_COLUMNS, ICEWS_FOCUS), organisation_row(rows, ICEWS_COLUMNS, igo))
        lines = data.draw(st.lists(line, min_size=1, max_size=6))
        _check_import("icews", b"\n".join([header, *lines]) + b"\n", ".tab", _options(data.draw))

    run()
