"""The event store: imported and large event sets, queried by window with DuckDB.

The curated CSV folder stays the source of truth; :func:`build_store` (see
:mod:`explorer.store_build`) writes it once as Parquet tables, and :func:`open_store`
opens one or several such stores (a curated folder and an import, say) in an in-process
DuckDB database.  Nothing is read into Python at opening but the entities and the offices.

A view is answered by :func:`window_ties`: one SQL query that filters the pairs of
participants of the window's events (the ``dyads`` table) by the view's filters and
aggregates them to **ties**, one per pair and event kind (per pair at the country level),
with the number of events as the weight, the first and last date, a bounded sample of the
event ids and their sources, plus the affiliations that overlap the window.
:func:`window_graph` builds a networkx ``MultiGraph`` from those ties only, shaped like
:func:`explorer.pipeline.apply_view`'s result so that :func:`explorer.metrics.compute_metrics`
and :func:`explorer.figures.make_network_figure` take it as they are:

- the same nodes, with the entities' attributes, and ``G.graph['entities']``, ``['offices']``,
  ``['sources']``, ``['events']`` (the last two read from the store on demand), ``['window']``,
  ``['view']``, ``['fingerprint']`` and, at the country level, ``['level']``;
- event ties with ``relation='event'``, ``kind``, ``weight`` (events), ``start``/``end``,
  ``events`` (ids in date order; the latest :data:`EVENT_SAMPLE` when there are more, with
  ``truncated=True``), ``sources`` (of those events), ``kinds``, ``topics``, ``title``,
  ``status``, ``confidence``; the metrics and the figure read the sum of the weights between
  two nodes, which is the number of events, as on the per-event graph;
- affiliation edges exactly as :func:`explorer.graph.build_graph` makes them.

The steps and their order are those of :func:`~explorer.pipeline.apply_view`, so the two
give the same nodes and the same ties with the same weights (the tests check it); the ego
focus, the entity kinds and the dropping of isolated nodes run in Python on the small
aggregated result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pandas as pd

from . import schema
from .errors import ArgumentError, DataError, ExplorerError, Problem
from .graph import affiliation_key, event_record, official_country_at
from .loader import parse_topics
from .pipeline import MEMBERSHIP_KINDS
from .store_build import MANIFEST, STORE_FILES, STORE_VERSION, build_store, read_manifest, store_is_current
from .viewstate import ViewState

__all__ = [
    "EVENT_SAMPLE",
    "MAX_SAMPLE",
    "Store",
    "StoreEvents",
    "StoreSources",
    "build_store",
    "store_is_current",
    "open_store",
    "window_ties",
    "window_graph",
    "base_graph",
    "layout_graph",
    "data_span",
    "events_per_day",
    "topic_names",
    "key_events",
    "solo_events",
    "NODE_COLUMNS",
    "TIE_COLUMNS",
]

EVENT_SAMPLE = 200
"""The most event ids a tie carries (its latest ones); its ``weight`` is always the full count."""
MAX_SAMPLE = 999_999
"""The most event ids a tie can carry whatever ``sample`` asks (DuckDB's ``max_by`` keeps fewer
than a million); a tie with more keeps ``truncated=True``."""
NODE_COLUMNS = ("id", "kind", "name", "country", "iso3")
TIE_COLUMNS = (
    "u",
    "v",
    "key",
    "relation",
    "kind",
    "weight",
    "start",
    "end",
    "events",
    "truncated",
    "sources",
    "title",
    "status",
    "confidence",
    "kinds",
    "topics",
    "source",
    "target",
    "start_precision",
    "end_precision",
    "note",
    "layout_weight",
)
"""The columns of :func:`window_ties`'s ties frame (see :func:`window_graph` for their meaning)."""

_LOOKUP_CACHE = 4096
_WINDOW_CACHE = 32


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (text or "").split(schema.LIST_SEP) if s.strip())


def _source_ids(texts: list[str]) -> tuple[str, ...]:
    """The distinct source ids of ``;``-separated lists, sorted (most lists hold one id)."""
    out: set[str] = set()
    for text in texts:
        if ";" in text or text != text.strip():
            out.update(_split(text))
        elif text:
            out.add(text)
    return tuple(sorted(out))


# ---- opening ------------------------------------------------------------------------------


@dataclass(eq=False)
class Store:
    """One or several event stores opened together, read-only.

    ``entities`` (id -> the node attributes :func:`~explorer.graph.build_graph` gives) and
    ``offices`` (official -> (start, end, country, title) in start order) are in memory;
    ``events`` and ``sources`` are mappings read from the store on demand.  Queries run on
    a DuckDB cursor of the calling thread, so one store serves many threads.
    """

    paths: tuple[Path, ...]
    fingerprint: str
    entities: dict[str, dict]
    offices: dict[str, list]
    counts: dict[str, int]
    _con: object = field(repr=False)
    folders: tuple[str, ...] = ()
    """The data folders the facts come from (see :func:`open_store`); empty for one plain folder."""
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        self.events = StoreEvents(self)
        self.sources = StoreSources(self)

    def _cursor(self):
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    def query(self, sql: str, params: dict | Sequence | None = None) -> list[tuple]:
        """Rows of a SQL query on the store's views (``entities``, ``affiliations``, ``events``,
        ``participants``, ``sources``, ``dyads``, ``solo``)."""
        return self._cursor().execute(sql, params or {}).fetchall()

    def query_records(self, sql: str, params: dict | Sequence | None = None) -> list[dict]:
        """Rows of a SQL query as dicts by column name."""
        result = self._cursor().execute(sql, params or {})
        names = [d[0] for d in result.description]
        return [dict(zip(names, r, strict=True)) for r in result.fetchall()]

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _sql_list(paths: Iterable[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _folder_replace(label: str) -> str:
    quoted = "'" + label.replace("'", "''") + "'"
    return f" REPLACE (coalesce(nullif(folder, ''), {quoted}) AS folder)"


def open_store(
    paths: str | Path | Iterable[str | Path],
    *,
    labels: Sequence[str] | None = None,
    threads: int = 2,
    memory_limit: str = "512MB",
) -> Store:
    """Open one store folder (what :func:`build_store` returns), or several as one.

    Several stores are read as the union of their tables: an entity, a source or an
    affiliation found in more than one is taken from the first store that has it; an
    event id found in two is an error (the same events imported twice would count twice).
    Every event, affiliation and source keeps the data folder it came from in ``folder``,
    as :func:`explorer.loader.load_datasets` names it: the folder a merged folder's own
    ``folder`` column names, else the label of its store (``labels``, one per store; by
    default :func:`explorer.merge.folder_labels` of the data folders the stores were built
    from).  ``Store.folders`` lists them; a single plain folder has none.
    ``threads`` and ``memory_limit`` bound DuckDB (beyond the limit it spills to disk).
    """
    import duckdb

    if isinstance(paths, str | Path):
        paths = [paths]
    folders = tuple(Path(p) for p in paths)
    if not folders:
        raise ArgumentError("open_store: no store given")
    manifests = []
    for folder in folders:
        manifest = read_manifest(folder)
        missing = [n for n in STORE_FILES if not (folder / n).is_file()]
        if manifest is None or missing:
            raise ArgumentError(f"{folder}: not an explorer store (no {MANIFEST} or {', '.join(missing)} missing)")
        if manifest.get("version") != STORE_VERSION:
            raise ArgumentError(
                f"{folder}: a store of layout {manifest.get('version')!r}, not {STORE_VERSION}; build it again"
            )
        manifests.append(manifest)
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    con.execute("SET enable_progress_bar = false")
    keyed = {
        "entities": "id",
        "sources": "id",
        "affiliations": "source, target, kind, start",
    }
    if len(folders) > 1 and labels is None:
        from .merge import folder_labels

        labels = folder_labels([m.get("data") or f for m, f in zip(manifests, folders, strict=True)])
    if labels is not None and len(labels) != len(folders):
        raise ArgumentError(f"open_store: {len(labels)} folder labels for {len(folders)} stores")
    for table in ("entities", "affiliations", "events", "participants", "sources", "dyads", "solo"):
        files = [f / f"{table}.parquet" for f in folders]
        # A fact's folder: the one a merged folder's own column names, else the label of its store.
        provenance = table != "participants" and labels is not None
        if len(files) == 1 and not provenance:
            body = f"SELECT * FROM read_parquet({_sql_list(files)})"
        else:
            parts = " UNION ALL BY NAME ".join(
                f"SELECT *{_folder_replace(labels[i]) if provenance else ''}, {i} AS store_rank "
                f"FROM read_parquet({_sql_list([p])})"
                for i, p in enumerate(files)
            )
            if table in keyed:
                body = (
                    f"SELECT * EXCLUDE (store_rank) FROM ({parts}) "
                    f"QUALIFY row_number() OVER (PARTITION BY {keyed[table]} ORDER BY store_rank) = 1"
                )
            else:
                body = f"SELECT * EXCLUDE (store_rank) FROM ({parts})"
        con.execute(f"CREATE VIEW {table} AS {body}")
    if len(folders) > 1:
        dup = con.execute("SELECT id FROM events GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 5").fetchall()
        if dup:
            con.close()
            raise DataError(
                ", ".join(str(f) for f in folders),
                [
                    Problem("events.csv", 0, "id", d[0], "is in more than one of the stores opened together")
                    for d in dup
                ],
            )
    folder_names = _fact_folders(con, folders, labels)
    entities: dict[str, dict] = {}
    for eid, kind, name, aliases, iso3, country, wikidata, note in con.execute(
        "SELECT id, kind, name, aliases, iso3, country, wikidata, note FROM entities ORDER BY id"
    ).fetchall():
        entities[eid] = {
            "kind": kind,
            "name": name,
            "aliases": _split(aliases),
            "iso3": iso3,
            "country": country,
            "wikidata": wikidata,
            "note": note,
        }
    if folder_names:
        # Which folders hold an entity, as build_graph says it for several folders.
        held: dict[str, list[str]] = {}
        for i, folder in enumerate(folders):
            default = labels[i] if labels is not None else ""
            for eid, text in con.execute(
                f"SELECT id, folder FROM read_parquet({_sql_list([folder / 'entities.parquet'])})"
            ).fetchall():
                for name in _split(text) or ((default,) if default else ()):
                    if name not in held.setdefault(eid, []):
                        held[eid].append(name)
        for eid, attrs in entities.items():
            attrs["folders"] = tuple(held.get(eid, ()))
    offices: dict[str, list] = {}
    for source, start, end, target, title in con.execute(
        "SELECT source, start_date, end_date, target, title FROM affiliations WHERE kind = 'office' "
        "ORDER BY source, start_date, line"
    ).fetchall():
        offices.setdefault(source, []).append((start, end, target, title))
    counts: dict[str, int] = {}
    for m in manifests:
        for k, v in (m.get("counts") or {}).items():
            counts[k] = counts.get(k, 0) + int(v)
    fingerprint = (
        manifests[0]["fingerprint"]
        if len(manifests) == 1
        else hashlib.sha1("|".join(m["fingerprint"] for m in manifests).encode()).hexdigest()[:16]
    )
    return Store(folders, fingerprint, entities, offices, counts, con, folder_names)


def _fact_folders(con, folders: tuple[Path, ...], labels: Sequence[str] | None) -> tuple[str, ...]:
    """The folders the facts name, store by store (in each, as the merged folder lists them, or its label)."""
    out: dict[str, None] = {}
    for i, folder in enumerate(folders):
        own: dict[str, None] = {}
        for table in ("events", "affiliations", "sources"):
            path = _sql_list([folder / f"{table}.parquet"])
            for (text,) in con.execute(
                f"SELECT DISTINCT folder FROM read_parquet({path}) WHERE folder <> '' ORDER BY 1"
            ).fetchall():
                own.update(dict.fromkeys(_split(text)))
        if labels is not None and (not own or _has_unnamed(con, folder)):
            own[labels[i]] = None
        out.update(own)
    return tuple(out) if labels is not None or out else ()


def _has_unnamed(con, folder: Path) -> bool:
    """Whether a store holds a fact with no folder of its own (a plain folder, or rows added by hand)."""
    return any(
        con.execute(
            f"SELECT 1 FROM read_parquet({_sql_list([folder / f'{t}.parquet'])}) WHERE folder = '' LIMIT 1"
        ).fetchall()
        for t in ("events", "affiliations", "sources")
    )


# ---- facts read on demand -----------------------------------------------------------------


class _Lookup(Mapping):
    """A read-only mapping read from the store by key, with a bounded cache.

    Reading one key reads the few rows it needs (the tables are sorted by key); iterating
    or taking the length reads the whole key column, so avoid it on large stores.
    """

    _table = ""

    def __init__(self, store: Store):
        self._store = store
        self._cache: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()

    def _fetch(self, keys: list[str]) -> dict[str, dict]:  # pragma: no cover - abstract
        raise NotImplementedError

    def load(self, keys: Iterable[str]) -> dict[str, dict]:
        """The records of ``keys`` (those that exist), read in one query for the ones not cached."""
        keys = list(dict.fromkeys(str(k) for k in keys))
        out: dict[str, dict] = {}
        with self._lock:
            for k in keys:
                if k in self._cache:
                    self._cache.move_to_end(k)
                    out[k] = self._cache[k]
        wanted = [k for k in keys if k not in out]
        if wanted:
            found = self._fetch(wanted)
            out.update(found)
            with self._lock:
                self._cache.update(found)
                while len(self._cache) > _LOOKUP_CACHE:
                    self._cache.popitem(last=False)
        return out

    def __getitem__(self, key: str) -> dict:
        hit = self.load([key]).get(str(key))
        if hit is None:
            raise KeyError(key)
        return hit

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bool(self.load([key]))

    def __iter__(self) -> Iterator[str]:
        for (key,) in self._store.query(f"SELECT id FROM {self._table} ORDER BY id"):
            yield key

    def __len__(self) -> int:
        return int(self._store.query(f"SELECT count(*) FROM {self._table}")[0][0])


class StoreEvents(_Lookup):
    """Event id -> the event as :func:`~explorer.graph.build_graph` keeps it in
    ``G.graph['events']`` (kind, title, dates, place, topics, sources, participants ...)."""

    _table = "events"

    def _fetch(self, keys: list[str]) -> dict[str, dict]:
        rows = self._store.query(
            "SELECT id, kind, title, start_date, end_date, precision, place, place_country, topics, confidence, "
            "sources, note, folder FROM events WHERE id IN (SELECT unnest($ids))",
            {"ids": keys},
        )
        members: dict[str, list] = {}
        for event, entity, role in self._store.query(
            "SELECT event, entity, role FROM participants WHERE event IN (SELECT unnest($ids)) ORDER BY event, line",
            {"ids": keys},
        ):
            members.setdefault(event, []).append((entity, role))
        out = {}
        for eid, kind, title, start, end, precision, place, pcountry, topics, conf, srcs, note, folder in rows:
            out[eid] = {
                **event_record(eid, kind, title, start, end, precision, place, pcountry, topics, conf, srcs, note),
                "participants": tuple(members.get(eid, ())),
            }
            if folder:
                out[eid]["folder"] = folder
        return out

    def dates(self, keys: Iterable[str]) -> dict[str, tuple[dt.date, dt.date]]:
        """The (start, end) of the events ``keys`` (those that exist), in one query on the dates
        only: what an export needs to date every event of its ties, without reading the events."""
        keys = list(dict.fromkeys(str(k) for k in keys))
        if not keys:
            return {}
        rows = self._store.query(
            "SELECT id, start_date, end_date FROM events WHERE id IN (SELECT unnest($ids))", {"ids": keys}
        )
        return {eid: (start, end) for eid, start, end in rows}

    def latest(self, keys: Iterable[str], limit: int) -> list[str]:
        """The latest ``limit`` of the events ``keys`` (by start date, then id), in date order:
        one query on the dates, so only the events a list shows are read whole."""
        keys = list(dict.fromkeys(str(k) for k in keys))
        if len(keys) <= limit:
            found = self.load(keys)
            return sorted(found, key=lambda e: (found[e]["start"], e))
        rows = self._store.query(
            "SELECT id FROM events WHERE id IN (SELECT unnest($ids)) ORDER BY start_date DESC, id DESC LIMIT $n",
            {"ids": keys, "n": max(0, int(limit))},
        )
        return [r[0] for r in reversed(rows)]


class StoreSources(_Lookup):
    """Source id -> its record (title, publisher, url, published, reliability, note), as
    ``G.graph['sources']`` holds it."""

    _table = "sources"

    def _fetch(self, keys: list[str]) -> dict[str, dict]:
        cols = ("title", "publisher", "url", "published", "reliability", "note")
        rows = self._store.query(
            f"SELECT id, {', '.join(cols)}, folder FROM sources WHERE id IN (SELECT unnest($ids))", {"ids": keys}
        )
        out = {}
        for r in rows:
            out[r[0]] = dict(zip(cols, r[1:-1], strict=True))
            if r[-1]:
                out[r[0]]["folder"] = r[-1]
        return out


# ---- the window query ---------------------------------------------------------------------


class _Params(dict):
    """Query parameters; :meth:`ref` adds one and returns its placeholder."""

    def ref(self, name: str, value) -> str:
        self[name] = value
        return f"${name}"


def _focus_node(store: Store, state: ViewState) -> str:
    """The focus as the view's nodes name it: at the country level, an official's country at
    the window's end (today for an open window), as :func:`~explorer.pipeline.apply_view` does."""
    focus = state.focus
    if focus and state.level == "countries" and store.entities.get(focus, {}).get("kind") == "official":
        end = state.window()[1]
        G = nx.MultiGraph(entities=store.entities, offices=store.offices)
        focus = official_country_at(G, focus, end or dt.date.today()) or focus
    return focus


def _filtered_dyads(state: ViewState, p: _Params) -> list[str]:
    """The CTEs ``aff`` (affiliations of the window passing the tie filters and the node
    circle) and ``dy`` (dyads of the window passing them), in apply_view's order."""
    start, end = state.window()
    lo = p.ref("lo", start or dt.date.min)
    hi = p.ref("hi", end or dt.date.max)
    aff_where = [f"start_date <= {hi}", f"(end_date IS NULL OR end_date >= {lo})"]
    dy_where = [f"start_date <= {hi}", f"end_date >= {lo}"]
    if state.relation_kinds:
        rel = p.ref("rel", list(state.relation_kinds))
        aff_where.append(f"list_contains({rel}, kind)")
        dy_where.append(f"list_contains({rel}, kind)")
    if state.hidden_folders:
        hidden = p.ref("hidden", list(state.hidden_folders))
        aff_where.append(f"NOT list_contains({hidden}, coalesce(folder, ''))")
        dy_where.append(f"NOT list_contains({hidden}, coalesce(folder, ''))")
    if state.topics or state.outcomes:
        conds = []
        if state.topics:
            conds.append(f"list_contains({p.ref('topics', [t.casefold() for t in state.topics])}, x.topic_cf)")
        if state.outcomes:
            conds.append(f"list_contains({p.ref('outcomes', list(state.outcomes))}, x.outcome)")
        dy_where.append(f"coalesce(list_bool_or(list_transform(topics, lambda x: {' AND '.join(conds)})), false)")
    ctes = [f"aff0 AS (SELECT * FROM affiliations WHERE {' AND '.join(aff_where)})"]
    circles = []
    if state.org:
        org = p.ref("org", state.org)
        kinds = p.ref("member_kinds", list(MEMBERSHIP_KINDS))
        ctes.append(
            f"org_countries AS (SELECT DISTINCT CASE WHEN source = {org} THEN target ELSE source END AS id FROM aff0 "
            f"WHERE list_contains({kinds}, kind) AND (source = {org} OR target = {org}))"
        )
        ctes.append(
            f"org_keep AS (SELECT id FROM org_countries "
            f"UNION SELECT {org} AS id WHERE EXISTS (SELECT 1 FROM org_countries) "
            f"UNION SELECT e.id FROM entities e JOIN org_countries c ON e.country = c.id WHERE e.kind = 'official')"
        )
        circles.append("org_keep")
    if state.countries:
        wanted = p.ref("countries", list(state.countries))
        ctes.append(
            f"country_keep AS (SELECT unnest({wanted}) AS id UNION SELECT id FROM entities "
            f"WHERE (kind = 'official' AND list_contains({wanted}, country)) OR kind = 'organization')"
        )
        circles.append("country_keep")
    if circles:
        ctes.append("keep AS (" + " INTERSECT ".join(f"SELECT id FROM {c}" for c in circles) + ")")
        inside = "{a} IN (SELECT id FROM keep) AND {b} IN (SELECT id FROM keep)"
        ctes.append(f"aff AS (SELECT * FROM aff0 WHERE {inside.format(a='source', b='target')})")
        dy_where.append(inside.format(a="u", b="v"))
    else:
        ctes.append("aff AS (SELECT * FROM aff0)")
    ctes.append(f"dy AS (SELECT * FROM dyads WHERE {' AND '.join(dy_where)})")
    return ctes


_LOWEST_CONFIDENCE = (
    "CASE WHEN bool_or(confidence = 'low') THEN 'low' WHEN bool_or(confidence = 'medium') THEN 'medium' ELSE 'high' END"
)


def _country_dyads(filtered: bool) -> str:
    """The CTE ``cdy``: one row per event and country pair.  The precomputed ``cfirst`` picks
    it when every dyad of an event passes or fails together (the window, kinds and topics are
    the event's); a node filter can drop some of an event's dyads, so then it is picked here."""
    if not filtered:
        return "cdy AS (SELECT * FROM dy WHERE cfirst)"
    return "cdy AS (SELECT * FROM dy WHERE a IS NOT NULL QUALIFY row_number() OVER (PARTITION BY event, a, b ORDER BY seq) = 1)"


def _window_sql(store: Store, state: ViewState, sample: int, focus: str) -> tuple[str, dict]:
    p = _Params()
    ctes = _filtered_dyads(state, p)
    cap = p.ref("cap", max(1, min(int(sample), MAX_SAMPLE)))
    common = (
        f'count(*) AS weight, min(start_date) AS start, max(end_date) AS "end", '
        f"max_by(event, seq, {cap}) AS events, max_by(sources_text, seq, {cap}) AS source_texts, "
        f"{_LOWEST_CONFIDENCE} AS confidence, "
        "list(topics_text) FILTER (WHERE topics_text <> '') AS topic_texts, "
        "list_sort(list(DISTINCT folder) FILTER (WHERE folder <> '')) AS folders"
    )
    if state.level == "countries":
        ctes.append(_country_dyads(bool(state.org or state.countries)))
        ctes.append(
            f"ev AS (SELECT a AS u, b AS v, 'meeting' AS kind, 'events' AS key, {common}, "
            "list_sort(list(DISTINCT kind)) AS kinds, "
            "count(*) || ' event' || CASE WHEN count(*) = 1 THEN '' ELSE 's' END AS title, "
            "1 AS layout_weight, count(*) FILTER (WHERE cefirst) AS new_events FROM cdy GROUP BY a, b)"
        )
        aff_level = "WHERE kind <> 'office'"
    else:
        ctes.append(
            f"ev AS (SELECT u, v, kind, 'events:' || kind AS key, {common}, [kind] AS kinds, "
            "CASE WHEN count(*) = 1 THEN any_value(title) "
            "ELSE count(*) || ' ' || replace(kind, '_', ' ') || ' events, the last on ' || max(start_date) END AS title, "
            "count(*) AS layout_weight, count(*) FILTER (WHERE efirst) AS new_events FROM dy GROUP BY u, v, kind)"
        )
        aff_level = ""
    if state.min_weight > 1:
        minw = p.ref("minw", int(state.min_weight))
        keep_focus = ""
        if focus:
            f = p.ref("focus", focus)
            keep_focus = f" OR u = {f} OR v = {f}"
        # Ties of lighter pairs are dropped, except the focus's: they say it is in the view.
        ctes.append(f"ev2 AS (SELECT *, sum(weight) OVER (PARTITION BY u, v) >= {minw} AS shown FROM ev)")
        ties = f"SELECT * FROM ev2 WHERE shown{keep_focus}"
    else:
        ties = "SELECT *, true AS shown FROM ev"
    sql = (
        "WITH "
        + ",\n".join(ctes)
        + f"""
SELECT u, v, key, 'event' AS relation, kind, weight, start, "end", events, weight > {cap} AS truncated,
       source_texts, title, 'confirmed' AS status, confidence, kinds, topic_texts, folders, layout_weight, shown,
       sum(new_events) OVER () AS event_total
FROM ({ties})
UNION ALL BY NAME
SELECT source AS u, target AS v, 'affiliation' AS relation, kind, start_date AS start, end_date AS "end",
       title, status, confidence, source, target, start AS start_text, start_precision, end_precision,
       sources AS source_text, note, folder, 1 AS layout_weight, true AS shown
FROM aff {aff_level}
"""
    )
    return sql, dict(p)


def _finish(rows: list[dict], state: ViewState, focus: str, entities: dict) -> tuple[list[str], list[dict]]:
    """Ego focus, entity kinds and isolated nodes, in apply_view's order, on the aggregated ties."""
    shown = [r for r in rows if r["shown"]]
    if state.focus:
        nodes_h = {n for r in shown for n in (r["u"], r["v"])}
        if any(focus in (r["u"], r["v"]) for r in rows):
            nodes_h.add(focus)
        if focus in nodes_h:
            adj: dict[str, set] = {}
            for r in shown:
                adj.setdefault(r["u"], set()).add(r["v"])
                adj.setdefault(r["v"], set()).add(r["u"])
            ego, frontier = {focus}, {focus}
            for _ in range(state.depth):
                frontier = {m for n in frontier for m in adj.get(n, ())} - ego
                ego |= frontier
            nodes = ego
            shown = [r for r in shown if r["u"] in ego and r["v"] in ego]
        else:
            nodes, shown = set(), []
    else:
        nodes = {n for r in shown for n in (r["u"], r["v"])}
    if state.entity_kinds:
        kinds = set(state.entity_kinds)
        nodes = {n for n in nodes if entities.get(n, {}).get("kind") in kinds}
        shown = [r for r in shown if r["u"] in nodes and r["v"] in nodes]
    if state.min_weight > 1 or state.entity_kinds:
        linked = {n for r in shown for n in (r["u"], r["v"])}
        nodes = {n for n in nodes if n in linked or n == state.focus}
    return sorted(nodes), shown


def _tie_records(store: Store, state: ViewState, sample: int) -> tuple[list[str], list[dict]]:
    focus = _focus_node(store, state)
    sql, params = _window_sql(store, state, sample, focus)
    import duckdb

    try:
        rows = store.query_records(sql, params)
    except duckdb.Error as exc:  # pragma: no cover - a bug, not a user error
        raise ExplorerError(f"the window query failed: {exc}") from exc
    for r in rows:
        if r["relation"] == "affiliation":
            r["key"] = affiliation_key(r["source"], r["kind"], r["target"], r["start_text"])
            r["sources"] = _split(r["source_text"])
            r["weight"] = 1
            r["truncated"] = False
        else:
            r["events"] = tuple(reversed(r["events"]))
            r["sources"] = _source_ids(r["source_texts"])
            r["kinds"] = tuple(r["kinds"])
            r["topics"] = tuple(sorted({t for text in r["topic_texts"] or () for t in parse_topics(text)}))
    rows.sort(key=lambda r: (r["relation"], r["u"], r["v"], r["key"]))
    return _finish(rows, state, focus, store.entities)


_WINDOWS: OrderedDict = OrderedDict()
_WINDOWS_LOCK = threading.Lock()


def _cached_ties(store: Store, state: ViewState, sample: int) -> tuple[list[str], list[dict]]:
    key = (id(store), store.fingerprint, state.fingerprint(), sample)
    with _WINDOWS_LOCK:
        hit = _WINDOWS.get(key)
        if hit is not None:
            _WINDOWS.move_to_end(key)
            return hit
    result = _tie_records(store, state, sample)
    with _WINDOWS_LOCK:
        _WINDOWS[key] = result
        while len(_WINDOWS) > _WINDOW_CACHE:
            _WINDOWS.popitem(last=False)
    return result


def window_ties(store: Store, state: ViewState, *, sample: int = EVENT_SAMPLE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The nodes and ties of a view, aggregated in one query on the store.

    Returns two frames: the nodes (:data:`NODE_COLUMNS`) and the ties (:data:`TIE_COLUMNS`):
    an event tie per pair and event kind (per pair at the country level, where ``kind`` is
    'meeting' and ``kinds`` lists the events' kinds), with ``weight`` events, and one row per
    affiliation.  Dates are ``datetime.date``; lists are tuples.  The window, the filters and
    the level follow :func:`~explorer.pipeline.apply_view`.

    >>> import tempfile
    >>> from explorer.paths import bundled_data_dir
    >>> store = open_store(build_store(bundled_data_dir(), Path(tempfile.mkdtemp()) / "s"))
    >>> state = ViewState(date_from="2024-01-29", date_to="2024-01-30", level="countries")
    >>> nodes, ties = window_ties(store, state)
    >>> ties.loc[ties.weight > 1, ["u", "v", "kind", "weight", "kinds"]].values.tolist()
    [['CHN', 'RUS', 'meeting', 4, ('consultation', 'meeting')]]
    """
    nodes, ties = _cached_ties(store, state, sample)
    ents = store.entities
    node_frame = pd.DataFrame(
        [[n, *(ents.get(n, {}).get(c, "") for c in NODE_COLUMNS[1:])] for n in nodes], columns=list(NODE_COLUMNS)
    )
    tie_frame = pd.DataFrame([[r.get(c) for c in TIE_COLUMNS] for r in ties], columns=list(TIE_COLUMNS))
    return node_frame, tie_frame


_EVENT_ATTRS = ("relation", "kind", "weight", "start", "end", "events", "truncated", "sources", "title", "status")
_AFF_ATTRS = ("relation", *schema.FILES["affiliations"].columns)  # what build_graph puts on an affiliation edge


def _graph_attrs(store: Store) -> dict:
    return {
        "entities": store.entities,
        "offices": store.offices,
        "sources": store.sources,
        "events": store.events,
        "data": ", ".join(str(p) for p in store.paths),
        "fingerprint": store.fingerprint,
        "store": store,
        "folders": store.folders,
    }


def window_graph(store: Store, state: ViewState, *, sample: int = EVENT_SAMPLE) -> nx.MultiGraph:
    """The view of ``state`` as a ``MultiGraph`` built from its aggregated ties only.

    One edge per tie: event ties keyed ``'events:<kind>'`` (``'events'`` at the country
    level) with ``weight`` = number of events, ``events`` (their ids in date order, at most
    ``sample``; ``truncated`` says when there are more), ``sources`` (of those events),
    ``kinds``, ``topics``, ``start``/``end`` (first and last event), ``title``, ``status``
    ('confirmed'), ``confidence`` (the lowest of its events') and ``layout_weight`` (how many
    edges the per-event graph has for it); affiliation edges as in
    :func:`~explorer.graph.build_graph`.  ``G.graph['event_count']`` is the number of distinct
    events of the view's ties and ``G.graph['edge_count']`` the number of edges the
    per-event view would have (what the dashboard's description counts).

    Returns a new graph; it shares the store's entity attributes, which must not be changed.
    """
    nodes, ties = _cached_ties(store, state, sample)
    G = nx.MultiGraph()
    G.graph.update(_graph_attrs(store))
    if state.level == "countries":
        G.graph["level"] = "countries"
    ents = store.entities
    G.add_nodes_from((n, dict(ents.get(n, {}))) for n in nodes)
    edges = []
    for r in ties:
        if r["relation"] == "affiliation":
            attrs = {a: r[a] for a in _AFF_ATTRS}
            if r.get("folder"):
                attrs["folder"] = r["folder"]
        else:
            attrs = {a: r[a] for a in _EVENT_ATTRS}
            attrs.update(confidence=r["confidence"], kinds=r["kinds"], topics=r["topics"])
            if r.get("folders"):
                attrs["folders"] = tuple(r["folders"])
        attrs["layout_weight"] = r["layout_weight"]
        edges.append((r["u"], r["v"], r["key"], attrs))
    G.add_edges_from(edges)
    start, end = state.window()
    G.graph["view"] = state.fingerprint()
    G.graph["window"] = (start, end)
    if state.hidden_folders:
        G.graph["hidden_folders"] = frozenset(state.hidden_folders)
    G.graph["edge_count"] = sum(r["layout_weight"] for r in ties)
    G.graph["event_count"] = _event_count(store, state, ties, sample)
    return G


def _event_count(store: Store, state: ViewState, ties: list[dict], sample: int) -> int:
    """Distinct events of the ties: counted by the window query when every tie it found is in
    the view (no node filter, minimum weight, focus or entity kind), else from the ties' id
    lists when none is truncated, else by a second query."""
    ev = [r for r in ties if r["relation"] == "event"]
    everything = not (state.org or state.countries or state.min_weight > 1 or state.focus or state.entity_kinds)
    if everything:
        return int(ev[0]["event_total"]) if ev else 0
    if not any(r["truncated"] for r in ev):
        return len({e for r in ev for e in r["events"]})
    p = _Params()
    ctes = _filtered_dyads(state, p)
    keys = p.ref("keys", [f"{r['u']}|{r['v']}|{r['kind']}" for r in ev])
    if state.level == "countries":
        where = f"a IS NOT NULL AND a || '|' || b || '|meeting' IN (SELECT unnest({keys}))"
    else:
        where = f"u || '|' || v || '|' || kind IN (SELECT unnest({keys}))"
    sql = "WITH " + ",\n".join(ctes) + f"\nSELECT count(DISTINCT event) FROM dy WHERE {where}"
    return int(store.query(sql, dict(p))[0][0])


def base_graph(store: Store) -> nx.MultiGraph:
    """Every entity and every affiliation, no event: the small part of
    :func:`~explorer.graph.build_graph`'s graph that the details panel reads for a node's
    offices and memberships; events and sources are read from the store on demand."""
    G = nx.MultiGraph()
    G.graph.update(_graph_attrs(store))
    G.add_nodes_from(store.entities.items())
    G.graph["entities"] = {n: G.nodes[n] for n in G.nodes}
    edges = []
    for row in store.query(
        "SELECT source, target, kind, title, start, start_date, end_date, start_precision, end_precision, status, "
        "confidence, sources, note, folder FROM affiliations ORDER BY line"
    ):
        source, target, kind, title, start_text, start, end, sp, ep, status, conf, srcs, note, folder = row
        edges.append(
            (
                source,
                target,
                affiliation_key(source, kind, target, start_text),
                {
                    "relation": "affiliation",
                    "kind": kind,
                    "source": source,
                    "target": target,
                    "title": title,
                    "start": start,
                    "end": end,
                    "start_precision": sp,
                    "end_precision": ep,
                    "status": status,
                    "confidence": conf,
                    "sources": _split(srcs),
                    "note": note,
                    **({"folder": folder} if folder else {}),
                },
            )
        )
    G.add_edges_from(edges)
    return G


def layout_graph(store: Store, level: str = "officials") -> nx.MultiGraph:
    """The whole span at ``level`` with every entity of that level as a node (isolated ones
    too): what :func:`explorer.positions.compute_positions` lays out once.  Each tie carries
    ``layout_weight``, the number of parallel edges the per-event graph has for it, so a
    layout that sums it sees the same tie strengths as on that graph."""
    G = window_graph(store, ViewState(level=level))
    extra = [
        (n, dict(a))
        for n, a in store.entities.items()
        if n not in G and (level != "countries" or a.get("kind") != "official")
    ]
    G.add_nodes_from(extra)
    return G


# ---- what the timeline and the filters show -----------------------------------------------


def data_span(store: Store) -> tuple[dt.date, dt.date] | None:
    """The period the data is about, as :func:`explorer.pipeline.data_span` computes it on the
    per-event graph (events with a tie and affiliations; offices open it only when there is
    nothing else); None when there is no tie at all."""
    row = store.query(
        "WITH facts AS (SELECT start_date AS s, end_date AS e, false AS office FROM dyads "
        "UNION ALL SELECT start_date, end_date, kind = 'office' FROM affiliations) "
        "SELECT min(s) FILTER (WHERE NOT office), min(s), max(s), max(e) FROM facts"
    )[0]
    core_start, any_start, last_start, last_end = row
    if any_start is None:
        return None
    return core_start or any_start, max(d for d in (last_start, last_end) if d is not None)


def events_per_day(store: Store, folder: str | None = None) -> list[tuple[dt.date, int]]:
    """How many events start on each day that has one (solo events included), in date order
    (only those of the data folder ``folder`` when given)."""
    where, params = ("WHERE folder = $folder", {"folder": folder}) if folder is not None else ("", {})
    return [
        (d, int(n))
        for d, n in store.query(f"SELECT start_date, count(*) FROM events {where} GROUP BY 1 ORDER BY 1", params)
    ]


def topic_names(store: Store) -> list[str]:
    """Every topic of every event, sorted without regard to case."""
    rows = store.query("SELECT DISTINCT t.topic FROM (SELECT unnest(topic_list) AS t FROM events)")
    return sorted((r[0] for r in rows), key=str.casefold)


def key_events(store: Store, limit: int = 200, folder: str | None = None) -> list[tuple[str, str]]:
    """(date, title) of the summits and the events with five or more participants, in order
    (only those of the data folder ``folder`` when given)."""
    params: dict = {"n": int(limit)}
    where = ""
    if folder is not None:
        where, params["folder"] = " AND folder = $folder", folder
    rows = store.query(
        f"SELECT start_date, title FROM events WHERE (kind = 'summit' OR n_participants >= 5){where} "
        "ORDER BY start_date, title LIMIT $n",
        params,
    )
    return [(d.isoformat(), t) for d, t in rows]


def solo_events(
    store: Store,
    node: str,
    start: dt.date | None,
    end: dt.date | None,
    level: str = "officials",
    limit: int | None = None,
    hidden: Iterable[str] = (),
) -> list[str]:
    """Events in the window whose only participant is ``node`` (at the country level, for a
    country, also those of its officials placed in it on the event's date), in date order;
    with ``limit``, only the latest ``limit`` of them; none of the data folders ``hidden``."""
    params: dict = {"node": node, "lo": start or dt.date.min, "hi": end or dt.date.max}
    who = "entity = $node"
    if level == "countries" and store.entities.get(node, {}).get("kind") == "country":
        officials = [n for n, a in store.entities.items() if a.get("kind") == "official"]
        if officials:
            params["officials"] = officials
            who = "(entity = $node OR (place = $node AND entity IN (SELECT unnest($officials))))"
    if hidden:
        params["hidden"] = list(hidden)
        who += " AND NOT list_contains($hidden, coalesce(folder, ''))"
    tail = ""
    if limit is not None:
        params["n"] = max(0, int(limit))
        tail = " LIMIT $n"
    rows = store.query(
        f"SELECT event FROM solo WHERE {who} AND end_date >= $lo AND start_date <= $hi "
        f"ORDER BY start_date DESC, event DESC{tail}",
        params,
    )
    return [r[0] for r in reversed(rows)]
