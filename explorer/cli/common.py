"""Options shared by several subcommands, and the small helpers behind them."""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

import click

from ..dates import parse_bound
from ..errors import ArgumentError
from ..paths import default_data_dir
from ..views import LEVELS

__all__ = [
    "data_option",
    "window_options",
    "level_option",
    "resolve_window",
    "data_path",
    "data_paths",
    "default_data_paths",
    "load_data",
]


def data_path(value: str | None) -> Path:
    """The folder ``value`` (none: the first default folder, see :func:`default_data_paths`), checked."""
    if not value:
        return default_data_paths()[0]
    path = Path(value)
    if not path.is_dir():
        raise ArgumentError(f"--data: {str(path)!r} is not a folder")
    return path


def default_data_paths() -> list[Path]:
    """The folders of ``$EXPLORER_DATA`` (several separated by ``os.pathsep``, ``:`` on Linux and
    macOS, ``;`` on Windows), each checked; without it, the bundled dataset."""
    env = os.environ.get("EXPLORER_DATA", "")
    paths = [Path(p) for p in env.split(os.pathsep) if p.strip()]
    for path in paths:
        if not path.is_dir():
            raise ArgumentError(f"$EXPLORER_DATA: {str(path)!r} is not a folder")
    return paths or [default_data_dir()]


def data_paths(values: str | tuple[str, ...] | list[str] | None) -> list[Path]:
    """The folders of ``--data`` (given once or several times; none: the default folders,
    see :func:`default_data_paths`), each checked.

    The same folder given twice counts once.
    """
    if values is None or isinstance(values, str):
        values = (values,) if values else ()
    paths = [data_path(v) for v in values] or default_data_paths()
    unique: dict[str, Path] = {}
    for p in paths:
        unique.setdefault(str(p.resolve()), p)
    return list(unique.values())


def load_data(values):
    """The dataset of ``--data``: one folder, or several merged (:func:`explorer.loader.load_datasets`)."""
    from ..loader import load_datasets

    return load_datasets(data_paths(values))


def data_option(f):
    return click.option(
        "--data",
        "data",
        metavar="DIR",
        multiple=True,
        help="Data folder (default: $EXPLORER_DATA, several separated by ':' (';' on Windows), or the bundled "
        "BRICS dataset). Repeat it to open several folders as one: entities are merged by id, ISO3 or Wikidata id, "
        "facts keep their folder.",
    )(f)


def window_options(f):
    f = click.option("--at", "at", metavar="DATE", default=None, help="Shorthand for --from DATE --to DATE.")(f)
    f = click.option("--to", "date_to", metavar="DATE", default=None, help="Window end (YYYY-MM-DD, YYYY-MM or YYYY).")(
        f
    )
    f = click.option(
        "--from", "date_from", metavar="DATE", default=None, help="Window start (YYYY-MM-DD, YYYY-MM or YYYY)."
    )(f)
    return f


def level_option(f):
    return click.option(
        "--level",
        type=click.Choice(list(LEVELS)),
        default="officials",
        show_default=True,
        help="officials: entities as recorded; countries: officials collapsed into their country.",
    )(f)


def resolve_window(date_from: str | None, date_to: str | None, at: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The closed window the options describe; partial dates widen to their whole period."""
    if at:
        if date_from or date_to:
            raise ArgumentError("--at cannot be combined with --from or --to")
        date_from = date_to = at
    start = parse_bound(date_from, "from")
    end = parse_bound(date_to, "to")
    if start and end and start > end:
        raise ArgumentError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    return start, end


def with_window(f):
    """Decorator: turn --from/--to/--at into a ``window`` (start, end) keyword."""

    @functools.wraps(f)
    def wrapper(*args, date_from=None, date_to=None, at=None, **kwargs):
        return f(*args, window=resolve_window(date_from, date_to, at), **kwargs)

    return window_options(wrapper)
