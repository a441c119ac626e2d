"""Finding entities by id, name or alias, and suggesting the closest ones."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import pytest

from explorer.errors import ArgumentError, UnknownEntityError
from explorer.lookup import find_entities, normalize_name, resolve_entities, resolve_entity, suggest_entities
from explorer.views import window_view

ENTITIES = {
    "CHN": {"kind": "country", "name": "People's Republic of China", "aliases": ("China", "PRC", "中国")},
    "RUS": {"kind": "country", "name": "Russian Federation", "aliases": ("Russia",)},
    "TUR": {"kind": "country", "name": "Türkiye", "aliases": ("Turkey",)},
    "BRICS": {"kind": "organization", "name": "BRICS", "aliases": ()},
    "sergey-lavrov": {"kind": "official", "name": "Sergey Lavrov", "aliases": ("Sergei Lavrov",), "country": "RUS"},
    "sergey-ryabkov": {"kind": "official", "name": "Sergey Ryabkov", "aliases": (), "country": "RUS"},
    "ma-zhaoxu": {"kind": "official", "name": "Ma Zhaoxu", "aliases": ("马朝旭",), "country": "CHN"},
    "wang-yi": {"kind": "official", "name": "Wang Yi", "aliases": ("FM",), "country": "CHN"},
    "wang-wenbin": {"kind": "official", "name": "Wang Wenbin", "aliases": ("FM",), "country": "CHN"},
}


@pytest.fixture
def G() -> nx.MultiGraph:
    G = nx.MultiGraph()
    G.add_nodes_from(ENTITIES.items())
    G.add_edge("ma-zhaoxu", "sergey-lavrov", key="e1", start=dt.date(2024, 1, 30), end=dt.date(2024, 1, 30))
    G.graph["entities"] = {n: G.nodes[n] for n in G}
    return G


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Sergey-Lavrov ", "sergey lavrov"),
        ("SERGEY_LAVROV", "sergey lavrov"),
        ("Türkiye", "turkiye"),
        ("People's  Republic", "people s republic"),
        ("马朝旭", "马朝旭"),
    ],
)
def test_normalize_name(text, expected):
    assert normalize_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sergey-lavrov", "sergey-lavrov"),  # id
        ("Sergey Lavrov", "sergey-lavrov"),  # name
        ("sergey lavrov", "sergey-lavrov"),  # any case, space for hyphen
        ("Sergei Lavrov", "sergey-lavrov"),  # alias
        ("chn", "CHN"),  # id in another case
        ("China", "CHN"),
        ("prc", "CHN"),
        ("Turkiye", "TUR"),  # accents ignored
        ("马朝旭", "ma-zhaoxu"),
    ],
)
def test_resolve_by_id_name_or_alias(G, text, expected):
    assert resolve_entity(G, text) == expected


def test_unknown_name_gets_suggestions(G):
    with pytest.raises(UnknownEntityError) as info:
        resolve_entity(G, "lavorv")
    assert info.value.suggestions[0] == "sergey-lavrov"
    assert "did you mean: sergey-lavrov" in str(info.value)


def test_a_surname_suggests_the_person(G):
    with pytest.raises(UnknownEntityError) as info:
        resolve_entity(G, "Ryabkov")
    assert info.value.suggestions == ["sergey-ryabkov"]


def test_several_people_share_a_word(G):
    assert set(suggest_entities(G, "wang")) == {"wang-yi", "wang-wenbin"}
    with pytest.raises(UnknownEntityError):
        resolve_entity(G, "wang")


def test_nonsense_gets_no_suggestion(G):
    with pytest.raises(UnknownEntityError) as info:
        resolve_entity(G, "zzzzzz")
    assert info.value.suggestions == []
    assert str(info.value) == "unknown entity 'zzzzzz'"


def test_ambiguous_alias_is_an_argument_error(G):
    with pytest.raises(ArgumentError, match="wang-wenbin, wang-yi"):
        resolve_entity(G, "FM")


def test_resolves_entities_missing_from_a_view(G):
    view = window_view(G, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert len(view) == 0
    assert resolve_entity(view, "Russia") == "RUS"


def test_graph_without_entity_table():
    G = nx.Graph()
    G.add_node("x", name="Ex")
    assert resolve_entity(G, "ex") == "x"


def test_find_entities_orders_exact_prefix_contains(G):
    found = find_entities(G, "ser")
    assert [f["id"] for f in found] == ["sergey-lavrov", "sergey-ryabkov"]
    assert found[0] == {
        "id": "sergey-lavrov",
        "name": "Sergey Lavrov",
        "kind": "official",
        "country": "RUS",
        "matched": "prefix",
    }
    assert [f["matched"] for f in find_entities(G, "russia")] == ["exact"]
    assert [f["id"] for f in find_entities(G, "lavrov")] == ["sergey-lavrov"]
    assert find_entities(G, "") == []


def test_resolve_entities_list_and_string(G):
    assert resolve_entities(G, "CHN, Russia,CHN") == ["CHN", "RUS"]
    assert resolve_entities(G, ["Sergey Lavrov", "ma-zhaoxu"]) == ["sergey-lavrov", "ma-zhaoxu"]
    with pytest.raises(ArgumentError, match="no entity"):
        resolve_entities(G, " , ")
    with pytest.raises(UnknownEntityError):
        resolve_entities(G, "CHN,Atlantis")


def test_index_follows_a_new_entity_table(G):
    assert resolve_entity(G, "BRICS") == "BRICS"
    G.graph["entities"] = {**G.graph["entities"], "SCO": {"kind": "organization", "name": "Shanghai Cooperation"}}
    assert resolve_entity(G, "shanghai cooperation") == "SCO"


def test_bundled_data_names():
    from explorer import build_graph, bundled_data_dir, load_dataset

    G = build_graph(load_dataset(bundled_data_dir()))
    assert resolve_entity(G, "Sergey Lavrov") == "sergey-lavrov"
    assert resolve_entity(G, "china") == "CHN"
    with pytest.raises(UnknownEntityError) as info:
        resolve_entity(G, "Lavrof")
    assert "sergey-lavrov" in info.value.suggestions
