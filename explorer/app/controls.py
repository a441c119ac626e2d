"""Pure translation between the dashboard's control values and a :class:`ViewState`.

No Dash import: these are plain functions, tested without a browser.
"""

from __future__ import annotations

from ..presenter import AppData, compare_state, tick_end, tick_index
from ..viewstate import ViewState

__all__ = ["state_from_controls", "controls_from_state"]

_FIELD_OF = {
    "level": "level",
    "entity-kinds": "entity_kinds",
    "relation-kinds": "relation_kinds",
    "org": "org",
    "countries": "countries",
    "topics": "topics",
    "outcomes": "outcomes",
    "min-weight": "min_weight",
    "focus": "focus",
    "depth": "depth",
    "metric": "metric",
    "color": "color",
    "tabs": "tab",
    "vs-from": "vs_from",
    "vs-to": "vs_to",
    "path-from": "path_from",
    "path-to": "path_to",
}


def state_from_controls(current: ViewState, trigger: str | None, values: dict, data: AppData) -> ViewState:
    """The new state after the control ``trigger`` changed to ``values[trigger]``.

    Invalid input (a half-typed date, a weight of 0) leaves the state as it was,
    so the view never breaks while someone types.
    """
    if trigger == "timeline":
        lo, hi = values.get("timeline") or [0, len(data.ticks) - 1]
        to = tick_end(data.ticks[int(hi)], data.unit).isoformat()
        if current.lookback:
            return current.replace(date_to=to)
        return current.replace(date_from=data.ticks[int(lo)].isoformat(), date_to=to)
    if trigger in ("date-from", "date-to"):
        field = "date_from" if trigger == "date-from" else "date_to"
        value = values.get(trigger) or None
        candidate = ViewState.from_dict({**current.to_dict(), field: value})
        return current if candidate.notices else candidate
    if trigger == "folders":
        shown = set(values.get("folders") or ())
        return current.replace(hidden_folders=tuple(f for f in _folders(data) if f not in shown))
    if trigger in ("asof", "lookback"):
        on = bool(values.get("asof"))
        days = values.get("lookback")
        if on:
            try:
                days = int(days) if days else 90
            except (TypeError, ValueError):
                return current
            if days < 1:
                return current
            end = current.date_to or data.span[1].isoformat()
            return current.replace(lookback=days, date_to=end)
        return current.replace(lookback=0)
    field = _FIELD_OF.get(trigger or "")
    if field is None:
        return current
    value = values.get(trigger)
    if isinstance(value, list):
        value = tuple(value)
    if field in ("org", "focus", "path_from", "path_to") and value is None:
        value = ""
    if field in ("vs_from", "vs_to") and not value:
        value = None
    candidate = ViewState.from_dict({**current.to_dict(), field: value})
    return current if candidate.notices else candidate


def controls_from_state(state: ViewState, data: AppData) -> dict:
    """Every control's value for a state (the inverse of :func:`state_from_controls`)."""
    start, end = state.window()
    last = len(data.ticks) - 1
    vs_start, vs_end = compare_state(state).window()
    return {
        "date-from": (start or data.span[0]).isoformat(),
        "date-to": (end or data.span[1]).isoformat(),
        "timeline": [tick_index(data.ticks, start, 0), tick_index(data.ticks, end, last)],
        "asof": bool(state.lookback),
        "lookback": state.lookback or None,
        "level": state.level,
        "entity-kinds": list(state.entity_kinds),
        "relation-kinds": list(state.relation_kinds),
        "org": state.org or None,
        "countries": list(state.countries),
        "topics": list(state.topics),
        "outcomes": list(state.outcomes),
        "min-weight": state.min_weight,
        "focus": state.focus or None,
        "depth": str(state.depth),
        "metric": state.metric if state.metric != "community" else "degree",
        "color": state.color,
        "tabs": state.tab,
        "vs-from": vs_start.isoformat() if vs_start else None,
        "vs-to": vs_end.isoformat() if vs_end else None,
        "path-from": state.path_from or None,
        "path-to": state.path_to or None,
        "folders": [f for f in _folders(data) if f not in state.hidden_folders],
    }


def _folders(data: AppData) -> tuple[str, ...]:
    return data.graph.graph.get("folders", ())
