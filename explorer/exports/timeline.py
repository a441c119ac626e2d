"""The time frames of an animated export: consecutive periods of the chosen window.

The HTML page's slider, the GIF and the MP4 play the same frames.  A frame is
the view state with its window narrowed to one period (``period`` mode: the ties
valid in that week, month, quarter or year) or widened from the window's start
to the period's end (``cumulative`` mode: the network as it grew).  Every other
part of the state (level, filters, focus, metric, colours) is kept, and the
positions are the shared ones, so nothing jumps from one frame to the next.

>>> import datetime as dt
>>> [p.label for p in periods(dt.date(2024, 1, 15), dt.date(2024, 3, 3), "month")]
['2024-01', '2024-02', '2024-03']
>>> choose_step(dt.date(2006, 9, 20), dt.date(2026, 1, 1), "auto", max_frames=48)
'year'
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from ..errors import ArgumentError
from ..viewstate import ViewState

__all__ = ["Period", "STEPS", "FRAME_MODES", "periods", "choose_step", "frame_states"]

STEPS: dict[str, str] = {
    "auto": "Weeks for a window up to three months, else the finest of months, quarters and years "
    "that keeps within the frame limit.",
    "week": "Monday-to-Sunday weeks.",
    "month": "Calendar months.",
    "quarter": "Calendar quarters.",
    "year": "Calendar years.",
}
"""How the window is cut into frames (the ``--step`` choices)."""

FRAME_MODES: dict[str, str] = {
    "period": "Each frame shows the ties valid in its period only.",
    "cumulative": "Each frame shows the ties from the window's start to the end of its period.",
}
"""What each frame shows (the ``--frames`` choices)."""


@dataclass(frozen=True)
class Period:
    """One frame's period: its closed date range and a short label ('2024-01', '2024-Q1', '2024-W05')."""

    start: dt.date
    end: dt.date
    label: str


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period_of(day: dt.date, step: str) -> Period:
    if step == "week":
        start = day - dt.timedelta(days=day.weekday())
        iso = start.isocalendar()
        return Period(start, start + dt.timedelta(days=6), f"{iso.year}-W{iso.week:02d}")
    if step == "month":
        return Period(day.replace(day=1), _month_end(day.year, day.month), f"{day.year}-{day.month:02d}")
    if step == "quarter":
        q = (day.month - 1) // 3
        return Period(dt.date(day.year, 3 * q + 1, 1), _month_end(day.year, 3 * q + 3), f"{day.year}-Q{q + 1}")
    if step == "year":
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), str(day.year))
    raise ArgumentError(f"--step: {step!r} is not one of {', '.join(s for s in STEPS if s != 'auto')}")


def periods(start: dt.date, end: dt.date, step: str) -> list[Period]:
    """The consecutive periods of ``step`` that cover ``[start, end]``, clipped to it."""
    out: list[Period] = []
    day = start
    while day <= end:
        p = _period_of(day, step)
        out.append(Period(max(p.start, start), min(p.end, end), p.label))
        day = p.end + dt.timedelta(days=1)
    return out


def _count(start: dt.date, end: dt.date, step: str) -> int:
    if step == "week":
        return (end - start).days // 7 + 2
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return {"month": months, "quarter": months // 3 + 2, "year": end.year - start.year + 1}[step]


def choose_step(start: dt.date, end: dt.date, step: str, max_frames: int) -> str:
    """The step to use: ``step`` itself, or for ``'auto'`` the finest that gives at most ``max_frames``."""
    if step != "auto":
        _period_of(start, step)  # validates the name
        return step
    if (end - start).days <= 92:
        return "week"
    for candidate in ("month", "quarter"):
        if _count(start, end, candidate) <= max_frames:
            return candidate
    return "year"


def frame_states(
    state: ViewState, span: tuple[dt.date, dt.date], step: str = "auto", mode: str = "period", max_frames: int = 48
) -> list[tuple[Period, ViewState]]:
    """The frames of ``state``'s window (open bounds are the data's ``span``): (period, state) pairs.

    Raises :class:`ArgumentError` when there would be more than ``max_frames``
    frames (choose a coarser ``step``) or for an unknown ``mode``.
    """
    if mode not in FRAME_MODES:
        raise ArgumentError(f"--frames: {mode!r} is not one of {', '.join(FRAME_MODES)}")
    if max_frames < 1:
        raise ArgumentError("--max-frames must be at least 1")
    lo, hi = state.window()
    start, end = lo or span[0], hi or span[1]
    if start > end:
        start, end = end, start
    chosen = choose_step(start, end, step, max_frames)
    cut = periods(start, end, chosen)
    if len(cut) > max_frames:
        raise ArgumentError(
            f"{len(cut)} {chosen}ly frames from {start} to {end} is more than --max-frames "
            f"{max_frames}; choose a coarser --step or a shorter window"
        )
    out = []
    for p in cut:
        frame_from = start if mode == "cumulative" else p.start
        out.append((p, state.replace(date_from=frame_from.isoformat(), date_to=p.end.isoformat(), lookback=0)))
    return out
