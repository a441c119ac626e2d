"""Data exports of a view: GEXF 1.3 (dynamic), GraphML, CSV (folder or zip) and node-link JSON.

All of them are built from the same flat rows (:func:`node_rows`,
:func:`edge_rows`), so the formats agree with each other:

- an edge's endpoints are its direction for affiliations (official -> country,
  country -> organisation) and its pair, in id order, for events; ``key`` is the graph's own
  edge key (the event id, ``events`` for a country-level tie, or
  ``aff:<kind>:<source>><target>:<start>``) and ``id`` is
  ``<source>.<target>.<key>`` written as an XML name token (:func:`edge_id`):
  unique, since one event joins many pairs, the same in every export of the
  same view, and valid where GraphML wants an ``xs:NMTOKEN``;
- dates are ISO ``YYYY-MM-DD``; an ongoing relation has no end;
- ``dates`` lists the dates of the events behind an event tie, one per event
  in the order of ``events`` (``YYYY-MM-DD``, or ``YYYY-MM-DD/YYYY-MM-DD`` for
  an event of several days); it is empty for an affiliation;
- a node's ``start`` is the first date of its ties in the view and its
  ``end`` the last, none when one of them is ongoing;
- lists (sources, aliases, topics, events, dates) are joined with ``;``;
- text is written as it is in the data, except where a format cannot hold
  it: a CSV text cell that a spreadsheet would run as a formula (it starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a CR) gets a leading ``'``, and a
  character XML 1.0 forbids (NUL, most control characters) becomes U+FFFD
  in GraphML and GEXF (see :mod:`explorer.text`).

The GEXF file is GEXF 1.3 with ``mode="dynamic"`` and ``timeformat="date"``,
so Gephi's timeline plays it: a node or an edge of one interval carries
``start``/``end``, an edge made of several events (a country-level tie) one
``<spell>`` per event instead.  Since readers that keep every attribute but
drop GEXF's own dates (graphology-gexf, hence Gephi Lite) exist, the dates
are also plain attributes: ``start_date`` and ``end_date`` on nodes and
edges, ``dates`` on edges.  It carries the screen's positions, sizes and
kind colours (the ``viz`` module) and the view's metrics as node
attributes.  There the edge key is the attribute ``networkx_key``, the name
under which :func:`networkx.read_gexf` takes it back as the edge's key.  The
file validates against the GEXF 1.3 RelaxNG grammar.

The GraphML file validates against the GraphML XSD: its ``<key>`` ids are
``g_<name>``, ``n_<name>`` and ``e_<name>`` for graph, node and edge data
(``attr.name`` is the plain name, which is what readers show), so a node
and an edge attribute of the same name (``kind``, ``start``, ``note``...)
never share an id.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx

from .. import __version__
from ..figures import EDGE_STYLES, KIND_STYLES
from ..formats import graph_to_nodelink, to_plain
from ..text import escape_csv_cell, strip_xml_invalid
from .snapshot import Snapshot

__all__ = [
    "NODE_FIELDS",
    "EDGE_FIELDS",
    "GEXF_NS",
    "GRAPHML_NS",
    "xml_token",
    "edge_id",
    "node_rows",
    "edge_rows",
    "export_metadata",
    "write_gexf",
    "write_graphml",
    "write_csv",
    "write_json",
]

NODE_FIELDS = ("id", "name", "kind", "country", "iso3", "aliases", "wikidata", "start", "end", "x", "y", "note")
"""Columns of ``nodes.csv``, and the node attributes of GEXF and GraphML."""
EDGE_FIELDS = (
    "id",
    "source",
    "target",
    "key",
    "relation",
    "kind",
    "title",
    "start",
    "end",
    "status",
    "confidence",
    "weight",
    "event",
    "events",
    "dates",
    "place",
    "place_country",
    "topics",
    "sources",
    "note",
)
"""Columns of ``edges.csv``, and the edge attributes of GEXF and GraphML."""
GEXF_NS = "http://gexf.net/1.3"
GEXF_VIZ_NS = "http://gexf.net/1.3/viz"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_GEXF_SHAPES = {"circle": "disc", "diamond": "diamond", "square": "square"}


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _joined(values) -> str:
    out = []
    for v in values or ():
        out.append(":".join(map(str, v)) if isinstance(v, (tuple, list)) else str(v))
    return ";".join(out)


# What an XML name token (xs:NMTOKEN, GraphML's type for every id) may hold, kept to ASCII so that
# every XML tool agrees: the entity ids of a valid data folder never need more.
_TOKEN_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]|_(?=x[0-9A-F]{4}_)|_(?=x[0-9A-F]{8}_)")


def _token_escape(match: re.Match) -> str:
    cp = ord(match.group())
    return f"_x{cp:04X}_" if cp <= 0xFFFF else f"_x{cp:08X}_"


def xml_token(text: object) -> str:
    """``text`` as an XML name token (``xs:NMTOKEN``): unchanged when it is one, made only of ASCII
    letters, digits, ``.``, ``:``, ``-`` and ``_``; every other character is written ``_xHHHH_`` (its
    code point in hex, eight digits beyond U+FFFF, as in XML name encoding), and so is an ``_`` that
    would read as the start of such an escape, so two different texts never give the same token
    (the empty text, which is no token, gives ``_x0000_``).

    >>> xml_token("sergey-lavrov"), xml_token("aff:founding_member:IND>BRICS:2006-09-20")
    ('sergey-lavrov', 'aff:founding_member:IND_x003E_BRICS:2006-09-20')
    >>> xml_token("a b|c"), xml_token("_x0020_")
    ('a_x0020_b_x007C_c', '_x005F_x0020_')
    """
    return _TOKEN_UNSAFE.sub(_token_escape, str(text)) or "_x0000_"


def edge_id(source: str, target: str, key: object) -> str:
    """The id of an edge in every export: ``<source>.<target>.<key>`` as an XML name token.

    Entity ids hold no ``.`` (see :data:`explorer.loader.ID_PATTERNS`), so the first two dots
    split it back; the key (the event id, ``events``, or ``aff:<kind>:<source>><target>:<start>``)
    is escaped by :func:`xml_token`, which leaves an event id as it is.

    >>> edge_id("CHN", "RUS", "2024-02-05-wang-yi-lavrov-call")
    'CHN.RUS.2024-02-05-wang-yi-lavrov-call'
    >>> edge_id("IND", "BRICS", "aff:founding_member:IND>BRICS:2006-09-20")
    'IND.BRICS.aff:founding_member:IND_x003E_BRICS:2006-09-20'
    """
    return f"{xml_token(source)}.{xml_token(target)}.{xml_token(key)}"


def _span(start: dt.date | None, end: dt.date | None) -> str:
    """An ISO date, or an ISO interval ``start/end`` for several days."""
    return _iso(start) if not end or end == start else f"{_iso(start)}/{_iso(end)}"


def event_dates(view: nx.MultiGraph) -> dict[str, tuple[dt.date, dt.date | None]]:
    """The (start, end) of every event behind the event edges of ``view``: read from the event
    store in one query (``G.graph['events'].dates``) when the view comes from one, else taken
    from the in-memory table of events."""
    table = view.graph.get("events", {})
    ids = {
        eid
        for *_, d in view.edges(data=True)
        if d.get("relation") == "event"
        for eid in (d.get("events") or (d.get("event"),))
        if eid
    }
    if hasattr(table, "dates"):
        return table.dates(ids)
    return {eid: (rec["start"], rec["end"]) for eid in ids if (rec := table.get(eid))}


def _event_dates(d: dict, dated: dict[str, tuple]) -> list[str]:
    """The dates of the events behind an event edge, one per event in the order of ``events``."""
    if d.get("relation") != "event":
        return []
    ids = list(d.get("events") or ()) or [d.get("event")]
    out = []
    for eid in ids:
        when = dated.get(eid)
        # An event the table lacks is dated by the edge itself (exact for a one-event edge).
        out.append(_span(*when) if when else _span(d.get("start"), d.get("end")))
    return out


def _endpoints(u: str, v: str, d: dict) -> tuple[str, str]:
    if d.get("relation") == "affiliation" and {d.get("source"), d.get("target")} == {u, v}:
        return d["source"], d["target"]
    # An event joins a pair, in no order: sorted, so an edge's id does not depend on how the graph was built.
    return (u, v) if str(u) <= str(v) else (v, u)


def edge_rows(view: nx.MultiGraph) -> list[dict]:
    """One flat row per edge of ``view`` (see the module's conventions), sorted by start, source, target, key."""
    dated = event_dates(view)
    rows = []
    for u, v, k, d in view.edges(keys=True, data=True):
        s, t = _endpoints(u, v, d)
        rows.append(
            {
                "id": edge_id(s, t, k),
                "source": s,
                "target": t,
                "key": str(k),
                "relation": d.get("relation", ""),
                "kind": d.get("kind", ""),
                "title": str(d.get("title") or ""),
                "start": _iso(d.get("start")),
                "end": _iso(d.get("end")),
                "status": d.get("status", ""),
                "confidence": d.get("confidence", ""),
                "weight": int(d.get("weight", 1) or 1),
                "event": d.get("event", ""),
                "events": _joined(d.get("events")),
                "dates": ";".join(_event_dates(d, dated)),
                "place": d.get("place", ""),
                "place_country": d.get("place_country", ""),
                "topics": _joined(d.get("topics")),
                "sources": _joined(d.get("sources")),
                "note": str(d.get("note") or ""),
            }
        )
    rows.sort(key=lambda r: (r["start"], r["source"], r["target"], r["key"]))
    return rows


def _lifetimes(view: nx.MultiGraph) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """Per node: (first start, last end) of its ties in the view; end None when a tie is ongoing."""
    out: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for n in view:
        starts, ends, ongoing = [], [], False
        for _, _, d in view.edges(n, data=True):
            if d.get("start"):
                starts.append(d["start"])
            if d.get("end"):
                ends.append(d["end"])
            else:
                ongoing = True
        out[n] = (min(starts) if starts else None, None if ongoing or not ends else max(ends))
    return out


def node_rows(view: nx.MultiGraph, positions: dict[str, tuple[float, float]] | None = None) -> list[dict]:
    """One flat row per node of ``view``, sorted by id; ``x``/``y`` are the shared positions."""
    life = _lifetimes(view)
    positions = positions or {}
    rows = []
    for n in sorted(view):
        a = view.nodes[n]
        x, y = positions.get(n, (0.0, 0.0))
        start, end = life[n]
        rows.append(
            {
                "id": n,
                "name": str(a.get("name", n)),
                "kind": a.get("kind", ""),
                "country": a.get("country", ""),
                "iso3": a.get("iso3", ""),
                "aliases": _joined(a.get("aliases")),
                "wikidata": a.get("wikidata", ""),
                "start": _iso(start),
                "end": _iso(end),
                "x": float(x),
                "y": float(y),
                "note": str(a.get("note") or ""),
            }
        )
    return rows


def export_metadata(snap: Snapshot) -> dict:
    """What the data exports say about themselves: the view, its window, its description and its origin."""
    start, end = snap.state.window()
    return {
        "title": snap.title(),
        "description": snap.subtitle(drawn=False),
        "view": snap.state.to_query(),
        "state": snap.state.to_dict(),
        "window": {"from": _iso(start or snap.data.span[0]), "to": _iso(end or snap.data.span[1])},
        "counts": {k: v for k, v in snap.result.counts.items() if k != "shown"},
        "sources_cited": len(snap.whole_sources),
        "explorer": __version__,
        "data": snap.data_name,
        "data_fingerprint": str(snap.data.graph.graph.get("fingerprint", "")),
        "exported": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    }


# ---- GEXF 1.3 ---------------------------------------------------------------------------

_NODE_ATTRS = ("name", "kind", "country", "iso3", "aliases", "wikidata", "note", "start_date", "end_date")
_EDGE_ATTRS = (
    "networkx_key",
    "relation",
    "kind",
    "title",
    "status",
    "confidence",
    "event",
    "events",
    "start_date",
    "end_date",
    "dates",
    "place",
    "place_country",
    "topics",
    "sources",
    "note",
)


def _x(text: object) -> str:
    # XML 1.0 forbids most control characters even as references; data may carry them (validation allows it).
    return strip_xml_invalid(text)


def _rgb(color: str) -> dict[str, str]:
    c = color.lstrip("#")
    return {"r": str(int(c[0:2], 16)), "g": str(int(c[2:4], 16)), "b": str(int(c[4:6], 16))}


def _attributes(parent: ET.Element, cls: str, columns: list[tuple[str, str]]) -> None:
    el = ET.SubElement(parent, "attributes", {"class": cls})
    for name, kind in columns:
        ET.SubElement(el, "attribute", {"id": name, "title": name, "type": kind})


def _attvalues(parent: ET.Element, values: dict) -> None:
    items = [(k, v) for k, v in values.items() if v not in ("", None)]
    if items:
        el = ET.SubElement(parent, "attvalues")
        for k, v in items:
            ET.SubElement(el, "attvalue", {"for": k, "value": _x(v)})


def _spells(dates: str) -> list[tuple[str, str]]:
    """The (start, end) of each item of an edge row's ``dates``."""
    out = []
    for item in filter(None, dates.split(";")):
        start, _, end = item.partition("/")
        out.append((start, end or start))
    return out


def gexf_tree(snap: Snapshot) -> ET.ElementTree:
    """The GEXF 1.3 document of the snapshot's view (see the module's conventions)."""
    view, records = snap.whole, snap.whole_metrics
    metric_cols = [c for c in (records[0] if records else {}) if c not in ("id", "name", "kind", "country")]
    metrics = {r["id"]: r for r in records}
    sizes = {r["id"]: float(r.get(snap.metric, 0.0) or 0.0) for r in records}
    top = max(sizes.values(), default=0.0) or 1.0

    # No xsi:schemaLocation: the 1.3 XSD at gexf.net does not compile (gephi/gexf#19) and the
    # RelaxNG grammar, which does, allows no attribute it does not declare.
    root = ET.Element("gexf", {"xmlns": GEXF_NS, "xmlns:viz": GEXF_VIZ_NS, "version": "1.3"})
    meta = ET.SubElement(root, "meta", {"lastmodifieddate": dt.date.today().isoformat()})
    ET.SubElement(meta, "creator").text = f"explorer {__version__}"
    ET.SubElement(meta, "keywords").text = "geopolitics, meetings, affiliations"
    ET.SubElement(meta, "description").text = _x(
        f"{snap.title()} — {snap.subtitle(drawn=False)} — " + " · ".join(snap.caption_lines(drawn=False))
    )
    graph = ET.SubElement(
        root,
        "graph",
        {
            "mode": "dynamic",
            "defaultedgetype": "undirected",
            "idtype": "string",
            "timeformat": "date",
            "timerepresentation": "interval",
        },
    )
    _attributes(
        graph,
        "node",
        [(c, "string") for c in _NODE_ATTRS]
        + [(c, "integer" if c.endswith("_rank") or c == "community" else "double") for c in metric_cols],
    )
    _attributes(graph, "edge", [(c, "string") for c in _EDGE_ATTRS])

    nodes = ET.SubElement(graph, "nodes", {"count": str(len(view))})
    for row in node_rows(view, snap.data.positions_for(snap.state.level)):
        attrs = {"id": _x(row["id"]), "label": _x(row["name"])}
        if row["start"]:
            attrs["start"] = row["start"]
        if row["end"]:
            attrs["end"] = row["end"]
        el = ET.SubElement(nodes, "node", attrs)
        m = metrics.get(row["id"], {})
        plain = {**row, "start_date": row["start"], "end_date": row["end"]}
        _attvalues(el, {**{c: plain[c] for c in _NODE_ATTRS}, **{c: m.get(c) for c in metric_cols}})
        style = KIND_STYLES.get(row["kind"], KIND_STYLES["country"])
        ET.SubElement(el, "viz:color", _rgb(style["color"]))
        # The screen's layout, y up as in Plotly; Gephi's units are arbitrary, so spread to ±500.
        ET.SubElement(el, "viz:position", {"x": f"{row['x'] * 500:.3f}", "y": f"{row['y'] * 500:.3f}", "z": "0.0"})
        ET.SubElement(el, "viz:size", {"value": f"{5 + 20 * (sizes.get(row['id'], 0.0) / top) ** 0.5:.3f}"})
        ET.SubElement(el, "viz:shape", {"value": _GEXF_SHAPES.get(style["symbol"], "disc")})

    rows = edge_rows(view)
    edges = ET.SubElement(graph, "edges", {"count": str(len(rows))})
    for row in rows:
        attrs = {
            "id": row["id"],
            "source": _x(row["source"]),
            "target": _x(row["target"]),
            "kind": _x(row["kind"] or row["relation"]),
            "weight": f"{float(row['weight']):g}",
        }
        if row["title"]:
            attrs["label"] = _x(row["title"])
        spells = _spells(row["dates"])
        # A tie of several events lives in each event's days, not from the first to the last.
        several = len(spells) > 1
        if row["start"] and not several:
            attrs["start"] = row["start"]
        if row["end"] and not several:
            attrs["end"] = row["end"]
        el = ET.SubElement(edges, "edge", attrs)
        plain = {**row, "networkx_key": row["key"], "start_date": row["start"], "end_date": row["end"]}
        _attvalues(el, {c: plain[c] for c in _EDGE_ATTRS})
        if several:
            el_spells = ET.SubElement(el, "spells")
            for start, end in spells:
                ET.SubElement(el_spells, "spell", {"start": start, "end": end})
        style = EDGE_STYLES.get(row["kind"] if row["relation"] == "affiliation" else "meeting", EDGE_STYLES["meeting"])
        ET.SubElement(el, "viz:color", _rgb(style["color"]))
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_gexf(snap: Snapshot, path: Path) -> None:
    """GEXF 1.3, dynamic (dates on nodes and edges, one spell per event of a country-level tie), for Gephi."""
    gexf_tree(snap).write(Path(path), encoding="utf-8", xml_declaration=True)


# ---- GraphML ----------------------------------------------------------------------------


def _graphml_type(values: list) -> str:
    """The GraphML ``attr.type`` that holds every value of a key (networkx's names, which it reads back)."""
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "long"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "double"
    return "string"


def _graphml_text(value: object, kind: str) -> str:
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    return _x(value)


def _graphml_items(items: list[tuple[str, dict]]) -> dict[str, str]:
    """The type of every attribute name used by ``items`` (id, attributes), in order of first use."""
    values: dict[str, list] = {}
    for _, attrs in items:
        for k, v in attrs.items():
            values.setdefault(k, []).append(v)
    return {k: _graphml_type(vs) for k, vs in values.items()}


def graphml_tree(snap: Snapshot) -> ET.ElementTree:
    """The GraphML document of the snapshot's view: typed attributes, the view's description as graph data.

    Key ids are ``g_``, ``n_`` or ``e_`` and the attribute's name; ids are XML name tokens
    (node ids are the entity ids, edge ids :func:`edge_id`); text holds only what XML 1.0 allows.
    """
    meta = export_metadata(snap)
    graph_attrs = {k: json.dumps(v) if isinstance(v, dict) else str(v) for k, v in meta.items()}
    metrics = {r["id"]: r for r in snap.whole_metrics}
    nodes = []
    for row in node_rows(snap.whole, snap.data.positions_for(snap.state.level)):
        m = {k: v for k, v in metrics.get(row["id"], {}).items() if k not in ("id", "name", "kind", "country")}
        attrs = {k: v for k, v in {**row, **m}.items() if k != "id" and v not in ("", None)}
        nodes.append((row["id"], attrs))
    edges = [
        (row, {k: v for k, v in row.items() if k not in ("id", "source", "target") and v not in ("", None)})
        for row in edge_rows(snap.whole)
    ]
    scopes = (
        ("graph", "g", {k: "string" for k in graph_attrs}),
        ("node", "n", _graphml_items(nodes)),
        ("edge", "e", _graphml_items([(row["id"], attrs) for row, attrs in edges])),
    )
    root = ET.Element(
        "graphml",
        {
            "xmlns": GRAPHML_NS,
            "xmlns:xsi": _XSI_NS,
            "xsi:schemaLocation": f"{GRAPHML_NS} {GRAPHML_NS}/1.0/graphml.xsd",
        },
    )
    for scope, prefix, types in scopes:
        for name, kind in types.items():
            ET.SubElement(
                root,
                "key",
                {"id": f"{prefix}_{xml_token(name)}", "for": scope, "attr.name": xml_token(name), "attr.type": kind},
            )

    def data(parent: ET.Element, prefix: str, types: dict[str, str], attrs: dict) -> None:
        for name, value in attrs.items():
            el = ET.SubElement(parent, "data", {"key": f"{prefix}_{xml_token(name)}"})
            el.text = _graphml_text(value, types[name])

    graph = ET.SubElement(root, "graph", {"edgedefault": "undirected"})
    data(graph, "g", scopes[0][2], graph_attrs)
    for node_id, attrs in nodes:
        data(ET.SubElement(graph, "node", {"id": xml_token(node_id)}), "n", scopes[1][2], attrs)
    for row, attrs in edges:
        el = ET.SubElement(
            graph, "edge", {"id": row["id"], "source": xml_token(row["source"]), "target": xml_token(row["target"])}
        )
        data(el, "e", scopes[2][2], attrs)
    ET.indent(root, space=" ")
    return ET.ElementTree(root)


def write_graphml(snap: Snapshot, path: Path) -> None:
    """GraphML valid against the GraphML XSD: typed attributes with one key id per scope, name-token ids."""
    graphml_tree(snap).write(Path(path), encoding="utf-8", xml_declaration=True)


# ---- CSV --------------------------------------------------------------------------------


def _csv_text(rows: list[dict], fields) -> str:
    """CSV of ``rows``; a text cell a spreadsheet would run as a formula is written as text (``'=...``)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(fields), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows({k: escape_csv_cell(v) for k, v in row.items()} for row in rows)
    return buf.getvalue()


def csv_files(snap: Snapshot) -> dict[str, str]:
    """The files of the CSV export: name -> text."""
    records = snap.whole_metrics
    metric_fields = list(records[0]) if records else ["id", "name", "kind", "country"]
    source_fields = ("id", "title", "publisher", "published", "url", "reliability", "ties")
    return {
        "nodes.csv": _csv_text(node_rows(snap.whole, snap.data.positions_for(snap.state.level)), NODE_FIELDS),
        "edges.csv": _csv_text(edge_rows(snap.whole), EDGE_FIELDS),
        "metrics.csv": _csv_text(records, metric_fields),
        "sources.csv": _csv_text(snap.whole_sources, source_fields),
        "view.json": json.dumps(export_metadata(snap), indent=1, ensure_ascii=False) + "\n",
    }


def write_csv(snap: Snapshot, path: Path) -> None:
    """``nodes.csv``, ``edges.csv``, ``metrics.csv``, ``sources.csv`` and ``view.json``: in a zip when
    ``path`` ends in ``.zip``, else in the folder ``path`` (which must exist and be empty)."""
    path = Path(path)
    files = csv_files(snap)
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, text in files.items():
                zf.writestr(name, text)
        return
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8", newline="")


# ---- JSON -------------------------------------------------------------------------------


def write_json(snap: Snapshot, path: Path) -> None:
    """Node-link JSON (:func:`explorer.formats.graph_to_nodelink`) with the export's metadata in ``graph``;
    every event edge also lists its events' ``dates`` (one per event, as in the other formats)."""
    view = snap.whole
    doc = graph_to_nodelink(view, export_metadata(snap))
    dated = event_dates(view)
    dates = {(frozenset((u, v)), k): _event_dates(d, dated) for u, v, k, d in view.edges(keys=True, data=True)}
    for e in doc["edges"]:
        if e.get("relation") == "event":
            e["dates"] = dates.get((frozenset((e["source"], e["target"])), e["key"]), [])
    doc["metrics"] = to_plain(snap.whole_metrics)
    Path(path).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
