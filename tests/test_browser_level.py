"""A level switch draws the other level at once (issue 9, level switch): the page holds the
other level's figure for the view it shows (callbacks._register_level_ahead), a click on the
level control draws it in the browser, and the server's answer brings the rest without
sending the figure again.  A held figure made for another view is never drawn."""

from __future__ import annotations

import pytest
from test_browser import nodes, settle, start, wait_until

from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

pytestmark = pytest.mark.browser

LINK = "?from=2024-01-01&to=2024-02-29&level=officials&sel=CHN"

# The data of a dcc.Store, read from the renderer's state.
STORE_JS = """
const s = window.dash_stores && window.dash_stores[0] && window.dash_stores[0].getState();
const path = s && s.paths && s.paths.strs && s.paths.strs[arguments[0]];
if (!path) { return null; }
let node = s.layout;
for (const k of path) { node = node && node[k]; }
return node && node.props ? (node.props.data === undefined ? null : node.props.data) : null;
"""

# Counts the network graph's draws (Plotly.react on its div) from now on.
COUNT_JS = """
if (!window.__netDraws) {
  window.__netDraws = 0;
  const react = window.Plotly.react;
  window.Plotly.react = function (gd) {
    const el = typeof gd === 'string' ? document.getElementById(gd) : gd;
    if (el && el.closest && el.closest('#network')) { window.__netDraws += 1; }
    return react.apply(this, arguments);
  };
}
window.__netDraws = 0;
"""


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def held(duo):
    return duo.driver.execute_script(STORE_JS, "level-next")


def view_nodes(app_data, query: str) -> set[str]:
    return set(render_view(app_data, ViewState.from_query(query)[0]).view)


def test_a_level_switch_draws_the_held_figure_once(dash_duo, app_data):
    start(dash_duo, app_data, LINK)
    shown = dash_duo.driver.execute_script(STORE_JS, "view-state")
    got = wait_until(lambda: (held(dash_duo) or {}).get("level") == "countries" and held(dash_duo), what="the countries figure held")
    assert got["basis"] == shown, "the held figure must be made for the view on screen"
    countries = LINK.replace("officials", "countries")
    expected = view_nodes(app_data, countries)
    assert expected != set(nodes(dash_duo)), "the two levels must draw different nodes for this test to mean anything"

    dash_duo.driver.execute_script(COUNT_JS)
    dash_duo.find_element("#level input[value=countries]").click()
    wait_until(lambda: set(nodes(dash_duo) or ()) == expected, what="the countries nodes drawn")
    wait_until(lambda: "level=countries" in dash_duo.driver.current_url, what="the server's answer (the link)")
    settle(dash_duo)
    assert dash_duo.driver.execute_script("return window.explorerLevelAhead.swaps") == 1
    # Drawn once, from the held figure: the answer did not send it again.
    assert dash_duo.driver.execute_script("return window.__netDraws") == 1
    # The rest of the view came from the server: the description, the state, the selection kept.
    state = dash_duo.driver.execute_script(STORE_JS, "view-state")
    assert state["level"] == "countries" and state["selected"] == "CHN"
    assert "countr" in dash_duo.find_element("#view-description").text.lower()
    assert "China" in dash_duo.find_element("#details").text

    # The page now holds the officials' figure for this view: switching back is drawn at once too.
    wait_until(lambda: (held(dash_duo) or {}).get("level") == "officials", what="the officials figure held")
    dash_duo.find_element("#level input[value=officials]").click()
    wait_until(lambda: set(nodes(dash_duo) or ()) == view_nodes(app_data, LINK), what="the officials nodes drawn")
    # (officials is the default level: the link leaves it out)
    wait_until(lambda: "level=" not in dash_duo.driver.current_url, what="the server's answer (the link)")
    settle(dash_duo)
    assert dash_duo.driver.execute_script("return window.explorerLevelAhead.swaps") == 2
    assert dash_duo.driver.execute_script("return window.__netDraws") == 2


def test_a_figure_held_for_another_view_is_not_drawn(dash_duo, app_data):
    """The window changed after the figure was made: the switch waits for the server's figure."""
    start(dash_duo, app_data, LINK)
    wait_until(lambda: (held(dash_duo) or {}).get("level") == "countries", what="the countries figure held")
    # Hold a figure made for a view other than the one shown (as if the view changed after it came).
    stale = dash_duo.driver.execute_script(
        STORE_JS.replace("return node && node.props", "node.props.data = Object.assign({}, node.props.data,"
                         " {basis: Object.assign({}, node.props.data.basis, {date_from: '2020-01-01'})});"
                         " return node && node.props"),
        "level-next",
    )
    assert stale["basis"]["date_from"] == "2020-01-01"
    dash_duo.find_element("#level input[value=countries]").click()
    expected = view_nodes(app_data, LINK.replace("officials", "countries"))
    wait_until(lambda: set(nodes(dash_duo) or ()) == expected, what="the countries nodes, from the server")
    settle(dash_duo)
    assert dash_duo.driver.execute_script("return window.explorerLevelAhead.swaps") == 0
