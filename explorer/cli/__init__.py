"""The ``explorer`` command line.

Every subcommand lives in a module of this package and registers on
:data:`cli`.  Errors a user can cause print one line on stderr: bad
arguments exit 2, invalid data exits 1.
"""

from __future__ import annotations

import sys

import click

from ..errors import ArgumentError, DataError, ExplorerError, UnknownEntityError
from ..text import escape_terminal

__all__ = ["cli", "main"]


class _Group(click.Group):
    """A click group whose errors are one line on stderr, never a traceback."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(
                args=args, prog_name=prog_name or "explorer", complete_var=complete_var, standalone_mode=False, **extra
            )
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            sys.exit(2)
        except click.UsageError as exc:
            click.echo(f"explorer: error: {exc.format_message()}", err=True)
            sys.exit(2)
        except click.Abort:
            click.echo("explorer: aborted", err=True)
            sys.exit(1)
        except (ArgumentError, UnknownEntityError) as exc:
            click.echo(escape_terminal(f"explorer: error: {exc}", keep_newlines=True), err=True)
            sys.exit(2)
        except DataError as exc:
            click.echo(escape_terminal(exc.report(), keep_newlines=True), err=True)
            sys.exit(1)
        except ExplorerError as exc:
            # Messages can quote data (a zip member's name, a file's first field): never raw control characters.
            click.echo(escape_terminal(f"explorer: error: {exc}", keep_newlines=True), err=True)
            sys.exit(1)
        if isinstance(rv, int) and rv:
            sys.exit(rv)
        sys.exit(0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="explorer", prog_name="explorer")
def cli() -> None:
    """Explore who meets whom: a dated, sourced graph of countries, officials and organisations."""


def main() -> None:
    cli.main()


def _register_subcommands() -> None:
    # Every module of this package registers its commands on `cli` when imported;
    # they import heavy libraries (dash, kaleido) inside the commands, not at import.
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if info.name != "common":
            importlib.import_module(f"{__name__}.{info.name}")


_register_subcommands()
