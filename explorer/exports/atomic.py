"""Writing an export so that it is all there or not there at all.

Every writer writes to a temporary path in the destination's own folder; only
when it has finished is that path renamed onto the destination (``os.replace``,
atomic on one file system).  An interrupted export (an error, Ctrl+C) leaves
no half-written file behind, and an existing file is only replaced with
``force``.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "view.json") as tmp:
...     _ = tmp.write_text("{}")
>>> sorted(p.name for p in folder.iterdir())
['view.json']
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..errors import ArgumentError

__all__ = ["check_target", "atomic_path"]


def check_target(path: Path, force: bool = False) -> Path:
    """``path`` if an export may be written there; else :class:`ArgumentError` saying why.

    The folder it goes in must exist (it is not created: a typo should not
    scatter folders), and an existing file or folder is only overwritten with
    ``force``.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ArgumentError(f"--out: the folder {str(parent)!r} does not exist")
    if path.exists() and not force:
        raise ArgumentError(f"--out: {str(path)!r} already exists; use --force to overwrite it")
    if path.is_dir() and not path.is_symlink() and force and any(path.iterdir()):
        # Only a folder this tool would write (an earlier CSV export) may be replaced.
        if not (path / "nodes.csv").is_file():
            raise ArgumentError(f"--out: {str(path)!r} is a folder that is not an explorer export; not replacing it")
    return path


def _temporary_sibling(path: Path) -> Path:
    # Same folder (so the rename stays on one file system), same suffix (so tools
    # that pick a format from the name, like ffmpeg, still do), hidden while written.
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}.tmp{path.suffix}")


@contextlib.contextmanager
def atomic_path(path: Path, force: bool = False, directory: bool = False) -> Iterator[Path]:
    """A temporary path to write the export to; renamed onto ``path`` on success.

    With ``directory`` the temporary path is an empty folder (for exports that
    are several files).  On any exception, including ``KeyboardInterrupt``, the
    temporary file or folder is removed and the destination is left as it was.
    """
    path = check_target(Path(path), force)
    tmp = _temporary_sibling(path)
    if directory:
        tmp.mkdir()
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"the export wrote nothing to {tmp}")
        if path.exists() and (tmp.is_dir() or path.is_dir()) and not path.is_symlink():
            # A folder cannot replace (or be replaced) in one step: move the old one aside first.
            old = _temporary_sibling(path)
            path.rename(old)
            try:
                os.replace(tmp, path)
            except BaseException:
                old.rename(path)
                raise
            _remove(old)
        else:
            os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
