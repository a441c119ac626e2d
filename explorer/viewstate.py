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
from dataclasses import dataclass, field, fields
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import schema
from .dates import parse_bound
from .errors import ArgumentError

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
    _notices: tuple[str, ...] = field(default=(), compare=False, repr=False)

    # ---- the window -------------------------------------------------------------------

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        """The closed date window of the view."""
        end = parse_bound(self.date_to, "to")
        if self.lookback > 0 and end is not None:
            return end - dt.timedelta(days=self.lookback - 1), end
        return parse_bound(self.date_from, "from"), end

    def compare_window(self) -> tuple[dt.date | None, dt.date | None]:
        return parse_bound(self.vs_from, "from"), parse_bound(self.vs_to, "to")

    def describe(self) -> str:
        """A one-line human description, e.g. for an export's caption."""
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
        ):
            value = getattr(self, name)
            if value:
                parts.append(f"{label}: {', '.join(value)}")
        if self.org:
            parts.append(f"only {self.org} members, invitees and partners")
        if self.min_weight > 1:
            parts.append(f"ties with ≥ {self.min_weight} events")
        if self.focus:
            parts.append(f"ego network of {self.focus}, depth {self.depth}")
        return "; ".join(parts)

    # ---- round trips --------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Plain JSON-safe dict of every field (lists for tuples)."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)
            if not f.name.startswith("_")
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
                f"--view: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"known keys: {', '.join(QUERY_KEYS.values())}"
            )
        state = cls._build(data, strict)
        notices = list(state._notices) + [f"ignored unknown link parameter '{k}'" for k in unknown]
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
            msg = f"{QUERY_KEYS.get(name, name)}={value!r} is not valid; expected {expected}"
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
        }
        for f in fields(cls):
            name = f.name
            if name.startswith("_") or name not in data or data[name] is None:
                continue
            value = data[name]
            if name in lists:
                items = value.split(",") if isinstance(value, str) else list(value)
                items = tuple(str(i).strip() for i in items if str(i).strip())
                allowed = lists[name]
                wrong = [i for i in items if allowed is not None and i not in allowed]
                if wrong:
                    bad(name, ",".join(wrong), "any of " + ", ".join(allowed))
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
        start, end = state.window()
        if start and end and start > end:
            bad("date_from", state.date_from, f"a date on or before to={state.date_to}")
            state = dataclasses.replace(state, date_from=None, date_to=None)
        return dataclasses.replace(state, _notices=tuple(notices))


def parse_view(text: str) -> ViewState:
    """A state from a URL or query string copied from the dashboard; strict (raises ArgumentError)."""
    return ViewState.from_query(text, strict=True)[0]
