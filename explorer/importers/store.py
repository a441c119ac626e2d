"""The event store of a folder an import has just written (see :mod:`explorer.store_build`).

``explorer serve`` reads a large folder through its columnar event store, which it builds on
first use when the folder has none: for a month of GDELT that took 24 to 78 s, through the
loader, which holds every row as pandas frames.  The import builds it instead, right after
writing the CSV files and before the folder is put in place (so an import leaves either a
folder with its store or nothing), and without the loader: it reads back the five files it
has just written with pyarrow and hands them to :func:`explorer.store_build.build_store_from_tables`.
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
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .. import schema
from ..store_build import STORE_ABOVE

__all__ = ["STORE_ABOVE", "wants_store", "read_import_tables", "build_import_store"]

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


def _read_strings(path: Path, columns: tuple[str, ...]) -> dict[str, pa.Array] | None:
    """The file's ``columns`` as stripped strings ('' where a column is missing), or None when
    the file is not as an import writes it (a byte order mark, a value on several lines)."""
    data = path.read_bytes()
    first = data[: data.find(b"\n") + 1]
    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
        return None
    header = next(csv.reader([first.decode("utf-8").rstrip("\n")]))
    try:
        table = pcsv.read_csv(
            pa.BufferReader(data),
            read_options=pcsv.ReadOptions(block_size=1 << 24),
            parse_options=pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types={c: pa.string() for c in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    n = table.num_rows
    if data.count(b"\n") != n + 1 or not data.endswith(b"\n"):
        return None  # a value on several lines: the loader numbers physical lines, leave it to the loader
    out = {}
    for c in columns:
        if c not in table.column_names:
            out[c] = pa.array([""] * n, pa.string())
            continue
        values = table.column(c).combine_chunks()
        if n and _has_edge_space(values):
            values = pa.array([v.strip() for v in values.to_pylist()], pa.string())
        out[c] = values
    return out


def read_import_tables(folder: str | Path) -> dict[str, pa.Table] | None:
    """The tables :func:`explorer.store_build.build_store` writes the store from, read from a
    folder an import wrote; None when the folder holds what only the loader reads right
    (affiliations, partial dates or event ends, topics, a ``folder`` column)."""
    folder = Path(folder)
    cols = {name: spec.allowed for name, spec in schema.FILES.items()}
    data = {}
    for name, spec in schema.FILES.items():
        read = _read_strings(folder / spec.name, cols[name])
        if read is None:
            return None
        if schema.FOLDER_COLUMN in read and pc.any(pc.not_equal(read[schema.FOLDER_COLUMN], "")).as_py():
            return None  # a merged folder: the loader labels its rows
        data[name] = read
    if len(data["affiliations"]["source"]):
        return None
    ev = data["events"]
    n = len(ev["id"])
    if n and not (
        pc.all(pc.match_substring_regex(ev["start"], _DAY)).as_py()
        and pc.all(pc.equal(ev["end"], "")).as_py()
        and pc.all(pc.equal(ev["topics"], "")).as_py()
    ):
        return None
    # Every start is a real day (the importer checked it): the first and last day of its period.
    days = pc.cast(pc.strptime(ev["start"], format="%Y-%m-%d", unit="s"), pa.date32())
    date32 = pa.array([], pa.date32())
    participants = data["participants"]
    return {
        "entities": pa.table(data["entities"]),
        "affiliations": pa.table(
            {
                **data["affiliations"],
                "start_date": date32,
                "end_date": date32,
                "line": pa.array([], pa.int64()),
            }
        ),
        "events": pa.table(
            {**ev, "start_date": days, "end_date": days, "topic_list": pa.array([[]] * n, pa.list_(_TOPIC))}
        ),
        "participants": pa.table(
            # One row a line after the header (no value holds a line break): line 2, 3, ...
            {**participants, "line": pa.array(range(2, len(participants["event"]) + 2), pa.int64())}
        ),
        "sources": pa.table(data["sources"]),
    }


def build_import_store(folder: str | Path, final: str | Path) -> Path:
    """Build the store of the data folder ``folder`` (an import's temporary folder, to be renamed
    ``final``) at its default place inside it; return the store's path.

    Read straight from the files (:func:`read_import_tables`), or else through
    :func:`explorer.store_build.build_store`, which validates the folder (a
    :class:`~explorer.errors.DataError` stops the import, and nothing is written).
    """
    from ..store_build import MANIFEST, STORE_DIR, build_store, build_store_from_tables

    folder = Path(folder)
    dest = folder / STORE_DIR
    tables = read_import_tables(folder)
    if tables is not None:
        return build_store_from_tables(folder, tables, dest, data=final)
    build_store(folder, dest, rebuild=True)
    manifest_path = dest / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["data"] = str(Path(final).resolve())  # not the temporary folder's name
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return dest
