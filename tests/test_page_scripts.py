"""The scripts the page loads in its head (explorer.app.scripts): the browser's own parsing
functions kept from Dash's polyfill, and a partial plotly.js of the trace types the dashboard
draws, at the version plotly.py ships (the full bundle when they differ)."""

from __future__ import annotations

import re
from pathlib import Path

import dash
import plotly
import pytest
from plotly.offline import get_plotlyjs_version

from explorer import figures, presenter
from explorer.app import create_app, scripts
from explorer.paths import assets_dir, bundled_data_dir
from explorer.presenter import (
    prepare_app_data,
    render_changes,
    render_map,
    render_path_graph,
    render_paths,
    render_series,
    render_timeline,
    render_view,
)
from explorer.viewstate import ViewState

ROOT = Path(__file__).resolve().parent.parent
HEAD_SCRIPT = re.compile(r'<script( defer)? src="([^"]+)"></script>')


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def head_scripts(app) -> list[tuple[bool, str]]:
    html = app.server.test_client().get("/").get_data(as_text=True)
    return [(bool(d), src) for d, src in HEAD_SCRIPT.findall(html.split("</head>", 1)[0])]


def test_the_page_loads_the_partial_plotly_of_plotlys_version_and_the_graph_code_with_itself(app_data):
    """First the kept natives (not deferred: they must run before Dash's polyfill), then plotly.js
    and dcc.Graph's chunk, deferred, from this server: the first graph does not wait for them to
    be asked for once the layout is drawn.  plotly.js's address is plotly.py's bundle's (the one
    dcc.Graph would fetch itself); it answers with the partial bundle, and 304 once the browser
    has it."""
    app = create_app(app_data)
    found = head_scripts(app)
    assert [(d, src.split("?")[0]) for d, src in found] == [
        (False, "/assets/head/natives.js"),
        (True, "/_dash-component-suites/plotly/package_data/plotly.min.js"),
        (True, "/_dash-component-suites/dash/dcc/async-graph.js"),
    ]
    files = [
        assets_dir() / "head" / "natives.js",
        assets_dir() / "head" / "plotly-explorer.min.js",
        Path(dash.__file__).parent / "dcc" / "async-graph.js",
    ]
    client = app.server.test_client()
    for (_, src), file in zip(found, files):
        r = client.get(src)
        assert r.status_code == 200 and r.data == file.read_bytes(), src  # served here, never from a CDN
    bundle = files[1].read_bytes()
    assert bundle.startswith(f"/* plotly.js v{get_plotlyjs_version()} ".encode())
    # Much smaller than the full bundle, which is what the browser compiles on a first visit.
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert len(bundle) < 0.5 * full.stat().st_size
    first = client.get(found[1][1])
    assert first.headers["Content-Type"].startswith("text/javascript") and first.get_etag()[0]
    again = client.get(found[1][1], headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    # Dash does not add the head folder's scripts again at the page's end.
    html = client.get("/").get_data(as_text=True)
    assert html.count("head/natives.js") == 1 and "plotly-explorer" not in html


def test_another_plotly_version_gets_plotlys_full_bundle(app_data, monkeypatch):
    """Were plotly.py upgraded without the partial bundle being rebuilt, the page would get the
    full bundle plotly.py ships (a partial bundle of another version would not match dcc)."""
    monkeypatch.setattr(scripts, "partial_bundle_version", lambda: "0.0.1")
    scripts.partial_bundle.cache_clear()
    try:
        app = create_app(app_data)
        srcs = [src for _, src in head_scripts(app)]
        assert srcs[1] == "/_dash-component-suites/plotly/package_data/plotly.min.js"
        r = app.server.test_client().get(srcs[1])
        full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        assert r.status_code == 200 and r.data == full.read_bytes()
    finally:
        scripts.partial_bundle.cache_clear()


def test_assets_asked_for_with_their_time_are_kept_by_the_browser(app_data):
    """The page asks for every asset with its modification time (``?m=``): the browser may keep
    those (a year, immutable) instead of revalidating plotly.js on every visit; the same file
    asked for without it is not to be kept."""
    app = create_app(app_data)
    client = app.server.test_client()
    html = client.get("/").get_data(as_text=True)
    marked = re.findall(r'src="(/assets/[^"]+\?m=[^"]+)"', html)
    assert any("natives.js" in m for m in marked) and any("explorer.js" in m for m in marked)
    for src in marked:
        r = client.get(src)
        assert r.status_code == 200
        assert r.cache_control.max_age == 365 * 24 * 3600 and r.cache_control.immutable, src
        plain = client.get(src.split("?")[0])
        assert plain.status_code == 200 and not plain.cache_control.max_age, src
    assert client.get("/assets/head/nothing.js?m=1").status_code == 404


def test_the_bundle_is_built_from_the_trace_types_the_code_names():
    """tools/plotly-bundle/build.js registers the trace types of BUNDLED_TRACES (scatter comes
    with plotly.js's core), its package pins the plotly.js version plotly.py ships, and the
    committed bundle says it was built so."""
    import json

    tool = ROOT / "tools" / "plotly-bundle"
    listed = re.search(r"^const TRACES = \[([^\]]*)\];", (tool / "build.js").read_text(), re.M)
    traces = re.findall(r"'(\w+)'", listed.group(1))
    assert set(traces) | {"scatter"} == scripts.BUNDLED_TRACES
    assert json.loads((tool / "package.json").read_text())["devDependencies"]["plotly.js"] == get_plotlyjs_version()
    banner = (assets_dir() / "head" / "plotly-explorer.min.js").read_bytes()[:200].decode()
    assert banner.startswith(f"/* plotly.js v{get_plotlyjs_version()} (MIT, Plotly, Inc.): core, {', '.join(traces)}.")


def trace_types(fig) -> set[str]:
    data = fig["data"] if isinstance(fig, dict) else fig.to_dict()["data"]
    return {t.get("type", "scatter") for t in data}


@pytest.mark.parametrize("webgl", [False, True], ids=["svg", "webgl"])
def test_every_figure_the_dashboard_draws_uses_only_bundled_trace_types(app_data, webgl, monkeypatch):
    """Network (both levels, with a selection and a path), the changes, the map, the timeline and
    the series: a trace type the partial bundle lacks would not be drawn at all."""
    if webgl:  # as above figures.WEBGL_ABOVE nodes
        monkeypatch.setattr(figures, "WEBGL_ABOVE", 0)
    monkeypatch.setattr(presenter, "_VIEW_CACHE", {})  # views drawn for the other case
    seen: set[str] = set()
    for level in ("officials", "countries"):
        state = ViewState(date_from="2023-06-01", date_to="2024-02-29", level=level)
        result = render_view(app_data, state.replace(selected=next(iter(result_nodes(app_data, state)))))
        seen |= trace_types(result.network)
        seen |= trace_types(render_changes(app_data, state)["figure"])
        seen |= trace_types(render_map(app_data, state))
        seen |= trace_types(render_timeline(app_data, state))
        nodes = sorted(result_nodes(app_data, state))
        seen |= trace_types(render_series(app_data, state, nodes[:3]))
        path_state = state.replace(path_from=nodes[0], path_to=nodes[-1])
        seen |= trace_types(render_path_graph(app_data, path_state, render_paths(app_data, path_state)))
    assert seen <= scripts.BUNDLED_TRACES, seen - scripts.BUNDLED_TRACES
    assert ("scattergl" in seen) == webgl
    assert {"scatter", "scattergeo", "bar"} <= seen


def result_nodes(app_data, state) -> list[str]:
    return list(render_view(app_data, state).view)


@pytest.mark.browser
def test_in_the_browser_plotly_is_the_partial_bundle_and_parsing_is_the_browsers_own(dash_duo, app_data):
    """The page's Plotly has the bundle's trace types at plotly.py's version; dcc did not fetch
    the full bundle as well; the polyfill ran (regeneratorRuntime, which Dash's components use,
    is there) but trim, parseInt and parseFloat are the browser's own again."""
    from test_browser import start

    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries")
    got = dash_duo.driver.execute_script(
        """return {
          version: Plotly.version,
          traces: Object.keys(Plotly.PlotSchema.get().traces),
          restored: window.explorerNatives.restored,
          // U+180E is no longer white space (Unicode 6.3): the polyfill's versions still skip it.
          u180e: ['\\u180e'.trim().length, '\\u180e'.trimEnd().length, String(parseInt('\\u180e1')),
                  String(parseFloat('\\u180e1')), String(Number.parseInt('\\u180e1'))],
          plain: ' a\\u00a0'.trim() + '|' + parseInt(' 08') + '|' + parseFloat('1.5e1x'),
          regenerator: typeof regeneratorRuntime,
          scripts: performance.getEntriesByType('resource').map(e => e.name.split('?')[0].split('/').pop())
            .filter(n => /^plotly/.test(n)),
        }"""
    )
    assert got["version"] == get_plotlyjs_version()
    assert set(got["traces"]) == scripts.BUNDLED_TRACES
    assert got["scripts"] == ["plotly.min.js"]  # once: dcc.Graph found it there
    assert got["regenerator"] == "object"
    assert got["u180e"] == [1, 1, "NaN", "NaN", "NaN"], "the polyfill's trim/parseInt/parseFloat are still in use"
    assert {"String.prototype.trim", "parseInt", "parseFloat", "Number.parseInt"} <= set(got["restored"])
    assert got["plain"] == "a|8|15"
    # The drawn network is there: the restored functions did not break the page.
    assert dash_duo.driver.execute_script("return document.querySelector('#network .js-plotly-plot').data.length") > 0
