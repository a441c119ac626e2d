"""What the details panel says about a node or a tie, with the sources of every fact.

Pure functions from the base graph, the current view and an id to plain dicts
(strings, lists), which the dashboard renders as text and the tests read.  When
several data folders are open, every fact and source carries its ``folder`` (empty
otherwise) and a node the ``folders`` that hold it.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from .graph import official_country_at
from .schema import AFFILIATION_KINDS

__all__ = ["node_details", "edge_details", "source_records", "event_record", "EVENTS_LISTED"]

EVENTS_LISTED = 200
"""The most events a details panel lists (the latest); ``events_total`` counts them all."""


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def source_records(G: nx.MultiGraph, ids) -> list[dict]:
    """Title, publisher, date, url and reliability of each source id, in the order given."""
    table = G.graph.get("sources", {})
    out = []
    for s in ids:
        rec = table.get(s, {})
        out.append(
            {
                "id": s,
                "title": rec.get("title", s),
                "publisher": rec.get("publisher", ""),
                "published": rec.get("published", ""),
                "url": rec.get("url", ""),
                "reliability": rec.get("reliability", ""),
                "folder": rec.get("folder", ""),
            }
        )
    return out


def _name(G: nx.MultiGraph, n: str) -> str:
    return G.graph.get("entities", {}).get(n, {}).get("name", n)


def _affiliation_record(G: nx.MultiGraph, d: dict) -> dict:
    label = AFFILIATION_KINDS.get(d["kind"], (d["kind"],))[0]
    return {
        "kind": d["kind"],
        "label": label,
        "source": d["source"],
        "source_name": _name(G, d["source"]),
        "target": d["target"],
        "target_name": _name(G, d["target"]),
        "title": d.get("title", ""),
        "start": _iso(d["start"]),
        "end": _iso(d["end"]),
        "status": d["status"],
        "confidence": d["confidence"],
        "note": d.get("note", ""),
        "folder": d.get("folder", ""),
        "sources": source_records(G, d["sources"]),
    }


def event_record(G: nx.MultiGraph, event_id: str) -> dict:
    """An event with its participants, topics and outcomes, and its sources."""
    e = G.graph["events"][event_id]
    return {
        "id": event_id,
        "kind": e["kind"],
        "title": e["title"],
        "start": _iso(e["start"]),
        "end": _iso(e["end"]),
        "place": e["place"],
        "place_country": e["place_country"],
        "confidence": e["confidence"],
        "topics": [{"topic": t, "outcome": o} for t, o in e["topics"]],
        "note": e.get("note", ""),
        "participants": [{"id": p, "name": _name(G, p), "role": r} for p, r in e["participants"]],
        "folder": e.get("folder", ""),
        "sources": source_records(G, e["sources"]),
    }


def _solo_events(G: nx.MultiGraph, view: nx.MultiGraph, node: str, start, end) -> list[str]:
    """Events in the window whose only participant is ``node`` (at country level: or one of
    its officials at the event's date); they have no edge, so no view holds them.  With an
    event store, its latest :data:`EVENTS_LISTED` are read from the store."""
    store = G.graph.get("store")
    if store is not None:
        from .store import solo_events

        level = view.graph.get("level", "officials")
        hidden = view.graph.get("hidden_folders", ())
        return solo_events(store, node, start, end, level, limit=EVENTS_LISTED, hidden=hidden)
    solo = G.graph.get("solo_events", {})
    events = G.graph.get("events", {})

    hidden = view.graph.get("hidden_folders", ())

    def in_window(eid: str) -> bool:
        e = events[eid]
        shown = e.get("folder") not in hidden
        return shown and (start is None or e["end"] >= start) and (end is None or e["start"] <= end)

    found = [e for e in solo.get(node, ()) if in_window(e)]
    if view.graph.get("level") == "countries" and G.graph["entities"][node].get("kind") == "country":
        ents = G.graph["entities"]
        for who, ids in solo.items():
            if ents.get(who, {}).get("kind") == "official":
                found += [e for e in ids if in_window(e) and official_country_at(G, who, events[e]["start"]) == node]
    return found


def _event_records(G: nx.MultiGraph, ids) -> list[dict]:
    """The records of events, by date: the latest :data:`EVENTS_LISTED` of them.  Events and
    sources read from an event store are fetched in two queries, not one per fact."""
    table = G.graph["events"]
    ids = list(ids)
    if hasattr(table, "latest"):
        ids = table.latest(ids, EVENTS_LISTED)
        found = table.load(ids)
        sources = G.graph.get("sources")
        if hasattr(sources, "load"):
            sources.load(s for e in ids for s in found[e]["sources"])
    else:
        ids = sorted(ids, key=lambda e: (table[e]["start"], e))[-EVENTS_LISTED:]
    return [event_record(G, e) for e in ids]


def node_details(G: nx.MultiGraph, view: nx.MultiGraph, node: str) -> dict | None:
    """Offices and affiliations (all dates, with status), and the events of the view
    that involve the node (for a country at country level: its officials' events too),
    including the events in the window where it is the only participant.
    None when the node is unknown."""
    ents = G.graph.get("entities", {})
    if node not in ents:
        return None
    attrs = ents[node]
    hidden = view.graph.get("hidden_folders", ())
    affs = [
        _affiliation_record(G, d)
        for _, _, d in G.edges(node, data=True)
        if d.get("relation") == "affiliation" and d.get("folder") not in hidden
    ]
    # An official's offices come first; a country's memberships come before the offices held in it.
    offices_first = attrs.get("kind") == "official"
    affs.sort(key=lambda a: ((a["kind"] != "office") == offices_first, a["start"]))
    events: set[str] = set()
    if node in view:
        for _, _, d in view.edges(node, data=True):
            if d.get("relation") == "event":
                events.update(d["events"] if "events" in d else [d["event"]])
    start, end = view.graph.get("window", (None, None))
    if not events and node in G:
        for _, _, d in G.edges(node, data=True):
            if (
                d.get("relation") == "event"
                and d.get("folder") not in hidden
                and (start is None or d["end"] >= start)
                and (end is None or d["start"] <= end)
            ):
                events.add(d["event"])
    events.update(_solo_events(G, view, node, start, end))
    recs = _event_records(G, events)
    return {
        "id": node,
        "name": attrs.get("name", node),
        "kind": attrs.get("kind", ""),
        "aliases": list(attrs.get("aliases", ())),
        "country": attrs.get("country", ""),
        "country_name": _name(G, attrs["country"]) if attrs.get("country") else "",
        "wikidata": attrs.get("wikidata", ""),
        "note": attrs.get("note", ""),
        "folders": list(attrs.get("folders", ())),
        "affiliations": affs,
        "events": recs,
        "events_total": len(events),
    }


def edge_details(G: nx.MultiGraph, view: nx.MultiGraph, edge_id: str) -> dict | None:
    """A tie from its figure id (``'edge|u|v|key'`` or ``'pair|u|v'``): its affiliation
    or its events, each with sources.  None when the id does not parse or is not in the view."""
    parts = edge_id.split("|")
    if parts[0] == "edge" and len(parts) == 4:
        _, u, v, k = parts
        d = view.get_edge_data(u, v, key=k)
        if d is None:
            return None
        if d.get("relation") == "affiliation":
            return {"kind": "affiliation", "u": u, "v": v, "affiliation": _affiliation_record(G, d), "events": []}
        ids = d["events"] if "events" in d else [d["event"]]
    elif parts[0] == "pair" and len(parts) == 3:
        _, u, v = parts
        data = view.get_edge_data(u, v) or {}
        ids = []
        for d in data.values():
            if d.get("relation") == "event":
                ids.extend(d["events"] if "events" in d else [d["event"]])
        if not ids:
            return None
    else:
        return None
    ids = list(dict.fromkeys(ids))
    recs = _event_records(G, ids)
    return {
        "kind": "events",
        "u": u,
        "v": v,
        "u_name": _name(G, u),
        "v_name": _name(G, v),
        "affiliation": None,
        "events": recs,
        "events_total": len(ids),
    }
