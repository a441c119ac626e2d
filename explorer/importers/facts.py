"""Facts from an analyst's own files (tables, GEXF, GraphML) into a data folder.

The table and graph-file importers read their formats and hand every tie to a
:class:`FactSet`, which does what is the same for all of them:

- **names** are resolved against the reference entities (the ``--data``
  folders, by default the bundled data): by id, name or alias (as
  :mod:`explorer.lookup` does), ISO3 code or Wikidata id; a name no entity
  carries becomes a new entity (a country when it is a country's name or
  code, else the kind the file or ``--node-kind`` gives);
- **kinds** are read against the vocabularies of the data model
  (:data:`RELATION_KINDS`); a kind that is not one of them is mapped to the
  nearest relation (:func:`relation_kind`: a known synonym, or a close
  spelling), with a note on the fact, or refused when none is near;
- **ids** are made valid by construction (slugs for officials and events,
  acronyms for organisations, ISO3 codes for countries);
- **every problem** is collected with the place it comes from (file, sheet,
  row or element, field), and :meth:`FactSet.write` refuses to write anything
  while there is one (:class:`ImportProblems`);
- **the folder** is written by :class:`~explorer.importers.writer.FolderWriter`
  (the rules of :mod:`explorer.writes`: complete or absent) and validated by
  :func:`explorer.loader.validate_folder` before it is moved into place.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx
import pyarrow as pa

from .. import schema
from ..dates import parse_partial, precision_of
from ..errors import ArgumentError, ExplorerError, UnknownEntityError
from ..loader import ID_PATTERNS, ISO3_CODES, WIKIDATA_PATTERN, Dataset
from ..lookup import normalize_name, resolve_entity
from ..writes import scratch_folder
from .actors import acronym, clean_name, slugify
from .countries import country_name, iso3_from_name
from .writer import COLUMNS, FolderWriter, encode_csv

__all__ = [
    "RELATION_KINDS",
    "KIND_SYNONYMS",
    "ENTITY_KIND_SYNONYMS",
    "Where",
    "ImportProblems",
    "Reference",
    "FactSet",
    "relation_kind",
    "entity_kind",
    "cell_date",
    "compact_interval",
]

RELATION_KINDS: tuple[str, ...] = tuple(schema.EVENT_KINDS) + tuple(schema.AFFILIATION_KINDS)
"""Every kind a tie may have: the event kinds, then the affiliation kinds."""

KIND_SYNONYMS: dict[str, str] = {
    # events
    "meet": "meeting",
    "meets": "meeting",
    "met": "meeting",
    "met with": "meeting",
    "talks": "meeting",
    "bilateral": "meeting",
    "bilateral meeting": "meeting",
    "negotiation": "meeting",
    "negotiations": "meeting",
    "consult": "consultation",
    "consultations": "consultation",
    "political consultations": "consultation",
    "visited": "visit",
    "state visit": "visit",
    "official visit": "visit",
    "trip": "visit",
    "summit meeting": "summit",
    "conference": "summit",
    "phone": "call",
    "phone call": "call",
    "telephone": "call",
    "telephone call": "call",
    "video call": "call",
    "videoconference": "call",
    "called": "call",
    "statement": "announcement",
    "declaration": "announcement",
    "announced": "announcement",
    "press release": "announcement",
    "commission": "working_group",
    "committee": "working_group",
    # affiliations
    "holds office": "office",
    "office held": "office",
    "position": "office",
    "serves": "office",
    "serves in": "office",
    "head of state": "office",
    "minister": "office",
    "founder": "founding_member",
    "founded": "founding_member",
    "co founder": "founding_member",
    "membership": "member",
    "member of": "member",
    "joined": "member",
    "belongs to": "member",
    "invitation": "invited",
    "invite": "invited",
    "invited to join": "invited",
    "decline": "declined",
    "declined to join": "declined",
    "refused": "declined",
    "rejected": "declined",
    "partnership": "partner",
    "partner of": "partner",
    "partner country": "partner",
    "dialogue partner": "partner",
    "observer": "partner",
    "chairs": "chair",
    "chaired": "chair",
    "chairship": "chair",
    "chairmanship": "chair",
    "presidency": "chair",
}
"""Kinds other tools and people write, and the relation of the data model each is read as."""

ENTITY_KIND_SYNONYMS: dict[str, str] = {
    "country": "country",
    "countries": "country",
    "state": "country",
    "nation": "country",
    "official": "official",
    "person": "official",
    "people": "official",
    "leader": "official",
    "minister": "official",
    "politician": "official",
    "diplomat": "official",
    "organization": "organization",
    "organisation": "organization",
    "org": "organization",
    "igo": "organization",
    "group": "organization",
    "institution": "organization",
    "international organization": "organization",
    "international organisation": "organization",
}
"""Element types (Kumu's ``Type``, a GEXF node's ``kind``) and the entity kind each is read as."""

_MAX_SHOWN = 50


def _norm_kind(text: str) -> str:
    return " ".join(re.sub(r"[_\-]+", " ", str(text).casefold()).split())


_VOCAB = {_norm_kind(k): k for k in RELATION_KINDS}
_NEAR = {**_VOCAB, **{_norm_kind(k): v for k, v in KIND_SYNONYMS.items()}}


def relation_kind(text: str) -> tuple[str, bool] | None:
    """The relation ``text`` names and whether it was mapped (not written as the data model writes it).

    Case, spaces, hyphens and underscores do not count (``Working group`` is
    ``working_group``); a known synonym (``phone call``) or a close spelling
    (``meetng``) is mapped; anything else is None.

    >>> relation_kind("Meeting"), relation_kind("phone call"), relation_kind("meetng"), relation_kind("war")
    (('meeting', False), ('call', True), ('meeting', True), None)
    """
    key = _norm_kind(text)
    if key in _VOCAB:
        return _VOCAB[key], False
    if key in _NEAR:
        return _NEAR[key], True
    close = difflib.get_close_matches(key, list(_NEAR), n=1, cutoff=0.8)
    return (_NEAR[close[0]], True) if close else None


def entity_kind(text: str) -> str | None:
    """The entity kind an element type names, or None.

    >>> entity_kind("Person"), entity_kind("Organisation"), entity_kind("State"), entity_kind("Ship")
    ('official', 'organization', 'country', None)
    """
    return ENTITY_KIND_SYNONYMS.get(_norm_kind(text).rstrip("s")) or ENTITY_KIND_SYNONYMS.get(_norm_kind(text))


@dataclass(frozen=True)
class Where:
    """Where a value comes from, for messages: ``ties.xlsx, sheet 'Connections', row 7, column 'To'``."""

    file: str
    sheet: str = ""
    item: str = ""
    field: str = ""

    def at(self, item: str = "", field: str = "") -> Where:
        return Where(self.file, self.sheet, item or self.item, field)

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.item:
            parts.append(self.item)
        if self.field:
            parts.append(f"column {self.field!r}" if self.item.startswith("row") else f"attribute {self.field!r}")
        return ", ".join(parts)


class ImportProblems(ExplorerError):
    """Rows or elements of an input that cannot become facts; nothing was written.

    ``str()`` is one line per problem, each naming the file, the sheet, the row
    (or node, edge) and the field.
    """

    def __init__(self, file: str, problems: list[str]):
        self.file = file
        self.problems = list(problems)
        n = len(self.problems)
        if n == 1:
            text = f"{self.problems[0]}; nothing was written"
        else:
            shown = self.problems[:_MAX_SHOWN]
            more = [f"  ... and {n - _MAX_SHOWN} more"] if n > _MAX_SHOWN else []
            text = "\n".join([f"{file}: {n} problems; nothing was written", *(f"  {p}" for p in shown), *more])
        super().__init__(text)


# ---- dates ---------------------------------------------------------------------------------


def cell_date(value: object) -> str:
    """A date as the data model writes it (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) from a cell's value.

    A date cell (a :class:`datetime.date`, a pandas ``Timestamp``) is a day; a
    whole number from 1 to 9999 is a year; text must be one of the three forms
    (a time after the day is dropped).  Empty is ``''``; anything else raises
    ValueError saying what was expected.

    >>> cell_date("2024-01-30"), cell_date(2024), cell_date(2024.0), cell_date(dt.datetime(2024, 1, 30, 9))
    ('2024-01-30', '2024', '2024', '2024-01-30')
    >>> cell_date("2024-01-30T10:00:00Z"), cell_date(None), cell_date(float("nan"))
    ('2024-01-30', '', '')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT included)
        if str(value) == "NaT":
            return ""
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY")
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= value <= 9999:
            return f"{int(value):04d}"
        raise ValueError(f"{value!r} is not a date; expected YYYY-MM-DD, YYYY-MM, YYYY or a year")
    text = str(value).strip()
    if not text:
        return ""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9:]+)?", text):
        text = text[:10]
    elif re.fullmatch(r"[0-9]{1,4}\.0+", text):
        text = f"{int(float(text)):04d}"
    parse_partial(text)  # raises ValueError with the expected forms
    return text


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def compact_interval(start: str, end: str) -> tuple[str, str]:
    """The shortest way the data model writes the interval start..end (day dates), with the same days.

    A whole year or month is written as that year or month with no end; one day
    as that day; anything else is left as it is.  Since a partial date stands
    for its whole period, the loader reads back exactly the same first and last
    days.

    >>> compact_interval("2024-01-01", "2024-01-31"), compact_interval("2024-01-01", "2024-12-31")
    (('2024-01', ''), ('2024', ''))
    >>> compact_interval("2024-01-30", "2024-01-30"), compact_interval("2024-01-30", "2024-02-01")
    (('2024-01-30', ''), ('2024-01-30', '2024-02-01'))
    """
    if precision_of(start) != "day" or precision_of(end) != "day":
        return start, end
    y1, m1, d1 = (int(p) for p in start.split("-"))
    y2, m2, d2 = (int(p) for p in end.split("-"))
    if start == end:
        return start, ""
    if y1 == y2 and (m1, d1, m2, d2) == (1, 1, 12, 31):
        return f"{y1:04d}", ""
    if (y1, m1) == (y2, m2) and d1 == 1 and d2 == _last_day(y2, m2):
        return f"{y1:04d}-{m1:02d}", ""
    return start, end


def _same_precision(start: str, end: str) -> tuple[str, str, str]:
    """Start, end and precision for events.csv, whose end has the precision of its start."""
    p_start = precision_of(start)
    if not end or precision_of(end) == p_start:
        return start, end, p_start or ""
    first, _, _ = parse_partial(start)
    _, last, _ = parse_partial(end)
    return first.isoformat(), last.isoformat(), "day"


# ---- reference entities --------------------------------------------------------------------


class Reference:
    """The entities (and sources) names are resolved against: those of the ``--data`` folders."""

    def __init__(self, dataset: Dataset | None = None):
        self.entities: dict[str, dict[str, str]] = {}
        self.sources: dict[str, dict[str, str]] = {}
        if dataset is not None:
            cols = COLUMNS["entities"]
            for row in dataset.entities.to_dict("records"):
                self.entities[row["id"]] = {c: str(row.get(c, "") or "") for c in cols}
            cols = COLUMNS["sources"]
            for row in dataset.sources.to_dict("records"):
                self.sources[row["id"]] = {c: str(row.get(c, "") or "") for c in cols}
        self._graph = nx.Graph()
        self._graph.graph["entities"] = {
            eid: {"name": r["name"], "kind": r["kind"], "aliases": r["aliases"], "country": r["country"]}
            for eid, r in self.entities.items()
        }
        self._codes: dict[str, str] = {}
        for eid, r in self.entities.items():
            for code in (r["iso3"].upper(), r["wikidata"].upper()):
                if code:
                    self._codes.setdefault(code, eid)

    def find(self, name: str) -> list[str]:
        """The ids of the entities ``name`` names (id, name, alias, ISO3, Wikidata id): none, one or several."""
        name = name.strip()
        if not name or not self.entities:
            return []
        try:
            return [resolve_entity(self._graph, name)]
        except UnknownEntityError:
            pass
        except ArgumentError:
            found = self._graph.graph["entities"]
            key = normalize_name(name)
            return sorted(
                eid
                for eid, a in found.items()
                if key in {normalize_name(x) for x in [eid, a["name"], *a["aliases"].split(";")] if x}
            )
        code = self._codes.get(name.upper())
        if code:
            return [code]
        iso3 = iso3_from_name(name)
        if iso3 and iso3 in self.entities:
            return [iso3]
        return []

    def suggest(self, name: str) -> list[str]:
        from ..lookup import suggest_entities

        return suggest_entities(self._graph, name) if self.entities else []


# ---- the facts of one input ----------------------------------------------------------------


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _url_ok(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", url)


def _digest(text: str | bytes, size: int = 5) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.blake2b(data, digest_size=size).hexdigest()


def _slug(text: str, words: int = 8) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text)[:words])


class FactSet:
    """The entities, ties and sources of one input file, built up fact by fact, then written as a data folder.

    ``label`` names the input in notes and in the source that rows without a
    source URL cite (its file name, never the path as typed, so the output does
    not depend on how the path was written).  ``node_kind`` is the kind of a
    new entity that is neither described by the file nor a country.
    """

    def __init__(self, reference: Reference, label: str, content: bytes = b"", node_kind: str | None = None):
        self.reference = reference
        self.label = label
        self.node_kind = node_kind
        self._file_source_id = f"file-{_digest(content or label.encode())}"
        self.entities: dict[str, dict[str, str]] = {}
        self.affiliations: list[dict[str, str]] = []
        self.events: list[dict[str, str]] = []
        self.participants: list[dict[str, str]] = []
        self.sources: dict[str, dict[str, str]] = {}
        self.problems: list[str] = []
        self.new_entities: Counter[str] = Counter()
        self.mapped_kinds: Counter[tuple[str, str]] = Counter()
        self._named: dict[str, str] = {}  # normalised label -> id, for entities the input itself describes
        self._affiliation_keys: set[tuple[str, str, str, str]] = set()
        self._events_by_id: dict[str, dict[str, str]] = {}

    # -- problems

    def problem(self, where: Where, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- entities

    def _take_reference(self, eid: str) -> str:
        if eid not in self.entities:
            row = dict(self.reference.entities[eid])
            self.entities[eid] = row
            country = row.get("country", "")
            if row["kind"] == "official" and country:
                self._ensure_country(country)
        return eid

    def _ensure_country(self, iso3: str) -> str:
        if iso3 in self.entities:
            return iso3
        if iso3 in self.reference.entities:
            return self._take_reference(iso3)
        self.entities[iso3] = {
            "id": iso3,
            "kind": "country",
            "name": country_name(iso3),
            "iso3": iso3,
            "note": f"Imported from {self.label}",
        }
        self.new_entities["country"] += 1
        return iso3

    def _free_id(self, base: str, kind: str) -> str:
        def taken(eid: str) -> bool:
            return eid in self.entities or eid in self.reference.entities

        if not taken(base):
            return base
        for n in range(2, 10_000):
            suffix = f"-{n}"
            candidate = (base[: 16 - len(suffix)] if kind == "organization" else base) + suffix
            if not taken(candidate):
                return candidate
        raise ExplorerError(f"internal error: no free id for {base!r}")

    def describe_entity(
        self,
        where: Where,
        name: str,
        kind: str | None,
        *,
        country: str = "",
        aliases: str = "",
        iso3: str = "",
        wikidata: str = "",
        note: str = "",
        eid: str = "",
        columns: Mapping[str, str] | None = None,
    ) -> str | None:
        """An entity the input describes (a Kumu element, a graph node): the reference's when it names one, else new.

        ``eid`` is an id the input gives (kept when the data model accepts it);
        ``country`` names an official's country (an id, ISO3 code or name).
        ``columns`` names the columns (or attributes) of the fields, for messages (default: the field's name).
        """
        columns = columns or {}
        name = clean_name(name)
        if not name:
            self.problem(where, "the name is empty")
            return None
        found = self.find_existing(eid) if eid else []
        if not found:
            for label in (name, iso3, wikidata):
                found = self.find_existing(label) if label else []
                if found:
                    break
        if len(found) > 1:
            self.problem(where, f"{name!r} names several entities of the --data folder: {', '.join(found)}; give an id")
            return None
        if found:
            existing = found[0]
            have = self.entities.get(existing) or self.reference.entities.get(existing)
            if kind and have and have["kind"] != kind:
                self.problem(where, f"{name!r} is a {kind} here but a {have['kind']} ({existing}) in the --data folder")
                return None
            self._remember(existing, name, aliases, eid)
            return existing if existing in self.entities else self._take_reference(existing)
        if kind is None:
            iso = iso3_from_name(name) or (iso3_from_name(iso3) if iso3 else None)
            kind = "country" if iso else self.node_kind
        if kind is None:
            self.problem(
                where,
                f"{name!r} matches no entity of the --data folder and no country; "
                "give its kind (country, official, organization) or pass --node-kind",
            )
            return None
        new_id = self._new_id(where, kind, name, eid, iso3, country)
        if new_id is None:
            return None
        row = {"id": new_id, "kind": kind, "name": name, "note": clean_name(note) or f"Imported from {self.label}"}
        if aliases:
            row["aliases"] = ";".join(a for a in (clean_name(x) for x in aliases.split(";")) if a)
        if kind == "country":
            row["iso3"] = new_id
        if wikidata:
            if not re.fullmatch(WIKIDATA_PATTERN, wikidata.strip()):
                self.problem(
                    where.at(field=columns.get("wikidata", "wikidata")),
                    f"{wikidata!r} is not a Wikidata id; expected Q and a number",
                )
                return None
            row["wikidata"] = wikidata.strip()
        if kind == "official":
            home = self._country_of(where.at(field=columns.get("country", "country")), country)
            if home is None:
                return None
            row["country"] = home
        self.entities[new_id] = row
        self.new_entities[kind] += 1
        self._remember(new_id, name, aliases, eid)
        return new_id

    def _country_of(self, where: Where, country: str) -> str | None:
        if not country.strip():
            self.problem(where, "an official needs a country (a Country column or attribute: an id, ISO3 code or name)")
            return None
        found = [f for f in self.find_existing(country) if (self._kind(f) == "country")]
        if len(found) == 1:
            return found[0] if found[0] in self.entities else self._take_reference(found[0])
        iso = iso3_from_name(country.strip())
        if iso is None:
            self.problem(where, f"{country!r} is not a country")
            return None
        return self._ensure_country(iso)

    def _kind(self, eid: str) -> str:
        row = self.entities.get(eid) or self.reference.entities.get(eid) or {}
        return row.get("kind", "")

    def _new_id(self, where: Where, kind: str, name: str, eid: str, iso3: str, country: str) -> str | None:
        if eid and re.fullmatch(ID_PATTERNS[kind], eid) and (kind != "country" or eid in ISO3_CODES):
            if eid in self.entities or eid in self.reference.entities:
                self.problem(where, f"the id {eid!r} is already another entity's")
                return None
            return eid
        if kind == "country":
            iso = iso3_from_name(iso3) if iso3 else None
            iso = iso or iso3_from_name(name) or (iso3_from_name(eid) if eid else None)
            if iso is None:
                self.problem(where, f"{name!r} is not a country the ISO 3166 tables know; give its ISO3 code")
                return None
            if iso in self.entities:
                return None if self._dup(where, name, iso) else iso
            return iso
        if kind == "organization":
            base = acronym(name)  # an id the input gave that is no valid one (Kumu's 1, 2, 3) is only a label
        else:
            base = slugify(name)
        return self._free_id(base, kind)

    def _dup(self, where: Where, name: str, iso: str) -> bool:
        self.problem(where, f"{name!r} is the country {iso}, already described")
        return True

    def _remember(self, eid: str, name: str, aliases: str = "", given_id: str = "") -> None:
        # The id the input gave (a Kumu ID column, a graph node's id) names it too, even when it is not ours.
        for label in [name, *aliases.split(";"), given_id]:
            key = normalize_name(label)
            if key:
                self._named.setdefault(key, eid)

    def find_existing(self, name: str) -> list[str]:
        key = normalize_name(name)
        if name in self.entities:
            return [name]
        if key in self._named:
            return [self._named[key]]
        return self.reference.find(name)

    def resolve(self, where: Where, name: object) -> str | None:
        """The id of the entity ``name`` names: one the input described, one of the --data folder, a country
        (new when the --data folder has none by that name), or a new entity of ``--node-kind``."""
        text = clean_name("" if name is None else str(name))
        if not text or text.lower() == "nan":
            self.problem(where, "no entity named (the cell is empty)")
            return None
        found = self.find_existing(text)
        if len(found) > 1:
            self.problem(where, f"{text!r} names several entities: {', '.join(found)}; use an id")
            return None
        if found:
            return found[0] if found[0] in self.entities else self._take_reference(found[0])
        iso = iso3_from_name(text) or (iso3_from_name(text.upper()) if len(text) == 3 else None)
        if iso:
            return self._ensure_country(iso)
        if self.node_kind in ("organization", "country"):
            return self.describe_entity(where, text, self.node_kind)
        hint = self.reference.suggest(text)
        why = "an official needs a country, so list them with one" if self.node_kind == "official" else ""
        self.problem(
            where,
            f"unknown entity {text!r}"
            + (f" (did you mean: {', '.join(hint)}?)" if hint else "")
            + "; it is not in the --data folder nor a country: "
            + (why or "describe it (a Kumu Elements sheet, a node kind) or pass --node-kind organization"),
        )
        return None

    # -- kinds

    def kind_of(self, where: Where, text: object, default: str, unknown: str = "nearest") -> tuple[str, str] | None:
        """The relation a kind cell names and the note a mapping leaves (empty when none); None when refused."""
        raw = "" if text is None else str(text).strip()
        if not raw or raw.lower() == "nan":
            return default, ""
        found = relation_kind(raw)
        if found is None or (found[1] and unknown == "refuse"):
            shown = ", ".join(RELATION_KINDS)
            near = (
                "" if found is None else f" (the nearest is {found[0]}; without --unknown-kinds refuse it is read so)"
            )
            self.problem(where, f"unknown kind {raw!r}{near}; expected one of {shown}")
            return None
        kind, mapped = found
        if mapped:
            self.mapped_kinds[(raw, kind)] += 1
            return kind, f"Kind {raw!r} in {self.label}, read as {kind}."
        return kind, ""

    # -- sources

    def cite_urls(self, where: Where, text: str) -> list[str] | None:
        """Source ids for the URLs in ``text`` (separated by ';' or white space); None when one is not a URL.

        An item that is the id of a source of the --data folder (``S03``) cites that source.
        """
        ids = []
        for url in (u for u in re.split(r"[;\s]+", text.strip()) if u):
            if url in self.reference.sources:
                ids += self.cite_ids([url])
                continue
            if not _url_ok(url):
                self.problem(
                    where, f"{url!r} is not a web address (http:// or https://) nor a source id of the --data folder"
                )
                return None
            sid = f"url-{_digest(url)}"
            if sid not in self.sources:
                host = urlsplit(url).netloc.lower().removeprefix("www.")
                self.sources[sid] = {"id": sid, "title": url, "publisher": host, "url": url}
            ids.append(sid)
        return ids

    def cite_ids(self, ids: Iterable[str]) -> list[str]:
        """Source ids a file names (our own exports): the --data folder's source when it has one, else a stub."""
        out = []
        for sid in ids:
            sid = sid.strip()
            if not sid:
                continue
            if sid not in self.sources:
                ref = self.reference.sources.get(sid)
                self.sources[sid] = dict(ref) if ref else {"id": sid, "title": f"{sid} (cited in {self.label})"}
            out.append(sid)
        return out

    def cite_file(self) -> list[str]:
        """The source of facts the file gives no source for: the file itself."""
        sid = self._file_source_id
        if sid not in self.sources:
            self.sources[sid] = {
                "id": sid,
                "title": self.label,
                "note": "The imported file; it gives no source for these facts.",
            }
        return [sid]

    # -- ties

    def add_affiliation(
        self,
        where: Where,
        kind: str,
        a: str,
        b: str,
        start: str,
        end: str = "",
        *,
        title: str = "",
        status: str = "confirmed",
        confidence: str = "medium",
        sources: list[str],
        note: str = "",
    ) -> bool:
        """An affiliation between ``a`` and ``b``, turned the way its kind goes (official -> country,
        country -> organisation) whichever order they came in."""
        _label, source_kind, target_kind = schema.AFFILIATION_KINDS[kind]
        ka, kb = self._kind(a), self._kind(b)
        if (ka, kb) == (source_kind, target_kind):
            source, target = a, b
        elif (kb, ka) == (source_kind, target_kind):
            source, target = b, a
        else:
            self.problem(
                where,
                f"{_a(kind)} tie joins {_a(source_kind)} to {_a(target_kind)}; {a} is {_a(ka)} and {b} {_a(kb)}",
            )
            return False
        if not start:
            self.problem(where, f"a {kind} tie needs a start date")
            return False
        if not self._check_order(where, start, end):
            return False
        if not self._check_vocab(where, "status", status, schema.STATUSES):
            return False
        if not self._check_vocab(where, "confidence", confidence, schema.CONFIDENCE):
            return False
        key = (source, target, kind, start)
        if key in self._affiliation_keys:
            self.problem(where, f"the same {kind} tie {source} -> {target} from {start} is given twice")
            return False
        self._affiliation_keys.add(key)
        self.affiliations.append(
            {
                "source": source,
                "target": target,
                "kind": kind,
                "title": clean_name(title),
                "start": start,
                "end": end,
                "start_precision": precision_of(start) or "",
                "end_precision": precision_of(end) or "" if end else "",
                "status": status,
                "confidence": confidence,
                "sources": ";".join(sources),
                "note": clean_name(note),
            }
        )
        return True

    def _check_vocab(self, where: Where, field: str, value: str, allowed: tuple[str, ...]) -> bool:
        if value in allowed:
            return True
        self.problem(where.at(field=field), f"{value!r} is not a {field}; expected {', '.join(allowed)}")
        return False

    def _check_topics(self, where: Where, topics: str) -> bool:
        for item in (t.strip() for t in topics.split(schema.LIST_SEP)):
            topic, _, outcome = item.rpartition(":")
            if item and (not topic.strip() or outcome.strip() not in schema.OUTCOMES):
                self.problem(
                    where.at(field="topics"),
                    f"{item!r} is not a topic with its outcome; expected TOPIC:OUTCOME, the outcome one of "
                    + ", ".join(schema.OUTCOMES),
                )
                return False
        return True

    def _check_order(self, where: Where, start: str, end: str) -> bool:
        if end and parse_partial(end)[1] < parse_partial(start)[0]:
            self.problem(where, f"ends ({end}) before it starts ({start})")
            return False
        return True

    def event_id(self, start: str, text: str, wanted: str = "") -> str:
        """A new event id: ``wanted`` when free and usable, else ``START-slug-of-text`` (``-2``, ``-3`` if taken)."""
        taken = self._events_by_id
        if wanted and wanted not in taken and not re.search(r"[\s,;]", wanted):
            return wanted
        base = f"{start}-{_slug(text) or 'event'}"
        eid, n = base, 2
        while eid in taken:
            eid, n = f"{base}-{n}", n + 1
        return eid

    def add_event(
        self,
        where: Where,
        kind: str,
        participants: list[str],
        start: str,
        end: str = "",
        *,
        title: str = "",
        confidence: str = "medium",
        sources: list[str],
        note: str = "",
        place: str = "",
        place_country: str = "",
        topics: str = "",
        event_id: str = "",
        roles: Mapping[str, str] | None = None,
    ) -> str | None:
        """An event of ``participants`` (ids, in order, without repeats); returns its id."""
        if not start:
            self.problem(where, "no date: every tie needs one (a date, or a start)")
            return None
        if not self._check_order(where, start, end):
            return None
        if not self._check_vocab(where, "confidence", confidence, schema.CONFIDENCE):
            return None
        if not self._check_topics(where, topics):
            return None
        start, end, precision = _same_precision(start, end)
        people = list(dict.fromkeys(participants))
        names = [self.entities[p]["name"] for p in people]
        title = clean_name(title) or f"{' – '.join(names)}: {kind.replace('_', ' ')}"
        eid = self.event_id(start, title, event_id)
        self._events_by_id[eid] = event = {
            "id": eid,
            "kind": kind,
            "title": title,
            "start": start,
            "end": end,
            "precision": precision,
            "place": clean_name(place),
            "place_country": place_country if place_country in ISO3_CODES else "",
            "topics": topics,
            "confidence": confidence,
            "sources": ";".join(sources),
            "note": clean_name(note),
        }
        self.events.append(event)
        roles = roles or {}
        self.participants.extend({"event": eid, "entity": p, "role": roles.get(p, "participant")} for p in people)
        return eid

    def join_event(self, where: Where, eid: str, participants: list[str], start: str, first_at: str) -> bool:
        """Add ``participants`` to the event ``eid`` (a row naming an event an earlier row began), if the
        row gives it the same date."""
        event = self._events_by_id[eid]
        written = _same_precision(start, "")[0] if start else event["start"]
        if written != event["start"]:
            self.problem(where, f"event {eid!r} is dated {event['start']} in {first_at} but {start} here")
            return False
        have = {p["entity"] for p in self.participants if p["event"] == eid}
        self.participants.extend(
            {"event": eid, "entity": p, "role": "participant"} for p in dict.fromkeys(participants) if p not in have
        )
        return True

    # -- writing

    def summary_lines(self, out: str, read: str) -> list[str]:
        """What the import did, for the command line."""
        lines = [
            f"{out}: {read}; {len(self.events):,} events, {len(self.affiliations):,} affiliations, "
            f"{len(self.participants):,} participants"
        ]
        known = len(self.entities) - sum(self.new_entities.values())
        lines.append(f"  entities: {known:,} from the --data folder, {sum(self.new_entities.values()):,} new")
        if self.new_entities:
            lines.append("  new entities: " + ", ".join(f"{n} {k}" for k, n in sorted(self.new_entities.items())))
        lines.append(f"  sources: {len(self.sources):,}")
        for (raw, kind), n in sorted(self.mapped_kinds.items()):
            lines.append(f"  kind {raw!r} read as {kind}: {n} tie{'s' if n != 1 else ''} (noted on each)")
        return lines

    def tables(self) -> dict[str, pa.Table]:
        kind_order = {k: i for i, k in enumerate(schema.ENTITY_KINDS)}
        entities = sorted(self.entities.values(), key=lambda r: (kind_order.get(r["kind"], 9), r["id"]))
        rows = {
            "entities": entities,
            "affiliations": self.affiliations,
            "events": self.events,
            "participants": self.participants,
            "sources": sorted(self.sources.values(), key=lambda r: r["id"]),
        }
        return {
            name: pa.table({c: pa.array([str(r.get(c, "") or "") for r in data], pa.string()) for c in COLUMNS[name]})
            for name, data in rows.items()
        }

    def write(self, out: str | Path, *, force: bool = False, inputs: Iterable[str | Path] = ()) -> None:
        """Write the data folder ``out`` (new, or replacing a data folder with ``force``), or nothing.

        Raises :class:`ImportProblems` when a row or element was refused, and
        stops before the rename if the folder would not pass ``explorer validate``.
        """
        if self.problems:
            raise ImportProblems(self.label, self.problems)
        if not self.events and not self.affiliations:
            raise ImportProblems(self.label, [f"{self.label}: no ties found"])
        from ..loader import validate_folder

        tables = self.tables()
        writer = FolderWriter(out, "force" if force else "new", inputs=inputs)  # checks --out before any work
        # The guard that keeps a folder explorer validate would reject from ever being written: the files
        # are checked in a private scratch folder first (they are small: one row per fact of one file).
        with scratch_folder("explorer-import") as scratch:
            for name, table in tables.items():
                (scratch / schema.FILES[name].name).write_bytes(encode_csv(table, COLUMNS[name]))
            problems, _frames = validate_folder(scratch)
        if problems:
            shown = "; ".join(str(p) for p in problems[:5])
            raise ExplorerError(
                f"internal error: the import of {self.label} would not validate ({shown}); "
                "nothing was written. Please report it."
            )
        with writer:
            for name in ("events", "participants", "sources"):
                writer.write_rows(name, tables[name])
            for name in ("entities", "affiliations"):
                writer.write_table(name, tables[name])
            writer.commit()
