"""The pure pipeline behind the dashboard: from data and a view state to what is shown.

No Dash here: the callbacks unpack their inputs, call these functions and
return the results as component properties, so everything is testable (and
benchmarkable) without a browser.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import hashlib
import json
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from . import schema
from .analysis import compare_views, metric_series, shortest_paths
from .errors import ExplorerError
from .figures import make_map_figure, make_network_figure, make_series_figure, make_timeline_figure
from .graph import build_graph
from .loader import load_datasets
from .metrics import METRICS, compute_metrics
from .pipeline import apply_view, data_span, plain_view, window_edges
from .positions import compute_positions
from .store_build import STORE_ABOVE  # one definition, shared with the importer
from .views import graph_of_top, top_nodes, top_view, window_countries, window_top
from .viewstate import ViewState

if TYPE_CHECKING:
    from .store import Store

__all__ = [
    "AppData",
    "prepare_app_data",
    "uses_store",
    "view_graph",
    "window_only",
    "ViewResult",
    "render_view",
    "redraw_plan",
    "TOP_NODES",
    "OPTIONS_INLINE",
    "entity_search",
    "timeline_ticks",
    "tick_end",
    "tick_index",
    "advance",
    "STEPS",
    "entity_options",
    "Story",
    "load_story",
    "render_plan",
    "start_playback",
    "play_frames",
    "describe_view",
    "window_notices",
]

STEPS = {"day": 1, "week": 7, "month": 1, "quarter": 3, "year": 12}  # days for day and week, else months
LARGE_VIEW = 1500  # entities
TOP_NODES = 300  # entities; a larger view draws its most connected ones (see top_view)
NEIGHBOURS_SHOWN = 60  # of a selected entity's neighbours, the most connected ones are added to a top view
HEAVY_METRICS = ("betweenness", "closeness")


@dataclass(frozen=True, eq=False)
class AppData:
    """Everything derived once at start-up and shared, read-only, by every user."""

    path: Path
    graph: nx.MultiGraph
    positions: dict[str, tuple[float, float]]
    span: tuple[dt.date, dt.date]
    unit: str
    ticks: list[dt.date]
    event_counts: list[tuple[str, int]]
    topics: list[str]
    marks: dict[int, str] = field(default_factory=dict)
    key_events: list[tuple[str, str]] = field(default_factory=list)
    country_positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    story: Story | None = None
    store: Store | None = None
    """The event store the views are read from (large folders); None: the in-memory graph."""
    folder_event_counts: dict[str, list[int]] = field(default_factory=dict)
    """Several data folders open: each folder's events per step of ``ticks`` (the timeline
    leaves out the folders a view hides); empty otherwise."""
    folder_key_events: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Several data folders open: each folder's key events; empty otherwise."""

    @property
    def entities(self) -> dict[str, dict]:
        return self.graph.graph["entities"]

    def positions_for(self, level: str) -> dict[str, tuple[float, float]]:
        """The fixed positions of a level: the whole graph's, or (countries) the whole
        country-level graph's, each computed once."""
        return self.country_positions if level == "countries" and self.country_positions else self.positions


TICK_UNITS = {"day": "days", "week": "weeks", "month": "months"}


@dataclass(frozen=True)
class Story:
    """What the dashboard opens on: a view and a short "what you are looking at" text."""

    state: ViewState
    title: str
    text: str


STORY_FILE = "story.json"
_STORY_SPAN_DAYS = 92  # the default window of a data folder without a story: its last three months
_STORY_MAX_NODES = 60  # above this many entities at officials level, open at country level


def load_story(
    path: Path,
    G: nx.MultiGraph,
    span: tuple[dt.date, dt.date],
    view_of: Callable[[ViewState], nx.MultiGraph] | None = None,
) -> Story:
    """The opening view of a data folder.

    A folder may carry ``story.json`` (``{"view": query string, "title": ..., "text": ...}``;
    the bundled data does).  Without one, the dashboard opens on the last three months of
    the data, at country level when that window holds more than a few dozen entities, so
    the first screen is readable rather than the whole span at once.  ``view_of`` gives
    the view of a state (default: :func:`~explorer.pipeline.apply_view` on ``G``).
    """
    file = Path(path) / STORY_FILE
    if file.is_file():
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
            state, notices = ViewState.from_query(str(raw.get("view", "")))
            if not notices:
                return Story(state, str(raw.get("title", "")), str(raw.get("text", "")))
        except (OSError, ValueError, AttributeError):
            pass  # a broken story file falls back to the generic opening view
    start = max(span[0], span[1] - dt.timedelta(days=_STORY_SPAN_DAYS - 1))
    state = ViewState(date_from=start.isoformat(), date_to=span[1].isoformat())
    if len((view_of or (lambda st: apply_view(G, st)))(state)) > _STORY_MAX_NODES:
        state = state.replace(level="countries")
    title = f"The last three months of the data ({start:%d %b %Y} – {span[1]:%d %b %Y})"
    text = (
        "Click a node or a tie for its events and sources; widen the window on the timeline, "
        "or filter by organisation, country or relation on the left."
    )
    return Story(state, title, text)


def timeline_ticks(start: dt.date, end: dt.date) -> tuple[str, list[dt.date]]:
    """The timeline's unit and the first day of each of its steps: days for data spanning up
    to four months, weeks up to three years, calendar months beyond."""
    days = (end - start).days
    if days <= 122:
        return "day", [start + dt.timedelta(days=i) for i in range(days + 1)]
    if days <= 3 * 366:
        return "week", [start + dt.timedelta(days=7 * i) for i in range(days // 7 + 1)]
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return "month", out


def tick_end(tick: dt.date, unit: str) -> dt.date:
    """The last day of the timeline step that starts on ``tick``."""
    if unit == "day":
        return tick
    if unit == "week":
        return tick + dt.timedelta(days=6)
    return tick.replace(day=calendar.monthrange(tick.year, tick.month)[1])


def tick_index(ticks: list[dt.date], day: dt.date | None, default: int) -> int:
    """The index of the step that holds ``day`` (clamped to the timeline)."""
    if day is None or not ticks:
        return default
    return max(0, min(len(ticks) - 1, bisect.bisect_right(ticks, day) - 1))


def _tick_marks(ticks: list[dt.date], unit: str) -> dict[int, str]:
    """Slider marks: about a dozen labelled positions (years, months or days)."""
    if unit == "month":
        idx = [i for i, t in enumerate(ticks) if t.month == 1]
        fmt = "%Y"
    elif unit == "week":
        idx = [i for i, t in enumerate(ticks) if i == 0 or t.month != ticks[i - 1].month]
        fmt = "%b %Y"
    else:
        idx = list(range(len(ticks)))
        fmt = "%d %b"
    step = max(1, -(-len(idx) // 12))
    return {i: ticks[i].strftime(fmt) for i in idx[::step]}


def _key_events(G: nx.MultiGraph, folder: str | None = None) -> list[tuple[str, str]]:
    """Summits, and events with five or more participants: marked on the timeline
    (only those of ``folder`` when given)."""
    out = [
        (e["start"].isoformat(), e["title"])
        for e in G.graph["events"].values()
        if (e["kind"] == "summit" or len(e["participants"]) >= 5) and (folder is None or e.get("folder") == folder)
    ]
    return sorted(out)[:200]


def _folder_timelines(G: nx.MultiGraph, ticks: list[dt.date]) -> dict:
    """With several folders open, each folder's events per timeline step and its key events
    (the :class:`AppData` fields ``folder_event_counts`` and ``folder_key_events``)."""
    folders = G.graph.get("folders", ())
    if len(folders) < 2:
        return {}
    counts = {f: [0] * len(ticks) for f in folders}
    for e in G.graph["events"].values():
        if e.get("folder") in counts:
            counts[e["folder"]][tick_index(ticks, e["start"], 0)] += 1
    return {"folder_event_counts": counts, "folder_key_events": {f: _key_events(G, f) for f in folders}}


def uses_store(path: str | Path) -> bool:
    """Whether a data folder is explored through its event store (:mod:`explorer.store`):
    when its ``events.csv`` is :data:`STORE_ABOVE` bytes or more, or when a store was
    already built for it (the importer builds one)."""
    from .store_build import MANIFEST, default_store_path

    folder = Path(path)
    try:
        if (folder / "events.csv").stat().st_size >= STORE_ABOVE:
            return True
    except OSError:
        return False
    return (default_store_path(folder) / MANIFEST).is_file()


def prepare_app_data(path: str | Path | Sequence[str | Path], *, store: bool | None = None) -> AppData:
    """Load, validate and build once; compute positions once on the whole graph.

    A large folder (see :func:`uses_store`; ``store`` forces the choice) is not read into
    memory: its event store is built if it is missing or out of date (which validates the
    folder), then opened, and every view is a query on it (:func:`view_graph`); only the
    entities, the affiliations and what the timeline shows are read at start-up.  Several
    folders are opened together as one store when any of them is large.
    """
    paths = [Path(p) for p in ([path] if isinstance(path, str | Path) else path)]
    if store is None:
        store = any(uses_store(p) for p in paths)
    if store:
        return _prepare_from_store(paths)
    return _prepare_in_memory(path if isinstance(path, str | Path) else paths)


def _prepare_in_memory(path) -> AppData:
    ds = load_datasets(path)  # several folders: merged into one (explorer.merge)
    G = build_graph(ds)
    span = data_span(G) if G.number_of_edges() else (dt.date.today(), dt.date.today())
    unit, ticks = timeline_ticks(*span)
    counts = Counter(ticks[tick_index(ticks, e["start"], 0)] for e in G.graph["events"].values())
    topics = sorted({t for e in G.graph["events"].values() for t, _ in e["topics"]}, key=str.casefold)
    folder = Path(path if isinstance(path, str | Path) else path[0])
    story = load_story(folder, G, span)
    whole_countries = window_countries(G, None, None)  # project_to_countries(G), and the rows every window reuses
    whole_countries.add_nodes_from(n for n, a in G.graph["entities"].items() if a.get("kind") != "official")
    return AppData(
        path=folder,
        graph=G,
        positions=compute_positions(G),
        country_positions=compute_positions(whole_countries),
        span=span,
        unit=unit,
        ticks=ticks,
        event_counts=[(t.isoformat(), counts.get(t, 0)) for t in ticks],
        topics=topics,
        marks=_tick_marks(ticks, unit),
        key_events=_key_events(G),
        story=story,
        **_folder_timelines(G, ticks),
    )


def _prepare_from_store(paths: list[Path]) -> AppData:
    from . import store as st
    from .merge import folder_labels
    from .store_build import cache_store_path

    # A small folder opened with a large one keeps its store in the user's cache: one at its
    # default place would make it open through the store when it is opened alone too.
    built = [
        st.build_store(p) if len(paths) == 1 or uses_store(p) else st.build_store(p, cache_store_path(p)) for p in paths
    ]
    opened = st.open_store(built, labels=folder_labels(paths) if len(paths) > 1 else None)
    G = st.base_graph(opened)
    span = st.data_span(opened) or (dt.date.today(), dt.date.today())
    unit, ticks = timeline_ticks(*span)
    counts: Counter = Counter()
    for day, n in st.events_per_day(opened):
        counts[ticks[tick_index(ticks, day, 0)]] += n
    story = load_story(paths[0], G, span, lambda state: st.window_graph(opened, state))
    return AppData(
        path=paths[0],
        graph=G,
        positions=compute_positions(st.layout_graph(opened, "officials")),
        country_positions=compute_positions(st.layout_graph(opened, "countries")),
        span=span,
        unit=unit,
        ticks=ticks,
        event_counts=[(t.isoformat(), counts.get(t, 0)) for t in ticks],
        topics=st.topic_names(opened),
        marks=_tick_marks(ticks, unit),
        key_events=st.key_events(opened),
        story=story,
        store=opened,
        **_store_folder_timelines(opened, ticks),
    )


def _store_folder_timelines(opened: Store, ticks: list[dt.date]) -> dict:
    """:func:`_folder_timelines` on an event store: each folder's events per step and key events."""
    from . import store as st

    if len(opened.folders) < 2:
        return {}
    counts = {f: [0] * len(ticks) for f in opened.folders}
    for f in opened.folders:
        for day, n in st.events_per_day(opened, folder=f):
            counts[f][tick_index(ticks, day, 0)] += n
    return {
        "folder_event_counts": counts,
        "folder_key_events": {f: st.key_events(opened, folder=f) for f in opened.folders},
    }


def view_graph(data: AppData, state: ViewState) -> nx.MultiGraph:
    """The graph of a view: a query on the event store when the data has one
    (:func:`explorer.store.window_graph`), else :func:`~explorer.pipeline.apply_view` on the
    in-memory graph.  Both give the same nodes, ties and weights; results are shared and
    must not be mutated."""
    if data.store is not None:
        from .store import window_graph

        return window_graph(data.store, state)
    if state.level == "countries" and window_only(state):
        start, end = state.window()
        P = window_countries(data.graph, start, end)  # apply_view's, from rows projected once
        P.graph.update(view=state.fingerprint(), window=(start, end))
        return P
    return apply_view(data.graph, state)


def window_only(state: ViewState) -> bool:
    """Whether the view of ``state`` on the in-memory graph is its window's edges, at either
    level, and nothing else (no filter, minimum weight, focus or entity kinds): the views
    that :func:`~explorer.views.window_top` and :func:`~explorer.views.window_countries`
    answer from arrays built once per graph."""
    return not (
        state.relation_kinds
        or state.topics
        or state.outcomes
        or state.hidden_folders
        or state.org
        or state.countries
        or state.min_weight > 1
        or state.focus
        or state.entity_kinds
    )


_OPTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def entity_options(data: AppData, kinds: tuple[str, ...] = ()) -> list[dict]:
    """Dropdown options: label 'Name (kind)', searchable by aliases too (by name; of the
    ``kinds`` given, else of every entity).  Built once per data: the option dicts are
    shared and must not be mutated."""
    everyone = _OPTIONS.get(data)
    if everyone is None:
        everyone = []
        for n, a in sorted(data.entities.items(), key=lambda kv: kv[1].get("name", kv[0]).casefold()):
            aliases = " ".join(a.get("aliases", ()))
            everyone.append(
                (
                    a.get("kind"),
                    {
                        "label": f"{a.get('name', n)} ({a.get('kind')})",
                        "value": n,
                        "search": f"{a.get('name', n)} {aliases} {n}",
                    },
                )
            )
        _OPTIONS[data] = everyone
    return [o for kind, o in everyone if not kinds or kind in kinds]


OPTIONS_INLINE = 2000
"""Entities up to which the entity dropdowns carry every option in the page; above, they are
filled as the user types (:func:`entity_search`), so the first page stays small."""
_SEARCH_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def entity_search(data: AppData, text: str | None, keep: Sequence[str] = (), limit: int = 50) -> list[dict]:
    """Dropdown options (as :func:`entity_options`) of the entities whose name, aliases or id
    hold every word of ``text`` (case-insensitive): the name equal to it first, then the names
    that start with it, then the others by name; at most ``limit``.  The options of ``keep``
    (the current values) always come first."""
    index = _SEARCH_INDEX.get(data)
    if index is None:
        index = _SEARCH_INDEX[data] = [(o["search"].casefold(), o) for o in entity_options(data)]
    by_id = {o["value"]: o for _, o in index} if keep else {}
    out = [by_id[k] for k in keep if k in by_id]
    query = " ".join((text or "").casefold().split())
    words = query.split()
    if words:

        def rank(o: dict) -> tuple:
            name = o["label"].rsplit(" (", 1)[0].casefold()
            return (name != query, not name.startswith(query), name, o["value"])

        seen = set(keep)
        found = [o for hay, o in index if o["value"] not in seen and all(w in hay for w in words)]
        out += sorted(found, key=rank)[:limit]
    return out


@dataclass
class ViewResult:
    """What the main view shows for a state."""

    state: ViewState
    view: nx.MultiGraph
    metrics: list[dict]
    network: object
    description: str
    counts: dict
    whole_view: nx.MultiGraph | None = None
    whole_of: Callable[[], nx.MultiGraph] | None = field(default=None, repr=False)

    @property
    def whole(self) -> nx.MultiGraph:
        """The whole view when ``view`` is only its top (:func:`~explorer.views.top_view`),
        built when first asked; else ``view``."""
        if self.whole_view is None:
            self.whole_view = self.whole_of() if self.whole_of is not None else self.view
        return self.whole_view

    @property
    def aggregated(self) -> bool:
        """Whether the figure and the table show only the most connected part of the view."""
        return "shown" in self.counts


def table_metrics(n_nodes: int, chosen: str) -> list[str]:
    """The metrics the table gets for a view of ``n_nodes`` entities: all of them up to
    :data:`LARGE_VIEW`; above, the path metrics (:data:`HEAVY_METRICS`, seconds on
    thousands of nodes) only when chosen as the node size."""
    return [m for m in METRICS if n_nodes <= LARGE_VIEW or m not in HEAVY_METRICS or m == chosen]


def figure_inputs(data: AppData, state: ViewState, records: list[dict]) -> dict:
    """The keyword arguments of :func:`~explorer.figures.make_network_figure` for a state and
    its metrics records: the one place the dashboard and the exports both take them from."""
    metric = state.metric if state.metric in METRICS else "degree"
    return {
        "positions": data.positions_for(state.level),
        "sizes": {r["id"]: r.get(metric, 0.0) for r in records} if not METRICS[metric].categorical else None,
        "metric_label": METRICS[metric].label,
        "color_by": state.color,
        "communities": ({r["id"]: r["community"] for r in records} if records and "community" in records[0] else None),
        "selected": state.selected,
        "extent": extent_nodes(data, state),
        "uirevision": f"network-{state.level}",
    }


_EXTENT_CACHE: dict[tuple, tuple[str, ...]] = {}


def extent_nodes(data: AppData, state: ViewState) -> tuple[str, ...]:
    """The nodes the network's axes fit: the view's nodes over the whole time span (same
    level and filters), so the graph fills its area and the zoom stays still while the
    window moves.  Computed once per level and filters."""
    whole = state.replace(date_from=None, date_to=None, lookback=0, selected="")
    key = (id(data), whole.fingerprint())
    hit = _EXTENT_CACHE.get(key)
    if hit is None:
        if data.store is None and plain_view(whole):  # the ends of its edges, without building it
            hit = tuple(dict.fromkeys(n for u, v, *_ in window_edges(data.graph, whole) for n in (u, v)))
        else:
            hit = tuple(view_graph(data, whole))
        if len(_EXTENT_CACHE) > 64:
            _EXTENT_CACHE.clear()
        _EXTENT_CACHE[key] = hit
    return hit


_VIEW_CACHE: dict[tuple, ViewResult] = {}
_VIEW_CACHE_SIZE = 32
_VIEW_LOCK = threading.Lock()


def render_view(data: AppData, state: ViewState) -> ViewResult:
    """The view graph, its metrics table (as records) and the network figure.

    The last few results are kept (keyed by the data and the whole state), so the
    answer to a repeated view, or to a click that only moves the highlight, costs
    nothing; results are shared and must not be mutated."""
    key = (id(data), data.graph.graph.get("fingerprint"), state.fingerprint(presentation=True))
    with _VIEW_LOCK:
        hit = _VIEW_CACHE.get(key)
    if hit is not None:
        return hit
    result = _render_view(data, state)
    with _VIEW_LOCK:
        _VIEW_CACHE[key] = result
        while len(_VIEW_CACHE) > _VIEW_CACHE_SIZE:
            _VIEW_CACHE.pop(next(iter(_VIEW_CACHE)))
    return result


def _render_view(data: AppData, state: ViewState) -> ViewResult:
    sel = state.selected if state.selected and not state.selected.startswith(("edge|", "pair|")) else ""
    keep = [state.focus] if state.focus else []
    counts: dict | None = None
    whole: nx.MultiGraph | None = None
    if data.store is None and state.level != "countries" and window_only(state):
        # The view is its window's edges: rank them on arrays built once per graph, so a view too
        # large to draw costs a graph of its top only (the whole one is built if details ask).
        start, end = state.window()
        top = window_top(data.graph, start, end, TOP_NODES, keep, sel, NEIGHBOURS_SHOWN)
        if top.nodes > TOP_NODES:
            ents = data.entities
            H = graph_of_top(data.graph.graph, {n: ents.get(n, {}) for n in top.shown}, top.edges, top.nodes, TOP_NODES)
            H.graph.update(view=state.fingerprint(), window=(start, end))
            counts = {"nodes": top.nodes, "edges": top.edge_count, "events": top.event_count}
        else:
            whole = H = apply_view(data.graph, state)
    elif data.store is None and plain_view(state):
        # The view is its window's edges: rank them before building any graph, so a view too
        # large to draw costs a graph of its top only (the whole one is built if details ask).
        edges = window_edges(data.graph, state)
        nodes, shown = top_nodes(edges, TOP_NODES, keep, sel, NEIGHBOURS_SHOWN)
        if len(nodes) > TOP_NODES:
            ents = data.entities
            H = graph_of_top(data.graph.graph, {n: ents.get(n, {}) for n in shown}, edges, len(nodes), TOP_NODES)
            H.graph.update(view=state.fingerprint(), window=state.window())
            if state.hidden_folders:
                H.graph["hidden_folders"] = frozenset(state.hidden_folders)
            counts = {"nodes": len(nodes), "edges": len(edges), "events": _distinct_events(edges)}
        else:
            whole = H = apply_view(data.graph, state)
    else:
        whole = view_graph(data, state)
        H = top_view(whole, TOP_NODES, keep=keep, around=sel, neighbours=NEIGHBOURS_SHOWN)
    wanted = table_metrics(len(H), state.metric)
    fp = data.graph.graph.get("fingerprint")
    shown_key = "" if H is whole else hashlib.sha1("|".join(sorted(H)).encode()).hexdigest()[:16]
    table = compute_metrics(H, wanted, cache_key=(fp, state.fingerprint(), shown_key))
    records = table.to_dict("records")
    fig = make_network_figure(H, **figure_inputs(data, state, records), as_dict=True)
    if counts is not None:
        pass
    elif "event_count" in whole.graph:  # a view read from the event store counts itself
        counts = {"nodes": len(whole), "edges": whole.graph["edge_count"], "events": whole.graph["event_count"]}
    else:
        edges = whole.edges(keys=True, data=True)
        counts = {"nodes": len(whole), "edges": whole.number_of_edges(), "events": _distinct_events(edges)}
    n_events = counts["events"]
    desc = f"{counts['nodes']} entities · {counts['edges']} ties · {n_events} events — {describe_view(data, state)}"
    aggregated = "top" in H.graph
    if aggregated:
        counts["shown"] = len(H)
        desc += (
            f" · Too many to draw: showing the {TOP_NODES:,} most connected entities (by number of ties)"
            + (" with the selection's closest neighbours" if sel in H else "")
            + f", {len(H):,} of {counts['nodes']:,}; their metrics are computed among them. "
            "Click an entity to add its neighbourhood, or focus on one (search box) to see all of its ties."
        )
    skipped = [METRICS[m].label.lower() for m in METRICS if m not in wanted]
    if skipped:
        desc += (
            f" · {' and '.join(skipped)} are computed for views of up to {LARGE_VIEW:,} entities, "
            "or when chosen as node size"
        )
    whole_of = None if whole is not None else (lambda: apply_view(data.graph, state))
    return ViewResult(state, H, records, fig, desc, counts, whole, whole_of)


def _distinct_events(edges) -> int:
    """How many distinct events the ``(u, v, key, data)`` edges carry."""
    ids: set = set()
    for *_, d in edges:
        if d.get("event"):
            ids.add(d["event"])
        elif "events" in d:
            ids.update(d["events"])
    return len(ids)


def render_map(data: AppData, state: ViewState, result: ViewResult | None = None):
    """The map: the view at country level (officials placed in their country)."""
    countries = state.replace(level="countries")
    if result is not None and state.level == "countries":
        P = result.whole
    else:
        P = view_graph(data, countries)
    table = compute_metrics(P, None, cache_key=(data.graph.graph.get("fingerprint"), countries.fingerprint()))
    metric = state.metric if state.metric in METRICS and not METRICS[state.metric].categorical else "degree"
    sizes = {r["id"]: r[metric] for r in table.to_dict("records")}
    return make_map_figure(P, sizes=sizes, metric_label=METRICS[metric].label, selected=state.selected, as_dict=True)


def compare_state(state: ViewState) -> ViewState:
    """The view the Changes tab compares with: ``vs_from``/``vs_to`` if set, else the window
    of the same length just before the current one."""
    if state.vs_from or state.vs_to:
        return state.replace(date_from=state.vs_from, date_to=state.vs_to, lookback=0)
    prev = state.previous_window()
    if prev is None:
        return state.replace(date_from=None, date_to=None, lookback=0)
    return state.replace(date_from=prev[0].isoformat(), date_to=prev[1].isoformat(), lookback=0)


def render_changes(data: AppData, state: ViewState) -> dict:
    """The Changes tab: the compared window (before) against the current one (after).

    Returns the figure of both views' union with added ties in green and
    removed ones in red dashes, the metric deltas as grid rows and columns, and
    a one-line summary.
    """
    vs = compare_state(state)
    after, before = _with_sources(data, view_graph(data, state)), _with_sources(data, view_graph(data, vs))
    fp = data.graph.graph.get("fingerprint")
    metric = state.metric if state.metric in METRICS else "degree"
    ch = compare_views(before, after, [metric], cache_keys=((fp, vs.fingerprint()), (fp, state.fingerprint())))
    union = before.copy()
    union.add_edges_from(after.edges(keys=True, data=True))
    for n in union:
        union.nodes[n].update(data.entities.get(n, {}))
    fig = make_network_figure(
        union,
        data.positions_for(state.level),
        added={frozenset((e["u"], e["v"])) for e in ch.edges_added},
        removed={frozenset((e["u"], e["v"])) for e in ch.edges_removed},
        title=f"{describe_view(data, vs)}  →  {describe_view(data, state)}",
        as_dict=True,
    )
    summary = (
        f"From {vs.describe()} to {state.describe()}: {len(ch.nodes_added)} entities and "
        f"{len(ch.edges_added)} ties added, {len(ch.nodes_removed)} entities and "
        f"{len(ch.edges_removed)} ties removed."
    )
    return {
        "figure": fig,
        "rows": ch.metrics.to_dict("records"),
        "columns": [{"field": c, "headerName": c.replace("_", " ")} for c in ch.metrics.columns],
        "summary": summary,
        "changes": ch,
        "compared": vs,
    }


def _with_sources(data: AppData, H: nx.MultiGraph) -> nx.MultiGraph:
    """A view read from the event store, with the sources its ties cite read in one query
    (as a plain table in ``H.graph['sources']``), for code that describes every tie."""
    if data.store is None:
        return H
    H.graph["sources"] = data.store.sources.load(s for *_, d in H.edges(data=True) for s in d.get("sources", ()))
    return H


def render_paths(data: AppData, state: ViewState) -> list[dict]:
    """The path finder: shortest paths between ``path_from`` and ``path_to`` in the view, explained."""
    if not (state.path_from and state.path_to):
        return []
    try:
        return shortest_paths(_with_sources(data, view_graph(data, state)), state.path_from, state.path_to)
    except ExplorerError:
        return []


def render_series(data: AppData, state: ViewState, ids: list[str], limit: int = 8):
    """The state's metric by quarter, within its window, for up to ``limit`` entities."""
    metric = state.metric if state.metric in METRICS else "degree"
    ids = list(dict.fromkeys(ids))[:limit]
    if not ids:
        return make_series_figure([], METRICS[metric].label)
    start, end = state.window()
    if data.store is not None:
        table = _store_metric_series(data, ids, metric, start, end, state.level)
    else:
        table = metric_series(data.graph, ids, metric, "quarter", start, end, level=state.level)
    recs = [
        {"node": r["id"], "name": r["name"], "date": r["end"], "value": r["value"]} for r in table.to_dict("records")
    ]
    return make_series_figure(recs, f"{METRICS[metric].label} by quarter")


def _store_metric_series(data: AppData, ids: list[str], metric: str, start, end, level: str):
    """:func:`~explorer.analysis.metric_series` by quarter on the event store: each quarter's
    metric on its window's graph (the window only, at ``level``, as metric_series does)."""
    import pandas as pd

    from .analysis import period_buckets

    start, end = start or data.span[0], end or data.span[1]
    spec = METRICS[metric]
    rows = []
    for label, b0, b1 in period_buckets(start, end, "quarter"):
        view = view_graph(data, ViewState(date_from=b0.isoformat(), date_to=b1.isoformat(), level=level))
        table = compute_metrics(view, [metric]).set_index("id")
        for node in ids:
            present = node in table.index
            rows.append(
                {
                    "period": label,
                    "start": b0.isoformat(),
                    "end": b1.isoformat(),
                    "id": node,
                    "name": data.entities.get(node, {}).get("name", node),
                    "value": table.at[node, metric] if present else (None if spec.categorical else 0.0),
                }
            )
    return pd.DataFrame(rows, columns=["period", "start", "end", "id", "name", "value"])


def render_timeline(data: AppData, state: ViewState):
    """The timeline's sparkline: events per step and key events, of the folders the view shows."""
    start, end = state.window()
    counts, key_events = data.event_counts, data.key_events
    if set(state.hidden_folders) & set(data.folder_event_counts):
        shown = [f for f in data.folder_event_counts if f not in state.hidden_folders]
        counts = [(day, sum(data.folder_event_counts[f][i] for f in shown)) for i, (day, _) in enumerate(counts)]
        key_events = sorted(k for f in shown for k in data.folder_key_events[f])[:200]
    return make_timeline_figure(
        counts,
        (start.isoformat() if start else None, end.isoformat() if end else None),
        key_events,
        as_dict=True,
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by calendar months; a month's last day stays a month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return dt.date(year, month, last)
    return dt.date(year, month, min(day.day, last))


def advance(state: ViewState, data: AppData, step: str) -> tuple[ViewState, bool]:
    """Move the window forward by one step of the timeline's playback.

    A range window shifts as a whole (by 1 or 7 days, or by calendar months, so
    January becomes February); an as-of window moves its date.  Returns the
    new state and True once the window reaches the end of the data.
    """
    start, end = state.window()
    last = data.span[1]
    end = end or last

    new_end = _move(end, step)
    done = new_end >= last
    new_end = min(new_end, last)
    if state.lookback:
        return state.replace(date_to=new_end.isoformat()), done
    new_start = _move(start, step) if start else None
    if new_start and new_start > new_end:
        new_start = new_end
    return state.replace(date_from=new_start.isoformat() if new_start else None, date_to=new_end.isoformat()), done


def relation_options() -> list[dict]:
    out = [{"label": f"{lab[0]} ({k})", "value": k} for k, lab in schema.AFFILIATION_KINDS.items()]
    out += [{"label": f"event: {k}", "value": k} for k in schema.EVENT_KINDS]
    return out


# ---- what an interaction has to redraw ----------------------------------------------------

#: Fields that only move the highlight: a change of these alone is sent as a small patch.
SELECTION_FIELDS = frozenset({"selected"})
#: Fields each of which only one tab shows.
TAB_FIELDS = {"vs_from": "changes", "vs_to": "changes", "path_from": "path", "path_to": "path"}


def render_plan(old: ViewState | None, new: ViewState) -> frozenset[str]:
    """What a change from ``old`` to ``new`` has to redraw, as a set of parts.

    ``"view"``: the graph, its metrics, the description and the timeline (the view's
    nodes or ties changed, or how they are drawn: metric, colour);
    ``"selection"``: only the highlight and the details panel (a click on a node);
    ``"tab"``: the active tab's own content (the map, the changes, the paths).
    An unchanged state needs nothing, so a callback can answer it without work.

    >>> sorted(render_plan(ViewState(), ViewState(selected="CHN")))
    ['selection']
    >>> sorted(render_plan(ViewState(), ViewState(level="countries")))
    ['selection', 'tab', 'view']
    >>> render_plan(ViewState(), ViewState())
    frozenset()
    """
    if old is None:
        return frozenset({"view", "selection", "tab"})
    before, after = old.to_dict(), new.to_dict()  # a field at its default may be left out (hidden_folders)
    changed = {f for f in before.keys() | after.keys() if before.get(f) != after.get(f)}
    if not changed:
        return frozenset()
    parts: set[str] = set()
    if changed - SELECTION_FIELDS - set(TAB_FIELDS) - {"tab"}:
        parts |= {"view", "selection", "tab"}
    if changed & SELECTION_FIELDS:
        parts.add("selection")
    if "tab" in changed or any(TAB_FIELDS[f] == new.tab for f in changed & set(TAB_FIELDS)):
        parts.add("tab")
    return frozenset(parts)


def redraw_plan(data: AppData, old: ViewState | None, new: ViewState) -> frozenset[str]:
    """:func:`render_plan`, plus ``"view"`` when a click changes which entities a top view
    (a view too large to draw whole, see :func:`~explorer.views.top_view`) shows: selecting
    an entity adds its neighbourhood, so the figure and the table are redrawn, not patched."""
    plan = render_plan(old, new)
    if old is None or "view" in plan or "selection" not in plan:
        return plan
    before = render_view(data, old)
    if not before.aggregated:
        return plan
    if set(render_view(data, new).view) != set(before.view):
        return plan | {"view"}
    return plan


def describe_view(data: AppData, state: ViewState) -> str:
    """The state in words, naming entities by name rather than id."""
    return state.describe({n: a.get("name", n) for n, a in data.entities.items()})


def window_notices(data: AppData, state: ViewState) -> list[str]:
    """Say so when a window reaches beyond the data: the dates are kept, not clamped."""
    start, end = state.window()
    first, last = data.span
    out = []
    if start and end and (end < first or start > last):
        out.append(
            f"The window {start} – {end} is outside the data ({first} – {last}): nothing to show. "
            "Move the window on the timeline or type dates within the data."
        )
    elif start and start < first:
        out.append(f"The data starts on {first}; the window from {start} shows nothing earlier.")
    elif end and end > last:
        out.append(f"The data ends on {last}; the window up to {end} shows nothing later.")
    return out


# ---- playback -------------------------------------------------------------------------------


def start_playback(data: AppData, state: ViewState, step: str) -> tuple[ViewState, str]:
    """Where Play starts from, and why when that is not the current window.

    A window that already reaches the end of the data cannot advance: playback restarts
    from the beginning with a window of the same length (a window spanning the whole data
    plays one ``step`` at a time).
    """
    first, last = data.span
    start, end = state.window()
    start, end = start or first, end or last
    if end < last and not (start <= first and end >= last):
        return state, ""
    length = (end - start).days
    if start <= first and end >= last:
        end = _move(first, step) - dt.timedelta(days=1)
        why = f"The window covers all the data, so playback runs one {step} at a time from the start."
    else:
        end = min(last, first + dt.timedelta(days=length))
        why = "The window had reached the end of the data, so playback starts again from the beginning."
    if state.lookback:
        return state.replace(date_to=end.isoformat()), why
    return state.replace(date_from=first.isoformat(), date_to=end.isoformat()), why


def _move(day: dt.date, step: str) -> dt.date:
    """``day`` one playback step later; a step past 9999-12-31 stops on that day."""
    try:
        if step in ("day", "week"):
            return day + dt.timedelta(days=STEPS[step])
        return _add_months(day, STEPS.get(step, 1))
    except (OverflowError, ValueError):
        return dt.date.max


def play_frames(data: AppData, state: ViewState, step: str, count: int) -> tuple[list[dict], bool]:
    """The next ``count`` frames of playback after ``state``, each with everything the
    browser shows at once (the figure, the description, the dates, the slider, the link),
    so a frame's controls are never ahead of its graph.  Returns the frames and whether
    the last one reaches the end of the data."""
    frames, done = [], False
    for _ in range(count):
        state, done = advance(state, data, step)
        frames.append(frame(data, state))
        if done:
            break
    return frames, done


def frame(data: AppData, state: ViewState) -> dict:
    """One frame of playback: the state and the props the browser sets together."""
    result = render_view(data, state)
    start, end = state.window()
    last = len(data.ticks) - 1
    fig = result.network
    return {
        "state": state.to_dict(),
        "search": "?" + state.to_query(),
        "figure": fig,
        "description": result.description,
        "dates": [(start or data.span[0]).isoformat(), (end or data.span[1]).isoformat()],
        "timeline": [tick_index(data.ticks, start, 0), tick_index(data.ticks, end, last)],
    }


def render_path_graph(data: AppData, state: ViewState, paths: list[dict]):
    """The view with the shortest paths between ``path_from`` and ``path_to`` drawn over it."""
    result = render_view(data, state.replace(selected=""))
    if not paths:
        return result.network
    inputs = figure_inputs(data, state.replace(selected=""), result.metrics)
    return make_network_figure(result.view, **inputs, path=[p["nodes"] for p in paths], as_dict=True)
