"""Partial dates: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, with their precision.

A partial date stands for a period: ``2024-01`` is 1 to 31 January 2024.  Its
*first* day is used where it starts an interval and its *last* day where it ends
one, so ``start=2024, end=2024`` covers the whole year.

Years run from 0001 to 9999 (those of :class:`datetime.date`); ``0000`` and
digits other than ASCII 0-9 are not dates.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from .errors import ArgumentError

__all__ = [
    "PATTERNS",
    "precision_of",
    "parse_partial",
    "series_precision",
    "series_bounds",
    "parse_bound",
]

# [0-9], not \d: \d also matches other scripts' digits, which int() would accept.
PATTERNS: dict[str, str] = {
    "day": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "month": r"[0-9]{4}-[0-9]{2}",
    "year": r"[0-9]{4}",
}
_COMPILED = {k: re.compile(v) for k, v in PATTERNS.items()}


def precision_of(text: str) -> str | None:
    """The precision a date string is written in, or None if it is not one.

    >>> precision_of("2024-01-30"), precision_of("2024-01"), precision_of("2024")
    ('day', 'month', 'year')
    >>> precision_of("30/01/2024") is None
    True
    """
    for name, rx in _COMPILED.items():
        if rx.fullmatch(text):
            return name
    return None


def parse_partial(text: str) -> tuple[dt.date, dt.date, str]:
    """First day, last day and precision of a partial date.

    >>> parse_partial("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), 'month')

    Raises ValueError for anything else, including impossible days (2023-02-30)
    and year 0000.

    >>> parse_partial("0000-06")
    Traceback (most recent call last):
    ...
    ValueError: '0000-06' has no year 0; years run from 0001 to 9999
    """
    text = text.strip()
    precision = precision_of(text)
    if precision is None:
        raise ValueError(f"{text!r} is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY")
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if year < dt.MINYEAR:
        raise ValueError(f"{text!r} has no year 0; years run from 0001 to 9999")
    if precision == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31), precision
    month = parts[1]
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}")
    if precision == "month":
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]), precision
    try:
        day = dt.date(year, month, parts[2])
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None
    return day, day, precision


def parse_bound(text: str | dt.date | None, side: str) -> dt.date | None:
    """A window bound from user input: the first day of ``text`` for side 'from',
    its last day for side 'to'.  ``None`` and '' stay None (unbounded).

    >>> parse_bound("2024", "to")
    datetime.date(2024, 12, 31)
    """
    if text is None or text == "":
        return None
    if isinstance(text, dt.date):
        return text
    try:
        first, last, _ = parse_partial(str(text))
    except ValueError as exc:
        raise ArgumentError(f"--{side}: {exc}") from None
    return first if side == "from" else last


def series_precision(values: pd.Series) -> pd.Series:
    """Vectorised :func:`precision_of`: 'day', 'month', 'year' or None (also for '')."""
    out = pd.Series(None, index=values.index, dtype=object)
    for name, pattern in PATTERNS.items():
        hit = values.str.fullmatch(pattern).fillna(False).astype(bool) & out.isna()
        out[hit] = name
    return out


def series_bounds(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised first and last day (as ``datetime64``) of each partial date.

    Anything that is not a valid partial date, including impossible days and
    year 0000 (which numpy accepts but :class:`datetime.date` does not), gives NaT.
    """
    precision = series_precision(values).where(values.str[:4] != "0000")
    first = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    last = first.copy()
    for name, fmt in (("day", "%Y-%m-%d"), ("month", "%Y-%m"), ("year", "%Y")):
        mask = precision == name
        if not mask.any():
            continue
        parsed = pd.to_datetime(values[mask], format=fmt, errors="coerce").astype("datetime64[s]")
        first[mask] = parsed
        if name == "day":
            last[mask] = parsed
        elif name == "month":
            last[mask] = (parsed + pd.offsets.MonthEnd(0)).astype("datetime64[s]")
        else:
            last[mask] = (parsed + pd.offsets.YearEnd(0)).astype("datetime64[s]")
    return first, last
