"""Playback past the frames the server prepares at once (issue 9, speed): the browser asks for
the next frames while it shows the first ones, so a long play never stalls."""

from __future__ import annotations

import pytest
from test_browser import start, wait_until

from explorer.app.callbacks import FRAMES_PER_CHUNK
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def test_play_goes_on_past_the_first_prepared_frames(dash_duo, app_data):
    start(dash_duo, app_data, "?from=2024-01-01&to=2024-01-31&level=countries")
    dash_duo.find_element("#step").send_keys("month")
    dash_duo.find_element("#speed").send_keys("fast")
    dash_duo.find_element("#play").click()
    # Monthly frames from January: more than one chunk of prepared frames ends after August.
    last = f"2024-{1 + FRAMES_PER_CHUNK + 2:02d}"
    wait_until(
        lambda: (dash_duo.find_element("#date-to").get_attribute("value") or "") >= last,
        timeout=60,
        what=f"playback past {last} (more than {FRAMES_PER_CHUNK} frames)",
    )
    assert "Pause" in dash_duo.find_element("#play").text  # still playing, not stopped at the data's end
    dash_duo.find_element("#play").click()
    wait_until(lambda: "Play" in dash_duo.find_element("#play").text, what="paused")
