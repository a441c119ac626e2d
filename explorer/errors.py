"""Exception types and the problem record the loader reports.

Every error a user can cause ends as one of these, so the CLI and the
dashboard can print a message instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import escape_terminal

__all__ = ["Problem", "ExplorerError", "DataError", "ArgumentError", "UnknownEntityError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a data folder: where it is, what it is, what was expected.

    ``line`` is the 1-based physical line of the file where the record starts
    (the header is line 1; blank lines and line breaks inside quoted values count);
    0 means the problem concerns the file as a whole.  Its text shows control
    characters from the data as visible escapes, so it is safe to print.
    """

    file: str
    line: int
    column: str
    value: str
    message: str
    expected: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f" column '{self.column}':" if self.column else ""
        val = f" {self.value!r}" if self.value != "" else ""
        exp = f"; expected {self.expected}" if self.expected else ""
        return escape_terminal(f"{where}:{col}{val} {self.message}{exp}".replace(":  ", ": "))


class ExplorerError(Exception):
    """Base class of every error explorer reports to a user."""


class ArgumentError(ExplorerError):
    """A bad argument: an unparsable date, an unknown level, a missing folder."""


class UnknownEntityError(ExplorerError):
    """A name that matches no entity; carries the closest suggestions."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown entity {name!r}{hint}")


class DataError(ExplorerError):
    """A data folder failed validation; ``problems`` lists every problem found."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = sorted(problems)
        super().__init__(self.report())

    def report(self) -> str:
        n = len(self.problems)
        head = escape_terminal(f"{self.path}: {n} problem{'s' if n != 1 else ''} found")
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
