"""Writing an export so that it is all there or not there at all: :mod:`explorer.writes` for exports.

Every export follows the project's one rule for writing files (see
:mod:`explorer.writes`): written to a temporary name in the destination's own
folder and renamed onto it when complete; never over an input (the data
folder or one of its files); an existing file only with ``force``; an existing
folder only with ``force`` and only if it is empty or an earlier CSV export
(nothing in it but :data:`CSV_FILES`); disk errors as one line naming the
path; stale temporaries of killed runs removed by the next export.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "view.json") as tmp:
...     _ = tmp.write_text("{}")
>>> sorted(p.name for p in folder.iterdir())
['view.json']
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import writes
from ..writes import WriteError

__all__ = ["CSV_FILES", "check_target", "atomic_path", "foreign_in_export", "WriteError"]

CSV_FILES = ("nodes.csv", "edges.csv", "metrics.csv", "sources.csv", "view.json")
"""The files of a CSV export; a folder holding nothing else is one explorer may replace."""

_WHAT = "an explorer CSV export"


def foreign_in_export(folder: Path) -> list[str]:
    """The entries of ``folder`` that a CSV export does not write (empty for an earlier export or an empty folder)."""
    return writes.foreign_entries(folder, CSV_FILES)


def check_target(path: str | Path, force: bool = False, *, inputs: Iterable[str | Path] = ()) -> Path:
    """The resolved path if an export may be written at ``path``; else :class:`~explorer.errors.ArgumentError`.

    See :func:`explorer.writes.check_target`; ``inputs`` are what the export
    reads (:func:`explorer.writes.data_folder_inputs` of its data folder).
    """
    return writes.check_target(path, force, inputs=inputs, owned=foreign_in_export, what=_WHAT)


@contextlib.contextmanager
def atomic_path(
    path: str | Path, force: bool = False, directory: bool = False, *, inputs: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """A temporary path to write the export to; renamed onto ``path`` on success.

    With ``directory`` the temporary path is an empty folder (for exports that
    are several files).  On any exception, including ``KeyboardInterrupt``, the
    temporary file or folder is removed and the destination is left as it was;
    an ``OSError`` comes out as a :class:`WriteError` naming ``path``.
    """
    with writes.atomic_path(path, force, directory, inputs=inputs, owned=foreign_in_export, what=_WHAT) as tmp:
        yield tmp
