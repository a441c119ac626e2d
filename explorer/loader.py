"""Reading and validating a data folder.

:func:`load_dataset` reads the five CSV files of a data folder, checks all of
them and either returns a :class:`Dataset` or raises :class:`DataError` listing
every problem at once (file, line, column, bad value, what was expected).
Checks are pandas masks over whole columns, never a Python loop per row.
Nothing here ever writes into the data folder.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pycountry

from . import schema
from .dates import series_bounds, series_precision
from .errors import DataError, Problem

__all__ = ["Dataset", "load_dataset", "validate_folder", "split_list", "parse_topics"]

# Codes in user-assigned ISO ranges that analysts meet in real data.
_EXTRA_ISO3 = {"XKX"}
ISO3_CODES = frozenset(c.alpha_3 for c in pycountry.countries) | _EXTRA_ISO3

ID_PATTERNS = {
    "country": r"[A-Z]{3}",
    "organization": r"[A-Z][A-Z0-9_-]{1,15}",
    "official": r"[a-z0-9]+(?:-[a-z0-9]+)*",
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated data folder.

    Each frame holds the file's columns as strings ('' for empty), plus, for
    affiliations and events, ``start_date`` and ``end_date`` (``datetime.date``;
    ``end_date`` is None when the relation is ongoing) and the 1-based ``line``.
    """

    path: Path
    entities: pd.DataFrame
    affiliations: pd.DataFrame
    events: pd.DataFrame
    participants: pd.DataFrame
    sources: pd.DataFrame
    fingerprint: str = ""

    def summary(self) -> dict:
        """Counts by kind, date range and number of sources, as plain Python values."""
        starts = pd.concat([self.affiliations["start_date"], self.events["start_date"]])
        ends = pd.concat([self.affiliations["end_date"], self.events["end_date"], starts]).dropna()
        return {
            "data": str(self.path),
            "entities": {k: int(v) for k, v in self.entities["kind"].value_counts().sort_index().items()},
            "affiliations": {k: int(v) for k, v in self.affiliations["kind"].value_counts().sort_index().items()},
            "events": {k: int(v) for k, v in self.events["kind"].value_counts().sort_index().items()},
            "participants": int(len(self.participants)),
            "sources": int(len(self.sources)),
            "date_range": [min(starts).isoformat(), max(ends).isoformat()] if len(starts) else None,
        }


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
            present & first.isna(), column, "is not a valid date", "YYYY-MM-DD, YYYY-MM or YYYY (a real calendar date)"
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


def _read_csv(path: Path, spec: schema.FileSpec, problems: list[Problem]) -> pd.DataFrame | None:
    if not path.is_file():
        problems.append(
            Problem(spec.name, 0, "", "", "file is missing", f"a CSV file with columns {', '.join(spec.columns)}")
        )
        return None
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                spec.name,
                line,
                "",
                raw[exc.start : exc.end].hex(" "),
                f"bytes at offset {exc.start} are not UTF-8",
                "a UTF-8 encoded file",
            )
        )
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except pd.errors.EmptyDataError:
        problems.append(Problem(spec.name, 1, "", "", "file is empty", "a header row: " + ",".join(spec.columns)))
        return None
    except pd.errors.ParserError as exc:
        problems.append(Problem(spec.name, 0, "", "", f"is not a readable CSV file ({exc})", "comma-separated values"))
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].astype(object).fillna("").astype(str).str.strip()
    frame["line"] = range(2, len(frame) + 2)
    missing = [c for c in spec.required if c not in frame.columns]
    for col in missing:
        problems.append(
            Problem(spec.name, 1, col, "", "required column is missing", "a header with " + ", ".join(spec.columns))
        )
    for col in frame.columns:
        if col != "line" and col not in spec.allowed:
            problems.append(
                Problem(spec.name, 1, col, col, "is not a known column", "one of " + ", ".join(spec.allowed))
            )
    for col in spec.allowed:
        if col not in frame.columns:
            frame[col] = ""
    return None if missing else frame


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
    return Dataset(path=path, **frames, fingerprint=digest.hexdigest()[:16])
