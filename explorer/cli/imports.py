"""``explorer import gdelt|icews FILE... --out DIR``: event data into a data folder.

One subcommand per entry of :data:`explorer.importers.IMPORTERS`; the
options a format does not support (``--min-mentions`` for ICEWS) are left out
of its command.
"""

from __future__ import annotations

import sys

import click

from ..errors import ArgumentError
from . import cli
from .common import resolve_window

__all__ = ["import_group"]

_SHOWN_PROBLEMS = 20


@cli.group("import")
def import_group() -> None:
    """Import machine-coded event data (GDELT, ICEWS) into a data folder."""


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
    ) -> None:
        from ..importers import IMPORTERS, ImportOptions, run_import
        from ..importers.cameo import parse_selection
        from ..writes import out_path

        out = out_path(out)
        if append and force:
            raise ArgumentError("--append and --force cannot be combined: --append adds to --out, --force replaces it")
        start, end = resolve_window(date_from, date_to, None)
        options = ImportOptions(
            date_from=start,
            date_to=end,
            cameo=parse_selection(cameo_codes),
            countries=_countries(countries),
            min_mentions=min_mentions or 0,
            strict=strict,
            mode="append" if append else "force" if force else "new",
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
