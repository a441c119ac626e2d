"""Thin callbacks: unpack inputs into a :class:`ViewState`, call the pure pipeline, return props.

One controller callback owns the view state: every control, the URL, clicks on
the graph, the map and the table, and the play ticker feed it, and it writes
the state back to the store, the URL and every control, so they never disagree.
Render callbacks read the store only.
"""

from __future__ import annotations

import dash
from dash import Input, Output, State, ctx, html, no_update

from ..details import edge_details, node_details
from ..metrics import METRICS
from ..presenter import (
    AppData,
    advance,
    render_changes,
    render_map,
    render_paths,
    render_series,
    render_timeline,
    render_view,
)
from ..viewstate import ViewState
from . import components
from .controls import controls_from_state, state_from_controls

CONTROL_IDS = [
    ("date-from", "value"),
    ("date-to", "value"),
    ("timeline", "value"),
    ("asof", "value"),
    ("lookback", "value"),
    ("level", "value"),
    ("entity-kinds", "value"),
    ("relation-kinds", "value"),
    ("org", "value"),
    ("countries", "value"),
    ("topics", "value"),
    ("outcomes", "value"),
    ("min-weight", "value"),
    ("focus", "value"),
    ("depth", "value"),
    ("metric", "value"),
    ("color", "value"),
    ("tabs", "active_tab"),
    ("vs-from", "value"),
    ("vs-to", "value"),
    ("path-from", "value"),
    ("path-to", "value"),
]


def register(app: dash.Dash, data: AppData) -> None:
    @app.callback(
        Output("view-state", "data"),
        Output("url", "search"),
        Output("notice", "children"),
        Output("notice", "is_open"),
        *[Output(cid, prop) for cid, prop in CONTROL_IDS],
        Output("grid", "selectedRows"),
        Output("ticker", "disabled"),
        Output("ticker", "interval"),
        Output("play", "children"),
        Output("search", "value"),
        Input("url", "search"),
        *[Input(cid, prop) for cid, prop in CONTROL_IDS],
        Input("network", "clickData"),
        Input("map", "clickData"),
        Input("grid", "cellClicked"),
        Input("search", "value"),
        Input("reset", "n_clicks"),
        Input("play", "n_clicks"),
        Input("ticker", "n_intervals"),
        Input("speed", "value"),
        State("step", "value"),
        State("view-state", "data"),
        State("ticker", "disabled"),
    )
    def control(search, *args):
        n = len(CONTROL_IDS)
        values = dict(zip([c for c, _ in CONTROL_IDS], args[:n]))
        (net_click, map_click, cell, found, _reset, _play, _tick, speed, step, stored, paused) = args[n:]
        trigger = ctx.triggered_id
        current = ViewState.from_dict(stored) if stored else None
        notices: list[str] = []
        playing = paused is False
        if current is None or trigger == "url":
            state, notices = ViewState.from_query(search or "")
            state, more = _known_entities(state, data)
            notices += more
        elif trigger == "reset":
            state, playing = ViewState(), False
        elif trigger == "play":
            state, playing = current, not playing
        elif trigger == "ticker":
            state, done = advance(current, data, step or "month")
            playing = playing and not done
        elif trigger in ("network", "map"):
            click = net_click if trigger == "network" else map_click
            state = current.replace(selected=_clicked(click) or current.selected)
        elif trigger == "grid":
            state = current.replace(selected=(cell or {}).get("rowId") or current.selected)
        elif trigger == "search":
            state = current.replace(focus=found, selected=found) if found else current
        elif trigger == "speed":
            state = current
        else:
            state = state_from_controls(current, trigger, values, data)
        props = controls_from_state(state, data)
        return (
            state.to_dict(),
            ("?" + state.to_query()) if state.to_query() else "",
            " ".join(notices) if notices else no_update,
            bool(notices),
            *[props[cid] for cid, _ in CONTROL_IDS],
            {"ids": [state.selected]} if state.selected and not state.selected.startswith(("edge|", "pair|")) else [],
            not playing,
            int(speed or 1500),
            "❚❚ Pause" if playing else "▶ Play",
            None,
        )

    @app.callback(
        Output("network", "figure"),
        Output("view-description", "children"),
        Output("grid", "rowData"),
        Output("grid", "columnDefs"),
        Output("details", "children"),
        Output("sparkline", "figure"),
        Output("path-from", "options"),
        Output("path-to", "options"),
        Input("view-state", "data"),
    )
    def render(stored):
        state = ViewState.from_dict(stored)
        result = render_view(data, state)
        options = [
            {"label": data.entities[n].get("name", n), "value": n}
            for n in sorted(result.view, key=lambda n: data.entities.get(n, {}).get("name", n))
        ]
        return (
            result.network,
            result.description,
            result.metrics,
            _columns(state),
            _details(data, result, state),
            render_timeline(data, state),
            options,
            options,
        )

    @app.callback(Output("map", "figure"), Input("view-state", "data"))
    def render_map_tab(stored):
        state = ViewState.from_dict(stored)
        if state.tab != "map":
            return no_update
        return render_map(data, state)

    @app.callback(
        Output("changes-graph", "figure"),
        Output("changes-grid", "rowData"),
        Output("changes-grid", "columnDefs"),
        Output("changes-summary", "children"),
        Input("view-state", "data"),
    )
    def render_changes_tab(stored):
        state = ViewState.from_dict(stored)
        if state.tab != "changes":
            return no_update, no_update, no_update, no_update
        ch = render_changes(data, state)
        return ch["figure"], ch["rows"], ch["columns"], ch["summary"]

    @app.callback(Output("path-results", "children"), Input("view-state", "data"))
    def render_paths_tab(stored):
        state = ViewState.from_dict(stored)
        if state.tab != "path":
            return no_update
        return components.paths_panel(render_paths(data, state), state.path_from, state.path_to)

    @app.callback(Output("series", "figure"), Input("grid", "selectedRows"), State("view-state", "data"))
    def render_series_chart(rows, stored):
        ids = [r["id"] for r in (rows or []) if isinstance(r, dict) and "id" in r]
        return render_series(data, ViewState.from_dict(stored), ids)

    app.clientside_callback(
        "function(n){ if(!n){return window.dash_clientside.no_update;} return true; }",
        Output("grid", "exportDataAsCsv"),
        Input("grid-csv", "n_clicks"),
        prevent_initial_call=True,
    )


def _known_entities(state: ViewState, data: AppData) -> tuple[ViewState, list[str]]:
    """Drop ids from a link that this data folder does not have, with a notice."""
    notices = []
    changes = {}
    for name in ("focus", "path_from", "path_to", "org"):
        value = getattr(state, name)
        if value and value not in data.entities:
            notices.append(f"'{value}' is not in this data ({name} ignored).")
            changes[name] = ""
    if state.selected and not state.selected.startswith(("edge|", "pair|")) and state.selected not in data.entities:
        changes["selected"] = ""
    unknown = [c for c in state.countries if c not in data.entities]
    if unknown:
        notices.append(f"Unknown countries ignored: {', '.join(unknown)}.")
        changes["countries"] = tuple(c for c in state.countries if c in data.entities)
    return (state.replace(**changes) if changes else state), notices


def _clicked(click) -> str:
    try:
        value = click["points"][0]["customdata"]
    except (TypeError, KeyError, IndexError):
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, str) and value.startswith("node|"):
        return value[5:]
    return value if isinstance(value, str) and value.startswith(("edge|", "pair|")) else ""


def _columns(state: ViewState) -> list[dict]:
    cols = [
        {"field": "name", "headerName": "Name", "pinned": "left", "width": 200},
        {"field": "kind", "headerName": "Kind", "width": 120},
        {"field": "country", "headerName": "Country", "width": 110},
    ]
    for key, m in METRICS.items():
        fmt = {"function": "d3.format('.4~g')(params.value)"} if key not in ("degree", "community") else None
        col = {
            "field": key,
            "headerName": m.label,
            "headerTooltip": m.description,
            "filter": "agNumberColumnFilter",
            "width": 150,
        }
        if fmt:
            col["valueFormatter"] = fmt
        if key == state.metric:
            col["sort"] = "desc"
        cols.append(col)
        if m.rank_column:
            cols.append(
                {
                    "field": m.rank_column,
                    "headerName": f"{m.label} rank",
                    "filter": "agNumberColumnFilter",
                    "hide": key != state.metric,
                    "width": 130,
                }
            )
    return cols


def _details(data: AppData, result, state: ViewState):
    sel = state.selected
    if not sel:
        return html.P(
            "Click a node or a tie to see its facts and their sources.", className="small text-body-secondary"
        )
    if sel.startswith(("edge|", "pair|")):
        return components.edge_panel(edge_details(data.graph, result.view, sel))
    return components.node_panel(node_details(data.graph, result.view, sel))
