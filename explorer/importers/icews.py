"""ICEWS coded event files (the Dataverse ``events.YYYY...tab`` files and their zips).

Tab-separated with a header line of 20 columns; ``NA`` marks a missing value.
Actors are named (``Sergey Viktorovich Lavrov``, ``Police (India)``) with a
country name (``Russian Federation``); each event cites the publisher of its
story.  ICEWS gives no QuadClass (derived from the CAMEO root), no tone and
no mention count.  Each row is one sentence of one story, so every event's
confidence is ``low``.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from . import cameo
from .actors import Actor, icews_actor, slugify
from .base import EventFormat, Layout
from .countries import iso3_from_name
from .reader import InputError

__all__ = ["ICEWS", "ICEWS_COLUMNS", "detect"]

ICEWS_COLUMNS = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)
LAYOUT = Layout("ICEWS", ICEWS_COLUMNS, header=True)


def detect(first_line: str, label: str) -> Layout:
    """The ICEWS layout, if the header line names the 20 ICEWS columns (case and spacing ignored)."""
    fields = [f.strip().lower() for f in first_line.split("\t")]
    if fields == [c.lower() for c in ICEWS_COLUMNS]:
        return LAYOUT
    hint = ""
    if len(fields) in (57, 58, 61) and fields[0].isdigit():
        hint = "; it looks like a GDELT file: use 'explorer import gdelt'"
    raise InputError(
        f"{label}: not an ICEWS event file: its first line is not the ICEWS header; expected "
        f"{len(ICEWS_COLUMNS)} tab-separated columns: {', '.join(ICEWS_COLUMNS)}{hint}"
    )


def _needed(layout: Layout) -> tuple[str, ...]:
    return tuple(c for c in ICEWS_COLUMNS if c not in ("Latitude", "Longitude", "District"))


def _na(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, "NA"), "", values)


def _event_columns(table: pa.Table, layout: Layout, label: str) -> dict[str, pa.Array]:
    col = table.column
    parts = [_na(col(c)) for c in ("City", "Province", "Country")]
    place = pc.binary_join_element_wise(*parts, ", ")
    place = pc.replace_substring_regex(place, r"^(, )+|(, )+$", "")
    place = pc.replace_substring_regex(place, r"(, ){2,}", ", ")
    codes = col("CAMEO Code").combine_chunks() if isinstance(col("CAMEO Code"), pa.ChunkedArray) else col("CAMEO Code")
    dictionary = codes.dictionary_encode()
    quad = pa.array([cameo.quad_class(c) for c in dictionary.dictionary.to_pylist()], pa.string())
    note = pc.binary_join_element_wise(
        "ICEWS event ",
        col("Event ID"),
        ", story ",
        col("Story ID"),
        " sentence ",
        col("Sentence Number"),
        ": ",
        _na(col("Source Name")),
        " -> ",
        _na(col("Target Name")),
        " (",
        col("Event Text"),
        ")",
        "",
    )
    empty = pa.repeat(pa.scalar("", pa.string()), table.num_rows)
    return {
        "confidence": pa.repeat(pa.scalar("low", pa.string()), table.num_rows),
        "place": place,
        "place_key": _na(col("Country")),
        "note": note,
        "quad_class": pc.take(quad, dictionary.indices),
        "goldstein": _na(col("Intensity")),
        "tone": empty,
        "mentions": empty,
        "source_key": pc.utf8_trim_whitespace(_na(col("Publisher"))),
        "source_date": col("Event Date"),
    }


def _map_actor(name: str, sectors: str, country: str) -> Actor:
    return icews_actor(name, sectors, country)


def _source_id(publisher: str) -> str:
    """The id of a publisher's source row.

    >>> _source_id("Vietnam News Agency Bulletin"), _source_id("")
    ('icews-vietnam-news-agency-bulletin', 'icews-unknown-publisher')
    """
    if not publisher:
        return "icews-unknown-publisher"
    return "icews-" + slugify(publisher)[:60]


def _describe_sources(keys: pa.Array, ids: pa.Array, dates: pa.Array) -> pa.Table:
    """The sources.csv rows of publishers (ICEWS gives the publisher of each story, not its URL)."""
    names = [re.sub(r"\s+", " ", k).strip() for k in keys.to_pylist()]
    return pa.table(
        {
            "id": ids,
            "title": pa.array([n or "ICEWS story (publisher not given)" for n in names], pa.string()),
            "publisher": pa.array(names, pa.string()),
            "url": pa.array([""] * len(names), pa.string()),
            "published": pa.array([""] * len(names), pa.string()),
            "note": pa.array(
                [
                    "Stories of this publisher coded by ICEWS"
                    if n
                    else "Stories coded by ICEWS whose publisher is not given"
                    for n in names
                ],
                pa.string(),
            ),
        }
    )


ICEWS = EventFormat(
    name="icews",
    title="ICEWS",
    help="ICEWS coded event files (.tab with the ICEWS header, or their .zip).",
    prefix="icews",
    detect=detect,
    id_column="Event ID",
    date_column="Event Date",
    date_format="%Y-%m-%d",
    code_column="CAMEO Code",
    actor_columns=(
        ("Source Name", "Source Sectors", "Source Country"),
        ("Target Name", "Target Sectors", "Target Country"),
    ),
    map_actor=_map_actor,
    columns=_event_columns,
    place_country=iso3_from_name,
    source_id=_source_id,
    describe_sources=_describe_sources,
    needed=_needed,
)
"""The ICEWS format, as registered in :data:`explorer.importers.IMPORTERS`."""
