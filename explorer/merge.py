"""Several data folders as one: entities merged, facts kept with the folder they came from.

:func:`merge_datasets` takes validated datasets (a curated folder and an import, say) and
returns one :class:`~explorer.loader.Dataset` plus the conflicts it met:

* **Entities** are merged by id, else by ISO3 code, else by Wikidata id (an entity of a later
  folder that shares one of these with an earlier entity of the same kind becomes that
  entity; references to it in its folder follow).  The first folder's name, note and
  country win; the other names become aliases, empty fields are filled from later folders.
* **Events, affiliations and sources** keep their folder in the ``folder`` column (the
  folder's directory name, never a path).  An id used by two folders for different facts is
  renamed ``FOLDER:ID`` in the later folder; the same fact in two folders is kept once.

Conflicts are :class:`~explorer.errors.Problem` records naming both folders, files and
lines.  **Errors** (the merged graph would be wrong): the same entity id with two different
kinds.  **Warnings** (the merge is well defined, but an analyst should look): the same id
with different names, Wikidata ids or (officials) countries; two ids of different kinds
sharing an ISO3 or Wikidata id (kept apart); the same affiliation (source, target, kind,
start) with different dates, status or confidence (the first folder's is kept); ids renamed.

>>> from explorer.paths import bundled_data_dir
>>> from explorer.loader import load_dataset
>>> ds = load_dataset(bundled_data_dir())
>>> merged, errors, warnings = merge_datasets([ds, ds], ["data", "copy"])
>>> len(merged.entities) == len(ds.entities), len(merged.events) == len(ds.events), errors
(True, True, [])
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import schema
from .errors import Problem

__all__ = ["folder_labels", "merge_datasets", "FOLDER_PATTERN"]

FOLDER = schema.FOLDER_COLUMN
FOLDER_PATTERN = r"[A-Za-z0-9._-]+"
"""What a folder label may hold: it goes into links (``hidefolders=a,b``) and ``;``-lists."""
_NOT_LABEL = re.compile(r"[^A-Za-z0-9._-]+")
_ENTITY_FIELDS = ("id", "kind", "name", "aliases", "iso3", "country", "wikidata", "note")


def folder_label(path: str | Path) -> str:
    """The name a folder is shown by: its directory name, with characters other than letters,
    digits, ``.``, ``_`` and ``-`` replaced by ``-``.

    >>> folder_label("/srv/My data, 2024/")
    'My-data-2024'
    """
    name = Path(path).resolve().name
    return _NOT_LABEL.sub("-", name).strip("-.") or "data"


def folder_labels(paths: Sequence[str | Path]) -> list[str]:
    """One distinct label per folder (a repeated directory name gets ``-2``, ``-3``...).

    >>> folder_labels(["/a/data", "/b/data", "/c/gdelt"])
    ['data', 'data-2', 'gdelt']
    """
    out: list[str] = []
    for path in paths:
        base = folder_label(path)
        label, n = base, 2
        while label in out:
            label, n = f"{base}-{n}", n + 1
        out.append(label)
    return out


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _split(text: str) -> list[str]:
    return [s.strip() for s in text.split(schema.LIST_SEP) if s.strip()]


def _records(frame: pd.DataFrame, columns) -> list[dict]:
    cols = list(columns)
    return [dict(zip(cols, values, strict=True)) for values in zip(*(frame[c].tolist() for c in cols), strict=True)]


def _origin(value: str, label: str) -> list[str]:
    """The folders a row came from: those its ``folder`` cell names (a merged folder), else ``label``."""
    return _split(value) or [label]


class _Conflicts:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, error: bool, where: tuple[str, str, int], column: str, value: str, message: str, expected: str = ""):
        label, file, line = where
        (self.errors if error else self.warnings).append(
            Problem(f"{label}/{file}", line, column, value, message, expected)
        )


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def _at(where: tuple[str, str, int]) -> str:
    return f"{where[0]}/{where[1]}:{where[2]}"


def _merge_entities(parts, conflicts: _Conflicts) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    rows: dict[str, dict] = {}
    by_code: dict[str, dict[str, str]] = {"iso3": {}, "wikidata": {}}
    maps: list[dict[str, str]] = []
    for label, ds in parts:
        local: dict[str, str] = {}
        merged_here: list[tuple[dict, dict]] = []  # (merged row, this folder's row): compared once ids are known
        for r in _records(ds.entities, (*_ENTITY_FIELDS, "line", FOLDER)):
            r["_where"] = (label, "entities.csv", int(r["line"]))
            target = r["id"] if r["id"] in rows else None
            if target is not None and rows[target]["kind"] != r["kind"]:
                first = rows[target]
                conflicts.add(
                    True,
                    r["_where"],
                    "kind",
                    r["kind"],
                    f"conflicts with {_at(first['_where'])}, where {r['id']} is {_a(first['kind'])}",
                    "the same kind for an id in every folder",
                )
            for code, what in (("iso3", "ISO3 code"), ("wikidata", "Wikidata id")):
                value = r[code]
                other = by_code[code].get(value) if value else None
                if other is None or other == target:
                    continue
                if rows[other]["_where"][0] == label:
                    continue  # two entities of one folder are never merged
                if rows[other]["kind"] == r["kind"] and target is None:
                    target = other
                elif rows[other]["kind"] != r["kind"]:
                    conflicts.add(
                        False,
                        r["_where"],
                        code,
                        value,
                        f"is also the {what} of {other} ({rows[other]['kind']}, {_at(rows[other]['_where'])}), "
                        f"but {r['id']} is {_a(r['kind'])}: kept apart",
                        "one entity per " + what,
                    )
            if target is None:
                row = {k: r[k] for k in _ENTITY_FIELDS}
                row["_where"] = r["_where"]
                row["_folders"] = _origin(r[FOLDER], label)
                row["_aliases"] = _split(r["aliases"])
                rows[r["id"]] = row
                target = r["id"]
                for code in by_code:
                    if r[code]:
                        by_code[code].setdefault(r[code], target)
            else:
                merged_here.append((rows[target], r))
            local[r["id"]] = target
        for row, r in merged_here:
            _merge_entity(row, r, local, label, conflicts)
        for row in rows.values():
            if row["_where"][0] == label and row["country"]:
                row["country"] = local.get(row["country"], row["country"])
        maps.append(local)
    out = []
    for row in rows.values():
        names = {_norm(row["name"])}
        aliases = []
        for a in row["_aliases"]:
            if _norm(a) not in names:
                names.add(_norm(a))
                aliases.append(a)
        out.append(
            {
                **{k: row[k] for k in _ENTITY_FIELDS},
                "aliases": schema.LIST_SEP.join(aliases),
                FOLDER: schema.LIST_SEP.join(dict.fromkeys(row["_folders"])),
                "line": row["_where"][2],
            }
        )
    return pd.DataFrame(out, columns=[*_ENTITY_FIELDS, FOLDER, "line"]), maps


def _merge_entity(row: dict, r: dict, local: dict[str, str], label: str, conflicts: _Conflicts) -> None:
    """Lay the later folder's row ``r`` over the merged ``row``: fill what is empty, report what differs."""
    row["_folders"] += _origin(r[FOLDER], label)
    row["_aliases"] += [r["name"], *_split(r["aliases"])]
    where, first = r["_where"], _at(row["_where"])
    if row["kind"] != r["kind"]:
        return  # reported as an error already
    if _norm(r["name"]) != _norm(row["name"]):
        conflicts.add(
            False,
            where,
            "name",
            r["name"],
            f"differs from {first}, which names {row['id']} {row['name']!r}: that name is kept, this one "
            "becomes an alias",
            "the same name in every folder",
        )
    if r["wikidata"] and row["wikidata"] and r["wikidata"] != row["wikidata"]:
        conflicts.add(
            False,
            where,
            "wikidata",
            r["wikidata"],
            f"differs from {first} ({row['wikidata']}) for {row['id']}; {row['wikidata']} is kept",
            "the same Wikidata id in every folder",
        )
    country = local.get(r["country"], r["country"])
    if country and row["country"] and country != row["country"] and row["kind"] == "official":
        conflicts.add(
            False,
            where,
            "country",
            r["country"],
            f"differs from {first} ({row['country']}) for {row['id']}; {row['country']} is kept",
            "the same country in every folder",
        )
    for col in ("iso3", "wikidata", "note"):
        if not row[col] and r[col]:
            row[col] = r[col]
    if not row["country"] and country:
        row["country"] = country


def _map_list(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    if not mapping:
        return values
    return values.map(lambda text: schema.LIST_SEP.join(mapping.get(s, s) for s in _split(text)))


def _signatures(events: pd.DataFrame, participants: pd.DataFrame, ids: list[str]) -> dict[str, tuple]:
    """What makes two events with one id the same event: kind, title, dates and participants."""
    wanted = set(ids)
    who = (
        participants[participants["event"].isin(wanted)].groupby("event")["entity"].agg(lambda s: tuple(sorted(set(s))))
    )
    rows = _records(events[events["id"].isin(wanted)], ("id", "kind", "title", "start", "end"))
    return {r["id"]: (r["kind"], _norm(r["title"]), r["start"], r["end"], who.get(r["id"], ())) for r in rows}


def _unique_id(base: str, label: str, taken: set[str]) -> str:
    new, n = f"{label}:{base}", 2
    while new in taken:
        new, n = f"{label}-{n}:{base}", n + 1
    return new


def merge_datasets(datasets: Sequence, labels: Sequence[str]) -> tuple[object, list[Problem], list[Problem]]:
    """Merge validated datasets (in order of precedence) into one; see the module docstring.

    Returns the merged :class:`~explorer.loader.Dataset`, the errors and the warnings.  The
    result's frames carry ``folder`` on every row (entities: the ``;``-list of the folders that
    hold them) and keep each row's ``line`` in its own file.
    """
    from .loader import Dataset, folders_of

    parts = list(zip(labels, datasets, strict=True))
    conflicts = _Conflicts()
    entities, entity_maps = _merge_entities(parts, conflicts)

    source_frames, source_maps = [], []
    seen_sources: dict[str, tuple] = {}
    for label, ds in parts:
        src = ds.sources.copy()
        src[FOLDER] = src[FOLDER].where(src[FOLDER] != "", label)
        renames: dict[str, str] = {}
        keep = []
        for i, r in enumerate(_records(src, ("id", "title", "url", "publisher"))):
            sig = (_norm(r["title"]), r["url"], _norm(r["publisher"]))
            if r["id"] not in seen_sources:
                seen_sources[r["id"]] = sig
                keep.append(i)
            elif seen_sources[r["id"]] != sig:
                new = _unique_id(r["id"], label, set(seen_sources))
                seen_sources[new] = sig
                renames[r["id"]] = new
                keep.append(i)
            # else: the same source in an earlier folder: cited through its id
        src = src.iloc[keep].copy()
        src["id"] = src["id"].map(lambda s, m=renames: m.get(s, s))
        source_frames.append(src)
        source_maps.append(renames)
        if renames:
            conflicts.add(
                False,
                (label, "sources.csv", 0),
                "id",
                "",
                f"{len(renames)} source id{'s are' if len(renames) > 1 else ' is'} also used by an earlier folder "
                f"for another source: renamed {label}:ID (e.g. {next(iter(renames))} -> {next(iter(renames.values()))})",
            )

    event_frames, participant_frames = [], []
    owner: dict[str, int] = {}  # event id -> the index of the merged frame that holds it
    for (label, ds), emap, smap in zip(parts, entity_maps, source_maps, strict=True):
        ev = ds.events.copy()
        ev[FOLDER] = ev[FOLDER].where(ev[FOLDER] != "", label)
        ev["sources"] = _map_list(ev["sources"], smap)
        par = ds.participants.copy()
        par["entity"] = par["entity"].map(emap).fillna(par["entity"])
        clash = ev["id"][ev["id"].isin(list(owner))].tolist()
        renames: dict[str, str] = {}
        dropped: set[str] = set()
        if clash:
            here = _signatures(ev, par, clash)
            earlier: dict[str, tuple] = {}
            for j in sorted({owner[e] for e in clash}):
                ids = [e for e in clash if owner[e] == j]
                earlier.update(_signatures(event_frames[j], participant_frames[j], ids))
            taken = set(owner) | set(ev["id"])
            for eid in clash:
                if here[eid] == earlier[eid]:
                    dropped.add(eid)  # the same event: kept once, as the earlier folder's
                else:
                    renames[eid] = _unique_id(eid, label, taken)
                    taken.add(renames[eid])
        ev = ev[~ev["id"].isin(dropped)].copy()
        par = par[~par["event"].isin(dropped)].copy()
        if renames:
            ev["id"] = ev["id"].map(renames).fillna(ev["id"])
            par["event"] = par["event"].map(renames).fillna(par["event"])
            conflicts.add(
                False,
                (label, "events.csv", 0),
                "id",
                "",
                f"{len(renames)} event id{'s are' if len(renames) > 1 else ' is'} also used by an earlier folder "
                f"for another event: renamed {label}:ID (e.g. {next(iter(renames))} -> {next(iter(renames.values()))})",
            )
        owner.update(dict.fromkeys(ev["id"].tolist(), len(event_frames)))
        event_frames.append(ev)
        participant_frames.append(par.drop_duplicates(["event", "entity"]))

    aff_frames = []
    seen_affs: dict[tuple, dict] = {}
    for (label, ds), emap, smap in zip(parts, entity_maps, source_maps, strict=True):
        aff = ds.affiliations.copy()
        aff[FOLDER] = aff[FOLDER].where(aff[FOLDER] != "", label)
        aff["source"] = aff["source"].map(emap).fillna(aff["source"])
        aff["target"] = aff["target"].map(emap).fillna(aff["target"])
        aff["sources"] = _map_list(aff["sources"], smap)
        keep = []
        for i, r in enumerate(
            _records(aff, ("source", "target", "kind", "start", "end", "status", "confidence", "line"))
        ):
            key = (r["source"], r["target"], r["kind"], r["start"])
            first = seen_affs.get(key)
            if first is None:
                seen_affs[key] = {**r, "_where": (label, "affiliations.csv", int(r["line"]))}
                keep.append(i)
                continue
            if first["_where"][0] == label:
                keep.append(i)  # two of its entities merged into one: the validator reports the duplicate
                continue
            differs = [c for c in ("end", "status", "confidence") if r[c] != first[c]]
            if differs:
                conflicts.add(
                    False,
                    (label, "affiliations.csv", int(r["line"])),
                    differs[0],
                    r[differs[0]],
                    f"differs from {_at(first['_where'])} ({first[differs[0]] or 'empty'}) for {r['source']} "
                    f"{r['kind']} {r['target']} from {r['start']}; that one is kept",
                    "the same affiliation in every folder",
                )
        aff_frames.append(aff.iloc[keep])

    def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    digest = hashlib.sha1()
    for label, ds in parts:
        digest.update(f"{label}\0{ds.fingerprint}\0".encode())
    frames = {
        "entities": entities,
        "affiliations": concat(aff_frames),
        "events": concat(event_frames),
        "participants": concat(participant_frames),
        "sources": concat(source_frames),
    }
    merged = Dataset(
        path=Path(datasets[0].path),
        **frames,
        fingerprint=digest.hexdigest()[:16],
        paths=tuple(Path(ds.path) for ds in datasets),
        folders=folders_of(frames),
        warnings=tuple(sorted(conflicts.warnings)),
    )
    return merged, sorted(conflicts.errors), sorted(conflicts.warnings)
