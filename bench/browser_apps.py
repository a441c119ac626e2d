"""The two servers that ``bench_browser.py`` drives: explorer itself and the floor app.

    python bench/browser_apps.py explorer DATA PORT [--server waitress|flask]
    python bench/browser_apps.py floor DATA PORT [--server waitress|flask]

Each runs in its own process, so the benchmark can read that process's CPU time.

The floor is the least a Dash + Plotly page can do to show the same network
figures (``render_view(data, state).network``): no assets, no stylesheet, the
figures built before the page asks for them.  It is three Dash apps on one Flask
server, one per measured interaction:

- ``/first/``: the default view's figure in a ``dcc.Graph``, in the layout itself;
- ``/switch/``: a button (``#swap``) that swaps the officials-level and the
  countries-level figure of one window, in one round trip;
- ``/node/``: the countries-level figure; a click on a node swaps in the figure
  built with that node selected and shows the node's name in ``#details``.

Which views it shows is set by ``POST /_bench/configure`` (JSON: ``first``,
``officials``, ``countries`` as view query strings, ``nodes`` to pre-build
selected figures for, ``style`` of the graph).  ``POST /_bench/view`` answers the
node ids of a view's figure and ``POST /_bench/play`` those of the windows that
playback steps through (``explorer.presenter.advance``), so the benchmark checks
what explorer draws against the same pure pipeline.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path

from explorer.presenter import AppData, advance, prepare_app_data, render_view
from explorer.viewstate import ViewState

FLOOR_GRAPH_CONFIG = {"displaylogo": False}


def traces(fig) -> list[dict]:
    """A figure's traces as dicts, whether it is a ``go.Figure`` or a plain dict."""
    return list((fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig).get("data") or [])


def figure_node_ids(fig) -> list[str]:
    """The entity ids a network figure draws, from its markers' ``customdata`` (``'node|id'``), once each."""
    out: dict[str, None] = {}
    for trace in traces(fig):
        cd = trace.get("customdata")
        for c in cd if cd is not None else ():
            if isinstance(c, str) and c.startswith("node|"):
                out[c[5:]] = None
    return list(out)


def figure_points(fig) -> int:
    """The number of x values over all traces (nodes, tie segments, midpoints, overlays)."""
    return sum(len(t["x"]) for t in traces(fig) if t.get("x") is not None)


def signature(ids: list[str]) -> int:
    """A 32-bit FNV-1a hash of the sorted unique node ids; the page computes the same.  (Node ids,
    not every point: label placement may depend on the plot's size in pixels.)"""
    text = ",".join(sorted(set(ids)))
    h = 0x811C9DC5
    for ch in text:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class FloorFigures:
    """The figures the floor pages show, built once per view and kept (thread-safe)."""

    def __init__(self, data: AppData):
        self.data = data
        self.lock = threading.Lock()
        self.by_query: dict[str, object] = {}
        self.first = self.officials = self.countries = ""
        self.style: dict = {"height": "660px"}

    def state(self, query: str) -> ViewState:
        state, notices = ViewState.from_query(query)
        if notices:
            raise ValueError(f"view query {query!r}: {'; '.join(notices)}")
        return state

    def figure(self, query: str, selected: str = ""):
        key = f"{query}#{selected}"
        with self.lock:
            if key not in self.by_query:
                state = self.state(query)
                if selected:
                    state = state.replace(selected=selected)
                self.by_query[key] = render_view(self.data, state).network
            return self.by_query[key]

    def describe(self, query: str) -> dict:
        fig = self.figure(query)
        ids = figure_node_ids(fig)
        return {
            "query": query,
            "nodes": ids,
            "points": figure_points(fig),
            "signature": signature(ids),
            "webgl": any(t.get("type") == "scattergl" for t in traces(fig)),
        }


def create_floor_server(data: AppData):
    """The Flask server holding the three floor apps and the benchmark's control routes."""
    import dash
    import flask
    from dash import Input, Output, dcc, html, no_update

    figures = FloorFigures(data)
    server = flask.Flask("floor")
    no_assets = str(Path(__file__).resolve().parent / "floor-has-no-assets")  # never created

    def new_app(prefix: str):
        return dash.Dash(
            f"floor{prefix.strip('/')}",
            server=server,
            url_base_pathname=prefix,
            assets_folder=no_assets,
            include_assets_files=False,
            serve_locally=True,
            update_title=None,
            title="floor",
        )

    def graph(figure):
        return dcc.Graph(id="network", figure=figure, config=FLOOR_GRAPH_CONFIG, style=figures.style)

    first = new_app("/first/")
    first.layout = lambda: html.Div([graph(figures.figure(figures.first))])

    switch = new_app("/switch/")
    switch.layout = lambda: html.Div([html.Button("Swap level", id="swap"), graph(figures.figure(figures.officials))])

    @switch.callback(Output("network", "figure"), Input("swap", "n_clicks"), prevent_initial_call=True)
    def swap(n):
        return figures.figure(figures.countries if (n or 0) % 2 else figures.officials)

    node = new_app("/node/")
    node.layout = lambda: html.Div([graph(figures.figure(figures.countries)), html.Div(id="details")])

    @node.callback(
        Output("network", "figure"),
        Output("details", "children"),
        Input("network", "clickData"),
        prevent_initial_call=True,
    )
    def select(click):
        try:
            value = click["points"][0]["customdata"]
        except (TypeError, KeyError, IndexError):
            return no_update, no_update
        if not (isinstance(value, str) and value.startswith("node|")):
            return no_update, no_update
        nid = value[5:]
        return figures.figure(figures.countries, nid), data.entities.get(nid, {}).get("name", nid)

    @server.post("/_bench/configure")
    def configure():
        body = flask.request.get_json()
        figures.first, figures.officials, figures.countries = body["first"], body["officials"], body["countries"]
        figures.style = body.get("style") or figures.style
        out = {k: figures.describe(body[k]) for k in ("first", "officials", "countries")}
        for nid in body.get("nodes", ()):
            figures.figure(figures.countries, nid)
        return flask.jsonify(out)

    @server.post("/_bench/view")
    def view():
        return flask.jsonify(figures.describe(flask.request.get_json()["query"]))

    @server.post("/_bench/names")
    def names():
        ids = flask.request.get_json()["ids"]
        return flask.jsonify({i: data.entities.get(i, {}).get("name", i) for i in ids})

    @server.post("/_bench/play")
    def play():
        body = flask.request.get_json()
        state = figures.state(body["query"])
        frames = []
        for _ in range(int(body["frames"]) + 1):
            fig = render_view(data, state).network
            ids = figure_node_ids(fig)
            frames.append(
                {
                    "date_from": state.date_from,
                    "date_to": state.date_to,
                    "nodes": len(ids),
                    "signature": signature(ids),
                }
            )
            state, done = advance(state, data, body["step"])
            if done:
                break
        return flask.jsonify(frames)

    @server.get("/_bench/info")
    def info():
        return flask.jsonify(
            {
                "span": [data.span[0].isoformat(), data.span[1].isoformat()],
                "unit": data.unit,
                "entities": len(data.graph),
                "edges": data.graph.number_of_edges(),
            }
        )

    return server


def create_explorer_server(data: AppData):
    from explorer.app import create_app

    return create_app(data).server


def run(server, port: int, kind: str) -> None:
    if kind == "flask":
        server.run(host="127.0.0.1", port=port, threaded=True, debug=False, use_reloader=False)
    else:
        from waitress import serve

        serve(server, host="127.0.0.1", port=port, threads=8, _quiet=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("app", choices=["explorer", "floor"])
    ap.add_argument("data", help="a data folder, or 'bundled'")
    ap.add_argument("port", type=int)
    ap.add_argument("--server", choices=["waitress", "flask"], default="waitress")
    args = ap.parse_args()
    os.environ.setdefault("DASH_DISABLE_VERSION_CHECK", "true")
    import explorer
    from explorer.paths import bundled_data_dir

    data = prepare_app_data(bundled_data_dir() if args.data == "bundled" else Path(args.data))
    server = create_explorer_server(data) if args.app == "explorer" else create_floor_server(data)
    print(f"{args.app} ({explorer.__file__}): ready on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
    run(server, args.port, args.server)


if __name__ == "__main__":
    main()
