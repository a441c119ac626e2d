"""GDELT event files: 2.0 (61 fields) and 1.0 daily files (58 fields, 57 before April 2013).

The files have no header, one event per line, tab-separated fields and no
quoting.  Codes keep their leading zeros (``042``), geographic country codes
are FIPS 10-4 (``SF`` is South Africa), so an event's country is read from its
ActionGeo full name.  Each event cites its article (``SOURCEURL``); GDELT 1.0
files without that field cite the file itself.

An event's confidence is ``medium`` when at least two sources reported it
(``NumSources >= 2``) and ``low`` otherwise: GDELT is machine-coded.

GDELT dates some events from phrases such as "last year" or "last month" in
their article, so a file holds rows dated well before the day it was
published: an event dated :data:`MISDATED_DAYS` days or more before its
``DATEADDED`` is kept as dated, and counted as *misdated* in the summary.

GDELT's other tables (Mentions, GKG) are told apart from event files and
named in the error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .actors import Actor, gdelt_actor
from .base import EventFormat, Layout, per_distinct
from .countries import iso3_from_place
from .reader import InputError

__all__ = [
    "GDELT",
    "LAYOUTS",
    "GDELT2_COLUMNS",
    "GDELT1_COLUMNS",
    "GDELT1_URL_COLUMNS",
    "MISDATED_DAYS",
    "detect",
    "file_name",
    "misdated",
]

MISDATED_DAYS = 7
"""An event dated this many days or more before the day GDELT added it is counted as misdated (kept)."""

_ACTOR = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_EVENT = (
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
)
_GEO_1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO_2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")


def _columns(geo: tuple[str, ...], url: bool) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID",
        "SQLDATE",
        "MonthYear",
        "Year",
        "FractionDate",
        *(f"Actor1{c}" for c in _ACTOR),
        *(f"Actor2{c}" for c in _ACTOR),
        *_EVENT,
        *(f"{who}Geo_{c}" for who in ("Actor1", "Actor2", "Action") for c in geo),
        "DATEADDED",
        *(("SOURCEURL",) if url else ()),
    )


GDELT2_COLUMNS = _columns(_GEO_2, url=True)
GDELT1_URL_COLUMNS = _columns(_GEO_1, url=True)
GDELT1_COLUMNS = _columns(_GEO_1, url=False)

LAYOUTS: dict[int, Layout] = {
    61: Layout("GDELT 2.0", GDELT2_COLUMNS),
    58: Layout("GDELT 1.0", GDELT1_URL_COLUMNS),
    57: Layout("GDELT 1.0 (no SOURCEURL)", GDELT1_COLUMNS),
}
"""GDELT layouts by number of fields."""

_ACTOR_FIELDS = ("Code", "Name", "CountryCode", "KnownGroupCode", "Type1Code", "Type2Code", "Type3Code")


def _expected() -> str:
    cols = GDELT2_COLUMNS
    return (
        f"61 tab-separated fields (GDELT 2.0: {', '.join(cols[:6])}, ..., {', '.join(cols[-3:])}) "
        "or 58/57 (GDELT 1.0, the same without the ADM2 codes, with or without SOURCEURL)"
    )


_STAMP = re.compile(r"\d{14}")
_GKG_RECORD = re.compile(r"\d{14}-T?\d+")


def _other_table(fields: list[str], label: str) -> str:
    """What GDELT table other than the events a first line comes from ('' if none): Mentions or GKG."""
    first = fields[0].strip()
    name = label.rsplit("/", 1)[-1].lower()
    upper = [f.strip().upper() for f in fields[:3]]
    if (
        upper[:2] == ["GLOBALEVENTID", "EVENTTIMEDATE"]
        or (len(fields) in (14, 15, 16) and first.isdigit() and all(_STAMP.fullmatch(f.strip()) for f in fields[1:3]))
        or (".mentions." in name and len(fields) not in LAYOUTS)
    ):
        return f"a GDELT 2.0 Mentions file ({len(fields)} columns: GLOBALEVENTID, EventTimeDate, MentionTimeDate, ...)"
    if upper[0] == "GKGRECORDID" or _GKG_RECORD.fullmatch(first):
        return f"a GDELT 2.x Global Knowledge Graph (GKG) file ({len(fields)} columns: GKGRECORDID, DATE, ...)"
    if upper[:2] == ["DATE", "NUMARTS"] or (".gkg" in name and len(fields) not in LAYOUTS):
        return f"a GDELT 1.0 Global Knowledge Graph (GKG) file ({len(fields)} columns: DATE, NUMARTS, ...)"
    return ""


def detect(first_line: str, label: str) -> Layout:
    """The GDELT layout of a file from its first line (a header line naming the columns is allowed).

    >>> detect("\\t".join(["1"] * 61), "f").name, detect("\\t".join(["1"] * 57), "f").name
    ('GDELT 2.0', 'GDELT 1.0 (no SOURCEURL)')

    GDELT's Mentions and GKG files are named as such:

    >>> detect("\\t".join(["741917022", "20180326044500", "20180326044500"] + ["1"] * 13), "m.CSV")
    Traceback (most recent call last):
    ...
    explorer.importers.reader.InputError: m.CSV: this is a GDELT 2.0 Mentions file (16 columns: GLOBALEVENTID, EventTimeDate, MentionTimeDate, ...), not an event file; import the matching export file (YYYYMMDDHHMMSS.export.CSV.zip) instead
    """
    fields = first_line.split("\t")
    other = _other_table(fields, label)
    if other:
        raise InputError(
            f"{label}: this is {other}, not an event file; import the matching export file "
            "(YYYYMMDDHHMMSS.export.CSV.zip) instead"
        )
    layout = LAYOUTS.get(len(fields))
    hint = ""
    if first_line.startswith("Event ID\tEvent Date"):
        hint = "; it looks like an ICEWS file: use 'explorer import icews'"
    if layout is None:
        raise InputError(
            f"{label}: not a GDELT event file: its first line has {len(fields)} tab-separated "
            f"field{'s' if len(fields) != 1 else ''}; expected {_expected()}{hint}"
        )
    if fields[0].strip().upper() == "GLOBALEVENTID":
        if [f.strip().lower() for f in fields] != [c.lower() for c in layout.columns]:
            raise InputError(
                f"{label}: its header line does not name the {layout.name} columns; "
                f"expected {', '.join(layout.columns)}"
            )
        return Layout(layout.name, layout.columns, header=True)
    if not fields[0].strip().isdigit():
        raise InputError(
            f"{label}: not a GDELT event file: its first field is {fields[0][:40]!r}, "
            f"not a GLOBALEVENTID; expected {_expected()}{hint}"
        )
    return layout


def _needed(layout: Layout) -> tuple[str, ...]:
    cols = [
        "GLOBALEVENTID",
        "SQLDATE",
        "EventCode",
        "QuadClass",
        "GoldsteinScale",
        "NumMentions",
        "NumSources",
        "AvgTone",
        "ActionGeo_FullName",
        "DATEADDED",
    ]
    cols += [f"Actor{n}{c}" for n in (1, 2) for c in _ACTOR_FIELDS]
    if "SOURCEURL" in layout.columns:
        cols.append("SOURCEURL")
    return tuple(cols)


def _map_actor(code: str, name: str, country: str, group: str, t1: str, t2: str, t3: str) -> Actor:
    return gdelt_actor(code, name, country, group, tuple(t for t in (t1, t2, t3) if t))


def _date(values: pa.Array) -> pa.Array:
    """``YYYYMMDD...`` -> ``YYYY-MM-DD`` ('' when its first 8 characters are not a real date of year 1 or later).

    >>> _date(pa.array(["20180326044500", "20180231000000", "00000101", "2018", ""])).to_pylist()
    ['2018-03-26', '', '', '', '']
    """
    day = pc.utf8_slice_codeunits(values, 0, 8)
    parsed = pc.strptime(day, format="%Y%m%d", unit="s", error_is_null=True)
    # strptime rolls 31 February over into March, and reads year 0: a real date reads back the same.
    real = pc.and_(
        pc.and_(pc.match_substring_regex(values, r"^\d{8}"), pc.not_equal(pc.utf8_slice_codeunits(day, 0, 4), "0000")),
        pc.equal(pc.fill_null(pc.strftime(parsed, format="%Y%m%d"), ""), day),
    )
    iso = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(day, 0, 4),
        pc.utf8_slice_codeunits(day, 4, 6),
        pc.utf8_slice_codeunits(day, 6, 8),
        "-",
    )
    return pc.if_else(real, iso, "")


def file_name(label: str) -> str:
    """The name a file is cited by: its base name (a zip member after its archive's), never the path as typed,
    so the same file gives the same output whatever path or working folder it was imported from.

    >>> file_name("./data/20130401.export.CSV"), file_name("/tmp/x/2013.zip:20130401.export.CSV")
    ('20130401.export.CSV', '2013.zip:20130401.export.CSV')
    """
    archive, sep, member = label.rpartition(".zip:")
    if sep:
        return f"{Path(archive).name}.zip:{Path(member).name}"
    return Path(label).name


def _day(values: pa.Array) -> pa.Array:
    return pc.strptime(pc.utf8_slice_codeunits(values, 0, 8), format="%Y%m%d", unit="s", error_is_null=True)


def misdated(event_dates: pa.Array, added: pa.Array, days: int = MISDATED_DAYS) -> pa.Array:
    """Whether each event (``SQLDATE``) is dated ``days`` days or more before the day it was added
    (``DATEADDED``); False where either is not a date.

    >>> misdated(pa.array(["20170326", "20180319", "20180325", "x"]), pa.array(["20180326044500"] * 4)).to_pylist()
    [True, True, False, False]
    """
    event = per_distinct(event_dates, _day)  # a block holds a few distinct dates: each parsed once
    when = per_distinct(added, _day)
    early = pc.greater_equal(pc.subtract(when, event), pa.scalar(dt.timedelta(days=days), pa.duration("s")))
    return pc.fill_null(early, False)


def _event_columns(table: pa.Table, layout: Layout, label: str) -> dict[str, pa.Array]:
    col = table.column
    sources = col("NumSources")
    numeric = pc.match_substring_regex(sources, r"^\d{1,9}$")
    many = pc.greater_equal(pc.cast(pc.if_else(numeric, sources, "0"), pa.int64()), 2)
    who = [pc.binary_join_element_wise(col(f"Actor{n}Name"), " (", col(f"Actor{n}Code"), ")", "") for n in (1, 2)]
    who = [pc.if_else(pc.equal(col(f"Actor{n}Code"), ""), "-", w) for n, w in zip((1, 2), who)]
    note = pc.binary_join_element_wise(f"{layout.name} event ", col("GLOBALEVENTID"), ": ", who[0], " -> ", who[1], "")
    # Events without an article (GDELT 1.0 before April 2013, or an empty SOURCEURL) cite their file, by name.
    file_key = pa.repeat(pa.scalar(f"file:{file_name(label)}", pa.string()), table.num_rows)
    if "SOURCEURL" in layout.columns:
        url = pc.utf8_trim_whitespace(col("SOURCEURL"))
        source_key = pc.if_else(pc.equal(url, ""), file_key, url)
    else:
        source_key = file_key
    return {
        "confidence": pc.if_else(many, "medium", "low"),
        "place": col("ActionGeo_FullName"),
        "place_key": col("ActionGeo_FullName"),
        "note": note,
        "quad_class": col("QuadClass"),
        "goldstein": col("GoldsteinScale"),
        "tone": col("AvgTone"),
        "mentions": col("NumMentions"),
        "source_key": source_key,
        "source_date": per_distinct(col("DATEADDED"), _date),
        "misdated": misdated(col("SQLDATE"), col("DATEADDED")),
    }


def _source_id(key: str) -> str:
    """A stable id for an article: a hash of its URL.

    >>> _source_id("https://example.org/a")
    'gdelt-2ca93349eca67313'
    """
    return "gdelt-" + hashlib.blake2b(key.encode("utf-8", "replace"), digest_size=8).hexdigest()


_URL_SHAPE = (
    r"^https?://(?:www\.)?[^/?#:]+[^/?#]*"
    r"(?:/(?:[^?#]*/)?[^/?#]+)?/?(?:[?#].*)?$"
)
"""What an article URL looks like: http(s), a site, a path (its last segment names the article), a query."""


def _split(values: pa.Array, sep: str, reverse: bool = False) -> tuple[pa.Array, pa.Array]:
    """Each value cut at its first ``sep`` (its last with ``reverse``): the part before, and the part
    after or None where ``sep`` does not occur."""
    lists = pc.split_pattern(values, sep, max_splits=1, reverse=reverse)
    offsets = lists.offsets.to_numpy()
    items = lists.values
    two = pa.array(offsets[1:] - offsets[:-1] == 2)
    first = pc.take(items, pa.array(offsets[:-1]))
    last = pc.if_else(two, pc.take(items, pa.array(offsets[1:] - 1)), pa.scalar(None, pa.string()))
    return first, last


def _url_parts(keys: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Whether each key is an article URL (:data:`_URL_SHAPE`), its site (without ``www.``) and the last
    segment of its path ('' when none); the site and the segment are meaningful only for URLs.

    Found with plain splits: one regular expression with groups took three times as long.

    >>> urls = pa.array(["https://www.example.org:80/news/talks.html?x=1#y", "http://www/", "BBC Monitoring"])
    >>> is_url, host, segment = _url_parts(urls)
    >>> is_url.to_pylist(), host.to_pylist()[:2], segment.to_pylist()[:2]
    ([True, True, False], ['example.org', 'www'], ['talks.html', ''])
    """
    is_url = pc.match_substring_regex(keys, _URL_SHAPE)
    rest = pc.fill_null(_split(keys, "://")[1], "")
    rest = _split(_split(rest, "?")[0], "#")[0]  # without its query and fragment
    host = _split(_split(rest, "/")[0], ":")[0]
    # "www." is dropped when a name follows it (as the pattern's optional "(?:www\.)?" does).
    before, after = _split(host, "www.")
    after = pc.fill_null(after, "")
    host = pc.if_else(pc.and_(pc.equal(before, ""), pc.greater(pc.utf8_length(after), 0)), after, host)
    # The last segment, a trailing / ignored.
    head, last = _split(rest, "/", reverse=True)
    segment = pc.if_else(pc.equal(last, ""), _split(head, "/", reverse=True)[1], last)
    return is_url, host, pc.fill_null(segment, "")


def _words(segment: pa.Array) -> pa.Array:
    """The words of a path segment: a page suffix (.html, .php...) dropped, each run of - _ + a space.

    >>> _words(pa.array(["talks-in_moscow.HTML", "a--b+c.php.x", "index.shtml"])).to_pylist()
    ['talks in moscow', 'a b c.php.x', 'index']
    """
    base, suffix = _split(segment, ".", reverse=True)
    page = pc.fill_null(pc.match_substring_regex(suffix, r"(?i)^(s?html?|php|aspx?|cms)$"), False)
    text = pc.if_else(page, base, segment)
    text = pc.replace_substring(pc.replace_substring(text, "_", "-"), "+", "-")
    while pc.any(pc.match_substring(text, "--")).as_py():
        text = pc.replace_substring(text, "--", "-")
    return pc.utf8_trim_whitespace(pc.replace_substring(text, "-", " "))


def _describe_sources(keys: pa.Array, ids: pa.Array, dates: pa.Array) -> pa.Table:
    """The sources.csv rows of article URLs (or of a GDELT 1.0 file without URLs), vectorised.

    The title is the site and the words of the URL's last path segment.

    >>> t = _describe_sources(pa.array(["https://www.example.org/news/2018/talks-in-moscow.html", "BBC Monitoring"]),
    ...                       pa.array(["a", "b"]), pa.array(["2018-03-26", "2018-03-26"]))
    >>> t.column("title").to_pylist(), t.column("publisher").to_pylist(), t.column("url").to_pylist()[1]
    (['example.org: talks in moscow', 'BBC Monitoring'], ['example.org', 'BBC Monitoring'], '')
    """
    is_url, host, segment = _url_parts(keys)
    host = pc.utf8_lower(host)
    words = _words(segment)
    has_words = pc.match_substring_regex(words, r"[A-Za-z]{3,}")
    title = pc.if_else(has_words, pc.binary_join_element_wise(host, words, ": "), host)
    title, publisher = pc.if_else(is_url, title, keys), pc.if_else(is_url, host, keys)
    note = pc.if_else(is_url, "Article coded by GDELT", "Cited by GDELT")
    published = dates
    is_file = pc.starts_with(keys, "file:")
    if pc.any(is_file).as_py():
        file_title = pc.binary_join_element_wise("GDELT event file ", pc.utf8_slice_codeunits(keys, 5), "")
        title = pc.if_else(is_file, file_title, title)
        publisher = pc.if_else(is_file, "GDELT Project", publisher)
        published = pc.if_else(is_file, "", dates)
        note = pc.if_else(is_file, "Events of a GDELT file that give no article URL", note)
    # GDELT 1.0 sometimes cites a service by name ('BBC Monitoring') instead of a URL.
    return pa.table(
        {
            "id": ids,
            "title": title,
            "publisher": publisher,
            "url": pc.if_else(is_url, keys, ""),
            "published": published,
            "note": note,
        }
    )


GDELT = EventFormat(
    name="gdelt",
    title="GDELT",
    help="GDELT 1.0/2.0 event files (.CSV or .CSV.zip as published, no header).",
    prefix="gdelt",
    detect=detect,
    id_column="GLOBALEVENTID",
    date_column="SQLDATE",
    date_format="%Y%m%d",
    code_column="EventCode",
    actor_columns=tuple(tuple(f"Actor{n}{c}" for c in _ACTOR_FIELDS) for n in (1, 2)),
    map_actor=_map_actor,
    columns=_event_columns,
    place_country=iso3_from_place,
    source_id=_source_id,
    describe_sources=_describe_sources,
    needed=_needed,
    mentions_column="NumMentions",
    options=frozenset({"min_mentions"}),
)
"""The GDELT format, as registered in :data:`explorer.importers.IMPORTERS`."""
