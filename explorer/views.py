"""Views of the base graph: time windows, the country-level projection and the top of a large view.

Every function here is pure: it reads the base graph and returns a new graph
(or a read-only view); the base graph is never mutated.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from .graph import edge_interval, official_country_at
from .schema import CONFIDENCE

__all__ = [
    "window_view",
    "project_to_countries",
    "project_edges_to_countries",
    "top_view",
    "top_nodes",
    "graph_of_top",
    "window_top",
    "window_countries",
    "LEVELS",
]

LEVELS = {
    "officials": "Every entity as recorded: officials, countries and organisations.",
    "countries": "Officials collapsed into the country they served at each event's date.",
}


def _overlaps(data: dict, start: dt.date | None, end: dt.date | None) -> bool:
    s, e = edge_interval(data)
    return (end is None or s <= end) and (start is None or e >= start)


def window_view(
    G: nx.MultiGraph, start: dt.date | None = None, end: dt.date | None = None, keep_isolated: bool = False
) -> nx.MultiGraph:
    """The part of ``G`` valid in the closed window [start, end] (None = unbounded).

    Affiliations whose interval overlaps the window and events whose dates
    overlap it are kept; so are the nodes with at least one such edge (all
    nodes with ``keep_isolated``).  Returns a read-only subgraph view.

    >>> import datetime as dt, networkx as nx
    >>> G = nx.MultiGraph()
    >>> G.add_edge("a", "b", key="e1", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 1))
    'e1'
    >>> G.add_edge("b", "c", key="e2", start=dt.date(2025, 1, 1), end=None)
    'e2'
    >>> sorted(window_view(G, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).nodes)
    ['a', 'b']
    """
    keep = {(u, v, k) for u, v, k, d in G.edges(keys=True, data=True) if _overlaps(d, start, end)}
    if keep_isolated:
        nodes = set(G.nodes)
    else:
        nodes = {n for u, v, _ in keep for n in (u, v)}

    def edge_ok(u, v, k):
        return (u, v, k) in keep or (v, u, k) in keep

    return nx.subgraph_view(G, filter_node=nodes.__contains__, filter_edge=edge_ok)


def project_to_countries(view: nx.MultiGraph) -> nx.MultiGraph:
    """Collapse officials into countries.

    - An official becomes the country they served at the event's start date
      (by office dates; the entity's ``country`` when no office covers it).
    - Event edges become one country-country edge per pair, key ``'events'``,
      with ``weight`` = number of distinct events, ``events`` (their ids, in
      date order), ``kinds``, ``start``/``end`` (first and last event), the
      union of ``sources``, ``status`` 'disputed' if any event is, and
      ``confidence`` the lowest of its events'.
      Events within a single country (two Chinese officials) are dropped.
    - Affiliations to organisations are kept as they are; offices are dropped.
    """
    return project_edges_to_countries(view.graph, view.edges(keys=True, data=True))


def _placer(entities: dict, graph):
    """``place(node, day)``: an official's country on that day (by the offices in ``graph``,
    remembered per official and day), any other entity itself."""
    placed: dict[tuple[str, dt.date], str | None] = {}

    def place(n: str, day: dt.date) -> str | None:
        if entities[n].get("kind") == "official":
            key = (n, day)
            if key not in placed:
                placed[key] = official_country_at(graph, n, day)
            return placed[key]
        return n

    return place


def project_edges_to_countries(graph: dict, edges: Iterable[tuple]) -> nx.MultiGraph:
    """:func:`project_to_countries` of the view made of ``edges`` (``(u, v, key, data)``
    tuples) with the graph attributes ``graph``, without building that view first."""
    P = nx.MultiGraph()
    P.graph.update(graph)
    P.graph["level"] = "countries"

    entities = graph["entities"]
    place = _placer(entities, P)

    pairs: dict[tuple[str, str], dict] = {}
    seen_events: dict[tuple[str, str], set] = defaultdict(set)
    kept = []
    for u, v, k, d in edges:
        if d.get("relation") == "affiliation":
            if d["kind"] == "office":
                continue
            kept.append((u, v, k, d))
            continue
        day = d["start"]
        cu, cv = place(u, day), place(v, day)
        if not cu or not cv or cu == cv:
            continue
        pair = (cu, cv) if cu <= cv else (cv, cu)
        agg = pairs.get(pair)
        if agg is None:
            agg = pairs[pair] = {
                "relation": "event",
                "kind": "meeting",
                "events": [],
                "kinds": set(),
                "sources": set(),
                "start": d["start"],
                "end": d["end"],
                "status": "confirmed",
                "confidence": d["confidence"],
                "topics": set(),
            }
        if d["event"] in seen_events[pair]:
            continue
        seen_events[pair].add(d["event"])
        if CONFIDENCE.index(d["confidence"]) > CONFIDENCE.index(agg["confidence"]):
            agg["confidence"] = d["confidence"]  # the lowest of its events', whatever order they come in
        agg["events"].append((d["start"], d["event"]))
        agg["kinds"].add(d["kind"])
        agg["sources"].update(d["sources"])
        agg["topics"].update(d.get("topics", ()))
        agg["start"] = min(agg["start"], d["start"])
        agg["end"] = max(agg["end"], d["end"])
        if d.get("status") == "disputed":
            agg["status"] = "disputed"
    P.add_edges_from(kept)
    for (a, b), agg in pairs.items():
        events = [e for _, e in sorted(agg["events"])]
        P.add_edge(
            a,
            b,
            key="events",
            **{
                **agg,
                "events": events,
                "weight": len(events),
                "kinds": tuple(sorted(agg["kinds"])),
                "sources": tuple(sorted(agg["sources"])),
                "topics": tuple(sorted(agg["topics"])),
                "title": f"{len(events)} event{'s' if len(events) != 1 else ''}",
            },
        )
    for n in P.nodes:
        P.nodes[n].update(entities.get(n, {}))
    return P


def top_nodes(
    edges: Iterable[tuple], limit: int, keep: Iterable[str] = (), around: str = "", neighbours: int = 0
) -> tuple[set[str], set[str]]:
    """The nodes of a view given by its ``(u, v, key, data)`` edges, and its ``limit`` most
    connected ones (see :func:`top_view`); returns ``(all nodes, the nodes to show)``."""
    strength: dict = defaultdict(float)
    tie: dict = defaultdict(float)
    for u, v, _k, d in edges:
        w = d.get("weight", 1)
        w = 1 if w is None else w
        strength[u] += w
        strength[v] += w
        if around and around in (u, v) and u != v:
            tie[v if u == around else u] += w
    if len(strength) <= limit:
        return set(strength), set(strength)
    ranked = sorted(strength, key=lambda n: (-strength[n], str(n)))
    shown = set(ranked[:limit])
    shown.update(n for n in keep if n in strength)
    if around in strength and neighbours > 0:
        shown.add(around)
        shown.update(sorted(tie, key=lambda m: (-tie[m], -strength[m], str(m)))[:neighbours])
    return set(strength), shown


def top_view(
    H: nx.MultiGraph, limit: int, keep: Iterable[str] = (), around: str = "", neighbours: int = 0
) -> nx.MultiGraph:
    """The ``limit`` most connected nodes of ``H`` and the ties between them.

    Nodes are ranked by weighted degree (the sum of their ties' ``weight``, 1 when a tie
    has none: the number of events and affiliations), ties broken by id.  The nodes of
    ``keep`` that are in ``H`` are added, and so are the ``neighbours`` most connected
    neighbours of ``around`` (by the weight of their ties to it), so a selected node
    shows its neighbourhood.  ``H`` itself is returned when it has ``limit`` nodes or
    fewer; otherwise a new graph with ``H``'s graph attributes and
    ``graph['top'] = {'shown': ..., 'of': len(H), 'limit': limit}``.

    >>> import networkx as nx
    >>> H = nx.MultiGraph([("hub", f"n{i}") for i in range(5)] + [("n0", "n1")])
    >>> sorted(top_view(H, 3))
    ['hub', 'n0', 'n1']
    >>> sorted(top_view(H, 3, around="n4", neighbours=1))
    ['hub', 'n0', 'n1', 'n4']
    >>> top_view(H, 3).graph["top"]
    {'shown': 3, 'of': 6, 'limit': 3}
    """
    if len(H) <= limit:
        return H
    edges = list(H.edges(keys=True, data=True))
    _, shown = top_nodes(edges, limit, keep, around, neighbours)
    shown.update(n for n in keep if n in H)  # isolated nodes of H are never ranked but may be kept
    return graph_of_top(H.graph, {n: H.nodes[n] for n in shown}, edges, len(H), limit)


def graph_of_top(graph: dict, nodes: dict, edges: Iterable[tuple], of: int, limit: int) -> nx.MultiGraph:
    """A new MultiGraph of ``nodes`` (id -> attributes) and the ``edges`` between them, with
    the ``graph`` attributes and ``graph['top']``."""
    T = nx.MultiGraph()
    T.graph.update(graph)
    T.graph["top"] = {"shown": len(nodes), "of": of, "limit": limit}
    T.add_nodes_from(nodes.items())
    T.add_edges_from((u, v, k, d) for u, v, k, d in edges if u in nodes and v in nodes)
    return T


# ---- whole windows of a large base graph, from arrays built once per graph ------------------
#
# A window of the base graph with no other filter (the timeline moving over a large folder) is
# every edge whose dates overlap it. Ranking its nodes (top_view) and projecting it to countries
# (project_to_countries) edge by edge costs about a second per 100,000 edges in Python; the
# arrays below, built once per base graph, answer the same questions with a few NumPy operations.


@dataclass(frozen=True, eq=False)
class _EdgeArrays:
    """The edges of a base graph in ``G.edges(keys=True, data=True)`` order, as arrays."""

    listed: list[tuple]
    nodes: list[str]
    """Node ids, in ``str`` order: an index into it is also a rank by id."""
    u: np.ndarray
    v: np.ndarray
    weight: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    """Start and end days as ordinals; an open end is ``date.max``."""
    event: np.ndarray
    """The index of the edge's event in ``events``, -1 for an affiliation."""
    events: list[str]


_ARRAYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _edge_arrays(G: nx.MultiGraph) -> _EdgeArrays:
    hit = _ARRAYS.get(G)
    if hit is not None:
        return hit
    listed = list(G.edges(keys=True, data=True))
    nodes = sorted(G.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    events: dict[str, int] = {}
    n = len(listed)
    last = dt.date.max.toordinal()

    def weight(d: dict) -> float:
        w = d.get("weight", 1)
        return 1.0 if w is None else float(w)

    hit = _EdgeArrays(
        listed=listed,
        nodes=nodes,
        u=np.fromiter((index[e[0]] for e in listed), dtype=np.int64, count=n),
        v=np.fromiter((index[e[1]] for e in listed), dtype=np.int64, count=n),
        weight=np.fromiter((weight(e[3]) for e in listed), dtype=float, count=n),
        starts=np.fromiter((e[3]["start"].toordinal() for e in listed), dtype=np.int64, count=n),
        ends=np.fromiter(
            (last if e[3]["end"] is None else e[3]["end"].toordinal() for e in listed), dtype=np.int64, count=n
        ),
        event=np.fromiter(
            (events.setdefault(e[3]["event"], len(events)) if e[3].get("event") else -1 for e in listed),
            dtype=np.int64,
            count=n,
        ),
        events=list(events),
    )
    _ARRAYS[G] = hit
    return hit


def _inside(arrays: _EdgeArrays | _CountryRows, start: dt.date | None, end: dt.date | None) -> np.ndarray:
    lo, hi = (start or dt.date.min).toordinal(), (end or dt.date.max).toordinal()
    return np.flatnonzero((arrays.starts <= hi) & (arrays.ends >= lo))


@dataclass(frozen=True)
class WindowTop:
    """The window of a base graph ranked as :func:`top_nodes` ranks it."""

    nodes: int
    """How many nodes the window's edges touch."""
    shown: set[str]
    """The nodes to draw (all of them when there are ``limit`` or fewer)."""
    edges: list[tuple]
    """The window's ``(u, v, key, data)`` edges between shown nodes, in the base graph's order."""
    edge_count: int
    event_count: int
    """How many edges the window holds, and how many distinct events they stand for."""


def window_top(
    G: nx.MultiGraph,
    start: dt.date | None,
    end: dt.date | None,
    limit: int,
    keep: Iterable[str] = (),
    around: str = "",
    neighbours: int = 0,
) -> WindowTop:
    """:func:`top_nodes` of the edges of ``G`` whose dates overlap [start, end] (None: unbounded),
    with the edges between the shown nodes: the same nodes, ranked the same way (weighted
    degree, then id; ``keep``; the ``neighbours`` closest to ``around``), from arrays built once
    per graph instead of a pass over every edge of the window.

    >>> import datetime as dt, networkx as nx
    >>> day = dt.date(2024, 1, 1)
    >>> G = nx.MultiGraph([(u, v, {"start": day, "end": day}) for u, v in
    ...                    [("hub", "a"), ("hub", "b"), ("hub", "c"), ("a", "b")]])
    >>> top = window_top(G, day, day, 2)
    >>> top.nodes, sorted(top.shown), len(top.edges)
    (4, ['a', 'hub'], 1)
    """
    arr = _edge_arrays(G)
    idx = _inside(arr, start, end)
    u, v, w = arr.u[idx], arr.v[idx], arr.weight[idx]
    size = len(arr.nodes)
    strength = np.bincount(u, weights=w, minlength=size) + np.bincount(v, weights=w, minlength=size)
    touched = np.flatnonzero(np.bincount(u, minlength=size) + np.bincount(v, minlength=size))
    ev = arr.event[idx]
    event_count = int(np.unique(ev[ev >= 0]).size)
    names = arr.nodes
    if len(touched) <= limit:
        shown_idx = touched
    else:
        # touched is in id order, so a stable sort on the strength alone breaks ties by id
        ranked = touched[np.argsort(-strength[touched], kind="stable")]
        chosen = set(ranked[:limit].tolist())
        index = {n: i for i, n in enumerate(names)} if (keep or around) else {}
        present = set(touched.tolist()) if index else set()
        chosen.update(index[n] for n in keep if index.get(n, -1) in present)
        a = index.get(around, -1) if around else -1
        if a in present and neighbours > 0:
            chosen.add(a)
            mine = (u == a) | (v == a)
            mine &= u != v
            other = np.where(u[mine] == a, v[mine], u[mine])
            tie = np.bincount(other, weights=w[mine], minlength=size)
            near = np.flatnonzero(np.bincount(other, minlength=size))
            near = sorted(near.tolist(), key=lambda m: (-tie[m], -strength[m], m))[:neighbours]
            chosen.update(near)
        shown_idx = np.fromiter(sorted(chosen), dtype=np.int64, count=len(chosen))
    mask = np.zeros(size, dtype=bool)
    mask[shown_idx] = True
    between = idx[mask[u] & mask[v]]
    listed = arr.listed
    return WindowTop(
        nodes=len(touched),
        shown={names[i] for i in shown_idx.tolist()},
        edges=[listed[i] for i in between.tolist()],
        edge_count=len(idx),
        event_count=event_count,
    )


@dataclass(frozen=True, eq=False)
class _CountryRows:
    """The event edges of a base graph projected to countries once: one row per country pair and
    event, with the position of its first edge in ``G.edges`` order; and the affiliations that
    the country level keeps (not offices)."""

    pairs: list[tuple[str, str]]
    pair: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    first: np.ndarray
    conf: np.ndarray
    kind: np.ndarray
    disputed: np.ndarray
    event: np.ndarray
    """Row by row (sorted by pair, start day, event id): the confidence (index in CONFIDENCE),
    kind (index in ``kinds``), whether disputed and the event id (an object array)."""
    kinds: list[str]
    sources: _Sets
    topics: _Sets
    kept: list[tuple]
    kept_starts: np.ndarray
    kept_ends: np.ndarray


@dataclass(frozen=True, eq=False)
class _Sets:
    """A set of values per row, as codes: row ``i`` holds ``codes[offsets[i]:offsets[i + 1]]``;
    codes number the values in sorted order, so sorted codes are sorted values."""

    values: list
    codes: np.ndarray
    offsets: np.ndarray

    @classmethod
    def of(cls, per_row: list[Iterable]) -> _Sets:
        per_row = [tuple(dict.fromkeys(r)) for r in per_row]
        values = sorted({x for r in per_row for x in r})
        code = {x: i for i, x in enumerate(values)}
        lengths = np.fromiter((len(r) for r in per_row), dtype=np.int64, count=len(per_row))
        codes = np.fromiter((code[x] for r in per_row for x in r), dtype=np.int64, count=int(lengths.sum()))
        return cls(values, codes, np.concatenate(([0], np.cumsum(lengths))).astype(np.int64))

    def union_by(self, rows: np.ndarray, group: np.ndarray) -> dict[int, tuple]:
        """For each value of ``group`` (one per row of ``rows``), the sorted union of its rows' sets."""
        lengths = self.offsets[rows + 1] - self.offsets[rows]
        total = int(lengths.sum())
        if not total:
            return {}
        ends = np.cumsum(lengths)
        at = np.arange(total) - np.repeat(ends - lengths, lengths) + np.repeat(self.offsets[rows], lengths)
        width = len(self.values) + 1
        keys = np.unique(np.repeat(group, lengths) * width + self.codes[at])
        owners, codes = np.divmod(keys, width)
        cut = np.flatnonzero(np.diff(owners)) + 1
        values = self.values
        return {
            int(o[0]): tuple(values[c] for c in cs.tolist())
            for o, cs in zip(np.split(owners, cut), np.split(codes, cut), strict=True)
        }


_COUNTRY_ROWS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _country_rows(G: nx.MultiGraph) -> _CountryRows:
    hit = _COUNTRY_ROWS.get(G)
    if hit is not None:
        return hit
    arr = _edge_arrays(G)
    holder = nx.MultiGraph()
    holder.graph.update(G.graph)
    entities = G.graph["entities"]
    place = _placer(entities, holder)

    pair_ids: dict[tuple[str, str], int] = {}
    seen: set[tuple[int, str]] = set()
    rows = []  # (pair, start, event, position, data)
    kept, kept_pos = [], []
    for pos, (u, v, k, d) in enumerate(arr.listed):
        if d.get("relation") == "affiliation":
            if d["kind"] != "office":
                kept.append((u, v, k, d))
                kept_pos.append(pos)
            continue
        day = d["start"]
        cu, cv = place(u, day), place(v, day)
        if not cu or not cv or cu == cv:
            continue
        pid = pair_ids.setdefault((cu, cv) if cu <= cv else (cv, cu), len(pair_ids))
        if (pid, d["event"]) in seen:
            continue
        seen.add((pid, d["event"]))
        rows.append((pid, d["start"], d["event"], pos, d))
    rows.sort(key=lambda r: r[:3])
    kinds = sorted({r[4]["kind"] for r in rows})
    last = dt.date.max.toordinal()
    kept_idx = np.asarray(kept_pos, dtype=np.int64)
    hit = _CountryRows(
        pairs=list(pair_ids),
        pair=np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
        starts=np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=len(rows)),
        ends=np.fromiter(
            (last if r[4]["end"] is None else r[4]["end"].toordinal() for r in rows), dtype=np.int64, count=len(rows)
        ),
        first=np.fromiter((r[3] for r in rows), dtype=np.int64, count=len(rows)),
        conf=np.fromiter((CONFIDENCE.index(r[4]["confidence"]) for r in rows), dtype=np.int64, count=len(rows)),
        kind=np.fromiter((kinds.index(r[4]["kind"]) for r in rows), dtype=np.int64, count=len(rows)),
        disputed=np.fromiter((r[4].get("status") == "disputed" for r in rows), dtype=bool, count=len(rows)),
        event=np.array([r[2] for r in rows] or [""], dtype=object)[: len(rows)],
        kinds=kinds,
        sources=_Sets.of([r[4]["sources"] for r in rows]),
        topics=_Sets.of([r[4].get("topics", ()) for r in rows]),
        kept=kept,
        kept_starts=arr.starts[kept_idx] if len(kept_idx) else np.zeros(0, dtype=np.int64),
        kept_ends=arr.ends[kept_idx] if len(kept_idx) else np.zeros(0, dtype=np.int64),
    )
    _COUNTRY_ROWS[G] = hit
    return hit


def window_countries(G: nx.MultiGraph, start: dt.date | None, end: dt.date | None) -> nx.MultiGraph:
    """:func:`project_to_countries` of the edges of ``G`` whose dates overlap [start, end]
    (None: unbounded): the same graph (nodes, edges, keys, attributes, in the same order), from
    rows projected once per base graph, so a window costs a pass over its country pairs
    rather than over its per-event edges.

    >>> import datetime as dt, networkx as nx
    >>> day = dt.date(2024, 1, 1)
    >>> G = nx.MultiGraph(entities={n: {"kind": "official", "country": c} for n, c in
    ...                             [("a", "X"), ("b", "Y"), ("c", "Y")]}, offices={})
    >>> ev = {"relation": "event", "kind": "meeting", "event": "e1", "start": day, "end": day,
    ...       "sources": ("s1",), "topics": (), "confidence": "high", "status": "confirmed"}
    >>> G.add_edges_from([("a", "b", "e1", ev), ("a", "c", "e1", ev), ("b", "c", "e1", ev)])
    ['e1', 'e1', 'e1']
    >>> P = window_countries(G, day, day)
    >>> [(u, v, d["weight"], d["events"]) for u, v, d in P.edges(data=True)]
    [('X', 'Y', 1, ['e1'])]
    """
    rows = _country_rows(G)
    P = nx.MultiGraph()
    P.graph.update(G.graph)
    P.graph["level"] = "countries"
    lo, hi = (start or dt.date.min).toordinal(), (end or dt.date.max).toordinal()
    kept_in = np.flatnonzero((rows.kept_starts <= hi) & (rows.kept_ends >= lo))
    P.add_edges_from(rows.kept[i] for i in kept_in.tolist())
    idx = _inside(rows, start, end)
    if len(idx):
        pair = rows.pair[idx]
        heads = np.concatenate(([0], np.flatnonzero(np.diff(pair)) + 1))
        firsts = np.minimum.reduceat(rows.first[idx], heads).tolist()
        day_from = np.minimum.reduceat(rows.starts[idx], heads).tolist()
        day_to = np.maximum.reduceat(rows.ends[idx], heads).tolist()
        worst = np.maximum.reduceat(rows.conf[idx], heads).tolist()
        disputed = np.maximum.reduceat(rows.disputed[idx].astype(np.int64), heads).tolist()
        counts = np.diff(np.concatenate((heads, [len(idx)]))).tolist()
        kinds = rows.kinds
        kind_sets = _Sets(kinds, rows.kind, np.arange(len(rows.kind) + 1, dtype=np.int64)).union_by(idx, pair)
        sources = rows.sources.union_by(idx, pair)
        topics = rows.topics.union_by(idx, pair)
        events = rows.event[idx].tolist()
        fromordinal = dt.date.fromordinal
        built = []
        for j, head in enumerate(heads.tolist()):
            p = int(pair[head])
            a, b = rows.pairs[p]
            n = counts[j]
            built.append(
                (
                    firsts[j],
                    a,
                    b,
                    {
                        "relation": "event",
                        "kind": "meeting",
                        "events": events[head : head + n],
                        "kinds": kind_sets.get(p, ()),
                        "sources": sources.get(p, ()),
                        "start": fromordinal(day_from[j]),
                        "end": fromordinal(day_to[j]),
                        "status": "disputed" if disputed[j] else "confirmed",
                        "confidence": CONFIDENCE[worst[j]],
                        "topics": topics.get(p, ()),
                        "weight": n,
                        "title": f"{n} event{'s' if n != 1 else ''}",
                    },
                )
            )
        built.sort(key=lambda t: t[0])
        for _, a, b, attrs in built:
            P.add_edge(a, b, key="events", **attrs)
    entities = G.graph["entities"]
    for n in P.nodes:
        P.nodes[n].update(entities.get(n, {}))
    return P
