"""``explorer export`` through click's CliRunner (and one dash_duo check that a copied link exports what it shows)."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from explorer.cli import cli
from explorer.cli.export import VIEW_OPTIONS
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import QUERY_KEYS, ViewState

LINK = "http://127.0.0.1:8050/?from=2024-01-01&to=2024-02-29&level=countries&org=BRICS&metric=pagerank&tab=network"


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def exported_nodes(path) -> set[str]:
    return {n["id"] for n in json.loads(path.read_text(encoding="utf-8"))["nodes"]}


def test_every_view_option_is_a_view_state_field():
    assert set(VIEW_OPTIONS) <= set(QUERY_KEYS)
    assert {"date_from", "date_to", "level", "org", "countries", "topics", "focus", "min_weight"} <= set(VIEW_OPTIONS)
    help_text = run("export", "--help").output
    for flag, _ in VIEW_OPTIONS.values():
        assert flag in help_text


def test_a_copied_link_exports_the_nodes_the_dashboard_shows(app_data, tmp_path):
    result = run("export", "--view", LINK, "--out", str(tmp_path / "v.json"))
    assert result.exit_code == 0, result.output
    expected = set(render_view(app_data, ViewState.from_query(LINK, strict=True)[0]).view.nodes)
    assert exported_nodes(tmp_path / "v.json") == expected
    assert "wrote" in result.stderr and result.stdout == ""


def test_options_override_the_link_and_name_entities(app_data, tmp_path):
    out = tmp_path / "v.json"
    result = run(
        "export",
        "--view",
        "?from=2023&to=2023",
        "--from",
        "2024-01",
        "--to",
        "2024-02",
        "--focus",
        "Sergey Lavrov",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    state = ViewState(date_from="2024-01", date_to="2024-02", focus="sergey-lavrov")
    assert exported_nodes(out) == set(render_view(app_data, state).view.nodes)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["graph"]["view"] == "from=2024-01&to=2024-02&focus=sergey-lavrov"


def test_at_is_one_day(app_data, tmp_path):
    result = run("export", "--at", "2024-01-30", "--level", "countries", "--out", str(tmp_path / "d.json"))
    assert result.exit_code == 0, result.output
    state = ViewState(date_from="2024-01-30", date_to="2024-01-30", level="countries")
    assert exported_nodes(tmp_path / "d.json") == set(render_view(app_data, state).view.nodes)


def test_an_existing_file_needs_force(tmp_path):
    out = tmp_path / "v.json"
    out.write_text("keep me")
    result = run("export", "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "--force" in result.stderr
    assert out.read_text() == "keep me"
    assert run("export", "--out", str(out), "--force").exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["nodes"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.json"]


def test_an_existing_folder_gets_a_named_file(tmp_path):
    result = run("export", "--format", "graphml", "--from", "2024-01", "--to", "2024-02", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["explorer_2024-01-01_2024-02-29.graphml"]


def test_csv_to_a_new_folder_or_a_zip(tmp_path):
    assert run("export", "--format", "csv", "--out", str(tmp_path / "tables")).exit_code == 0
    assert (tmp_path / "tables" / "edges.csv").is_file()
    assert run("export", "--out", str(tmp_path / "tables.zip")).exit_code == 0
    assert (tmp_path / "tables.zip").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "{tmp}/missing/v.json"], "does not exist"),
        (["--format", "tiff", "--out", "{tmp}/v.tiff"], "--format"),
        (["--out", "{tmp}/v.xyz"], "cannot tell the format"),
        (["--view", "?from=2024-13", "--out", "{tmp}/v.json"], "--view"),
        (["--view", "?color=plaid", "--out", "{tmp}/v.json"], "--view"),
        (["--view", "?frm=2024", "--out", "{tmp}/v.json"], "unknown key frm"),
        (["--from", "2024-03", "--to", "2024-01", "--out", "{tmp}/v.json"], "--from"),
        (["--at", "2024-01", "--from", "2024-01", "--out", "{tmp}/v.json"], "--at"),
        (["--focus", "nobody-at-all", "--out", "{tmp}/v.json"], "unknown entity"),
        (["--format", "html", "--from", "1900", "--step", "month", "--out", "{tmp}/v.html"], "--max-frames"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(tmp_path, args, message):
    result = run("export", *[a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("explorer: error:") and message in lines[0]
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir()), "no temporary file may be left"


@pytest.mark.browser
def test_png_from_the_command_line(tmp_path):
    from PIL import Image

    out = tmp_path / "v.png"
    result = run(
        "export",
        "--from",
        "2024-01",
        "--to",
        "2024-02",
        "--width",
        "700",
        "--height",
        "500",
        "--scale",
        "1.5",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    with Image.open(out) as im:
        assert im.size == (1050, 750)


@pytest.mark.browser
def test_the_dashboard_at_a_link_shows_what_the_export_of_that_link_holds(dash_duo, app_data, tmp_path):
    from explorer.app import create_app

    dash_duo.driver.set_window_size(1600, 1100)
    dash_duo.start_server(create_app(app_data))
    query = LINK.split("?", 1)[1]
    dash_duo.driver.get(f"{dash_duo.server_url}/?{query}")
    script = """
        const gd = document.querySelector('#network .js-plotly-plot');
        if (!gd || !gd.data) { return null; }
        const out = [];
        for (const t of gd.data) { for (const c of (t.customdata || [])) {
          if (typeof c === 'string' && c.startsWith('node|')) { out.push(c.slice(5)); } } }
        return out;"""
    out = tmp_path / "v.json"
    assert run("export", "--view", f"{dash_duo.server_url}/?{query}", "--out", str(out)).exit_code == 0
    exported = exported_nodes(out)
    end = time.time() + 20
    shown = None
    while time.time() < end:
        shown = dash_duo.driver.execute_script(script)
        if shown and set(shown) == exported:
            break
        time.sleep(0.2)
    assert shown and set(shown) == exported
