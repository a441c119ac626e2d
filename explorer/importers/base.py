"""What an event format is to the import pipeline: its layouts and its mapping rules.

A format module (:mod:`.gdelt`, :mod:`.icews`) describes its files with
:class:`Layout` and its rules with an :class:`EventFormat`; the pipeline
(:mod:`.pipeline`) does the rest the same way for every format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from .actors import Actor

__all__ = ["Layout", "EventFormat", "per_distinct"]


@dataclass(frozen=True)
class Layout:
    """One file layout of a format: its name, its columns in order, whether a header line comes first."""

    name: str
    columns: tuple[str, ...]
    header: bool = False


@dataclass(frozen=True)
class EventFormat:
    """The rules of one event-data format.

    Attributes
    ----------
    name, title, help:
        The command name (``gdelt``), a display name and one line of help.
    prefix:
        Prefix of the event ids (``gdelt-741917022``).
    detect:
        ``(first_line, label) -> Layout``: the layout of a file from its first
        line; raises :class:`.reader.InputError` naming the expected columns.
    id_column, date_column, date_format, code_column:
        The raw columns of the event id (the deduplication key), the date
        (parsed with ``date_format``) and the CAMEO event code.
    actor_columns:
        The raw columns of each actor, passed in this order to ``map_actor``.
    map_actor:
        Pure function from an actor's raw fields to an :class:`.actors.Actor`.
    mentions_column:
        The column ``--min-mentions`` compares with, or None when the format has none.
    columns:
        ``(table, layout, label) -> dict`` of event columns computed from the
        raw string columns of the kept rows: ``confidence``, ``place``,
        ``place_key`` (what the event's country is read from), ``note``,
        ``quad_class``, ``goldstein``, ``tone``, ``mentions``, ``source_key``
        and ``source_date``.
    place_country:
        ``place_key -> ISO3 or None``.
    source_id, describe_sources:
        ``source_key -> id``, and ``(keys, ids, first dates) -> table`` of new
        sources.csv rows (columns id, title, publisher, url, published, note).
    needed:
        ``layout -> columns``: the raw columns the rules read (the others are
        never converted, which is most of the speed).
    options:
        The format-specific options it supports (``min_mentions``).
    """

    name: str
    title: str
    help: str
    prefix: str
    detect: Callable[[str, str], Layout]
    id_column: str
    date_column: str
    date_format: str
    code_column: str
    actor_columns: tuple[tuple[str, ...], tuple[str, ...]]
    map_actor: Callable[..., Actor]
    columns: Callable[[pa.Table, Layout, str], dict[str, pa.Array]]
    place_country: Callable[[str], str | None]
    source_id: Callable[[str], str]
    describe_sources: Callable[[pa.Array, pa.Array, pa.Array], pa.Table]
    needed: Callable[[Layout], tuple[str, ...]]
    mentions_column: str | None = None
    options: frozenset[str] = field(default_factory=frozenset)


def per_distinct(values: pa.Array, compute: Callable[[pa.Array], object]):
    """Run ``compute`` on the distinct values of ``values`` only, and spread its result over every row.

    ``compute`` takes an array and returns an array of the same length, a
    tuple of them, or None (kept as None).  Dates, event codes and places
    repeat across millions of rows, so computing once per distinct value
    (a hash per row, then the work on a few hundred values) is what makes
    the expensive checks cheap.

    >>> per_distinct(pa.array(["a", "bb", "a"]), pc.utf8_length).to_pylist()
    [1, 2, 1]
    >>> ok, none = per_distinct(pa.array(["1", "x", "1"]), lambda v: (pc.ascii_is_decimal(v), None))
    >>> ok.to_pylist(), none
    ([True, False, True], None)
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values.dictionary_encode()
    result = compute(encoded.dictionary)

    def spread(part):
        return None if part is None else pc.take(part, encoded.indices)

    if isinstance(result, tuple):
        return tuple(spread(part) for part in result)
    return spread(result)
