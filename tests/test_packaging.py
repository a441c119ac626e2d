"""A non-editable install works from any folder: data/ and assets/ ship inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("explorer-*.whl"))


def test_wheel_carries_data_and_assets(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("entities.csv", "affiliations.csv", "events.csv", "participants.csv", "sources.csv"):
        assert f"explorer/data/{f}" in names
    assert any(n.startswith("explorer/assets/") for n in names)
    # The dashboard's plotly.js and its licence.
    assert {"explorer/assets/vendor/plotly-explorer.min.js", "explorer/assets/vendor/LICENSE-plotly.js.txt"} <= names


def test_installed_wheel_runs_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("EXPLORER_DATA", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = "import explorer, explorer.cli; print(explorer.__file__); explorer.cli.main()"
    out = subprocess.run(
        [sys.executable, "-c", code, "info", "--json"], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(str(target)), "the installed copy, not the checkout, must be imported"
    assert str(target) in out.stdout.splitlines()[1] or '"data"' in out.stdout
    assert '"sources"' in out.stdout
