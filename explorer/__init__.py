"""explorer: an interactive explorer of dated, sourced geopolitical relationships.

The small Python API::

    >>> import explorer
    >>> ds = explorer.load_dataset(explorer.bundled_data_dir())
    >>> G = explorer.build_graph(ds)
    >>> view = explorer.window_view(G, *explorer.parse_window("2024-01-29", "2024-01-30"))
    >>> "ma-zhaoxu" in view
    True
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .dates import parse_bound, parse_partial
from .errors import DataError, ExplorerError, Problem
from .graph import build_graph
from .loader import Dataset, load_dataset
from .paths import bundled_data_dir
from .views import project_to_countries, window_view

try:
    __version__ = version("explorer")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0.0.0+local"


def parse_window(date_from: str | None = None, date_to: str | None = None):
    """``(first day of date_from, last day of date_to)``; None stays unbounded."""
    return parse_bound(date_from, "from"), parse_bound(date_to, "to")


__all__ = [
    "__version__",
    "Dataset",
    "DataError",
    "ExplorerError",
    "Problem",
    "build_graph",
    "bundled_data_dir",
    "load_dataset",
    "parse_bound",
    "parse_partial",
    "parse_window",
    "project_to_countries",
    "window_view",
]
