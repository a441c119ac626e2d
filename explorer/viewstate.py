"""The view state: everything that defines what a user sees, as plain data.

One frozen :class:`ViewState` is shared by the dashboard (kept in a
``dcc.Store`` and mirrored to the URL), the CLI (built from options or from a
``--view`` link) and the exports, so a shared link and a scripted command
reproduce the same view.

>>> s = ViewState(date_from="2024-01-01", date_to="2024-02-29", level="countries")
>>> s.to_query()
'from=2024-01-01&to=2024-02-29&level=countries'
>>> ViewState.from_query(s.to_query())[0] == s
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import schema
from .dates import parse_bound
from .errors import ArgumentError
from .text import escape_terminal

__all__ = ["ViewState", "COLOR_MODES", "TABS", "QUERY_KEYS", "parse_view"]

COLOR_MODES = {"kind": "Entity kind", "country": "Country", "community": "Community (Louvain)"}
TABS = {
    "network": "Network",
    "map": "Map",
    "metrics": "Metrics",
    "changes": "Changes",
    "path": "Paths",
}
RELATION_KINDS = tuple(schema.AFFILIATION_KINDS) + tuple(schema.EVENT_KINDS)

# Field name -> short URL key.  Order is the order of the query string.
QUERY_KEYS = {
    "date_from": "from",
    "date_to": "to",
    "lookback": "lookback",
    "level": "level",
    "entity_kinds": "kinds",
    "relation_kinds": "rel",
    "org": "org",
    "countries": "countries",
    "topics": "topics",
    "outcomes": "outcomes",
    "hidden_folders": "hidefolders",
    "min_weight": "minw",
    "focus": "focus",
    "depth": "depth",
    "metric": "metric",
    "color": "color",
    "tab": "tab",
    "selected": "sel",
    "vs_from": "vsfrom",
    "vs_to": "vsto",
    "path_from": "pfrom",
    "path_to": "pto",
}
_FROM_KEY = {v: k for k, v in QUERY_KEYS.items()}
_SHOWN_CHARS = 80  # the longest value a notice quotes
_SHOWN_ITEMS = 5  # the most list items a notice names
# Fields to_dict leaves out at their (empty) default: states without them keep their old form.
_LEFT_OUT_WHEN_EMPTY = frozenset({"hidden_folders"})
# Fields that change what is drawn or highlighted but not which nodes and edges are in the view.
PRESENTATION_FIELDS = frozenset({"metric", "color", "tab", "selected", "vs_from", "vs_to", "path_from", "path_to"})


def _metric_ids() -> tuple[str, ...]:
    try:
        from .metrics import METRICS
    except ImportError:  # pragma: no cover - the metrics module is part of the package
        return ("degree",)
    return tuple(METRICS)


@dataclass(frozen=True)
class ViewState:
    """What is shown: a date window, filters, a focus, the metric, the tab.

    ``date_from``/``date_to`` are ISO dates (``YYYY-MM-DD``, ``YYYY-MM`` or
    ``YYYY``; None = the start or end of the data).  With ``lookback`` > 0 the
    view is "as of ``date_to``": the window is the ``lookback`` days up to it.
    Empty tuples mean "no filter".  ``min_weight`` keeps meeting ties with at
    least that many events.  ``focus``/``depth`` keep the ego network of an entity.
    ``hidden_folders`` leaves out the facts of these data folders (when several are open).
    """

    date_from: str | None = None
    date_to: str | None = None
    lookback: int = 0
    level: str = "officials"
    entity_kinds: tuple[str, ...] = ()
    relation_kinds: tuple[str, ...] = ()
    org: str = ""
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    min_weight: int = 1
    focus: str = ""
    depth: int = 1
    metric: str = "degree"
    color: str = "kind"
    tab: str = "network"
    selected: str = ""
    vs_from: str | None = None
    vs_to: str | None = None
    path_from: str = ""
    path_to: str = ""
    hidden_folders: tuple[str, ...] = ()
    _notices: tuple[str, ...] = field(default=(), compare=False, repr=False)

    # ---- the window -------------------------------------------------------------------

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """The closed date window of the view.

        An as-of window never starts before 0001-01-01, the first day a date can have
        (links that ask for more are refused with a notice; see :meth:`from_query`).

        >>> ViewState(date_to="0001-01-05", lookback=3).window()
        (datetime.date(1, 1, 3), datetime.date(1, 1, 5))
        """
        end = parse_bound(self.date_to, "to")
        if self.lookback > 0 and end is not None:
            return end - dt.timedelta(days=min(self.lookback, _days_since_day_one(end)) - 1), end
        return parse_bound(self.date_from, "from"), end

    def previous_window(self) -> tuple[dt.date, dt.date] | None:
        """The window of the same length just before this one, cut at 0001-01-01; None when
        this window is open-ended or starts on 0001-01-01 (no day comes before it).

        >>> ViewState(date_from="2024-02", date_to="2024-02").previous_window()
        (datetime.date(2024, 1, 3), datetime.date(2024, 1, 31))
        >>> ViewState(date_from="0001-01-03", date_to="0001-12-31").previous_window()
        (datetime.date(1, 1, 1), datetime.date(1, 1, 2))
        """
        start, end = self.window()
        if start is None or end is None or start == dt.date.min:
            return None
        prev_end = start - dt.timedelta(days=1)
        length = min((end - start).days, (prev_end - dt.date.min).days)
        return prev_end - dt.timedelta(days=length), prev_end

    def compare_window(self) -> tuple[dt.date | None, dt.date | None]:
        return parse_bound(self.vs_from, "from"), parse_bound(self.vs_to, "to")

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """A one-line human description, e.g. for an export's caption; ``names`` maps entity
        ids to the names to show (ids are shown without it)."""
        names = names or {}

        def named(ids) -> str:
            return ", ".join(names.get(i, i) for i in ids)

        start, end = self.window()
        parts = [f"{start.isoformat() if start else 'start'} to {end.isoformat() if end else 'end'}"]
        if self.lookback:
            parts[0] = f"as of {end}, last {self.lookback} days"
        parts.append(f"level: {self.level}")
        for name, label in (
            ("entity_kinds", "kinds"),
            ("relation_kinds", "relations"),
            ("countries", "countries"),
            ("topics", "topics"),
            ("outcomes", "outcomes"),
            ("hidden_folders", "folders left out"),
        ):
            value = getattr(self, name)
            if value:
                parts.append(f"{label}: {named(value) if name == 'countries' else ', '.join(value)}")
        if self.org:
            parts.append(f"only {named([self.org])} members, invitees and partners")
        if self.min_weight > 1:
            parts.append(f"ties with ≥ {self.min_weight} events")
        if self.focus:
            parts.append(f"ego network of {named([self.focus])}, depth {self.depth}")
        return "; ".join(parts)

    # ---- round trips --------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-safe dict of every field (lists for tuples); ``hidden_folders`` only when a
        folder is hidden, so a state of one data folder reads as it did before folders existed.

        >>> "hidden_folders" in ViewState().to_dict(), ViewState(hidden_folders=("gdelt",)).to_dict()["hidden_folders"]
        (False, ['gdelt'])
        """
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)
            if not f.name.startswith("_") and (f.name not in _LEFT_OUT_WHEN_EMPTY or getattr(self, f.name))
        }

    @classmethod
    def from_dict(cls, data: dict, strict: bool = False) -> ViewState:
        """Build from a dict; unknown or invalid values fall back to defaults with a notice
        (``strict=True`` raises :class:`ArgumentError` instead)."""
        return cls._build({k: v for k, v in (data or {}).items()}, strict)

    def to_query(self) -> str:
        """A short query string holding only the fields that differ from the defaults."""
        default = ViewState()
        pairs = []
        for name, key in QUERY_KEYS.items():
            value = getattr(self, name)
            if value == getattr(default, name):
                continue
            pairs.append((key, ",".join(value) if isinstance(value, tuple) else str(value)))
        return urlencode(pairs, safe=",:")

    @classmethod
    def from_query(cls, query: str, strict: bool = False) -> tuple[ViewState, list[str]]:
        """Parse a query string, a ``?query`` or a whole URL.  Returns the state and
        the notices for what was ignored (``strict=True`` raises instead)."""
        query = query or ""
        if "://" in query or query.startswith("/"):
            query = urlsplit(query).query
        query = query.lstrip("?")
        data: dict = {}
        unknown = []
        for key, value in parse_qsl(query, keep_blank_values=True):
            name = _FROM_KEY.get(key)
            if name is None:
                unknown.append(key)
                continue
            data[name] = value
        if unknown and strict:
            raise ArgumentError(
                f"--view: unknown key{'s' if len(unknown) > 1 else ''} {_shown_list(unknown, quoted=False)}; "
                f"known keys: {', '.join(QUERY_KEYS.values())}"
            )
        state = cls._build(data, strict)
        notices = list(state._notices)
        if unknown:
            notices.append(f"ignored unknown link parameter{'s' if len(unknown) > 1 else ''} {_shown_list(unknown)}")
        return dataclasses.replace(state, _notices=()), notices

    def fingerprint(self, presentation: bool = False) -> str:
        """A stable hash of the view's content (by default without the presentation-only
        fields), used as a cache key for derived results."""
        d = self.to_dict()
        if not presentation:
            d = {k: v for k, v in d.items() if k not in PRESENTATION_FIELDS}
        return hashlib.sha1(json.dumps(d, sort_keys=True).encode()).hexdigest()[:16]

    def replace(self, **changes) -> ViewState:
        return dataclasses.replace(self, **changes)

    @property
    def notices(self) -> tuple[str, ...]:
        return self._notices

    # ---- validation ---------------------------------------------------------------------

    @classmethod
    def _build(cls, data: dict, strict: bool) -> ViewState:
        default = cls()
        kwargs: dict = {}
        notices: list[str] = []

        def bad(name: str, value, expected: str) -> None:
            msg = f"{QUERY_KEYS.get(name, name)}={_shown(value)} is not valid; expected {expected}"
            if strict:
                raise ArgumentError(f"--view: {msg}")
            notices.append(msg + " (using the default)")

        choices = {
            "level": ("officials", "countries"),
            "color": tuple(COLOR_MODES),
            "tab": tuple(TABS),
            "metric": _metric_ids(),
        }
        lists = {
            "entity_kinds": tuple(schema.ENTITY_KINDS),
            "relation_kinds": RELATION_KINDS,
            "outcomes": schema.OUTCOMES,
            "countries": None,
            "topics": None,
            "hidden_folders": None,
        }
        for f in fields(cls):
            name = f.name
            if name.startswith("_") or name not in data or data[name] is None:
                continue
            value = data[name]
            if name in lists:
                if not isinstance(value, str | list | tuple):
                    bad(name, value, "a comma-separated list")
                    continue
                items = value.split(",") if isinstance(value, str) else list(value)
                items = tuple(str(i).strip() for i in items if str(i).strip())
                allowed = lists[name]
                wrong = [i for i in items if allowed is not None and i not in allowed]
                if wrong:
                    more = len(wrong) - _SHOWN_ITEMS
                    shown = ",".join(wrong[:_SHOWN_ITEMS]) + (f" and {more:,} more" if more > 0 else "")
                    bad(name, shown, "any of " + ", ".join(allowed))
                    items = tuple(i for i in items if i not in wrong)
                kwargs[name] = items
            elif name in ("lookback", "min_weight", "depth"):
                lo, hi = {"lookback": (0, 36600), "min_weight": (1, 10_000), "depth": (1, 3)}[name]
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    bad(name, value, f"a whole number from {lo} to {hi}")
                    continue
                if not lo <= number <= hi:
                    bad(name, value, f"a whole number from {lo} to {hi}")
                    continue
                kwargs[name] = number
            elif name in ("date_from", "date_to", "vs_from", "vs_to"):
                text = str(value).strip()
                if text == "":
                    kwargs[name] = None
                    continue
                try:
                    parse_bound(text, "from")
                except ArgumentError:
                    bad(name, value, "a date YYYY-MM-DD, YYYY-MM or YYYY")
                    continue
                kwargs[name] = text
            elif name in choices:
                if value not in choices[name]:
                    bad(name, value, "one of " + ", ".join(choices[name]))
                    continue
                kwargs[name] = value
            else:
                kwargs[name] = str(value).strip()
        state = cls(
            **{**{f.name: getattr(default, f.name) for f in fields(cls) if not f.name.startswith("_")}, **kwargs}
        )
        end = state.window()[1]
        if state.lookback and end is not None and state.lookback > _days_since_day_one(end):
            bad(
                "lookback",
                state.lookback,
                f"at most {_days_since_day_one(end)}: the days from 0001-01-01, the first date, to to={state.date_to}",
            )
            state = dataclasses.replace(state, lookback=default.lookback)
        start, end = state.window()
        if start and end and start > end:
            bad("date_from", state.date_from, f"a date on or before to={state.date_to}")
            state = dataclasses.replace(state, date_from=None, date_to=None)
        return dataclasses.replace(state, _notices=tuple(notices))


def _shown(value, quoted: bool = True) -> str:
    """A value as a notice shows it: its repr, or (``quoted=False``) its text with control
    characters escaped, cut to :data:`_SHOWN_CHARS` (a link can hold megabytes; a notice
    stays one short line)."""
    text = repr(value) if quoted else escape_terminal(value)
    if len(text) <= _SHOWN_CHARS:
        return text
    return text[: _SHOWN_CHARS - 4] + "..." + (text[-1] if quoted else "")


def _shown_list(values: list[str], quoted: bool = True) -> str:
    """The first :data:`_SHOWN_ITEMS` values and how many more there are."""
    more = len(values) - _SHOWN_ITEMS
    shown = ", ".join(_shown(v, quoted) for v in values[:_SHOWN_ITEMS])
    return shown + (f" and {more:,} more" if more > 0 else "")


def _days_since_day_one(day: dt.date) -> int:
    """How many days a window ending on ``day`` can hold: those from 0001-01-01 on."""
    return (day - dt.date.min).days + 1


def parse_view(text: str) -> ViewState:
    """A state from a URL or query string copied from the dashboard; strict (raises ArgumentError)."""
    return ViewState.from_query(text, strict=True)[0]
