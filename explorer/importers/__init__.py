"""Importers of machine-coded event data (GDELT, ICEWS) into a data folder.

:data:`IMPORTERS` is the registry: one :class:`~.base.EventFormat` per
format, from which the ``explorer import`` commands and their help are
generated.  :func:`run_import` turns files of one format into a data folder
that :func:`explorer.loader.load_dataset` accepts.

>>> sorted(IMPORTERS)
['gdelt', 'icews']
"""

from __future__ import annotations

from .base import EventFormat, Layout
from .gdelt import GDELT
from .icews import ICEWS
from .pipeline import FILTER_REASONS, OTHER_SKIPS, ImportOptions, ImportReport, run_import
from .reader import InputError

__all__ = [
    "IMPORTERS",
    "EventFormat",
    "Layout",
    "ImportOptions",
    "ImportReport",
    "InputError",
    "FILTER_REASONS",
    "OTHER_SKIPS",
    "run_import",
]

IMPORTERS: dict[str, EventFormat] = {fmt.name: fmt for fmt in (GDELT, ICEWS)}
"""Every importer, by command name."""
