"""The event store of a folder an import has just written (see :mod:`explorer.store_build`).

``explorer serve`` reads a large folder through its columnar event store, which it builds on
first use when the folder has none: for a month of GDELT that took 24 to 78 s, through the
loader, which holds every row as pandas frames.  The import builds it instead, right after
writing the CSV files and before the folder is put in place (so an import leaves either a
folder with its store or nothing), and without the loader: it reads back the five files it
has just written with pyarrow, a block at a time, stages them as Parquet files and hands those
to :func:`explorer.store_build.build_store_from_tables`, whose DuckDB works within a memory limit
and spills to the staging folder (1.2M events no longer need their whole tables in memory).
The rows are valid by construction (the importer checks every id, date and entity it
writes), and the tables are those :func:`explorer.store_build.build_store` makes from the
validated folder: the same strings (stripped as the loader strips them), dates, line numbers
and topic lists; ``tests/test_import_store.py`` compares the two stores.

When the folder holds what only the loader reads right (rows added by hand before an
``--append``: partial dates, topics, affiliations, a ``folder`` column, a value on several
lines), the store is built by :func:`~explorer.store_build.build_store`, which validates the
folder first.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from .. import schema
from ..store_build import STORE_ABOVE

__all__ = ["STORE_ABOVE", "wants_store", "stage_import_tables", "build_import_store"]

# STORE_ABOVE: bytes of ``events.csv`` from which an import builds the store, the size from which
# ``explorer serve`` reads a folder through its store (one definition, in store_build).  A smaller
# folder is read into memory, store or not.

_DAY = r"^\d{4}-\d{2}-\d{2}$"
_TOPIC = pa.struct([("topic", pa.string()), ("topic_cf", pa.string()), ("outcome", pa.string())])


def _has_edge_space(values: pa.Array) -> bool:
    """Whether a value starts or ends with what :meth:`str.strip` removes.

    pyarrow's ``utf8_trim_whitespace`` removes every character :meth:`str.isspace` is true of
    (a test checks it), so a value it shortens is one to strip; the strip itself is Python's.
    """
    trimmed = pc.utf8_trim_whitespace(values)
    return bool(pc.any(pc.not_equal(pc.binary_length(trimmed), pc.binary_length(values))).as_py())


def wants_store(folder: str | Path) -> bool:
    """Whether ``explorer serve`` will read this data folder through its store (by its size)."""
    try:
        return (Path(folder) / schema.FILES["events"].name).stat().st_size >= STORE_ABOVE
    except OSError:
        return False


_BLOCK = 1 << 24
# Staged tables are read once, by DuckDB: uncompressed, and without statistics, from which DuckDB
# would take a column with no empty value for a column that can have none (and write it so).
_STAGED = {"compression": "none", "write_statistics": False}


def _line_breaks(path: Path) -> int | None:
    """The number of line breaks in a file as an import writes it, read a block at a time; None when it
    is not written that way (a byte order mark, a carriage return, no line break at its end)."""
    count, last = 0, b""
    with open(path, "rb") as fh:
        for i, block in enumerate(iter(lambda: fh.read(_BLOCK), b"")):
            if (i == 0 and block.startswith(b"\xef\xbb\xbf")) or b"\r" in block:
                return None
            count += block.count(b"\n")
            last = block[-1:]
    return count if last == b"\n" else None


def _stage(path: Path, columns: tuple[str, ...], derive, target: Path) -> int | None:
    """Write the file's ``columns`` as stripped strings ('' where a column is missing), with the
    columns ``derive(strings, first_row)`` adds, to the Parquet file ``target``, a block of rows at a
    time; return the number of rows, or None when the file is not as an import writes it (a byte
    order mark, a value on several lines) or ``derive`` finds a row only the loader reads right.

    Only a block is held in memory, never the file: the store of 1.2M imported events is built
    in a fraction of the memory the whole tables took.
    """
    lines = _line_breaks(path)
    if lines is None:
        return None
    with open(path, "rb") as fh:
        first = fh.readline()
    header = next(csv.reader([first.decode("utf-8").rstrip("\n")]))
    rows = 0
    writer = None

    def frame(strings: dict[str, pa.Array]) -> pa.Table | None:
        extra = derive(strings, rows)
        return None if extra is None else pa.table({**strings, **extra})

    try:
        reader = pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=_BLOCK),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=False
            ),
        )
        for batch in reader:
            n = batch.num_rows
            strings = {}
            for c in columns:
                if c not in batch.schema.names:
                    strings[c] = pa.repeat(pa.scalar("", pa.string()), n)
                    continue
                values = batch.column(c)
                if n and _has_edge_space(values):
                    values = pa.array([v.strip() for v in values.to_pylist()], pa.string())
                strings[c] = values
            table = frame(strings)
            if table is None:
                return None
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema, **_STAGED)
            writer.write_table(table)
            rows += n
        if writer is None:  # a header and no row
            table = frame({c: pa.array([], pa.string()) for c in columns})
            if table is None:
                return None
            pq.write_table(table, target, **_STAGED)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    finally:
        if writer is not None:
            writer.close()
    if lines != rows + 1:
        return None  # a value on several lines: the loader numbers physical lines, leave it to the loader
    return rows


def _no_folder(strings: dict[str, pa.Array]) -> bool:
    values = strings.get(schema.FOLDER_COLUMN)
    return values is None or not pc.any(pc.not_equal(values, "")).as_py()


def _plain(strings: dict[str, pa.Array], first: int) -> dict | None:
    """Nothing to add, and nothing the loader alone reads right (a merged folder labels its rows)."""
    return {} if _no_folder(strings) else None


def _event_columns(strings: dict[str, pa.Array], first: int) -> dict | None:
    """An event's first and last day (its start: every start is a real day, the importer checked it)
    and its empty topic list; None for partial dates, event ends, topics or a folder column."""
    ev = strings
    n = len(ev["id"])
    if not _no_folder(ev) or (
        n
        and not (
            pc.all(pc.match_substring_regex(ev["start"], _DAY)).as_py()
            and pc.all(pc.equal(ev["end"], "")).as_py()
            and pc.all(pc.equal(ev["topics"], "")).as_py()
        )
    ):
        return None
    days = pc.cast(pc.strptime(ev["start"], format="%Y-%m-%d", unit="s"), pa.date32())
    return {"start_date": days, "end_date": days, "topic_list": pa.array([[]] * n, pa.list_(_TOPIC))}


def _participant_lines(strings: dict[str, pa.Array], first: int) -> dict | None:
    """Each row's line: one row a line after the header (no value holds a line break), line 2, 3, ..."""
    if not _no_folder(strings):
        return None
    n = len(strings["event"])
    return {"line": pa.array(np.arange(first + 2, first + n + 2, dtype=np.int64))}


def _affiliation_columns(strings: dict[str, pa.Array], first: int) -> dict | None:
    """An import writes no affiliation: a folder that has one leaves the store to the loader."""
    if len(strings["source"]):
        return None
    date32 = pa.array([], pa.date32())
    return {"start_date": date32, "end_date": date32, "line": pa.array([], pa.int64())}


_DERIVE = {
    "entities": _plain,
    "affiliations": _affiliation_columns,
    "events": _event_columns,
    "participants": _participant_lines,
    "sources": _plain,
}


def stage_import_tables(folder: str | Path, stage: str | Path) -> dict[str, Path] | None:
    """The tables :func:`explorer.store_build.build_store` writes the store from, read from a
    folder an import wrote and staged as Parquet files in ``stage``; None when the folder holds
    what only the loader reads right (affiliations, partial dates or event ends, topics, a
    ``folder`` column)."""
    folder, stage = Path(folder), Path(stage)
    staged = {}
    # The smallest first: a folder the loader must read is told at once.
    for name in ("affiliations", "entities", "sources", "events", "participants"):
        spec = schema.FILES[name]
        target = stage / f"{name}.parquet"
        if _stage(folder / spec.name, spec.allowed, _DERIVE[name], target) is None:
            return None
        staged[name] = target
    return {name: staged[name] for name in schema.FILES}


def build_import_store(folder: str | Path, final: str | Path) -> Path:
    """Build the store of the data folder ``folder`` (an import's temporary folder, to be renamed
    ``final``) at its default place inside it; return the store's path.

    Read straight from the files (:func:`stage_import_tables`), or else through
    :func:`explorer.store_build.build_store`, which validates the folder (a
    :class:`~explorer.errors.DataError` stops the import, and nothing is written).
    """
    from ..store_build import MANIFEST, STORE_DIR, build_store, build_store_from_tables

    folder = Path(folder)
    dest = folder / STORE_DIR
    # Staged inside the import's temporary folder, which a killed import leaves to be cleared.
    with tempfile.TemporaryDirectory(prefix=".explorer-store-stage-", dir=folder) as stage:
        tables = stage_import_tables(folder, stage)
        pa.default_memory_pool().release_unused()  # the blocks read: DuckDB needs the memory now
        if tables is not None:
            return build_store_from_tables(folder, tables, dest, data=final, spill=Path(stage))
    build_store(folder, dest, rebuild=True)
    manifest_path = dest / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["data"] = str(Path(final).resolve())  # not the temporary folder's name
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return dest
