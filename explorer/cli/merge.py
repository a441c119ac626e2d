"""``explorer merge A B ... --out C``: several data folders written as one.

The merge is :func:`explorer.merge.merge_datasets` (what ``--data A --data B`` opens);
the result is a plain data folder whose ``folder`` columns keep each fact's provenance,
written by the rules of :mod:`explorer.writes` and validated before it replaces anything.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import cli
from .common import data_path

__all__ = ["merge_command", "write_dataset"]


def _columns(spec, frame) -> list[str]:
    """The spec's columns, then the optional and provenance columns that hold a value."""
    extra = [c for c in (*spec.optional, *spec.provenance) if c in frame and (frame[c] != "").any()]
    return [*spec.columns, *extra]


def write_dataset(dataset, folder: Path) -> None:
    """Write ``dataset``'s five files into the existing, empty ``folder`` (UTF-8 CSV, as imports write)."""
    import pyarrow as pa

    from .. import schema
    from ..importers.writer import write_csv

    frames = {
        "entities": dataset.entities,
        "affiliations": dataset.affiliations,
        "events": dataset.events,
        "participants": dataset.participants,
        "sources": dataset.sources,
    }
    for name, spec in schema.FILES.items():
        frame = frames[name]
        columns = _columns(spec, frame)
        table = pa.table({c: pa.array(frame[c].astype(str).tolist(), pa.string()) for c in columns})
        with open(folder / spec.name, "wb") as sink:
            write_csv(table, columns, sink)


@cli.command("merge")
@click.argument("folders", nargs=-1, required=True, metavar="FOLDER FOLDER...")
@click.option("--out", "out", required=True, metavar="DIR", help="The merged data folder to write (a new folder).")
@click.option("--force", is_flag=True, help="Replace DIR if it is a data folder (never one of the FOLDERs).")
def merge_command(folders: tuple[str, ...], out: str, force: bool) -> None:
    """Merge data folders into one: entities by id, ISO3 or Wikidata id; every fact keeps its folder.

    Conflicts are reported as `explorer validate --data A --data B` reports them: an entity
    id with two kinds stops the merge (exit 1); warnings are printed and the merge goes on.

    \b
    explorer merge data imports/gdelt-2018 --out data-and-gdelt
    """
    from ..errors import ArgumentError, DataError
    from ..loader import check_datasets, load_dataset
    from ..text import escape_terminal
    from ..writes import atomic_path, data_folder_inputs, foreign_in_data_folder, out_path

    paths = [data_path(f) for f in folders]
    unique = {str(p.resolve()): p for p in paths}
    if len(unique) < 2:
        raise ArgumentError("merge: give at least two different data folders")
    paths = list(unique.values())
    target = out_path(out)
    inputs = [p for folder in paths for p in data_folder_inputs(folder)]
    # Refuse a bad --out before reading anything.
    from ..writes import check_target

    check_target(target, force, inputs=inputs, owned=foreign_in_data_folder, what="a data folder")
    merged, problems, warnings = check_datasets(paths)
    for w in warnings:
        click.echo(escape_terminal(f"explorer: warning: {w}"), err=True)
    if merged is None:
        raise DataError(" + ".join(str(p) for p in paths), problems)
    with atomic_path(
        target, force, directory=True, inputs=inputs, owned=foreign_in_data_folder, what="a data folder"
    ) as tmp:
        write_dataset(merged, tmp)
        written = load_dataset(tmp)  # what is written validates, or nothing replaces --out
    n = len(warnings)
    click.echo(
        escape_terminal(
            f"explorer: wrote {target} ({', '.join(merged.folders)}: {len(written.entities)} entities, "
            f"{len(written.affiliations)} affiliations, {len(written.events)} events, {len(written.sources)} sources; "
            f"{n} warning{'s' if n != 1 else ''})"
        ),
        err=True,
    )
