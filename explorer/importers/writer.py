"""Writing a data folder: CSV encoding, a temporary folder, an atomic rename.

Nothing is written to ``--out`` until the import has succeeded: rows go to a
hidden sibling folder, which replaces ``--out`` by a rename at the end (a
failed import removes it; a killed one leaves it to the next run, which
removes it): the rules of :mod:`explorer.writes`, as for every output.  CSV
files are UTF-8 with LF line endings and minimal quoting, the dialect of
Python's :mod:`csv` module, encoded by pyarrow so millions of rows take
seconds.  The same rows always give the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema, writes
from ..errors import ArgumentError, ExplorerError

if TYPE_CHECKING:  # pandas is imported by --append only
    import pandas as pd

__all__ = ["CODED_COLUMNS", "COLUMNS", "STREAMED", "encode_csv", "write_csv", "FolderWriter"]

CODED_COLUMNS = schema.FILES["events"].optional
"""The events columns an import fills beyond the schema's own: cameo, cameo_label, quad_class, goldstein, tone, mentions."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "entities": schema.FILES["entities"].columns,
    "affiliations": schema.FILES["affiliations"].columns,
    "events": schema.FILES["events"].columns + CODED_COLUMNS,
    "participants": schema.FILES["participants"].columns,
    "sources": schema.FILES["sources"].columns,
}
"""The columns of each file an import writes, in order."""

STREAMED = ("events", "participants", "sources")
"""The files written row block by row block while the import runs; the others are written at the end."""

_SPECIAL = (",", '"', "\n", "\r")
"""What makes a field quoted: a comma, a quote or a line break."""


def _field(values: pa.Array) -> pa.Array:
    if values.type != pa.string():
        values = values.cast(pa.string())
    if values.null_count:
        values = pc.fill_null(values, "")
    # One pass over the characters (memchr) finds which of them occur at all: most columns (ids,
    # dates, codes) hold none, and the others one or two (places: commas).  Only those are looked
    # for row by row, as plain substrings (a regular expression per row cost twice as much).
    data = bytes(_data_view(values))
    present = [ch for ch in _SPECIAL if ch.encode() in data]
    if not present:
        return values
    needs = None
    for ch in present:
        hit = pc.match_substring(values, ch)
        needs = hit if needs is None else pc.or_(needs, hit)
    inner = pc.replace_substring(values, '"', '""') if '"' in present else values
    return pc.if_else(needs, pc.binary_join_element_wise('"', inner, '"', ""), values)


def encode_csv(table: pa.Table, columns: Iterable[str], header: bool = True) -> bytes:
    """The CSV bytes of ``table``'s ``columns`` (missing columns are empty), one LF-terminated line per row.

    Fields are quoted only when they hold a comma, a quote or a line break,
    with quotes doubled, exactly as :func:`csv.writer` does.

    >>> t = pa.table({"id": ["a", "b"], "title": ['say "hi", then go', "plain"]})
    >>> encode_csv(t, ["id", "title", "note"]).decode()
    'id,title,note\\na,"say ""hi"", then go",\\nb,plain,\\n'
    """
    sink = io.BytesIO()
    write_csv(table, columns, sink, header)
    return sink.getvalue()


def write_csv(table: pa.Table, columns: Iterable[str], sink: BinaryIO, header: bool = True) -> None:
    """Write what :func:`encode_csv` returns to ``sink``, without copying the rows once more."""
    columns = list(columns)
    if header:
        sink.write((",".join(columns) + "\n").encode())
    if table.num_rows == 0:
        return
    empty = pc.fill_null(pa.nulls(table.num_rows, pa.string()), "")
    fields = [_field(table.column(c).combine_chunks() if c in table.column_names else empty) for c in columns]
    fields[-1] = pc.binary_join_element_wise(fields[-1], "\n", "")
    lines = pc.binary_join_element_wise(*fields, ",") if len(fields) > 1 else fields[-1]
    for chunk in _chunks(lines):
        sink.write(_data_view(chunk))


def _chunks(values) -> list[pa.Array]:
    return values.chunks if isinstance(values, pa.ChunkedArray) else [values]


def _data_view(values: pa.Array) -> memoryview:
    # The character data of a string array is its rows back to back: exactly the file's bytes.
    if len(values) == 0:
        return memoryview(b"")
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32, count=len(values) + 1, offset=values.offset * 4)
    return memoryview(values.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


def _read_existing(path: Path) -> dict[str, pd.DataFrame]:
    import pandas as pd

    frames = {}
    for name, spec in schema.FILES.items():
        file = path / spec.name
        if not file.is_file():
            raise ArgumentError(f"--append: {str(path)!r} is not a data folder ({spec.name} is missing)")
        try:
            frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise ExplorerError(f"--append: cannot read {file} ({exc}); check it with explorer validate") from None
        frames[name] = frame.astype(object).fillna("").astype(str)
    return frames


def _table(frame: pd.DataFrame, columns: Iterable[str]) -> pa.Table:
    return pa.table({c: pa.array(frame[c].tolist() if c in frame else [""] * len(frame), pa.string()) for c in columns})


class FolderWriter:
    """Builds a data folder beside ``out`` and moves it into place on :meth:`commit`.

    ``mode`` is 'new' (``out`` must not exist), 'force' (``out`` is replaced)
    or 'append' (``out``'s rows are kept, new rows added after them).  Use as
    a context manager: leaving it with an exception removes the temporary
    folder and leaves ``out`` as it was.

    The writing follows :mod:`explorer.writes`: ``out`` is never one of the
    ``inputs`` nor a folder that holds one; with 'force' it is replaced only
    if it is empty or a data folder (nothing in it but the five data files);
    with 'append' the other files it holds are kept; the temporary folder is
    named after this process, so the next import removes it if this one is
    killed; and a disk error is one :class:`~explorer.writes.WriteError`
    naming ``out``.
    """

    def __init__(self, out: str | Path, mode: str = "new", inputs: Iterable[str | Path] = ()):
        if mode not in ("new", "force", "append"):
            raise ValueError(f"unknown mode {mode!r}")
        self.out = Path(out)
        self.mode = mode
        if self.out.exists() and not self.out.is_dir():
            raise ArgumentError(f"--out: {str(self.out)!r} exists and is not a folder")
        self._pending = writes.PendingWrite(
            self.out,
            directory=True,
            force=mode != "new",
            inputs=inputs,
            owned=_keeps_extras if mode == "append" else _foreign_in_imported_folder,
            what="a data folder",
            exists_hint="use --force to replace it or --append to add to it",
        )
        self.existing: dict[str, pd.DataFrame] = {}
        if mode == "append" and self.out.exists():
            self.existing = _read_existing(self.out)
        self.tmp = self._pending.tmp
        self._files: dict[str, BinaryIO] = {}
        self.committed = False

    @property
    def existing_event_ids(self) -> set[str]:
        frame = self.existing.get("events")
        return set(frame["id"]) if frame is not None else set()

    def existing_ids(self, name: str) -> set[str]:
        frame = self.existing.get(name)
        return set(frame["id"]) if frame is not None else set()

    def __enter__(self) -> FolderWriter:
        self._pending.start()
        try:
            with self._pending.errors():
                for name in STREAMED:
                    fh = open(self.tmp / schema.FILES[name].name, "wb")
                    self._files[name] = fh
                    write_csv(pa.table({}), COLUMNS[name], fh)
                    if name in self.existing:
                        write_csv(_table(self.existing[name], COLUMNS[name]), COLUMNS[name], fh, header=False)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        with contextlib.suppress(OSError):
            self._close()
        if not self.committed:
            self._pending.discard()

    def _close(self) -> None:
        files, self._files = self._files, {}
        for fh in files.values():
            fh.close()

    def write_rows(self, name: str, table: pa.Table) -> None:
        """Append rows to events.csv, participants.csv or sources.csv (after the existing ones)."""
        if table.num_rows:
            with self._pending.errors():
                write_csv(table, COLUMNS[name], self._files[name], header=False)

    def write_table(self, name: str, table: pa.Table) -> None:
        """Write entities.csv or affiliations.csv whole: the existing rows, then ``table``'s."""
        data = encode_csv(pa.table({}), COLUMNS[name])
        if name in self.existing:
            data += encode_csv(_table(self.existing[name], COLUMNS[name]), COLUMNS[name], header=False)
        data += encode_csv(table, COLUMNS[name], header=False)
        with self._pending.errors():
            (self.tmp / schema.FILES[name].name).write_bytes(data)

    def close_files(self) -> None:
        """Flush and close the files written row block by row block (before reading them back)."""
        with self._pending.errors():
            self._close()  # a full disk may only show when the last block is flushed

    def commit(self) -> None:
        """Move the finished folder to ``out``, replacing what was there (force, append)."""
        with self._pending.errors():
            self._close()  # a full disk may only show when the last block is flushed
            if self.mode == "append" and self.out.is_dir():
                _link_extras(self._pending.dest, self.tmp)
        self._pending.commit()
        self.committed = True


def _foreign_in_imported_folder(folder: Path) -> list[str]:
    """What ``--force`` would lose: anything but the data files and an event store holding only
    a store's files (an import rebuilds that; see :mod:`.store`)."""
    from ..store_build import STORE_DIR, STORE_FILES

    foreign = writes.foreign_in_data_folder(folder)
    store = Path(folder) / STORE_DIR
    if (
        STORE_DIR in foreign
        and store.is_dir()
        and not store.is_symlink()
        and not writes.foreign_entries(store, STORE_FILES)
    ):
        foreign.remove(STORE_DIR)
    return foreign


def _keeps_extras(folder: Path) -> list[str]:
    # --append carries every other file of the folder over (see _link_extras): nothing in it is foreign.
    return []


def _link_extras(old: Path, new: Path) -> None:
    """Put what ``old`` holds besides the data files into ``new``: hard links (instant), copies where
    the file system has none; ``old`` keeps its own until the new folder has replaced it."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)

    from ..store_build import STORE_DIR

    for entry in old.iterdir():
        # The old event store describes the old rows: the import builds a new one, or leaves none.
        if entry.name in writes.DATA_FILES or entry.name == STORE_DIR:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, new / entry.name, symlinks=True, copy_function=link)
        else:
            link(str(entry), str(new / entry.name))
