"""The ``explorer`` command line.

Every subcommand lives in a module of this package and registers on
:data:`cli` when that module is imported.  The modules are imported when a
command is looked up (:data:`COMMAND_MODULES`), so ``explorer import gdelt``
loads neither dash nor networkx; listing the commands (``explorer --help``,
iterating ``cli.commands``) imports them all.  Errors a user can cause print
one line on stderr: bad arguments exit 2, invalid data exits 1.
"""

from __future__ import annotations

import importlib
import sys

import click

from ..errors import ArgumentError, DataError, ExplorerError, UnknownEntityError
from ..text import escape_terminal

__all__ = ["COMMAND_MODULES", "cli", "main"]

COMMAND_MODULES: dict[str, str] = {
    "changes": "analysis",
    "ego": "analysis",
    "metrics": "analysis",
    "path": "analysis",
    "series": "analysis",
    "graph": "data",
    "info": "data",
    "validate": "data",
    "export": "export",
    "import": "imports",
    "merge": "merge",
    "serve": "serve",
}
"""The module of this package that defines each command (a test checks that it lists every one)."""


class _LazyCommands(dict):
    """``cli.commands``: a command's module is imported the first time the command is looked up;
    listing them (iteration, ``len``, ``keys``...) imports every module."""

    def __init__(self, modules: dict[str, str]):
        super().__init__()
        self._pending = dict(modules)

    def _load(self, name: str | None = None) -> None:
        wanted = set(self._pending) if name is None else {name} & set(self._pending)
        for module in sorted({self._pending[n] for n in wanted}):
            for n in [n for n, m in self._pending.items() if m == module]:
                del self._pending[n]  # before importing: the module registers on this dict
            importlib.import_module(f"{__name__}.{module}")

    def __getitem__(self, name):
        self._load(name)
        return super().__getitem__(name)

    def get(self, name, default=None):
        self._load(name)
        return super().get(name, default)

    def __contains__(self, name) -> bool:
        return name in self._pending or super().__contains__(name)

    def __iter__(self):
        self._load()
        return super().__iter__()

    def __len__(self) -> int:
        self._load()
        return super().__len__()

    def keys(self):
        self._load()
        return super().keys()

    def values(self):
        self._load()
        return super().values()

    def items(self):
        self._load()
        return super().items()

    def __repr__(self) -> str:
        self._load()
        return super().__repr__()


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


# Set after the group is made: click replaces an empty mapping given to it by a plain dict.
cli.commands = _LazyCommands(COMMAND_MODULES)
