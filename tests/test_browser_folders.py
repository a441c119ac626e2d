"""Several data folders in a real browser: the curated data plus a GDELT import of the real fixture.

Each folder can be switched off and on (the link keeps it), and the details panel says which
folder every fact came from; the bundled data alone shows neither.
"""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from conftest_import import GDELT2_FIXTURE, fixture
from selenium.webdriver.common.by import By
from test_a11y import AXE, AXE_INSTALL, report, severe_violations
from test_browser import nodes, settle, shot, wait_until

from explorer.app import create_app
from explorer.cli import cli
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

pytestmark = pytest.mark.browser

WINDOW = "?from=2017-03-26&to=2018-03-26&sel=GBR"


@pytest.fixture(scope="module")
def app_data(tmp_path_factory):
    source = fixture(GDELT2_FIXTURE)
    out = tmp_path_factory.mktemp("imports") / "gdelt"
    result = CliRunner().invoke(cli, ["import", "gdelt", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    return prepare_app_data([bundled_data_dir(), out])


@pytest.fixture(scope="module")
def axe_js():
    """axe-core, as tests/test_a11y.py finds it; missing, a failure in CI and None elsewhere (test_a11y.py
    says how to install it), so the folder checks still run."""
    if not AXE.is_file():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"axe-core is not installed ({AXE} is missing); install it with: {AXE_INSTALL}")
        return None
    return AXE.read_text(encoding="utf-8")


def start(duo, app_data, query: str) -> None:
    """The dashboard at ``query``, once its first render is in (the machine may be busy: up to a minute)."""
    duo.driver.set_window_size(1600, 1100)
    duo.start_server(create_app(app_data))
    duo.driver.get(duo.server_url + "/" + query)
    wait_until(
        lambda: nodes(duo) is not None and duo.find_element("#view-description").text,
        timeout=60,
        what="first render",
    )
    settle(duo)


def folder_boxes(duo) -> dict[str, bool]:
    return duo.driver.execute_script(
        "return Object.fromEntries(Array.from(document.querySelectorAll('#folders input[type=checkbox]'))"
        ".map(i => [i.value, i.checked]));"
    )


def toggle(duo, folder: str) -> None:
    box = duo.driver.find_element(By.CSS_SELECTOR, f"#folders input[value='{folder}']")
    duo.driver.execute_script("arguments[0].click()", box)


def test_each_folder_switches_on_and_off_and_every_fact_names_its_folder(dash_duo, app_data, axe_js):
    start(dash_duo, app_data, WINDOW)
    state = ViewState.from_query(WINDOW)[0]
    both = set(render_view(app_data, state).view)
    wait_until(lambda: set(nodes(dash_duo)) == both, timeout=30, what="the nodes of both folders")
    assert "GBR" in both and "CHN" in both
    label = dash_duo.find_element("#folders-label")
    assert label.is_displayed() and label.text == "Data folders"
    assert folder_boxes(dash_duo) == {"data": True, "gdelt": True}
    # GBR comes from the import only: each of its events says so.
    details = wait_until(
        lambda: "folder: gdelt" in dash_duo.find_element("#details").text, timeout=30, what="GBR's details"
    )
    assert details
    text = dash_duo.find_element("#details").text
    assert "In folders: gdelt" in text and "folder: data" not in text
    badges = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#details .event .folder")
    events = dash_duo.driver.find_elements(By.CSS_SELECTOR, "#details .event")
    assert events and len(badges) == len(events)
    shot(dash_duo, "folders-01-both")
    if axe_js:
        violations = severe_violations(dash_duo, axe_js)  # the checklist and the badges included
        assert violations == [], report(violations)

    toggle(dash_duo, "gdelt")
    wait_until(
        lambda: "hidefolders=gdelt" in dash_duo.driver.current_url, timeout=30, what="the link to leave gdelt out"
    )
    curated_only = set(render_view(app_data, state.replace(hidden_folders=("gdelt",))).view)
    assert "GBR" not in curated_only and curated_only < both
    wait_until(lambda: set(nodes(dash_duo)) == curated_only, timeout=30, what="gdelt's ties gone")
    wait_until(
        lambda: "folder: gdelt" not in dash_duo.find_element("#details").text, timeout=30, what="gdelt's facts gone"
    )
    assert folder_boxes(dash_duo) == {"data": True, "gdelt": False}
    settle(dash_duo)
    shot(dash_duo, "folders-02-gdelt-off")

    # A country both folders hold: its affiliations come from the curated folder.
    dash_duo.driver.get(dash_duo.server_url + "/?from=2017-03-26&to=2018-03-26&sel=CHN&hidefolders=gdelt")
    wait_until(lambda: "folder: data" in dash_duo.find_element("#details").text, timeout=30, what="CHN's curated facts")
    assert "folder: gdelt" not in dash_duo.find_element("#details").text
    assert "In folders: data, gdelt" in dash_duo.find_element("#details").text
    assert folder_boxes(dash_duo) == {"data": True, "gdelt": False}
    toggle(dash_duo, "gdelt")
    wait_until(lambda: "hidefolders" not in dash_duo.driver.current_url, timeout=30, what="gdelt back in the link")
    wait_until(
        lambda: "folder: gdelt" in dash_duo.find_element("#details").text, timeout=30, what="CHN's GDELT events back"
    )
    wait_until(lambda: set(nodes(dash_duo)) == both, timeout=30, what="both folders' nodes back")


def test_the_bundled_data_alone_shows_no_folder_control_nor_provenance(dash_duo):
    start(dash_duo, prepare_app_data(bundled_data_dir()), "?from=2024-01-30&to=2024-01-30&sel=CHN")
    wait_until(
        lambda: "Events in this window" in dash_duo.find_element("#details").text, timeout=30, what="CHN's details"
    )
    assert not dash_duo.find_element("#folders").is_displayed()
    assert folder_boxes(dash_duo) == {}
    text = dash_duo.find_element("#details").text
    assert "folder" not in text.casefold()
    assert dash_duo.driver.find_elements(By.CSS_SELECTOR, "#details .folder") == []
