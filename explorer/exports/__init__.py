"""Snapshots and exports of a view: pictures, an offline page, animations and data files.

:data:`FORMATS` is the one table of export formats; the CLI's ``--format``
choices, the dashboard's Export menu and ``docs/exports.md`` (see
:func:`formats_markdown`) are generated from it.  Every format is a pure
writer from a :class:`~explorer.exports.snapshot.Snapshot` (the data, a
:class:`~explorer.viewstate.ViewState` and the :class:`ExportOptions`) to a
path; :func:`export_view` runs it through :func:`~explorer.exports.atomic.atomic_path`,
so an export follows the rule of :mod:`explorer.writes`: complete or absent, never
over the data it reads, never over an existing file without ``force``, and a full
disk is one :class:`~explorer.writes.WriteError` naming the path.

>>> sorted(FORMATS)
['csv', 'gexf', 'gif', 'graphml', 'html', 'json', 'mp4', 'pdf', 'png', 'svg']
>>> format_for_path("brics.graphml").id
'graphml'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArgumentError, ExplorerError
from ..presenter import AppData
from ..viewstate import ViewState
from ..writes import WriteError, data_folder_inputs, out_path, scratch_folder
from .atomic import CSV_FILES, atomic_path, check_target
from .snapshot import ExportOptions, Snapshot

__all__ = [
    "ExportFormat",
    "ExportOptions",
    "Snapshot",
    "FORMATS",
    "get_format",
    "format_for_path",
    "unavailable_reason",
    "default_filename",
    "resolve_output",
    "check_target",
    "atomic_path",
    "CSV_FILES",
    "WriteError",
    "export_view",
    "export_bytes",
    "formats_markdown",
]


def _picture(fmt: str) -> Callable[[Snapshot, Path], None]:
    def write(snap: Snapshot, path: Path) -> None:
        from .render import render_image

        o = snap.options
        path.write_bytes(render_image(snap.figure(height=o.height), fmt, o.width, o.height, o.scale))

    write.__doc__ = f"The dashboard's figure of the view as {fmt.upper()}, with title, window, legend and caption."
    return write


def _lazy(module: str, name: str) -> Callable[[Snapshot, Path], None]:
    """A writer imported on first use, so listing the formats imports neither Pillow nor plotly.io."""

    def write(snap: Snapshot, path: Path) -> None:
        import importlib

        getattr(importlib.import_module(f"{__name__}.{module}"), name)(snap, path)

    return write


def _needs_browser() -> str | None:
    from .render import find_browser

    try:
        find_browser()
    except ExplorerError as exc:
        return str(exc)
    return None


def _needs_ffmpeg() -> str | None:
    from .animation import ffmpeg_path

    return None if ffmpeg_path() else "needs ffmpeg on PATH"


@dataclass(frozen=True)
class ExportFormat:
    """One export format.

    ``write(snapshot, path)`` writes the whole export to ``path`` (a temporary
    path; see :mod:`explorer.exports.atomic`).  ``size`` is the default
    (width, height) in CSS pixels.  ``folder`` says whether an output path
    without ``.zip`` is written as a folder (CSV).  ``requires`` returns why the
    format cannot be written on this machine, or None.
    """

    id: str
    label: str
    suffix: str
    media_type: str
    group: str
    description: str
    write: Callable[[Snapshot, Path], None]
    size: tuple[int, int] = (1400, 900)
    folder: bool = False
    requires: Callable[[], str | None] | None = None
    browser: bool = False

    def writes_folder(self, path: Path) -> bool:
        return self.folder and Path(path).suffix.lower() != ".zip"

    def label_for(self, path: str | Path) -> str:
        """The label, saying what is written at ``path`` when the format can write a zip or a folder.

        >>> FORMATS["csv"].label_for("tables.zip"), FORMATS["csv"].label_for("tables")
        ('CSV tables (zip)', 'CSV tables (folder)')
        """
        if not self.folder:
            return self.label
        return f"{self.label} ({'folder' if self.writes_folder(Path(path)) else 'zip'})"


FORMATS: dict[str, ExportFormat] = {
    f.id: f
    for f in (
        ExportFormat(
            "png",
            "PNG image",
            ".png",
            "image/png",
            "Picture",
            "The network as on screen, with title, date window, filters, legend and caption; "
            "--width/--height/--scale set its size.",
            _picture("png"),
            requires=_needs_browser,
            browser=True,
        ),
        ExportFormat(
            "svg",
            "SVG image",
            ".svg",
            "image/svg+xml",
            "Picture",
            "The same picture as scalable vectors (node labels are text).",
            _picture("svg"),
            requires=_needs_browser,
            browser=True,
        ),
        ExportFormat(
            "pdf",
            "PDF document",
            ".pdf",
            "application/pdf",
            "Picture",
            "The same picture as a one-page vector PDF.",
            _picture("pdf"),
            requires=_needs_browser,
            browser=True,
        ),
        ExportFormat(
            "html",
            "Interactive HTML",
            ".html",
            "text/html",
            "Page",
            "One self-contained, offline page: the network with hover details, its own timeline "
            "(slider and Play over the window's frames) and a table of the sources with links.",
            _lazy("page", "write_html"),
            size=(1400, 760),
        ),
        ExportFormat(
            "gif",
            "Animated GIF",
            ".gif",
            "image/gif",
            "Animation",
            "The timeline played frame by frame, the dates of each frame in its title.",
            _lazy("animation", "write_gif"),
            size=(1000, 700),
            requires=_needs_browser,
            browser=True,
        ),
        ExportFormat(
            "mp4",
            "MP4 video",
            ".mp4",
            "video/mp4",
            "Animation",
            "The same animation as an H.264 video; needs ffmpeg.",
            _lazy("animation", "write_mp4"),
            size=(1280, 800),
            requires=lambda: _needs_ffmpeg() or _needs_browser(),
            browser=True,
        ),
        ExportFormat(
            "gexf",
            "GEXF (Gephi)",
            ".gexf",
            "application/gexf+xml",
            "Data",
            "GEXF 1.3 (valid against its RelaxNG grammar), dynamic: dates on nodes and edges for Gephi's "
            "timeline, one spell per event of a country-level tie, and the same dates as plain attributes; the "
            "screen's positions, sizes and colours, metrics as node attributes.",
            _lazy("tables", "write_gexf"),
        ),
        ExportFormat(
            "graphml",
            "GraphML",
            ".graphml",
            "application/graphml+xml",
            "Data",
            "GraphML (valid against the GraphML XSD) with typed node and edge attributes, dates as ISO strings.",
            _lazy("tables", "write_graphml"),
        ),
        ExportFormat(
            "csv",
            "CSV tables",
            ".zip",
            "application/zip",
            "Data",
            "nodes.csv, edges.csv, metrics.csv, sources.csv and view.json: in a zip when --out ends in "
            ".zip, else in a new folder.",
            _lazy("tables", "write_csv"),
            folder=True,
        ),
        ExportFormat(
            "json",
            "JSON (node-link)",
            ".json",
            "application/json",
            "Data",
            "Node-link JSON (networkx conventions) with ISO dates, the sources cited, the metrics and "
            "the view's description.",
            _lazy("tables", "write_json"),
        ),
    )
}
"""Every export format, by id, in menu order."""


def get_format(fmt: str | ExportFormat) -> ExportFormat:
    """The format named ``fmt``; :class:`ArgumentError` listing the known ones otherwise."""
    if isinstance(fmt, ExportFormat):
        return fmt
    try:
        return FORMATS[str(fmt).lower()]
    except KeyError:
        raise ArgumentError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}") from None


_BY_SUFFIX = {f.suffix: f for f in FORMATS.values()}


def format_for_path(path: str | Path) -> ExportFormat:
    """The format a file name asks for by its suffix (``.zip`` is CSV)."""
    suffix = Path(path).suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    raise ArgumentError(f"--out: cannot tell the format from {str(path)!r}; give --format ({', '.join(FORMATS)})")


def unavailable_reason(fmt: str | ExportFormat) -> str | None:
    """Why ``fmt`` cannot be written on this machine (no browser, no ffmpeg), or None."""
    f = get_format(fmt)
    return f.requires() if f.requires else None


def default_filename(state: ViewState, fmt: str | ExportFormat, span: tuple[dt.date, dt.date] | None = None) -> str:
    """A file name that says what the export shows, e.g. ``explorer_2024-01-01_2024-02-29_countries.png``.

    >>> default_filename(ViewState(date_from="2024-01", date_to="2024-02", level="countries"), "png")
    'explorer_2024-01-01_2024-02-29_countries.png'
    """
    f = get_format(fmt)
    start, end = state.window()
    lo = start or (span[0] if span else None)
    hi = end or (span[1] if span else None)
    parts = ["explorer", lo.isoformat() if lo else "start", hi.isoformat() if hi else "end"]
    if state.level != "officials":
        parts.append(state.level)
    if state.focus:
        parts.append(state.focus)
    safe = "_".join("".join(c if c.isalnum() or c in "-." else "-" for c in p) for p in parts)
    return safe + f.suffix


def resolve_output(out: str | Path, fmt: ExportFormat, state: ViewState, span=None) -> Path:
    """Where to write: ``out`` itself, or a :func:`default_filename` inside it when it is an existing folder
    and the format writes a file (a CSV folder export replaces the folder itself, with ``--force``)."""
    path = out_path(out)
    if path.is_dir() and not fmt.writes_folder(path):
        return path / default_filename(state, fmt, span)
    return path


def export_view(
    data: AppData,
    state: ViewState,
    fmt: str | ExportFormat,
    out: str | Path,
    options: ExportOptions | None = None,
    force: bool = False,
) -> Path:
    """Write the export of ``state`` in ``fmt`` to ``out``; return the path written.

    A width or height of 0 in ``options`` takes the format's default.
    Raises :class:`ArgumentError` for a missing output folder, an output that
    is the data folder or one of its files, or an existing output without
    ``force`` (checked before any work); :class:`~explorer.writes.WriteError`
    when the disk refuses it (nothing is left behind); and
    :class:`~explorer.errors.ExplorerError` when the format cannot be written here.
    """
    f = get_format(fmt)
    path = resolve_output(out, f, state, data.span)
    inputs = data_folder_inputs(data.path)
    check_target(path, force, inputs=inputs)
    reason = unavailable_reason(f)
    if reason:
        raise ExplorerError(f"{f.label} export is not available here: {reason}")
    options = _with_defaults(options or ExportOptions(), f)
    snap = Snapshot(data, state, options)
    with atomic_path(path, force=force, directory=f.writes_folder(path), inputs=inputs) as tmp:
        f.write(snap, tmp)
    return path


def export_bytes(
    data: AppData, state: ViewState, fmt: str | ExportFormat, options: ExportOptions | None = None
) -> tuple[str, bytes]:
    """The export as (file name, bytes), for a download; CSV comes as a zip.

    It is written in a private temporary folder (see :func:`explorer.writes.scratch_folder`),
    removed afterwards, or by the next export if this process is killed.
    """
    f = get_format(fmt)
    name = default_filename(state, f, data.span)
    try:
        with scratch_folder("explorer-export") as folder:
            path = export_view(data, state, f, folder / name, options)
            return name, path.read_bytes()
    except WriteError as exc:
        # Whoever downloads it learns why, not where the server keeps its temporary files.
        raise WriteError(name, exc.reason) from exc


def _with_defaults(options: ExportOptions, fmt: ExportFormat) -> ExportOptions:
    width, height = fmt.size
    if options.width <= 0 or options.height <= 0:
        # Keep the format's proportions when only one side is given.
        if options.width > 0:
            height = round(options.width * height / width)
        elif options.height > 0:
            width = round(options.height * width / height)
        options = dataclasses.replace(
            options,
            width=options.width if options.width > 0 else width,
            height=options.height if options.height > 0 else height,
        )
    return options


def formats_markdown() -> str:
    """The table of formats for ``docs/exports.md``."""
    lines = ["| Format | File | What it holds |", "| --- | --- | --- |"]
    for f in FORMATS.values():
        where = f"`{f.suffix}` or a folder" if f.folder else f"`{f.suffix}`"
        lines.append(f"| `{f.id}` | {where} | {f.description} |")
    return "\n".join(lines)
