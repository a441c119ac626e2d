"""``explorer validate``, ``explorer info`` and ``explorer graph``.

What they print from a data folder goes through :func:`explorer.text.escape_terminal`
(the problem texts of :class:`~explorer.errors.DataError` are escaped where they are
made) and JSON through :func:`explorer.text.escape_json`, so data cannot send
control sequences to the terminal.
"""

from __future__ import annotations

import json

import click

from ..errors import DataError
from ..formats import graph_to_nodelink
from ..graph import build_graph
from ..loader import check_datasets
from ..text import escape_json, escape_terminal
from ..views import project_to_countries, window_view
from . import cli
from .common import data_option, data_paths, level_option, load_data, with_window


@cli.command()
@data_option
def validate(data: tuple[str, ...]) -> None:
    """Check a data folder; print every problem (exit 1) or a one-line summary (exit 0).

    With several --data folders, each is checked, then their merge: an entity id with two
    kinds is an error; names, Wikidata ids or countries that differ, ids renamed and
    affiliations that disagree are warnings (printed, exit 0).
    """
    paths = data_paths(data)
    shown = " + ".join(str(p) for p in paths)
    ds, problems, warnings = check_datasets(paths)
    if ds is None:
        click.echo(escape_terminal(DataError(shown, problems).report(), keep_newlines=True))
        _echo_warnings(warnings)
        raise SystemExit(1)
    s = ds.summary()
    merged = ""
    if len(paths) > 1:
        n = len(warnings)
        merged = f" ({len(paths)} folders merged; {n} warning{'s' if n != 1 else ''})"
    _echo(
        f"{shown}: OK — {len(ds.entities)} entities, {len(ds.affiliations)} affiliations, "
        f"{len(ds.events)} events, {s['participants']} participants, {s['sources']} sources"
        + (f", {s['date_range'][0]} to {s['date_range'][1]}" if s["date_range"] else "")
        + merged
    )
    _echo_warnings(warnings)


def _echo_warnings(warnings) -> None:
    for w in warnings:
        click.echo(f"  warning: {w}")


@cli.command()
@data_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def info(data: tuple[str, ...], as_json: bool) -> None:
    """Counts by kind, the date range and the number of sources (and, for several folders, per folder)."""
    s = load_data(data).summary()
    if as_json:
        click.echo(escape_json(json.dumps(s, indent=2, ensure_ascii=False)))
        return
    rows = [("data", s["data"])]
    if s["date_range"]:
        rows.append(("dates", f"{s['date_range'][0]} to {s['date_range'][1]}"))
    for part in ("entities", "affiliations", "events"):
        counts = ", ".join(f"{v} {k}" for k, v in s[part].items())
        rows.append((part, f"{sum(s[part].values())}" + (f" ({counts})" if counts else "")))
    rows += [("participants", str(s["participants"])), ("sources", str(s["sources"]))]
    for folder, counts in s.get("folders", {}).items():
        rows.append((f"folder {folder}", ", ".join(f"{v} {k}" for k, v in counts.items())))
    for label, value in rows:
        _echo(f"{label + ':':<14}{value}")


@cli.command()
@data_option
@with_window
@level_option
@click.option("--keep-isolated", is_flag=True, help="Keep entities with no tie in the window.")
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def graph(data: tuple[str, ...], window, level: str, keep_isolated: bool, fmt: str) -> None:
    """Print the view for a window as node-link JSON, with a map of the sources cited."""
    G = build_graph(load_data(data))
    view = window_view(G, *window, keep_isolated=keep_isolated)
    if level == "countries":
        view = project_to_countries(view)
    meta = {"from": window[0], "to": window[1], "level": level}
    click.echo(escape_json(json.dumps(graph_to_nodelink(view, meta), indent=1, ensure_ascii=False)))


def _echo(line: str) -> None:
    click.echo(escape_terminal(line))
