"""explorer: an interactive explorer of dated, sourced geopolitical relationships.

The small Python API::

    >>> import explorer
    >>> ds = explorer.load_dataset(explorer.bundled_data_dir())
    >>> G = explorer.build_graph(ds)
    >>> view = explorer.window_view(G, *explorer.parse_window("2024-01-29", "2024-01-30"))
    >>> "ma-zhaoxu" in view
    True

The names are imported when first used (module ``__getattr__``, PEP 562), so that
``import explorer.importers`` or ``explorer import gdelt`` does not load pandas,
networkx or igraph for nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from .dates import parse_bound, parse_partial
    from .errors import DataError, ExplorerError, Problem
    from .graph import build_graph
    from .loader import Dataset, load_dataset
    from .paths import bundled_data_dir
    from .views import project_to_countries, window_view

_LAZY = {
    "parse_bound": ".dates",
    "parse_partial": ".dates",
    "DataError": ".errors",
    "ExplorerError": ".errors",
    "Problem": ".errors",
    "build_graph": ".graph",
    "Dataset": ".loader",
    "load_dataset": ".loader",
    "bundled_data_dir": ".paths",
    "project_to_countries": ".views",
    "window_view": ".views",
}


def __getattr__(name: str):
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("explorer")
        except PackageNotFoundError:  # running from a checkout that is not installed
            value = "0.0.0+local"
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def parse_window(date_from: str | None = None, date_to: str | None = None):
    """``(first day of date_from, last day of date_to)``; None stays unbounded."""
    from .dates import parse_bound

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
