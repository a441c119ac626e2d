"""The dashboard as a person uses it (issue 9): what is typed is kept, a click answers with the
least it can, panels hold their content, every graph stays offline, at three screen sizes.

Each test waits for the state it checks; the only pauses are the ones a person makes between
keystrokes.
"""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from test_browser import nodes, settle, shot, start, wait_until

from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


DRAWN_LABELS_JS = """
const gd = document.querySelector('#%s .js-plotly-plot');
if (!gd || !gd.data) { return null; }
let carried = 0;
for (const t of gd.data) {
  if (!(t.mode || '').includes('text') || !Array.isArray(t.text)) continue;
  carried += t.text.filter(s => s && String(s).trim()).length;
}
const drawn = Array.from(gd.querySelectorAll('.textpoint text')).filter(e => e.textContent.trim()).length;
return [carried, drawn];
"""


def type_slowly(element, keys: str, pause: float = 0.25):
    """Type as a person does: one key at a time, with a pause after each."""
    for key in keys:
        element.send_keys(key)
        time.sleep(pause)


def url(duo) -> str:
    return duo.driver.current_url


def test_a_date_typed_key_by_key_is_kept(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries")
    box = dash_duo.find_element("#date-from")
    dash_duo.driver.execute_script("arguments[0].focus()", box)  # the month segment, as a Tab would
    type_slowly(box, "08012023")
    assert box.get_attribute("value") == "2023-08-01", "the field must hold what was typed, as typed"
    dash_duo.find_element("#view-description").click()  # commit on blur, as a click elsewhere does
    wait_until(lambda: "from=2023-08-01" in url(dash_duo), what="the typed date in the link")
    settle(dash_duo)
    assert dash_duo.find_element("#date-from").get_attribute("value") == "2023-08-01"
    assert "2023-08-01 to 2024-02-29" in dash_duo.find_element("#view-description").text


def test_a_date_outside_the_data_is_kept_and_explained(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries")
    box = dash_duo.find_element("#date-from")
    dash_duo.driver.execute_script("arguments[0].focus()", box)
    type_slowly(box, "01011990", pause=0.1)
    box.send_keys(Keys.ENTER)
    notice = wait_until(lambda: dash_duo.find_element("#notice").text, what="a notice")
    assert "data starts on" in notice
    wait_until(lambda: "from=1990-01-01" in url(dash_duo), what="the date kept in the link")
    assert dash_duo.find_element("#date-from").get_attribute("value") == "1990-01-01"


def test_play_on_the_whole_span_starts_from_the_beginning(dash_duo, app_data):
    first, last = (d.isoformat() for d in app_data.span)
    start(dash_duo, app_data, f"?from={first}&to={last}&level=countries")
    dash_duo.find_element("#speed").send_keys("fast")
    dash_duo.find_element("#play").click()
    notice = wait_until(lambda: dash_duo.find_element("#notice").text, what="a notice saying why")
    assert "from the start" in notice
    wait_until(lambda: dash_duo.find_element("#date-to").get_attribute("value") < "2008", what="an early window")
    dash_duo.find_element("#play").click()
    wait_until(lambda: "Play" in dash_duo.find_element("#play").text, what="paused")


def test_play_shows_frames_whose_dates_match_the_graph(dash_duo, app_data):
    """The date fields never run ahead of the graph: each frame sets both at once."""
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-01-31&level=countries")
    dash_duo.driver.execute_script("""
        window.__frames = [];
        const gd = document.querySelector('#network .js-plotly-plot');
        gd.on('plotly_afterplot', () => window.__frames.push(
            [document.querySelector('#date-to').value, gd.layout && gd.layout.meta ? gd.layout.meta : null,
             document.querySelector('#view-description').textContent]));
    """)
    dash_duo.find_element("#speed").send_keys("fast")
    dash_duo.find_element("#play").click()
    wait_until(lambda: dash_duo.find_element("#date-to").get_attribute("value") >= "2024-05-31", what="4 frames")
    dash_duo.find_element("#play").click()
    wait_until(lambda: "Play" in dash_duo.find_element("#play").text, what="paused")
    frames = dash_duo.driver.execute_script("return window.__frames;")
    assert len(frames) >= 3
    for date_to, _, description in frames:
        # What the graph's description says is the window the date field shows.
        assert f"to {date_to}" in description, (date_to, description)


def test_after_a_level_switch_every_label_is_drawn(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2005-01-01&to=2025-12-31")
    dash_duo.find_element("#level input[value=countries]").click()
    expected = set(
        render_view(app_data, ViewState(date_from="2005-01-01", date_to="2025-12-31", level="countries")).view
    )
    wait_until(lambda: set(nodes(dash_duo)) == expected, what="the countries-level view")
    settle(dash_duo)
    carried, drawn = dash_duo.driver.execute_script(DRAWN_LABELS_JS % "network")
    assert carried > 10 and drawn == carried


def test_clicking_a_row_selects_its_node_and_keeps_the_ticks(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries&tab=metrics")
    row = "#grid .ag-center-cols-container .ag-row[row-id='{}']"
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, row.format("CHN")), what="the CHN row")
    for rid in ("CHN", "RUS"):
        box = dash_duo.driver.find_element(
            By.CSS_SELECTOR, f"#grid .ag-row[row-id='{rid}'] .ag-selection-checkbox input"
        )
        box.click()
    wait_until(lambda: "2 " in dash_duo.find_element("#series").text or _series(dash_duo) == 2, what="two series")
    dash_duo.driver.find_element(By.CSS_SELECTOR, "#grid .ag-row[row-id='USA'] [col-id=name]").click()
    wait_until(lambda: "sel=USA" in url(dash_duo), what="the clicked row's node selected")
    wait_until(lambda: "United States" in dash_duo.find_element("#details").text, what="its details")
    assert _series(dash_duo) == 2, "a row click must not drop the ticked rows"
    # The keyboard way: Enter on a row selects its node.
    cell = dash_duo.driver.find_element(By.CSS_SELECTOR, "#grid .ag-row[row-id='IND'] [col-id=name]")
    cell.click()
    wait_until(lambda: "sel=IND" in url(dash_duo), what="IND selected")
    cell.send_keys(Keys.ARROW_DOWN)
    focused = dash_duo.driver.switch_to.active_element.find_element(By.XPATH, "./ancestor::div[@row-id]")
    target = focused.get_attribute("row-id")
    dash_duo.driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait_until(lambda: f"sel={target}" in url(dash_duo), what="Enter to select the focused row's node")


def _series(duo) -> int:
    return duo.driver.execute_script(
        "const gd=document.querySelector('#series .js-plotly-plot'); return gd && gd.data ? gd.data.length : 0;"
    )


def test_the_chart_plots_the_sorted_column(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries&tab=metrics")
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "#grid .ag-row[row-id='CHN']"), what="rows")
    dash_duo.driver.find_element(By.CSS_SELECTOR, "#grid .ag-row[row-id='CHN'] .ag-selection-checkbox input").click()
    header = dash_duo.driver.find_element(
        By.CSS_SELECTOR, "#grid .ag-header-cell[col-id=pagerank] .ag-header-cell-label"
    )
    header.click()
    wait_until(
        lambda: (
            "PageRank"
            in dash_duo.driver.execute_script(
                "const gd=document.querySelector('#series .js-plotly-plot');"
                "return gd && gd.layout && gd.layout.title ? JSON.stringify(gd.layout.title) : '';"
            )
        ),
        what="the chart to follow the sorted column",
    )


def test_no_toolbar_button_leaves_the_machine(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries&sel=CHN&pfrom=BRA&pto=USA")
    for tab in ("map", "changes", "path", "metrics"):
        dash_duo.driver.find_element(By.ID, f"tab-{tab}").click()
        wait_until(lambda t=tab: f"tab={t}" in url(dash_duo), what=f"the {tab} tab")
        settle(dash_duo, quiet=0.5)
    titles = dash_duo.driver.execute_script("""
        const out = [];
        for (const gd of document.querySelectorAll('.js-plotly-plot')) {
          const bar = gd.querySelector('.modebar');
          if (!bar) continue;
          for (const b of bar.querySelectorAll('.modebar-btn')) {
            out.push([gd.parentElement.id || gd.id, b.getAttribute('data-title') || '', b.getAttribute('href') || '']);
          }
        }
        return out;""")
    assert titles, "the graphs have toolbars"
    graphs = {g for g, _, _ in titles}
    assert {"network", "map"} <= graphs, graphs
    leaving = [t for t in titles if any(w in t[1].lower() for w in ("share", "cloud", "studio", "plotly")) or t[2]]
    assert leaving == []


def test_paths_are_drawn_and_found_by_alias(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&tab=path")
    dash_duo.find_element("#path-from").click()
    box = wait_until(
        lambda: dash_duo.driver.find_element(By.CSS_SELECTOR, ".dash-dropdown-content input"), what="the search box"
    )
    box.send_keys("Sergei")
    option = wait_until(
        lambda: [
            e
            for e in dash_duo.driver.find_elements(By.CSS_SELECTOR, ".dash-dropdown-content .dash-dropdown-option")
            if "Lavrov" in e.text
        ],
        what="Sergey Lavrov found by the alias 'Sergei'",
    )[0]
    option.click()
    wait_until(lambda: "pfrom=sergey-lavrov" in url(dash_duo), what="the alias's entity as the path start")
    dash_duo.driver.get(url(dash_duo) + "&pto=jake-sullivan")
    wait_until(
        lambda: dash_duo.driver.execute_script(
            "const gd=document.querySelector('#path-graph .js-plotly-plot');"
            "return gd && gd.data && gd.data.some(t => (t.name || '').startsWith('Path'));"
        ),
        what="the path drawn on the graph",
    )
    assert "Path 1" in dash_duo.find_element("#path-results").text
    shot(dash_duo, "07-path")


def test_details_scroll_in_their_own_panel(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2005-01-01&to=2025-12-31&sel=ma-zhaoxu")
    wait_until(lambda: "Ma Zhaoxu" in dash_duo.find_element("#details").text, what="his details")
    panel = dash_duo.find_element(".details-panel")
    size = dash_duo.driver.execute_script(
        "const p=arguments[0]; return [p.clientHeight, p.scrollHeight, window.innerHeight];", panel
    )
    assert size[0] <= size[2], "the panel is no taller than the window"
    graph_top = dash_duo.driver.execute_script("return document.querySelector('#network').getBoundingClientRect().top")
    dash_duo.driver.execute_script("arguments[0].scrollTop = arguments[0].scrollHeight", panel)
    after = dash_duo.driver.execute_script("return document.querySelector('#network').getBoundingClientRect().top")
    assert after == graph_top, "reading the details does not scroll the graph away"
    # Events in the window come before offices; long lists are folded.
    text = dash_duo.find_element("#details").text
    assert text.index("Events in this window") < text.index("Offices and affiliations")


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768), (390, 844)])
def test_the_first_screen_at_three_sizes(dash_duo, app_data, size):
    dash_duo.driver.set_window_size(*size)
    start(dash_duo, app_data)
    dash_duo.driver.set_window_size(*size)
    settle(dash_duo)
    overlaps = dash_duo.driver.execute_script("""
        const ids = ['date-from', 'date-to', 'play', 'speed', 'step', 'lookback'];
        const bad = [];
        for (const id of ids) {
          const el = document.getElementById(id); const r = el.getBoundingClientRect();
          if (r.width === 0) continue;
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          if (top && top !== el && !el.contains(top) && r.top < window.innerHeight) bad.push(id);
        }
        return bad;""")
    assert overlaps == [], f"covered controls at {size}: {overlaps}"
    tops = dash_duo.driver.execute_script(
        "return ['network', 'search'].map(i => document.getElementById(i).getBoundingClientRect().top);"
    )
    if size[0] < 1200:
        assert tops[0] < tops[1], "on a narrow screen the graph comes first"
    legend = dash_duo.driver.execute_script(
        "const l=document.querySelector('#network .legend'); return l ? l.getBoundingClientRect().bottom : null;"
    )
    if size[0] >= 1024:
        assert legend is not None and legend <= size[1], "the legend is in view"
    shot(dash_duo, f"10-first-screen-{size[0]}x{size[1]}")


def test_the_metrics_download_cannot_carry_a_formula(dash_duo, tmp_path):
    """The grid's CSV download follows the project's CSV rule (issue 10): no cell starts a formula."""
    from conftest import TINY, write_dataset

    from explorer.app import create_app

    entities = [dict(e) for e in TINY["entities"]]
    entities[4]["name"] = '=HYPERLINK("http://example.invalid","x")'
    folder = write_dataset(tmp_path / "formula", {"entities": entities})
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.start_server(create_app(folder))
    dash_duo.driver.get(dash_duo.server_url + "/?tab=metrics&from=2024-01-01&to=2024-12-31")
    wait_until(lambda: dash_duo.driver.find_elements(By.CSS_SELECTOR, "#grid .ag-row"), what="the table")
    dash_duo.find_element("#grid-csv").click()
    target = dash_duo.download_path and __import__("pathlib").Path(dash_duo.download_path) / "explorer-metrics.csv"
    assert target, "dash.testing gives the browser a download folder"
    text = wait_until(lambda: target.exists() and target.read_text(encoding="utf-8"), what="the downloaded CSV")
    assert "=HYPERLINK" in text
    assert all(not cell.strip('"').startswith("=") for line in text.splitlines() for cell in line.split(","))


def test_five_arrow_presses_on_the_slider_make_one_request(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries")
    count = "return performance.getEntriesByType('resource').filter(e => e.name.includes('_dash-update')).length;"
    before = dash_duo.driver.execute_script(count)
    handle = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#timeline [role=slider]")[-1]
    for _ in range(5):
        handle.send_keys(Keys.ARROW_RIGHT)
    wait_until(lambda: "to=2024-07-31" in url(dash_duo), what="the window to end five months later")
    settle(dash_duo)
    assert dash_duo.find_element("#date-to").get_attribute("value") == "2024-07-31"
    assert dash_duo.driver.execute_script(count) - before <= 2  # the move, and at most one echo of it
