"""``explorer import table FILE``: a spreadsheet or CSV of ties (a Kumu workbook, an edge list) into a data folder.

Two layouts are read:

- **Kumu's**: a workbook with an ``Elements`` sheet (``Label``, ``Type``,
  ``Description``, ``Tags``, and optionally ``ID``, ``Country``, ``Aliases``,
  ``ISO3``, ``Wikidata``) and a ``Connections`` sheet (``From``, ``To``,
  ``Type``, ``Direction``, ``Label``, ``Description``, ``Tags``, plus date
  columns: ``Date`` or ``Start``/``End``, and optionally ``URL``,
  ``Confidence``, ``Status``, ``Place``).  The elements are the entities,
  the connections the ties.
- **An edge list**: one tie per row, in a CSV file or one sheet of a
  workbook.  Its columns are found by their usual names (:data:`COLUMN_NAMES`:
  ``source``/``from``, ``target``/``to``, ``date`` or ``start``/``end``,
  ``kind``/``type``, ``title``/``label``, ``url``...) or named by the options
  (:class:`TableOptions`).

The files are read with pandas (openpyxl for ``.xlsx``, odfpy for ``.ods``);
every row becomes one fact through a :class:`~.facts.FactSet`, which resolves
names, maps kinds and refuses the whole import, naming the file, the sheet,
the row and the column of every problem, when one row cannot become a fact.
Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import schema
from ..errors import ArgumentError
from .facts import FactSet, Reference, Where, cell_date, entity_kind
from .reader import InputError

__all__ = ["SUFFIXES", "COLUMN_NAMES", "TableOptions", "read_sheets", "table_facts", "import_table"]

SUFFIXES = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".ods": "odf", ".csv": None, ".tsv": None, ".txt": None}
"""The files ``explorer import table`` reads, and the pandas engine of each workbook format."""

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "source": ("source", "from", "actor1", "actor 1", "source entity", "entity1", "entity 1", "node1"),
    "target": ("target", "to", "actor2", "actor 2", "target entity", "entity2", "entity 2", "node2"),
    "date": ("date", "day", "event date", "when"),
    "start": ("start", "start date", "begin", "from date", "since"),
    "end": ("end", "end date", "until", "to date"),
    "kind": ("kind", "type", "relation", "relationship", "connection type", "tie"),
    "title": ("title", "label", "headline", "name"),
    "url": ("url", "source url", "link", "sources", "reference"),
    "note": ("note", "notes", "description", "comment", "comments"),
    "tags": ("tags", "tag"),
    "confidence": ("confidence",),
    "status": ("status",),
    "place": ("place", "location", "venue", "city"),
    "place_country": ("place country", "place_country", "host country"),
    "topics": ("topics",),
    "event": ("event id", "event"),
}
"""The column headers an edge list's fields are found under (case, spaces, '_' and '-' ignored), first match wins."""

ELEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "label": ("label", "name"),
    "type": ("type", "kind"),
    "id": ("id",),
    "country": ("country",),
    "aliases": ("aliases", "alias", "other names"),
    "iso3": ("iso3", "iso", "iso code"),
    "wikidata": ("wikidata", "wikidata id", "qid"),
    "note": ("description", "note", "notes"),
    "tags": ("tags",),
}
"""The columns of a Kumu ``Elements`` sheet that explorer reads."""

MAPPABLE = ("source", "target", "date", "start", "end", "kind", "title", "url")
"""The fields whose column an option can name (``--source COL``...)."""


@dataclass(frozen=True)
class TableOptions:
    """How to read a table.

    ``columns`` maps a field (:data:`MAPPABLE`) to the header of its column,
    overriding :data:`COLUMN_NAMES`.  ``sheet`` picks the sheet of an edge list
    in a workbook (default: the first).  ``node_kind`` is the kind of names that
    match no entity and are not countries; ``default_kind`` the kind of a tie
    whose kind cell is empty or missing; ``unknown_kinds`` 'nearest' (map a
    kind outside the vocabulary to the nearest relation, with a note) or
    'refuse'.
    """

    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    node_kind: str | None = None
    default_kind: str = "meeting"
    unknown_kinds: str = "nearest"


def _key(header: object) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", str(header).casefold()).split())


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:
            return ""
        if value.is_integer():
            return str(int(value))
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return cell_date(value)
    return str(value).strip()


def _delimiter(path: Path) -> str:
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        head = fh.readline()
    counts = {d: head.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_sheets(path: str | Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook (a CSV file is one sheet named ``''``), as object columns; empty cells NaN.

    Raises :class:`~.reader.InputError` naming the file when it is missing,
    not of a format read here, or damaged.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path.name}: not a table explorer reads; expected {', '.join(sorted(SUFFIXES))}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if SUFFIXES[suffix] is None:
            frame = pd.read_csv(
                path,
                sep=_delimiter(path),
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
            )
            return {"": frame}
        return pd.read_excel(path, sheet_name=None, engine=SUFFIXES[suffix], dtype=object)
    except UnicodeDecodeError:
        raise InputError(f"{path.name}: not UTF-8 text; save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path.name}: the file is empty") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{path.name}: not a CSV table ({str(exc).strip()})") from None
    except ImportError as exc:
        raise InputError(f"{path.name}: reading {suffix} files needs {exc.name}; pip install {exc.name}") from None
    except Exception as exc:  # openpyxl and odfpy raise their own (zipfile.BadZipFile, KeyError, XML errors)
        raise InputError(f"{path.name}: not a readable {suffix} workbook ({type(exc).__name__}: {exc})") from None


def _find_sheet(sheets: dict[str, pd.DataFrame], name: str) -> str | None:
    for sheet in sheets:
        if _key(sheet) == _key(name):
            return sheet
    return None


def _columns(frame: pd.DataFrame, wanted: dict[str, tuple[str, ...]], given: dict[str, str], where: Where):
    """field -> the header of its column: the one an option names (which must exist), else the first usual name."""
    headers = {_key(h): h for h in frame.columns if not str(h).startswith("Unnamed:")}
    out: dict[str, str] = {}
    for fld, header in given.items():
        if _key(header) not in headers:
            listed = ", ".join(repr(str(h)) for h in headers.values())
            raise ArgumentError(f"--{fld} {header!r}: {where} has no such column; its columns are {listed}")
        out[fld] = headers[_key(header)]
    for fld, names in wanted.items():
        if fld in out:
            continue
        for name in names:
            if name in headers and headers[name] not in out.values():
                out[fld] = headers[name]
                break
    return out


def _rows(frame: pd.DataFrame):
    """(spreadsheet row number, row) of every row that is not blank; the header is row 1."""
    for i, row in enumerate(frame.to_dict("records")):
        if all(_text(v) == "" for v in row.values()):
            continue
        yield i + 2, row


def _read_elements(facts: FactSet, frame: pd.DataFrame, where: Where) -> None:
    cols = _columns(frame, ELEMENT_COLUMNS, {}, where)
    if "label" not in cols:
        facts.problem(where, "an Elements sheet needs a Label column")
        return
    for n, row in _rows(frame):
        here = where.at(f"row {n}")

        def cell(fld: str, row=row) -> str:
            return _text(row.get(cols[fld])) if fld in cols else ""

        kind = None
        if cell("type"):
            kind = entity_kind(cell("type"))
            if kind is None:
                facts.problem(
                    here.at(field=cols["type"]),
                    f"unknown element type {cell('type')!r}; expected {', '.join(schema.ENTITY_KINDS)} "
                    "(or person, state, organisation...)",
                )
                continue
        facts.describe_entity(
            here.at(field=cols["label"]),
            cell("label"),
            kind,
            country=cell("country"),
            aliases=cell("aliases"),
            iso3=cell("iso3"),
            wikidata=cell("wikidata"),
            note=cell("note"),
            eid=cell("id"),
            columns=cols,
        )


def _date_cell(facts: FactSet, here: Where, value: object) -> str | None:
    try:
        return cell_date(value)
    except ValueError as exc:
        facts.problem(here, str(exc))
        return None


def _read_ties(facts: FactSet, frame: pd.DataFrame, where: Where, options: TableOptions, kumu: bool) -> int:
    given = {k: v for k, v in options.columns.items() if v}
    cols = _columns(frame, COLUMN_NAMES, given, where)
    missing = [f for f in ("source", "target") if f not in cols]
    if missing:
        headers = ", ".join(repr(str(h)) for h in frame.columns)
        wanted = "From and To" if kumu else "source and target (or --source COL --target COL)"
        raise ArgumentError(f"{where}: no {' or '.join(missing)} column; it needs {wanted}. Its columns: {headers}")
    if not any(f in cols for f in ("date", "start")):
        headers = ", ".join(repr(str(h)) for h in frame.columns)
        raise ArgumentError(f"{where}: no date column (Date, or Start and End; or --date COL); its columns: {headers}")
    count = 0
    grouped: dict[str, tuple[str, int]] = {}  # the event column's value -> (event id, row that began it)
    for n, row in _rows(frame):
        count += 1
        here = where.at(f"row {n}")

        def cell(fld: str, row=row) -> str:
            return _text(row.get(cols[fld])) if fld in cols else ""

        def at(fld: str, here=here) -> Where:
            return here.at(field=str(cols.get(fld, fld)))

        a = facts.resolve(at("source"), row.get(cols["source"]))
        b = facts.resolve(at("target"), row.get(cols["target"]))
        kind_note = facts.kind_of(
            at("kind"), row.get(cols["kind"]) if "kind" in cols else None, options.default_kind, options.unknown_kinds
        )
        start_field = "date" if "date" in cols and (_text(row.get(cols["date"])) or "start" not in cols) else "start"
        start = _date_cell(facts, at(start_field), row.get(cols[start_field])) if start_field in cols else ""
        end = _date_cell(facts, at("end"), row.get(cols["end"])) if "end" in cols else ""
        urls = cell("url")
        sources = facts.cite_urls(at("url"), urls) if urls else facts.cite_file()
        confidence = cell("confidence").lower() or ("medium" if urls else "low")
        if confidence not in schema.CONFIDENCE:
            facts.problem(
                at("confidence"), f"{cell('confidence')!r} is not a confidence; expected {', '.join(schema.CONFIDENCE)}"
            )
            continue
        if None in (a, b, kind_note, start, end, sources):
            continue
        if a == b:
            facts.problem(here, f"a tie needs two different entities; both ends are {a}")
            continue
        if not start:
            facts.problem(at(start_field), "no date: every tie needs one")
            continue
        kind, mapped = kind_note
        if cell("event") in grouped:  # another pair of the event an earlier row began
            eid, first = grouped[cell("event")]
            facts.join_event(at("event"), eid, [a, b], start, f"row {first}")
            continue
        note = " ".join(x for x in (cell("note"), f"Tags: {cell('tags')}." if cell("tags") else "", mapped) if x)
        if kind in schema.AFFILIATION_KINDS:
            status = cell("status").lower() or "confirmed"
            if status not in schema.STATUSES:
                facts.problem(
                    at("status"), f"{cell('status')!r} is not a status; expected {', '.join(schema.STATUSES)}"
                )
                continue
            facts.add_affiliation(
                here,
                kind,
                a,
                b,
                start,
                end,
                title=cell("title"),
                status=status,
                confidence=confidence,
                sources=sources,
                note=note,
            )
        else:
            eid = facts.add_event(
                here,
                kind,
                [a, b],
                start,
                end,
                title=cell("title"),
                confidence=confidence,
                sources=sources,
                note=note,
                place=cell("place"),
                place_country=cell("place_country").upper(),
                topics=cell("topics"),
                event_id=cell("event"),
            )
            if eid is not None and cell("event"):
                grouped[cell("event")] = (eid, n)
    return count


def table_facts(path: str | Path, reference: Reference, options: TableOptions = TableOptions()) -> tuple[FactSet, str]:
    """The facts of the table at ``path`` and a phrase saying what was read; problems are in ``facts.problems``."""
    path = Path(path)
    sheets = read_sheets(path)
    facts = FactSet(reference, path.name, path.read_bytes(), node_kind=options.node_kind)
    elements, connections = _find_sheet(sheets, "Elements"), _find_sheet(sheets, "Connections")
    if connections is not None and options.sheet is None:
        if elements is not None:
            _read_elements(facts, sheets[elements], Where(path.name, elements))
        rows = _read_ties(facts, sheets[connections], Where(path.name, connections), options, kumu=True)
        return facts, f"{rows:,} connections read from the Kumu workbook {path.name}"
    if options.sheet is not None:
        sheet = _find_sheet(sheets, options.sheet)
        if sheet is None:
            listed = ", ".join(repr(s) for s in sheets)
            raise ArgumentError(f"--sheet {options.sheet!r}: {path.name} has no such sheet; its sheets are {listed}")
    else:
        sheet = next(iter(sheets))
    rows = _read_ties(facts, sheets[sheet], Where(path.name, sheet), options, kumu=False)
    what = f"sheet {sheet!r} of {path.name}" if sheet else path.name
    return facts, f"{rows:,} rows read from {what}"


def import_table(
    path: str | Path,
    out: str | Path,
    reference: Reference,
    options: TableOptions = TableOptions(),
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> list[str]:
    """Import the table at ``path`` into the new data folder ``out``; return the summary lines.

    Nothing is written when one row is refused (:class:`~.facts.ImportProblems`
    lists them all).  ``out`` is never ``path`` nor one of ``inputs`` (the
    reference's folders), nor a folder that holds one.
    """
    facts, read = table_facts(path, reference, options)
    facts.write(out, force=force, inputs=[path, *inputs])
    return facts.summary_lines(str(out), read)
