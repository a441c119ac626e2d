"""Views of the base graph: time windows and the country-level projection.

Every function here is pure: it reads the base graph and returns a new graph
(or a read-only view); the base graph is never mutated.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import networkx as nx

from .graph import edge_interval, official_country_at

__all__ = ["window_view", "project_to_countries", "LEVELS"]

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
      union of ``sources``, and ``status`` 'disputed' if any event is.
      Events within a single country (two Chinese officials) are dropped.
    - Affiliations to organisations are kept as they are; offices are dropped.
    """
    base = view
    P = nx.MultiGraph()
    P.graph.update(base.graph)
    P.graph["level"] = "countries"

    entities = base.graph["entities"]

    def place(n: str, day: dt.date) -> str | None:
        kind = entities[n].get("kind")
        if kind == "official":
            return official_country_at(base, n, day)
        return n

    pairs: dict[tuple[str, str], dict] = {}
    seen_events: dict[tuple[str, str], set] = defaultdict(set)
    for u, v, k, d in base.edges(keys=True, data=True):
        if d.get("relation") == "affiliation":
            if d["kind"] == "office":
                continue
            P.add_edge(u, v, key=k, **d)
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
        agg["events"].append((d["start"], d["event"]))
        agg["kinds"].add(d["kind"])
        agg["sources"].update(d["sources"])
        agg["topics"].update(d.get("topics", ()))
        agg["start"] = min(agg["start"], d["start"])
        agg["end"] = max(agg["end"], d["end"])
        if d.get("status") == "disputed":
            agg["status"] = "disputed"
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
