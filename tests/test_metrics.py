"""Metrics: hand-checkable graphs, agreement with networkx, the table, the cache, the registry docs."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from fractions import Fraction
from pathlib import Path

import networkx as nx
import pytest

from explorer import metrics as metrics_module
from explorer.errors import ArgumentError
from explorer.metrics import (
    IDENTITY_COLUMNS,
    METRICS,
    MetricParams,
    clear_metrics_cache,
    compute_metrics,
    metric_choices,
    metric_columns,
    metrics_markdown,
    prepare_graph,
    rank_values,
)
from explorer.views import project_to_countries, window_view

REPO = Path(__file__).resolve().parents[1]
NUMERIC = [m for m, spec in METRICS.items() if not spec.categorical]


def by_id(table, metric: str) -> dict:
    return dict(zip(table["id"], table[metric]))


def multigraph(edges) -> nx.MultiGraph:
    G = nx.MultiGraph()
    G.add_edges_from(edges)
    return G


def collapsed(G: nx.MultiGraph) -> nx.Graph:
    """The reference simple graph: weight = number of parallel edges (integer), distance = 1/weight."""
    S = nx.Graph()
    S.add_nodes_from(G)
    for u, v, d in G.edges(data=True):
        if u == v:
            continue
        w = d.get("weight", 1)
        if S.has_edge(u, v):
            S[u][v]["weight"] += w
        else:
            S.add_edge(u, v, weight=w)
    for _u, _v, d in S.edges(data=True):
        # Exact fractions: with floats, networkx misses equal paths whose lengths differ
        # only by rounding (1/2 + 1/6 vs 1/3 + 1/3); igraph compares with a tolerance.
        d["distance"] = Fraction(1, d["weight"])
    return S


def reference(G: nx.MultiGraph) -> dict[str, dict]:
    S = collapsed(G)
    return {
        "degree": dict(S.degree()),
        "weighted_degree": dict(S.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(S, weight="distance"),
        "closeness": nx.closeness_centrality(S),
        "eigenvector": nx.eigenvector_centrality(S, weight="weight", max_iter=100000, tol=1e-15)
        if S.number_of_edges()
        else {n: 1 / math.sqrt(len(S)) for n in S},
        "pagerank": nx.pagerank(S, weight="weight", max_iter=100000, tol=1e-15),
    }


# --- hand-checkable graphs ----------------------------------------------------


def test_star():
    G = multigraph([("hub", leaf) for leaf in "abcd"])
    t = compute_metrics(G)
    assert by_id(t, "degree") == {"hub": 4.0, "a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}
    assert by_id(t, "betweenness") == pytest.approx({"hub": 1.0, "a": 0.0, "b": 0.0, "c": 0.0, "d": 0.0})
    # A leaf is 1 hop from the hub and 2 from the 3 other leaves: 4 / 7.
    assert by_id(t, "closeness") == pytest.approx({"hub": 1.0, **{x: 4 / 7 for x in "abcd"}})
    # Leading eigenvector of a star with k leaves: hub 1/sqrt(2), leaves 1/sqrt(2k).
    assert by_id(t, "eigenvector") == pytest.approx({"hub": 1 / math.sqrt(2), **{x: 1 / math.sqrt(8) for x in "abcd"}})
    assert sum(by_id(t, "pagerank").values()) == pytest.approx(1.0)
    assert t["id"].tolist()[0] == "hub"
    assert by_id(t, "betweenness_rank") == {"hub": 1, "a": 2, "b": 2, "c": 2, "d": 2}


def test_path():
    G = multigraph([("a", "b"), ("b", "c"), ("c", "d")])
    t = compute_metrics(G)
    # b lies on the paths a-c and a-d: 2 of the 3 pairs of other nodes.
    assert by_id(t, "betweenness") == pytest.approx({"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0})
    assert by_id(t, "closeness") == pytest.approx({"a": 3 / 6, "b": 3 / 4, "c": 3 / 4, "d": 3 / 6})
    assert by_id(t, "degree") == {"a": 1.0, "b": 2.0, "c": 2.0, "d": 1.0}


def test_k4():
    G = multigraph(nx.complete_graph(4).edges())
    t = compute_metrics(G)
    for metric, value in {
        "degree": 3.0,
        "betweenness": 0.0,
        "closeness": 1.0,
        "eigenvector": 0.5,
        "pagerank": 0.25,
        "community": 0,
    }.items():
        assert by_id(t, metric) == pytest.approx(dict.fromkeys(range(4), value))
    assert set(t["pagerank_rank"]) == {1}  # all tie


def two_cliques() -> nx.MultiGraph:
    G = nx.MultiGraph()
    G.add_edges_from((f"a{i}", f"a{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edges_from((f"b{i}", f"b{j}") for i in range(4) for j in range(i + 1, 4))
    G.add_edge("a3", "b0")
    return G


def test_two_cliques_joined_by_a_bridge():
    t = compute_metrics(two_cliques())
    btw = by_id(t, "betweenness")
    # a3 carries the 3 x 4 paths from a0..a2 to the b clique: 12 of the 21 pairs of other nodes.
    assert btw["a3"] == pytest.approx(12 / 21)
    assert btw["b0"] == pytest.approx(12 / 21)
    assert btw["a0"] == pytest.approx(0.0)
    assert set(t.loc[t["betweenness_rank"] == 1, "id"]) == {"a3", "b0"}
    communities = by_id(t, "community")
    assert {communities[f"a{i}"] for i in range(4)} != {communities[f"b{i}"] for i in range(4)}
    assert len({communities[f"a{i}"] for i in range(4)}) == 1
    assert len({communities[f"b{i}"] for i in range(4)}) == 1


def test_parallel_edges_count_once_for_degree_and_each_for_weighted_degree():
    G = multigraph([("x", "y"), ("x", "y"), ("x", "y"), ("x", "z")])
    t = compute_metrics(G, ["degree", "weighted_degree"])
    assert by_id(t, "degree") == {"x": 2.0, "y": 1.0, "z": 1.0}
    assert by_id(t, "weighted_degree") == {"x": 4.0, "y": 3.0, "z": 1.0}


def test_edge_weight_attribute_is_summed_and_bad_weights_count_one():
    G = nx.MultiGraph()
    G.add_edge("CHN", "RUS", key="events", weight=5)
    G.add_edge("CHN", "RUS", key="aff", weight=None)
    G.add_edge("CHN", "BRA", key="x", weight=-2)
    pg = prepare_graph(G)
    assert dict(zip(zip(pg.sources, pg.targets), pg.weights)) == {(1, 2): 6.0, (0, 1): 1.0}


def test_betweenness_uses_inverse_weight_as_distance():
    # a-b-d (b-d met 5 times) is shorter than a-c-d when distance = 1/weight.
    G = multigraph([("a", "b"), ("a", "b"), ("a", "b"), *[("b", "d")] * 5, ("a", "c"), ("c", "d")])
    btw = by_id(compute_metrics(G, ["betweenness"]), "betweenness")
    assert btw["b"] > 0 and btw["c"] == pytest.approx(0.0)


def test_betweenness_counts_paths_equal_up_to_float_rounding():
    # a-b-c-d (weights 1, 6, 6) and a-x-d (weights 1, 3) are both 4/3 long; in floats
    # (1 + 1/6) + 1/6 != 1 + 1/3, so networkx on float distances sees only one of them.
    G = multigraph([("a", "b"), *[("b", "c")] * 6, *[("c", "d")] * 6, ("a", "x"), *[("x", "d")] * 3])
    ours = by_id(compute_metrics(G, ["betweenness"]), "betweenness")
    assert ours == pytest.approx(reference(G)["betweenness"], abs=1e-9)
    assert ours["x"] == pytest.approx(0.5 / 6)  # half of the a-d paths; 6 pairs of other nodes
    floats = nx.Graph((u, v, {"distance": 1 / d["weight"]}) for u, v, d in collapsed(G).edges(data=True))
    assert nx.betweenness_centrality(floats, weight="distance")["x"] != pytest.approx(ours["x"])


# --- agreement with networkx -----------------------------------------------------


def random_multigraph(seed: int, n: int = 60, m: int = 220) -> nx.MultiGraph:
    rng = random.Random(seed)
    G = nx.MultiGraph()
    G.add_nodes_from(f"n{i}" for i in range(n))
    for _ in range(m):
        u, v = rng.randrange(n), rng.randrange(n // 2 if rng.random() < 0.5 else n)
        if u != v:
            G.add_edge(f"n{u}", f"n{v}")
    # a second component, a pendant pair and isolated nodes
    G.add_edges_from([("p0", "p1"), ("p1", "p2"), ("p2", "p0"), ("p2", "p3"), ("q0", "q1")])
    G.add_nodes_from(["iso1", "iso2"])
    return G


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("metric", NUMERIC)
def test_matches_networkx(seed, metric):
    G = random_multigraph(seed)
    ours = by_id(compute_metrics(G, [metric]), metric)
    expected = reference(G)[metric]
    assert set(ours) == set(expected)
    for node, value in expected.items():
        assert ours[node] == pytest.approx(value, abs=1e-9), node


@pytest.mark.parametrize("metric", NUMERIC)
def test_matches_networkx_on_a_window_view_with_weights(metric):
    rng = random.Random(9)
    G = nx.MultiGraph()
    for i in range(400):
        u, v = rng.sample(range(40), 2)
        day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(730))
        G.add_edge(f"e{u}", f"e{v}", key=f"ev{i}", start=day, end=day, weight=rng.choice([1, 1, 2, 3]))
    view = window_view(G, dt.date(2024, 3, 1), dt.date(2024, 9, 30))
    expected = reference(nx.MultiGraph(view))[metric]
    ours = by_id(compute_metrics(view, [metric]), metric)
    assert ours == pytest.approx(expected, abs=1e-9)


def test_fast_and_generic_collapse_agree():
    G = random_multigraph(4)
    view = nx.subgraph_view(G, filter_edge=lambda u, v, k: (hash((min(u, v), max(u, v), k)) % 3) != 0)
    nested = view.subgraph([n for n in view if n != "n3"])
    for v in (G, view, nested, nx.Graph(view)):
        fast = prepare_graph(v)
        slow = {}
        for a, b, w in v.edges(data="weight", default=1):
            if a != b:
                slow[frozenset((a, b))] = slow.get(frozenset((a, b)), 0) + w
        got = {
            frozenset((fast.nodes[a], fast.nodes[b])): w for a, b, w in zip(fast.sources, fast.targets, fast.weights)
        }
        assert got == slow
        assert fast.nodes == sorted(v.nodes, key=str)


# --- the table ---------------------------------------------------------------------


def test_table_columns_and_plain_values():
    G = two_cliques()
    G.graph["entities"] = {n: {"name": n.upper(), "kind": "official", "country": "CHN"} for n in G}
    t = compute_metrics(G)
    assert list(t.columns) == metric_columns()
    assert list(t.columns[: len(IDENTITY_COLUMNS)]) == list(IDENTITY_COLUMNS)
    assert t.loc[t["id"] == "a0", "name"].item() == "A0"
    for m in METRICS:
        for value in t[m]:
            assert type(value) is (int if METRICS[m].categorical else float)
            assert math.isfinite(value)
        if METRICS[m].rank_column:
            assert all(type(r) is int for r in t[METRICS[m].rank_column])
    record = t.to_dict("records")[0]
    assert all(type(v) in (str, float, int) for v in record.values())


def test_country_column():
    G = multigraph([("CHN", "BRICS"), ("wang-yi", "CHN")])
    G.graph["entities"] = {
        "CHN": {"kind": "country", "name": "China"},
        "BRICS": {"kind": "organization", "name": "BRICS"},
        "wang-yi": {"kind": "official", "name": "Wang Yi", "country": "CHN"},
    }
    t = compute_metrics(G, ["degree"])
    assert by_id(t, "country") == {"CHN": "CHN", "BRICS": "", "wang-yi": "CHN"}


def test_rank_values_competition_and_float_noise():
    assert rank_values([3.0, 1.0, 3.0, 2.0]) == [1, 4, 1, 3]
    assert rank_values([0.1 + 0.2, 0.3]) == [1, 1]
    assert rank_values([]) == []


def test_metric_subset_and_order():
    t = compute_metrics(two_cliques(), ["pagerank", "degree", "pagerank"])
    assert list(t.columns) == [*IDENTITY_COLUMNS, "pagerank", "pagerank_rank", "degree", "degree_rank"]
    assert t["pagerank_rank"].tolist() == sorted(t["pagerank_rank"])


def test_unknown_metric():
    with pytest.raises(ArgumentError, match="unknown metric 'fame'"):
        compute_metrics(two_cliques(), ["fame"])


# --- bad input ----------------------------------------------------------------------


def test_empty_view():
    t = compute_metrics(nx.MultiGraph())
    assert t.empty and list(t.columns) == metric_columns()


def test_single_node():
    G = nx.MultiGraph()
    G.add_node("solo")
    row = compute_metrics(G).to_dict("records")[0]
    assert row["degree"] == 0.0 and row["betweenness"] == 0.0 and row["closeness"] == 0.0
    assert row["eigenvector"] == pytest.approx(1.0) and row["pagerank"] == pytest.approx(1.0)
    assert row["community"] == 0


def test_no_edges_and_two_nodes():
    G = nx.MultiGraph()
    G.add_nodes_from("abc")
    t = compute_metrics(G)
    assert by_id(t, "eigenvector") == pytest.approx(dict.fromkeys("abc", 1 / math.sqrt(3)))
    assert by_id(t, "pagerank") == pytest.approx(dict.fromkeys("abc", 1 / 3))
    assert sorted(by_id(t, "community").values()) == [0, 1, 2]
    t2 = compute_metrics(multigraph([("a", "b")]))
    assert by_id(t2, "betweenness") == {"a": 0.0, "b": 0.0}
    assert by_id(t2, "closeness") == pytest.approx({"a": 1.0, "b": 1.0})


def test_isolated_nodes_and_disconnected_graph():
    G = two_cliques()
    G.remove_edge("a3", "b0")
    G.add_node("iso")
    t = compute_metrics(G)
    assert by_id(t, "eigenvector")["iso"] == 0.0
    # Wasserman-Faust: each clique reaches 3 of 8 other nodes at distance 1.
    assert by_id(t, "closeness")["a0"] == pytest.approx(3 / 8)
    assert by_id(t, "closeness")["iso"] == 0.0
    assert len(set(by_id(t, "community").values())) == 3


def test_eigenvector_fallback_when_power_iteration_does_not_converge():
    G = random_multigraph(5)
    params = MetricParams(eigen_max_iter=2)
    t = compute_metrics(G, ["eigenvector"], params=params)
    assert "did not converge" in t.attrs["notes"]["eigenvector"]
    assert by_id(t, "eigenvector") == pytest.approx(reference(G)["eigenvector"], abs=1e-9)


def test_eigenvector_fallback_with_sparse_solver_on_a_large_graph():
    G = nx.MultiGraph(nx.gnm_random_graph(700, 3000, seed=3))
    t = compute_metrics(G, ["eigenvector"], params=MetricParams(eigen_max_iter=2))
    assert "directly" in t.attrs["notes"]["eigenvector"]
    assert by_id(t, "eigenvector") == pytest.approx(reference(G)["eigenvector"], abs=1e-9)


def test_eigenvector_last_resort_is_weighted_degree(monkeypatch):
    def fail(pg):
        raise ArithmeticError("no")

    monkeypatch.setattr(metrics_module, "_exact_eigenvector", fail)
    G = multigraph([("a", "b"), ("a", "b"), ("b", "c")])
    t = compute_metrics(G, ["eigenvector"], params=MetricParams(eigen_max_iter=1))
    assert "weighted degree" in t.attrs["notes"]["eigenvector"]
    norm = math.sqrt(2**2 + 3**2 + 1)
    assert by_id(t, "eigenvector") == pytest.approx({"a": 2 / norm, "b": 3 / norm, "c": 1 / norm})


def test_community_is_deterministic_and_numbered_by_size():
    G = random_multigraph(7)
    first = by_id(compute_metrics(G, ["community"]), "community")
    shuffled = nx.MultiGraph()
    nodes = list(G.nodes)
    random.Random(1).shuffle(nodes)
    shuffled.add_nodes_from(nodes)
    edges = list(G.edges())
    random.Random(2).shuffle(edges)
    shuffled.add_edges_from(edges)
    assert by_id(compute_metrics(shuffled, ["community"]), "community") == first
    sizes = [list(first.values()).count(c) for c in range(max(first.values()) + 1)]
    assert sizes == sorted(sizes, reverse=True)


# --- cache ---------------------------------------------------------------------------


def test_cache_returns_copies_fast():
    clear_metrics_cache()
    G = random_multigraph(8, n=300, m=3000)
    key = ("test", "cache")
    first = compute_metrics(G, cache_key=key)
    first.loc[0, "degree"] = -1.0
    t0 = time.perf_counter()
    again = compute_metrics(G, cache_key=key)
    assert time.perf_counter() - t0 < 0.010
    assert again is not first
    assert again.loc[0, "degree"] != -1.0
    assert again.equals(compute_metrics(G))
    assert compute_metrics(G, ["degree"], cache_key=key).columns.tolist() == metric_columns(["degree"])


def test_cache_is_bounded_and_key_must_be_hashable():
    clear_metrics_cache()
    G = multigraph([("a", "b")])
    for i in range(metrics_module.CACHE_SIZE + 10):
        compute_metrics(G, ["degree"], cache_key=i)
    assert len(metrics_module._CACHE) == metrics_module.CACHE_SIZE
    with pytest.raises(ArgumentError, match="hashable"):
        compute_metrics(G, cache_key=["not", "hashable"])
    clear_metrics_cache()


# --- registry and docs -----------------------------------------------------------------


def test_registry_entries_are_complete():
    for mid, spec in METRICS.items():
        assert spec.id == mid
        for text in (spec.label, spec.description, spec.multi_edges, spec.isolated, spec.normalisation):
            assert text.strip()
        assert spec.directed is False
    assert [c["value"] for c in metric_choices()] == list(METRICS)
    assert {"degree", "weighted_degree", "betweenness", "closeness", "eigenvector", "pagerank", "community"} <= set(
        METRICS
    )


def test_docs_table_is_generated_from_the_registry():
    rendered = metrics_markdown()
    for spec in METRICS.values():
        assert f"`{spec.id}`" in rendered
    doc = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert rendered in doc, (
        "docs/metrics.md is out of date: paste explorer.metrics.metrics_markdown() between its metrics-table markers"
    )


# --- the bundled data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled_graph():
    from explorer import build_graph, bundled_data_dir, load_dataset

    return build_graph(load_dataset(bundled_data_dir()))


@pytest.mark.parametrize("level", ["officials", "countries"])
def test_every_metric_is_fast_on_the_bundled_data(bundled_graph, level):
    view = window_view(bundled_graph)
    if level == "countries":
        view = project_to_countries(view)
    compute_metrics(view)  # warm imports
    for metric in METRICS:
        best = min(_timed(lambda m=metric: compute_metrics(view, [m])) for _ in range(3))
        assert best < 0.050, f"{metric} took {best * 1000:.1f} ms"


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_bundled_data_matches_networkx(bundled_graph):
    view = window_view(bundled_graph, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    table = compute_metrics(view)
    expected = reference(nx.MultiGraph(view))
    for metric in NUMERIC:
        assert by_id(table, metric) == pytest.approx(expected[metric], abs=1e-9), metric
