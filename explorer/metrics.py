"""Centrality and community metrics of any view, from one registry.

:data:`METRICS` is the single table of metric definitions; the CLI choices,
the dashboard's dropdowns and ``docs/metrics.md`` (see :func:`metrics_markdown`)
are generated from it.  :func:`compute_metrics` computes any of them on any
view -- a time window, the country level, a filtered subgraph -- and returns
one table with a row per node.

How a view is read
------------------
Every metric works on the view *collapsed* to a simple undirected graph: the
parallel edges between two nodes (one per event, one per affiliation) become one
tie whose **weight** is the sum of their ``weight`` attributes, an edge without
a valid positive ``weight`` counting 1.  At the official level the weight of a
tie is therefore the number of events plus affiliations joining the two nodes;
at the country level an edge already carries the number of its events.
Self-loops are ignored.  Where a metric needs a distance, the distance of a tie
is ``1 / weight``: many meetings make two nodes close.  Affiliations have a
direction (official -> country, country -> organisation) but the metrics treat
every tie as undirected.  Every node of the view is a row, including isolated
nodes (views made with ``keep_isolated=True``).

The heavy metrics run in igraph (C) on the collapsed graph; the values are the
same as networkx's (to 1e-9) with networkx's default normalisation, which the
tests check.  One difference is deliberate: igraph compares path lengths with a
relative tolerance, so two paths whose lengths are equal but whose float sums
differ by rounding (1 + 1/6 + 1/6 against 1 + 1/3) are both shortest.  networkx
on float distances misses one of them; given exact fractions it agrees with us.

>>> import networkx as nx
>>> star = nx.MultiGraph([("hub", "a"), ("hub", "b"), ("hub", "c")])
>>> table = compute_metrics(star, ["degree", "betweenness"])
>>> table[["id", "degree", "betweenness", "betweenness_rank"]].values.tolist()
[['hub', 3.0, 1.0, 1], ['a', 1.0, 0.0, 2], ['b', 1.0, 0.0, 2], ['c', 1.0, 0.0, 2]]
"""

from __future__ import annotations

import math
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import networkx as nx
import pandas as pd

from .errors import ArgumentError

__all__ = [
    "MetricSpec",
    "MetricParams",
    "MetricValues",
    "PreparedGraph",
    "METRICS",
    "IDENTITY_COLUMNS",
    "metric_ids",
    "metric_choices",
    "metric_columns",
    "prepare_graph",
    "compute_metrics",
    "rank_values",
    "clear_metrics_cache",
    "metrics_markdown",
]

IDENTITY_COLUMNS = ("id", "name", "kind", "country")
"""The columns every metrics table starts with."""


@dataclass(frozen=True)
class MetricParams:
    """Parameters of the metrics, part of the cache key.

    ``seed`` seeds Louvain; ``damping`` is PageRank's; ``eigen_max_iter`` and
    ``eigen_tol`` bound the eigenvector power iteration (converged when the sum
    of absolute changes is below ``n * eigen_tol``).
    """

    seed: int = 42
    damping: float = 0.85
    eigen_max_iter: int = 1000
    eigen_tol: float = 1e-13


class MetricValues(NamedTuple):
    """What a metric function returns: one value per node (in ``PreparedGraph.nodes`` order) and an optional note."""

    values: list
    note: str = ""


@dataclass(frozen=True)
class MetricSpec:
    """One metric definition.

    ``compute`` takes a :class:`PreparedGraph` and :class:`MetricParams` and
    returns :class:`MetricValues`.  ``weighted`` and ``directed`` say whether it
    uses tie weights and edge direction; ``multi_edges``, ``isolated`` and
    ``normalisation`` say in a sentence how it treats parallel edges, isolated
    nodes and how it is scaled.  A ``categorical`` metric (community) holds
    labels, not scores, and gets no rank column.
    """

    id: str
    label: str
    description: str
    compute: Callable[[PreparedGraph, MetricParams], MetricValues]
    weighted: bool
    multi_edges: str
    isolated: str
    normalisation: str
    directed: bool = False
    categorical: bool = False

    @property
    def rank_column(self) -> str | None:
        """The name of the rank column, or None for a categorical metric."""
        return None if self.categorical else f"{self.id}_rank"


def _positive_weight(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 1.0
    value = float(value)
    return value if value > 0 and math.isfinite(value) else 1.0


@dataclass(eq=False)
class PreparedGraph:
    """A view collapsed to a simple weighted undirected graph over integer indices.

    ``nodes`` are the view's nodes sorted by id (so every result is independent
    of insertion order); tie ``i`` joins ``nodes[sources[i]]`` and
    ``nodes[targets[i]]`` with ``weights[i]`` (the summed weight of the
    parallel edges).  The igraph graph, the sparse adjacency matrix and the
    component sizes are built once, on first use.
    """

    nodes: list[str]
    sources: list[int]
    targets: list[int]
    weights: list[float]

    @property
    def n(self) -> int:
        return len(self.nodes)

    @cached_property
    def igraph(self):
        import igraph as ig

        g = ig.Graph(n=self.n, edges=list(zip(self.sources, self.targets, strict=False)), directed=False)
        g.es["weight"] = self.weights
        g.es["distance"] = [1.0 / w for w in self.weights]
        return g

    @cached_property
    def adjacency(self):
        """Symmetric ``scipy.sparse`` CSR matrix of tie weights."""
        import numpy as np
        import scipy.sparse as sp

        rows = np.array(self.sources + self.targets, dtype=np.int64)
        cols = np.array(self.targets + self.sources, dtype=np.int64)
        data = np.array(self.weights + self.weights, dtype=float)
        return sp.csr_matrix((data, (rows, cols)), shape=(self.n, self.n))

    @cached_property
    def component_sizes(self) -> list[int]:
        """For each node, the number of nodes in its connected component (itself included)."""
        membership = self.igraph.connected_components().membership
        sizes: dict[int, int] = {}
        for c in membership:
            sizes[c] = sizes.get(c, 0) + 1
        return [sizes[c] for c in membership]


def _unwrap(view: nx.Graph) -> tuple[nx.Graph, list[Callable]]:
    """The graph under a stack of ``nx.subgraph_view``s and their edge filters.

    Iterating a filtered view through networkx's layered views costs several
    Python calls per edge and direction; reading the base adjacency and calling
    each edge filter once per edge is several times faster on large windows.
    """
    filters = []
    graph = view
    while hasattr(graph, "_graph") and hasattr(graph, "_EDGE_OK") and hasattr(graph, "_NODE_OK"):
        if graph._EDGE_OK is not nx.filters.no_filter:
            filters.append(graph._EDGE_OK)
        graph = graph._graph
    return graph, filters


def _collapse(view: nx.Graph, index: dict) -> dict[tuple[int, int], float]:
    base, filters = _unwrap(view)
    ties: dict[tuple[int, int], float] = {}
    if not isinstance(base, nx.Graph) or base.is_directed() or not isinstance(getattr(base, "_adj", None), dict):
        for u, v, w in view.edges(data="weight", default=1):
            a, b = index[u], index[v]
            if a != b:
                pair = (a, b) if a < b else (b, a)
                ties[pair] = ties.get(pair, 0.0) + _positive_weight(w)
        return ties
    multi = base.is_multigraph()
    for u, nbrs in base._adj.items():
        a = index.get(u)
        if a is None:
            continue
        for v, data in nbrs.items():
            b = index.get(v)
            if b is None or b <= a:  # each pair once, from its lower index; no self-loops
                continue
            if multi:
                kept = [d for k, d in data.items() if all(f(u, v, k) for f in filters)]
                if kept:
                    ties[(a, b)] = sum(_positive_weight(d.get("weight", 1)) for d in kept)
            elif all(f(u, v) for f in filters):
                ties[(a, b)] = _positive_weight(data.get("weight", 1))
    return ties


def prepare_graph(view: nx.Graph) -> PreparedGraph:
    """Collapse a (multi)graph view into a :class:`PreparedGraph` (see the module docstring)."""
    nodes = sorted(view.nodes, key=str)
    index = {n: i for i, n in enumerate(nodes)}
    ties = _collapse(view, index)
    pairs = sorted(ties)
    return PreparedGraph(
        nodes=nodes,
        sources=[a for a, _ in pairs],
        targets=[b for _, b in pairs],
        weights=[ties[p] for p in pairs],
    )


# --- the metrics -----------------------------------------------------------


def _degree(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    out = [0.0] * pg.n
    for a, b in zip(pg.sources, pg.targets, strict=False):
        out[a] += 1.0
        out[b] += 1.0
    return MetricValues(out)


def _weighted_degree(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    out = [0.0] * pg.n
    for a, b, w in zip(pg.sources, pg.targets, pg.weights, strict=False):
        out[a] += w
        out[b] += w
    return MetricValues(out)


def _betweenness(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    n = pg.n
    if n < 3 or not pg.sources:
        return MetricValues([0.0] * n)
    raw = pg.igraph.betweenness(directed=False, weights="distance")
    # igraph counts each unordered pair once; networkx normalises by the number
    # of ordered pairs (n-1)(n-2) after counting each pair twice.
    scale = 2.0 / ((n - 1) * (n - 2))
    return MetricValues([float(b) * scale for b in raw])


def _closeness(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    n = pg.n
    if n < 2 or not pg.sources:
        return MetricValues([0.0] * n)
    raw = pg.igraph.closeness(mode="all", normalized=True)
    # igraph gives (r-1)/sum over the r reachable nodes; Wasserman-Faust scales
    # that by (r-1)/(n-1), as networkx does.  Isolated nodes (NaN) are 0.
    sizes = pg.component_sizes
    return MetricValues(
        [0.0 if (c != c or r < 2) else float(c) * (r - 1) / (n - 1) for c, r in zip(raw, sizes, strict=False)]
    )


def _one_blas_thread():
    """A context in which BLAS and LAPACK (NumPy's and SciPy's OpenBLAS) run on one thread.

    The matrices here are small (hundreds of nodes), and the server shares its cores with
    its other requests: OpenBLAS's threads then wait for each other far longer than they
    work (``eigh`` on 300 nodes: 1.5 s on a busy two-core machine, 15 ms on one thread)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _exact_eigenvector(pg: PreparedGraph):
    """The projection of the all-ones vector on the leading eigenspace, unit length (numpy array)."""
    import numpy as np
    from scipy.sparse.linalg import eigsh  # imported first, so that its OpenBLAS is limited too

    A = pg.adjacency
    n = pg.n
    with _one_blas_thread():
        if n <= 600:
            vals, vecs = np.linalg.eigh(A.toarray())
        else:
            k = min(8, n - 1)
            vals, vecs = eigsh(A, k=k, which="LA", v0=np.ones(n), maxiter=max(1000, 20 * n))
    top = vals.max()
    lead = vecs[:, vals >= top - 1e-9 * max(1.0, abs(top))]
    x = lead @ (lead.T @ np.ones(n))
    norm = np.linalg.norm(x)
    if not norm or not np.isfinite(norm):
        raise ArithmeticError("degenerate eigenvector")
    return np.abs(x / norm)


def _eigenvector(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    import numpy as np

    n = pg.n
    if n == 0:
        return MetricValues([])
    A = pg.adjacency
    x = np.full(n, 1.0 / n)
    for _ in range(params.eigen_max_iter):
        last = x
        x = last + A @ last
        x = x / (np.linalg.norm(x) or 1.0)
        if np.abs(x - last).sum() < n * params.eigen_tol:
            return MetricValues(_zero_isolated(pg, x))
    note = f"power iteration did not converge in {params.eigen_max_iter} iterations; "
    try:
        x = _exact_eigenvector(pg)
        note += "computed the leading eigenvector directly (projection of the all-ones vector on it)"
    except Exception:  # ARPACK failed too: fall back on the weighted degree, a crude but defined stand-in
        w = np.array(_weighted_degree(pg, params).values)
        x = w / (np.linalg.norm(w) or 1.0)
        note += "the direct solver failed too; used weighted degree scaled to unit length"
    return MetricValues(_zero_isolated(pg, x), note)


def _zero_isolated(pg: PreparedGraph, x) -> list[float]:
    """Isolated nodes' values decay towards 0 but stop at the tolerance; make them exactly 0."""
    import numpy as np

    if pg.sources:
        degree = np.asarray(pg.adjacency.getnnz(axis=1))
        if (degree == 0).any():
            x = np.where(degree == 0, 0.0, x)
            x = x / (np.linalg.norm(x) or 1.0)
    return [float(v) for v in x]


def _pagerank(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    n = pg.n
    if n == 0:
        return MetricValues([])
    if not pg.sources:
        return MetricValues([1.0 / n] * n)
    raw = pg.igraph.pagerank(directed=False, damping=params.damping, weights="weight")
    return MetricValues([float(v) for v in raw])


_RNG_LOCK = threading.Lock()


def _community(pg: PreparedGraph, params: MetricParams) -> MetricValues:
    import igraph as ig

    n = pg.n
    if n == 0:
        return MetricValues([])
    with _RNG_LOCK:
        # igraph draws on Python's `random` module by default; give it a seeded
        # generator of its own so the partition is the same on every run.
        ig.set_random_number_generator(random.Random(params.seed))
        try:
            membership = pg.igraph.community_multilevel(weights="weight" if pg.sources else None).membership
        finally:
            ig.set_random_number_generator(random)
    groups: dict[int, list[int]] = {}
    for i, c in enumerate(membership):
        groups.setdefault(c, []).append(i)
    # Number communities by size, largest first; ties by their first node id.
    order = sorted(groups.values(), key=lambda members: (-len(members), pg.nodes[members[0]]))
    labels = [0] * n
    for label, members in enumerate(order):
        for i in members:
            labels[i] = label
    return MetricValues(labels)


_WEIGHTED_TIES = "Parallel edges become one tie whose weight is their number (or summed weight)."

METRICS: dict[str, MetricSpec] = {
    spec.id: spec
    for spec in (
        MetricSpec(
            "degree",
            "Degree",
            "Number of distinct entities the node is tied to in the view.",
            _degree,
            weighted=False,
            multi_edges="Parallel edges count once: two nodes that met ten times are one neighbour.",
            isolated="0.",
            normalisation="None: a count of neighbours.",
        ),
        MetricSpec(
            "weighted_degree",
            "Weighted degree",
            "Number of events and affiliations the node takes part in (the number of meetings).",
            _weighted_degree,
            weighted=True,
            multi_edges="Every parallel edge counts; a country-level edge counts its events.",
            isolated="0.",
            normalisation="None: a sum of tie weights.",
        ),
        MetricSpec(
            "betweenness",
            "Betweenness",
            "Share of shortest paths between other nodes that pass through the node: who brokers between blocs.",
            _betweenness,
            weighted=True,
            multi_edges=_WEIGHTED_TIES + " Distance = 1/weight, so frequent contacts are short paths.",
            isolated="0; also 0 for every node of a view with fewer than 3 nodes.",
            normalisation="Divided by (n-1)(n-2)/2, the number of pairs of other nodes (networkx's normalized=True).",
        ),
        MetricSpec(
            "closeness",
            "Closeness",
            "How few hops separate the node from the nodes it can reach.",
            _closeness,
            weighted=False,
            multi_edges="Parallel edges count once; distance is the number of hops.",
            isolated="0.",
            normalisation="(r-1)/sum of distances to the r-1 reachable nodes, times (r-1)/(n-1) "
            "(Wasserman-Faust, networkx's default), so nodes in small components score low.",
        ),
        MetricSpec(
            "eigenvector",
            "Eigenvector",
            "Tied to nodes that are themselves well tied: influence by association.",
            _eigenvector,
            weighted=True,
            multi_edges=_WEIGHTED_TIES,
            isolated="0 when the view has ties (the limit of the iteration); 1/sqrt(n) for every node of a view with none.",
            normalisation="Unit Euclidean length, as networkx; power iteration on A+I from a uniform start. "
            "If it does not converge, the leading eigenvector is computed directly "
            "(the same limit), and if that fails, weighted degree scaled to unit length; "
            "the table's attrs['notes'] says so.",
        ),
        MetricSpec(
            "pagerank",
            "PageRank",
            "Chance a random walk along the ties is at the node (damping 0.85).",
            _pagerank,
            weighted=True,
            multi_edges=_WEIGHTED_TIES + " A walk follows a tie in proportion to its weight.",
            isolated="(1-d)/n plus an equal share of the mass isolated nodes spread uniformly (networkx's dangling nodes).",
            normalisation="Sums to 1 over the view.",
        ),
        MetricSpec(
            "community",
            "Community",
            "Louvain community (modularity, seeded: the same partition on every run).",
            _community,
            weighted=True,
            multi_edges=_WEIGHTED_TIES,
            isolated="A community of its own.",
            normalisation="Integer labels numbered by size: 0 is the largest community.",
            categorical=True,
        ),
    )
}
"""The metrics registry: metric id -> :class:`MetricSpec`, in display order."""


def metric_ids() -> list[str]:
    """Every metric id, in registry order."""
    return list(METRICS)


def metric_choices() -> list[dict[str, str]]:
    """``[{'label': ..., 'value': ...}]`` for a dropdown, in registry order."""
    return [{"label": spec.label, "value": spec.id} for spec in METRICS.values()]


def _check_metrics(metrics: Iterable[str] | str | None) -> tuple[str, ...]:
    if metrics is None:
        return tuple(METRICS)
    if isinstance(metrics, str):
        metrics = [metrics]
    out: list[str] = []
    for m in metrics:
        if m not in METRICS:
            raise ArgumentError(f"unknown metric {m!r}; choose from {', '.join(METRICS)}")
        if m not in out:
            out.append(m)
    return tuple(out)


def metric_columns(metrics: Iterable[str] | None = None) -> list[str]:
    """The columns of a metrics table: identity columns, then each metric followed by its rank."""
    cols = list(IDENTITY_COLUMNS)
    for m in _check_metrics(metrics):
        cols.append(m)
        if METRICS[m].rank_column:
            cols.append(METRICS[m].rank_column)
    return cols


def rank_values(values: Sequence[float]) -> list[int]:
    """Competition ranks, highest value first: ``[3, 1, 3, 2] -> [1, 4, 1, 3]``.

    Values equal to 12 significant digits tie, so float noise never splits a tie.

    >>> rank_values([3.0, 1.0, 3.0, 2.0])
    [1, 4, 1, 3]
    """
    keys = [float(f"{v:.12g}") for v in values]
    order = sorted(range(len(keys)), key=lambda i: -keys[i])
    ranks = [0] * len(keys)
    previous = None
    rank = 0
    for position, i in enumerate(order, start=1):
        if keys[i] != previous:
            rank = position
            previous = keys[i]
        ranks[i] = rank
    return ranks


def _country_of(node: str, attrs: dict) -> str:
    kind = attrs.get("kind")
    if kind == "country":
        return str(node)
    return str(attrs.get("country") or "")


def _compute_table(view: nx.Graph, metrics: tuple[str, ...], params: MetricParams) -> pd.DataFrame:
    pg = prepare_graph(view)
    entities = view.graph.get("entities") or {}
    columns: dict[str, list] = {c: [] for c in IDENTITY_COLUMNS}
    for node in pg.nodes:
        attrs = entities.get(node) or view.nodes[node]
        columns["id"].append(node)
        columns["name"].append(str(attrs.get("name") or node))
        columns["kind"].append(str(attrs.get("kind") or ""))
        columns["country"].append(_country_of(node, attrs))
    notes: dict[str, str] = {}
    for m in metrics:
        spec = METRICS[m]
        result = spec.compute(pg, params)
        if result.note:
            notes[m] = result.note
        columns[m] = [int(v) for v in result.values] if spec.categorical else [_finite(v) for v in result.values]
        if spec.rank_column:
            columns[spec.rank_column] = rank_values(columns[m])
    order = list(range(pg.n))
    first_ranked = next((METRICS[m].rank_column for m in metrics if METRICS[m].rank_column), None)
    if first_ranked:
        ranks = columns[first_ranked]
        order.sort(key=lambda i: ranks[i])  # stable: ties stay in id order
    cols = metric_columns(metrics)
    frame = pd.DataFrame(
        {c: pd.Series([columns[c][i] for i in order], dtype=object) for c in cols},
        columns=cols,
    )
    frame.attrs["notes"] = notes
    return frame


def _finite(value) -> float:
    value = float(value)
    return value if math.isfinite(value) else 0.0


_CACHE: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 64


def clear_metrics_cache() -> None:
    """Forget every cached metrics table."""
    with _CACHE_LOCK:
        _CACHE.clear()


def compute_metrics(
    view: nx.Graph,
    metrics: Iterable[str] | str | None = None,
    cache_key: Hashable | None = None,
    *,
    params: MetricParams | None = None,
) -> pd.DataFrame:
    """The metrics table of a view: one row per node.

    Columns: ``id, name, kind, country`` (for a country, its own id; for an
    official, the country of the entity; '' for an organisation), then each
    requested metric (all of :data:`METRICS` by default) followed by
    ``<metric>_rank`` (1 = highest; equal values share a rank) unless the metric
    is categorical.  Rows are ordered by the first ranked metric's rank, then by
    id.  Every cell is a plain Python value (str, float, int), never NaN or a
    numpy scalar.  ``frame.attrs['notes']`` maps a metric id to a sentence when a
    fallback was used (eigenvector non-convergence).

    An empty view gives an empty table with the same columns; a single node
    gets 0 for the path metrics, 1 for eigenvector and PageRank.

    ``cache_key``: a hashable fingerprint of the view state (the base data, the
    window, the level, the filters).  When given, the table is kept in a bounded
    LRU cache (:data:`CACHE_SIZE` entries) keyed on it, the metrics and
    ``params``, and a copy is returned, so a caller may modify what it gets.
    The caller promises that equal keys mean equal views.

    Raises :class:`~explorer.errors.ArgumentError` for an unknown metric or an
    unhashable ``cache_key``.
    """
    wanted = _check_metrics(metrics)
    params = params or MetricParams()
    if cache_key is None:
        return _compute_table(view, wanted, params)
    key = (cache_key, wanted, params)
    try:
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
            if hit is not None:
                _CACHE.move_to_end(key)
                return hit.copy()
    except TypeError:
        raise ArgumentError(f"cache_key must be hashable, not {type(cache_key).__name__}") from None
    table = _compute_table(view, wanted, params)
    with _CACHE_LOCK:
        _CACHE[key] = table
        _CACHE.move_to_end(key)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return table.copy()


def metrics_markdown() -> str:
    """The registry as a Markdown table (the one in ``docs/metrics.md``)."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    head = [
        "Metric",
        "Id",
        "What it measures",
        "Weights",
        "Direction",
        "Parallel edges",
        "Isolated nodes",
        "Normalisation",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for spec in METRICS.values():
        row = [
            spec.label,
            f"`{spec.id}`",
            spec.description,
            "yes" if spec.weighted else "no",
            "yes" if spec.directed else "no (undirected)",
            spec.multi_edges,
            spec.isolated,
            spec.normalisation,
        ]
        lines.append("| " + " | ".join(cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"
