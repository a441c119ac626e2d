"""The import pipeline, the same for every format: read, check, filter, map, deduplicate, write.

Each input is streamed in blocks of rows; per block, every step is a
vectorised pyarrow operation, and Python only sees what is distinct (one
call per distinct actor, event code, place or source), so memory stays flat
and millions of rows take seconds.  The steps, in order, and what a row that
falls out of each is counted as:

1. a line with the wrong number of fields, or a bad id, date or event code:
   *malformed* (reported with file and line; ``--strict`` stops there);
   an empty line: *empty line*;
2. ``--from``/``--to``, ``--cameo``, ``--min-mentions``: *filtered*;
3. no actor gives an entity: *skipped*, by the reason of :data:`.actors.SKIP_REASONS`;
4. ``--countries`` (no actor of those countries): *filtered*;
5. an event id already imported (or already in ``--out`` with ``--append``): *duplicate*.

Rows are processed in input order, files sorted by path, so the same
inputs always give the same ids and the same rows in the same order.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..errors import ExplorerError, Problem
from ..text import escape_terminal
from . import cameo
from .actors import SKIP_REASONS, Actor
from .base import EventFormat, Layout, per_distinct
from .countries import country_name
from .reader import (
    InputError,
    LineCounter,
    clean_controls,
    clean_text,
    expand_inputs,
    iter_batches,
    list_inputs,
    prefetch,
    read_first_line,
    to_text,
)
from .writer import FolderWriter

__all__ = ["ImportOptions", "ImportReport", "run_import", "FILTER_REASONS", "OTHER_SKIPS"]

FILTER_REASONS: dict[str, str] = {
    "dates": "outside --from/--to",
    "cameo": "event code not selected by --cameo",
    "mentions": "fewer mentions than --min-mentions",
    "countries": "no actor from --countries",
}
OTHER_SKIPS: dict[str, str] = {
    "malformed": "malformed line (wrong field count, bad id, date or event code)",
    "empty": "empty line",
    "duplicate": "duplicate event id (already imported)",
}
_MAX_PROBLEMS = 1000
_KIND_ORDER = {"country": 0, "organization": 1, "official": 2}


@dataclass(frozen=True)
class ImportOptions:
    """What to keep and how to write it.  Dates are inclusive; ``countries`` are ISO3 codes.

    ``engine`` is what reads, checks and filters the rows: ``"arrow"`` (this
    process, streaming) or ``"spark"`` (Apache Spark, on ``master``, default
    ``local[2]``; see :mod:`.spark`).  Both give the same folder.

    ``store``: build the folder's event store (:mod:`.store`) inside it (True), never (False),
    or when ``explorer serve`` would read the folder through one (None, by its size).
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    cameo: tuple[str, ...] = cameo.DEFAULT_SELECTION
    countries: frozenset[str] = frozenset()
    min_mentions: int = 0
    strict: bool = False
    mode: str = "new"
    engine: str = "arrow"
    master: str | None = None
    store: bool | None = None


@dataclass
class ImportReport:
    """What an import read, imported and skipped, as plain Python values."""

    importer: str
    out: str
    files: list[tuple[str, str]] = field(default_factory=list)
    rows_read: int = 0
    imported: int = 0
    single_actor: int = 0
    misdated: int = 0  # imported events dated well before their file (GDELT: see gdelt.MISDATED_DAYS); kept
    participants: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    sources: int = 0
    filtered: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    unknown_countries: Counter = field(default_factory=Counter)
    store: str = ""  # the event store built inside the folder ('' when none was)

    def as_dict(self) -> dict:
        return {
            "importer": self.importer,
            "out": self.out,
            "files": [list(f) for f in self.files],
            "rows_read": self.rows_read,
            "imported": self.imported,
            "single_actor": self.single_actor,
            "misdated": self.misdated,
            "participants": self.participants,
            "entities": dict(self.entities),
            "sources": self.sources,
            "filtered": dict(self.filtered),
            "skipped": dict(self.skipped),
            "problems": [str(p) for p in self.problems],
            "unknown_countries": dict(self.unknown_countries.most_common()),
        }

    def summary_lines(self) -> list[str]:
        """The summary printed at the end of an import (control characters from names shown as escapes)."""
        lines = [
            f"{self.out}: {self.rows_read:,} rows read from {len(self.files)} file"
            f"{'s' if len(self.files) != 1 else ''}, {self.imported:,} events imported"
            f", {self.participants:,} participants"
        ]
        if self.single_actor:
            # Not lost: they are in events.csv, and in their actor's details, but no tie can be drawn.
            lines.append(
                f"  single actor: {self.single_actor:,} events name one entity only; kept with that one "
                "participant, listed in its details, drawn as no tie"
            )
        if self.misdated:
            lines.append(
                f"  warning: {self.misdated:,} events are dated a week or more before the day GDELT added them "
                "(its 'last week/month/year' dating); kept with that date"
            )
        if self.entities:
            lines.append("  new entities: " + ", ".join(f"{n:,} {k}" for k, n in sorted(self.entities.items())))
        lines.append(f"  new sources: {self.sources:,}")
        labels = {**FILTER_REASONS}
        for reason, n in sorted(self.filtered.items(), key=lambda kv: -kv[1]):
            lines.append(f"  filtered: {n:,} {labels.get(reason, reason)}")
        labels = {**SKIP_REASONS, **OTHER_SKIPS}
        for reason, n in sorted(self.skipped.items(), key=lambda kv: -kv[1]):
            lines.append(f"  skipped: {n:,} {labels.get(reason, reason)}")
        if self.unknown_countries:
            top = ", ".join(f"{k!r} ({n})" for k, n in self.unknown_countries.most_common(5))
            lines.append(f"  unknown country names: {top}")
        if self.store:
            lines.append(f"  event store built: {self.store} (explorer serve opens the folder through it)")
        return [escape_terminal(line) for line in lines]


def _mask_count(mask: pa.Array) -> int:
    return int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0)


def _add(counter: Counter, key: str, n: int) -> None:
    if n:
        counter[key] += n


def _take(values: pa.Array, indices: pa.Array) -> pa.Array:
    return _flat(pc.take(values, indices))


def _flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _filter(counter: Counter, mask: pa.Array, reason: str, wanted: pa.Array | None) -> pa.Array:
    if wanted is None:
        return mask
    _add(counter, reason, _mask_count(pc.and_(mask, pc.invert(wanted))))
    return pc.and_(mask, wanted)


@dataclass
class Scan:
    """What checking and filtering one block found: rows read, counts by reason, malformed lines in
    line order, and the rows kept (their needed columns, ISO dates and event codes) or None."""

    rows_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    filtered: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    kept: tuple[pa.Table, pa.Array, pa.Array] | None = None


class _Run:
    """The state of one import: caches, seen ids, accumulated entities, the report."""

    def __init__(
        self,
        fmt: EventFormat,
        options: ImportOptions,
        writer: FolderWriter,
        report: ImportReport,
        on_problem: Callable[[Problem], None] | None,
    ):
        self.fmt = fmt
        self.options = options
        self.writer = writer
        self.report = report
        self.on_problem = on_problem
        self.actors: dict[str, Actor] = {}
        self.entities: set[str] = set()  # ids of the new entities the imported events name
        self.known_entities = writer.existing_ids("entities")
        self.seen_events = writer.existing_event_ids
        self.seen_sources = writer.existing_ids("sources")
        self.places: dict[str, str] = {}
        self.codes: dict[str, tuple[str, str, str]] = {}
        self.date_from = options.date_from.isoformat() if options.date_from else None
        self.date_to = options.date_to.isoformat() if options.date_to else None

    # -- problems -----------------------------------------------------------------------------------
    def problem(self, p: Problem) -> None:
        self.report.skipped["malformed"] += 1
        if len(self.report.problems) < _MAX_PROBLEMS:
            self.report.problems.append(p)
        if self.on_problem:
            self.on_problem(p)
        if self.options.strict:
            raise InputError(f"{p} (--strict stops at the first malformed line)")

    # -- one stream ---------------------------------------------------------------------------------
    def run_stream(self, inp, on_bytes) -> None:
        first = read_first_line(inp)
        layout = self.fmt.detect(first, inp.label)
        self.report.files.append((inp.label, layout.name))
        # A pipeline, a block or two apart: pyarrow parses (on two threads for a plain file), another
        # thread checks and filters (scan_batch), this one maps actors and writes (assemble), in input order.
        for scan in prefetch(self.scan_stream(inp, layout, on_bytes)):
            self.apply(scan, layout, inp.label)

    def scan_stream(self, inp, layout: Layout, on_bytes=None) -> Iterator[Scan]:
        """Steps 1 and 2 (check, filter) of one stream, block by block; nothing here touches the report."""
        skip = 1 if layout.header else 0
        counter = LineCounter(skipped=skip)
        ncols = len(layout.columns)
        pending: list[Problem] = []

        def invalid(line: int, nfields: int, text: str) -> Problem:
            text = clean_text(text)
            snippet = text if len(text) <= 80 else text[:77] + "..."
            return Problem(
                inp.label,
                line,
                "",
                snippet,
                f"has {nfields} field{'s' if nfields != 1 else ''}",
                f"{ncols} tab-separated fields ({layout.name})",
            )

        delivered = 0
        for batch, rejected in iter_batches(
            inp, layout.columns, self.fmt.needed(layout), skip_rows=skip, counter=counter, on_bytes=on_bytes
        ):
            pending.extend(invalid(*r) for r in rejected)
            last_line = counter.line_of(delivered + batch.num_rows - 1) if batch.num_rows else 0
            now = [p for p in pending if p.line <= last_line]
            pending = [p for p in pending if p.line > last_line]
            scan = self.scan_batch(batch, layout, inp.label, counter, delivered, now)
            scan.rows_read += len(rejected)
            yield scan
            delivered += batch.num_rows
        if pending:
            yield Scan(problems=pending)

    def apply(self, scan: Scan, layout: Layout, label: str) -> None:
        """Count what a block's scan found, report its malformed lines, and assemble the rows it kept."""
        report = self.report
        report.rows_read += scan.rows_read
        for p in scan.problems:
            self.problem(p)
        report.skipped.update(scan.skipped)
        report.filtered.update(scan.filtered)
        if scan.kept is not None:
            self.assemble(*scan.kept, layout, label)

    # -- one batch ----------------------------------------------------------------------------------
    def scan_batch(
        self, batch: pa.RecordBatch, layout: Layout, label: str, counter: LineCounter, base: int, invalid: list[Problem]
    ) -> Scan:
        """Steps 1 and 2 (check, filter) of one block of rows; ``invalid`` are the rejected lines among them.

        What is kept are the rows' needed columns as text (control characters made spaces, see
        :func:`.reader.clean_controls`), their ISO dates and event codes.
        """
        fmt, opts = self.fmt, self.options
        scan = Scan(rows_read=batch.num_rows)
        ids = to_text(batch.column(fmt.id_column))
        dates = to_text(batch.column(fmt.date_column))
        codes = to_text(batch.column(fmt.code_column))

        empty = self._empty_rows(batch, ids)
        _add(scan.skipped, "empty", _mask_count(empty))
        id_ok = pc.ascii_is_decimal(ids)
        # A block holds a few distinct dates and codes: each is checked and filtered once (base.per_distinct).
        date_ok, iso, date_in = per_distinct(dates, self._check_dates)
        code_ok, code_in = per_distinct(codes, self._check_codes)
        valid = pc.and_(pc.and_(id_ok, date_ok), code_ok)
        bad = pc.and_(pc.invert(empty), pc.invert(valid))
        problems = list(invalid)
        if pc.any(bad).as_py():
            problems += self._bad_rows(
                pc.indices_nonzero(bad).to_pylist(), ids, dates, codes, id_ok, date_ok, label, counter, base
            )
        scan.problems = sorted(problems, key=lambda p: p.line)
        mask = valid

        mask = _filter(scan.filtered, mask, "dates", date_in)
        mask = _filter(scan.filtered, mask, "cameo", code_in)
        if opts.min_mentions and fmt.mentions_column:
            mentions = to_text(batch.column(fmt.mentions_column))
            numeric = pc.match_substring_regex(mentions, r"^\d{1,9}$")
            count = pc.cast(pc.if_else(numeric, mentions, "0"), pa.int64())
            mask = _filter(scan.filtered, mask, "mentions", pc.greater_equal(count, opts.min_mentions))
        if not pc.any(mask).as_py():
            return scan
        rows = pc.indices_nonzero(mask)
        table = pa.table(
            {name: to_text(clean_controls(_take(batch.column(name), rows))) for name in fmt.needed(layout)}
        )
        scan.kept = (table, _take(iso, rows), _take(codes, rows))
        return scan

    def _check_codes(self, codes: pa.Array) -> tuple[pa.Array, pa.Array | None]:
        """Whether each event code is 2 to 4 digits, and whether --cameo selects it (None: all are)."""
        return pc.match_substring_regex(codes, r"^\d{2,4}$"), self._cameo_mask(codes)

    def _check_dates(self, dates: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array | None]:
        """Whether each date is a real date written as the format says, its ISO form, and whether
        --from/--to keep it (None: no bound)."""
        fmt = self.fmt
        date_rx = r"^\d{8}$" if fmt.date_format == "%Y%m%d" else r"^\d{4}-\d{2}-\d{2}$"
        parsed = pc.strptime(dates, format=fmt.date_format, unit="s", error_is_null=True)
        # strptime rolls 31 February over into March, and reads year 0 (which no calendar date has):
        # a real date is one of year 1 or later that reads back the same.
        ok = pc.and_(
            pc.and_(
                pc.match_substring_regex(dates, date_rx), pc.not_equal(pc.utf8_slice_codeunits(dates, 0, 4), "0000")
            ),
            pc.equal(pc.fill_null(pc.strftime(parsed, format=fmt.date_format), ""), dates),
        )
        if fmt.date_format == "%Y%m%d":
            iso = pc.binary_join_element_wise(
                pc.utf8_slice_codeunits(dates, 0, 4),
                pc.utf8_slice_codeunits(dates, 4, 6),
                pc.utf8_slice_codeunits(dates, 6, 8),
                "-",
            )
        else:
            iso = dates
        return ok, iso, self._date_mask(iso)

    def assemble(self, table: pa.Table, iso: pa.Array, codes: pa.Array, layout: Layout, label: str) -> None:
        """Steps 3 to 5 (actors, --countries, duplicates) and the writing, for rows that passed the filters.

        Every engine ends here, so the entity mapping and the rows written are the same whichever
        engine read and filtered the files.
        """
        fmt, opts, report = self.fmt, self.options, self.report
        sides = [self._map_side(table, cols) for cols in fmt.actor_columns]
        (id1, name1, country1, reason1), (id2, name2, country2, reason2) = sides
        usable = pc.or_(pc.not_equal(id1, ""), pc.not_equal(id2, ""))
        if not pc.all(usable).as_py():
            why = pc.if_else(pc.not_equal(reason1, "no_actor"), reason1, reason2)
            for item in pc.value_counts(pc.filter(why, pc.invert(usable))).to_pylist():
                report.skipped[item["values"]] += item["counts"]
        keep = usable
        if opts.countries:
            wanted = pa.array(sorted(opts.countries), pa.string())
            in_set = pc.or_(pc.is_in(country1, value_set=wanted), pc.is_in(country2, value_set=wanted))
            _add(report.filtered, "countries", _mask_count(pc.and_(keep, pc.invert(in_set))))
            keep = pc.and_(keep, in_set)
        if not pc.any(keep).as_py():
            return
        rows = pc.indices_nonzero(keep)
        event_ids = pc.binary_join_element_wise(fmt.prefix, _take(table.column(fmt.id_column), rows), "-")
        fresh = self._fresh(event_ids.to_pylist())
        if fresh is not None:
            rows = pc.filter(rows, pa.array(fresh, pa.bool_()))
            event_ids = pc.filter(event_ids, pa.array(fresh, pa.bool_()))
            if not len(rows):
                return
        table = table.take(rows)
        iso, codes = (_take(a, rows) for a in (iso, codes))
        id1, name1, id2, name2 = (_take(a, rows) for a in (id1, name1, id2, name2))
        self._write(table, layout, label, iso, codes, event_ids, id1, name1, id2, name2)

    def _fresh(self, event_ids: list[str]) -> list[bool] | None:
        """Which of these ids are seen for the first time (None: all of them); counts the others as duplicates."""
        seen = self.seen_events
        if seen.isdisjoint(event_ids) and len(set(event_ids)) == len(event_ids):
            seen.update(event_ids)
            return None
        fresh = []
        for eid in event_ids:
            if eid in seen:
                self.report.skipped["duplicate"] += 1
                fresh.append(False)
            else:
                seen.add(eid)
                fresh.append(True)
        return fresh

    @staticmethod
    def _empty_rows(batch: pa.RecordBatch, ids: pa.Array) -> pa.Array:
        """Rows whose every field is empty: what an empty line is parsed as."""
        no_id = pc.equal(ids, "")
        if not pc.any(no_id).as_py():
            return no_id
        # Only the rows without an id are looked at, field by field.
        rows = pc.indices_nonzero(no_id)
        blank = pa.array(np.ones(len(rows), np.bool_))
        for column in batch.columns:
            blank = pc.and_(blank, pc.equal(pc.binary_length(pc.take(column, rows)), 0))
        empty = np.zeros(batch.num_rows, np.bool_)
        empty[pc.filter(rows, blank).to_numpy()] = True
        return pa.array(empty)

    def _date_mask(self, iso: pa.Array) -> pa.Array | None:
        if not (self.date_from or self.date_to):
            return None
        ok = pa.repeat(pa.scalar(True), len(iso))
        if self.date_from:
            ok = pc.and_(ok, pc.greater_equal(iso, self.date_from))
        if self.date_to:
            ok = pc.and_(ok, pc.less_equal(iso, self.date_to))
        return ok

    def _cameo_mask(self, codes: pa.Array) -> pa.Array | None:
        selection = self.options.cameo
        if set(selection) >= {f"{r:02d}" for r in range(1, 21)}:
            return None
        ok = None
        for length in sorted({len(s) for s in selection}):
            chosen = pa.array([s for s in selection if len(s) == length], pa.string())
            hit = pc.is_in(pc.utf8_slice_codeunits(codes, 0, length), value_set=chosen)
            ok = hit if ok is None else pc.or_(ok, hit)
        return ok

    def _bad_rows(self, rows, ids, dates, codes, id_ok, date_ok, label, counter, base) -> list[Problem]:
        id_ok, date_ok = id_ok.to_pylist(), date_ok.to_pylist()
        return [
            self.bad_value(
                label,
                counter.line_of(base + i),
                ids[i].as_py(),
                dates[i].as_py(),
                codes[i].as_py(),
                id_ok[i],
                date_ok[i],
            )
            for i in rows
        ]

    def bad_value(self, label: str, line: int, eid: str, date: str, code: str, id_ok: bool, date_ok: bool) -> Problem:
        """The problem of a line whose event id, date or event code (the first that is wrong) is malformed."""
        fmt = self.fmt
        if not id_ok:
            return Problem(label, line, fmt.id_column, clean_text(eid), "is not an event id", "digits")
        if not date_ok:
            expected_date = "YYYYMMDD" if fmt.date_format == "%Y%m%d" else "YYYY-MM-DD"
            return Problem(
                label,
                line,
                fmt.date_column,
                clean_text(date),
                "is not a valid date",
                f"a real date written {expected_date}",
            )
        return Problem(
            label, line, fmt.code_column, clean_text(code), "is not a CAMEO event code", "2 to 4 digits, e.g. 042"
        )

    # -- actors ------------------------------------------------------------------------------------
    def _map_side(self, table: pa.Table, columns: tuple[str, ...]):
        # One key per distinct actor; no field holds \x1f, since the reader turns control characters into spaces.
        key = _flat(pc.binary_join_element_wise(*(table.column(c) for c in columns), "\x1f"))
        encoded = key.dictionary_encode()
        mapped = []
        cache = self.actors
        for k in encoded.dictionary.to_pylist():
            actor = cache.get(k)
            if actor is None:
                actor = cache[k] = self.fmt.map_actor(*k.split("\x1f"))
            mapped.append(actor)
        indices = encoded.indices
        # The country is read by --countries only: no row-wise copy of it otherwise.
        wanted = ("id", "name", "country" if self.options.countries else None, "reason")
        out = [
            pc.take(pa.array([getattr(a, attr) for a in mapped], pa.string()), indices) if attr else None
            for attr in wanted
        ]
        if any(a.reason == "unknown_country" for a in mapped):
            counts = Counter(indices.to_pylist())
            for i, actor in enumerate(mapped):
                if actor.reason == "unknown_country":
                    self.report.unknown_countries[actor.raw] += counts.get(i, 0)
        return out

    def _remember(self, entity_ids: pa.Array) -> None:
        for eid in pc.unique(entity_ids).to_pylist():
            if eid and eid not in self.known_entities:
                self.entities.add(eid)

    # -- output ------------------------------------------------------------------------------------
    def _write(self, table, layout, label, iso, codes, event_ids, id1, name1, id2, name2) -> None:
        fmt, report = self.fmt, self.report
        n = table.num_rows
        cols = {k: _flat(v) for k, v in fmt.columns(table, layout, label).items()}
        if "misdated" in cols:
            report.misdated += _mask_count(cols.pop("misdated"))
        event_ids, id1, name1, id2, name2 = (_flat(a) for a in (event_ids, id1, name1, id2, name2))

        code_dict = _flat(codes).dictionary_encode()
        kinds, labels, shorts = [], [], []
        for code in code_dict.dictionary.to_pylist():
            if code not in self.codes:
                self.codes[code] = (
                    cameo.event_kind(code),
                    cameo.describe(code),
                    cameo.short_label(code) or f"CAMEO event {code}",
                )
            kinds.append(self.codes[code][0])
            labels.append(self.codes[code][1])
            shorts.append(self.codes[code][2])
        kind = pc.take(pa.array(kinds, pa.string()), code_dict.indices)
        label_col = pc.take(pa.array(labels, pa.string()), code_dict.indices)
        short_col = pc.take(pa.array(shorts, pa.string()), code_dict.indices)

        same = pc.equal(id1, id2)
        id2 = pc.if_else(same, "", id2)
        both = pc.and_(pc.not_equal(id1, ""), pc.not_equal(id2, ""))
        pair = pc.if_else(
            both, pc.binary_join_element_wise(name1, name2, " – "), pc.if_else(pc.not_equal(id1, ""), name1, name2)
        )
        title = pc.binary_join_element_wise(pair, short_col, ": ")
        report.single_actor += n - _mask_count(both)

        place_key = cols["place_key"].dictionary_encode()
        place_iso = []
        for key in place_key.dictionary.to_pylist():
            if key not in self.places:
                self.places[key] = (fmt.place_country(key) or "") if key else ""
            place_iso.append(self.places[key])
        place_country = pc.take(pa.array(place_iso, pa.string()), place_key.indices)

        source_ids = self._sources(cols["source_key"], cols["source_date"])
        empty = pa.repeat(pa.scalar("", pa.string()), n)
        events = pa.table(
            {
                "id": event_ids,
                "kind": kind,
                "title": title,
                "start": iso,
                "end": empty,
                "precision": pa.repeat(pa.scalar("day", pa.string()), n),
                "place": cols["place"],
                "place_country": place_country,
                "topics": empty,
                "confidence": cols["confidence"],
                "sources": source_ids,
                "note": cols["note"],
                "cameo": codes,
                "cameo_label": label_col,
                "quad_class": cols["quad_class"],
                "goldstein": cols["goldstein"],
                "tone": cols["tone"],
                "mentions": cols["mentions"],
            }
        )
        self.writer.write_rows("events", events)

        # Each event's first actor, then its second: rows 0, n, 1, n + 1... of the two sides end to end.
        order = np.empty(2 * n, np.int64)
        order[0::2] = np.arange(n)
        order[1::2] = order[0::2] + n
        order = pa.array(order)
        entity = pc.take(pa.concat_arrays([id1, id2]), order)
        named = pc.not_equal(entity, "")
        part = pa.table(
            {
                "event": pc.filter(pc.take(pa.concat_arrays([event_ids, event_ids]), order), named),
                "entity": pc.filter(entity, named),
            }
        )
        part = part.append_column("role", pa.repeat(pa.scalar("participant", pa.string()), part.num_rows))
        self.writer.write_rows("participants", part)
        report.imported += n
        report.participants += part.num_rows
        for ids in (id1, id2):
            self._remember(ids)

    def _sources(self, keys: pa.Array, dates: pa.Array) -> pa.Array:
        encoded = _flat(keys).dictionary_encode()
        uniques = encoded.dictionary
        ids = [self.fmt.source_id(k) for k in uniques.to_pylist()]
        seen = self.seen_sources
        new = []
        for i, sid in enumerate(ids):
            if sid not in seen:
                seen.add(sid)
                new.append(i)
        if new:
            # The first row citing a source dates it.
            first_rows = pc.index_in(pa.array(new, encoded.indices.type), value_set=encoded.indices)
            new_idx = pa.array(new, pa.int64())
            table = self.fmt.describe_sources(
                pc.take(uniques, new_idx), pa.array([ids[i] for i in new], pa.string()), pc.take(dates, first_rows)
            )
            self.writer.write_rows("sources", table)
            self.report.sources += len(new)
        return pc.take(pa.array(ids, pa.string()), encoded.indices)

    # -- entities ----------------------------------------------------------------------------------
    def entity_table(self) -> pa.Table:
        by_id: dict[str, Actor] = {}
        for actor in self.actors.values():
            if actor.id and actor.id in self.entities and actor.id not in by_id:
                by_id[actor.id] = actor
        rows: dict[str, dict[str, str]] = {}
        for eid, actor in by_id.items():
            rows[eid] = self._entity_row(actor)
            if actor.kind == "official" and actor.country not in rows and actor.country not in self.known_entities:
                rows[actor.country] = self._entity_row(Actor(actor.country, "country", country_name(actor.country)))
        ordered = sorted(rows.values(), key=lambda r: (_KIND_ORDER.get(r["kind"], 9), r["id"]))
        _check_entities(ordered)
        for r in ordered:
            self.report.entities[r["kind"]] = self.report.entities.get(r["kind"], 0) + 1
        columns = ("id", "kind", "name", "aliases", "iso3", "country", "note")
        return pa.table({c: pa.array([r.get(c, "") for r in ordered], pa.string()) for c in columns})

    def _entity_row(self, actor: Actor) -> dict[str, str]:
        row = {"id": actor.id, "kind": actor.kind, "name": actor.name}
        if actor.kind == "country":
            row["iso3"] = actor.id
        elif actor.kind == "official":
            row["country"] = actor.country
            if actor.raw and actor.raw != actor.name:
                row["aliases"] = actor.raw.replace(";", ",")
        row["note"] = f"Imported from {self.fmt.title}"
        return row


def _check_entities(rows: list[dict[str, str]]) -> None:
    """Stop, writing nothing, if a mapping rule made an entity the loader would reject.

    The rules in :mod:`.actors` build valid ids and names by construction; this
    is the guard that keeps a folder that fails ``explorer validate`` from ever
    being written if one of them is wrong.
    """
    for r in rows:
        pattern = schema.ID_PATTERNS.get(r["kind"])
        if pattern is None or not re.fullmatch(pattern, r["id"]) or not r["name"].strip():
            raise ExplorerError(
                f"internal error: the importer made an invalid {r['kind']} entity "
                f"(id {r['id']!r}, name {r['name']!r}); nothing was written. Please report it."
            )


def _big_enough_for_a_store(folder: Path) -> bool:
    from .store import wants_store  # (and pyarrow.parquet) only when --store is not given

    return wants_store(folder)


def run_import(
    fmt: EventFormat,
    inputs: Sequence[str | Path],
    out: str | Path,
    options: ImportOptions = ImportOptions(),
    *,
    on_problem: Callable[[Problem], None] | None = None,
    on_bytes: Callable[[int], None] | None = None,
    on_start: Callable[[int | None], None] | None = None,
) -> ImportReport:
    """Import event files of format ``fmt`` into the data folder ``out``; return what happened.

    ``on_problem`` is called for every malformed line, ``on_start`` once with
    the total number of bytes to read (None when unknown) and ``on_bytes``
    with each block read, for a progress bar.  Nothing is written to ``out``
    unless the whole import succeeds.
    """
    paths = expand_inputs(inputs)
    streams = [s for p in paths for s in list_inputs(p)]
    report = ImportReport(importer=fmt.name, out=str(out))
    if on_start:
        sizes = [s.size for s in streams]
        on_start(None if any(s is None for s in sizes) else sum(sizes))
    # The import makes few reference cycles but many objects (actors, ids): the cycle collector
    # would spend its time walking them for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with FolderWriter(out, options.mode, inputs=paths) as writer:
            run = _Run(fmt, options, writer, report, on_problem)
            if options.engine == "spark":
                from .spark import scan_with_spark

                for inp, layout, scan in scan_with_spark(run, streams, options.master):
                    report.files.append((inp.label, layout.name))
                    run.apply(scan, layout, inp.label)
            else:
                for stream in streams:
                    run.run_stream(stream, on_bytes)
            writer.write_table("entities", run.entity_table())
            writer.write_table("affiliations", pa.table({}))
            writer.close_files()
            if options.store or (options.store is None and _big_enough_for_a_store(writer.tmp)):
                # The rows are written: give back what reading them held before DuckDB needs memory.
                run.seen_events.clear()
                run.seen_sources.clear()
                pa.default_memory_pool().release_unused()
                from .store import build_import_store

                # Inside the folder before it is put in place: the import leaves both or neither.
                store = build_import_store(writer.tmp, out)
                report.store = str(Path(out) / store.name)
            writer.commit()
    finally:
        if collecting:
            gc.enable()
    return report
