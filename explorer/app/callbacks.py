"""Thin callbacks: unpack inputs into a :class:`ViewState`, call the pure pipeline, return props.

One server callback answers every interaction in a single round trip: the
controls, the URL, clicks on the graph, the map and the table, Play and Reset
go in; the new state goes to the store and the URL, and only what changed comes
back (:func:`~explorer.presenter.render_plan`): a click that moves the highlight
returns a small :class:`dash.Patch` of the figure and the details, a changed
window returns the figure and the timeline (the metrics table and the Paths
choices only while their tab is open, or when it opens), and a control, the
Play button and the ticker are only written back when their value differs from
what the user sees, so nothing typed is rewritten under the user and nothing
unchanged is re-rendered.  Playback runs in the browser
(``assets/explorer.js``) over frames the server prepares a few at a time, so
frames come at the chosen speed and the dates never run ahead of the graph.
"""

from __future__ import annotations

import json

import dash
from dash import Input, Output, Patch, State, ctx, no_update

from ..details import edge_details, node_details
from ..figures import selection_updates
from ..metrics import METRICS
from ..presenter import (
    OPTIONS_INLINE,
    AppData,
    entity_options,
    entity_search,
    play_frames,
    redraw_plan,
    render_changes,
    render_map,
    render_path_graph,
    render_paths,
    render_series,
    render_timeline,
    render_view,
    start_playback,
    window_notices,
)
from ..viewstate import TABS, ViewState
from . import components
from .controls import controls_from_state, state_from_controls
from .grids import changes_grid, metrics_grid
from .layout import ENTITY_DROPDOWNS
from .markup import to_html

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
    ("tabs", "data"),  # the open tab (layout._tab_set)
    ("vs-from", "value"),
    ("vs-to", "value"),
    ("path-from", "value"),
    ("path-to", "value"),
    ("folders", "value"),  # data folders shown (layout._folders_control)
]
# Frames prepared per request while playing: enough to cover a slow answer at the fastest speed.
FRAMES_PER_CHUNK = 6
# Triggers that come from playback in the browser rather than from a person.
_PLAYBACK_ECHO = {"date-from", "date-to", "timeline"}

# Controls read through a debounced copy: arrow presses on the slider settle before a request goes out.
# The level control's change comes through levelSwap (_register_level_ahead), which says whether
# the browser drew the level's figure itself.
_INPUT_OF = {"timeline": ("timeline-commit", "data"), "level": ("level-commit", "data")}
_CONTROL_OF = {inp: cid for cid, (inp, _) in _INPUT_OF.items()}

# The outputs of the main callback, by name, in order.
_OUTPUTS = [
    ("view-state", "data"),
    ("url", "search"),
    ("notice", "children"),
    ("notice", "is_open"),
    *CONTROL_IDS,
    ("ticker", "disabled"),
    ("ticker", "interval"),
    ("play", "children"),
    ("search", "value"),
    ("network", "figure"),
    ("network-highlight", "data"),
    ("view-description", "children"),
    ("grid-data", "data"),
    ("details-html", "data"),
    ("sparkline", "figure"),
    ("path-from", "options"),
    ("path-to", "options"),
    ("map", "figure"),
    ("changes-graph", "figure"),
    ("changes-grid-data", "data"),
    ("changes-summary", "children"),
    ("path-results", "children"),
    ("path-graph", "figure"),
    ("play-chunk", "data"),
    ("timeline-server", "data"),
]


def _key(cid: str, prop: str) -> str:
    return f"{cid}.{prop}"


def register(app: dash.Dash, data: AppData) -> None:
    @app.callback(
        *[Output(cid, prop) for cid, prop in _OUTPUTS],
        Input("url", "search"),
        *[Input(*_INPUT_OF.get(cid, (cid, prop))) for cid, prop in CONTROL_IDS],
        Input("network", "clickData"),
        Input("map", "clickData"),
        Input("path-graph", "clickData"),
        Input("grid-pick", "data"),
        Input("search", "value"),
        Input("reset", "n_clicks"),
        Input("play", "n_clicks"),
        Input("play-ended", "data"),
        Input("speed", "value"),
        State("step", "value"),
        State("view-state", "data"),
        State("ticker", "disabled"),
        # What the page shows now, so that only what differs is written back (each written prop
        # re-renders its component in the browser).
        State("ticker", "interval"),
        State("play", "children"),
        State("timeline", "value"),
        State("timeline-server", "data"),
        State("level", "value"),  # shown (its input here is the copy levelSwap passes on)
    )
    def main(search, *args):
        return respond(data, search, args, dict(ctx.triggered_prop_ids))

    @app.callback(
        Output("play-chunk", "data", allow_duplicate=True),
        Input("play-request", "data"),
        State("step", "value"),
        prevent_initial_call=True,
    )
    def more_frames(request, step):
        """The next frames after the last one the browser holds."""
        if not request or not request.get("state"):
            return no_update
        state = ViewState.from_dict(request["state"])
        chunk = _chunk(data, state, step, True)
        chunk["seq"] = request.get("seq", 0)
        return chunk

    @app.callback(
        Output("series", "figure"),
        Input("grid", "selectedRows"),
        Input("grid", "columnState"),
        State("view-state", "data"),
    )
    def render_series_chart(rows, columns, stored):
        ids = [r["id"] for r in (rows or []) if isinstance(r, dict) and "id" in r]
        state = ViewState.from_dict(stored)
        sorted_metric = _sorted_metric(columns)
        return render_series(data, state.replace(metric=sorted_metric) if sorted_metric else state, ids)

    _register_level_ahead(app, data)
    _register_tab_list(app)
    if len(data.entities) > OPTIONS_INLINE:
        _register_entity_search(app, data)
    else:
        app.clientside_callback(
            dash.ClientsideFunction("explorer", "entityOptions"),
            *[Output(cid, "options") for cid in ENTITY_DROPDOWNS],
            Input("entity-options", "data"),
        )
    _register_lazy_grids(app)
    app.clientside_callback(
        "function(n){ if(!n){return window.dash_clientside.no_update;} return true; }",
        Output("grid", "exportDataAsCsv"),
        Input("grid-csv", "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        dash.ClientsideFunction("explorer", "showDetails"),
        Output("details", "data-shown"),
        Input("details-html", "data"),
    )
    app.clientside_callback(
        dash.ClientsideFunction("explorer", "applyHighlight"),
        Output("network", "figure", allow_duplicate=True),
        Input("network-highlight", "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        dash.ClientsideFunction("explorer", "settleWindow"),
        Output("timeline-commit", "data"),
        Input("timeline", "value"),
        State("timeline-server", "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        dash.ClientsideFunction("explorer", "playTick"),
        Output("network", "figure", allow_duplicate=True),
        Output("view-description", "children", allow_duplicate=True),
        Output("date-from", "value", allow_duplicate=True),
        Output("date-to", "value", allow_duplicate=True),
        Output("timeline", "value", allow_duplicate=True),
        Output("timeline-server", "data", allow_duplicate=True),
        Output("view-state", "data", allow_duplicate=True),
        Output("sparkline", "figure", allow_duplicate=True),
        Output("play-request", "data"),
        Output("play-ended", "data"),
        Input("ticker", "n_intervals"),
        Input("play-chunk", "data"),
        State("sparkline", "figure"),
        prevent_initial_call=True,
    )


def respond(data: AppData, search: str | None, args: tuple, triggered: dict) -> list:
    """The main callback's answer: ``args`` are its inputs and states after the URL, in
    order; ``triggered`` the props that changed (``{"id.prop": value}``; empty at a page's
    first call).  Also called, with nothing shown yet, to build a page's layout with its view
    drawn (:func:`opening_props`)."""
    n = len(CONTROL_IDS)
    values = dict(zip([c for c, _ in CONTROL_IDS], args[:n]))
    (net_click, map_click, path_click, pick, found, _reset, _play, _ended, speed, step, stored, paused) = args[
        n : n + 12
    ]
    shown_interval, shown_play, shown_slider, slider_server, shown_level = args[n + 12 :]
    commit = values.get("level") if isinstance(values.get("level"), dict) else {}
    values["level"] = shown_level
    trigger = _trigger(list(triggered))
    playing = paused is False
    current = ViewState.from_dict(stored) if stored else None
    out = {_key(c, p): no_update for c, p in _OUTPUTS}
    if playing and trigger in _PLAYBACK_ECHO:
        return [no_update] * len(_OUTPUTS)  # the browser is showing a frame it already has
    notices: list[str] = []
    rendered = current  # the state the page shows now
    if current is None or trigger in ("url", None):  # None: the first call of a page
        state, notices = ViewState.from_query(search or "")
        if not (search or "").strip("?") and data.story is not None:
            state = data.story.state
        state, more = _known_entities(state, data)
        notices += more
        if current is None:
            rendered = None
    elif trigger == "reset":
        state = data.story.state if data.story is not None else ViewState()
        playing = False
    elif trigger == "play":
        state, playing = current, not playing
        if playing:
            state, why = start_playback(data, current, step or "month")
            notices += [why] if why else []
        else:
            rendered = None  # frames drew the graph only: bring the table, details and tabs up to date
    elif trigger == "play-ended":
        state, playing, rendered = current, False, None
    elif trigger in ("network", "map", "path-graph"):
        click = {"network": net_click, "map": map_click, "path-graph": path_click}[trigger]
        state = current.replace(selected=_clicked(click) or current.selected)
    elif trigger == "grid-pick":  # a row clicked, or Enter pressed on it (gridPick in assets/explorer.js)
        state = current.replace(selected=(pick or {}).get("id") or current.selected)
    elif trigger == "search":
        state = current.replace(focus=found, selected=found) if found else current
    elif trigger == "speed":
        state = current
    elif trigger == "timeline" and values.get("timeline") == controls_from_state(current, data)["timeline"]:
        state = current  # the slider echoing the window it was set to, not a move
    elif trigger == "level":
        state = level_switched(data, current, commit.get("level"))
    else:
        state = state_from_controls(current, trigger, values, data)
    if trigger not in ("play", "speed"):
        playing = False  # any other change stops playback
    notices += window_notices(data, state) if (rendered is None or state.window() != rendered.window()) else []
    state = _explicit_window(state, data)
    plan = redraw_plan(data, rendered, state)

    # The state, the link and the controls: written only where they differ from the page.
    if stored != state.to_dict():
        out[_key("view-state", "data")] = state.to_dict()
    query = "?" + state.to_query()
    # A link is written back unless it is what the user navigated to (back/forward must keep working);
    # an empty link is the story, which gets its explicit link.
    if query != (search or "") and (trigger != "url" or not (search or "").strip("?")):
        out[_key("url", "search")] = query
    if notices:
        out[_key("notice", "children")] = " ".join(notices)
        out[_key("notice", "is_open")] = True
    props = controls_from_state(state, data)
    # The slider is compared with what it shows (its input here is the settled copy).
    values = {**values, "timeline": shown_slider}
    for cid, prop in CONTROL_IDS:
        if props[cid] != values.get(cid):
            out[_key(cid, prop)] = props[cid]
    if not _same(props["timeline"], slider_server):
        out[_key("timeline-server", "data")] = props["timeline"]  # what the slider is set to, not moved to
    _write_if_changed(out, ("ticker", "disabled"), not playing, paused)
    _write_if_changed(out, ("ticker", "interval"), int(speed or 1500), shown_interval)
    _write_if_changed(out, ("play", "children"), "❚❚ Pause" if playing else "▶ Play", shown_play)
    if trigger == "search":
        out[_key("search", "value")] = None
    if trigger == "play" or (not playing and paused is False):
        out[_key("play-chunk", "data")] = {**_chunk(data, state, step, playing), "start": playing}

    result = render_view(data, state) if plan else None
    if "view" in plan:
        # A level switch the browser has already drawn from the figure it held (levelSwap in
        # assets/explorer.js) is not drawn twice.
        if not (trigger == "level" and commit.get("drew") and commit.get("drew") == _ahead_key(stored, state)):
            out[_key("network", "figure")] = result.network
        out[_key("view-description", "children")] = result.description
        if rendered is None or (rendered.window(), rendered.hidden_folders) != (state.window(), state.hidden_folders):
            out[_key("sparkline", "figure")] = render_timeline(data, state)  # it depends on nothing else
    elif "selection" in plan:
        # Applied in the browser once the details are drawn (applyHighlight in assets/explorer.js).
        # (Wrapped: Dash would take a patch sent to the store as a patch of the store's own data.)
        out[_key("network-highlight", "data")] = {
            "patch": _selection_patch(data, rendered, state, result).to_plotly_json()
        }
    # Nothing selected before or after: the panel already shows the hint.
    if "selection" in plan and (state.selected or rendered is None or rendered.selected):
        out[_key("details-html", "data")] = _details(data, result, state)
    # The metrics table and the Paths choices are filled while their tab is open (and when it
    # opens): a hidden grid re-rendering its rows on every click is time the graph waits for.
    # The grids are made when their tab first opens (grids.metrics_grid); their props go through a
    # store the browser copies into them (gridData in assets/explorer.js), so no grid is an output
    # here that each answer would re-render while it is in flight.
    if state.tab == "metrics" and plan:
        grid = {"rowClassRules": _row_rules(state)}
        if "view" in plan or "tab" in plan:
            grid.update(rowData=result.metrics, columnDefs=_columns(state))
        out[_key("grid-data", "data")] = grid
    if plan and ("view" in plan or "tab" in plan) and (state.tab == "path" or state.path_from or state.path_to):
        options = _view_options(data, result.view)
        out[_key("path-from", "options")] = options
        out[_key("path-to", "options")] = options
    if "tab" in plan or ("view" in plan and state.tab in ("map", "changes", "path")):
        _render_tab(data, state, out)
    return [out[_key(c, p)] for c, p in _OUTPUTS]


# Outputs a page's layout never carries: the link is the browser's (a Location written in the
# layout would navigate), and the playback queue starts empty.
_NOT_IN_LAYOUT = {("url", "search"), ("play-chunk", "data")}


def opening_props(data: AppData, search: str) -> dict[tuple[str, str], object]:
    """What the main callback would write on a page opened at ``search`` with nothing shown
    yet: the page's layout carries it (:func:`explorer.app.layout.make_layout`), so the graph,
    the details and the controls are drawn with the page instead of after a first round trip,
    and that first call finds the page up to date."""
    # After the URL: the controls, nine more inputs (clicks, search, reset, play, speed) and eight
    # states, none of them shown yet (respond unpacks exactly that many).
    args = (None,) * (len(CONTROL_IDS) + 9 + 8)
    answer = respond(data, search, args, {})
    return {
        target: value
        for target, value in zip(_OUTPUTS, answer)
        if value is not no_update and target not in _NOT_IN_LAYOUT
    }


def level_switched(data: AppData, current: ViewState, level: str | None) -> ViewState:
    """The state after the level control is set to ``level``: the main callback's answer, and
    the state whose figure the browser is given ahead of the click (:func:`_register_level_ahead`)."""
    return _explicit_window(state_from_controls(current, "level", {"level": level}, data), data)


def _other_level(state: ViewState) -> str:
    return "officials" if state.level == "countries" else "countries"


def _ahead_key(stored: dict | None, target: ViewState) -> str:
    """Names the figure held ahead: the view state it was made from, as the page holds it (the
    browser compares that very data), and the state it draws."""
    return json.dumps([stored, target.to_dict()], sort_keys=True, default=list)


def _register_level_ahead(app: dash.Dash, data: AppData) -> None:
    """The other level's figure, made while the page is idle, so a level switch draws it at once.

    After each change of view (and once the page's first draw has painted) the browser asks for
    it (``levelAhead`` in assets/explorer.js; not while playing).  A click on the level control
    goes to ``levelSwap``, which draws that figure at once if it was made for the view shown,
    and passes the change on to the main callback (``level-commit``) saying so: the answer
    brings the rest (the description, the link, the tables) and leaves the figure out.  The
    server keeps its last views (``presenter.render_view``), so that answer builds nothing twice."""
    app.clientside_callback(
        dash.ClientsideFunction("explorer", "levelAhead"),
        Output("level-next-request", "data"),
        Input("view-state", "data"),
        State("ticker", "disabled"),
    )

    @app.callback(Output("level-next", "data"), Input("level-next-request", "data"), prevent_initial_call=True)
    def level_ahead(stored):
        if not stored:
            return no_update
        shown = ViewState.from_dict(stored)
        target = level_switched(data, shown, _other_level(shown))
        figure = render_view(data, target).network
        return {"basis": stored, "level": target.level, "key": _ahead_key(stored, target), "figure": figure}

    app.clientside_callback(
        dash.ClientsideFunction("explorer", "levelSwap"),
        Output("network", "figure", allow_duplicate=True),
        Output("level-commit", "data"),
        Input("level", "value"),
        State("level-next", "data"),
        State("view-state", "data"),
        prevent_initial_call=True,
    )


def _register_entity_search(app: dash.Dash, data: AppData) -> None:
    """A large folder's entity dropdowns (search, focus) start empty and get the entities
    matching what is typed, plus the current value's, from the server."""
    for cid in ENTITY_DROPDOWNS:
        app.callback(Output(cid, "options"), Input(cid, "search_value"), Input(cid, "value"))(
            lambda text, value: entity_search(data, text, [value] if value else [])
        )


def _register_lazy_grids(app: dash.Dash) -> None:
    """The metrics and changes grids are made the first time their tab opens: mounting an AG Grid
    costs the page's first paint (and every answer it is an output of) hundreds of milliseconds of
    browser time, for a tab most visits never open.  Their rows and columns come through stores
    (``grid-data``, ``changes-grid-data``), copied into the grid in the browser once it exists, and
    a row's click comes back through ``grid-pick``."""
    for grid, tab, make, copier in (
        ("grid", "metrics", metrics_grid, "gridData"),
        ("changes-grid", "changes", changes_grid, "changesGridData"),
    ):
        holder = f"{grid}-holder"
        app.callback(Output(holder, "children"), Input("tabs", "data"), State(holder, "children"))(
            lambda open_tab, shown, tab=tab, make=make: make() if open_tab == tab and not shown else no_update
        )
        app.clientside_callback(
            dash.ClientsideFunction("explorer", copier),
            Output(grid, "rowData"),
            Output(grid, "columnDefs"),
            Output(grid, "rowClassRules"),
            Input(f"{grid}-data", "data"),
        )
    app.clientside_callback(
        dash.ClientsideFunction("explorer", "gridPick"),
        Output("grid-pick", "data"),
        Input("grid", "cellClicked"),
        Input("grid", "eventData"),
        prevent_initial_call=True,
    )


def _register_tab_list(app: dash.Dash) -> None:
    """The tab list (``layout._tab_set``) switches in the browser, with no round trip: a click
    (or Enter, or Space) on a tab opens it; the open tab, from a click or from a link, is marked
    selected and is the only one in the Tab order, and only its panel is shown."""
    keys = list(TABS)
    app.clientside_callback(
        "function(){ const t = window.dash_clientside.callback_context.triggered_id;"
        " return t ? t.slice(4) : window.dash_clientside.no_update; }",
        Output("tabs", "data", allow_duplicate=True),
        *[Input(f"tab-{key}", "n_clicks") for key in keys],
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function(open){ const keys = " + json.dumps(keys) + "; if (!keys.includes(open)) { open = keys[0]; }"
        " return keys.flatMap(k => [k === open ? 'true' : 'false', k === open ? '0' : '-1',"
        " k === open ? 'nav-link active' : 'nav-link', k !== open]); }",
        *[
            Output(cid, prop)
            for key in keys
            for cid, prop in (
                (f"tab-{key}", "aria-selected"),
                (f"tab-{key}", "tabIndex"),
                (f"tab-{key}", "className"),
                (f"panel-{key}", "hidden"),
            )
        ],
        Input("tabs", "data"),
    )


def _trigger(prop_ids: list[str]) -> str | None:
    """The control a request answers.  Dash merges the triggers of requests that queue behind one
    another, so a click on Pause can arrive with a playback frame's date change: the person's
    action comes first."""
    ids = [_CONTROL_OF.get(key.rsplit(".", 1)[0], key.rsplit(".", 1)[0]) for key in prop_ids]
    person = [i for i in ids if i not in _PLAYBACK_ECHO]
    return person[0] if person else (ids[0] if ids else None)


def _same(a, b) -> bool:
    """Equal as the browser holds them (a tuple arrives as a list)."""
    return json.dumps(a) == json.dumps(b)


def _write_if_changed(out: dict, target: tuple[str, str], value, shown) -> None:
    if not _same(value, shown):
        out[_key(*target)] = value


def _chunk(data: AppData, state: ViewState, step: str | None, playing: bool) -> dict:
    """Frames for the browser's playback queue ({'reset': True} empties it)."""
    if not playing:
        return {"reset": True}
    frames, done = play_frames(data, state, step or "month", FRAMES_PER_CHUNK)
    return {"frames": frames, "done": done}


def _explicit_window(state: ViewState, data: AppData) -> ViewState:
    """The dashboard's links always name their window, so an empty link means the story."""
    if state.lookback or (state.date_from and state.date_to):
        return state
    return state.replace(
        date_from=state.date_from or data.span[0].isoformat(), date_to=state.date_to or data.span[1].isoformat()
    )


def _selection_patch(data: AppData, old: ViewState, new: ViewState, result) -> Patch:
    """The figure change from the old highlight to the new one, as a small patch."""
    before = render_view(data, old).network
    fig = before if isinstance(before, dict) else before.to_plotly_json()
    patch = Patch()
    for index, path, value in selection_updates(fig, result.view, data.positions_for(new.level), new.selected):
        ref = patch["data"][index]
        for part in path[:-1]:
            ref = ref[part]
        ref[path[-1]] = value
    return patch


def _render_tab(data: AppData, state: ViewState, out: dict) -> None:
    if state.tab == "map":
        out[_key("map", "figure")] = render_map(data, state)
    elif state.tab == "changes":
        ch = render_changes(data, state)
        out[_key("changes-graph", "figure")] = ch["figure"]
        out[_key("changes-grid-data", "data")] = {"rowData": ch["rows"], "columnDefs": ch["columns"]}
        out[_key("changes-summary", "children")] = ch["summary"]
    elif state.tab == "path":
        paths = render_paths(data, state)
        out[_key("path-results", "children")] = components.paths_panel(
            paths, state.path_from, state.path_to, data.entities
        )
        out[_key("path-graph", "figure")] = render_path_graph(data, state, paths)


def _view_options(data: AppData, view) -> list[dict]:
    """Entity options of the view's nodes, searchable by name, alias and id."""
    return [o for o in entity_options(data) if o["value"] in view]


def _row_rules(state: ViewState) -> dict:
    sel = state.selected
    if not sel or sel.startswith(("edge|", "pair|")):
        return {}
    return {"explorer-selected-row": f"params.data.id === {json.dumps(sel)}"}


def _sorted_metric(columns) -> str | None:
    for col in columns or []:
        if isinstance(col, dict) and col.get("sort") and col.get("colId") in METRICS:
            return col["colId"]
    return None


def _known_entities(state: ViewState, data: AppData) -> tuple[ViewState, list[str]]:
    """Drop ids from a link that this data folder does not have, with a notice."""
    notices = []
    changes = {}
    for name in ("focus", "path_from", "path_to", "org"):
        value = getattr(state, name)
        if value and value not in data.entities:
            notices.append(f"'{value[:60]}' is not in this data ({name} ignored).")
            changes[name] = ""
    if state.selected and not state.selected.startswith(("edge|", "pair|")) and state.selected not in data.entities:
        changes["selected"] = ""
    unknown = [c for c in state.countries if c not in data.entities]
    if unknown:
        shown = ", ".join(c[:40] for c in unknown[:5])
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        notices.append(f"Unknown countries ignored: {shown}{more}.")
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
    """The metrics grid's columns: the chosen metric right after the name, so it is in view;
    ranks hidden (they are the sort order); widths that fit the panel."""
    cols = [
        {
            "field": "name",
            "headerName": "Name",
            "pinned": "left",
            "minWidth": 150,
            "flex": 2,
        },
    ]
    metrics = sorted(METRICS.items(), key=lambda kv: kv[0] != state.metric)
    for key, m in metrics:
        col = {
            "field": key,
            "headerName": m.label,
            "headerTooltip": m.description,
            "filter": "agNumberColumnFilter",
            "minWidth": 105,
            "flex": 1,
        }
        if key not in ("degree", "community"):
            col["valueFormatter"] = {"function": "d3.format('.4~g')(params.value)"}
        if key == state.metric:
            col["sort"] = "desc"
        cols.append(col)
    cols += [
        {"field": "kind", "headerName": "Kind", "minWidth": 100, "flex": 1},
        {"field": "country", "headerName": "Country", "minWidth": 90, "flex": 1},
    ]
    return cols


def _details(data: AppData, result, state: ViewState):
    sel = state.selected
    """The details panel as HTML: hundreds of elements for a country, which the browser parses
    in milliseconds as a string but tracks one by one as Dash components (see markup)."""
    if not sel:
        panel = components.details_hint()
    elif sel.startswith(("edge|", "pair|")):
        panel = components.edge_panel(edge_details(data.graph, result.whole, sel))
    else:
        panel = components.node_panel(node_details(data.graph, result.whole, sel))
    return to_html(panel)
