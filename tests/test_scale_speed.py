"""Whole windows of a large in-memory folder, answered from arrays built once per graph.

``views.window_top`` and ``views.window_countries`` stand in for ``top_nodes`` and
``project_to_countries`` on views that are a window and nothing else (the timeline moving over
a large folder); these tests check that they give the very same nodes, ties and attributes, in
the same order, on the bundled data and on a generated folder whose officials change country.
(Their speed is measured by ``bench/bench_scale.py``, not here.)
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from conftest import write_dataset

from explorer.paths import bundled_data_dir
from explorer.pipeline import apply_view, window_edges
from explorer.presenter import entity_options, prepare_app_data, render_view, view_graph
from explorer.views import project_edges_to_countries, top_nodes, window_countries, window_top
from explorer.viewstate import ViewState

COUNTRIES = ["CHN", "RUS", "IND", "BRA", "ZAF", "EGY"]


@pytest.fixture(scope="module")
def bundled():
    return prepare_app_data(bundled_data_dir())


@pytest.fixture(scope="module")
def moving(tmp_path_factory):
    """120 officials who change country half-way (by their offices), two organisations, and
    500 events of 2 to 5 participants over five years (some within one country, some lasting
    several days), with topics, confidences and sources drawn at random."""
    rng = random.Random(11)
    officials = [f"o{i}" for i in range(120)]
    entities = [{"id": c, "kind": "country", "name": c, "iso3": c} for c in COUNTRIES]
    entities += [{"id": g, "kind": "organization", "name": g} for g in ("BRICS", "SCO")]
    entities += [
        {"id": o, "kind": "official", "name": f"Official {i}", "country": COUNTRIES[i % 6]}
        for i, o in enumerate(officials)
    ]
    affiliations = []
    for i, o in enumerate(officials):
        first, second = COUNTRIES[i % 6], COUNTRIES[(i + 1 + i // 6) % 6]
        affiliations.append(
            dict(
                source=o,
                target=first,
                kind="office",
                title="Minister",
                start="2020-01-01",
                end="2022-06-30",
                status="confirmed",
                confidence="high",
                sources="S1",
            )
        )
        if i % 3:
            affiliations.append(
                dict(
                    source=o,
                    target=second,
                    kind="office",
                    title="Envoy",
                    start="2022-07-01",
                    status="confirmed",
                    confidence="high",
                    sources="S2",
                )
            )
    for c in COUNTRIES:
        for g, kind, start, end in (
            ("BRICS", "member", "2020-01-01", ""),
            ("SCO", "partner", "2021-03-01", "2023-01-01"),
        ):
            affiliations.append(
                dict(
                    source=c,
                    target=g,
                    kind=kind,
                    start=start,
                    end=end,
                    status="disputed" if c == "EGY" else "confirmed",
                    confidence="medium",
                    sources="S3",
                )
            )
    events, participants = [], []
    kinds = ["meeting", "summit", "call", "visit"]
    for i in range(500):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(5 * 365))
        end = day + dt.timedelta(days=rng.choice([0, 0, 0, 2]))
        eid = f"e{i:03d}"
        events.append(
            dict(
                id=eid,
                kind=rng.choice(kinds),
                title=f"Event {i}",
                start=day.isoformat(),
                end=end.isoformat() if end != day else "",
                precision="day",
                topics=rng.choice(["", "Trade:agreed", "Trade:discussed;Security:agreed"]),
                confidence=rng.choice(["high", "medium", "low"]),
                sources=";".join(sorted({f"S{rng.randrange(1, 9)}" for _ in range(2)})),
            )
        )
        for who in rng.sample(officials + COUNTRIES, rng.randint(2, 5)):
            participants.append(dict(event=eid, entity=who, role="participant"))
    sources = [
        dict(
            id=f"S{i}",
            title=f"Source {i}",
            publisher="Agency",
            url=f"https://example.org/{i}",
            published="2024-01-01",
            reliability="high",
        )
        for i in range(1, 9)
    ]
    folder = write_dataset(
        tmp_path_factory.mktemp("moving") / "data",
        {
            "entities": entities,
            "affiliations": affiliations,
            "events": events,
            "participants": participants,
            "sources": sources,
        },
    )
    return prepare_app_data(folder)


def windows(data) -> list[tuple]:
    first, last = data.span
    rng = random.Random(3)
    out = [(None, None), (first, last), (last - dt.timedelta(days=91), last), (first, first), (last, last)]
    for _ in range(10):
        a = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
        out.append((a, a + dt.timedelta(days=rng.choice([0, 6, 30, 400]))))
    return out


def state_of(a, b, **kw) -> ViewState:
    return ViewState(date_from=a.isoformat() if a else None, date_to=b.isoformat() if b else None, **kw)


@pytest.mark.parametrize("name", ["bundled", "moving"])
def test_a_window_at_country_level_is_the_projection_of_its_edges(name, request):
    data = request.getfixturevalue(name)
    for a, b in windows(data):
        expected = project_edges_to_countries(data.graph.graph, window_edges(data.graph, state_of(a, b)))
        got = window_countries(data.graph, a, b)
        assert list(got.nodes(data=True)) == list(expected.nodes(data=True)), (a, b)
        assert list(got.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True)), (a, b)


def test_the_officials_count_for_the_country_they_served_on_the_day(moving):
    """Every event tie joins the countries its officials served on the event's day (by their
    offices), whatever the window; officials themselves never appear at the country level."""
    from explorer.graph import official_country_at

    G = moving.graph
    for a, b in [(None, None), (dt.date(2021, 1, 1), dt.date(2021, 12, 31)), (dt.date(2023, 1, 1), None)]:
        P = window_countries(G, a, b)
        assert not any(moving.entities[n]["kind"] == "official" for n in P)
        for u, v, d in P.edges(data=True):
            if d["relation"] != "event":
                continue
            for eid in d["events"]:
                event = G.graph["events"][eid]
                placed = {official_country_at(G, p, event["start"]) or p for p, _ in event["participants"]}
                assert {u, v} <= placed, eid


@pytest.mark.parametrize("name", ["bundled", "moving"])
def test_the_top_of_a_window_is_ranked_as_top_nodes_ranks_it(name, request):
    data = request.getfixturevalue(name)
    rng = random.Random(5)
    for a, b in windows(data):
        edges = window_edges(data.graph, state_of(a, b))
        nodes = sorted({n for u, v, *_ in edges for n in (u, v)})
        for limit in (3, 20, 60):
            keep = [rng.choice(nodes)] if nodes else []
            around = rng.choice(nodes) if nodes else ""
            everyone, shown = top_nodes(edges, limit, keep, around, 8)
            top = window_top(data.graph, a, b, limit, keep, around, 8)
            assert (top.nodes, top.shown) == (len(everyone), shown), (a, b, limit)
            assert top.edges == [e for e in edges if e[0] in shown and e[1] in shown]
            assert top.edge_count == len(edges)
            assert top.event_count == len({d["event"] for *_, d in edges if d.get("event")})


@pytest.mark.parametrize("name", ["bundled", "moving"])
def test_the_dashboard_views_say_what_apply_view_says(name, request):
    """view_graph takes the arrays for plain windows, apply_view for the others: same graphs."""
    data = request.getfixturevalue(name)
    a, b = data.span
    states = [
        state_of(a, b, level="countries"),
        state_of(b - dt.timedelta(days=200), b, level="countries"),
        state_of(a, b, level="countries", min_weight=2),
        state_of(a, b, level="countries", relation_kinds=("meeting", "member")),
    ]
    for state in states:
        got, expected = view_graph(data, state), apply_view(data.graph, state, use_cache=False)
        assert list(got.nodes(data=True)) == list(expected.nodes(data=True)), state
        assert list(got.edges(keys=True, data=True)) == list(expected.edges(keys=True, data=True)), state
        assert got.graph["window"] == expected.graph["window"] and got.graph["view"] == expected.graph["view"]


def test_a_large_window_draws_the_same_top_as_before(moving, monkeypatch):
    """The dashboard's top view of a window, from the arrays, against the edge-by-edge ranking."""
    import explorer.presenter as presenter

    monkeypatch.setattr(presenter, "TOP_NODES", 40)
    state = state_of(*moving.span)
    result = render_view(moving, state)
    assert result.aggregated and result.counts["shown"] >= 40
    edges = window_edges(moving.graph, state)
    everyone, shown = top_nodes(edges, 40)
    assert set(result.view) == shown and result.counts["nodes"] == len(everyone)
    assert result.counts["edges"] == len(edges)
    assert {r["id"] for r in result.metrics} == shown  # the table lists every entity drawn
    assert result.view.number_of_edges() == sum(1 for u, v, *_ in edges if u in shown and v in shown)


def test_entity_options_are_sorted_by_name_and_filtered_by_kind(moving):
    everyone = entity_options(moving)
    assert len(everyone) == len(moving.entities)
    labels = [o["label"] for o in everyone]
    assert labels == sorted(labels, key=lambda s: s.rsplit(" (", 1)[0].casefold())
    countries = entity_options(moving, ("country",))
    assert [o["value"] for o in countries] == sorted(COUNTRIES)
    assert entity_options(moving) == everyone  # built once, the same answer every time


def test_the_exact_eigenvector_runs_blas_on_one_thread(monkeypatch):
    """On a busy server, OpenBLAS's threads cost far more than the work on a few hundred nodes."""
    import networkx as nx
    import numpy as np
    from threadpoolctl import threadpool_info

    from explorer import metrics

    seen = []
    eigh = np.linalg.eigh

    def spy(a):
        seen.append({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})
        return eigh(a)

    monkeypatch.setattr(np.linalg, "eigh", spy)
    # two separate triangles: the power iteration is stopped after one step, so the direct solver runs
    G = nx.MultiGraph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z")])
    table = metrics.compute_metrics(G, ["eigenvector"], params=metrics.MetricParams(eigen_max_iter=1))
    assert seen == [{1}]
    assert "computed the leading eigenvector directly" in table.attrs["notes"]["eigenvector"]
    assert table["eigenvector"].tolist() == pytest.approx([6**-0.5] * 6)
