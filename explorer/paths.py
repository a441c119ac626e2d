"""Where the bundled data and static assets are, installed or in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["bundled_data_dir", "assets_dir", "default_data_dir"]

_PKG = Path(__file__).resolve().parent


def _locate(name: str) -> Path:
    # A wheel carries the folder inside the package; a checkout has it beside the package.
    for candidate in (_PKG / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"explorer's bundled {name}/ folder is missing from {_PKG}")


def bundled_data_dir() -> Path:
    """The folder of the bundled BRICS dataset."""
    return _locate("data")


def assets_dir() -> Path:
    """The folder of the dashboard's static files (CSS, map data)."""
    return _locate("assets")


def default_data_dir() -> Path:
    """``$EXPLORER_DATA`` if set, else the bundled dataset."""
    env = os.environ.get("EXPLORER_DATA")
    return Path(env) if env else bundled_data_dir()
