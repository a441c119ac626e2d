"""What every export is made from: the data, a view state, the options, and what they say.

A :class:`Snapshot` computes the view once (through
:func:`explorer.presenter.render_view`, the dashboard's own pipeline) and
knows how to describe it: a title with the date window, and a caption with
the counts and filters, the number of sources, the tool's version and the
data folders' names (never their absolute paths: an export is shared, a local
path is nobody else's business).  :meth:`Snapshot.figure` draws a view with
:func:`explorer.figures.make_network_figure`, the function the dashboard
uses, with the same inputs the dashboard gives it, so an export looks like the
screen.

Two graphs, for two kinds of export.  Pictures and pages (PNG, SVG, PDF, HTML,
GIF, MP4) show what the screen shows: :attr:`Snapshot.view`, which for a view
too large to draw is its top (:func:`explorer.views.top_view`), and their caption
says so.  Data files (GEXF, GraphML, CSV, JSON) hold the whole view,
:attr:`Snapshot.whole`: every entity and tie of the window and filters, with
metrics computed on all of it (:attr:`Snapshot.whole_metrics`), since they go
to Gephi or a script that does its own selection.  On an event store the whole
view lists every event of each tie (not only the latest
:data:`explorer.store.EVENT_SAMPLE`), and the events' dates and the sources
are read in one query each, never one by one.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from .. import __version__
from ..figures import make_network_figure
from ..metrics import METRICS, compute_metrics
from ..presenter import AppData, ViewResult, figure_inputs, render_view, table_metrics
from ..viewstate import COLOR_MODES, ViewState
from .timeline import Period, frame_states

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["ExportOptions", "Snapshot", "cited_sources", "data_name", "top_notice", "window_label"]


@dataclass(frozen=True)
class ExportOptions:
    """How an export is drawn.  Sizes are CSS pixels, 0 meaning the format's default (see
    :data:`explorer.exports.FORMATS`); ``scale`` multiplies them for raster formats.

    ``step``, ``frames`` and ``max_frames`` cut the window into the frames of
    the HTML timeline, the GIF and the MP4 (see :mod:`explorer.exports.timeline`);
    ``frame_ms`` is how long each frame shows when played.
    """

    width: int = 0
    height: int = 0
    scale: float = 1.0
    step: str = "auto"
    frames: str = "period"
    max_frames: int = 48
    frame_ms: int = 900


def data_name(path: str | Path) -> str:
    """The name of the data folder at ``path`` (relative paths resolved first), without the folders above it.

    >>> data_name("/home/someone/projects/brics-data/")
    'brics-data'
    """
    return Path(path).resolve().name or "/"


def window_label(state: ViewState, span: tuple[dt.date, dt.date]) -> str:
    """The date window in words, e.g. '2024-01-01 – 2024-02-29' or 'as of 2024-06-30 (last 90 days)'."""
    start, end = state.window()
    if state.lookback and end:
        return f"as of {end.isoformat()} (last {state.lookback} days)"
    if start is None and end is None:
        return f"all dates ({span[0].isoformat()} – {span[1].isoformat()})"
    return f"{(start or span[0]).isoformat()} – {(end or span[1]).isoformat()}"


def cited_sources(G: nx.MultiGraph, view: nx.MultiGraph) -> list[dict]:
    """The sources the ties of ``view`` cite, with how many ties cite each; sorted by id.

    On an event store the sources are read in one query (``load``), not one by one."""
    counts: dict[str, int] = {}
    for *_, d in view.edges(data=True):
        for s in d.get("sources", ()):
            counts[s] = counts.get(s, 0) + 1
    table = G.graph.get("sources", {})
    if hasattr(table, "load"):
        table = table.load(counts)
    out = []
    for sid in sorted(counts):
        row = table.get(sid, {})
        out.append(
            {
                "id": sid,
                "title": str(row.get("title", "")),
                "publisher": str(row.get("publisher", "")),
                "published": str(row.get("published", "")),
                "url": str(row.get("url", "")),
                "reliability": str(row.get("reliability", "")),
                "ties": counts[sid],
            }
        )
    return out


@dataclass
class Snapshot:
    """One view of the data, ready to export: ``data`` (shared, read-only), ``state``, ``options``."""

    data: AppData
    state: ViewState
    options: ExportOptions = field(default_factory=ExportOptions)

    # ---- the view -----------------------------------------------------------------------

    @cached_property
    def result(self) -> ViewResult:
        """The dashboard's own rendering of the state: view graph, metrics records, figure."""
        return render_view(self.data, self.state)

    @property
    def view(self) -> nx.MultiGraph:
        """What the screen shows: the view, or its top when it is too large to draw."""
        return self.result.view

    @property
    def aggregated(self) -> bool:
        """Whether :attr:`view` is only the top of the view (the data exports hold all of it)."""
        return self.result.aggregated

    @cached_property
    def sources(self) -> list[dict]:
        """The sources the ties drawn cite (what a picture's caption and the page's table list)."""
        return cited_sources(self.data.graph, self.view)

    @cached_property
    def whole(self) -> nx.MultiGraph:
        """The whole view, for the data exports: every entity and tie of the window and filters.

        On an event store, a fresh graph whose ties list all their events (the dashboard's keep
        the latest :data:`~explorer.store.EVENT_SAMPLE`) and whose ``graph['sources']`` holds the
        sources its ties cite, read in one query."""
        store = self.data.store
        if store is None:
            return self.result.whole
        from ..store import EVENT_SAMPLE, window_graph

        H = window_graph(store, self.state)
        longest = max((d.get("weight", 1) for *_, d in H.edges(data=True) if d.get("truncated")), default=0)
        if longest > EVENT_SAMPLE:
            H = window_graph(store, self.state, sample=longest)
        H.graph["sources"] = store.sources.load(s for *_, d in H.edges(data=True) for s in d.get("sources", ()))
        return H

    @cached_property
    def whole_metrics(self) -> list[dict]:
        """The metrics records of :attr:`whole` (those of the screen when it shows the whole view)."""
        if not self.aggregated and self.data.store is None:
            return self.result.metrics
        H = self.whole
        fp = self.data.graph.graph.get("fingerprint")
        table = compute_metrics(
            H, table_metrics(len(H), self.state.metric), cache_key=(fp, self.state.fingerprint(), "")
        )
        return table.to_dict("records")

    @cached_property
    def whole_sources(self) -> list[dict]:
        """The sources the ties of :attr:`whole` cite."""
        if not self.aggregated and self.data.store is None:
            return self.sources
        return cited_sources(self.whole, self.whole)

    @property
    def data_name(self) -> str:
        """The data folders' names, as exports name them: ``brics`` for ``/home/me/brics``, never the whole
        path; ``data + gdelt`` when several folders are open (as the dashboard's header says)."""
        return " + ".join(self.data.graph.graph.get("folders", ())) or data_name(self.data.path)

    @property
    def metric(self) -> str:
        return self.state.metric if self.state.metric in METRICS else "degree"

    # ---- words --------------------------------------------------------------------------

    def title(self, state: ViewState | None = None) -> str:
        """'Who meets whom · 2024-01-01 – 2024-02-29' (for ``state``, default the snapshot's)."""
        return f"Who meets whom · {window_label(state or self.state, self.data.span)}"

    @staticmethod
    def counts_text(result: ViewResult) -> str:
        c = result.counts
        return f"{c['nodes']} entities · {c['edges']} ties · {c['events']} events"

    def subtitle(self, drawn: bool = True) -> str:
        """'75 entities · 245 ties · 22 events — level: officials; …' for the snapshot's state
        (with ``drawn``, saying when a picture shows only the top of the view)."""
        return self.caption_lines(drawn=drawn)[0]

    def caption_lines(
        self, state: ViewState | None = None, result: ViewResult | None = None, drawn: bool = True
    ) -> list[str]:
        """What the caption says: the counts and filters (and, with ``drawn``, that only the top of a
        view too large to draw is shown), the sources, how it is drawn, where it comes from."""
        state = state or self.state
        result = result or (self.result if state == self.state else render_view(self.data, state))
        if result is self.result:
            n = len(self.sources if drawn else self.whole_sources)
        else:
            n = len(cited_sources(self.data.graph, result.view))
        fingerprint = str(self.data.graph.graph.get("fingerprint", ""))[:12]
        query = state.to_query()
        metric = state.metric if state.metric in METRICS else "degree"
        return [
            f"{self.counts_text(result)} — {_filters_text(state)}{top_notice(result) if drawn else ''}",
            f"{n} source{'s' if n != 1 else ''} cited by the ties{' shown' if drawn else ''} · node size: {METRICS[metric].label}"
            f" · colour: {COLOR_MODES.get(state.color, state.color)}",
            f"explorer {__version__} · data: {self.data_name}"
            + (f" ({fingerprint})" if fingerprint else "")
            + (f" · view: ?{query}" if query else ""),
        ]

    # ---- figures ------------------------------------------------------------------------

    def figure(
        self, state: ViewState | None = None, *, title: str | None = None, caption: int = 3, height: int | None = None
    ) -> go.Figure:
        """The network figure of ``state`` (default: the snapshot's) as the dashboard draws it, with a
        title (the date window), the legend and the first ``caption`` lines of the caption."""
        state = state or self.state
        result = self.result if state == self.state else render_view(self.data, state)
        lines = self.caption_lines(state, result)[:caption]
        fig = make_network_figure(
            result.view,
            **figure_inputs(self.data, state, result.metrics),
            title=title if title is not None else self.title(state),
            caption=lines[0] if lines else None,
            height=height or self.options.height or None,
        )
        _finish_figure(fig, lines)
        return fig

    def frames(self) -> list[tuple[Period, ViewState]]:
        """The timeline's frames (see :func:`explorer.exports.timeline.frame_states`)."""
        o = self.options
        return frame_states(self.state, self.data.span, o.step, o.frames, o.max_frames)


def top_notice(result: ViewResult) -> str:
    """What a picture of a view too large to draw says about it (empty for a view drawn whole).

    >>> from types import SimpleNamespace
    >>> top_notice(SimpleNamespace(aggregated=True, counts={"nodes": 4995, "shown": 300}))
    ' · drawn: the 300 most connected of 4,995 entities (the data exports hold them all)'
    """
    if not result.aggregated:
        return ""
    c = result.counts
    return f" · drawn: the {c['shown']:,} most connected of {c['nodes']:,} entities (the data exports hold them all)"


def _filters_text(state: ViewState) -> str:
    """The state's level, filters and focus in words: its description without the window."""
    return "; ".join(state.describe().split("; ")[1:])


def _markup_free(text: str) -> str:
    # Plotly reads a small HTML subset in labels; an entity's name must stay text.  Only the angle
    # brackets are escaped, so text the figure module already escaped is left as it is.
    return str(text).replace("<", "&lt;").replace(">", "&gt;")


def _finish_figure(fig, caption_lines: list[str]) -> None:
    """Spread the caption over its lines (make_network_figure takes one), making room for them
    wherever the figure module put the caption, and keep names in labels and legends as text."""
    if len(caption_lines) > 1:
        first = html.escape(caption_lines[0], quote=False)
        for note in fig.layout.annotations:
            if note.text == first:
                note.text = "<br>".join(html.escape(line, quote=False) for line in caption_lines)
                note.align = "left"
                extra = 14 * (len(caption_lines) - 1)
                margin = fig.layout.margin
                if (note.y or 0) >= 0.5:
                    fig.update_layout(margin_t=(margin.t or 0) + extra)
                else:
                    fig.update_layout(margin_b=(margin.b or 0) + extra)
                break
    for trace in fig.data:
        if trace.name:
            trace.name = _markup_free(trace.name)
        if trace.text is not None and not isinstance(trace.text, str):
            trace.text = [_markup_free(t) for t in trace.text]
