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
        "return performance.getEntriesByType('resource').filter(e => e.name.includes('plotly.min.js')).length"
    )
    assert loads == 1, f"plotly.js fetched {loads} times"

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
