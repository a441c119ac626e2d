"""``explorer export``: a view as a picture, an offline page, an animation or a data file.

The view is the dashboard's: ``--view`` takes a link (or its query string)
copied from the dashboard, and the view options, generated from the fields of
:class:`~explorer.viewstate.ViewState`, set or override its parts.  Formats
come from :data:`explorer.exports.FORMATS`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time

import click

from ..errors import ArgumentError
from ..metrics import METRICS
from ..views import LEVELS
from ..viewstate import COLOR_MODES, QUERY_KEYS, ViewState, parse_view
from . import cli
from .common import data_option, data_paths

__all__ = ["export", "VIEW_OPTIONS", "FORMAT_IDS", "build_state", "resolve_entities"]

# Kept in step with explorer.exports.FORMATS and .timeline (a test checks), so that `explorer --help`
# does not import the export machinery.
FORMAT_IDS = ("png", "svg", "pdf", "html", "gif", "mp4", "gexf", "graphml", "csv", "json")
STEP_IDS = ("auto", "week", "month", "quarter", "year")
FRAME_MODE_IDS = ("period", "cumulative")

VIEW_OPTIONS: dict[str, tuple[str, str]] = {
    "date_from": ("--from", "Window start (YYYY-MM-DD, YYYY-MM or YYYY)."),
    "date_to": ("--to", "Window end; with --lookback, the as-of date."),
    "lookback": ("--lookback", "An as-of view: the DAYS up to --to."),
    "level": ("--level", "officials: as recorded; countries: officials collapsed into their country."),
    "entity_kinds": ("--kinds", "Only these entity kinds (country, official, organization)."),
    "relation_kinds": ("--relations", "Only these relation kinds (office, member, …, meeting, call, …)."),
    "org": ("--org", "Only this organisation's members, invitees and partners."),
    "countries": ("--countries", "Only these countries and their officials."),
    "topics": ("--topics", "Only events on these topics."),
    "outcomes": ("--outcomes", "Only events with these outcomes (discussed, agreed, disagreed, announced)."),
    "hidden_folders": ("--hide-folder", "Leave out the facts of these data folders (named by directory name)."),
    "min_weight": ("--min-weight", "Only meeting ties with at least N events."),
    "focus": ("--focus", "The ego network of this entity (id, name or alias)."),
    "depth": ("--depth", "The ego network's radius (1 to 3)."),
    "metric": ("--metric", "Node size by this metric."),
    "color": ("--color", "Colour nodes by entity kind, country or (Louvain) community."),
    "selected": ("--select", "Highlight this entity and its ties, as a click on the dashboard does."),
}
"""ViewState field -> (option, help).  The tab, the compared window and the path ends are left out:
they do not change the network a snapshot shows."""
_ENTITY_FIELDS = ("org", "focus", "selected")
_CHOICES = {"level": tuple(LEVELS), "metric": tuple(METRICS), "color": tuple(COLOR_MODES)}


def _view_options(f):
    """Add one option per :data:`VIEW_OPTIONS` entry, typed from the ViewState field's default."""
    defaults = {fl.name: fl.default for fl in dataclasses.fields(ViewState)}
    for name, (flag, help_text) in reversed(list(VIEW_OPTIONS.items())):
        default = defaults[name]
        if isinstance(default, tuple):
            listed = help_text + " Repeat or comma-separate."
            f = click.option(flag, name, multiple=True, metavar="A[,B]", help=listed)(f)
        elif isinstance(default, int) and not isinstance(default, bool):
            f = click.option(flag, name, type=int, default=None, metavar="N", help=help_text)(f)
        elif name in _CHOICES:
            f = click.option(flag, name, type=click.Choice(_CHOICES[name]), default=None, help=help_text)(f)
        else:
            f = click.option(
                flag, name, default=None, metavar="DATE" if name.startswith("date") else "TEXT", help=help_text
            )(f)
    return click.option("--at", "at", metavar="DATE", default=None, help="Shorthand for --from DATE --to DATE.")(f)


def build_state(view: str | None, at: str | None, values: dict) -> ViewState:
    """The state from ``--view`` (strict) with the given view options laid over it.

    Raises :class:`ArgumentError` for a link that does not parse or an invalid option value.
    """
    base = parse_view(view) if view else ViewState()
    overrides: dict = {}
    for name, value in values.items():
        if value is None or value == ():
            continue
        overrides[name] = ",".join(value) if isinstance(value, tuple) else value
    if at:
        if "date_from" in overrides or "date_to" in overrides:
            raise ArgumentError("--at cannot be combined with --from or --to")
        overrides["date_from"] = overrides["date_to"] = at
    if not overrides:
        return base
    try:
        return ViewState.from_dict({**base.to_dict(), **overrides}, strict=True)
    except ArgumentError as exc:
        flags = {key: VIEW_OPTIONS[name][0] for name, key in QUERY_KEYS.items() if name in VIEW_OPTIONS}
        msg = str(exc).removeprefix("--view: ")
        key = msg.split("=", 1)[0]
        raise ArgumentError(f"{flags.get(key, key)}: {msg}") from None


def resolve_entities(state: ViewState, G) -> ViewState:
    """Entities named by name or alias become ids; an unknown one raises with suggestions."""
    from ..lookup import resolve_entity

    changes = {}
    for name in _ENTITY_FIELDS:
        value = getattr(state, name)
        if value and not value.startswith(("edge|", "pair|")):
            changes[name] = resolve_entity(G, value)
    if state.countries:
        changes["countries"] = tuple(resolve_entity(G, c) for c in state.countries)
    return state.replace(**changes) if changes else state


@cli.command()
@data_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_IDS, case_sensitive=False),
    default=None,
    help="png, svg, pdf (pictures); html (offline page with a timeline); gif, mp4 (animations); "
    "gexf, graphml, csv, json (data). Default: from the --out suffix.",
)
@click.option(
    "--out",
    "out",
    required=True,
    metavar="PATH",
    help="The file to write (an existing folder: a named file inside it). CSV: a .zip, or a new folder. "
    "Never the data folder or one of its files.",
)
@click.option(
    "--force", is_flag=True, help="Overwrite PATH if it exists (a folder only if it holds an earlier CSV export)."
)
@click.option(
    "--view",
    "view",
    metavar="URL",
    default=None,
    help="A dashboard link or its query string ('?from=2024-01&level=countries'); the options below "
    "override its parts.",
)
@_view_options
@click.option(
    "--width",
    type=click.IntRange(100, 10000),
    default=None,
    metavar="PX",
    help="Width in CSS pixels (pictures 1400, GIF 1000, MP4 1280).",
)
@click.option(
    "--height",
    type=click.IntRange(100, 10000),
    default=None,
    metavar="PX",
    help="Height in CSS pixels (pictures 900, GIF 700, MP4 800, HTML figure 760).",
)
@click.option(
    "--scale",
    type=click.FloatRange(0.1, 10),
    default=1.0,
    show_default=True,
    help="Pixel density of PNG, GIF and MP4 (2 for print).",
)
@click.option(
    "--step",
    type=click.Choice(STEP_IDS),
    default="auto",
    show_default=True,
    help="The timeline's frames (HTML, GIF, MP4): weeks, months, quarters or years of the window.",
)
@click.option(
    "--frames",
    "frame_mode",
    type=click.Choice(FRAME_MODE_IDS),
    default="period",
    show_default=True,
    help="period: each frame shows its period's ties; cumulative: from the window's start.",
)
@click.option(
    "--max-frames",
    type=click.IntRange(1, 500),
    default=48,
    show_default=True,
    help="At most this many frames (with --step auto, the step is coarsened to fit).",
)
@click.option(
    "--frame-ms",
    type=click.IntRange(50, 60000),
    default=900,
    show_default=True,
    help="How long each frame shows when played.",
)
def export(
    data: tuple[str, ...],
    fmt: str | None,
    out: str,
    force: bool,
    view: str | None,
    at: str | None,
    width: int | None,
    height: int | None,
    scale: float,
    step: str,
    frame_mode: str,
    max_frames: int,
    frame_ms: int,
    **view_values,
) -> None:
    """Export a view as a picture, an offline page, an animation or data.

    \b
    explorer export --from 2024-01 --to 2024-02 --level countries --out brics.png
    explorer export --view 'http://127.0.0.1:8050/?from=2024-01&org=BRICS' --format html --out brics.html
    explorer export --format gexf --out all.gexf
    """
    from ..exports import ExportOptions, check_target, export_view, format_for_path, get_format
    from ..exports.render import kaleido_server
    from ..presenter import prepare_app_data, render_view, view_graph
    from ..writes import data_folder_inputs, out_path

    started = time.perf_counter()
    target = out_path(out)
    f = get_format(fmt) if fmt else format_for_path(target)
    state = build_state(view, at, view_values)
    folders = data_paths(data)
    if not target.is_dir() or f.writes_folder(target):
        # Fail before loading anything.
        check_target(target, force, inputs=[p for folder in folders for p in data_folder_inputs(folder)])
    app_data = prepare_app_data(folders if len(folders) > 1 else folders[0])
    state = resolve_entities(state, app_data.graph)
    options = ExportOptions(
        width=width or 0,
        height=height or 0,
        scale=scale,
        step=step,
        frames=frame_mode,
        max_frames=max_frames,
        frame_ms=frame_ms,
    )
    # One renderer for the whole command, stopped when it is done rather than at interpreter exit.
    with kaleido_server() if f.browser else contextlib.nullcontext():
        path = export_view(app_data, state, f, target, options, force=force)
    H = view_graph(app_data, state)
    # A picture of a view too large to draw shows its top; the data formats hold all of it.
    shown = render_view(app_data, state).counts.get("shown") if f.group != "Data" else None
    click.echo(
        f"explorer: wrote {path} ({f.label_for(path)}; {H.number_of_nodes()} entities, {H.number_of_edges()} ties"
        + (f", the {shown:,} most connected entities drawn" if shown else "")
        + f"; {time.perf_counter() - started:.1f} s)",
        err=True,
    )
