"""The metrics and changes grids are made when their tab first opens (issue 9, first paint):
the opening page mounts no AG Grid, and a grid opened later shows the rows of the view as it is
then, and follows the view afterwards."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from test_browser import start, wait_until

from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

pytestmark = pytest.mark.browser

# Every row the grid holds (it draws only those in view), read through its API.
ROWS_JS = """
try { const api = dash_ag_grid.getApi(arguments[0]); const ids = [];
      api.forEachNode(n => ids.push(n.id)); return ids; } catch (e) { return null; }
"""


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def grids(duo) -> int:
    return len(duo.driver.find_elements(By.CSS_SELECTOR, ".ag-root-wrapper"))


def rows(duo, grid="grid") -> set[str]:
    return set(duo.driver.execute_script(ROWS_JS, grid) or [])


def test_no_grid_until_its_tab_opens_then_it_follows_the_view(dash_duo, app_data):
    query = "?from=2024-01-01&to=2024-02-29&level=countries"
    start(dash_duo, app_data, query)
    assert grids(dash_duo) == 0, "the opening page must not mount the hidden tabs' grids"
    # Changing the view while the tab is closed, then opening it: the grid shows the view of now.
    dash_duo.find_element("#level input[value='officials']").click()
    wait_until(lambda: "level=countries" not in dash_duo.driver.current_url, what="the officials level (the default)")
    assert grids(dash_duo) == 0
    dash_duo.find_element("#tab-metrics").click()
    officials = render_view(app_data, ViewState.from_query(query)[0].replace(level="officials")).view
    shown = {n for n in officials if n in app_data.entities}
    wait_until(lambda: rows(dash_duo) == shown, what="the officials' rows")
    assert grids(dash_duo) == 1, "only the opened tab's grid is made"
    # With the tab open, the grid follows the view.
    dash_duo.find_element("#level input[value='countries']").click()
    countries = set(render_view(app_data, ViewState.from_query(query)[0]).view)
    wait_until(lambda: rows(dash_duo) == countries, what="the countries' rows")


def test_the_changes_grid_is_made_on_its_tab(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries&vsfrom=2023-01-01&vsto=2023-12-31")
    assert grids(dash_duo) == 0
    dash_duo.find_element("#tab-changes").click()
    wait_until(lambda: rows(dash_duo, "changes-grid"), what="the changes grid's rows")
    assert grids(dash_duo) == 1


FIGURE_JS = """
const gd = document.querySelector('#network .js-plotly-plot');
return gd && gd.data ? gd.data.map(t => [t.name || '', (t.x || []).length, JSON.stringify(t.marker || {}).length]) : null;
"""


def test_a_click_shows_the_details_then_the_graph_draws_the_selection(dash_duo, app_data):
    """The details come first, the highlight just after (applyHighlight): the graph must end up
    drawing exactly the figure made for that selection."""
    from explorer.presenter import render_view

    query = "?from=2024-01-01&to=2024-02-29&level=countries"
    start(dash_duo, app_data, query)
    before = dash_duo.driver.execute_script(FIGURE_JS)
    dash_duo.driver.execute_script(
        "const gd = document.querySelector('#network .js-plotly-plot');"
        "gd.emit('plotly_click', {points: [{customdata: 'node|CHN', curveNumber: 0, pointNumber: 0}]});"
    )
    wait_until(lambda: "People's Republic of China" in dash_duo.find_element("#details").text, what="the details")
    selected = render_view(app_data, ViewState.from_query(query)[0].replace(selected="CHN")).network
    want = [[t.get("name") or "", 0 if t.get("x") is None else len(t["x"]), None] for t in selected["data"]]

    def drawn():
        got = dash_duo.driver.execute_script(FIGURE_JS)
        return got and [[n, k, None] for n, k, _ in got] == want and got != before

    wait_until(drawn, what="the selection's highlight drawn")
