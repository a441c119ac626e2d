"""The component tree of the dashboard.  Every control has a visible label."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from .. import __version__, schema
from ..metrics import METRICS
from ..presenter import STEPS, TICK_UNITS, AppData, entity_options, relation_options
from ..viewstate import COLOR_MODES, TABS
from . import exports_menu

GRAPH_CONFIG = {
    "displaylogo": False,
    "topojsonURL": "/assets/topojson/",
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def _field(label: str, control, control_id: str, help_text: str | None = None):
    parts = [dbc.Label(label, html_for=control_id, className="form-label small fw-semibold mb-1"), control]
    if help_text:
        parts.append(html.Div(help_text, className="form-text small"))
    return html.Div(parts, className="mb-2")


def _controls(data: AppData):
    orgs = [
        {"label": o["label"].rsplit(" (", 1)[0], "value": o["value"]} for o in entity_options(data, ("organization",))
    ]
    countries = [
        {"label": o["label"].rsplit(" (", 1)[0], "value": o["value"]} for o in entity_options(data, ("country",))
    ]
    everyone = entity_options(data)
    return html.Div(
        [
            _field(
                "Find an entity",
                dcc.Dropdown(
                    id="search",
                    options=everyone,
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
                dbc.Input(id="min-weight", type="number", min=1, max=1000, step=1, size="sm"),
                "min-weight",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _field(
                            "Ego focus",
                            dcc.Dropdown(id="focus", options=everyone, placeholder="None", clearable=True),
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
            dbc.Row(
                [
                    dbc.Col(_field("From", dbc.Input(id="date-from", type="date", size="sm"), "date-from"), md=2),
                    dbc.Col(
                        _field("To (or as-of date)", dbc.Input(id="date-to", type="date", size="sm"), "date-to"), md=2
                    ),
                    dbc.Col(_field("As of", dbc.Switch(id="asof", label="on", value=False), "asof"), md=1),
                    dbc.Col(
                        _field(
                            "Look-back (days)",
                            dbc.Input(id="lookback", type="number", min=1, max=36600, step=1, size="sm"),
                            "lookback",
                        ),
                        md=2,
                    ),
                    dbc.Col(
                        _field(
                            "Step",
                            dbc.Select(
                                id="step", value=data.unit, size="sm", options=[{"label": s, "value": s} for s in STEPS]
                            ),
                            "step",
                        ),
                        md=2,
                    ),
                    dbc.Col(
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
                        md=2,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Label("Playback", html_for="play", className="small fw-semibold mb-1 d-block"),
                                dbc.Button(
                                    "▶ Play", id="play", color="primary", size="sm", title="Play or pause the timeline"
                                ),
                            ]
                        ),
                        md=1,
                    ),
                ],
                className="g-2 align-items-end",
            ),
            dcc.Graph(
                id="sparkline",
                config={"displayModeBar": False, "staticPlot": False},
                style={"height": "70px"},
                figure={"data": [], "layout": {"height": 70}},
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
                        tooltip={"placement": "bottom", "always_visible": False},
                    ),
                ],
                className="px-1",
            ),
            dcc.Interval(id="ticker", interval=1500, disabled=True),
        ],
        className="mb-2",
    )


def _tabs():
    return dbc.Tabs(
        id="tabs",
        active_tab="network",
        children=[
            dbc.Tab(
                label=TABS["network"],
                tab_id="network",
                children=[
                    dcc.Loading(
                        dcc.Graph(id="network", config=GRAPH_CONFIG, style={"height": "660px"}, clear_on_unhover=True),
                        delay_show=400,
                        overlay_style={"visibility": "visible"},
                    ),
                ],
            ),
            dbc.Tab(
                label=TABS["map"],
                tab_id="map",
                children=[
                    dcc.Graph(id="map", config=GRAPH_CONFIG, style={"height": "600px"}),
                ],
            ),
            dbc.Tab(
                label=TABS["metrics"],
                tab_id="metrics",
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
                            dag.AgGrid(
                                id="grid",
                                rowData=[],
                                columnDefs=[],
                                getRowId="params.data.id",
                                dashGridOptions={
                                    "rowSelection": {"mode": "multiRow", "enableClickSelection": True},
                                    "animateRows": False,
                                    "pagination": True,
                                    "paginationPageSize": 50,
                                },
                                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                                csvExportParams={"fileName": "explorer-metrics.csv"},
                                style={"height": "420px"},
                                className="ag-theme-quartz",
                            ),
                            html.Div(
                                "Tick rows to chart their metric over time (by quarter, within the window).",
                                className="form-text",
                            ),
                            dcc.Graph(id="series", config={"displaylogo": False}),
                        ]
                    ),
                ],
            ),
            dbc.Tab(
                label=TABS["changes"],
                tab_id="changes",
                children=[
                    html.Div(
                        [
                            dbc.Row(
                                [
                                    dbc.Col(
                                        _field(
                                            "Compare with: from",
                                            dbc.Input(id="vs-from", type="date", size="sm"),
                                            "vs-from",
                                        ),
                                        md=3,
                                    ),
                                    dbc.Col(_field("to", dbc.Input(id="vs-to", type="date", size="sm"), "vs-to"), md=3),
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
                            dag.AgGrid(
                                id="changes-grid",
                                rowData=[],
                                columnDefs=[],
                                style={"height": "320px"},
                                defaultColDef={"sortable": True, "filter": True, "resizable": True},
                                className="ag-theme-quartz",
                            ),
                        ]
                    ),
                ],
            ),
            dbc.Tab(
                label=TABS["path"],
                tab_id="path",
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
                                className="g-2 mt-2",
                            ),
                            html.Div(id="path-results"),
                        ]
                    ),
                ],
            ),
        ],
    )


def make_layout(data: AppData):
    G = data.graph
    n_sources = len(G.graph.get("sources", {}))
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            dcc.Store(id="view-state", storage_type="memory"),
            dcc.Download(id="download"),
            html.Header(
                dbc.Row(
                    [
                        dbc.Col(html.H1("explorer", className="h4 mb-0"), width="auto"),
                        dbc.Col(
                            html.Div(
                                f"Who meets whom — {len(G)} entities, {len(G.graph['events'])} events, "
                                f"{n_sources} sources · data: {data.path.name} · v{__version__}",
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
            html.Div(
                dbc.Alert(id="notice", is_open=False, color="warning", dismissable=True, className="m-2 py-2 small"),
                role="status",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        html.Aside(_controls(data), **{"aria-label": "Filters"}),
                        md=2,
                        className="border-end controls-col",
                    ),
                    dbc.Col(
                        html.Main(
                            [
                                _timeline(data),
                                html.Div(
                                    id="view-description",
                                    className="small mb-1",
                                    role="status",
                                    **{"aria-live": "polite"},
                                ),
                                _tabs(),
                            ]
                        ),
                        md=7,
                    ),
                    dbc.Col(
                        html.Aside(
                            [
                                html.H2("Details", className="h6 mt-2"),
                                html.Div(
                                    id="details",
                                    children=html.P(
                                        "Click a node or a tie to see its facts and their sources.",
                                        className="small text-body-secondary",
                                    ),
                                ),
                            ],
                            **{"aria-label": "Details and sources"},
                        ),
                        md=3,
                        className="border-start details-col",
                    ),
                ],
                className="g-0",
            ),
        ]
    )
