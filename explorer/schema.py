"""The data model: files, columns and the vocabularies they draw on.

This module is the single table from which the loader validates, the docs are
written and the dashboard's choices are generated.  It imports nothing from the
rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "FileSpec",
    "FILES",
    "ENTITY_KINDS",
    "AFFILIATION_KINDS",
    "ORG_AFFILIATION_KINDS",
    "EVENT_KINDS",
    "ROLES",
    "OUTCOMES",
    "CONFIDENCE",
    "STATUSES",
    "PRECISIONS",
    "RELIABILITY",
    "LIST_SEP",
    "FOLDER_COLUMN",
    "ID_PATTERNS",
    "WIKIDATA_PATTERN",
]

ID_PATTERNS = {
    "country": r"[A-Z]{3}",
    "organization": r"[A-Z][A-Z0-9_-]{1,15}",
    "official": r"[a-z0-9]+(?:-[a-z0-9]+)*",
}
"""The form of an entity id, by kind (the whole id must match)."""
WIKIDATA_PATTERN = r"Q[1-9][0-9]*"

LIST_SEP = ";"
FOLDER_COLUMN = "folder"
"""The provenance column: which data folder a row came from (see docs/data-model.md, Several folders)."""

ENTITY_KINDS: dict[str, str] = {
    "country": "A sovereign state; id is its ISO 3166-1 alpha-3 code (CHN).",
    "official": "A person holding office; id is a lower-case slug (sergey-lavrov).",
    "organization": "An inter-state group or body; id is a short upper-case acronym (BRICS).",
}

# Affiliations: relations that last. Each maps to (label, source kind, target kind).
AFFILIATION_KINDS: dict[str, tuple[str, str, str]] = {
    "office": ("holds office in", "official", "country"),
    "founding_member": ("founding member of", "country", "organization"),
    "member": ("member of", "country", "organization"),
    "invited": ("invited to join", "country", "organization"),
    "declined": ("declined to join", "country", "organization"),
    "partner": ("partner country of", "country", "organization"),
    "chair": ("chairs", "country", "organization"),
}
ORG_AFFILIATION_KINDS = tuple(k for k, v in AFFILIATION_KINDS.items() if v[2] == "organization")

EVENT_KINDS: dict[str, str] = {
    "meeting": "In-person meeting or talks.",
    "consultation": "Formal political consultations between ministries.",
    "visit": "A delegation's or leader's visit.",
    "summit": "A summit of leaders.",
    "call": "Phone or video call.",
    "announcement": "A public announcement or statement.",
    "working_group": "A working group or commission session.",
}

ROLES = ("host", "guest", "participant", "chair")
OUTCOMES = ("discussed", "agreed", "disagreed", "announced")
CONFIDENCE = ("high", "medium", "low")
STATUSES = ("confirmed", "disputed")
PRECISIONS = ("day", "month", "year")
RELIABILITY = ("high", "medium", "low")


@dataclass(frozen=True)
class FileSpec:
    """One CSV file of a data folder: its columns, which are required, its key."""

    name: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    key: tuple[str, ...] = ()
    optional: tuple[str, ...] = field(default=())
    description: str = ""
    # Written by `explorer merge` (and filled when several folders are opened): the folder a row came from.
    provenance: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> tuple[str, ...]:
        return self.columns + self.optional + self.provenance


FILES: dict[str, FileSpec] = {
    "entities": FileSpec(
        "entities.csv",
        ("id", "kind", "name", "aliases", "iso3", "country", "wikidata", "note"),
        required=("id", "kind", "name"),
        key=("id",),
        description="Countries, officials and organisations: the nodes.",
        provenance=(FOLDER_COLUMN,),
    ),
    "affiliations": FileSpec(
        "affiliations.csv",
        (
            "source",
            "target",
            "kind",
            "title",
            "start",
            "end",
            "start_precision",
            "end_precision",
            "status",
            "confidence",
            "sources",
            "note",
        ),
        required=("source", "target", "kind", "start", "status", "confidence", "sources"),
        description="Relations that last: offices, memberships, invitations, declines, partners, chairs.",
        provenance=(FOLDER_COLUMN,),
    ),
    "events": FileSpec(
        "events.csv",
        (
            "id",
            "kind",
            "title",
            "start",
            "end",
            "precision",
            "place",
            "place_country",
            "topics",
            "confidence",
            "sources",
            "note",
        ),
        required=("id", "kind", "title", "start", "confidence", "sources"),
        key=("id",),
        # Importers keep the coded attributes of machine-coded events here.
        optional=("cameo", "cameo_label", "quad_class", "goldstein", "tone", "mentions"),
        description="Things that happen at a date: meetings, calls, summits, visits.",
        provenance=(FOLDER_COLUMN,),
    ),
    "participants": FileSpec(
        "participants.csv",
        ("event", "entity", "role"),
        required=("event", "entity", "role"),
        key=("event", "entity"),
        description="Who took part in each event, and in which role.",
    ),
    "sources": FileSpec(
        "sources.csv",
        ("id", "title", "publisher", "url", "published", "reliability", "note"),
        required=("id", "title"),
        key=("id",),
        description="Where each fact comes from.",
        provenance=(FOLDER_COLUMN,),
    ),
}
