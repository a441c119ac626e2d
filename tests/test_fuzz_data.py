"""Fuzzing the data boundary: the five files of a data folder, and view-state links.

Data folders: each example starts from the tiny valid folder of ``conftest.TINY``,
adds rows built from the vocabularies of :mod:`explorer.schema`, overwrites some
values with hostile text (control characters, NUL, markup, spreadsheet formulas,
huge numbers, odd dates such as ``0000`` or ``9999-12-31``, partial dates, any
Unicode), and sometimes damages a file as a person or a tool would (a field more
or less, an unclosed quote, blank lines, CRLF, a byte order mark, UTF-16,
semicolons, no header, a cut in the middle).  The properties:

- :func:`explorer.loader.load_dataset` raises nothing but the project's own errors
  (:class:`explorer.errors.ExplorerError` subclasses);
- every problem it reports is one printable line, with no control character from
  the data, and points at a line that exists in its file;
- a folder it accepts builds into a graph and summarises.

View-state links: random query strings (known and unknown keys; dates near
0001-01-01 and 9999-12-31, partial and impossible dates; huge look-backs; unknown
ids; 10,000 countries) parsed with :meth:`ViewState.from_query`.  Every link
either renders on the bundled data with :func:`explorer.presenter.render_view`,
its refused parts named in short one-line notices, or (strict, as the CLI's
``--view``) is refused with an :class:`~explorer.errors.ArgumentError`; never an
exception.  A rendered state survives its own link (``to_query`` round trip) and
one step of playback.

Runs: CI uses the hypothesis profile ``explorer-data-ci`` (60 examples per
target, derandomised so every run tries the same examples).  For a longer,
random run set ``EXPLORER_FUZZ_EXAMPLES``, which selects the profile
``explorer-data-long`` with that many examples per target::

    EXPLORER_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_data.py -q

A failure prints a ``@reproduce_failure`` blob that replays it.
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import TINY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import schema
from explorer.errors import ArgumentError, DataError, ExplorerError
from explorer.graph import build_graph
from explorer.loader import load_dataset
from explorer.paths import bundled_data_dir
from explorer.presenter import STEPS, advance, prepare_app_data, render_view
from explorer.viewstate import QUERY_KEYS, TABS, ViewState

EXAMPLES = int(os.environ.get("EXPLORER_FUZZ_EXAMPLES", "0") or 0)
settings.register_profile(
    "explorer-data-ci",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
    database=None,
    print_blob=True,
)
settings.register_profile(
    "explorer-data-long",
    parent=settings.get_profile("explorer-data-ci"),
    max_examples=max(EXAMPLES, 1),
    derandomize=False,
)
FUZZ = settings(settings.get_profile("explorer-data-long" if EXAMPLES else "explorer-data-ci"))

# C0 and C1 controls, DEL, line separators and bidirectional overrides: what must never reach a terminal raw.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

# ---- values -------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b]0;pwned\x07",
    "\x1b[31mred\x1b[0m",
    "\x9b31m",
    "a\rb",
    "line\nbreak",
    "\r\n",
    "\t",
    "\x0b\x0c\x1c\x1d\x1e\x1f\x7f",
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
    '"',
    '"unclosed',
    ",,,",
    ";;",
    "a:b:c",
    "Ⅷ ﬁ ǅ",
    "王毅",
    "Сергей Лавров",
    "٢٠٢٤",
    "9" * 400,
    "-" + "9" * 40,
    "1e400",
    "NaN",
    "nan",
    "None",
    "null",
    "x" * 3000,
]
ODD_DATES = [
    "0000",
    "0000-06",
    "0000-01-01",
    "0001",
    "0001-01",
    "0001-01-01",
    "9999",
    "9999-12",
    "9999-12-31",
    "2024-02-29",
    "2023-02-29",
    "2024-13",
    "2024-00",
    "2024-01-00",
    "2024-1-1",
    "24-01-01",
    "2024/01/01",
    "20240101",
    "10000",
    "-2024",
    " 2024 ",
    "2024-01-01T00:00",
    "２０２４",
]
DATES = ["2023", "2023-01", "2024-01-01", "2024-01-30", "2006-09-20", "2024-12-31", *ODD_DATES]
ENTITY_IDS = ["CHN", "RUS", "EGY", "BRICS", "ma-zhaoxu", "sergey-lavrov", "XKX", "USA", "SCO", "wang-yi", "ZZZ"]
SOURCE_IDS = ["S1", "S2", "S3"]
EVENT_IDS = ["e1", "e2", "e3"]


def _listed(pool: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pool), max_size=3).map(";".join)


def _column_values(column: str) -> st.SearchStrategy[str]:
    """Valid values of a column (from the schema), plus the odd ones a column of that sort meets."""
    pools = {
        "kind": list(schema.ENTITY_KINDS) + list(schema.AFFILIATION_KINDS) + list(schema.EVENT_KINDS),
        "role": list(schema.ROLES),
        "confidence": list(schema.CONFIDENCE),
        "status": list(schema.STATUSES),
        "reliability": list(schema.RELIABILITY),
        "precision": list(schema.PRECISIONS),
        "start_precision": list(schema.PRECISIONS),
        "end_precision": list(schema.PRECISIONS),
        "id": ENTITY_IDS + SOURCE_IDS + EVENT_IDS,
        "source": ENTITY_IDS,
        "target": ENTITY_IDS,
        "entity": ENTITY_IDS,
        "country": ENTITY_IDS,
        "iso3": ENTITY_IDS,
        "place_country": ENTITY_IDS,
        "event": EVENT_IDS,
        "wikidata": ["Q148", "Q1", "Q0", "q148", "Q148x", ""],
        "url": ["https://tass.com/x", "http://a.b", "javascript:alert(1)", "ftp://x", "https://"],
        "topics": [
            "Ukraine:discussed",
            "Ukraine:discussed;Middle East:agreed",
            "x:",
            ":agreed",
            "a:b:agreed",
            "t:maybe",
        ],
    }
    if column in ("start", "end", "published"):
        return st.sampled_from(DATES)
    if column in ("sources",):
        return _listed(SOURCE_IDS + ["S9", ""])
    if column == "aliases":
        return _listed(["China", "PRC", "中国", "Lavrov", ""])
    if column in pools:
        return st.sampled_from(pools[column])
    return st.text(max_size=20)


hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(ODD_DATES),
    st.text(max_size=12),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Po", "Sm"]), max_size=6),
)


def _value(column: str) -> st.SearchStrategy[str]:
    return st.one_of(_column_values(column), _column_values(column), hostile_text)


@st.composite
def new_row(draw, file: str) -> dict[str, str]:
    """A row of ``file`` whose every value is drawn from that column's values or hostile text."""
    spec = schema.FILES[file]
    return {c: draw(_value(c), label=f"{file}.{c}") for c in spec.columns}


@st.composite
def tables(draw) -> dict[str, list[dict[str, str]]]:
    """The tiny valid folder with rows added and values overwritten."""
    out = copy.deepcopy(TINY)
    for file in schema.FILES:
        out[file] += draw(st.lists(new_row(file), max_size=3), label=f"new {file} rows")
    for _ in range(draw(st.integers(0, 6), label="changes")):
        file = draw(st.sampled_from(list(schema.FILES)), label="file")
        rows = out[file]
        if not rows:
            continue
        row = rows[draw(st.integers(0, len(rows) - 1), label="row")]
        column = draw(st.sampled_from(schema.FILES[file].columns), label="column")
        row[column] = draw(_value(column), label="value")
    return out


DAMAGE = [
    "none",
    "drop field",
    "add field",
    "unclosed quote",
    "blank lines",
    "crlf",
    "bom",
    "utf-16",
    "latin-1",
    "semicolons",
    "no header",
    "extra column",
    "missing column",
    "duplicate column",
    "cut",
    "random bytes",
    "empty",
]


def _csv_bytes(columns: list[str], rows: list[dict[str, str]], newline: str = "\n") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8", errors="surrogatepass")


@st.composite
def file_bytes(draw, file: str, rows: list[dict[str, str]]) -> bytes:
    """The file as written, most often intact, sometimes damaged one way."""
    columns = list(schema.FILES[file].columns)
    damage = draw(st.sampled_from(["none"] * 10 + DAMAGE), label=f"{file} damage")
    if damage == "extra column":
        columns.insert(draw(st.integers(0, len(columns))), draw(st.sampled_from(["extra", "", "line", "Id"])))
    elif damage == "missing column":
        columns.pop(draw(st.integers(0, len(columns) - 1)))
    elif damage == "duplicate column":
        columns.append(draw(st.sampled_from(columns)))
    raw = _csv_bytes(columns, rows, "\r\n" if damage == "crlf" else "\n")
    lines = raw.split(b"\n")
    at = draw(st.integers(1, max(1, len(lines) - 1)), label="line")
    if damage == "drop field" and len(lines) > 1:
        lines[at] = lines[at].rpartition(b",")[0]
    elif damage == "add field":
        lines[at] += b",surplus"
    elif damage == "unclosed quote":
        lines[at] = lines[at].replace(b",", b',"', 1)
    elif damage == "blank lines":
        lines[at:at] = [b"", b"   ", b""]
    elif damage == "no header":
        lines = lines[1:]
    elif damage == "semicolons":
        lines = [line.replace(b",", b";") for line in lines]
    elif damage == "random bytes":
        lines.insert(at, draw(st.binary(max_size=40), label="bytes"))
    raw = b"\n".join(lines)
    if damage == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif damage == "utf-16":
        raw = raw.decode("utf-8", errors="replace").encode("utf-16")
    elif damage == "latin-1":
        raw = raw.decode("utf-8", errors="replace").encode("latin-1", errors="replace").replace(b"a", b"\xe4", 1)
    elif damage == "cut":
        raw = raw[: draw(st.integers(0, len(raw)), label="cut at")]
    elif damage == "empty":
        raw = b""
    return raw


@st.composite
def data_folder(draw) -> dict[str, bytes]:
    t = draw(tables())
    return {schema.FILES[f].name: draw(file_bytes(f, t[f])) for f in schema.FILES}


def _physical_lines(raw: bytes) -> int:
    """An upper bound on the lines of a file, however its lines end."""
    return raw.count(b"\n") + raw.count(b"\r") + 1


def _check_folder(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="explorer-fuzz-data-") as tmp:
        folder = Path(tmp)
        for name, raw in files.items():
            (folder / name).write_bytes(raw)
        try:
            ds = load_dataset(folder)
        except DataError as exc:
            assert exc.problems, "a DataError without problems"
            for p in exc.problems:
                text = str(p)
                assert not UNSAFE.search(text), f"a control character reaches the terminal: {text!r}"
                assert p.file in files, text
                assert 0 <= p.line <= _physical_lines(files[p.file]), f"{text} (the file has fewer lines)"
            assert not UNSAFE.search(exc.report().replace("\n", " "))
            return
        except ExplorerError:
            return
        summary = ds.summary()
        assert summary["participants"] == len(ds.participants)
        G = build_graph(ds)
        assert set(G.nodes) <= set(ds.entities["id"])


@FUZZ
@given(files=data_folder())
def test_loader_raises_only_its_own_errors(files):
    _check_folder(files)


TINY_FILES = {spec.name: _csv_bytes(list(spec.columns), TINY[key]) for key, spec in schema.FILES.items()}


@FUZZ
@given(file=st.sampled_from(list(TINY_FILES)), raw=st.binary(max_size=600))
def test_loader_on_arbitrary_bytes_in_one_file(file, raw):
    _check_folder({**TINY_FILES, file: raw})


# ---- view-state links -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


LINK_DATES = [
    "0001-01-01",
    "0001-01-05",
    "0001-01",
    "0001",
    "0000",
    "0000-06",
    "9999-12-31",
    "9999-12",
    "9999",
    "2024",
    "2024-02",
    "2024-02-29",
    "2023-02-29",
    "2024-13",
    "2024-06-31",
    "",
    "x",
]
LOOKBACKS = ["0", "1", "10", "366", "36600", "36601", "-1", "99999999999999999999", "1e3", "٣", "", "9" * 5000]


def _link_values(app_data) -> dict[str, st.SearchStrategy[str]]:
    ids = sorted(app_data.entities)
    some_ids = st.one_of(st.sampled_from(ids), st.sampled_from(["NOPE", "edge|CHN|RUS", "pair|CHN|RUS", ""]))
    countries = sorted(n for n, a in app_data.entities.items() if a.get("kind") == "country")
    many_unknown = ",".join(f"X{i:04d}" for i in range(10_000))
    date = st.one_of(st.sampled_from(LINK_DATES), st.dates().map(lambda d: d.isoformat()), hostile_text)
    number = st.one_of(st.sampled_from(LOOKBACKS), st.integers(-10, 10**12).map(str), hostile_text)

    def listed(pool):
        return st.lists(st.one_of(st.sampled_from(pool), hostile_text), max_size=4).map(",".join)

    return {
        "from": date,
        "to": date,
        "vsfrom": date,
        "vsto": date,
        "lookback": number,
        "minw": number,
        "depth": number,
        "level": st.sampled_from(["officials", "countries", "Countries", ""]),
        "kinds": listed(list(schema.ENTITY_KINDS)),
        "rel": listed(list(schema.AFFILIATION_KINDS) + list(schema.EVENT_KINDS)),
        "org": some_ids,
        "countries": st.one_of(listed(countries + ["ZZZ", "china"]), st.just(many_unknown)),
        "topics": listed(app_data.topics or ["Ukraine"]),
        "outcomes": listed(list(schema.OUTCOMES)),
        "focus": some_ids,
        "metric": st.sampled_from(["degree", "betweenness", "community", "pagerank", "nope"]),
        "color": st.sampled_from(["kind", "country", "community", "rainbow"]),
        "tab": st.sampled_from([*TABS, "admin"]),
        "sel": some_ids,
        "pfrom": some_ids,
        "pto": some_ids,
    }


@st.composite
def links(draw, values: dict[str, st.SearchStrategy[str]]) -> str:
    keys = st.one_of(
        st.sampled_from(list(QUERY_KEYS.values())), st.sampled_from(["x", "FROM", "to ", ""]), hostile_text
    )
    pairs = []
    for _ in range(draw(st.integers(0, 8), label="pairs")):
        key = draw(keys, label="key")
        pairs.append((key, draw(values.get(key, hostile_text), label=key)))
    query = "&".join(f"{quote(k)}={quote(v, safe=',:')}" for k, v in pairs)
    form = draw(st.sampled_from(["plain", "?", "url", "raw"]), label="form")
    if form == "?":
        return "?" + query
    if form == "url":
        return "http://127.0.0.1:8050/?" + query
    if form == "raw":  # pasted without percent-encoding
        return "&".join(f"{k}={v}" for k, v in pairs)
    return query


def test_every_link_renders_or_is_refused_with_a_notice(app_data):
    @FUZZ
    @given(link=links(_link_values(app_data)), step=st.sampled_from(list(STEPS)))
    def run(link, step):
        state, notices = ViewState.from_query(link)
        for notice in notices:
            assert "\n" not in notice and len(notice) <= 400, notice
        start, end = state.window()
        assert start is None or end is None or start <= end
        previous = state.previous_window()
        assert previous is None or previous[0] <= previous[1] < start
        state.describe()
        result = render_view(app_data, state)
        assert result.counts["nodes"] == result.view.number_of_nodes()
        again, more = ViewState.from_query(state.to_query())
        assert again == state and not more, f"the link of {state} does not reproduce it: {more}"
        after, _ = advance(state, app_data, step)
        render_view(app_data, after)
        try:
            strict = ViewState.from_query(link, strict=True)[0]
        except ArgumentError:
            return
        assert strict == state

    run()
