"""Benchmark the metrics table against igraph's exact betweenness, side by side.

    python bench/bench_metrics.py                  # 2k/20k and 10k/100k, then the bundled data
    python bench/bench_metrics.py --sizes 2000:20000 --repeat 5

For each generated graph (a temporal MultiGraph like the ones imported event
data gives: heavy-tailed activity, repeated pairs, one year of dates) this
times, on one window view covering the year:

- ``table``: :func:`explorer.metrics.compute_metrics` with every metric, cold
  (collapsing the view, igraph and scipy work, ranks, the DataFrame);
- ``igraph betweenness``: igraph's exact weighted betweenness (distance =
  1/weight) alone, on the already-collapsed igraph graph;
- ``cached``: the same view again with a ``cache_key``.

Targets: table / igraph <= 1.5 at 2k/20k; table < 30 s at 10k/100k; cached <
10 ms; every metric on the bundled data < 50 ms.  Times are the median of
``--repeat`` runs (cold: the cache is not used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.metrics import METRICS, compute_metrics, prepare_graph  # noqa: E402
from explorer.views import window_view  # noqa: E402

__all__ = ["generate_graph", "time_call", "bench_generated", "bench_bundled", "main"]


def generate_graph(n_nodes: int, n_edges: int, seed: int = 7) -> nx.MultiGraph:
    """A temporal MultiGraph of ``n_nodes`` entities and ``n_edges`` event edges dated in 2024.

    Endpoints are drawn with heavy-tailed activity (a few entities meet often),
    so pairs repeat and the collapsed graph has weights above 1.
    """
    rng = random.Random(seed)
    G = nx.MultiGraph()
    ids = [f"n{i:05d}" for i in range(n_nodes)]
    kinds = ("official", "country", "organization")
    for i, node in enumerate(ids):
        G.add_node(node, kind=kinds[i % 3], name=f"Entity {i}", country="" if i % 3 else f"C{i % 50:02d}")
    activity = [rng.paretovariate(1.5) for _ in ids]
    day0 = dt.date(2024, 1, 1)
    edges = []
    while len(edges) < n_edges:
        u, v = rng.choices(ids, weights=activity, k=1)[0], rng.choice(ids)
        if u == v:
            continue
        day = day0 + dt.timedelta(days=rng.randrange(366))
        edges.append(
            (
                u,
                v,
                f"ev-{len(edges)}",
                {"relation": "event", "kind": "meeting", "start": day, "end": day, "sources": ()},
            )
        )
    G.add_edges_from(edges)
    G.graph["entities"] = {n: G.nodes[n] for n in G}
    G.graph["sources"] = {}
    return G


def time_call(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench_generated(n_nodes: int, n_edges: int, repeat: int) -> dict:
    G = generate_graph(n_nodes, n_edges)
    t0 = time.perf_counter()
    view = window_view(G, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    t_view = time.perf_counter() - t0
    pg = prepare_graph(view)
    g = pg.igraph
    t_igraph = time_call(lambda: g.betweenness(directed=False, weights="distance"), repeat)
    t_table = time_call(lambda: compute_metrics(view), repeat)
    key = ("bench", n_nodes, n_edges)
    compute_metrics(view, cache_key=key)
    t_cached = time_call(lambda: compute_metrics(view, cache_key=key), max(repeat, 5))
    t_each = {m: time_call(lambda m=m: compute_metrics(view, [m]), 1) for m in METRICS}
    return {
        "graph": f"{n_nodes}/{n_edges}",
        "nodes": len(view),
        "edges": view.number_of_edges(),
        "ties": len(pg.weights),
        "view": t_view,
        "table": t_table,
        "igraph": t_igraph,
        "ratio": t_table / t_igraph,
        "cached": t_cached,
        "each": t_each,
    }


def bench_bundled(repeat: int) -> list[dict]:
    from explorer.graph import build_graph
    from explorer.loader import load_dataset
    from explorer.paths import bundled_data_dir
    from explorer.views import project_to_countries

    G = build_graph(load_dataset(bundled_data_dir()))
    out = []
    for level, view in (("officials", window_view(G)), ("countries", project_to_countries(window_view(G)))):
        each = {m: time_call(lambda m=m, v=view: compute_metrics(v, [m]), repeat) for m in METRICS}
        table = time_call(lambda v=view: compute_metrics(v), repeat)
        out.append({"level": level, "nodes": len(view), "edges": view.number_of_edges(), "each": each, "table": table})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000:20000,10000:100000", help="nodes:edges,... (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the median is shown")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled dataset")
    args = parser.parse_args(argv)
    compute_metrics(nx.path_graph(4))  # import igraph and scipy outside the timings
    print(
        f"{'graph':>12} {'nodes':>6} {'edges':>7} {'ties':>7} {'view s':>7} {'table s':>8} "
        f"{'igraph btw s':>12} {'ratio':>6} {'cached ms':>9}"
    )
    for spec in args.sizes.split(","):
        n, m = (int(x) for x in spec.split(":"))
        r = bench_generated(n, m, args.repeat if n <= 5000 else 1)
        print(
            f"{r['graph']:>12} {r['nodes']:>6} {r['edges']:>7} {r['ties']:>7} {r['view']:>7.2f} "
            f"{r['table']:>8.3f} {r['igraph']:>12.3f} {r['ratio']:>6.2f} {r['cached'] * 1000:>9.2f}"
        )
        print("    each metric alone (s): " + ", ".join(f"{k} {v:.3f}" for k, v in r["each"].items()))
    if not args.no_bundled:
        for r in bench_bundled(max(args.repeat, 5)):
            print(
                f"bundled {r['level']}: {r['nodes']} nodes, {r['edges']} edges; full table "
                f"{r['table'] * 1000:.1f} ms; each metric (ms): "
                + ", ".join(f"{k} {v * 1000:.1f}" for k, v in r["each"].items())
            )


if __name__ == "__main__":
    main()
