"""The dashboard's plotly.js (assets/vendor/plotly-explorer.min.js, built by tools/plotly-bundle):
the plotly.js version of the plotly package, every trace type the dashboard draws, and the very
file its build script makes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import plotly
import pytest

from explorer import figures
from explorer.paths import assets_dir, bundled_data_dir
from explorer.presenter import prepare_app_data, render_changes, render_map, render_timeline, render_view
from explorer.viewstate import ViewState

REPO = Path(__file__).resolve().parents[1]
BUNDLE = assets_dir() / "vendor" / "plotly-explorer.min.js"
BANNER = re.compile(r"/\* plotly\.js v(\S+), MIT license \(LICENSE-plotly\.js\.txt\), with the traces ([a-z, ]+): ")


def banner() -> tuple[str, set[str]]:
    first = BUNDLE.read_text(encoding="utf-8").split("\n", 1)[0]
    m = BANNER.match(first)
    assert m, f"{BUNDLE} does not start with its banner: {first[:200]}"
    return m.group(1), set(m.group(2).split(", "))


def test_the_bundle_is_the_plotly_js_of_the_plotly_package():
    """The figures are made by plotly (Python) for its own plotly.js: the dashboard draws them with
    that version.  After an upgrade of plotly, rebuild (tools/plotly-bundle/build.sh)."""
    full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shipped = re.search(r"plotly\.js v(\S+)", full.read_text(encoding="utf-8")[:400]).group(1)
    assert banner()[0] == shipped, "rebuild assets/vendor/plotly-explorer.min.js: see tools/plotly-bundle/build.sh"
    assert (assets_dir() / "vendor" / "LICENSE-plotly.js.txt").read_text().startswith("MIT License")


def _types(fig) -> set[str]:
    data = fig["data"] if isinstance(fig, dict) else fig.to_plotly_json()["data"]
    return {t.get("type", "scatter") for t in data}


def test_every_trace_type_the_dashboard_draws_is_in_the_bundle(monkeypatch):
    data = prepare_app_data(bundled_data_dir())
    state = ViewState(date_from="2023-01-01", date_to="2024-12-31", level="countries")
    used = set()
    used |= _types(render_view(data, state).network)
    used |= _types(render_map(data, state))
    used |= _types(render_changes(data, state)["figure"])
    used |= _types(figures.make_series_figure([{"node": "CHN", "date": "2024-03-31", "value": 1.0}], "Degree"))
    used |= _types(render_timeline(data, state))
    # Large views draw with WebGL (validated here: a disputed tie's dash pattern is one WebGL draws).
    monkeypatch.setattr(figures, "WEBGL_ABOVE", 0)
    used |= _types(
        figures.make_network_figure(render_view(data, state).view, positions=data.positions_for("countries"))
    )
    assert {"scatter", "scattergl", "scattergeo", "bar"} <= used, used
    assert used <= banner()[1], f"not in the dashboard's plotly.js: {used - banner()[1]}"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed: the bundle's rebuild is not checked")
def test_the_build_script_makes_the_bundle_byte_for_byte(tmp_path):
    out = tmp_path / "plotly-explorer.min.js"
    run = subprocess.run(
        ["bash", str(REPO / "tools" / "plotly-bundle" / "build.sh"), str(out)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert out.read_bytes() == BUNDLE.read_bytes(), (
        "assets/vendor/plotly-explorer.min.js is not what tools/plotly-bundle builds"
    )
