"""Finding entities by id, name or alias, and suggesting the closest ones.

An entity can be named by its id (``sergey-lavrov``, ``CHN``), its name
(``Sergey Lavrov``) or one of its aliases.  Matching ignores case, accents and
the difference between spaces, hyphens and underscores, so ``"sergey lavrov"``,
``"Sergey-Lavrov"`` and ``"SERGEY_LAVROV"`` all name the same entity.  A name
that matches nothing raises :class:`~explorer.errors.UnknownEntityError`
carrying the closest ids (by :mod:`difflib` similarity, and by containing the
name as a word); a name shared by several entities raises
:class:`~explorer.errors.ArgumentError` listing them.

Entities are read from ``G.graph['entities']`` (so a filtered view still knows
every entity of its base graph), else from the graph's nodes.
"""

from __future__ import annotations

import difflib
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from .errors import ArgumentError, UnknownEntityError

__all__ = [
    "normalize_name",
    "entity_table",
    "find_entities",
    "suggest_entities",
    "resolve_entity",
    "resolve_entities",
]

_SEPARATORS = re.compile(r"[\s\-_.,'’]+")


def normalize_name(text: str) -> str:
    """The form names are compared in: case-folded, accents removed, separators as one space.

    >>> normalize_name("  Sergey-Lavrov ")
    'sergey lavrov'
    >>> normalize_name("Türkiye")
    'turkiye'
    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped.casefold()).strip()


def entity_table(G: nx.Graph) -> Mapping[str, Mapping]:
    """``id -> attributes`` of every entity ``G`` knows: ``G.graph['entities']``, else its nodes."""
    entities = G.graph.get("entities")
    if entities is None:
        return dict(G.nodes(data=True))
    return entities


@dataclass(frozen=True)
class _Index:
    """Normalised labels of a set of entities, built once per entity table."""

    ids: frozenset[str]
    by_label: dict[str, tuple[str, ...]]  # normalised label -> ids carrying it
    labels: tuple[str, ...]  # every normalised label, for difflib
    words: dict[str, tuple[str, ...]]  # a single word of a label -> ids


_INDEX_CACHE: OrderedDict[int, tuple[Mapping, int, _Index]] = OrderedDict()
_INDEX_LOCK = threading.Lock()
_INDEX_CACHE_SIZE = 8


def _labels_of(entity_id: str, attrs: Mapping) -> list[str]:
    aliases = attrs.get("aliases") or ()
    if isinstance(aliases, str):
        aliases = aliases.split(";")
    out = [entity_id, attrs.get("name") or "", *aliases]
    return [s for s in (normalize_name(a) for a in out) if s]


def _build_index(entities: Mapping[str, Mapping]) -> _Index:
    by_label: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    for eid, attrs in entities.items():
        for label in _labels_of(eid, attrs):
            ids = by_label.setdefault(label, [])
            if eid not in ids:
                ids.append(eid)
            for word in label.split(" "):
                wids = words.setdefault(word, [])
                if eid not in wids:
                    wids.append(eid)
    return _Index(
        ids=frozenset(entities),
        by_label={k: tuple(v) for k, v in by_label.items()},
        labels=tuple(by_label),
        words={k: tuple(v) for k, v in words.items()},
    )


def _index(G: nx.Graph) -> tuple[Mapping[str, Mapping], _Index]:
    entities = entity_table(G)
    # The table is shared by the base graph and all its views, so one index
    # serves them all; holding a reference keeps its id() from being reused.
    key = id(entities)
    with _INDEX_LOCK:
        hit = _INDEX_CACHE.get(key)
        if hit is not None and hit[0] is entities and hit[1] == len(entities):
            _INDEX_CACHE.move_to_end(key)
            return entities, hit[2]
    index = _build_index(entities)
    with _INDEX_LOCK:
        _INDEX_CACHE[key] = (entities, len(entities), index)
        _INDEX_CACHE.move_to_end(key)
        while len(_INDEX_CACHE) > _INDEX_CACHE_SIZE:
            _INDEX_CACHE.popitem(last=False)
    return entities, index


def _describe(eid: str, attrs: Mapping, matched: str) -> dict:
    return {
        "id": eid,
        "name": str(attrs.get("name") or eid),
        "kind": str(attrs.get("kind") or ""),
        "country": str(attrs.get("country") or ""),
        "matched": matched,
    }


def find_entities(G: nx.Graph, query: str, limit: int = 20) -> list[dict]:
    """Entities whose id, name or an alias matches ``query``, best first.

    Exact matches come first, then labels that start with the query, then labels
    that contain it.  Each result is a plain dict: ``id, name, kind, country`` and
    ``matched`` ('exact', 'prefix' or 'contains').  An empty query matches nothing.
    """
    entities, index = _index(G)
    q = normalize_name(query)
    if not q:
        return []
    found: dict[str, str] = {}
    for rank in ("exact", "prefix", "contains"):
        for label in index.labels:
            if rank == "exact":
                hit = label == q
            elif rank == "prefix":
                hit = label.startswith(q)
            else:
                hit = q in label
            if hit:
                for eid in index.by_label[label]:
                    found.setdefault(eid, rank)
    order = {"exact": 0, "prefix": 1, "contains": 2}
    ranked = sorted(found.items(), key=lambda item: (order[item[1]], item[0]))
    return [_describe(eid, entities[eid], how) for eid, how in ranked[:limit]]


def suggest_entities(G: nx.Graph, name: str, limit: int = 5, cutoff: float = 0.6) -> list[str]:
    """The ids of the entities whose labels are closest to ``name``, best first.

    Entities that have ``name`` as a whole word of a label (``lavrov`` for
    Sergey Lavrov) or as part of one come first; then difflib's close matches
    (similarity ratio at least ``cutoff``) over all ids, names and aliases;
    then entities with a word close to a word of ``name`` (ratio at least 0.75:
    ``lavorv`` for Sergey Lavrov).
    """
    _entities, index = _index(G)
    q = normalize_name(name)
    if not q:
        return []
    out: list[str] = []

    def add(ids: Iterable[str]) -> None:
        for eid in ids:
            if eid not in out:
                out.append(eid)

    for word in q.split(" "):
        add(sorted(index.words.get(word, ())))
    add(sorted({eid for label in index.labels if q in label for eid in index.by_label[label]}))
    for label in difflib.get_close_matches(q, index.labels, n=limit * 2, cutoff=cutoff):
        add(index.by_label[label])
    # A misspelt surname ("lavorv") is far from the full name but close to one of its words.
    for word in q.split(" "):
        if len(word) >= 3:
            for close in difflib.get_close_matches(word, index.words, n=limit * 2, cutoff=max(cutoff, 0.75)):
                add(sorted(index.words[close]))
    return out[:limit]


def resolve_entity(G: nx.Graph, name: str) -> str:
    """The id of the one entity named ``name`` (by id, name or alias).

    Raises :class:`~explorer.errors.UnknownEntityError` with the closest ids when
    nothing matches, :class:`~explorer.errors.ArgumentError` when several
    entities share the name.
    """
    entities, index = _index(G)
    if name in index.ids:
        return name
    ids = index.by_label.get(normalize_name(name), ())
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        raise ArgumentError(f"{name!r} names several entities: {', '.join(sorted(ids))}; use an id")
    raise UnknownEntityError(name, suggest_entities(G, name))


def resolve_entities(G: nx.Graph, names: str | Iterable[str]) -> list[str]:
    """Resolve a comma-separated string or a list of names to ids, in order, without repeats.

    The first name that matches no entity raises :class:`~explorer.errors.UnknownEntityError`;
    an empty list raises :class:`~explorer.errors.ArgumentError`.
    """
    if isinstance(names, str):
        names = names.split(",")
    out: list[str] = []
    for raw in names:
        raw = raw.strip()
        if not raw:
            continue
        eid = resolve_entity(G, raw)
        if eid not in out:
            out.append(eid)
    if not out:
        raise ArgumentError("no entity given")
    return out
