"""The component tree of the dashboard.  Every control has a visible label."""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import __version__, schema
from ..metrics import METRICS
from ..presenter import (
    OPTIONS_INLINE,
    STEPS,
    TICK_UNITS,
    AppData,
    entity_options,
    entity_search,
    relation_options,
    tick_end,
)
from ..viewstate import COLOR_MODES, TABS
from . import exports_menu
from .components import details_hint
from .markup import to_html

# Offline means offline: no toolbar button that sends the chart to a cloud service or links out.
OFFLINE_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "editInChartStudio", "select2d", "lasso2d"],
}
# The dropdowns that choose among every entity (their options: layout._controls).
ENTITY_DROPDOWNS = ("search", "focus")
GRAPH_CONFIG = {
    **OFFLINE_CONFIG,
    "topojsonURL": "/assets/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


def _field(label: str, control, control_id: str, help_text: str | None = None):
    """A control under its visible label.  The label has the id ``<control_id>-label`` so that
    controls which are not labelable elements (Dash 4 dropdowns) can name themselves by it."""
    parts = [
        dbc.Label(label, html_for=control_id, id=f"{control_id}-label", className="form-label small fw-semibold mb-1"),
        control,
    ]
    if help_text:
        parts.append(html.Div(help_text, className="form-text small"))
    return html.Div(parts, className="mb-2")


def _folders_control(data: AppData):
    """One checkbox per data folder, when several are open (else a hidden, empty one: the
    callbacks read it either way)."""
    folders = data.graph.graph.get("folders", ())
    if len(folders) < 2:
        return html.Div(dbc.Checklist(id="folders", options=[], value=[]), hidden=True)
    return _field(
        "Data folders",
        dbc.Checklist(id="folders", options=[{"label": f, "value": f} for f in folders], value=list(folders)),
        "folders",
        "Untick a folder to leave out its facts.",
    )


def _controls(data: AppData):
    orgs = [
        {"label": o["label"].rsplit(" (", 1)[0], "value": o["value"]} for o in entity_options(data, ("organization",))
    ]
    countries = [
        {"label": o["label"].rsplit(" (", 1)[0], "value": o["value"]} for o in entity_options(data, ("country",))
    ]
    # The entity dropdowns open with their value's option only (make_layout): building a dropdown's
    # search over every entity costs the first paint about 100 ms.  A folder of up to OPTIONS_INLINE
    # entities has them all in a store, copied in once the graph has drawn (entityOptions in
    # assets/explorer.js); a larger one is searched as the user types (callbacks._register_entity_search).
    everyone = entity_options(data) if len(data.entities) <= OPTIONS_INLINE else None
    return html.Div(
        [
            dcc.Store(id="entity-options", data=everyone),
            _folders_control(data),
            _field(
                "Find an entity",
                dcc.Dropdown(
                    id="search",
                    options=[],
                    placeholder="Name or alias…",
                    searchable=True,
                    clearable=True,
                    optionHeight=40,
                ),
                "search",
                "Selects and focuses it (its ego network).",
            ),
            _field(
                "Level",
                dbc.RadioItems(
                    id="level",
                    inline=True,
                    options=[
                        {"label": "Officials", "value": "officials"},
                        {"label": "Countries", "value": "countries"},
                    ],
                ),
                "level",
            ),
            _field(
                "Entity kinds",
                dbc.Checklist(
                    id="entity-kinds",
                    inline=True,
                    options=[{"label": k.capitalize(), "value": k} for k in schema.ENTITY_KINDS],
                ),
                "entity-kinds",
                "None ticked: all.",
            ),
            _field(
                "Relation kinds",
                dcc.Dropdown(id="relation-kinds", options=relation_options(), multi=True, placeholder="All relations"),
                "relation-kinds",
            ),
            _field(
                "Organisation",
                dcc.Dropdown(id="org", options=orgs, placeholder="Any", clearable=True),
                "org",
                "Only its members, invitees and partners.",
            ),
            _field(
                "Countries", dcc.Dropdown(id="countries", options=countries, multi=True, placeholder="All"), "countries"
            ),
            _field(
                "Topics",
                dcc.Dropdown(
                    id="topics",
                    options=[{"label": t, "value": t} for t in data.topics],
                    multi=True,
                    placeholder="All topics",
                ),
                "topics",
            ),
            _field(
                "Outcomes",
                dbc.Checklist(id="outcomes", inline=True, options=[{"label": o, "value": o} for o in schema.OUTCOMES]),
                "outcomes",
            ),
            _field(
                "Minimum meetings per tie",
                dbc.Input(id="min-weight", type="number", min=1, max=1000, step=1, size="sm", debounce=True),
                "min-weight",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _field(
                            "Ego focus",
                            dcc.Dropdown(id="focus", options=[], placeholder="None", clearable=True),
                            "focus",
                        ),
                        width=8,
                    ),
                    dbc.Col(
                        _field(
                            "Depth",
                            dbc.Select(
                                id="depth", options=[{"label": str(i), "value": str(i)} for i in (1, 2, 3)], size="sm"
                            ),
                            "depth",
                        ),
                        width=4,
                    ),
                ],
                className="g-1",
            ),
            html.Hr(className="my-2"),
            _field(
                "Node size by",
                dcc.Dropdown(
                    id="metric",
                    clearable=False,
                    options=[{"label": m.label, "value": k} for k, m in METRICS.items() if not m.categorical],
                ),
                "metric",
            ),
            _field(
                "Colour by",
                dbc.RadioItems(
                    id="color", inline=True, options=[{"label": v, "value": k} for k, v in COLOR_MODES.items()]
                ),
                "color",
            ),
            dbc.Button("Reset view", id="reset", color="secondary", outline=True, size="sm", className="mt-1"),
        ],
        className="p-2",
    )


def _timeline(data: AppData):
    n = len(data.ticks)
    return html.Div(
        [
            html.Div(
                [
                    _field("From", dbc.Input(id="date-from", type="date", size="sm", debounce=True), "date-from"),
                    _field(
                        "To / as of",
                        dbc.Input(id="date-to", type="date", size="sm", debounce=True),
                        "date-to",
                    ),
                    _field("As of", dbc.Switch(id="asof", label="on", value=False), "asof"),
                    _field(
                        "Look-back days",
                        dbc.Input(id="lookback", type="number", min=1, max=36600, step=1, size="sm", debounce=True),
                        "lookback",
                    ),
                    _field(
                        "Step",
                        dbc.Select(
                            id="step", value=data.unit, size="sm", options=[{"label": s, "value": s} for s in STEPS]
                        ),
                        "step",
                    ),
                    _field(
                        "Speed",
                        dbc.Select(
                            id="speed",
                            value="1500",
                            size="sm",
                            options=[
                                {"label": "slow", "value": "3000"},
                                {"label": "normal", "value": "1500"},
                                {"label": "fast", "value": "700"},
                            ],
                        ),
                        "speed",
                    ),
                    html.Div(
                        [
                            # Not a <label>: it would replace the button's own "Play"/"Pause" for screen readers.
                            html.Div("Playback", className="small fw-semibold mb-1", **{"aria-hidden": "true"}),
                            dbc.Button(
                                "▶ Play", id="play", color="primary", size="sm", title="Play or pause the timeline"
                            ),
                        ],
                        className="mb-2",
                    ),
                ],
                className="timeline-controls",
            ),
            dcc.Graph(
                id="sparkline",
                config={**OFFLINE_CONFIG, "displayModeBar": False},
                style={"height": "60px"},
                figure={"data": [], "layout": {"height": 60}},
            ),
            html.Div(
                [
                    dbc.Label(
                        f"Time window ({TICK_UNITS[data.unit]})",
                        html_for="timeline",
                        className="small fw-semibold mb-0",
                    ),
                    dcc.RangeSlider(
                        id="timeline",
                        min=0,
                        max=max(n - 1, 0),
                        step=1,
                        value=[0, max(n - 1, 0)],
                        marks={int(k): v for k, v in data.marks.items()},
                        allowCross=False,
                        updatemode="mouseup",
                        allow_direct_input=False,
                        # The handles' tooltips and spoken values are dates (assets/a11y.js).
                        tooltip={"placement": "bottom", "always_visible": False, "transform": "explorerA11y.tickLabel"},
                    ),
                ],
                className="px-1",
                **{
                    "data-tick-unit": data.unit,
                    "data-tick-starts": json.dumps([t.isoformat() for t in data.ticks]),
                    "data-tick-ends": json.dumps([tick_end(t, data.unit).isoformat() for t in data.ticks]),
                },
            ),
            dcc.Interval(id="ticker", interval=1500, disabled=True),
            dcc.Store(id="timeline-commit"),
            dcc.Store(id="timeline-server"),
            dcc.Store(id="play-chunk"),
            dcc.Store(id="play-request"),
            dcc.Store(id="play-ended"),
        ],
        className="mb-2 order-2 order-md-0",  # on a phone the graph comes first
    )


def _tab_set(panels: list) -> html.Div:
    """The views as an accessible tab list (the WAI-ARIA tabs pattern) over their ``panels``.

    Neither ready-made tab component is accessible: ``dbc.Tabs`` (2.0.4) gives every tab the
    same id, an ``aria-controls`` that names no element and ``tabindex=-1``, so the keyboard never
    reaches them; ``dcc.Tabs`` (Dash 4.4) renders plain divs with no role and no tab stop.  Here each
    tab is a button naming its panel: Tab reaches the open tab, the arrow keys move between tabs
    (assets/a11y.js), Enter or Space opens one.  The open tab is the ``data`` of the store ``tabs``;
    the callbacks switch tabs and panels in the browser (``callbacks._register_tab_list``).
    """
    first = next(iter(TABS))
    tabs = [
        html.Button(
            label,
            id=f"tab-{key}",
            type="button",
            role="tab",
            **_tab_props(key, first)[f"tab-{key}"],
            **{"aria-controls": f"panel-{key}"},
        )
        for key, label in TABS.items()
    ]
    return html.Div(
        [
            dcc.Store(id="tabs", data=first),
            html.Div(tabs, role="tablist", className="nav nav-tabs view-tabs", **{"aria-label": "Views"}),
            html.Div(panels, className="tab-content"),
        ]
    )


def _tab_props(key: str, open_tab: str) -> dict[str, dict]:
    """The props of tab ``key`` and of its panel when ``open_tab`` is open (the same the browser
    sets when a tab opens: ``callbacks._register_tab_list``)."""
    is_open = key == open_tab
    return {
        f"tab-{key}": {
            "className": "nav-link active" if is_open else "nav-link",
            "tabIndex": "0" if is_open else "-1",
            "aria-selected": "true" if is_open else "false",
        },
        f"panel-{key}": {"hidden": not is_open},
    }


def _tab_panel(key: str, children: list) -> html.Div:
    """The panel of the tab ``key`` (hidden until its tab is opened)."""
    return html.Div(
        children,
        id=f"panel-{key}",
        role="tabpanel",
        tabIndex="0",
        **_tab_props(key, next(iter(TABS)))[f"panel-{key}"],
        **{"aria-labelledby": f"tab-{key}"},
    )


def _tabs():
    return _tab_set(
        [
            _tab_panel(
                "network",
                children=[
                    dcc.Graph(id="network", config=GRAPH_CONFIG, className="network-graph", clear_on_unhover=True),
                ],
            ),
            _tab_panel(
                "map",
                children=[
                    dcc.Graph(id="map", config=GRAPH_CONFIG, className="map-graph"),
                ],
            ),
            _tab_panel(
                "metrics",
                children=[
                    html.Div(
                        [
                            dbc.Button(
                                "Download CSV",
                                id="grid-csv",
                                size="sm",
                                color="secondary",
                                outline=True,
                                className="my-2",
                            ),
                            # The grid is made when the tab first opens (grids.py); its data waits in a store.
                            html.Div(id="grid-holder", style={"minHeight": "420px"}),
                            dcc.Store(id="grid-data"),
                            dcc.Store(id="grid-pick"),
                            html.Div(
                                "Click a row (or press Enter on it) to select its node; tick rows to chart the sorted "
                                "column over time (by quarter, within the window).",
                                className="form-text",
                            ),
                            dcc.Graph(id="series", config=OFFLINE_CONFIG),
                        ]
                    ),
                ],
            ),
            _tab_panel(
                "changes",
                children=[
                    html.Div(
                        [
                            dbc.Row(
                                [
                                    dbc.Col(
                                        _field(
                                            "Compare with: from",
                                            dbc.Input(id="vs-from", type="date", size="sm", debounce=True),
                                            "vs-from",
                                        ),
                                        md=3,
                                    ),
                                    dbc.Col(
                                        _field(
                                            "to", dbc.Input(id="vs-to", type="date", size="sm", debounce=True), "vs-to"
                                        ),
                                        md=3,
                                    ),
                                    dbc.Col(
                                        html.Div(
                                            "Ties added since the compared window are drawn in green, removed ones "
                                            "in red dashes; the table lists metric changes.",
                                            className="form-text",
                                        ),
                                        md=6,
                                    ),
                                ],
                                className="g-2 mt-2",
                            ),
                            html.Div(id="changes-summary", className="small my-1"),
                            dcc.Graph(id="changes-graph", config=GRAPH_CONFIG, style={"height": "520px"}),
                            html.Div(id="changes-grid-holder", style={"minHeight": "320px"}),
                            dcc.Store(id="changes-grid-data"),
                        ]
                    ),
                ],
            ),
            _tab_panel(
                "path",
                children=[
                    html.Div(
                        [
                            dbc.Row(
                                [
                                    dbc.Col(
                                        _field(
                                            "From entity",
                                            dcc.Dropdown(id="path-from", options=[], clearable=True),
                                            "path-from",
                                        ),
                                        md=5,
                                    ),
                                    dbc.Col(
                                        _field(
                                            "To entity",
                                            dcc.Dropdown(id="path-to", options=[], clearable=True),
                                            "path-to",
                                        ),
                                        md=5,
                                    ),
                                ],
                                className="g-2 mt-2 path-choices",
                            ),
                            dcc.Graph(id="path-graph", config=GRAPH_CONFIG, className="path-graph"),
                            html.Div(id="path-results"),
                        ]
                    ),
                ],
            ),
        ],
    )


def _story(data: AppData):
    """The "what you are looking at" line: the opening view's title, its story folded below."""
    story = data.story
    if story is None or not (story.title or story.text):
        return None
    return html.Details(
        [
            html.Summary([html.Span("What you are looking at: ", className="fw-semibold"), story.title]),
            html.P(story.text, className="mb-1"),
        ],
        id="story",
        className="small px-3 py-1 border-bottom story",
    )


def make_layout(data: AppData, props: dict[tuple[str, str], object] | None = None):
    """The page; ``props`` (``{(id, prop): value}``, see :func:`explorer.app.callbacks.opening_props`)
    are set on its components, so it opens with its view drawn."""
    page = _page(data)
    by_id: dict[str, dict[str, object]] = {}
    for (cid, prop), value in (props or {}).items():
        by_id.setdefault(cid, {})[prop] = value
    # The link's tab is open in the page itself: its graph is the one drawn first (assets/drawing.js).
    open_tab = by_id.get("tabs", {}).get("data")
    if open_tab in TABS:
        for key in TABS:
            for cid, values in _tab_props(key, open_tab).items():
                by_id.setdefault(cid, {}).update(values)
    for component in page._traverse():
        cid = getattr(component, "id", None)
        if not isinstance(cid, str):
            continue
        for prop, value in by_id.get(cid, {}).items():
            setattr(component, prop, value)
        if cid in ENTITY_DROPDOWNS and getattr(component, "value", None):
            component.options = entity_search(data, None, [component.value])
    return page


def _page(data: AppData):
    G = data.graph
    n_sources = len(G.graph.get("sources", {}))
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="view-state", storage_type="memory"),
            # The other level's figure, held for a level switch (callbacks._register_level_ahead).
            dcc.Store(id="level-next-request"),
            dcc.Store(id="level-next"),
            dcc.Store(id="level-commit"),
            dcc.Download(id="download"),
            html.Header(
                dbc.Row(
                    [
                        dbc.Col(html.H1("explorer", className="h4 mb-0"), width="auto"),
                        dbc.Col(
                            html.Div(
                                f"Who meets whom — {len(G)} entities, {len(G.graph['events'])} events, "
                                f"{n_sources} sources · data: {' + '.join(G.graph.get('folders', ())) or data.path.name}"
                                f" · v{__version__}",
                                className="small text-body-secondary",
                            ),
                            className="align-self-center",
                        ),
                        dbc.Col(exports_menu.menu(), width="auto"),
                    ],
                    className="align-items-center g-2",
                ),
                className="px-3 py-2 border-bottom bg-light",
            ),
            _story(data),
            html.Div(
                dbc.Alert(id="notice", is_open=False, color="warning", dismissable=True, className="m-2 py-2 small"),
                role="status",
            ),
            dbc.Row(
                [
                    # Wide screens: filters | graph | details.  Narrower: the graph first, then
                    # details and filters side by side, then stacked on a phone.
                    dbc.Col(
                        html.Aside(_controls(data), **{"aria-label": "Filters"}),
                        xs=12,
                        md=6,
                        xl=2,
                        className="border-end controls-col order-2 order-xl-1",
                    ),
                    dbc.Col(
                        html.Main(
                            [
                                _timeline(data),
                                html.Div(
                                    id="view-description",
                                    className="small mb-1 order-1",
                                    role="status",
                                    **{"aria-live": "polite"},
                                ),
                                html.Div(_tabs(), className="order-0 order-md-2"),
                            ],
                            className="px-2 d-flex flex-column",
                        ),
                        xs=12,
                        xl=7,
                        className="order-1 order-xl-2",
                    ),
                    dbc.Col(
                        html.Aside(
                            [
                                html.H2("Details", className="h6 mt-2"),
                                # Filled with HTML in the browser (markup.to_html; assets/explorer.js).
                                html.Div(id="details"),
                                dcc.Store(id="details-html", data=to_html(details_hint())),
                                dcc.Store(id="network-highlight"),
                            ],
                            className="details-panel",
                            tabIndex="0",
                            **{"aria-label": "Details and sources"},
                        ),
                        xs=12,
                        md=6,
                        xl=3,
                        className="border-start details-col order-3",
                    ),
                ],
                className="g-0",
            ),
        ]
    )
