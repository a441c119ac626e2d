"""Questions about a view: ego networks, paths, changes between windows, metrics over time.

Every answer carries the facts behind it: a hop of a path, an edge added
between two windows, each names the events or affiliations that make it, with
their dates and sources (title, publisher, url from ``G.graph['sources']``).
Results are plain Python values (str, float, int, None, lists, dicts; dates as
ISO strings) or DataFrames of them, ready for JSON, Dash and the CLI.

Entities may be given by id, name or alias (see :mod:`explorer.lookup`).  A
name that matches no entity raises
:class:`~explorer.errors.UnknownEntityError` with suggestions; an entity that
exists but has no tie in the view is not an error -- its ego network is itself
alone, it has no path, its metrics are 0 with no rank.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from .errors import ArgumentError
from .lookup import entity_table, resolve_entities, resolve_entity
from .metrics import IDENTITY_COLUMNS, METRICS, MetricParams, compute_metrics
from .schema import AFFILIATION_KINDS
from .views import project_to_countries, window_view

__all__ = [
    "MAX_EGO_DEPTH",
    "FREQUENCIES",
    "SERIES_MODES",
    "LEVEL_TRANSFORMS",
    "ViewChanges",
    "describe_tie",
    "ties_between",
    "ego_network",
    "shortest_paths",
    "compare_views",
    "period_buckets",
    "metric_series",
]

MAX_EGO_DEPTH = 3
MAX_PATHS_ENUMERATED = 1000
MAX_BUCKETS = 1000

LEVEL_TRANSFORMS: dict[str, Callable[[nx.MultiGraph], nx.MultiGraph]] = {
    "officials": lambda view: view,
    "countries": project_to_countries,
}
"""Level id (see :data:`explorer.views.LEVELS`) -> the function turning a window into that level."""


# --- explaining ties -------------------------------------------------------


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, dt.date) else ""


def _name(G: nx.Graph, node) -> str:
    attrs = entity_table(G).get(node) or (G.nodes[node] if node in G else {})
    return str(attrs.get("name") or node)


def _sources(G: nx.Graph, ids: Iterable[str]) -> list[dict]:
    table = G.graph.get("sources", {})
    out = []
    for sid in ids:
        row = table.get(sid, {})
        out.append(
            {
                "id": str(sid),
                "title": str(row.get("title", "")),
                "publisher": str(row.get("publisher", "")),
                "url": str(row.get("url", "")),
                "published": str(row.get("published", "")),
            }
        )
    return out


def describe_tie(G: nx.Graph, u, v, key, data: dict) -> dict:
    """One edge as a plain dict a person can read and check.

    Keys: ``key``, ``u``/``v`` and their names, ``relation`` ('event' or
    'affiliation'), ``kind``, ``title``, ``start``/``end`` (ISO dates; ``end`` is
    '' for an ongoing affiliation), ``event`` (the event id, '' otherwise),
    ``events`` (the event ids of a country-level edge, else ``[event]`` or []),
    ``weight``, ``text`` (one line: date, kind, title or "A member of B") and
    ``sources`` (list of ``{id, title, publisher, url, published}``).
    Affiliations keep their direction in ``u`` -> ``v``.  When several data
    folders are open, ``folder`` names the folder the fact came from (for a
    country-level tie, its events' folders, ``;``-separated, in first-event
    order); with one folder there is no ``folder`` key, so nothing changes.
    """
    relation = str(data.get("relation", ""))
    kind = str(data.get("kind", ""))
    if relation == "affiliation" and data.get("source") is not None:
        u, v = data["source"], data["target"]
    start, end = _iso(data.get("start")), _iso(data.get("end"))
    event = str(data.get("event", "") or "")
    events = [str(e) for e in data.get("events", ())] or ([event] if event else [])
    if relation == "affiliation":
        label = AFFILIATION_KINDS.get(kind, (kind,))[0]
        title = str(data.get("title") or "")
        text = f"{_name(G, u)} {label} {_name(G, v)}" + (f" ({title})" if title else "")
        when = f"{start} to {end or 'now'}"
    else:
        title = str(data.get("title") or "")
        text = f"{kind}: {title}" if title else kind
        when = start if not end or end == start else f"{start} to {end}"
    weight = data.get("weight", 1)
    folder = _folder(G, data, events)
    return {
        "key": str(key),
        "u": u,
        "v": v,
        "u_name": _name(G, u),
        "v_name": _name(G, v),
        "relation": relation,
        "kind": kind,
        "title": str(data.get("title") or ""),
        "start": start,
        "end": end,
        "event": event,
        "events": events,
        "weight": float(weight) if isinstance(weight, (int, float)) else 1.0,
        "text": f"{when} {text}".strip(),
        "sources": _sources(G, data.get("sources", ())),
        **({"folder": folder} if folder else {}),
    }


def _folder(G: nx.Graph, data: dict, events: list[str]) -> str:
    """The folder of a fact, or the folders of a country-level tie's events ('' for one folder)."""
    if data.get("folder") or not data.get("events"):
        return str(data.get("folder") or "")
    table = G.graph.get("events", {})
    folders = (table.get(e, {}).get("folder", "") for e in events)
    return ";".join(dict.fromkeys(f for f in folders if f))


def _tie_order(tie: dict) -> tuple:
    return (tie["start"], tie["relation"], tie["key"])


def ties_between(view: nx.Graph, u, v) -> list[dict]:
    """Every edge joining ``u`` and ``v`` in the view, described (:func:`describe_tie`), by date."""
    if u not in view or v not in view[u]:
        return []
    data = view[u][v]
    items = data.items() if view.is_multigraph() else [(None, data)]
    return sorted((describe_tie(view, u, v, k, d) for k, d in items), key=_tie_order)


# --- ego networks and paths ------------------------------------------------


def ego_network(view: nx.Graph, node: str, depth: int = 1) -> nx.MultiGraph:
    """The nodes within ``depth`` hops (1 to :data:`MAX_EGO_DEPTH`) of ``node`` in the view, and every edge among them.

    Returns a new MultiGraph (the view is not changed) with the view's graph
    attributes, ``graph['ego']`` and ``graph['depth']``, and on each node a
    ``hops`` attribute (0 for the ego).  An entity with no tie in the view gives
    a graph of that node alone.  ``node`` may be an id, name or alias.

    Raises :class:`~explorer.errors.ArgumentError` for a depth outside 1-3 and
    :class:`~explorer.errors.UnknownEntityError` for an unknown entity.
    """
    if not isinstance(depth, int) or not 1 <= depth <= MAX_EGO_DEPTH:
        raise ArgumentError(f"depth must be 1 to {MAX_EGO_DEPTH}, not {depth!r}")
    node = resolve_entity(view, node)
    hops = nx.single_source_shortest_path_length(view, node, cutoff=depth) if node in view else {node: 0}
    H = nx.MultiGraph()
    H.graph.update(view.graph)
    H.graph["ego"] = node
    H.graph["depth"] = depth
    entities = entity_table(view)
    for n, h in sorted(hops.items(), key=lambda item: (item[1], str(item[0]))):
        attrs = view.nodes[n] if n in view else entities.get(n, {})
        H.add_node(n, **attrs, hops=h)
    if node in view:
        H.add_edges_from(view.subgraph(hops).edges(keys=True, data=True))
    return H


def _path_record(view: nx.Graph, nodes: list) -> dict:
    hops = []
    for a, b in itertools.pairwise(nodes):
        ties = ties_between(view, a, b)
        hops.append(
            {
                "source": a,
                "target": b,
                "source_name": _name(view, a),
                "target_name": _name(view, b),
                "ties": ties,
            }
        )
    return {
        "nodes": list(nodes),
        "names": [_name(view, n) for n in nodes],
        "length": len(nodes) - 1,
        "ties": sum(len(h["ties"]) for h in hops),
        "hops": hops,
    }


def shortest_paths(view: nx.Graph, source: str, target: str, max_paths: int = 5) -> list[dict]:
    """The shortest paths (fewest hops) from ``source`` to ``target`` in the view, explained.

    Each path is ``{nodes, names, length, ties, hops}``; each hop is ``{source,
    target, source_name, target_name, ties}`` where ``ties`` lists every event
    or affiliation joining the two (:func:`describe_tie`), by date.  Paths are
    ordered by the weakest hop's number of ties (paths whose every hop rests on
    many facts first), then total ties, then node ids; at most ``max_paths``
    (of the first :data:`MAX_PATHS_ENUMERATED` found) are returned.

    No path (different components, or an entity with no tie in the view) gives
    ``[]``; ``source == target`` gives one path of length 0.  Unknown names
    raise :class:`~explorer.errors.UnknownEntityError`.
    """
    if max_paths < 1:
        raise ArgumentError(f"max_paths must be at least 1, not {max_paths}")
    s, t = resolve_entity(view, source), resolve_entity(view, target)
    if s == t:
        return [_path_record(view, [s])]
    if s not in view or t not in view:
        return []
    try:
        found = list(itertools.islice(nx.all_shortest_paths(view, s, t), MAX_PATHS_ENUMERATED))
    except nx.NetworkXNoPath:
        return []

    def strength(path: list) -> tuple:
        counts = [view.number_of_edges(a, b) for a, b in itertools.pairwise(path)]
        return (-min(counts), -sum(counts), [str(n) for n in path])

    found.sort(key=strength)
    return [_path_record(view, p) for p in found[:max_paths]]


# --- changes between two views ----------------------------------------------


@dataclass(frozen=True)
class ViewChanges:
    """What changed from a view ``before`` to a view ``after``.

    ``nodes_added``/``nodes_removed``: ids, sorted.  ``edges_added`` /
    ``edges_removed``: described edges (:func:`describe_tie`), an edge being the
    same when it joins the same two nodes with the same key.  ``metrics``: one
    row per node of either view (see :func:`compare_views`).
    """

    nodes_added: list
    nodes_removed: list
    edges_added: list[dict]
    edges_removed: list[dict]
    metrics: pd.DataFrame

    def to_dict(self) -> dict:
        """Plain data: the lists, and the metrics table as a list of records."""
        return {
            "nodes_added": list(self.nodes_added),
            "nodes_removed": list(self.nodes_removed),
            "edges_added": list(self.edges_added),
            "edges_removed": list(self.edges_removed),
            "metrics": self.metrics.to_dict("records"),
        }


def _edge_ids(view: nx.Graph) -> dict[tuple, tuple]:
    out = {}
    if view.is_multigraph():
        edges = view.edges(keys=True, data=True)
    else:
        edges = ((u, v, None, d) for u, v, d in view.edges(data=True))
    for u, v, k, d in edges:
        a, b = sorted((u, v), key=str)
        out[(a, b, str(k))] = (u, v, k, d)
    return out


def _rank_change(before, after):
    return None if before is None or after is None else int(before) - int(after)


def compare_views(
    before: nx.Graph,
    after: nx.Graph,
    metrics: Iterable[str] | None = None,
    *,
    cache_keys: tuple[Hashable, Hashable] | None = None,
    params: MetricParams | None = None,
) -> ViewChanges:
    """Nodes and edges added and removed from ``before`` to ``after``, and per-node metric changes.

    The metrics table has ``id, name, kind, country, status`` ('added',
    'removed' or 'kept') and, for each ranked metric ``m``: ``m_before``,
    ``m_after``, ``m_delta`` (after - before), ``m_rank_before``,
    ``m_rank_after`` and ``m_rank_change`` (before - after: positive means the
    node moved up).  A node missing from a view counts 0 for its value there and
    has no rank (None), so its rank change is None.  A categorical metric
    (community) gets ``m_before``/``m_after`` labels only (None when missing):
    labels of two runs are not comparable.  Rows are ordered by the size of the
    change of the first ranked metric, largest first, then by id.
    ``cache_keys`` are passed on to :func:`~explorer.metrics.compute_metrics`.
    """
    wanted = list(metrics) if metrics is not None else list(METRICS)
    keys = cache_keys or (None, None)
    t0 = compute_metrics(before, wanted, keys[0], params=params).set_index("id", drop=False)
    t1 = compute_metrics(after, wanted, keys[1], params=params).set_index("id", drop=False)
    n0, n1 = set(before.nodes), set(after.nodes)
    e0, e1 = _edge_ids(before), _edge_ids(after)

    def described(view: nx.Graph, edges: dict, ids: Iterable[tuple]) -> list[dict]:
        ties = [describe_tie(view, *edges[i]) for i in ids]
        return sorted(ties, key=lambda t: (t["relation"], t["start"], t["key"], str(t["u"])))

    rows = []
    for node in sorted(n0 | n1, key=str):
        src = t1 if node in n1 else t0
        row = {c: src.at[node, c] for c in IDENTITY_COLUMNS}
        row["status"] = "kept" if node in n0 and node in n1 else ("added" if node in n1 else "removed")
        for m in wanted:
            spec = METRICS[m]
            b = t0.at[node, m] if node in n0 else None
            a = t1.at[node, m] if node in n1 else None
            if spec.categorical:
                row[f"{m}_before"], row[f"{m}_after"] = b, a
                continue
            rb = t0.at[node, spec.rank_column] if node in n0 else None
            ra = t1.at[node, spec.rank_column] if node in n1 else None
            b, a = (b if b is not None else 0.0), (a if a is not None else 0.0)
            row.update(
                {
                    f"{m}_before": b,
                    f"{m}_after": a,
                    f"{m}_delta": a - b,
                    f"{m}_rank_before": rb,
                    f"{m}_rank_after": ra,
                    f"{m}_rank_change": _rank_change(rb, ra),
                }
            )
        rows.append(row)
    columns = [*IDENTITY_COLUMNS, "status"]
    for m in wanted:
        if METRICS[m].categorical:
            columns += [f"{m}_before", f"{m}_after"]
        else:
            columns += [f"{m}_{s}" for s in ("before", "after", "delta", "rank_before", "rank_after", "rank_change")]
    first = next((m for m in wanted if not METRICS[m].categorical), None)
    if first:
        rows.sort(key=lambda r: -abs(r[f"{first}_delta"]))  # stable: ties stay in id order
    table = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns}, columns=columns)
    return ViewChanges(
        nodes_added=sorted(n1 - n0, key=str),
        nodes_removed=sorted(n0 - n1, key=str),
        edges_added=described(after, e1, e1.keys() - e0.keys()),
        edges_removed=described(before, e0, e0.keys() - e1.keys()),
        metrics=table,
    )


# --- metrics over time -------------------------------------------------------


@dataclass(frozen=True)
class Frequency:
    """A regular bucket size: its length in months and how a bucket is labelled."""

    months: int
    label: Callable[[dt.date], str]
    description: str


FREQUENCIES: dict[str, Frequency] = {
    "month": Frequency(1, lambda d: f"{d.year}-{d.month:02d}", "Calendar months (2024-01)."),
    "quarter": Frequency(3, lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}", "Calendar quarters (2024-Q1)."),
    "year": Frequency(12, lambda d: f"{d.year}", "Calendar years (2024)."),
}
"""Bucket sizes for :func:`metric_series`."""

SERIES_MODES: dict[str, str] = {
    "sliding": "Each point covers its own bucket (or the last `span` buckets up to it).",
    "cumulative": "Each point covers everything from the first bucket's start to its own end.",
}
"""How the window of each point of a series is chosen."""


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def period_buckets(start: dt.date, end: dt.date, freq: str) -> list[tuple[str, dt.date, dt.date]]:
    """The calendar buckets of ``freq`` covering [start, end]: ``(label, first day, last day)``.

    >>> [b[0] for b in period_buckets(dt.date(2023, 11, 5), dt.date(2024, 2, 1), "quarter")]
    ['2023-Q4', '2024-Q1']
    """
    if freq not in FREQUENCIES:
        raise ArgumentError(f"unknown frequency {freq!r}; choose from {', '.join(FREQUENCIES)}")
    if start > end:
        raise ArgumentError(f"the series starts {start.isoformat()}, after its end {end.isoformat()}")
    spec = FREQUENCIES[freq]
    first = _month_index(start) // spec.months * spec.months
    last = _month_index(end) // spec.months * spec.months
    if (last - first) // spec.months + 1 > MAX_BUCKETS:
        raise ArgumentError(f"more than {MAX_BUCKETS} {freq}s; choose a longer frequency or a shorter range")
    out = []
    for i in range(first, last + 1, spec.months):
        b0 = _month_start(i)
        b1 = _month_start(i + spec.months) - dt.timedelta(days=1)
        out.append((spec.label(b0), b0, b1))
    return out


def _event_range(G: nx.Graph) -> tuple[dt.date, dt.date] | None:
    starts, ends = [], []
    for _u, _v, d in G.edges(data=True):
        if d.get("relation") == "event" and isinstance(d.get("start"), dt.date):
            starts.append(d["start"])
            ends.append(d.get("end") or d["start"])
    if not starts:
        for _u, _v, d in G.edges(data=True):
            if isinstance(d.get("start"), dt.date):
                starts.append(d["start"])
                ends.append(d.get("end") or d["start"])
    return (min(starts), max(ends)) if starts else None


def metric_series(
    G: nx.Graph,
    nodes: str | Iterable[str],
    metric: str,
    freq: str = "quarter",
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    mode: str = "sliding",
    span: int = 1,
    level: str = "officials",
    params: MetricParams | None = None,
) -> pd.DataFrame:
    """A metric for chosen nodes over regular calendar buckets.

    For each bucket of ``freq`` (:data:`FREQUENCIES`) between ``start`` and
    ``end`` (default: the dates of the graph's events), the window is the
    bucket itself (``mode='sliding'``, widened to the last ``span`` buckets) or
    everything from the first bucket on (``mode='cumulative'``); the metric is
    computed on :func:`~explorer.views.window_view` of ``G`` at that ``level``.

    Returns a long table: ``period, start, end`` (ISO dates of the window),
    ``id, name, value, rank``; one row per bucket and node, in bucket order and
    the nodes' order.  A node with no tie in a window has value 0.0 and rank
    None.  For a categorical metric (community) ``value`` is the label (None
    when absent) and ``rank`` is None.  ``nodes`` may be ids, names or aliases
    (a list or a comma-separated string).  A graph with no dated edge and no
    ``start``/``end`` gives an empty table.
    """
    if metric not in METRICS:
        raise ArgumentError(f"unknown metric {metric!r}; choose from {', '.join(METRICS)}")
    if mode not in SERIES_MODES:
        raise ArgumentError(f"unknown mode {mode!r}; choose from {', '.join(SERIES_MODES)}")
    if level not in LEVEL_TRANSFORMS:
        raise ArgumentError(f"unknown level {level!r}; choose from {', '.join(LEVEL_TRANSFORMS)}")
    if not isinstance(span, int) or span < 1:
        raise ArgumentError(f"span must be a whole number of buckets, at least 1, not {span!r}")
    ids = resolve_entities(G, nodes)
    columns = ["period", "start", "end", "id", "name", "value", "rank"]
    if start is None or end is None:
        found = _event_range(G)
        if found is None:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        start, end = start or found[0], end or found[1]
    buckets = period_buckets(start, end, freq)
    spec = METRICS[metric]
    months = FREQUENCIES[freq].months
    rows = []
    for label, b0, b1 in buckets:
        if mode == "cumulative":
            w0 = buckets[0][1]
        else:
            w0 = _month_start(_month_index(b0) - months * (span - 1))
        view = LEVEL_TRANSFORMS[level](window_view(G, w0, b1))
        table = compute_metrics(view, [metric], params=params).set_index("id")
        for node in ids:
            present = node in table.index
            value = table.at[node, metric] if present else (None if spec.categorical else 0.0)
            rank = table.at[node, spec.rank_column] if present and spec.rank_column else None
            rows.append(
                {
                    "period": label,
                    "start": w0.isoformat(),
                    "end": b1.isoformat(),
                    "id": node,
                    "name": _name(G, node),
                    "value": value,
                    "rank": rank,
                }
            )
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns}, columns=columns)
