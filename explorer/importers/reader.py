"""Finding, opening and streaming the input files of an import.

Inputs are files, folders (their data files) or glob patterns; a file may be
plain, ``.zip`` (every member is read, in name order, as GDELT and ICEWS
publish them) or ``.gz``.  Rows are read in blocks by pyarrow's streaming CSV
reader, with no quoting (GDELT and ICEWS never quote) and every column read
as text, never as a number, so codes keep their leading zeros.  Bytes that are
not UTF-8 are made U+FFFD before pyarrow sees them, so a stray byte never
stops an import and the text needs no second check.

Lines with the wrong number of fields are handed to a callback with their
physical line number; :class:`LineCounter` turns the position of a row in the
stream back into its line number, for rows rejected later (a bad date).
"""

from __future__ import annotations

import bisect
import codecs
import glob
import gzip
import io
import queue
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ..errors import ArgumentError, ExplorerError

__all__ = [
    "InputFile",
    "InputError",
    "LineCounter",
    "expand_inputs",
    "list_inputs",
    "read_first_line",
    "iter_batches",
    "to_text",
    "prefetch",
    "clean_controls",
    "clean_text",
    "DATA_SUFFIXES",
]

DATA_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".zip", ".gz")
"""What a folder given as input contributes: files with these suffixes (any case)."""

BLOCK_SIZE = 16 << 20


class InputError(ExplorerError):
    """An input that cannot be read: missing, truncated, damaged or of an unknown format."""


@dataclass(frozen=True)
class InputFile:
    """One stream of rows: a plain file, a member of a zip archive, or a gzip file."""

    path: Path
    member: str | None = None
    size: int | None = None

    @property
    def label(self) -> str:
        """How messages name it: ``path`` or ``archive.zip:member``."""
        return f"{self.path}:{self.member}" if self.member else str(self.path)


def expand_inputs(args: Sequence[str | Path]) -> list[Path]:
    """The files named by command-line arguments, sorted by path and without repeats.

    A folder gives its files with a :data:`DATA_SUFFIXES` suffix (not hidden,
    not recursive); a pattern with ``*``, ``?`` or ``[`` is expanded as a glob.
    """
    found: set[Path] = set()
    for arg in args:
        text = str(arg)
        path = Path(text)
        if path.is_dir():
            found.update(
                p
                for p in path.iterdir()
                if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in DATA_SUFFIXES
            )
        elif path.is_file():
            found.add(path)
        elif any(ch in text for ch in "*?["):
            matches = [Path(m) for m in glob.glob(text) if Path(m).is_file()]
            if not matches:
                raise ArgumentError(f"no file matches {text!r}")
            found.update(matches)
        else:
            raise ArgumentError(f"{text!r} is not a file, a folder or a pattern that matches files")
    if not found:
        raise ArgumentError(
            "no input files: " + ", ".join(map(str, args)) + f" hold no {'/'.join(DATA_SUFFIXES)} files"
        )
    return sorted(found)


def _damaged(path: Path, exc: BaseException) -> InputError:
    return InputError(f"{path}: the archive is truncated or damaged ({exc}); download it again")


def list_inputs(path: Path) -> list[InputFile]:
    """The streams of one file: itself, or each member of a zip archive (directories left out)."""
    if path.suffix.lower() != ".zip":
        size = None if path.suffix.lower() == ".gz" else path.stat().st_size
        return [InputFile(path, None, size)]
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted((i for i in archive.infolist() if not i.is_dir()), key=lambda i: i.filename)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _damaged(path, exc) from None
    if not members:
        raise InputError(f"{path}: the zip archive is empty")
    return [InputFile(path, m.filename, m.file_size) for m in members]


class _Gate:
    """How far ahead of the parsed blocks the reading may go.

    pyarrow's streaming CSV reader reads dozens of blocks ahead of the one it
    parses; with large blocks that is a gigabyte held in memory.  Reads wait
    here until the parser has caught up to within ``ahead`` bytes.
    """

    def __init__(self, ahead: int):
        self._cond = threading.Condition()
        self._allowed = ahead
        self._open = False

    def grant(self, nbytes: int) -> None:
        with self._cond:
            self._allowed += nbytes
            self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._open = True
            self._cond.notify_all()

    def wait(self, position: int) -> None:
        with self._cond:
            while position >= self._allowed and not self._open:
                self._cond.wait(0.5)


# ASCII control characters other than tab and the line breaks, and DEL, become spaces.
_CONTROL_TO_SPACE = bytes(0x20 if (b < 0x20 and b not in (0x09, 0x0A, 0x0D)) or b == 0x7F else b for b in range(256))


_IS_CONTROL = np.frombuffer(bytes(int(c != i) for i, c in enumerate(_CONTROL_TO_SPACE)), dtype=np.bool_)
_LUT = np.frombuffer(_CONTROL_TO_SPACE, dtype=np.uint8)
_CONTROL_TO_SPACE_TEXT = {i: " " for i, c in enumerate(_CONTROL_TO_SPACE) if c != i}


def clean_controls(values: pa.Array) -> pa.Array:
    r"""ASCII control characters (NUL, ESC, BEL...) and DEL in a binary or string array become spaces.

    No event file means one (their fields are plain text), and one would
    otherwise reach names, titles and the importer's own field separator.
    Tabs and line breaks never occur inside a field (they delimit fields and
    rows).  The bytes are mapped through a table in one vectorised pass, and
    only when a control character is there.

    >>> clean_controls(pa.array([b"a\x00b", b"c\x1bd"])).to_pylist()
    [b'a b', b'c d']
    """
    buffers = values.buffers()
    if len(buffers) != 3 or buffers[2] is None or buffers[2].size == 0:
        return values
    data = np.frombuffer(buffers[2], dtype=np.uint8)
    # Two comparisons (vectorised) rule out most blocks ten times faster than the table lookup.
    if not ((data < 0x20).any() or (data == 0x7F).any()) or not _IS_CONTROL[data].any():
        return values
    mapped = pa.py_buffer(_LUT[data].tobytes())
    return pa.Array.from_buffers(
        values.type, len(values), [buffers[0], buffers[1], mapped], values.null_count, values.offset
    )


def clean_text(text: str) -> str:
    """:func:`clean_controls` for one Python string (a line or a value shown in a message)."""
    return text.translate(_CONTROL_TO_SPACE_TEXT)


class _Counting(io.RawIOBase):
    """A read-only stream that reports how many bytes went through it, waits at its gate, and
    hands on UTF-8 text.

    Bytes that are not UTF-8 become U+FFFD here, before pyarrow sees them: pyarrow
    decodes the text of a line with the wrong number of fields to hand it to the
    invalid-row handler, and fails the whole file when that text is not UTF-8.
    Control characters are left to :func:`clean_controls`, which the pipeline
    runs on the fields it keeps (a fraction of the bytes read).
    """

    def __init__(self, raw: BinaryIO, on_bytes: Callable[[int], None] | None, gate: _Gate | None = None):
        self._raw = raw
        self._on_bytes = on_bytes
        self._gate = gate
        self._position = 0
        self._tail = b""  # the start of a character split across two reads
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def _clean(self, data: bytes, final: bool) -> bytes:
        if not self._tail and data.isascii():
            return data
        data = self._tail + data
        try:
            _, used = codecs.utf_8_decode(data, "strict", final)
            clean = data[:used]  # valid UTF-8: hand on the bytes as they are
        except UnicodeDecodeError:
            text, used = codecs.utf_8_decode(data, "replace", final)
            clean = text.encode("utf-8")
        self._tail = data[used:]
        return clean

    def _fill(self, size: int) -> None:
        while not self._pending:
            if self._gate is not None:
                self._gate.wait(self._position)
            data = self._raw.read(size)
            n = len(data)
            self._position += n
            if n and self._on_bytes:
                self._on_bytes(n)
            self._pending = memoryview(self._clean(data, final=not n))
            if not n:
                return

    def readinto(self, buffer) -> int:
        self._fill(len(buffer))
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._raw.close()
        super().close()


def _open(inp: InputFile) -> BinaryIO:
    try:
        if inp.member is not None:
            archive = zipfile.ZipFile(inp.path)
            return archive.open(inp.member)
        if inp.path.suffix.lower() == ".gz":
            return gzip.open(inp.path, "rb")
        return open(inp.path, "rb")
    except (zipfile.BadZipFile, EOFError) as exc:
        raise _damaged(inp.path, exc) from None


_READ_ERRORS = (zipfile.BadZipFile, EOFError, zlib.error, gzip.BadGzipFile)


def read_first_line(inp: InputFile, limit: int = 1 << 16) -> str:
    """The first line of a stream, decoded leniently, without its line ending or a BOM."""
    try:
        with _open(inp) as fh:
            head = fh.read(limit)
    except _READ_ERRORS as exc:
        raise _damaged(inp.path, exc) from None
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    return line.decode("utf-8", errors="replace").removeprefix("\ufeff")


class LineCounter:
    """Maps the n-th row a reader delivered back to its physical line in the file.

    Every physical line after the ``skipped`` header lines is either delivered
    or rejected (wrong field count); rejected lines are recorded with
    :meth:`reject` in increasing order.

    >>> lc = LineCounter(skipped=1)
    >>> lc.reject(3); lc.reject(4)
    >>> lc.line_of(0), lc.line_of(1), lc.line_of(2)
    (2, 5, 6)
    """

    def __init__(self, skipped: int = 0):
        self.skipped = skipped
        self._bad: list[int] = []
        self._good_before: list[int] = []

    def reject(self, line: int) -> None:
        self._good_before.append(line - self.skipped - 1 - len(self._bad))
        self._bad.append(line)

    @property
    def rejected(self) -> int:
        return len(self._bad)

    def line_of(self, row: int) -> int:
        """The line of the row with 0-based index ``row`` among delivered rows."""
        return row + 1 + self.skipped + bisect.bisect_right(self._good_before, row)


def iter_batches(
    inp: InputFile,
    column_names: Sequence[str],
    include: Sequence[str],
    *,
    skip_rows: int,
    counter: LineCounter,
    on_bytes: Callable[[int], None] | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[tuple[pa.RecordBatch, list[tuple[int, int, str]]]]:
    """Stream a tab-separated file as record batches of string columns ``include``.

    Each batch comes with the lines rejected while it was read, as
    ``(line, number of fields, text)``: lines whose number of fields is not
    ``len(column_names)``.  They are also recorded in ``counter``.  Empty lines
    are delivered as rows of empty values.  A plain file is parsed in pieces,
    two at a time on two threads (:func:`_parallel_batches`); a zip member or
    a gzip file in a background thread, one block ahead of the caller.  A
    damaged archive raises :class:`InputError`.
    """
    rejected: list[tuple[int, int, str]] = []

    def handler(row) -> str:
        line = int(row.number or 0)
        counter.reject(line)
        rejected.append((line, int(row.actual_columns), row.text or ""))
        return "skip"

    read_options = pcsv.ReadOptions(
        column_names=list(column_names), skip_rows=skip_rows, use_threads=False, block_size=block_size
    )
    parse_options = _tab_parse_options(handler)
    convert_options = pcsv.ConvertOptions(
        # Strings, unchecked: every piece pyarrow parses is valid UTF-8 already (_utf8, _Counting).
        column_types={c: pa.string() for c in include},
        include_columns=list(include),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
        check_utf8=False,
    )

    def produce() -> Iterator[tuple[pa.RecordBatch, list]]:
        raw = _open(inp)
        gate = _Gate(ahead=3 * block_size)
        stream = io.BufferedReader(_Counting(raw, on_bytes, gate), buffer_size=1 << 20)
        try:
            reader = pcsv.open_csv(
                stream, read_options=read_options, parse_options=parse_options, convert_options=convert_options
            )
            for batch in reader:
                gate.grant(block_size)
                taken = rejected[:]
                del rejected[:]
                yield batch, taken
            if rejected:
                yield pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in include}), rejected[:]
        except _READ_ERRORS as exc:
            raise _damaged(inp.path, exc) from None
        except pa.ArrowInvalid as exc:
            raise InputError(f"{inp.label}: cannot be read as tab-separated values ({exc})") from None
        finally:
            gate.release()
            stream.close()

    if inp.member is None and inp.path.suffix.lower() != ".gz":
        yield from _parallel_batches(inp, read_options, parse_options, convert_options, counter, on_bytes, block_size)
        return
    yield from prefetch(produce())


def _chunks(inp: InputFile, block_size: int, on_bytes: Callable[[int], None] | None) -> Iterator[pa.Buffer]:
    """A plain file in pieces of about ``block_size`` bytes that end at a line break, as UTF-8 text.

    Each piece is read straight into a buffer of its own, which pyarrow parses as it is: the file's
    bytes are copied once (from the kernel), and only the partial line at the end of a piece is
    copied again, to start the next one.  (Reading, joining and slicing bytes objects copied
    every byte three times: 0.6 s of CPU for 0.5 GB, against 0.23 s.)
    """
    with open(inp.path, "rb", buffering=0) as fh:
        tail = b""
        while True:
            buf = np.empty(len(tail) + block_size, np.uint8)  # not zeroed: only the bytes read are used
            view = memoryview(buf)
            view[: len(tail)] = tail
            n = _read_into(fh, view[len(tail) :])
            if on_bytes and n:
                on_bytes(n)
            end = len(tail) + n
            if not n:
                if tail:
                    yield _utf8(pa.py_buffer(tail))
                return
            cut = _last_line_break(view, end) + 1
            if cut == 0:
                tail = bytes(view[:end])  # no line break yet: a longer piece
                continue
            tail = bytes(view[cut:end])
            yield _utf8(pa.py_buffer(view[:cut]))


def _read_into(fh, view: memoryview) -> int:
    """Fill ``view`` from ``fh`` (a raw file may return less than asked); the bytes read, fewer only at the end."""
    done = 0
    while done < len(view):
        n = fh.readinto(view[done:])
        if not n:
            break
        done += n
    return done


def _last_line_break(view: memoryview, end: int) -> int:
    """The position of the last ``\\n`` in ``view[:end]`` (-1 if none), looking at its end first."""
    start = max(0, end - (1 << 16))
    found = bytes(view[start:end]).rfind(b"\n")
    if found >= 0:
        return start + found
    return bytes(view[:start]).rfind(b"\n") if start else -1


def _tab_parse_options(handler) -> pcsv.ParseOptions:
    """GDELT's and ICEWS's format: tab-separated, never quoted, one row a line; bad rows go to ``handler``."""
    return pcsv.ParseOptions(
        delimiter="\t",
        quote_char=False,
        double_quote=False,
        escape_char=False,
        newlines_in_values=False,
        ignore_empty_lines=False,
        invalid_row_handler=handler,
    )


def _utf8(data: pa.Buffer) -> pa.Buffer:
    r"""``data`` if it is UTF-8, else with each invalid sequence made U+FFFD.

    Checked by Arrow's UTF-8 validation, on the piece's bytes as they are (no copy, no Python
    string): about 2 ms for 16 MB of GDELT, against 10 ms for finding and decoding the lines
    that hold a byte above 127.  An invalid piece is decoded whole, with replacement.

    >>> _utf8(pa.py_buffer("Lavrov, Лавров".encode())).to_pybytes() == "Lavrov, Лавров".encode()
    True
    >>> _utf8(pa.py_buffer(b"bad \xff\n")).to_pybytes()
    b'bad \xef\xbf\xbd\n'
    """
    offsets = pa.py_buffer(np.array([0, data.size], np.int64))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, data]).validate(full=True)
        return data
    except pa.ArrowInvalid:
        return pa.py_buffer(codecs.utf_8_decode(data.to_pybytes(), "replace", True)[0].encode("utf-8"))


def _parallel_batches(inp, read_options, parse_options, convert_options, counter, on_bytes, block_size):
    """:func:`iter_batches` for a plain file: pieces of it are parsed two at a time, on two threads.

    A plain file can be cut at line breaks (GDELT and ICEWS never quote, so a
    line break always ends a row), and each piece parsed on its own; pieces
    are handed on in file order, with the line numbers of their rejected
    lines made file-wide.
    """
    import concurrent.futures

    skip = read_options.skip_rows

    def parse(data: pa.Buffer, first: bool):
        rejected = []

        def handler(row) -> str:
            rejected.append((int(row.number or 0), int(row.actual_columns), row.text or ""))
            return "skip"

        options = pcsv.ReadOptions(
            column_names=read_options.column_names,
            skip_rows=skip if first else 0,
            use_threads=False,
            block_size=data.size + 1,
        )
        parse_here = _tab_parse_options(handler)
        try:
            table = pcsv.read_csv(
                pa.BufferReader(data), read_options=options, parse_options=parse_here, convert_options=convert_options
            )
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                table = pa.table({c: pa.array([], pa.string()) for c in convert_options.include_columns})
            else:
                raise InputError(f"{inp.label}: cannot be read as tab-separated values ({exc})") from None
        return table, rejected

    offset = 0  # physical lines before the current piece
    with concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="explorer-import-parse") as pool:
        pending = []
        pieces = _chunks(inp, block_size, on_bytes)
        first = True
        for data in pieces:
            pending.append(pool.submit(parse, data, first))
            first = False
            if len(pending) < 3:
                continue
            offset = yield from _hand_on(pending.pop(0).result(), offset, counter, skip)
        for future in pending:
            offset = yield from _hand_on(future.result(), offset, counter, skip)


def _hand_on(parsed, offset: int, counter: LineCounter, skip: int):
    table, rejected = parsed
    lines = [(offset + line, n, text) for line, n, text in rejected]
    for line, _, _ in lines:
        counter.reject(line)
    batches = table.to_batches() or [
        pa.RecordBatch.from_pydict({c: pa.array([], pa.string()) for c in table.column_names})
    ]
    yield batches[0], lines
    for batch in batches[1:]:
        yield batch, []
    return offset + table.num_rows + len(rejected) + (skip if offset == 0 else 0)


_DONE = object()


def prefetch(items: Iterator, depth: int = 2) -> Iterator:
    """Run an iterator in a background thread, ``depth`` items ahead; its exceptions reach the caller."""
    box: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put((_DONE, None))
        except BaseException as exc:  # handed over to the consumer
            box.put((_DONE, exc))
        finally:
            items.close()

    thread = threading.Thread(target=work, name="explorer-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = box.get()
            if item is _DONE:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        thread.join()


def to_text(values: pa.Array) -> pa.Array:
    """Binary values as UTF-8 strings; bytes that are not UTF-8 become U+FFFD instead of failing.

    >>> to_text(pa.array([b"Lavrov", b"bad \\xff"])).to_pylist() == ["Lavrov", "bad \\ufffd"]
    True
    """
    try:
        return pc.cast(values, pa.string())
    except pa.ArrowInvalid:
        return pa.array([v.decode("utf-8", errors="replace") for v in values.to_pylist()], pa.string())
