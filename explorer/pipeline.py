"""From the base graph and a :class:`ViewState` to the graph a user sees.

:func:`apply_view` runs the steps in a fixed order (window, relation and topic
filters, organisation and country filters, level, minimum weight, ego focus,
entity kinds) and caches the result by the data's and the view's fingerprints.
Filters are small predicate factories; nothing here mutates the base graph.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections import Counter, OrderedDict

import networkx as nx
import numpy as np

from .graph import official_country_at
from .views import project_edges_to_countries
from .viewstate import ViewState

__all__ = ["apply_view", "window_edges", "plain_view", "org_circle", "data_span"]

MEMBERSHIP_KINDS = ("founding_member", "member", "invited", "declined", "partner", "chair")
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 64


def data_span(G: nx.MultiGraph) -> tuple[dt.date, dt.date]:
    """The period the data is about: from the first event or organisation tie to the last
    date of any fact.  Offices alone do not open it (a minister in office since 1989
    does not make 1989 interesting); when there are only offices, they do."""
    facts = [d for *_, d in G.edges(data=True)]
    core = [d for d in facts if not (d.get("relation") == "affiliation" and d["kind"] == "office")] or facts
    dates = [d["start"] for d in facts] + [d["end"] for d in facts if d["end"]]
    return min(d["start"] for d in core), max(dates)


# ---- predicate factories ----------------------------------------------------------------


def relation_kinds_filter(kinds: tuple[str, ...]):
    wanted = set(kinds)
    return lambda d: d["kind"] in wanted


def topics_filter(topics: tuple[str, ...], outcomes: tuple[str, ...]):
    """Event edges with at least one matching (topic, outcome); affiliations pass."""
    t = {x.casefold() for x in topics}
    o = set(outcomes)

    def ok(d):
        if d["relation"] != "event":
            return True
        return any((not t or topic.casefold() in t) and (not o or outcome in o) for topic, outcome in d["topics"])

    return ok


def folders_filter(hidden: tuple[str, ...]):
    """Facts of the data folders not in ``hidden`` (a fact with no folder always passes)."""
    left_out = set(hidden)
    return lambda d: d.get("folder") not in left_out


def org_circle(edges, entities: dict, org: str) -> set[str]:
    """The organisation, the countries with a membership-type tie to it among ``edges``
    ((u, v, key, data) tuples), and the officials of those countries."""
    countries = set()
    for u, v, _, d in edges:
        if d["relation"] == "affiliation" and d["kind"] in MEMBERSHIP_KINDS and org in (u, v):
            countries.add(v if u == org else u)
    if not countries:
        return set()
    return {org} | countries | _officials_of(entities, countries)


def _officials_of(entities: dict, countries: set[str]) -> set[str]:
    return {n for n, a in entities.items() if a.get("kind") == "official" and a.get("country") in countries}


def _graph_of(G: nx.MultiGraph, edges) -> nx.MultiGraph:
    """A new MultiGraph of ``edges`` with the base graph's graph and node attributes."""
    H = nx.MultiGraph()
    H.graph.update(G.graph)
    ents = G.graph["entities"]
    nodes = {n for u, v, *_ in edges for n in (u, v)}
    H.add_nodes_from((n, ents.get(n, {})) for n in nodes)
    H.add_edges_from(edges)
    return H


def apply_view(G: nx.MultiGraph, state: ViewState, use_cache: bool = True) -> nx.MultiGraph:
    """The graph for a view state: a new MultiGraph, never a mutation of ``G``.

    Steps, in order: the date window (as-of windows included: ties whose
    interval overlaps it); relation kinds; topics and outcomes (event ties
    only); the organisation circle; countries (their country nodes and
    officials, and organisations); the level (country projection); minimum
    weight (meeting ties with fewer events are dropped); the ego network of
    ``focus`` at ``depth``; entity kinds.  Nodes left without a tie are
    dropped, except the focus itself.  Results are cached by the data's
    fingerprint and the view's.
    """
    key = (G.graph.get("fingerprint"), id(G), state.fingerprint())
    if use_cache and key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    start, end = state.window()
    ents = G.graph["entities"]
    edges = window_edges(G, state)
    if state.level == "countries":
        H = project_edges_to_countries(G.graph, edges)
    else:
        H = _graph_of(G, edges)

    if state.min_weight > 1:
        H = _apply_min_weight(H, state.min_weight)

    if state.focus:
        focus = state.focus
        if state.level == "countries" and ents.get(focus, {}).get("kind") == "official":
            focus = official_country_at(G, focus, end or dt.date.today()) or focus
        if focus in H:
            ego = nx.ego_graph(nx.Graph(H), focus, radius=state.depth)
            H = H.subgraph(ego.nodes).copy()
        else:
            H = nx.MultiGraph(graph=H.graph)

    if state.entity_kinds:
        kinds = set(state.entity_kinds)
        H = H.subgraph([n for n in H if H.nodes[n].get("kind") in kinds]).copy()
    if state.min_weight > 1 or state.entity_kinds:
        H.remove_nodes_from([n for n in list(H) if H.degree(n) == 0 and n != state.focus])
    H.graph["view"] = state.fingerprint()
    H.graph["window"] = (start, end)
    if state.hidden_folders:
        H.graph["hidden_folders"] = frozenset(state.hidden_folders)
    if use_cache:
        _CACHE[key] = H
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return H


def plain_view(state: ViewState) -> bool:
    """Whether the view of ``state`` is its :func:`window_edges` as they are (officials level,
    no minimum weight, focus or entity kinds): its nodes are then the ends of those edges."""
    return state.level != "countries" and state.min_weight <= 1 and not state.focus and not state.entity_kinds


def window_edges(G: nx.MultiGraph, state: ViewState) -> list[tuple]:
    """The first steps of :func:`apply_view`: the ``(u, v, key, data)`` edges of ``G`` in the
    window that pass the relation, topic, folder, organisation and country filters."""
    start, end = state.window()
    lo, hi = start or dt.date.min, end or dt.date.max
    ents = G.graph["entities"]

    checks = []
    if state.relation_kinds:
        checks.append(relation_kinds_filter(state.relation_kinds))
    if state.topics or state.outcomes:
        checks.append(topics_filter(state.topics, state.outcomes))
    if state.hidden_folders:
        checks.append(folders_filter(state.hidden_folders))
    # The window on arrays of the edges' dates, then the tie filters on the edges it keeps.
    listed, starts, ends = _edge_index(G)
    inside = np.flatnonzero((starts <= hi.toordinal()) & (ends >= lo.toordinal()))
    edges = [listed[i] for i in inside.tolist()]
    if checks:
        edges = [e for e in edges if all(c(e[3]) for c in checks)]
    keep_nodes: set[str] | None = None
    if state.org:
        keep_nodes = org_circle(edges, ents, state.org)
    if state.countries:
        wanted = set(state.countries)
        circle = wanted | _officials_of(ents, wanted) | {n for n, a in ents.items() if a.get("kind") == "organization"}
        keep_nodes = circle if keep_nodes is None else keep_nodes & circle
    if keep_nodes is not None:
        edges = [e for e in edges if e[0] in keep_nodes and e[1] in keep_nodes]
    return edges


_EDGE_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _edge_index(G: nx.MultiGraph) -> tuple[list[tuple], np.ndarray, np.ndarray]:
    """The edges of ``G`` in their iteration order, with their start and end days as arrays
    of ordinals (an open end is the last day there is); built once per graph (again if its
    number of edges changed: base graphs are never mutated, but a test's may be)."""
    hit = _EDGE_INDEX.get(G)
    if hit is not None and len(hit[0]) == G.number_of_edges():
        return hit
    listed = list(G.edges(keys=True, data=True))
    starts = np.fromiter((d["start"].toordinal() for *_, d in listed), dtype=np.int64, count=len(listed))
    last = dt.date.max.toordinal()
    ends = np.fromiter(
        (last if d["end"] is None else d["end"].toordinal() for *_, d in listed), dtype=np.int64, count=len(listed)
    )
    _EDGE_INDEX[G] = hit = (listed, starts, ends)
    return hit


def _apply_min_weight(H: nx.MultiGraph, min_weight: int) -> nx.MultiGraph:
    """Drop event ties between pairs with fewer than ``min_weight`` events."""
    counts: Counter = Counter()
    for u, v, d in H.edges(data=True):
        if d["relation"] == "event":
            counts[frozenset((u, v))] += d.get("weight", 1)
    drop = [
        (u, v, k)
        for u, v, k, d in H.edges(keys=True, data=True)
        if d["relation"] == "event" and counts[frozenset((u, v))] < min_weight
    ]
    H = H.copy()
    H.remove_edges_from(drop)
    return H
