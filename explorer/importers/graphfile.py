"""``explorer import gexf|graphml FILE``: a graph file (ours, Gephi's, another tool's) into a data folder.

The file is read with networkx (:func:`networkx.read_gexf`, with a reader that
also takes GEXF's ``dateTime`` and ``timestamp`` forms, and
:func:`networkx.read_graphml`); then:

- **Our own exports** (``explorer export --format gexf|graphml``: their edges
  carry ``relation``) come back as the facts they were made from.  Nodes are
  entities with their ids and attributes; an affiliation edge is that
  affiliation (its start written as in the data, from its key); the edges of
  one event (keyed by its id) are that event, with every entity they join as
  a participant.  At country level a tie lists its events (``events``): each
  becomes an event of the countries whose ties list it, dated by its own spell
  when the file has one per event, else by the days every tie that lists it
  shares.  Sources are named by id: the ``--data`` folder's source of that id
  when it has one (the bundled data by default), else a stub.  Dates come back
  as the same days (a whole month or year is written as that month or year);
  the roles of participants (host, guest) are not in an export and come back
  as ``participant``.
- **Other files** (Gephi, yEd, Cytoscape): a node is an entity found by its
  label (or ``name``, or id) among the ``--data`` folder's entities, else a
  country by name, else a new entity of its ``kind``/``type`` attribute or
  ``--node-kind``.  An edge is a tie of the kind its ``kind``, ``type`` or
  ``relation`` attribute names (mapped to the nearest relation, or
  ``--default-kind``), dated by its spells (one tie per spell), its
  ``start``/``end`` or its ``date``; an edge with no date is refused.

Problems name the file, the node or edge (its id) and the attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from xml.etree.ElementTree import ElementTree, ParseError

import networkx as nx
from networkx.readwrite.gexf import GEXFReader

from .. import schema
from ..dates import parse_partial, precision_of
from .facts import FactSet, Reference, Where, cell_date, compact_interval, entity_kind
from .reader import InputError

__all__ = ["GRAPH_FORMATS", "read_graph_file", "graph_facts", "import_graph_file"]

GRAPH_FORMATS = {"gexf": "GEXF (Gephi, Gephi Lite)", "graphml": "GraphML (yEd, Cytoscape, igraph, networkx)"}
"""The graph-file importers, by command name."""

_NODE_KIND_ATTRS = ("kind", "type", "category")
_EDGE_KIND_ATTRS = ("kind", "type", "relation", "relationship")
_LABEL_ATTRS = ("name", "label", "title")


class _GEXFReader(GEXFReader):
    """networkx's GEXF reader, taking also ``timeformat="dateTime"``, spells or edges with only one bound and
    GEXF 1.3's timestamps (``<spell timestamp=...>``, ``timestamp=`` and ``timestamps=`` on an element)."""

    def __call__(self, stream):
        self.xml = ElementTree(file=stream)
        root = self.xml.getroot()
        known = {v["NS_GEXF"] for v in self.versions.values()}
        ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if root.tag.rpartition("}")[2] == "gexf" and ns not in known:
            # Another namespace spelling (http://gexf.net/1.2, https://..., none at all): read as GEXF 1.3.
            self.set_version("1.3")
            for el in root.iter():
                space, _, local = el.tag[1:].partition("}") if el.tag.startswith("{") else ("", "", el.tag)
                base = self.NS_VIZ if space.rstrip("/").endswith("viz") else self.NS_GEXF
                el.tag = f"{{{base}}}{local}"
            return self.make_graph(root.find(f"{{{self.NS_GEXF}}}graph"))
        for version in ("1.3", *self.versions):  # networkx's own search, without parsing the file again
            self.set_version(version)
            graph = self.xml.find(f"{{{self.NS_GEXF}}}graph")
            if graph is not None:
                break
        return self.make_graph(graph)

    def make_graph(self, graph_xml):
        if graph_xml is None:
            raise nx.NetworkXError("No <graph> element in GEXF file.")
        timeformat = graph_xml.get("timeformat")
        if timeformat in (None, "date", "dateTime", "datetime"):
            graph_xml.set("timeformat", "date")  # read as text; the importer parses it
        self.python_type = {**self.python_type, "date": str, "dateTime": str}
        return super().make_graph(graph_xml)

    def add_start_end(self, data, xml):
        for attr in ("start", "end", "timestamp"):
            value = xml.get(attr)
            if value is not None:
                data[attr] = value
        stamps = xml.get("timestamps")
        if stamps:
            data["timestamps"] = [s for s in re.split(r"[\s,;<>\[\]]+", stamps) if s]
        return data

    def add_spells(self, data, node_or_edge_xml):
        spells_element = node_or_edge_xml.find(f"{{{self.NS_GEXF}}}spells")
        if spells_element is not None:
            spells = []
            for s in spells_element.findall(f"{{{self.NS_GEXF}}}spell"):
                stamp = s.get("timestamp")
                spells.append((stamp, stamp) if stamp is not None else (s.get("start"), s.get("end")))
            data["spells"] = spells
        return data


def read_graph_file(path: str | Path, fmt: str) -> nx.Graph:
    """The graph in the GEXF or GraphML file ``path``, as networkx reads it (attribute values as written).

    Raises :class:`~.reader.InputError` naming the file when it is missing or not of the format.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        if fmt == "gexf":
            with open(path, "rb") as fh:
                return _GEXFReader(node_type=None, version="1.3")(fh)
        return nx.read_graphml(path, force_multigraph=True)
    except ParseError as exc:
        raise InputError(f"{path.name}: not an XML file ({exc})") from None
    except (nx.NetworkXError, KeyError, ValueError, TypeError) as exc:
        raise InputError(f"{path.name}: not a {fmt.upper()} file networkx can read ({exc})") from None


def _first(data: dict, names: tuple[str, ...]) -> str:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _day(facts: FactSet, where: Where, value: object) -> str | None:
    try:
        return cell_date(value)
    except ValueError as exc:
        facts.problem(where, str(exc))
        return None


def _split(text: object) -> list[str]:
    return [s.strip() for s in str(text or "").split(";") if s.strip()]


def _ours(G: nx.Graph) -> bool:
    return any(d.get("relation") in ("event", "affiliation") for _u, _v, d in G.edges(data=True))


def _edge_name(k, d: dict) -> str:
    return f"edge {str(d.get('id') or d.get('key') or k)!r}"


def _edges(G: nx.Graph):
    if G.is_multigraph():
        yield from G.edges(keys=True, data=True)
    else:
        for u, v, d in G.edges(data=True):
            yield u, v, d.get("id"), d


# ---- our own exports ---------------------------------------------------------------------


def _our_nodes(facts: FactSet, G: nx.Graph, where: Where) -> dict[str, str]:
    ids: dict[str, str] = {}
    for n, a in G.nodes(data=True):
        here = where.at(f"node {str(n)!r}")
        kind = a.get("kind") if a.get("kind") in schema.ENTITY_KINDS else None
        if kind is None:
            facts.problem(here.at(field="kind"), f"{a.get('kind')!r} is not an entity kind")
            continue
        eid = facts.describe_entity(
            here,
            str(a.get("name") or a.get("label") or n),
            kind,
            country=str(a.get("country") or ""),
            aliases=str(a.get("aliases") or ""),
            iso3=str(a.get("iso3") or ""),
            wikidata=str(a.get("wikidata") or ""),
            note=str(a.get("note") or ""),
            eid=str(n),
        )
        if eid is not None:
            ids[n] = eid
    return ids


_AFF_KEY = re.compile(r"aff:(?P<kind>[a-z_]+):(?P<source>.+)>(?P<target>.+):(?P<start>[0-9]{4}(?:-[0-9]{2}){0,2})")


def _bounds(d: dict) -> tuple[str, str]:
    """An edge's first and last day: GEXF's start/end, else the plain start_date/end_date (GEXF for
    readers that drop GEXF's dates) or start/end (GraphML) attributes."""
    start = d.get("start") if d.get("start") not in (None, "") else d.get("start_date")
    end = d.get("end") if d.get("end") not in (None, "") else d.get("end_date")
    return str(start or ""), str(end or "")


def _event_dates(d: dict) -> list[tuple[str, str]]:
    """The ``dates`` attribute of an event edge: (start, end) per event, ``DAY`` or ``DAY/DAY`` each."""
    out = []
    for item in _split(d.get("dates")):
        start, _, end = item.partition("/")
        out.append((start, end or start))
    return out


def _our_affiliation(facts: FactSet, here: Where, a: str, b: str, k, d: dict) -> None:
    kind = str(d.get("kind") or "")
    if kind not in schema.AFFILIATION_KINDS:
        facts.problem(here.at(field="kind"), f"{kind!r} is not an affiliation kind")
        return
    first, last = _bounds(d)
    start = _day(facts, here.at(field="start"), first)
    end = _day(facts, here.at(field="end"), last)
    if start is None or end is None:
        return
    key = _AFF_KEY.fullmatch(str(d.get("key") or k or ""))
    if key and start and key["start"] != start and _first_day(key["start"]) == start:
        start = key["start"]  # the date as the data wrote it (2006-02), not its first day
    if end and precision_of(start) != "day":
        # Written as precisely as its start when it is the last day of such a period (2021 to 2021-12-31: 2021).
        coarse = end[: len(start)]
        if parse_partial(coarse)[1].isoformat() == end:
            end = coarse
    facts.add_affiliation(
        here,
        kind,
        a,
        b,
        start,
        end,
        title=str(d.get("title") or ""),
        status=str(d.get("status") or "confirmed"),
        confidence=str(d.get("confidence") or "medium"),
        sources=facts.cite_ids(_split(d.get("sources"))) or facts.cite_file(),
        note=str(d.get("note") or ""),
    )


def _first_day(text: str) -> str:
    """The first day of a partial date, '' when it is not a date."""
    try:
        return parse_partial(text)[0].isoformat()
    except ValueError:
        return ""


def _spells(d: dict) -> list[tuple[str, str]]:
    out = []
    for s, e in d.get("spells") or ():
        out.append(("" if s in (None, "None") else str(s), "" if e in (None, "None") else str(e)))
    return out


def _our_edges(facts: FactSet, G: nx.Graph, ids: dict[str, str], where: Where) -> None:
    events: dict[str, dict] = {}
    listed: dict[str, dict] = {}  # country level: event id -> what the ties listing it say
    for u, v, k, d in _edges(G):
        here = where.at(_edge_name(k, d))
        if u not in ids or v not in ids:
            continue  # its node was refused, and said so
        a, b = ids[u], ids[v]
        relation = d.get("relation")
        if relation == "affiliation":
            _our_affiliation(facts, here, a, b, k, d)
        elif relation == "event" and d.get("events") not in (None, ""):
            event_ids = _split(d.get("events"))
            # One date per event: the plain 'dates' attribute, else one spell per event (explorer 0.2 on);
            # an export of 0.1 has only the tie's first and last day.
            spells = _event_dates(d) or _spells(d)
            per_event = len(spells) == len(event_ids)
            for i, eid in enumerate(event_ids):
                item = listed.setdefault(
                    eid, {"pairs": [], "bounds": [], "confidence": [], "sources": None, "where": here}
                )
                item["pairs"] += [a, b]
                item["bounds"].append((spells[i] if per_event else _bounds(d), per_event))
                item["confidence"].append(str(d.get("confidence") or "medium"))
                srcs = set(_split(d.get("sources")))
                item["sources"] = srcs if item["sources"] is None else item["sources"] & srcs
        elif relation == "event":
            eid = str(d.get("event") or d.get("key") or k)
            item = events.setdefault(eid, {"people": [], "d": d, "where": here})
            item["people"] += [a, b]
        else:
            facts.problem(here.at(field="relation"), f"{relation!r} is neither event nor affiliation")
    for eid, item in events.items():
        d, here = item["d"], item["where"]
        kind = str(d.get("kind") or "")
        if kind not in schema.EVENT_KINDS:
            facts.problem(here.at(field="kind"), f"{kind!r} is not an event kind")
            continue
        dates = _event_dates(d)
        first, last = dates[0] if len(dates) == 1 else _bounds(d)
        start = _day(facts, here.at(field="start"), first)
        end = _day(facts, here.at(field="end"), last)
        if not start or end is None:
            if start == "":
                facts.problem(here.at(field="start"), "no date")
            continue
        start, end = compact_interval(start, end or start)
        facts.add_event(
            here,
            kind,
            item["people"],
            start,
            end,
            title=str(d.get("title") or ""),
            confidence=str(d.get("confidence") or "medium"),
            sources=facts.cite_ids(_split(d.get("sources"))) or facts.cite_file(),
            note=str(d.get("note") or ""),
            place=str(d.get("place") or ""),
            place_country=str(d.get("place_country") or ""),
            topics=str(d.get("topics") or ""),
            event_id=eid,
        )
    for eid, item in listed.items():
        _listed_event(facts, eid, item)


def _listed_event(facts: FactSet, eid: str, item: dict) -> None:
    """An event of a country-level export, known by the ties that list it."""
    here = item["where"]
    exact = [b for b, per_event in item["bounds"] if per_event]
    bounds = exact or [b for b, _ in item["bounds"]]
    try:
        starts = [cell_date(s) for s, _ in bounds if s]
        ends = [cell_date(e or s) for s, e in bounds if e or s]
    except ValueError as exc:
        facts.problem(here.at(field="start"), str(exc))
        return
    if not starts:
        facts.problem(here.at(field="start"), f"event {eid!r}: no date")
        return
    # Every tie listing the event spans its date: the event lies in the days they all share.
    start, end = max(starts), min(ends) if ends else max(starts)
    if end < start:
        end = start
    start, end = compact_interval(start, end)
    note = "From a country-level export: the event's participants are the countries whose ties list it"
    note += "." if exact or not end else "; its date lies between its start and end."
    # The ties of several events carry the confidence of one of them: the lowest is the one to keep.
    levels = [c for c in item["confidence"] if c in schema.CONFIDENCE] or ["medium"]
    confidence = max(levels, key=schema.CONFIDENCE.index)
    facts.add_event(
        here,
        "meeting",
        item["pairs"],
        start,
        end,
        title=eid,
        confidence=confidence,
        sources=facts.cite_ids(sorted(item["sources"] or ())) or facts.cite_file(),
        note=note,
        event_id=eid,
    )


# ---- other files -------------------------------------------------------------------------


def _other_nodes(facts: FactSet, G: nx.Graph, where: Where) -> dict[str, str]:
    ids: dict[str, str] = {}
    for n, a in G.nodes(data=True):
        here = where.at(f"node {str(n)!r}")
        label = _first(a, _LABEL_ATTRS) or str(n)
        kind_text = _first(a, _NODE_KIND_ATTRS)
        kind = entity_kind(kind_text) if kind_text else None
        found = facts.find_existing(label) or facts.find_existing(str(n))
        if found and len(found) == 1:
            ids[n] = facts.resolve(here, found[0])
            continue
        if kind is None and kind_text and facts.node_kind is None:
            facts.problem(
                here.at(field="kind"), f"unknown node kind {kind_text!r}; expected {', '.join(schema.ENTITY_KINDS)}"
            )
            continue
        if kind is None:
            eid = facts.resolve(here, label)
        else:
            eid = facts.describe_entity(
                here, label, kind, country=str(a.get("country") or ""), wikidata=str(a.get("wikidata") or "")
            )
        if eid is not None:
            ids[n] = eid
    return ids


def _intervals(facts: FactSet, here: Where, d: dict) -> list[tuple[str, str]] | None:
    """The dates of an edge: its spells, timestamps, start/end or date, as (start, end) pairs."""
    pairs: list[tuple[object, object]] = []
    if d.get("spells"):
        pairs = list(_spells(d))
    elif d.get("timestamps"):
        pairs = [(s, "") for s in d["timestamps"]]
    elif d.get("start") not in (None, "") or d.get("end") not in (None, ""):
        pairs = [(d.get("start"), d.get("end"))]
    elif _first(d, ("date", "timestamp", "day", "year")):
        pairs = [(_first(d, ("date", "timestamp", "day", "year")), "")]
    out = []
    for s, e in pairs:
        start = _day(facts, here.at(field="start"), s)
        end = _day(facts, here.at(field="end"), e)
        if start is None or end is None:
            return None
        if not start:
            facts.problem(here.at(field="start"), "no start date (a spell or tie with only an end)")
            return None
        out.append((start, end))
    if not out:
        facts.problem(here, "no date: every tie needs one (spells, start/end or a date attribute)")
        return None
    return out


def _other_edges(facts: FactSet, G: nx.Graph, ids: dict[str, str], where: Where, options) -> None:
    for u, v, k, d in _edges(G):
        here = where.at(_edge_name(k, d))
        if u not in ids or v not in ids:
            continue
        a, b = ids[u], ids[v]
        if a == b:
            facts.problem(here, f"a tie needs two different entities; both ends are {a}")
            continue
        kind_note = facts.kind_of(
            here.at(field="kind"), _first(d, _EDGE_KIND_ATTRS) or None, options.default_kind, options.unknown_kinds
        )
        dates = _intervals(facts, here, d)
        if kind_note is None or dates is None:
            continue
        kind, mapped = kind_note
        url = _first(d, ("url", "source_url", "link"))
        sources = facts.cite_urls(here.at(field="url"), url) if url else None
        if url and sources is None:
            continue
        sources = sources or facts.cite_ids(_split(d.get("sources"))) or facts.cite_file()
        title = _first(d, ("title", "label"))
        note = " ".join(x for x in (str(d.get("note") or ""), mapped) if x)
        confidence = str(d.get("confidence") or ("medium" if url else "low"))
        for start, end in dates:
            if kind in schema.AFFILIATION_KINDS:
                facts.add_affiliation(
                    here, kind, a, b, start, end, title=title, confidence=confidence, sources=sources, note=note
                )
            else:
                facts.add_event(
                    here, kind, [a, b], start, end, title=title, confidence=confidence, sources=sources, note=note
                )


def graph_facts(G: nx.Graph, reference: Reference, label: str, content: bytes = b"", options=None) -> FactSet:
    """The facts of the graph ``G`` read from the file ``label``; problems are in ``facts.problems``."""
    from .table import TableOptions

    options = options or TableOptions()
    facts = FactSet(reference, label, content, node_kind=options.node_kind)
    where = Where(label)
    if _ours(G):
        ids = _our_nodes(facts, G, where)
        _our_edges(facts, G, ids, where)
    else:
        ids = _other_nodes(facts, G, where)
        _other_edges(facts, G, ids, where, options)
    # In date order, whatever the order of the file's edges, so the same graph gives the same folder.
    facts.events.sort(key=lambda e: (parse_partial(e["start"])[0], e["id"]))
    order = {e["id"]: i for i, e in enumerate(facts.events)}
    facts.participants.sort(key=lambda p: (order[p["event"]], p["entity"]))
    facts.affiliations.sort(key=lambda a: (parse_partial(a["start"])[0], a["source"], a["target"], a["kind"]))
    return facts


def import_graph_file(
    path: str | Path,
    fmt: str,
    out: str | Path,
    reference: Reference,
    options=None,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> list[str]:
    """Import the GEXF or GraphML file ``path`` into the new data folder ``out``; return the summary lines.

    ``out`` is never ``path`` nor one of ``inputs`` (the reference's folders), nor a folder that holds one.
    """
    path = Path(path)
    G = read_graph_file(path, fmt)
    facts = graph_facts(G, reference, path.name, path.read_bytes(), options)
    facts.write(out, force=force, inputs=[path, *inputs])
    what = "explorer export" if _ours(G) else fmt.upper() + " file"
    read = f"{G.number_of_nodes():,} nodes and {G.number_of_edges():,} edges read from the {what} {path.name}"
    return facts.summary_lines(str(out), read)
