"""``explorer import gdelt|icews FILE... --out DIR``: event data into a data folder; ``explorer import
table|gexf|graphml FILE --out DIR``: an analyst's own file (see :mod:`explorer.importers.table` and
:mod:`explorer.importers.graphfile`).

One subcommand per entry of :data:`explorer.importers.IMPORTERS`; the
options a format does not support (``--min-mentions`` for ICEWS) are left out
of its command.
"""

from __future__ import annotations

import sys

import click

from ..errors import ArgumentError
from . import cli

__all__ = ["import_group"]

_SHOWN_PROBLEMS = 20


@cli.group("import")
def import_group() -> None:
    """Import machine-coded event data (GDELT, ICEWS), tables of ties (Kumu, edge lists) or graph files
    (GEXF, GraphML) into a data folder."""


def _countries(text: str | None) -> frozenset[str]:
    from ..importers.countries import iso3_from_name

    if not text:
        return frozenset()
    codes = set()
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        code = iso3_from_name(item.upper() if len(item) == 3 and item.isalpha() else item)
        if code is None:
            raise ArgumentError(f"--countries: {item!r} is not a country (an ISO3 code such as RUS, or a name)")
        codes.add(code)
    return frozenset(codes)


def _make_command(name: str, fmt_help: str, options: frozenset[str]) -> click.Command:
    def command(
        files,
        out,
        date_from,
        date_to,
        countries,
        cameo_codes,
        min_mentions=0,
        append=False,
        force=False,
        strict=False,
        quiet=False,
        engine="arrow",
        master=None,
        store=None,
    ) -> None:
        from ..importers import IMPORTERS, ImportOptions, run_import
        from ..importers.cameo import parse_selection
        from ..writes import out_path

        out = out_path(out)
        if append and force:
            raise ArgumentError("--append and --force cannot be combined: --append adds to --out, --force replaces it")
        if master and engine != "spark":
            raise ArgumentError("--master is the Spark master URL: it needs --engine spark")
        start = end = None
        if date_from or date_to:
            from .common import resolve_window  # pandas and networkx: only for a window

            start, end = resolve_window(date_from, date_to, None)
        options = ImportOptions(
            date_from=start,
            date_to=end,
            cameo=parse_selection(cameo_codes),
            countries=_countries(countries),
            min_mentions=min_mentions or 0,
            strict=strict,
            mode="append" if append else "force" if force else "new",
            engine=engine,
            master=master,
            store=store,
        )
        shown = 0

        def on_problem(problem) -> None:
            nonlocal shown
            if strict:
                return  # the error that stops the import says it
            if shown < _SHOWN_PROBLEMS:
                message = f"explorer: warning: skipped {problem}"
                if bar is not None:
                    bar.write(message, file=sys.stderr)  # above the bar, not through it
                else:
                    click.echo(message, err=True)
            shown += 1

        bar = None
        hooks = {}
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm

            def on_start(total):
                nonlocal bar
                bar = tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    file=sys.stderr,
                    desc=f"import {name}",
                    leave=False,
                )

            hooks = {"on_start": on_start, "on_bytes": lambda n: bar.update(n)}
        try:
            report = run_import(IMPORTERS[name], files, out, options, on_problem=on_problem, **hooks)
        finally:
            if bar is not None:
                bar.close()
        if shown > _SHOWN_PROBLEMS:
            click.echo(
                f"explorer: warning: {shown - _SHOWN_PROBLEMS} more malformed lines skipped "
                "(use --strict to stop at the first)",
                err=True,
            )
        if not quiet:
            for line in report.summary_lines():
                click.echo(line)

    params = [
        click.Argument(["files"], nargs=-1, required=True, metavar="FILE..."),
        click.Option(
            ["--out", "out"],
            required=True,
            metavar="DIR",
            help="Data folder to write (must not exist, unless --force or --append). Never a folder that holds "
            "one of the FILEs.",
        ),
        click.Option(
            ["--from", "date_from"], metavar="DATE", help="Keep events on or after DATE (YYYY-MM-DD, YYYY-MM or YYYY)."
        ),
        click.Option(["--to", "date_to"], metavar="DATE", help="Keep events on or before DATE."),
        click.Option(
            ["--countries"],
            metavar="LIST",
            help="Keep events with an actor of one of these countries (ISO3 codes or names, comma-separated).",
        ),
        click.Option(
            ["--cameo", "cameo_codes"],
            metavar="CODES",
            default="default",
            show_default=True,
            help="CAMEO roots or event codes to keep, comma-separated (e.g. 04,057), 'all', or 'default': "
            "04 consult, 05 diplomatic cooperation and their refusals 125, 126, 161, 164, 165.",
        ),
    ]
    if "min_mentions" in options:
        params.append(
            click.Option(
                ["--min-mentions"],
                type=click.IntRange(min=0),
                default=0,
                show_default=True,
                help="Keep events mentioned at least this many times (NumMentions).",
            )
        )
    params += [
        click.Option(
            ["--append"], is_flag=True, help="Add to an existing --out folder; events already there are skipped."
        ),
        click.Option(
            ["--force"],
            is_flag=True,
            help="Replace an existing --out folder, if it is empty or a data folder (the five data files only).",
        ),
        click.Option(["--strict"], is_flag=True, help="Stop at the first malformed line instead of skipping it."),
        click.Option(["--quiet", "-q"], is_flag=True, help="No progress bar and no summary."),
        click.Option(
            ["--engine"],
            type=click.Choice(["arrow", "spark"]),
            default="arrow",
            show_default=True,
            help="What reads, checks and filters the rows: 'arrow' (this process, streaming) or 'spark' (Apache "
            "Spark: pip install 'explorer[spark]' and Java). Both give the same folder.",
        ),
        click.Option(
            ["--master"],
            metavar="URL",
            help="With --engine spark: the Spark master (default local[2], this machine; e.g. spark://host:7077).",
        ),
        click.Option(
            ["--store/--no-store", "store"],
            default=None,
            help="Build the folder's event store (what explorer serve reads a large folder through) as part of "
            "the import, or not. Default: when events.csv is 8 MB or more, the size from which serve uses it.",
        ),
    ]
    return click.Command(name, callback=command, params=params, help=fmt_help, short_help=fmt_help.split(".")[0])


def _register() -> None:
    # The registry is light to import (pyarrow, pycountry), but the command list only needs names and help.
    from ..importers import IMPORTERS

    for name, fmt in IMPORTERS.items():
        help_text = (
            f"Import {fmt.title} event files into a data folder. {fmt.help}\n\n"
            "FILE... are files, folders or glob patterns; plain, .zip or .gz. "
            "Nothing is written to --out unless the whole import succeeds.\n\n"
            "This help lists every option. How events, actors and CAMEO codes become the data model, and the "
            "quirks of each format, are described in docs/importers.md of explorer's source tree (the repository "
            "and the sdist; an installed wheel has no docs/ folder)."
        )
        import_group.add_command(_make_command(name, help_text, fmt.options))


_register()


# ---- analysts' own files: tables (Kumu workbooks, edge lists), GEXF, GraphML ------------------

_OWN_FILES_HELP = (
    "Names are resolved against the entities of --data (ids, names, aliases, ISO3 codes, Wikidata ids); "
    "a name none of them carries becomes a new entity. --out is a new data folder holding the ties and every "
    "entity they name; nothing is written to it if one row is refused (every problem is listed, with its "
    "file, sheet, row and column). docs/importers.md of explorer's source tree describes the layouts read."
)


def _own_file_options(f):
    options = [
        click.Option(
            ["--data", "data"],
            metavar="DIR",
            multiple=True,
            help="Data folder whose entities names resolve to, and whose sources cited ids are taken from "
            "(repeatable; default: $EXPLORER_DATA or the bundled data). It is read, never written.",
        ),
        click.Option(
            ["--node-kind"],
            type=click.Choice(["country", "organization", "official"]),
            help="Kind of a name that matches no entity and is not a country (default: refuse it).",
        ),
        click.Option(
            ["--default-kind"],
            type=click.Choice(list(_relation_kinds())),
            metavar="KIND",
            default="meeting",
            show_default=True,
            help="Kind of a tie whose kind is empty or missing: an event kind (meeting, call, visit...) or an "
            "affiliation kind (member, office...).",
        ),
        click.Option(
            ["--unknown-kinds"],
            type=click.Choice(["nearest", "refuse"]),
            default="nearest",
            show_default=True,
            help="A kind outside the data model's: read it as the nearest relation (a synonym or close spelling, "
            "noted on the tie; refused when none is near), or refuse it.",
        ),
        click.Option(
            ["--force"], is_flag=True, help="Replace an existing --out folder, if it is empty or a data folder."
        ),
        click.Option(["--quiet", "-q"], is_flag=True, help="No summary."),
    ]
    if isinstance(f, click.Command):
        f.params.extend(options)
    else:  # under click's decorators, which build the command from __click_params__ (in reverse order)
        f.__click_params__ = [*reversed(options), *getattr(f, "__click_params__", [])]
    return f


def _relation_kinds() -> tuple[str, ...]:
    # explorer.importers.facts.RELATION_KINDS, without importing its networkx and pandas for every command
    from .. import schema

    return tuple(schema.EVENT_KINDS) + tuple(schema.AFFILIATION_KINDS)


def _reference(data):
    """The entities names resolve against, and the folders they come from (which --out may never be)."""
    from ..importers.facts import Reference
    from ..loader import load_datasets
    from ..writes import data_folder_inputs
    from .common import data_paths

    paths = data_paths(data)
    return Reference(load_datasets(paths)), [p for path in paths for p in data_folder_inputs(path)]


@import_group.command(
    "table",
    short_help="Import a Kumu workbook or an edge list (.xlsx, .ods, .csv) into a data folder",
    help="Import a table of ties into a data folder: a Kumu workbook (Elements and Connections sheets) or an edge "
    "list (one tie per row: source, target, date or start/end, kind, title, URL), from .xlsx, .ods or .csv. "
    "Columns are found by their usual names; --source, --target, --date, --start, --end, --kind, --title and "
    "--url name them. " + _OWN_FILES_HELP,
)
@click.argument("file", metavar="FILE")
@click.option(
    "--out", "out", required=True, metavar="DIR", help="Data folder to write (must not exist, unless --force)."
)
@click.option("--sheet", metavar="NAME", help="The sheet of the edge list in a workbook (default: the first).")
@click.option("--source", "col_source", metavar="COL", help="Column of a tie's first entity (default: source, from).")
@click.option("--target", "col_target", metavar="COL", help="Column of a tie's second entity (default: target, to).")
@click.option("--date", "col_date", metavar="COL", help="Column of a tie's date (default: date).")
@click.option("--start", "col_start", metavar="COL", help="Column of a tie's start (default: start).")
@click.option("--end", "col_end", metavar="COL", help="Column of a tie's end (default: end).")
@click.option("--kind", "col_kind", metavar="COL", help="Column of a tie's kind (default: kind, type, relation).")
@click.option("--title", "col_title", metavar="COL", help="Column of a tie's title (default: title, label).")
@click.option("--url", "col_url", metavar="COL", help="Column of a tie's source URLs (default: url, source url, link).")
@_own_file_options
def import_table_command(file, out, sheet, data, node_kind, default_kind, unknown_kinds, force, quiet, **columns):
    from ..importers.table import TableOptions, import_table
    from ..writes import out_path

    options = TableOptions(
        columns={k.removeprefix("col_"): v for k, v in columns.items() if v},
        sheet=sheet,
        node_kind=node_kind,
        default_kind=default_kind,
        unknown_kinds=unknown_kinds,
    )
    reference, read = _reference(data)
    lines = import_table(file, out_path(out), reference, options, force=force, inputs=read)
    if not quiet:
        for line in lines:
            click.echo(line)


def _graph_file_command(fmt: str, title: str) -> click.Command:
    def command(file, out, data, node_kind, default_kind, unknown_kinds, force, quiet):
        from ..importers.graphfile import import_graph_file
        from ..importers.table import TableOptions
        from ..writes import out_path

        options = TableOptions(node_kind=node_kind, default_kind=default_kind, unknown_kinds=unknown_kinds)
        reference, read = _reference(data)
        lines = import_graph_file(file, fmt, out_path(out), reference, options, force=force, inputs=read)
        if not quiet:
            for line in lines:
                click.echo(line)

    params = [
        click.Argument(["file"], metavar="FILE"),
        click.Option(
            ["--out", "out"],
            required=True,
            metavar="DIR",
            help="Data folder to write (must not exist, unless --force).",
        ),
    ]
    cmd = click.Command(
        fmt,
        callback=command,
        params=params,
        short_help=f"Import a {title} file into a data folder",
        help=f"Import a {title} file into a data folder: explorer's own export (explorer export --format {fmt}) "
        "comes back as the entities, ties, kinds, dates and sources it was made from; another tool's file as "
        "dated ties (spells, start/end or a date attribute; kind from a kind, type or relation attribute). "
        + _OWN_FILES_HELP,
    )
    return _own_file_options(cmd)


for _fmt, _title in (("gexf", "GEXF (Gephi)"), ("graphml", "GraphML")):
    import_group.add_command(_graph_file_command(_fmt, _title))
