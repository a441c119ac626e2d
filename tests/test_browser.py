"""The dashboard in a real browser (dash_duo on headless Chromium).

Screenshots land in tests/screenshots/ (not committed) so a person can look at them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import write_dataset
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from explorer.app import create_app
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent / "screenshots"

NODES_JS = """
const gd = document.querySelector('#%s .js-plotly-plot');
if (!gd || !gd.data) { return null; }
const out = [];
for (const t of gd.data) { for (const c of (t.customdata || [])) {
  if (typeof c === 'string' && c.startsWith('node|')) { out.push(c.slice(5)); } } }
return out;
"""


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def nodes(duo, graph="network"):
    return duo.driver.execute_script(NODES_JS % graph)


def wait_until(fn, timeout=15, what="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            last = fn()
            if last:
                return last
        except Exception as exc:  # the DOM is being re-rendered
            last = exc
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last value: {last!r}")


def shot(duo, name):
    SHOTS.mkdir(exist_ok=True)
    duo.driver.save_screenshot(str(SHOTS / f"{name}.png"))


def start(duo, app_data, query=""):
    duo.driver.set_window_size(1600, 1100)
    duo.start_server(create_app(app_data))
    if query:
        duo.driver.get(duo.server_url + "/" + query)
    # A link to another tab opens that tab: the network, in its closed tab, is drawn when it opens.
    wait_until(
        lambda: (nodes(duo) is not None or duo.driver.execute_script("return document.getElementById('panel-network').hidden"))
        and duo.find_element("#view-description").text,
        what="first render",
    )
    settle(duo)


def settle(duo, quiet=1.0, timeout=15):
    """Wait until Dash has no callback in flight and the network figure stopped changing."""
    end = time.time() + timeout
    last, since = None, time.time()
    while time.time() < end:
        busy = duo.driver.execute_script("return !!document.querySelector('[data-dash-is-loading=true]')")
        now = (
            busy,
            duo.driver.execute_script(
                "const gd=document.querySelector('#network .js-plotly-plot');"
                "return gd && gd._fullLayout ? JSON.stringify([gd.data.length, gd._fullLayout.xaxis._length,"
                " gd._fullLayout.xaxis._offset, document.querySelector('#view-description').textContent]) : null"
            ),
        )
        if now != last:
            last, since = now, time.time()
        elif not busy and time.time() - since >= quiet:
            return
        time.sleep(0.1)


def pick(duo, dropdown: str, value: str):
    """Choose an option of a Dash 4 dropdown by its value."""
    duo.find_element(f"#{dropdown}").click()
    option = wait_until(
        lambda: duo.driver.find_element(
            By.CSS_SELECTOR, f".dash-dropdown-content .dash-dropdown-option input[value='{value}']"
        ),
        what=value,
    )
    duo.driver.execute_script("arguments[0].closest('label').click()", option)
    duo.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)


def severe_logs(duo):
    return [e for e in duo.driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def test_page_loads_with_an_empty_console_and_no_outside_request(dash_duo, app_data):
    start(dash_duo, app_data)
    # The first screen is the data's story, not the whole span, and its link names it.
    story = app_data.story.state
    wait_until(lambda: set(nodes(dash_duo)) == set(render_view(app_data, story).view), what="the story's nodes")
    wait_until(lambda: story.to_query() in dash_duo.driver.current_url, what="the story's link in the URL")
    assert app_data.story.title in dash_duo.find_element("#story").text
    shot(dash_duo, "01-default")
    assert severe_logs(dash_duo) == []
    dash_duo.find_element("#tab-map").click()
    wait_until(lambda: nodes(dash_duo, "map"), what="the map")
    urls = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);"
    )
    outside = [u for u in urls if not u.startswith(dash_duo.server_url) and not u.startswith("data:")]
    assert outside == [], outside


def test_timeline_moves_change_the_graph(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-29&to=2024-01-30")
    before = set(nodes(dash_duo))
    assert {"ma-zhaoxu", "sergey-lavrov"} <= before
    handles = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#timeline [role=slider]")
    handles[0].send_keys(Keys.HOME)
    wait_until(lambda: len(nodes(dash_duo)) > len(before), what="more nodes after widening the window")
    after = set(nodes(dash_duo))
    assert "dmitry-medvedev" in after or len(after) > len(before)
    assert dash_duo.find_element("#date-from").get_attribute("value") < "2024-01-29"
    shot(dash_duo, "02-timeline-widened")


def test_a_filter_changes_the_table(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-02-01&to=2024-02-01&tab=metrics")
    rows = lambda: dash_duo.driver.execute_script(  # noqa: E731
        "return Array.from(document.querySelectorAll('#grid .ag-center-cols-container .ag-row'))"
        ".map(r => r.getAttribute('row-id'));"
    )
    wait_until(lambda: rows() and "USA" in rows(), what="USA in the table")
    pick(dash_duo, "org", "BRICS")
    wait_until(lambda: rows() and "USA" not in rows(), what="USA gone after the BRICS filter")
    assert "EGY" in rows()
    shot(dash_duo, "03-metrics-brics")


def test_clicking_a_node_shows_its_sources(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-30&to=2024-01-30")
    # Find the marker of Ma Zhaoxu on screen from the figure's own coordinates, then click there.
    # Click, as a mouse does, on the marker that stands farthest from any other.
    node, x, y = dash_duo.driver.execute_script("""
        const gd = document.querySelector('#network .js-plotly-plot');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const pts = [];
        for (const t of gd.data) { const cd = t.customdata || [];
          for (let i = 0; i < cd.length; i++) { if (typeof cd[i] === 'string' && cd[i].startsWith('node|')) {
            pts.push([cd[i].slice(5), r.left + xa.l2p(t.x[i]), r.top + ya.l2p(t.y[i])]); } } }
        let best = null, bestD = -1;
        for (const p of pts) { let d = Infinity;
          for (const q of pts) { if (q !== p) { d = Math.min(d, Math.hypot(p[1] - q[1], p[2] - q[2])); } }
          if (d > bestD && p[2] > 0 && p[2] < window.innerHeight) { bestD = d; best = p; } }
        return best;""")
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        dash_duo.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": x, "y": y, "button": "left" if kind != "mouseMoved" else "none", "clickCount": 1},
        )
        time.sleep(0.1)
    name = app_data.entities[node]["name"]
    wait_until(lambda: name in dash_duo.find_element("#details").text, what=f"details of {name}")
    links = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#details .sources a")
    assert links and all(a.get_attribute("target") == "_blank" for a in links)
    assert any(a.get_attribute("href").startswith("http") for a in links)
    assert f"sel={node}" in dash_duo.driver.current_url
    shot(dash_duo, "04-node-details")


def test_a_copied_url_restores_the_view(dash_duo, app_data):
    query = "?from=2024-01-01&to=2024-02-29&level=countries&org=BRICS&metric=pagerank&tab=network"
    start(dash_duo, app_data, query)
    expected = set(render_view(app_data, ViewState.from_query(query)[0]).view.nodes)
    wait_until(lambda: set(nodes(dash_duo)) == expected, what="the same nodes as the pipeline")
    assert dash_duo.find_element("#date-from").get_attribute("value") == "2024-01-01"
    assert dash_duo.find_element("#level input[value=countries]").is_selected()
    url = dash_duo.driver.current_url
    for key in ("level=countries", "org=BRICS", "metric=pagerank"):
        assert key in url
    # Change something, then go back: the previous view returns.
    dash_duo.find_element("#level input[value=officials]").click()
    wait_until(lambda: "level=countries" not in dash_duo.driver.current_url, what="URL to follow the control")
    dash_duo.driver.back()
    wait_until(lambda: set(nodes(dash_duo)) == expected, what="back button to restore the view")


def test_a_malformed_link_opens_the_default_view_with_a_notice(dash_duo, app_data):
    start(dash_duo, app_data, "?from=not-a-date&level=galaxy")
    notice = wait_until(lambda: dash_duo.find_element("#notice").text, what="a notice")
    assert "galaxy" in notice
    assert severe_logs(dash_duo) == []


def test_play_advances_the_date(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-01-31")
    dash_duo.find_element("#speed").send_keys("fast")
    dash_duo.find_element("#play").click()
    wait_until(lambda: "Pause" in dash_duo.find_element("#play").text, what="the button to say Pause")
    wait_until(
        lambda: dash_duo.find_element("#date-to").get_attribute("value") >= "2024-03-31",
        what="the window to advance twice",
    )
    dash_duo.find_element("#play").click()
    wait_until(lambda: "Play" in dash_duo.find_element("#play").text, what="the button to say Play again")
    # Paused: the link names the window the graph shows.
    shown = dash_duo.find_element("#date-to").get_attribute("value")
    wait_until(lambda: f"to={shown}" in dash_duo.driver.current_url, what="the URL to follow the paused frame")


def test_the_map_renders(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01&to=2024-02&tab=map")
    wait_until(lambda: nodes(dash_duo, "map"), what="countries on the map")
    assert {"CHN", "RUS", "USA"} <= set(nodes(dash_duo, "map"))
    wait_until(
        lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "#map .geo path.js-line, #map .geo .countries path"),
        what="country shapes from the local map file",
    )
    # The world fills the graph: its whole width, its legend in rows under it, no band of empty
    # space above it (the legend beside the map left it a third narrower, 170 px down).
    box = dash_duo.driver.execute_script(
        "const gd = document.querySelector('#map .js-plotly-plot'); const r = (s) => gd.querySelector(s).getBoundingClientRect();"
        " const g = r('.main-svg'), w = r('.geolayer'), l = r('.legend');"
        " return {graph: [g.top, g.bottom, g.width, g.right], map: [w.top, w.bottom, w.width], legend: [l.top, l.right]};"
    )
    (top, bottom, width, right), (mtop, mbottom, mwidth), (ltop, lright) = box["graph"], box["map"], box["legend"]
    assert mwidth >= 0.95 * width, box
    assert mtop - top <= 0.15 * (bottom - top), box
    assert ltop >= mbottom - 1 and lright <= right + 1, box
    shot(dash_duo, "05-map")
    assert severe_logs(dash_duo) == []


def test_tabs_work_from_the_keyboard(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01&to=2024-02")
    tab = dash_duo.driver.find_element(
        By.XPATH, "//a[normalize-space()='Metrics'] | //button[normalize-space()='Metrics']"
    )
    tab.send_keys(Keys.ENTER)
    wait_until(lambda: "tab=metrics" in dash_duo.driver.current_url, what="the metrics tab")


def test_markup_in_data_is_shown_as_text(dash_duo, tmp_path):
    from conftest import TINY

    entities = [dict(e) for e in TINY["entities"]]
    entities[4]["name"] = "<img src=x onerror=alert(1)>"
    folder = write_dataset(tmp_path / "xss", {"entities": entities})
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(create_app(folder))
    dash_duo.driver.get(dash_duo.server_url + "/?sel=ma-zhaoxu")
    wait_until(
        lambda: "<img src=x onerror=alert(1)>" in dash_duo.find_element("#details").text,
        what="the name shown literally",
    )
    assert not dash_duo.driver.find_elements(By.CSS_SELECTOR, "#details img, #network img")
    alerts = dash_duo.driver.execute_script("try { return !!window.alert.called; } catch (e) { return false; }")
    assert not alerts
    assert severe_logs(dash_duo) == []


def test_changes_tab_compares_two_windows(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024&to=2024&vsfrom=2023&vsto=2023&level=countries&tab=changes")
    summary = wait_until(lambda: dash_duo.find_element("#changes-summary").text, what="the changes summary")
    assert "ties added" in summary and "2023-01-01" in summary
    assert wait_until(lambda: nodes(dash_duo, "changes-graph"), what="the changes graph")
    shot(dash_duo, "06-changes")


def test_search_finds_an_alias_and_focuses_it(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01&to=2024-02")
    dash_duo.find_element("#search").click()
    box = wait_until(
        lambda: dash_duo.driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-content input"), what="the search box"
    )
    box.send_keys("Лавров")  # an alias in Cyrillic
    option = wait_until(
        lambda: [
            e
            for e in dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content .dash-dropdown-option")
            if "Sergey Lavrov" in e.text
        ],
        what="Sergey Lavrov among the matches",
    )[0]
    option.click()
    wait_until(lambda: "focus=sergey-lavrov" in dash_duo.driver.current_url, what="the focus in the URL")
    wait_until(lambda: "Sergey Lavrov" in dash_duo.find_element("#details").text, what="his details")
    shown = set(nodes(dash_duo))
    assert "sergey-lavrov" in shown and "jake-sullivan" not in shown
