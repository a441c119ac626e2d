"""Keyboard and screen-reader access to the dashboard, in a real browser (dash_duo, headless Chromium).

axe-core (the npm package, which the README's test command installs into ``tests/.axe``) must
find no critical or serious violation on the default page, a details view and the metrics tab.
Without it the axe tests fail in CI (``CI=true``) and are skipped elsewhere, saying how to install it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from test_browser import wait_until as browser_wait_until

from explorer.app import create_app
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data
from explorer.viewstate import TABS

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
AXE_INSTALL = "npm install --prefix tests/.axe --no-save --no-audit --no-fund axe-core@4.14.1"
SEVERE = ("critical", "serious")
FOCUS_RING_MIN_CONTRAST = 3.0  # WCAG 2.2, 1.4.11 and 2.4.13

# Every control of the filter column and the timeline, by the id a person's focus lands on or in.
CONTROLS = [
    "search",
    "level",
    "entity-kinds",
    "relation-kinds",
    "org",
    "countries",
    "topics",
    "outcomes",
    "min-weight",
    "focus",
    "depth",
    "metric",
    "color",
    "reset",
    "date-from",
    "date-to",
    "asof",
    "lookback",
    "step",
    "speed",
    "play",
]

ACTIVE_JS = """
const el = document.activeElement;
if (!el || el === document.body) { return null; }
const ids = [];
for (let n = el; n; n = n.parentElement) { if (n.id) { ids.push(n.id); } }
return {id: el.id, ids: ids, role: el.getAttribute('role'), tag: el.tagName,
        hidden: !!el.closest('[aria-hidden=true], [inert]')};
"""

RUN_AXE_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.map(n => n.target.join(' '))}))))
  .catch(e => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        why = f"axe-core is not installed ({AXE} is missing); install it with: {AXE_INSTALL}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(why)
        pytest.skip(why)
    return AXE.read_text(encoding="utf-8")


def wait_until(fn, timeout=20, what="condition"):
    return browser_wait_until(fn, timeout=timeout, what=what)


def settle(duo, quiet=0.8, timeout=20):
    """Wait until no callback is in flight and the page has stopped changing for ``quiet`` seconds."""
    end = time.time() + timeout
    last, since = None, time.time()
    while time.time() < end:
        now = duo.driver.execute_script(
            "return [!!document.querySelector('[data-dash-is-loading=true]'),"
            " document.getElementById('react-entry-point').innerHTML.length, location.search];"
        )
        if now != last:
            last, since = now, time.time()
        elif not now[0] and time.time() - since >= quiet:
            return
        time.sleep(0.1)
    raise AssertionError("the page did not settle")


def open_page(duo, app_data, query=""):
    duo.driver.set_window_size(1600, 1100)
    duo.start_server(create_app(app_data))
    if query:
        duo.driver.get(duo.server_url + "/" + query)
    wait_until(
        lambda: duo.driver.execute_script(
            "const gd = document.querySelector('#network .js-plotly-plot');"
            # A link to another tab opens it: the network, in its closed tab, is drawn when it opens.
            "return (!!(gd && gd.data && gd.data.length) || document.getElementById('panel-network').hidden)"
            " && !!document.getElementById('view-description').textContent;"
        ),
        what="the network (or the link's tab) and the view's description",
    )


def active(duo):
    return duo.driver.execute_script(ACTIVE_JS)


def press(duo, *keys):
    ActionChains(duo.driver).send_keys(*keys).perform()


def severe_violations(duo, source):
    duo.driver.set_script_timeout(120)
    duo.driver.execute_script(source)
    found = duo.driver.execute_async_script(RUN_AXE_JS)
    assert not isinstance(found, dict), f"axe-core failed to run: {found}"
    return [v for v in found if v["impact"] in SEVERE]


def report(violations) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {node}" for node in v["nodes"])
        for v in violations
    )


def long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


FOCUS_STYLE_JS = """
const el = arguments[0];
const s = getComputedStyle(el);
let bg = null;
for (let n = el.parentElement; n && !bg; n = n.parentElement) {
  const c = getComputedStyle(n).backgroundColor;
  if (c && c !== 'transparent' && !c.startsWith('rgba(0, 0, 0, 0')) { bg = c; }
}
return {outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), outlineColor: s.outlineColor,
        boxShadow: s.boxShadow, background: bg || 'rgb(255, 255, 255)', focusVisible: el.matches(':focus-visible')};
"""


def rgb(css: str) -> tuple[int, int, int]:
    inside = css[css.index("(") + 1 : css.index(")")]
    return tuple(int(float(x)) for x in inside.replace("/", ",").split(",")[:3])


def assert_focus_ring(duo, what: str):
    el = duo.driver.switch_to.active_element
    style = duo.driver.execute_script(FOCUS_STYLE_JS, el)
    assert style["focusVisible"], f"{what}: the browser does not treat this focus as keyboard focus"
    assert style["outlineStyle"] != "none" and style["outlineWidth"] >= 2, f"{what}: no visible focus ring: {style}"
    ratio = contrast(rgb(style["outlineColor"]), rgb(style["background"]))
    assert ratio >= FOCUS_RING_MIN_CONTRAST, f"{what}: focus ring contrast {ratio:.1f}:1 is below 3:1 ({style})"


# --- axe-core ------------------------------------------------------------------------------------


def test_axe_finds_nothing_serious_on_the_default_page(dash_duo, app_data, axe_source):
    open_page(dash_duo, app_data)
    settle(dash_duo)
    violations = severe_violations(dash_duo, axe_source)
    assert violations == [], "axe-core on the default page:\n" + report(violations)


def test_axe_finds_nothing_serious_in_a_details_view(dash_duo, app_data, axe_source):
    open_page(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries&sel=CHN")
    name = app_data.entities["CHN"]["name"]
    wait_until(lambda: name in dash_duo.find_element("#node-details").text, what=f"the details of {name}")
    settle(dash_duo)
    violations = severe_violations(dash_duo, axe_source)
    assert violations == [], "axe-core on the details of China:\n" + report(violations)


def test_axe_finds_nothing_serious_on_the_metrics_tab(dash_duo, app_data, axe_source):
    open_page(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29&level=countries&sel=CHN&tab=metrics")
    wait_until(
        lambda: dash_duo.driver.execute_script(
            "return !document.getElementById('panel-metrics').hidden"
            " && document.querySelectorAll('#grid .ag-center-cols-container .ag-row').length > 5;"
        ),
        what="the metrics grid with its rows",
    )
    settle(dash_duo)
    violations = severe_violations(dash_duo, axe_source)
    assert violations == [], "axe-core on the metrics tab:\n" + report(violations)


# --- keyboard ------------------------------------------------------------------------------------


def test_tab_reaches_every_control_then_the_tabs_which_open_from_the_keyboard(dash_duo, app_data):
    open_page(dash_duo, app_data, "?from=2024-01&to=2024-02")
    settle(dash_duo)
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    visited: list[dict] = []
    for _ in range(120):
        press(dash_duo, Keys.TAB)
        now = active(dash_duo)
        assert now is not None, f"focus left the page after {[v['id'] for v in visited]}"
        assert not now["hidden"], f"focus landed on an element hidden from screen readers: {now}"
        visited.append(now)
        if now["role"] == "tab":
            break
    else:
        raise AssertionError(f"120 Tab presses never reached the tab list: {[v['id'] for v in visited]}")
    reached = {i for v in visited for i in v["ids"]}
    assert set(CONTROLS) <= reached, f"not reached by Tab: {sorted(set(CONTROLS) - reached)}"
    # Each dropdown is one Tab stop: its button, named by its visible label.
    for dropdown in ("search", "org", "metric"):
        assert sum(v["id"] == dropdown for v in visited) == 1, f"#{dropdown} is not exactly one Tab stop"
        name = dash_duo.driver.execute_script(
            "return (arguments[0].getAttribute('aria-labelledby') || '').split(' ')"
            ".map(id => (document.getElementById(id) || {}).textContent || '').join(' ');",
            dash_duo.find_element(f"#{dropdown}"),
        )
        label = dash_duo.find_element(f"#{dropdown}-label").text
        assert name.startswith(label), f"#{dropdown} is announced as {name!r}, not by its label {label!r}"

    # The first Tab stop in the list is the open tab; the others are reached with the arrow keys.
    assert visited[-1]["id"] == "tab-network"
    assert_focus_ring(dash_duo, "the Network tab")
    press(dash_duo, Keys.ARROW_RIGHT)
    assert active(dash_duo)["id"] == "tab-map"
    press(dash_duo, Keys.ARROW_RIGHT)
    assert active(dash_duo)["id"] == "tab-metrics"
    assert_focus_ring(dash_duo, "the Metrics tab")
    assert "tab=metrics" not in dash_duo.driver.current_url  # moving focus does not open a tab
    press(dash_duo, Keys.ENTER)
    wait_until(lambda: "tab=metrics" in dash_duo.driver.current_url, what="tab=metrics in the URL")
    wait_until(
        lambda: dash_duo.driver.execute_script(
            "const p = document.getElementById('panel-metrics');"
            "return !p.hidden && p.offsetHeight > 0"
            " && document.querySelectorAll('#grid .ag-center-cols-container .ag-row').length > 0;"
        ),
        what="the metrics grid on screen",
    )
    tabs = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('[role=tablist] [role=tab]')).map(t =>"
        " [t.id, t.getAttribute('aria-selected'), t.tabIndex,"
        "  !document.getElementById(t.getAttribute('aria-controls')).hidden]);"
    )
    assert tabs == [
        [f"tab-{k}", str(k == "metrics").lower(), 0 if k == "metrics" else -1, k == "metrics"] for k in TABS
    ]
    assert not dash_duo.find_element("#panel-network").is_displayed()

    # Space opens a tab too, and End and Home jump to the last and the first.
    press(dash_duo, Keys.END)
    assert active(dash_duo)["id"] == "tab-path"
    press(dash_duo, Keys.HOME)
    press(dash_duo, Keys.ARROW_RIGHT)
    assert active(dash_duo)["id"] == "tab-map"
    press(dash_duo, Keys.SPACE)
    wait_until(lambda: "tab=map" in dash_duo.driver.current_url, what="tab=map in the URL")
    wait_until(lambda: dash_duo.find_element("#panel-map").is_displayed(), what="the map panel")
    # Tab leaves the tab list for the open panel.
    press(dash_duo, Keys.TAB)
    assert active(dash_duo)["id"] == "panel-map"


def test_a_link_to_a_tab_opens_it_and_marks_it_selected(dash_duo, app_data):
    open_page(dash_duo, app_data, "?from=2024-01&to=2024-02&tab=changes")
    wait_until(
        lambda: dash_duo.find_element("#tab-changes").get_attribute("aria-selected") == "true",
        what="the Changes tab selected",
    )
    wait_until(lambda: dash_duo.find_element("#panel-changes").is_displayed(), what="the Changes panel")
    assert not dash_duo.find_element("#panel-network").is_displayed()
    assert dash_duo.find_element("#tab-network").get_attribute("tabindex") == "-1"


def test_focus_rings_on_dropdowns_buttons_and_slider_handles(dash_duo, app_data):
    open_page(dash_duo, app_data, "?from=2024-01&to=2024-02")
    settle(dash_duo)
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    for target in ("#search", "#reset", "#date-from", "#timeline .dash-slider-thumb-1"):
        wanted = dash_duo.find_element(target)
        for _ in range(80):
            press(dash_duo, Keys.TAB)
            if dash_duo.driver.switch_to.active_element == wanted:
                break
        else:
            raise AssertionError(f"Tab never reached {target}")
        assert_focus_ring(dash_duo, target)


# --- the timeline speaks dates -------------------------------------------------------------------


def test_the_timeline_handles_announce_and_show_dates(dash_duo, app_data):
    open_page(dash_duo, app_data, "?from=2024-01-01&to=2024-02-29")
    settle(dash_duo)
    first, second = (dash_duo.find_element(f"#timeline .dash-slider-thumb-{i}") for i in (1, 2))

    def spoken():
        return [
            (t.get_attribute("aria-label"), t.get_attribute("aria-valuenow"), t.get_attribute("aria-valuetext"))
            for t in (first, second)
        ]

    date_from = dash_duo.find_element("#date-from").get_attribute("value")
    date_to = dash_duo.find_element("#date-to").get_attribute("value")
    assert (date_from, date_to) == ("2024-01-01", "2024-02-29")
    wait_until(
        lambda: [s[2] for s in spoken()] == [long_date(date_from), long_date(date_to)],
        what=f"the handles to say {long_date(date_from)} and {long_date(date_to)}; they say {spoken()}",
    )
    (label1, index1, _), (label2, index2, _) = spoken()
    assert label1 == "Window starts" and label2 == "Window ends"
    assert index1 != index2

    # One arrow press on the end handle moves the window by a step; the handle says the new end date.
    second.send_keys(Keys.ARROW_RIGHT)
    new_to = wait_until(
        lambda: (v := dash_duo.find_element("#date-to").get_attribute("value")) > date_to and v,
        what="the window to end later",
    )
    wait_until(lambda: spoken()[1][2] == long_date(new_to), what=f"the end handle to say {long_date(new_to)}")

    # The handle with the focus shows its step as a date in its tooltip (the bundled data has monthly steps).
    assert dash_duo.driver.switch_to.active_element == second
    tip = wait_until(
        lambda: dash_duo.find_element("#timeline-tooltip-2-content").text, what="the tooltip of the end handle"
    )
    ticks = json.loads(dash_duo.find_element("[data-tick-starts]").get_attribute("data-tick-starts"))
    step = dt.date.fromisoformat(ticks[int(spoken()[1][1])])
    assert app_data.unit == "month"
    assert tip == f"{step:%b %Y}" == f"{dt.date.fromisoformat(new_to):%b %Y}"


def test_a_dropdown_is_reached_opened_and_chosen_from_the_keyboard(dash_duo, app_data):
    open_page(dash_duo, app_data, "?from=2024-01&to=2024-02&level=countries")
    settle(dash_duo)
    dash_duo.driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);")
    for _ in range(60):
        press(dash_duo, Keys.TAB)
        if (active(dash_duo) or {}).get("id") == "org":
            break
    else:
        raise AssertionError("Tab never reached the Organisation dropdown")
    assert_focus_ring(dash_duo, "the Organisation dropdown")
    press(dash_duo, Keys.ENTER)
    wait_until(
        lambda: dash_duo.find_element("#org").get_attribute("aria-expanded") == "true", what="the dropdown to open"
    )
    press(dash_duo, "BRI")
    wait_until(
        lambda: [e.text for e in dash_duo.driver.find_elements("css selector", ".dash-dropdown-option")] == ["BRICS"],
        what="BRICS as the only match",
    )
    press(dash_duo, Keys.ENTER)
    wait_until(lambda: "org=BRICS" in dash_duo.driver.current_url, what="org=BRICS in the URL")
