"""Views of the base graph: time windows, the country-level projection and the top of a large view.

Every function here is pure: it reads the base graph and returns a new graph
(or a read-only view); the base graph is never mutated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from .graph import edge_interval, official_country_at
from .schema import CONFIDENCE

__all__ = [
    "window_view",
    "project_to_countries",
    "project_edges_to_countries",
    "top_view",
    "top_nodes",
    "graph_of_top",
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


def project_edges_to_countries(graph: dict, edges: Iterable[tuple]) -> nx.MultiGraph:
    """:func:`project_to_countries` of the view made of ``edges`` (``(u, v, key, data)``
    tuples) with the graph attributes ``graph``, without building that view first."""
    P = nx.MultiGraph()
    P.graph.update(graph)
    P.graph["level"] = "countries"

    entities = graph["entities"]
    placed: dict[tuple[str, dt.date], str | None] = {}

    def place(n: str, day: dt.date) -> str | None:
        kind = entities[n].get("kind")
        if kind == "official":
            key = (n, day)
            if key not in placed:
                placed[key] = official_country_at(P, n, day)
            return placed[key]
        return n

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
