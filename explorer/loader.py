"""Reading and validating a data folder.

:func:`load_dataset` reads the five CSV files of a data folder, checks all of
them and either returns a :class:`Dataset` or raises :class:`DataError` listing
every problem at once (file, line, column, bad value, what was expected).

Files are read with the csv module, which knows the physical line each record
starts on (blank lines and line breaks inside quoted values count) and which
rows have too few or too many values; a file that is not UTF-8 CSV text at all
is one problem, not hundreds.  Checks are pandas masks over whole columns,
never a Python loop per row.  Nothing here ever writes into the data folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pycountry

from . import schema
from .dates import series_bounds, series_precision
from .errors import DataError, Problem

__all__ = [
    "Dataset",
    "load_dataset",
    "load_datasets",
    "check_datasets",
    "validate_folder",
    "split_list",
    "parse_topics",
    "folders_of",
]

# Codes in user-assigned ISO ranges that analysts meet in real data.
_EXTRA_ISO3 = {"XKX"}
ISO3_CODES = frozenset(c.alpha_3 for c in pycountry.countries) | _EXTRA_ISO3

ID_PATTERNS = schema.ID_PATTERNS
WIKIDATA_PATTERN = schema.WIKIDATA_PATTERN


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated data folder.

    Each frame holds the file's columns as strings ('' for empty), plus, for
    affiliations and events, ``start_date`` and ``end_date`` (``datetime.date``;
    ``end_date`` is None when the relation is ongoing) and the 1-based ``line``.

    Opened from several folders (:func:`load_datasets`), ``path`` is the first of ``paths``,
    ``folders`` names the folders the rows came from (the ``folder`` column of every file
    but participants.csv) and ``warnings`` holds the merge's warnings.  ``folders`` is empty
    for a plain folder, so nothing about provenance shows then.
    """

    path: Path
    entities: pd.DataFrame
    affiliations: pd.DataFrame
    events: pd.DataFrame
    participants: pd.DataFrame
    sources: pd.DataFrame
    fingerprint: str = ""
    paths: tuple[Path, ...] = ()
    folders: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def summary(self) -> dict:
        """Counts by kind, date range and number of sources, as plain Python values."""
        starts = pd.concat([self.affiliations["start_date"], self.events["start_date"]])
        ends = pd.concat([self.affiliations["end_date"], self.events["end_date"], starts]).dropna()
        out = {
            "data": " + ".join(str(p) for p in self.paths) if len(self.paths) > 1 else str(self.path),
            "entities": {k: int(v) for k, v in self.entities["kind"].value_counts().sort_index().items()},
            "affiliations": {k: int(v) for k, v in self.affiliations["kind"].value_counts().sort_index().items()},
            "events": {k: int(v) for k, v in self.events["kind"].value_counts().sort_index().items()},
            "participants": int(len(self.participants)),
            "sources": int(len(self.sources)),
            "date_range": [min(starts).isoformat(), max(ends).isoformat()] if len(starts) else None,
        }
        if len(self.folders) > 1:
            out["folders"] = {
                f: {
                    part: int(
                        (frame[schema.FOLDER_COLUMN] == f).sum()
                        if part != "entities"
                        else split_list(frame[schema.FOLDER_COLUMN]).eq(f).sum()
                    )
                    for part, frame in (
                        ("entities", self.entities),
                        ("affiliations", self.affiliations),
                        ("events", self.events),
                        ("sources", self.sources),
                    )
                }
                for f in self.folders
            }
        return out


def split_list(values: pd.Series) -> pd.Series:
    """Explode a ';'-separated column into one stripped, non-empty item per row (index kept)."""
    items = values.str.split(schema.LIST_SEP).explode().str.strip()
    return items[items.notna() & (items != "")]


def parse_topics(text: str) -> tuple[tuple[str, str], ...]:
    """``'Ukraine:discussed;Middle East:agreed'`` -> ``(('Ukraine', 'discussed'), ('Middle East', 'agreed'))``."""
    out = []
    for item in text.split(schema.LIST_SEP):
        item = item.strip()
        if item:
            topic, _, outcome = item.rpartition(":")
            out.append((topic.strip(), outcome.strip()))
    return tuple(out)


class _Checker:
    """Collects problems for one file; every check is a mask over a column."""

    def __init__(self, spec: schema.FileSpec, frame: pd.DataFrame, problems: list[Problem]):
        self.spec = spec
        self.df = frame
        self.problems = problems

    def flag(self, mask: pd.Series, column: str, message: str, expected: str = "", values=None) -> None:
        if not mask.any():
            return
        vals = (values if values is not None else self.df[column])[mask]
        lines = self.df.loc[mask.index[mask], "line"] if values is None else self.df.loc[vals.index, "line"]
        for line, value in zip(lines.tolist(), vals.tolist(), strict=False):
            self.problems.append(Problem(self.spec.name, int(line), column, str(value), message, expected))

    def required_values(self, columns) -> None:
        for col in columns:
            if col in self.df:
                self.flag(self.df[col] == "", col, "is empty", "a value")

    def vocabulary(self, column: str, allowed) -> None:
        col = self.df[column]
        # Empty values are either allowed (optional) or reported by required_values.
        bad = ~col.isin(list(allowed)) & (col != "")
        self.flag(bad, column, "is not allowed", "one of " + ", ".join(allowed))

    def references(self, column: str, known, what: str, listed: bool = False) -> None:
        known = pd.Index(known)
        if listed:
            items = split_list(self.df[column])
            bad = ~items.isin(known)
            if bad.any():
                for idx, value in items[bad].items():
                    self.problems.append(
                        Problem(
                            self.spec.name,
                            int(self.df.at[idx, "line"]),
                            column,
                            value,
                            f"is not a known {what}",
                            f"an id from {what}s",
                        )
                    )
        else:
            col = self.df[column]
            self.flag((col != "") & ~col.isin(known), column, f"is not a known {what}", f"an id of a {what}")

    def duplicates(self, key: tuple[str, ...]) -> None:
        if not key or not all(k in self.df for k in key):
            return
        dup = self.df.duplicated(list(key), keep="first")
        if not dup.any():
            return
        first_line = self.df.drop_duplicates(list(key), keep="first").set_index(list(key))["line"]
        for idx in dup.index[dup]:
            row = self.df.loc[idx]
            k = tuple(row[c] for c in key)
            first = first_line.loc[k if len(key) > 1 else k[0]]
            self.problems.append(
                Problem(
                    self.spec.name,
                    int(row["line"]),
                    key[0],
                    " / ".join(k),
                    f"duplicates line {int(first)}",
                    "a unique " + ", ".join(key),
                )
            )

    def dates(self, column: str, precision_column: str | None, required: bool) -> tuple[pd.Series, pd.Series]:
        col = self.df[column]
        first, last = series_bounds(col)
        present = col != ""
        self.flag(
            present & first.isna(),
            column,
            "is not a valid date",
            "YYYY-MM-DD, YYYY-MM or YYYY (a real calendar date, year 0001 to 9999)",
        )
        if precision_column and precision_column in self.df:
            prec = self.df[precision_column]
            actual = series_precision(col).fillna("")
            given = prec != ""
            self.vocabulary(precision_column, schema.PRECISIONS)
            mismatch = present & given & prec.isin(schema.PRECISIONS) & first.notna() & (actual != prec)
            self.flag(mismatch, precision_column, f"does not match the precision of {column}", values=prec)
            # Say what the value's precision is, so the fix is obvious.
            if mismatch.any():
                last_problems = self.problems[-int(mismatch.sum()) :]
                self.problems[-int(mismatch.sum()) :] = [
                    Problem(p.file, p.line, p.column, p.value, p.message, f"'{a}' for {column} {v!r}")
                    for p, a, v in zip(last_problems, actual[mismatch].tolist(), col[mismatch].tolist(), strict=False)
                ]
            self.flag(
                ~present & given, precision_column, f"is given but {column} is empty", "an empty value", values=prec
            )
        return first, last


# File signatures of things people save by mistake instead of a CSV file.
_MAGIC = (
    (b"PK\x03\x04", "an .xlsx or .ods workbook, or a zip archive"),
    (b"\xd0\xcf\x11\xe0", "an .xls workbook"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
)
_SAVE_AS = "save it as UTF-8 CSV"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r")


def _control_share(sample: bytes) -> float:
    return len(sample) and (len(sample) - len(sample.translate(None, _CONTROL_BYTES))) / len(sample)


def _not_text(raw: bytes) -> str | None:
    """Why ``raw`` is not UTF-8 text at all (UTF-16, a workbook, binary data), or None.

    Only what makes every line of the file unreadable is reported here; a stray
    byte in otherwise UTF-8 text is reported with its line by the caller.
    """
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return f"not UTF-8 text (looks like UTF-32); {_SAVE_AS}"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return f"not UTF-8 text (looks like UTF-16); {_SAVE_AS}"
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return f"not a CSV file (looks like {what}); {_SAVE_AS}"
    sample = raw[:4096]
    half = len(sample) // 2
    if half and sample.count(0):
        # UTF-16 without a byte order mark: mostly ASCII, so a NUL before or after each character.
        even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
        if max(even, odd) > 0.7 and min(even, odd) < 0.1:
            return f"not UTF-8 text (looks like UTF-16); {_SAVE_AS}"
    if _control_share(sample) > 0.1:
        return f"not a text file (looks like binary data); {_SAVE_AS}"
    return None


def _read_text(path: Path, spec: schema.FileSpec, problems: list[Problem]) -> str | None:
    """The file's text, or None after one problem saying why it cannot be read as UTF-8 text."""
    if not path.is_file():
        problems.append(
            Problem(spec.name, 0, "", "", "file is missing", f"a CSV file with columns {', '.join(spec.columns)}")
        )
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(spec.name, 0, "", "", f"cannot be read ({exc.strerror or exc})", "a readable file"))
        return None
    verdict = _not_text(raw)
    if verdict:
        problems.append(Problem(spec.name, 0, "", "", verdict))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            raw.decode("cp1252")
            guess = "looks like Windows-1252 or Latin-1"
        except UnicodeDecodeError:
            guess = "another encoding"
        problems.append(
            Problem(
                spec.name,
                raw[: exc.start].count(b"\n") + 1,
                "",
                raw[exc.start : exc.end].hex(" "),
                f"not UTF-8 text (bytes at offset {exc.start}; {guess}); {_SAVE_AS}",
            )
        )
        return None


_QUOTE_RULE = 'values in double quotes, with a " inside a value written as ""'


def _records(text: str, spec: schema.FileSpec, problems: list[Problem]) -> tuple[list[list[str]], list[int]] | None:
    """The records of a CSV text and the physical line each starts on, blank lines left out.

    A record the csv module cannot parse (a stray or unclosed quote) is reported and
    left out.  A value too long to be one is reported and gives None: where records
    resume after it is unknown, so the file is not checked further.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    ends: list[int] = []  # the line each record ends on; the next one starts on the line after
    append_row, append_end = rows.append, ends.append
    while True:
        try:
            for fields in reader:  # the fast path: no Python work per record beyond two appends
                append_row(fields)
                append_end(reader.line_num)
            break
        except csv.Error as exc:
            start = (ends[-1] if ends else 0) + 1
            reason = str(exc)
            if "field limit" in reason:
                message = (
                    f"has a value longer than {csv.field_size_limit():,} characters, "
                    "probably a quote that is never closed; the file is not checked further"
                )
                problems.append(Problem(spec.name, start, "", "", message, _QUOTE_RULE))
                return None
            if "end of data" in reason:
                message = f"has a quote that is never closed (lines {start} to {reader.line_num} read as one value)"
            else:
                message = "has a quote in the wrong place (text after a closing quote, or a quote not doubled)"
            problems.append(Problem(spec.name, start, "", "", message, _QUOTE_RULE))
            append_row([])  # left out below, like a blank line
            append_end(reader.line_num)
    starts = [1, *(end + 1 for end in ends[:-1])] if ends else []
    # Blank: no value at all (an empty line, or only commas), or one made of spaces.
    keep = [i for i, fields in enumerate(rows) if any(fields) and (len(fields) > 1 or fields[0].strip())]
    return [rows[i] for i in keep], [starts[i] for i in keep]


def _other_delimiter(header: list[str], spec: schema.FileSpec) -> str | None:
    """The delimiter a header row was written with, when it is not a comma."""
    line = ",".join(header)
    for delim, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
        cells = [c.strip().strip('"') for c in line.split(delim)]
        if sum(c in spec.allowed for c in cells) >= 2:
            return name
    return None


def _read_csv(path: Path, spec: schema.FileSpec, problems: list[Problem]) -> pd.DataFrame | None:
    """One file as a frame of stripped strings plus the physical ``line`` of each row.

    A file that is not UTF-8 CSV text with a header row gets one problem and None;
    a row with too few or too many values, or bad quoting, gets one problem and is
    left out of the frame, so its shifted values are not reported again.
    """
    text = _read_text(path, spec, problems)
    if text is None:
        return None
    before = len(problems)
    parsed = _records(text, spec, problems)
    if parsed is None:
        return None
    records, starts = parsed
    if not records or (problems[before:] and problems[before].line < starts[0]):
        # No header, or one the csv module could not read (that problem is reported).
        if len(problems) == before:
            problems.append(Problem(spec.name, 1, "", "", "file is empty", "a header row: " + ",".join(spec.columns)))
        return None
    header_line, header = starts[0], [h.strip() for h in records[0]]
    if not any(h in spec.required for h in header):
        delimiter = _other_delimiter(header, spec)
        if delimiter:
            message = f"separates values with {delimiter}, not commas; save it as comma-separated UTF-8 CSV"
            problems.append(Problem(spec.name, 0, "", "", message))
        else:
            shown = ",".join(header)
            problems.append(
                Problem(
                    spec.name,
                    header_line,
                    "",
                    shown if len(shown) <= 60 else shown[:57] + "...",
                    "is not a header row (it names none of " + ", ".join(spec.required) + ")",
                    "a first line naming the columns: " + ",".join(spec.columns),
                )
            )
        return None
    width = len(header)
    widths = list(map(len, records))
    for i in [i for i in range(1, len(records)) if widths[i] != width]:
        n = widths[i]
        problems.append(
            Problem(
                spec.name,
                starts[i],
                "",
                "",
                f"has {n} value{'s' if n != 1 else ''} but the header has {width} columns",
                f"{width} comma-separated values (a value holding a comma in double quotes)",
            )
        )
    good = [i for i in range(1, len(records)) if widths[i] == width]
    rows = [records[i] for i in good]
    lines = [starts[i] for i in good]
    keep: dict[str, int] = {}
    for i, col in enumerate(header):
        if col == "":
            problems.append(
                Problem(
                    spec.name, header_line, "", "", f"column {i + 1} has no name", "one of " + ", ".join(spec.allowed)
                )
            )
        elif col in keep:
            problems.append(
                Problem(spec.name, header_line, col, col, "appears twice in the header", "each column once")
            )
        elif col not in spec.allowed:
            problems.append(
                Problem(spec.name, header_line, col, col, "is not a known column", "one of " + ", ".join(spec.allowed))
            )
        else:
            keep[col] = i
    missing = [c for c in spec.required if c not in keep]
    for col in missing:
        problems.append(
            Problem(
                spec.name,
                header_line,
                col,
                "",
                "required column is missing",
                "a header with " + ", ".join(spec.columns),
            )
        )
    if missing:
        return None
    table = pd.DataFrame(rows, columns=range(width), dtype=str)
    frame = pd.DataFrame({col: table[i].str.strip() for col, i in keep.items()}, index=table.index)
    frame["line"] = lines
    for col in spec.allowed:
        if col not in frame.columns:
            frame[col] = ""
    return frame


def _to_date_objects(series: pd.Series) -> pd.Series:
    return pd.Series([None if pd.isna(v) else v.date() for v in series], index=series.index, dtype=object)


def validate_folder(path: str | Path) -> tuple[list[Problem], dict[str, pd.DataFrame]]:
    """Check every file of a data folder; return all problems and the frames read."""
    path = Path(path)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for name, spec in schema.FILES.items():
        df = _read_csv(path / spec.name, spec, problems)
        if df is not None:
            frames[name] = df
    ent = frames.get("entities")
    aff = frames.get("affiliations")
    ev = frames.get("events")
    par = frames.get("participants")
    src = frames.get("sources")
    # A file that could not be read is reported once; references to it are not checked,
    # so that one bad file does not make every row of another one "unknown".
    source_ids = src["id"] if src is not None else pd.Series([], dtype=str)

    if src is not None:
        c = _Checker(schema.FILES["sources"], src, problems)
        c.required_values(("id", "title"))
        c.duplicates(("id",))
        c.vocabulary("reliability", schema.RELIABILITY)
        c.dates("published", None, required=False)
        url = src["url"]
        c.flag((url != "") & ~url.str.match(r"https?://"), "url", "is not a web address", "http:// or https://")

    kinds = pd.Series(dtype=str)
    if ent is not None:
        c = _Checker(schema.FILES["entities"], ent, problems)
        c.required_values(("id", "kind", "name"))
        c.duplicates(("id",))
        c.vocabulary("kind", tuple(schema.ENTITY_KINDS))
        for kind, pattern in ID_PATTERNS.items():
            is_kind = ent["kind"] == kind
            c.flag(
                is_kind & (ent["id"] != "") & ~ent["id"].str.fullmatch(pattern).fillna(False).astype(bool),
                "id",
                f"is not a valid id for a {kind}",
                f"an id matching {pattern}",
            )
        is_country = ent["kind"] == "country"
        c.flag(
            is_country
            & ent["id"].str.fullmatch(ID_PATTERNS["country"]).fillna(False).astype(bool)
            & ~ent["id"].isin(ISO3_CODES),
            "id",
            "is not an ISO 3166-1 alpha-3 code",
            "e.g. CHN, RUS, USA",
        )
        c.flag(
            is_country & (ent["iso3"] != "") & (ent["iso3"] != ent["id"]),
            "iso3",
            "differs from the country's id",
            "the same code as id",
        )
        wd = ent["wikidata"]
        c.flag(
            (wd != "") & ~wd.str.fullmatch(WIKIDATA_PATTERN).fillna(False).astype(bool),
            "wikidata",
            "is not a Wikidata item id",
            "Q and a number, e.g. Q148, or an empty value",
        )
        kinds = ent.drop_duplicates("id").set_index("id")["kind"]
        country_ids = kinds.index[kinds == "country"]
        is_official = ent["kind"] == "official"
        c.flag(
            is_official & (ent["country"] == ""),
            "country",
            "is empty for an official",
            "the id of the country they serve",
            values=ent["country"],
        )
        c.flag(
            is_official & (ent["country"] != "") & ~ent["country"].isin(country_ids),
            "country",
            "is not a known country",
            "the id of a country in entities.csv",
        )
        c.flag(
            ~is_official & (ent["country"] != "") & (ent["kind"] != ""),
            "country",
            "is only used for officials",
            "an empty value",
        )

    if aff is not None:
        c = _Checker(schema.FILES["affiliations"], aff, problems)
        c.required_values(("source", "target", "kind", "start", "status", "confidence", "sources"))
        c.duplicates(("source", "target", "kind", "start"))
        c.vocabulary("kind", tuple(schema.AFFILIATION_KINDS))
        c.vocabulary("status", schema.STATUSES)
        c.vocabulary("confidence", schema.CONFIDENCE)
        if src is not None:
            c.references("sources", source_ids, "source", listed=True)
        if ent is not None:
            c.references("source", kinds.index, "entity")
            c.references("target", kinds.index, "entity")
            skind = aff["source"].map(kinds)
            tkind = aff["target"].map(kinds)
            for akind, (label, want_s, want_t) in schema.AFFILIATION_KINDS.items():
                is_k = aff["kind"] == akind
                c.flag(
                    is_k & skind.notna() & (skind != want_s),
                    "source",
                    f"is a {'/'.join(sorted(set(skind[is_k & skind.notna() & (skind != want_s)])))}, "
                    f"but '{akind}' needs a {want_s}",
                    f"the id of a {want_s}",
                )
                c.flag(
                    is_k & tkind.notna() & (tkind != want_t),
                    "target",
                    f"is not a {want_t}, but '{akind}' ({label}) needs one",
                    f"the id of a {want_t}",
                )
        s_first, s_last = c.dates("start", "start_precision", required=True)
        e_first, e_last = c.dates("end", "end_precision", required=False)
        c.flag(
            e_last.notna() & s_first.notna() & (e_last < s_first), "end", "is before start", "a date on or after start"
        )
        aff["start_date"] = _to_date_objects(s_first)
        aff["end_date"] = _to_date_objects(e_last)

    if ev is not None:
        c = _Checker(schema.FILES["events"], ev, problems)
        c.required_values(("id", "kind", "title", "start", "confidence", "sources"))
        c.duplicates(("id",))
        c.vocabulary("kind", tuple(schema.EVENT_KINDS))
        c.vocabulary("confidence", schema.CONFIDENCE)
        if src is not None:
            c.references("sources", source_ids, "source", listed=True)
        pc = ev["place_country"]
        c.flag((pc != "") & ~pc.isin(ISO3_CODES), "place_country", "is not an ISO 3166-1 alpha-3 code", "e.g. RUS, THA")
        s_first, s_last = c.dates("start", "precision", required=True)
        e_first, e_last = c.dates("end", None, required=False)
        prec = ev["precision"]
        end_prec = series_precision(ev["end"]).fillna("")
        c.flag(
            (ev["end"] != "") & prec.isin(schema.PRECISIONS) & e_first.notna() & (end_prec != prec),
            "end",
            "is written with another precision than 'precision'",
            "a date of the same precision as start",
        )
        c.flag(
            e_last.notna() & s_first.notna() & (e_last < s_first), "end", "is before start", "a date on or after start"
        )
        topics = split_list(ev["topics"])
        if len(topics):
            parts = topics.str.rpartition(":")
            bad_form = (parts[1] != ":") | (parts[0].str.strip() == "")
            bad_outcome = ~bad_form & ~parts[2].str.strip().isin(schema.OUTCOMES)
            for mask, msg, exp in (
                (bad_form, "is not a topic:outcome pair", "e.g. 'Ukraine:discussed'"),
                (bad_outcome, "has an unknown outcome", "one of " + ", ".join(schema.OUTCOMES)),
            ):
                for idx, value in topics[mask].items():
                    problems.append(Problem("events.csv", int(ev.at[idx, "line"]), "topics", value, msg, exp))
        ev["start_date"] = _to_date_objects(s_first)
        ev["end_date"] = _to_date_objects(e_last.where(e_last.notna(), s_last))

    for name in ("entities", "affiliations", "events", "sources"):
        frame = frames.get(name)
        if frame is not None:
            _check_folder_column(_Checker(schema.FILES[name], frame, problems), listed=name == "entities")

    if par is not None:
        c = _Checker(schema.FILES["participants"], par, problems)
        c.required_values(("event", "entity", "role"))
        c.duplicates(("event", "entity"))
        c.vocabulary("role", schema.ROLES)
        if ev is not None:
            c.references("event", ev["id"], "event")
        if ent is not None:
            c.references("entity", kinds.index, "entity")

    return problems, frames


def _check_folder_column(c: _Checker, listed: bool) -> None:
    from .merge import FOLDER_PATTERN

    col = c.df[schema.FOLDER_COLUMN]
    if not (col != "").any():
        return
    items = split_list(col) if listed else col[col != ""]
    bad = ~items.str.fullmatch(FOLDER_PATTERN).fillna(False).astype(bool)
    for idx, value in items[bad].items():
        c.problems.append(
            Problem(
                c.spec.name,
                int(c.df.at[idx, "line"]),
                schema.FOLDER_COLUMN,
                value,
                "is not a folder name",
                "letters, digits, '.', '_' and '-'" + (", ';'-separated" if listed else ""),
            )
        )


def folders_of(frames: dict[str, pd.DataFrame]) -> tuple[str, ...]:
    """The folders named in the ``folder`` columns, in order of first appearance (events first)."""
    seen: dict[str, None] = {}
    for name in ("events", "affiliations", "sources", "entities"):
        frame = frames.get(name)
        if frame is not None and schema.FOLDER_COLUMN in frame:
            seen.update(dict.fromkeys(split_list(frame[schema.FOLDER_COLUMN]).unique().tolist()))
    return tuple(seen)


def load_datasets(paths: str | Path | list[str | Path] | tuple[str | Path, ...]) -> Dataset:
    """One folder (as :func:`load_dataset`) or several merged into one (see :mod:`explorer.merge`).

    Every folder is validated; the problems of all of them, then the merge's errors
    (an entity id with two kinds), are raised together as one :class:`DataError`.
    The merge's warnings are in the result's ``warnings``.
    """
    dataset, problems, _warnings = check_datasets(paths)
    if dataset is None:
        raise DataError(_shown(paths), problems)
    return dataset


def check_datasets(paths) -> tuple[Dataset | None, list[Problem], list[Problem]]:
    """What ``explorer validate`` reports: the dataset (None when there are problems), the
    problems (each folder's, then the merge's errors) and the merge's warnings."""
    if isinstance(paths, str | Path):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if len(paths) == 1:
        try:
            return load_dataset(paths[0]), [], []
        except DataError as exc:
            return None, exc.problems, []
    from .merge import folder_labels, merge_datasets

    labels = folder_labels(paths)
    datasets, problems = [], []
    for path, label in zip(paths, labels, strict=True):
        try:
            datasets.append(load_dataset(path))
        except DataError as exc:
            problems += [
                Problem(f"{label}/{p.file}" if p.line or p.file.endswith(".csv") else str(path), *_rest(p))
                for p in exc.problems
            ]
    if problems:
        return None, sorted(problems), []
    merged, errors, warnings = merge_datasets(datasets, labels)
    return (None if errors else merged), errors, warnings


def _shown(paths) -> str:
    if isinstance(paths, str | Path):
        return str(paths)
    return " + ".join(str(p) for p in paths)


def _rest(p: Problem) -> tuple:
    return (p.line, p.column, p.value, p.message, p.expected)


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate a data folder; raise :class:`DataError` listing every problem.

    >>> from explorer.paths import bundled_data_dir
    >>> ds = load_dataset(bundled_data_dir())
    >>> "CHN" in set(ds.entities["id"])
    True
    """
    path = Path(path)
    if not path.is_dir():
        raise DataError(str(path), [Problem(str(path), 0, "", "", "is not a data folder", "a folder of CSV files")])
    problems, frames = validate_folder(path)
    if problems:
        raise DataError(str(path), problems)
    digest = hashlib.sha1()
    for spec in schema.FILES.values():
        digest.update((path / spec.name).read_bytes())
    folders = folders_of(frames)
    if folders:
        # A merged folder: rows added to it by hand count as the folder's own.
        from .merge import folder_label

        label = folder_label(path)
        for name in ("entities", "affiliations", "events", "sources"):
            col = frames[name][schema.FOLDER_COLUMN]
            frames[name][schema.FOLDER_COLUMN] = col.where(col != "", label)
        folders = folders_of(frames)
    return Dataset(path=path, **frames, fingerprint=digest.hexdigest()[:16], paths=(path,), folders=folders)
