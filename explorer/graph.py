"""The temporal multigraph built from a dataset.

Nodes are entities with their attributes.  Every affiliation is one edge; every
pair of participants of an event gets one edge for that event.  Edge keys are
stable ids (``"aff:<kind>:<source>><target>:<start>"`` or the event id), so a
view, a URL and an export can name an edge.  Dates are ``datetime.date``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import networkx as nx
import pandas as pd

from .loader import Dataset, parse_topics

__all__ = ["build_graph", "affiliation_key", "edge_interval", "official_country_at"]


def affiliation_key(source: str, kind: str, target: str, start: str) -> str:
    return f"aff:{kind}:{source}>{target}:{start}"


def _sources(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(";") if s.strip())


def event_record(eid, kind, title, start, end, precision, place, place_country, topics, confidence, sources, note):
    """The attributes of an event as its edges (and ``G.graph['events']``) carry them, from the
    columns of events.csv; shared by :func:`build_graph` and the event store."""
    return {
        "relation": "event",
        "kind": kind,
        "event": eid,
        "title": title,
        "start": start,
        "end": end,
        "precision": precision,
        "place": place,
        "place_country": place_country,
        "topics": parse_topics(topics) if topics else (),
        "status": "confirmed",
        "confidence": confidence,
        "sources": _sources(sources or ""),
        "note": note,
    }


def build_graph(dataset: Dataset) -> nx.MultiGraph:
    """Build the base graph of a dataset.  Pure: the dataset is not changed.

    Node attributes: ``kind, name, aliases (tuple), iso3, country, wikidata, note``.
    Edge attributes, always: ``relation`` ('affiliation' or 'event'), ``kind``,
    ``start``/``end`` (``datetime.date``; ``end`` None when ongoing), ``status``,
    ``confidence``, ``sources`` (tuple of source ids), ``title``, ``note``.
    Affiliation edges add ``source``/``target`` (the direction, since the graph
    is undirected) and the precisions; event edges add ``event``, ``topics``
    (tuple of (topic, outcome)), ``place`` and ``place_country``; the roles of
    its participants are in ``G.graph['events']``.

    ``G.graph`` holds ``entities`` (id -> node attributes, also for filtered views),
    ``events`` (event id -> its attributes and ``participants`` as (entity, role)),
    ``offices`` (official -> list of (start, end, country, title))
    used to place an official in a country at a date, ``sources`` (the
    sources table as a dict by id) and ``solo_events`` (entity -> ids of the
    events it is the only participant of, which make no edge: machine-coded
    events often name one actor).
    """
    G = nx.MultiGraph()
    ent = dataset.entities
    G.add_nodes_from(
        (
            row["id"],
            {
                "kind": row["kind"],
                "name": row["name"],
                "aliases": tuple(a.strip() for a in row["aliases"].split(";") if a.strip()),
                "iso3": row["iso3"],
                "country": row["country"],
                "wikidata": row["wikidata"],
                "note": row["note"],
            },
        )
        for row in _records(ent)
    )
    if dataset.folders:
        # Several folders: each entity says which hold it, each fact (below) which it came from.
        for n, folders in zip(ent["id"].tolist(), ent["folder"].tolist(), strict=False):
            G.nodes[n]["folders"] = tuple(f.strip() for f in folders.split(";") if f.strip())

    aff = dataset.affiliations
    offices: dict[str, list[tuple[dt.date, dt.date | None, str, str]]] = defaultdict(list)
    edges = []
    for row in _records(aff):
        key = affiliation_key(row["source"], row["kind"], row["target"], row["start"])
        attrs = {
            "relation": "affiliation",
            "kind": row["kind"],
            "source": row["source"],
            "target": row["target"],
            "title": row["title"],
            "start": row["start_date"],
            "end": row["end_date"],
            "start_precision": row["start_precision"],
            "end_precision": row["end_precision"],
            "status": row["status"],
            "confidence": row["confidence"],
            "sources": _sources(row["sources"]),
            "note": row["note"],
        }
        if row.get("folder"):
            attrs["folder"] = row["folder"]
        edges.append((row["source"], row["target"], key, attrs))
        if row["kind"] == "office":
            offices[row["source"]].append((row["start_date"], row["end_date"], row["target"], row["title"]))
    G.add_edges_from(edges)

    members_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
    par = dataset.participants
    for event_id, entity, role in zip(
        par["event"].tolist(), par["entity"].tolist(), par["role"].tolist(), strict=False
    ):
        members_of[event_id].append((entity, role))
    evf = dataset.events
    cols = [
        "id",
        "kind",
        "title",
        "start_date",
        "end_date",
        "precision",
        "place",
        "place_country",
        "topics",
        "confidence",
        "sources",
        "note",
    ]
    edges = []
    events: dict[str, dict] = {}
    solo_events: dict[str, list[str]] = defaultdict(list)
    folders = evf["folder"].tolist() if dataset.folders and "folder" in evf else [""] * len(evf)
    for (eid, kind, title, start, end, precision, place, pcountry, topics, conf, srcs, note), folder in zip(
        zip(*(evf[c].tolist() for c in cols), strict=False), folders, strict=False
    ):
        base = event_record(eid, kind, title, start, end, precision, place, pcountry, topics, conf, srcs, note)
        if folder:
            base["folder"] = folder
        members = members_of.get(eid, [])
        events[eid] = {**base, "participants": tuple(members)}
        if len({u for u, _ in members}) == 1:
            solo_events[members[0][0]].append(eid)
        for (u, _), (v, _) in itertools.combinations(members, 2):
            if u != v:
                edges.append((u, v, eid, base))
    G.add_edges_from(edges)

    for spans in offices.values():
        spans.sort(key=lambda s: s[0])
    G.graph["offices"] = dict(offices)
    # The same attribute dicts, reachable from any view even when the node is filtered out.
    G.graph["entities"] = {n: G.nodes[n] for n in G.nodes}
    G.graph["sources"] = _sources_table(dataset.sources, bool(dataset.folders))
    G.graph["data"] = str(dataset.path)
    G.graph["folders"] = tuple(dataset.folders)
    G.graph["fingerprint"] = dataset.fingerprint
    G.graph["events"] = events
    G.graph["solo_events"] = {n: tuple(ids) for n, ids in solo_events.items()}
    return G


def _records(frame: pd.DataFrame):
    """Rows as dicts, faster than ``DataFrame.to_dict('records')`` on string columns."""
    cols = list(frame.columns)
    for values in zip(*(frame[c].tolist() for c in cols), strict=False):
        yield dict(zip(cols, values, strict=False))


def _sources_table(sources: pd.DataFrame, folders: bool = False) -> dict[str, dict[str, str]]:
    cols = ["title", "publisher", "url", "published", "reliability", "note"] + (["folder"] if folders else [])
    return {r["id"]: {c: r[c] for c in cols} for r in sources.to_dict("records")}


def edge_interval(data: dict) -> tuple[dt.date, dt.date]:
    """The closed interval an edge is valid in; an ongoing relation ends at ``date.max``."""
    return data["start"], data["end"] or dt.date.max


def official_country_at(G: nx.MultiGraph, official: str, day: dt.date) -> str | None:
    """The country an official served on ``day``, by office dates; else the entity's ``country``.

    When offices overlap (two posts at once) they are in the same country in
    practice; the latest-started one wins.
    """
    found = None
    for start, end, country, _title in G.graph.get("offices", {}).get(official, ()):
        if start <= day and (end is None or day <= end):
            found = country
    if found:
        return found
    attrs = G.graph.get("entities", {}).get(official, {})
    return attrs.get("country") or None
