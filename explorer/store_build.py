"""Writing a data folder's columnar event store (see :mod:`explorer.store`).

:func:`build_store` validates a data folder with :func:`explorer.loader.load_dataset` and
writes its tables as Parquet files, plus two tables derived once so that a window query
never has to expand an event or look up an office:

``dyads``
    one row per pair of participants of an event (``u < v``), with the event's dates,
    kind, confidence, title, topics and sources, and the country each of the two was
    placed in on the event's date (``cu``, ``cv``; see
    :func:`explorer.graph.official_country_at`).  Sorted by date (latest first), so a window reads only
    the row groups it overlaps.
``solo``
    the events with a single participant (they make no tie), with that participant and
    its country on the event's date.

The store is rebuilt only when the CSV files change: a manifest keeps their sizes and
modification times (checked first, without reading them) and the hash of their content
(checked when the times differ, so a ``touch`` costs a hash but no rebuild).  Writing is
atomic (:mod:`explorer.writes`): a failed or killed build leaves the old store, or none.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from . import schema
from .errors import ArgumentError, ExplorerError
from .writes import WriteError, atomic_path, data_folder_inputs, foreign_entries

if TYPE_CHECKING:
    from .loader import Dataset

__all__ = [
    "STORE_DIR",
    "STORE_VERSION",
    "STORE_FILES",
    "MANIFEST",
    "build_store",
    "build_store_from_tables",
    "default_store_path",
    "cache_store_path",
    "store_is_current",
    "read_manifest",
]

STORE_DIR = ".explorer-store"
"""The store's folder inside a data folder."""
STORE_VERSION = 5
STORE_ABOVE = 8 * 1024 * 1024
"""Bytes of ``events.csv`` from which a folder is explored through its event store (and an import builds it)."""
"""The layout of the store's tables; a store of another version is rebuilt (5: every fact table
carries the ``folder`` column of a merged folder, see :mod:`explorer.merge`)."""
MANIFEST = "manifest.json"
TABLES = ("entities", "affiliations", "events", "participants", "sources", "dyads", "solo")
STORE_FILES = (MANIFEST, *(f"{t}.parquet" for t in TABLES))
"""What a store folder holds: nothing else is ever written there, and a folder holding
anything else is never replaced."""

# Rows per Parquet row group.  The date-sorted dyads are read by window, so a group is a
# slice of time; the id-sorted tables are read by id (one event's details), so their
# groups are small and a lookup reads one of them.
_WINDOW_GROUP = 32_768
_LOOKUP_GROUP = 4_096

_TOPIC = pa.struct([("topic", pa.string()), ("topic_cf", pa.string()), ("outcome", pa.string())])

SPILL_MEMORY = "384MB"
"""DuckDB's memory limit when it may spill to a folder (an import's store, staged as Parquet files)."""


def default_store_path(folder: str | Path) -> Path:
    """Where the store of a data folder lives: ``FOLDER/.explorer-store``, or, when the
    folder cannot be written (an installed package, a read-only share), a folder named
    after it in the user's cache (``$XDG_CACHE_HOME/explorer/stores``, by default
    ``~/.cache/explorer/stores``)."""
    folder = Path(folder)
    if os.access(folder, os.W_OK):
        return folder / STORE_DIR
    return cache_store_path(folder)


def cache_store_path(folder: str | Path) -> Path:
    """The store of a data folder in the user's cache (``$XDG_CACHE_HOME/explorer/stores/NAME-HASH``):
    where a small folder opened together with a large one gets its store, so that the small
    folder, opened alone, is still read into memory (a store at its default place would
    switch it to the store, see :func:`explorer.presenter.uses_store`)."""
    real = os.path.realpath(folder)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "explorer" / "stores"
    return base / f"{Path(real).name or 'data'}-{hashlib.sha1(real.encode()).hexdigest()[:12]}"


def _stat_fingerprint(folder: Path) -> list[list]:
    out = []
    for spec in schema.FILES.values():
        try:
            st = (folder / spec.name).stat()
            out.append([spec.name, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([spec.name, -1, -1])
    return out


def _content_fingerprint(folder: Path) -> str | None:
    """The loader's fingerprint (sha1 of the five files, in schema order), or None when one is missing."""
    digest = hashlib.sha1()
    try:
        for spec in schema.FILES.values():
            with open(folder / spec.name, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()[:16]


def read_manifest(store: str | Path) -> dict | None:
    """A store's manifest, or None when there is no readable one."""
    try:
        return json.loads((Path(store) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store_is_current(folder: str | Path, store: str | Path | None = None) -> bool:
    """True when the store of ``folder`` exists, has this version's layout and was built
    from the folder's files as they are now (sizes and modification times, or content)."""
    folder = Path(folder)
    store = Path(store) if store is not None else default_store_path(folder)
    manifest = read_manifest(store)
    if not manifest or manifest.get("version") != STORE_VERSION:
        return False
    if manifest.get("stat") == _stat_fingerprint(folder):
        return all((store / name).is_file() for name in STORE_FILES)
    return manifest.get("fingerprint") == _content_fingerprint(folder)


def _owned(folder: Path) -> list[str]:
    return foreign_entries(folder, STORE_FILES)


def build_store(folder: str | Path, out: str | Path | None = None, *, rebuild: bool = False) -> Path:
    """Write the columnar store of a data folder unless an up-to-date one exists; return its path.

    ``out`` defaults to :func:`default_store_path`.  The folder is validated first (a
    :class:`~explorer.errors.DataError` lists every problem and nothing is written).  An
    existing store is replaced only if it holds nothing but a store's files.  With
    ``rebuild`` the store is written even when it is up to date.

    >>> import tempfile
    >>> from explorer.paths import bundled_data_dir
    >>> out = Path(tempfile.mkdtemp()) / "store"
    >>> path = build_store(bundled_data_dir(), out)
    >>> sorted(p.name for p in path.iterdir())[:3]
    ['affiliations.parquet', 'dyads.parquet', 'entities.parquet']
    >>> build_store(bundled_data_dir(), out) == path  # up to date: not rebuilt
    True
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ArgumentError(f"--data: {str(folder)!r} is not a data folder")
    dest = Path(out) if out is not None else default_store_path(folder)
    stat = _stat_fingerprint(folder)
    manifest = read_manifest(dest)
    if not rebuild and manifest and manifest.get("version") == STORE_VERSION:
        files_present = all((dest / name).is_file() for name in STORE_FILES)
        if files_present and manifest.get("stat") == stat:
            return dest
        if files_present and manifest.get("fingerprint") == _content_fingerprint(folder):
            # Touched but not changed: remember the new times, keep the tables.
            _write_manifest(dest, {**manifest, "stat": stat})
            return dest
    from .loader import load_dataset  # pandas: only when a folder is built through the loader

    ds = load_dataset(folder)
    return _write_store(folder, dest, _arrow_tables(ds), ds.fingerprint, stat)


def build_store_from_tables(
    folder: str | Path,
    tables: dict[str, pa.Table | Path],
    out: str | Path | None = None,
    *,
    data: str | Path | None = None,
    spill: Path | None = None,
) -> Path:
    """Write the store of ``folder`` from its tables as :func:`_arrow_tables` makes them from the
    validated folder, without reading or validating the CSV files: for a writer whose rows are
    valid by construction and already in hand (an import, see :mod:`explorer.importers.store`).

    A table is an Arrow table or a Parquet file holding one (read by DuckDB as it goes).  With
    ``spill``, a folder for DuckDB's temporary files, DuckDB works within a smaller memory limit
    (:data:`SPILL_MEMORY`) and writes what does not fit there.  ``data`` is the folder the
    manifest names (default ``folder``): the final place of a folder written under a temporary
    name and renamed once complete.  The manifest keeps ``folder``'s
    file sizes, times and content hash, which a rename does not change.
    """
    folder = Path(folder)
    dest = Path(out) if out is not None else default_store_path(folder)
    return _write_store(folder, dest, tables, _content_fingerprint(folder), _stat_fingerprint(folder), data, spill)


def _write_store(
    folder: Path,
    dest: Path,
    tables: dict[str, pa.Table | Path],
    fingerprint,
    stat,
    data: str | Path | None = None,
    spill: Path | None = None,
) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(
        dest,
        force=True,
        directory=True,
        inputs=data_folder_inputs(folder),
        owned=_owned,
        what="an explorer store",
        option="store",
    ) as tmp:
        counts = _write_tables(tables, tmp, spill)
        manifest = {
            "version": STORE_VERSION,
            "data": str(Path(data if data is not None else folder).resolve()),
            "fingerprint": fingerprint,
            "stat": stat,
            "counts": counts,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return dest


def _write_manifest(dest: Path, manifest: dict) -> None:
    with atomic_path(dest / MANIFEST, force=True, option="store") as tmp:
        tmp.write_text(json.dumps(manifest, indent=1), encoding="utf-8")


# ---- the tables ---------------------------------------------------------------------------


def _strings(frame, columns) -> dict[str, pa.Array]:
    return {c: pa.array(frame[c].tolist(), type=pa.string()) for c in columns}


def _dates(values) -> pa.Array:
    return pa.array(values.tolist(), type=pa.date32())


def _topic_lists(values) -> pa.Array:
    from .loader import parse_topics

    return pa.array(
        [
            [{"topic": t, "topic_cf": t.casefold(), "outcome": o} for t, o in parse_topics(text)] if text else []
            for text in values.tolist()
        ],
        type=pa.list_(_TOPIC),
    )


def _arrow_tables(ds: Dataset) -> dict[str, pa.Table]:
    ent = ds.entities
    aff = ds.affiliations
    ev = ds.events
    par = ds.participants
    src = ds.sources
    return {
        "entities": pa.table(_strings(ent, schema.FILES["entities"].allowed)),
        "affiliations": pa.table(
            {
                **_strings(aff, schema.FILES["affiliations"].allowed),
                "start_date": _dates(aff["start_date"]),
                "end_date": _dates(aff["end_date"]),
                "line": pa.array(aff["line"].tolist(), type=pa.int64()),
            }
        ),
        "events": pa.table(
            {
                **_strings(ev, schema.FILES["events"].allowed),
                "start_date": _dates(ev["start_date"]),
                "end_date": _dates(ev["end_date"]),
                "topic_list": _topic_lists(ev["topics"]),
            }
        ),
        "participants": pa.table(
            {
                **_strings(par, schema.FILES["participants"].columns),
                "line": pa.array(par["line"].tolist(), type=pa.int64()),
            }
        ),
        "sources": pa.table(_strings(src, schema.FILES["sources"].allowed)),
    }


# An official is placed in the country of the office that covers the event's date (the
# latest-started one when two do, the later line on a tie: the order official_country_at
# reads them in), else in the entity's own country; anything else is itself.
_PLACED = """
CREATE TEMP TABLE placed AS
WITH office AS (
    SELECT p.event, p.entity, arg_max(a.target, (a.start_date, a.line)) AS country
    FROM participants p
    JOIN ev ON ev.id = p.event
    JOIN affiliations a
      ON a.kind = 'office' AND a.source = p.entity
     AND a.start_date <= ev.start_date AND (a.end_date IS NULL OR ev.start_date <= a.end_date)
    GROUP BY p.event, p.entity
)
SELECT p.event, p.entity, p.line,
       CASE WHEN en.kind = 'official' THEN coalesce(o.country, nullif(en.country, '')) ELSE p.entity END AS place
FROM participants p
JOIN entities en ON en.id = p.entity
LEFT JOIN office o ON o.event = p.event AND o.entity = p.entity
"""

# ``seq`` orders the dyads by date (then event), the order a tie lists its events in;
# ``a``/``b`` is the country pair of a dyad whose two sides are in different countries;
# ``cfirst`` marks one dyad per event and country pair, so the country level counts an
# event once per pair without de-duplicating at query time; ``efirst`` (``cefirst``) marks
# one dyad (one ``cfirst`` dyad) per event, so a view counts its distinct events by a sum.
# Latest first: a tie keeps its latest events (``max_by``), and a scan that meets them first
# rejects the older ones without copying them.
_DYADS = """
WITH d AS (
    SELECT a.event, a.entity AS u, b.entity AS v, a.place AS cu, b.place AS cv,
           CASE WHEN a.place <> b.place THEN least(a.place, b.place) END AS a,
           CASE WHEN a.place <> b.place THEN greatest(a.place, b.place) END AS b,
           ev.start_date, ev.end_date, ev.kind, ev.confidence, ev.title,
           ev.topic_list AS topics, ev.topics AS topics_text, ev.sources AS sources_text, ev.folder
    FROM placed a
    JOIN placed b ON a.event = b.event AND a.entity < b.entity
    JOIN ev ON ev.id = a.event
), marked AS (
    SELECT *,
           a IS NOT NULL AND row_number() OVER (PARTITION BY event, a, b ORDER BY u, v) = 1 AS cfirst,
           row_number() OVER (PARTITION BY event ORDER BY u, v) = 1 AS efirst
    FROM d
)
SELECT row_number() OVER (ORDER BY start_date, event, u, v) AS seq, *,
       cfirst AND row_number() OVER (PARTITION BY event, cfirst ORDER BY u, v) = 1 AS cefirst
FROM marked
ORDER BY seq DESC
"""

_SOLO = """
SELECT p.event, any_value(p.entity) AS entity, any_value(p.place) AS place,
       any_value(ev.start_date) AS start_date, any_value(ev.end_date) AS end_date, any_value(ev.folder) AS folder
FROM placed p JOIN ev ON ev.id = p.event
GROUP BY p.event
HAVING count(*) = 1
ORDER BY start_date, event
"""


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _write_tables(tables: dict[str, pa.Table | Path], folder: Path, spill: Path | None = None) -> dict[str, int]:
    import duckdb

    config = {"threads": 2, "memory_limit": "1GB", "preserve_insertion_order": True}
    if spill is not None:
        config.update(memory_limit=SPILL_MEMORY, temp_directory=str(spill))
    con = duckdb.connect(config=config)
    try:
        con.execute("SET enable_progress_bar = false")
        counts = {}
        for name, table in tables.items():
            view = name if name != "events" else "ev"
            if isinstance(table, Path):
                con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet({_quoted(table)})")
                counts[name] = int(con.execute(f"SELECT count(*) FROM {view}").fetchone()[0])
            else:
                con.register(view, table)
                counts[name] = int(table.num_rows)
        con.execute(_PLACED)

        def copy(select: str, name: str, group: int) -> None:
            target = _quoted(folder / f"{name}.parquet")
            con.execute(f"COPY ({select}) TO {target} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {group})")

        copy("SELECT * FROM entities ORDER BY id", "entities", _LOOKUP_GROUP)
        copy("SELECT * FROM affiliations ORDER BY line", "affiliations", _LOOKUP_GROUP)
        copy(
            "SELECT ev.*, coalesce(n.n, 0)::INTEGER AS n_participants FROM ev "
            "LEFT JOIN (SELECT event, count(*) AS n FROM participants GROUP BY event) n ON n.event = ev.id "
            "ORDER BY ev.id",
            "events",
            _LOOKUP_GROUP,
        )
        copy("SELECT * FROM participants ORDER BY event, line", "participants", _LOOKUP_GROUP)
        copy("SELECT * FROM sources ORDER BY id", "sources", _LOOKUP_GROUP)
        copy(_DYADS, "dyads", _WINDOW_GROUP)
        copy(_SOLO, "solo", _WINDOW_GROUP)
        for name in ("dyads", "solo"):
            path = _quoted(folder / f"{name}.parquet")
            counts[name] = int(con.execute(f"SELECT count(*) FROM read_parquet({path})").fetchone()[0])
    except duckdb.IOException as exc:
        raise WriteError(folder.parent, str(exc).splitlines()[0]) from exc
    except duckdb.Error as exc:  # pragma: no cover - a bug, not a user error
        raise ExplorerError(f"cannot build the event store in {folder}: {exc}") from exc
    finally:
        con.close()
    return counts
