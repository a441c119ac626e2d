"""The order graphs are drawn in (issue 9, first paint; assets/drawing.js): the network first,
the timeline's sparkline after its frame, and a closed tab's graph only once its tab opens, then
at the size of its panel.  plotly.js is fetched once, with the page."""

from __future__ import annotations

import pytest
from test_browser import start, wait_until

from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data

pytestmark = pytest.mark.browser

# Installed before the page's own scripts: the graphs in the order their first SVG appears.
RECORD_JS = """
window.__drawn = [];
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType === 1 && n.classList && n.classList.contains('main-svg')) {
      const graph = n.closest('.js-plotly-plot') && n.closest('.js-plotly-plot').parentElement.closest('[id]');
      if (graph && !window.__drawn.includes(graph.id)) window.__drawn.push(graph.id);
    }
  }
}).observe(document, {childList: true, subtree: true});
"""

SIZE_JS = """
const gd = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
return gd && gd._fullLayout ? [gd._fullLayout.width, gd.getBoundingClientRect().width] : null;
"""


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def drawn(duo) -> list[str]:
    return duo.driver.execute_script("return window.__drawn || []")


def test_the_network_first_closed_tabs_when_opened(dash_duo, app_data):
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_JS})
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries")
    wait_until(lambda: "sparkline" in drawn(dash_duo), what="the sparkline drawn after the network")
    order = drawn(dash_duo)
    assert order[0] == "network", f"the network must be drawn first, not after {order}"
    assert not {"map", "series", "changes-graph", "path-graph"} & set(order), f"a closed tab's graph was drawn: {order}"
    assert dash_duo.driver.execute_script("return window.explorerDrawing.openedBy") == "a draw"
    loads = dash_duo.driver.execute_script(
        "return ['plotly-explorer.min.js', 'plotly.min.js'].map(f =>"
        " performance.getEntriesByType('resource').filter(e => e.name.includes(f)).length)"
    )
    # The dashboard's plotly.js once, plotly.py's full one (4.8 MB) never.
    assert loads == [1, 0], f"plotly.js fetched {loads} times"

    for tab, graph in (("map", "map"), ("path", "path-graph")):
        dash_duo.find_element(f"#tab-{tab}").click()
        size = wait_until(lambda g=graph: dash_duo.driver.execute_script(SIZE_JS, g), what=f"the {graph} graph drawn")
        # Drawn for the open panel: its figure spans the panel (not a hidden tab's default size).
        assert abs(size[0] - size[1]) <= 2, f"#{graph} drawn {size[0]} px wide in a {size[1]} px panel"
        assert graph in drawn(dash_duo)
    # Still closed: still not drawn.
    assert not {"series", "changes-graph"} & set(drawn(dash_duo))


def test_a_link_to_another_tab_draws_that_tab_at_once(dash_duo, app_data):
    """Opened on the Map tab, the map is drawn with the page (the network, in its closed tab, waits)."""
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_JS})
    dash_duo.driver.set_window_size(1600, 1100)
    from explorer.app import create_app

    dash_duo.start_server(create_app(app_data))
    dash_duo.driver.get(dash_duo.server_url + "/?from=2024-01-01&to=2024-02-29&level=countries&tab=map")
    wait_until(lambda: "map" in drawn(dash_duo), what="the map drawn")
    # Drawn as the first graph, not after the wait for a network that is not shown.
    assert dash_duo.driver.execute_script("return window.explorerDrawing.openedBy") == "a draw"
    assert "network" not in drawn(dash_duo)
    dash_duo.find_element("#tab-network").click()
    wait_until(lambda: "network" in drawn(dash_duo), what="the network drawn when its tab opens")


# Plotly's events on each graph, from the first (Plotly.newPlot sets gd.emit; this wraps it).
EVENTS_JS = """
window.__events = [];
const wrap = new WeakMap();
Object.defineProperty(HTMLDivElement.prototype, 'emit', {
  configurable: true,
  get() { return wrap.get(this); },
  set(fn) {
    const gd = this;
    wrap.set(gd, function (name) {
      const graph = gd.parentElement && gd.parentElement.closest('[id]');
      window.__events.push([graph ? graph.id : '?', name]);
      return fn.apply(this, arguments);
    });
  },
});
"""

NETWORK_SETTLED_JS = """
const gd = document.querySelector('#network .js-plotly-plot');
// dcc.Graph binds its events, then asks for a resize, once the first draw is done.
const bound = gd && gd._ev && gd._ev.listeners('plotly_click').length > 0;
return !!(bound && !gd._resolveResize);
"""


def _draws(duo, graph: str) -> int:
    return duo.driver.execute_script(
        "return window.__events.filter(e => e[0] === arguments[0] && e[1] === 'plotly_afterplot').length", graph
    )


def test_the_network_is_drawn_once_and_redrawn_when_its_size_changes(dash_duo, app_data):
    """dcc.Graph resizes each graph after its first draw; at the size it already has, that must
    not draw the whole network again (about 1 s for a few thousand ties)."""
    dash_duo.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": EVENTS_JS})
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29")
    wait_until(lambda: dash_duo.driver.execute_script(NETWORK_SETTLED_JS), what="the network drawn and resized")
    assert _draws(dash_duo, "network") == 1, str(dash_duo.driver.execute_script("return window.__events"))

    # A window of another size: the network is drawn again, to fill its panel.
    dash_duo.driver.set_window_size(1200, 900)
    size = (
        "const gd = document.querySelector('#network .js-plotly-plot');"
        "return [gd._fullLayout.width, gd.getBoundingClientRect().width];"
    )
    wait_until(
        lambda: (lambda s: abs(s[0] - s[1]) <= 1)(dash_duo.driver.execute_script(size)),
        what="the network redrawn at the panel's new width",
    )
    assert _draws(dash_duo, "network") == 2


# The tie midpoint farthest from any node and any other tie, in page pixels, with its id.
TIE_JS = """
const gd = document.querySelector('#network .js-plotly-plot');
const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
const ties = [], all = [];
for (const t of gd.data) {
  const cd = t.customdata || [];
  for (let i = 0; i < cd.length; i++) {
    if (typeof cd[i] !== 'string') continue;
    const p = [cd[i], r.left + xa.l2p(t.x[i]), r.top + ya.l2p(t.y[i])];
    all.push(p);
    if (cd[i].startsWith('pair|')) ties.push(p);
  }
}
let best = null, bestD = -1;
for (const p of ties) {
  let d = Infinity;
  for (const q of all) if (q !== p) d = Math.min(d, Math.hypot(p[1] - q[1], p[2] - q[2]));
  if (d > bestD && p[2] > r.top && p[2] < r.bottom && p[1] > r.left && p[1] < r.right) { bestD = d; best = p; }
}
return best;
"""


def _mouse(duo, kind: str, x: float, y: float) -> None:
    duo.driver.execute_cdp_cmd(
        "Input.dispatchMouseEvent",
        {"type": kind, "x": x, "y": y, "button": "none" if kind == "mouseMoved" else "left", "clickCount": 1},
    )


def test_a_tie_answers_hover_and_click_at_its_midpoint(dash_duo, app_data):
    """Ties hover and click at their midpoints, which are not drawn (no element per tie)."""
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29")
    assert dash_duo.driver.find_elements("css selector", "#network .scatterlayer .traceties")
    assert not dash_duo.driver.find_elements("css selector", "#network .traceties path.point")
    tie, x, y = dash_duo.driver.execute_script(TIE_JS)
    _, u, v = tie.split("|")
    names = [app_data.entities[n]["name"] for n in (u, v)]
    _mouse(dash_duo, "mouseMoved", x, y)
    hover = wait_until(
        lambda: dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#network .hoverlayer .hovertext')).map(e => e.textContent).join(' ')"
        ),
        what="a hover label at the tie's midpoint",
    )
    assert all(name in hover for name in names), hover
    _mouse(dash_duo, "mousePressed", x, y)
    _mouse(dash_duo, "mouseReleased", x, y)
    wait_until(
        lambda: all(name in dash_duo.find_element("#details").text for name in names),
        what=f"the details of the tie between {names[0]} and {names[1]}",
    )


def test_plotly_js_runs_once_even_when_it_arrives_after_the_layout(dash_duo, app_data):
    """A slow plotly.js (a first visit on a slow line): the page still runs it once, its own
    (never plotly.py's 4.8 MB one, which dcc.Graph fetches when a graph mounts before plotly.js ran)."""
    import time

    import flask

    from explorer.app import create_app

    app = create_app(app_data)

    @app.server.before_request
    def _slow_plotly():
        # The page's plotly.js takes longer than the layout (the condition, not a wait of the test).
        if flask.request.path.endswith("plotly-explorer.min.js"):
            time.sleep(1.5)

    dash_duo.driver.set_window_size(1600, 1100)
    dash_duo.start_server(app)
    wait_until(lambda: dash_duo.driver.execute_script(NETWORK_SETTLED_JS), what="the network drawn")
    scripts = dash_duo.driver.execute_script(
        "return Array.from(document.scripts).map(s => s.src).filter(s => s.includes('plotly'))"
    )
    assert [s.rsplit("/", 1)[-1] for s in scripts] == ["plotly-explorer.min.js"], scripts
    fetched = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('plotly'))"
    )
    assert [f.rsplit("/", 1)[-1] for f in fetched] == ["plotly-explorer.min.js"], fetched
