"""The one rule for every file and folder explorer writes (exports, imports, downloads).

1. **Atomic.**  The output is written under a temporary name in its own folder
   and renamed onto the destination only once it is complete (``os.replace``;
   a folder is swapped in by two renames).  An error, Ctrl+C or ``kill -9``
   leaves the destination as it was: the old file, or nothing.
2. **Never over an input.**  The destination, resolved through symlinks, may
   not be one of the command's inputs (a file of the data folder, the data
   folder itself, an imported file) nor a folder that holds one.
3. **Never over something that is not its own without a check.**  An existing
   file is replaced only with ``force``; an existing folder only with
   ``force`` and only when it is empty or holds nothing but what explorer
   writes there (the five data CSVs of an import, the tables of a CSV export).
   The current folder and ``/`` are never replaced, and an empty ``--out`` is
   refused (it would mean the current folder).
4. **Disk errors are one line naming the path.**  Every ``OSError`` while
   writing (no space left, permission denied, read-only file system) becomes a
   :class:`WriteError`, ``cannot write PATH: REASON``, which the command line
   prints as one line with exit code 1.
5. **Stale temporaries are removed by the next run.**  Temporary names say who
   made them (``.NAME.explorer-tmp-HOST-PID-TOKEN``); the next write into the
   same folder removes those whose process is gone, and puts back a folder
   that a killed run had moved aside.  Nothing else is ever touched.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "view.json") as tmp:
...     _ = tmp.write_text("{}")
>>> sorted(p.name for p in folder.iterdir())
['view.json']
>>> try:
...     with atomic_path(folder / "view.json") as tmp:
...         _ = tmp.write_text("[]")
... except ArgumentError as exc:
...     print(str(exc).replace(str(folder), "FOLDER"))
--out: 'FOLDER/view.json' already exists; use --force to overwrite it
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import schema
from .errors import ArgumentError, ExplorerError

__all__ = [
    "WriteError",
    "out_path",
    "check_target",
    "atomic_path",
    "PendingWrite",
    "write_errors",
    "temp_name",
    "remove_stale_temps",
    "scratch_folder",
    "new_scratch_folder",
    "data_folder_inputs",
    "foreign_entries",
    "foreign_in_data_folder",
    "DATA_FILES",
]

DATA_FILES = tuple(spec.name for spec in schema.FILES.values())
"""The files of a data folder: what an import writes and what every command reads."""

_OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files a file manager drops into any folder it shows; never a reason to keep a folder."""

_LEGACY_AGE = 24 * 3600
"""Temporary files of explorer 0.x exports carry no process id; those older than this are stale."""


class WriteError(ExplorerError):
    """An output could not be written (disk full, permission denied, read-only file system).

    ``str()`` is one line naming the path: ``cannot write /x/y.png: No space left on device``.
    """

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"cannot write {self.path}: {reason}")

    @classmethod
    def from_os_error(cls, path: str | Path, exc: OSError, temporary: Path | None = None) -> WriteError:
        reason = exc.strerror or str(exc) or type(exc).__name__
        other = exc.filename
        if other is not None and temporary is not None:
            # An error about some other file (a helper program, a font) says which one.
            if not (str(other) == str(temporary) or str(other).startswith(str(temporary) + os.sep)):
                reason = f"{reason} ({other})"
        return cls(path, reason)


@contextlib.contextmanager
def write_errors(path: str | Path, temporary: Path | None = None) -> Iterator[None]:
    """Turn any ``OSError`` raised in the block into a :class:`WriteError` naming ``path``."""
    try:
        yield
    except OSError as exc:
        raise WriteError.from_os_error(path, exc, temporary) from exc


def out_path(text: str | os.PathLike, option: str = "--out") -> Path:
    """``text`` as a path; an empty one (which would mean the current folder) is an :class:`ArgumentError`."""
    if not str(text).strip():
        raise ArgumentError(f"{option}: the path is empty; give a file or folder name ('.' for the current folder)")
    return Path(text)


def _absolute(path: Path) -> Path:
    # Absolute and normalised ('.', '..'), but symlinks kept, so messages show what the user typed.
    return Path(os.path.abspath(path))


def _cwd() -> Path | None:
    try:
        return Path.cwd().resolve()
    except OSError:  # the current folder was deleted: it cannot be the destination
        return None


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def data_folder_inputs(folder: str | Path) -> tuple[Path, ...]:
    """What a command that reads the data folder ``folder`` must never write over: the folder and its files."""
    folder = Path(folder)
    return (folder, *(folder / name for name in DATA_FILES))


def foreign_entries(folder: str | Path, names: Iterable[str]) -> list[str]:
    """The entries of ``folder`` other than ``names`` (and the litter of file managers), sorted."""
    allowed = set(names) | _OS_LITTER
    return sorted(p.name for p in Path(folder).iterdir() if p.name not in allowed)


def foreign_in_data_folder(folder: str | Path) -> list[str]:
    """The entries of ``folder`` that are not part of a data folder (empty for a data folder or an empty one)."""
    return foreign_entries(folder, DATA_FILES)


def _check_inputs(shown: str, dest: Path, inputs: Iterable[str | Path], option: str) -> None:
    for given in inputs:
        inp = Path(os.path.realpath(given))
        which = "" if str(given) == shown else f" ({given})"
        if dest == inp:
            raise ArgumentError(f"{option}: {shown!r} is an input of this command{which}; choose another {option}")
        if dest in inp.parents:
            raise ArgumentError(f"{option}: {shown!r} holds an input of this command{which}; choose another {option}")


def check_target(
    path: str | Path,
    force: bool = False,
    *,
    inputs: Iterable[str | Path] = (),
    owned: Callable[[Path], list[str]] | None = None,
    option: str = "--out",
    exists_hint: str = "use --force to overwrite it",
    what: str = "explorer",
) -> Path:
    """The resolved destination for ``path`` if it may be written there; else :class:`ArgumentError` saying why.

    * the folder it goes in must exist (it is not created: a typo should not scatter folders);
    * the destination, resolved through symlinks, is not one of ``inputs`` nor holds one;
    * an existing destination is only replaced with ``force``;
    * an existing folder only if ``owned(folder)``, the list of its entries that
      explorer does not write there, is empty; never the current folder or ``/``.

    ``what`` names the kind of folder ``owned`` accepts, for the message.
    """
    shown = str(path)
    dest = Path(os.path.realpath(_absolute(Path(path))))
    if not dest.parent.is_dir():
        raise ArgumentError(f"{option}: the folder {str(Path(path).parent)!r} does not exist")
    _check_inputs(shown, dest, inputs, option)
    if not os.path.lexists(dest):
        return dest
    if not force:
        raise ArgumentError(f"{option}: {shown!r} already exists; {exists_hint}")
    if dest.is_dir():
        cwd = _cwd()
        if dest.parent == dest or (cwd is not None and _within(cwd, dest)):
            raise ArgumentError(f"{option}: {shown!r} is the current folder or holds it; not replacing it")
        if owned is None:
            raise ArgumentError(f"{option}: {shown!r} is a folder; not replacing it with a file")
        foreign = owned(dest)
        if foreign:
            listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise ArgumentError(
                f"{option}: {shown!r} is a folder that is not {what} (it holds {listed}); not replacing it"
            )
    return dest


# ---- temporary names ----------------------------------------------------------------------

_HOST = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_TEMP = re.compile(
    r"^\.(?P<name>.+)\.explorer-(?P<role>tmp|old)-(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]{8}(?:\.[^.]*)?$"
)
# What explorer 0.x named its temporaries: imports (with a process id) and exports (without).
_LEGACY_IMPORT = re.compile(r"^\.(?P<name>.+)\.(?P<role>importing|replaced)-(?P<pid>\d+)$")
_LEGACY_EXPORT = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]{8}\.tmp(?:\.[^.]*)?$")


def temp_name(dest: Path, role: str = "tmp") -> Path:
    """A hidden sibling of ``dest`` that says who made it: ``.NAME.explorer-ROLE-HOST-PID-TOKEN.SUFFIX``.

    Same folder, so the rename stays on one file system; same suffix, so tools
    that pick a format from the name (ffmpeg) still do.  ``role`` is 'tmp' (the
    output being written) or 'old' (a folder moved aside while the new one
    takes its place).

    >>> temp_name(Path("/out/view.png")).name.startswith(".view.png.explorer-tmp-")
    True
    """
    return dest.with_name(f".{dest.name}.explorer-{role}-{_HOST}-{os.getpid()}-{secrets.token_hex(4)}{dest.suffix}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no cheap check: keep it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_stale_temps(folder: str | Path) -> list[Path]:
    """Remove, in ``folder``, the temporaries of explorer runs that are no longer running; return them.

    Only names explorer gives its temporaries are considered, and only those
    made on this host by a process that has exited (explorer 0.x export
    temporaries, which carry no process id: those older than a day).  A folder
    moved aside by a run killed before it could put the new one in place is put
    back where it was, if nothing has taken its place since.
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        match = _TEMP.match(name) or _LEGACY_IMPORT.match(name)
        if match:
            host = match.groupdict().get("host") or _HOST
            if host != _HOST or _alive(int(match["pid"])):
                continue
            aside = match["role"] in ("old", "replaced")
        else:
            match = _LEGACY_EXPORT.match(name)
            try:
                if not match or time.time() - entry.stat(follow_symlinks=False).st_mtime < _LEGACY_AGE:
                    continue
            except OSError:
                continue
            aside = False
        path = folder / name
        original = folder / match["name"]
        try:
            if aside and not os.path.lexists(original):
                os.rename(path, original)
                continue
            _remove(path)
        except OSError:
            continue  # another run got there first, or it is not ours to remove
        removed.append(path)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        _remove(path)


# ---- writing ------------------------------------------------------------------------------


class PendingWrite:
    """An output being written: checked by :func:`check_target`, written to :attr:`tmp`, renamed by :meth:`commit`.

    :meth:`start` removes stale temporaries in the destination's folder and
    creates the temporary (an empty file, or a folder with ``directory``), so a
    folder that cannot be written to fails before any work is done.  Every
    ``OSError`` of :meth:`start` and :meth:`commit` is a :class:`WriteError`
    naming the destination; :meth:`discard` removes the temporary.
    """

    def __init__(self, path: str | Path, *, directory: bool = False, **check):
        self.shown = _absolute(Path(path))
        self.dest = check_target(path, **check)
        self.directory = directory
        self.tmp = temp_name(self.dest)

    def start(self) -> Path:
        remove_stale_temps(self.dest.parent)
        with write_errors(self.shown, self.tmp):
            if self.directory:
                self.tmp.mkdir()
            else:
                os.close(os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        return self.tmp

    def errors(self) -> contextlib.AbstractContextManager[None]:
        """A block whose ``OSError`` becomes a :class:`WriteError` naming the destination."""
        return write_errors(self.shown, self.tmp)

    def commit(self) -> None:
        with self.errors():
            if not os.path.lexists(self.tmp):
                raise OSError(errno.ENOENT, "the export wrote nothing", str(self.tmp))
            dest = self.dest
            if os.path.lexists(dest) and (dest.is_dir() or self.tmp.is_dir()) and not dest.is_symlink():
                # A folder cannot replace (or be replaced) in one step: move the old one aside first.
                # If this run is killed in between, the next run puts it back (see remove_stale_temps).
                old = temp_name(dest, "old")
                os.rename(dest, old)
                try:
                    os.replace(self.tmp, dest)
                except BaseException:
                    os.rename(old, dest)
                    raise
                _discard(old)
            else:
                os.replace(self.tmp, dest)

    def discard(self) -> None:
        _discard(self.tmp)


@contextlib.contextmanager
def atomic_path(
    path: str | Path,
    force: bool = False,
    directory: bool = False,
    *,
    inputs: Iterable[str | Path] = (),
    owned: Callable[[Path], list[str]] | None = None,
    what: str = "explorer",
    option: str = "--out",
) -> Iterator[Path]:
    """A temporary path to write to, renamed onto ``path`` when the block succeeds.

    With ``directory`` the temporary path is an empty folder (for outputs that
    are several files), and an existing folder at ``path`` is replaced only if
    ``owned`` finds nothing foreign in it.  On any exception, including
    ``KeyboardInterrupt``, the temporary is removed and ``path`` is left as it
    was; an ``OSError`` comes out as a :class:`WriteError` naming ``path``.
    """
    pending = PendingWrite(path, directory=directory, force=force, inputs=inputs, owned=owned, what=what, option=option)
    tmp = pending.start()
    try:
        with pending.errors():
            yield tmp
        pending.commit()
    except BaseException:
        pending.discard()
        raise


def new_scratch_folder(prefix: str = "explorer") -> Path:
    """A new private (0700) folder in the system's temporary folder, named after this process.

    The caller removes it when done; if the process is killed first, the next
    call (from any explorer process on this host) removes it.  Stale ones are
    removed first.
    """
    base = Path(tempfile.gettempdir())
    remove_stale_temps(base)
    folder = temp_name(base / prefix)
    with write_errors(folder, folder):
        folder.mkdir(mode=0o700)
    return folder


@contextlib.contextmanager
def scratch_folder(prefix: str = "explorer") -> Iterator[Path]:
    """:func:`new_scratch_folder` as a context manager: the folder is removed on exit."""
    folder = new_scratch_folder(prefix)
    try:
        yield folder
    finally:
        _discard(folder)
