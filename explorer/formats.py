"""Plain-data renderings of a graph view: node-link JSON with ISO dates and sources."""

from __future__ import annotations

import datetime as dt

import networkx as nx

__all__ = ["to_plain", "graph_to_nodelink"]


def to_plain(value):
    """Make a value JSON-safe: dates to ISO strings, tuples/sets to lists, numpy scalars to Python."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return value


def graph_to_nodelink(view: nx.MultiGraph, meta: dict | None = None) -> dict:
    """Node-link JSON (networkx conventions: ``nodes``, ``edges`` with ``source``,
    ``target``, ``key``) with ISO dates, plus a ``sources`` map from id to
    title, publisher, date and url for every source an edge cites.

    Affiliation edges keep their direction in ``source``/``target``.
    """
    nodes = [{"id": n, **to_plain({k: v for k, v in d.items()})} for n, d in sorted(view.nodes(data=True))]
    edges = []
    cited: set[str] = set()
    for u, v, k, d in view.edges(keys=True, data=True):
        attrs = to_plain(d)
        src, dst = (d.get("source", u), d.get("target", v)) if d.get("relation") == "affiliation" else (u, v)
        attrs.pop("source", None)
        attrs.pop("target", None)
        edges.append({"source": src, "target": dst, "key": k, **attrs})
        cited.update(d.get("sources", ()))
    edges.sort(key=lambda e: (str(e.get("start")), e["source"], e["target"], e["key"]))
    table = view.graph.get("sources", {})
    sources = {
        s: {
            "title": table.get(s, {}).get("title", ""),
            "publisher": table.get(s, {}).get("publisher", ""),
            "date": table.get(s, {}).get("published", ""),
            "url": table.get(s, {}).get("url", ""),
        }
        for s in sorted(cited)
    }
    return {
        "directed": False,
        "multigraph": True,
        "graph": to_plain(meta or {}),
        "nodes": nodes,
        "edges": edges,
        "sources": sources,
    }
