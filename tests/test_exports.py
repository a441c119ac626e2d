"""Exports (explorer.exports): the registry, the timeline frames, atomic writes, every format, the menu.

Data formats are read back with networkx; pictures are rendered by kaleido on
the system Chromium (marked ``browser``, one warm renderer per module); the
HTML page is opened from disk in headless Chromium; the dashboard's menu is
clicked with dash_duo.
"""

from __future__ import annotations

import base64
import copy
import csv
import datetime as dt
import io
import json
import re
import shutil
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import networkx as nx
import plotly.graph_objects as go
import pytest
from conftest import TINY, write_dataset

from explorer.errors import ArgumentError
from explorer.exports import (
    FORMATS,
    ExportOptions,
    Snapshot,
    atomic_path,
    default_filename,
    export_view,
    format_for_path,
    formats_markdown,
)
from explorer.exports.tables import GEXF_NS, edge_rows, node_rows
from explorer.exports.timeline import choose_step, frame_states, periods
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState

XSS = "<img src=x onerror=alert(1)>"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def app_data():
    return prepare_app_data(bundled_data_dir())


@pytest.fixture(scope="module")
def xss_data(tmp_path_factory):
    entities = [dict(e) for e in TINY["entities"]]
    entities[4]["name"] = XSS  # Ma Zhaoxu
    sources = [dict(s) for s in TINY["sources"]]
    sources[0]["title"] = "<script>alert(2)</script>"
    folder = write_dataset(tmp_path_factory.mktemp("xss") / "data", {"entities": entities, "sources": sources})
    return prepare_app_data(folder)


@pytest.fixture(scope="module")
def renderer():
    from explorer.exports.render import kaleido_server

    with kaleido_server():
        yield


def node_ids(fig) -> set[str]:
    return {c[5:] for t in fig.data for c in (t.customdata or ()) if isinstance(c, str) and c.startswith("node|")}


JAN_FEB = ViewState(date_from="2024-01", date_to="2024-02")


# ---- registry ---------------------------------------------------------------------------


def test_the_cli_choices_are_the_registries():
    from explorer.cli.export import FORMAT_IDS, FRAME_MODE_IDS, STEP_IDS
    from explorer.exports.timeline import FRAME_MODES, STEPS

    assert FORMAT_IDS == tuple(FORMATS)
    assert STEP_IDS == tuple(STEPS)
    assert FRAME_MODE_IDS == tuple(FRAME_MODES)


def test_every_format_is_documented():
    doc = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    assert formats_markdown() in doc, "docs/exports.md must carry the table formats_markdown() generates"
    for option in (
        "--view",
        "--force",
        "--width",
        "--height",
        "--scale",
        "--step",
        "--frames",
        "--max-frames",
        "--frame-ms",
        "BROWSER_PATH",
    ):
        assert option in doc


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("a.png", "png"),
        ("b.SVG", "svg"),
        ("c.pdf", "pdf"),
        ("d.html", "html"),
        ("e.gif", "gif"),
        ("f.gexf", "gexf"),
        ("g.graphml", "graphml"),
        ("h.zip", "csv"),
        ("i.json", "json"),
        ("j.mp4", "mp4"),
    ],
)
def test_the_format_follows_the_suffix(name, fmt):
    assert format_for_path(name).id == fmt


def test_an_unknown_suffix_is_an_argument_error():
    with pytest.raises(ArgumentError, match="--format"):
        format_for_path("view.xyz")


def test_default_filename_says_what_is_shown(app_data):
    name = default_filename(ViewState(level="countries", focus="CHN"), "gexf", app_data.span)
    assert name == f"explorer_{app_data.span[0]}_{app_data.span[1]}_countries_CHN.gexf"


# ---- timeline ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, step, labels",
    [
        ("2024-01-15", "2024-03-03", "month", ["2024-01", "2024-02", "2024-03"]),
        ("2023-11-01", "2024-04-30", "quarter", ["2023-Q4", "2024-Q1", "2024-Q2"]),
        ("2022-06-01", "2024-01-01", "year", ["2022", "2023", "2024"]),
        ("2024-01-01", "2024-01-14", "week", ["2024-W01", "2024-W02"]),
    ],
)
def test_periods_cover_the_window(start, end, step, labels):
    s, e = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    cut = periods(s, e, step)
    assert [p.label for p in cut] == labels
    assert cut[0].start == s and cut[-1].end == e
    assert all(a.end + dt.timedelta(days=1) == b.start for a, b in zip(cut, cut[1:]))


@pytest.mark.parametrize("days, expected", [(30, "week"), (365, "month"), (8 * 365, "quarter"), (20 * 365, "year")])
def test_auto_step_keeps_within_the_frame_limit(days, expected):
    start = dt.date(2000, 1, 1)
    assert choose_step(start, start + dt.timedelta(days=days), "auto", max_frames=48) == expected


def test_frames_keep_the_filters_and_cumulative_frames_grow(app_data):
    state = ViewState(date_from="2024-01", date_to="2024-03", level="countries", org="BRICS")
    frames = frame_states(state, app_data.span, "month", "period")
    assert [(p.label, s.date_from, s.date_to) for p, s in frames] == [
        ("2024-01", "2024-01-01", "2024-01-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2024-03", "2024-03-01", "2024-03-31"),
    ]
    assert all(s.level == "countries" and s.org == "BRICS" for _, s in frames)
    grown = frame_states(state, app_data.span, "month", "cumulative")
    assert {s.date_from for _, s in grown} == {"2024-01-01"}
    with pytest.raises(ArgumentError, match="--max-frames"):
        frame_states(ViewState(), app_data.span, "month", "period", max_frames=12)


# ---- atomic writes ----------------------------------------------------------------------


def test_an_existing_file_is_kept_without_force(tmp_path):
    target = tmp_path / "view.json"
    target.write_text("old")
    with pytest.raises(ArgumentError, match="--force"):
        with atomic_path(target) as tmp:
            tmp.write_text("new")
    assert target.read_text() == "old"
    with atomic_path(target, force=True) as tmp:
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["view.json"]


def test_an_interrupted_export_leaves_nothing(tmp_path):
    target = tmp_path / "view.json"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target, force=True) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["view.json"]
    with pytest.raises(RuntimeError):
        with atomic_path(tmp_path / "tables", directory=True) as tmp:
            (tmp / "nodes.csv").write_text("id\n")
            raise RuntimeError("disk full")
    assert [p.name for p in tmp_path.iterdir()] == ["view.json"]


def test_a_missing_folder_is_an_argument_error(tmp_path):
    with pytest.raises(ArgumentError, match="does not exist"):
        with atomic_path(tmp_path / "missing" / "view.json"):
            pass


# ---- the figure is the dashboard's --------------------------------------------------------


def test_the_export_figure_is_the_dashboards_with_a_title_and_caption(app_data):
    state = ViewState(
        date_from="2024-01", date_to="2024-02", level="countries", metric="pagerank", color="community", selected="CHN"
    )
    screen = go.Figure(copy.deepcopy(render_view(app_data, state).network))  # the dashboard sends plain data
    fig = Snapshot(app_data, state).figure()

    def markers(f):
        out = {}
        for t in f.data:
            for i, c in enumerate(t.customdata or ()):
                if isinstance(c, str) and c.startswith("node|"):
                    out[c] = (t.x[i], t.y[i], t.marker.size[i], t.marker.color, t.marker.symbol[i], t.name)
        return out

    assert markers(fig) == markers(screen)
    assert "2024-01-01 – 2024-02-29" in fig.layout.title.text
    caption = " ".join(a.text for a in fig.layout.annotations)
    assert "sources cited" in caption and "explorer " in caption and f"data: {app_data.path.name}" in caption
    assert str(app_data.path.resolve().parent) not in caption  # the folder's name, never a local path
    assert "level: countries" in caption and "?from=2024-01" in caption


def test_markup_in_names_stays_text_in_figures(xss_data):
    fig = Snapshot(xss_data, ViewState()).figure()
    labels = [t for tr in fig.data if tr.text is not None and not isinstance(tr.text, str) for t in tr.text]
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels
    assert not any("<img" in str(t) for t in labels)


# ---- data formats -----------------------------------------------------------------------


def _edges(rows):
    return sorted((r["source"], r["target"], r["key"], r["start"], r["end"]) for r in rows)


def test_gexf_is_dynamic_gexf_13_and_reads_back(app_data, tmp_path):
    path = export_view(app_data, JAN_FEB, "gexf", tmp_path / "v.gexf")
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.3"
    graph = root.find(f"{{{GEXF_NS}}}graph")
    assert (graph.get("mode"), graph.get("timeformat"), graph.get("defaultedgetype")) == (
        "dynamic",
        "date",
        "undirected",
    )
    view = render_view(app_data, JAN_FEB).view
    G = nx.read_gexf(path)
    assert set(G.nodes) == set(view.nodes)
    expected = edge_rows(view)
    got = sorted((u, v, k, d["start"], d.get("end", "")) for u, v, k, d in G.edges(keys=True, data=True))
    assert sorted((min(a, b), max(a, b), *rest) for a, b, *rest in got) == sorted(
        (min(a, b), max(a, b), *rest) for a, b, *rest in _edges(expected)
    )
    assert {d["id"] for *_, d in G.edges(data=True)} == {r["id"] for r in expected}
    starts = {r["id"]: r["start"] for r in node_rows(view)}
    assert {n: d["start"] for n, d in G.nodes(data=True)} == starts
    # A node starts with its first tie in the view.
    lavrov = min(d["start"] for _, _, d in view.edges("sergey-lavrov", data=True)).isoformat()
    assert G.nodes["sergey-lavrov"]["start"] == lavrov
    assert G.nodes["CHN"]["label"] == "People's Republic of China"
    assert G.nodes["CHN"]["viz"]["position"]["x"] == pytest.approx(app_data.positions["CHN"][0] * 500, abs=1e-3)
    assert "degree" in G.nodes["CHN"]


def test_graphml_reads_back_with_the_same_nodes_edges_and_dates(app_data, tmp_path):
    state = ViewState(date_from="2024-01", date_to="2024-02", level="countries")
    path = export_view(app_data, state, "graphml", tmp_path / "v.graphml")
    view = render_view(app_data, state).view
    G = nx.read_graphml(path, force_multigraph=True)
    assert set(G.nodes) == set(view.nodes)
    got = sorted((u, v, d["key"], d["start"], d.get("end", "")) for u, v, d in G.edges(data=True))
    norm = lambda rows: sorted((min(a, b), max(a, b), *rest) for a, b, *rest in rows)  # noqa: E731
    assert norm(got) == norm(_edges(edge_rows(view)))
    assert G.graph["view"] == state.to_query()
    assert isinstance(G.nodes["CHN"]["pagerank"], float)


def test_csv_goes_to_a_folder_or_a_zip(app_data, tmp_path):
    view = render_view(app_data, JAN_FEB).view
    folder = export_view(app_data, JAN_FEB, "csv", tmp_path / "tables")
    assert sorted(p.name for p in folder.iterdir()) == [
        "edges.csv",
        "metrics.csv",
        "nodes.csv",
        "sources.csv",
        "view.json",
    ]
    with open(folder / "nodes.csv", encoding="utf-8") as fh:
        assert {r["id"] for r in csv.DictReader(fh)} == set(view.nodes)
    with open(folder / "edges.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == view.number_of_edges()
    zipped = export_view(app_data, JAN_FEB, "csv", tmp_path / "tables.zip")
    with zipfile.ZipFile(zipped) as zf:
        assert zf.read("nodes.csv").decode() == (folder / "nodes.csv").read_text(encoding="utf-8")
        metrics = list(csv.DictReader(io.StringIO(zf.read("metrics.csv").decode())))
        assert {r["id"] for r in metrics} == set(view.nodes) and "betweenness" in metrics[0]
        assert json.loads(zf.read("view.json"))["view"] == JAN_FEB.to_query()


def test_json_is_node_link_with_sources_and_the_view(app_data, tmp_path):
    path = export_view(app_data, JAN_FEB, "json", tmp_path / "v.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    view = render_view(app_data, JAN_FEB).view
    assert {n["id"] for n in doc["nodes"]} == set(view.nodes)
    assert len(doc["edges"]) == view.number_of_edges()
    assert doc["graph"]["view"] == "from=2024-01&to=2024-02"
    cited = {s for e in doc["edges"] for s in e["sources"]}
    assert cited and cited == set(doc["sources"])


# ---- HTML (without a browser) -----------------------------------------------------------


def test_the_page_is_self_contained_and_small(app_data, tmp_path):
    path = export_view(app_data, ViewState(), "html", tmp_path / "all.html")
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size < 8_000_000
    assert not re.search(r"<script[^>]*\bsrc=", text) and not re.search(r"<link[^>]*href=\"https?:", text)
    assert "default-src 'none'" in text
    assert "Whole window" in text and "Sources (" in text


def test_the_page_escapes_data(xss_data, tmp_path):
    text = export_view(xss_data, ViewState(), "html", tmp_path / "x.html").read_text(encoding="utf-8")
    body = text.split("<main>", 1)[1]
    assert "<img src=x" not in body
    assert "<script>alert(2)</script>" not in body and "&lt;script&gt;alert(2)&lt;/script&gt;" in body


def test_only_web_addresses_become_links():
    from explorer.exports.page import _link

    assert _link("javascript:alert(3)", "<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
    assert _link("https://tass.com/a?b=1&c=2", "T").startswith('<a href="https://tass.com/a?b=1&amp;c=2"')


# ---- the menu, without a browser ----------------------------------------------------------


def test_the_menu_offers_every_format_and_downloads_the_stored_view(app_data):
    from explorer.app.exports_menu import ITEM_TYPE, export_download, menu

    ids = {
        item.id["format"]
        for item in menu().children[0].children
        if isinstance(getattr(item, "id", None), dict) and item.id.get("type") == ITEM_TYPE
    }
    assert ids == set(FORMATS)
    payload, status = export_download(app_data, JAN_FEB.to_dict(), "json")
    assert payload["filename"] == "explorer_2024-01-01_2024-02-29.json" and "Downloaded" in status
    doc = json.loads(base64.b64decode(payload["content"]))
    assert {n["id"] for n in doc["nodes"]} == set(render_view(app_data, JAN_FEB).view.nodes)
    payload, status = export_download(app_data, ViewState().to_dict(), "html")
    assert payload["type"] == "text/html"


def test_a_failing_export_becomes_a_status_line(app_data):
    from explorer.app.exports_menu import export_download

    payload, status = export_download(app_data, {"date_from": "1900-01-01", "date_to": "2024-12-31"}, "html")
    assert payload is None and status.startswith("Export failed") and "--max-frames" in status


# ---- pictures and animations (kaleido on Chromium) ----------------------------------------


@pytest.mark.browser
def test_png_has_the_asked_size_and_is_not_blank(app_data, renderer, tmp_path):
    from PIL import Image

    options = ExportOptions(width=800, height=600, scale=2)
    path = export_view(app_data, JAN_FEB, "png", tmp_path / "v.png", options)
    with Image.open(path) as im:
        assert im.size == (1600, 1200)
        rgb = im.convert("RGB")
        colours = rgb.getcolors(maxcolors=1_000_000)
    non_white = sum(n for n, c in colours if c != (255, 255, 255))
    assert non_white > 0.02 * 1600 * 1200
    assert len(colours) > 50


@pytest.mark.browser
def test_svg_parses_and_holds_the_labels(tiny, renderer, tmp_path):
    data = prepare_app_data(tiny)
    path = export_view(data, ViewState(), "svg", tmp_path / "v.svg")
    root = ET.parse(path).getroot()
    texts = {"".join(el.itertext()) for el in root.iter() if el.tag.endswith("text")}
    assert {"Ma Zhaoxu", "Sergey Lavrov", "BRICS"} <= texts
    assert any("Who meets whom" in t for t in texts)
    pdf = export_view(data, ViewState(), "pdf", tmp_path / "v.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.browser
def test_gif_has_one_frame_per_period_with_its_date(app_data, renderer, tmp_path):
    from PIL import Image

    state = ViewState(date_from="2024-01", date_to="2024-06", level="countries")
    options = ExportOptions(width=500, height=350, step="month", frame_ms=400)
    path = export_view(app_data, state, "gif", tmp_path / "v.gif", options)
    snap = Snapshot(app_data, state, options)
    with Image.open(path) as im:
        assert im.n_frames == 6 == len(snap.frames())
        assert im.info["duration"] == 400
    titles = [snap.figure(s).layout.title.text for _, s in snap.frames()]
    assert "2024-03-01 – 2024-03-31" in titles[2]


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="MP4 export needs ffmpeg")
def test_mp4_holds_the_frames(app_data, renderer, tmp_path):
    state = ViewState(date_from="2024-01", date_to="2024-04")
    path = export_view(app_data, state, "mp4", tmp_path / "v.mp4", ExportOptions(width=400, height=300, step="month"))
    head = path.read_bytes()[:64]
    assert b"ftyp" in head
    probe = shutil.which("ffprobe")
    if probe:
        import subprocess

        out = subprocess.run(
            [
                probe,
                "-v",
                "error",
                "-count_frames",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=width,height,duration",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        stream = json.loads(out)["streams"][0]
        assert (stream["width"], stream["height"]) == (400, 300)
        assert float(stream["duration"]) == pytest.approx(4 * 0.9, abs=0.3)


# ---- the page in a real browser ------------------------------------------------------------

NODES_JS = """
const gd = document.getElementById('network');
if (!gd || !gd._fullLayout || !gd._fullLayout.sliders) { return null; }
const out = [];
for (const t of gd.data) { for (const c of (t.customdata || [])) {
  if (typeof c === 'string' && c.startsWith('node|')) { out.push(c.slice(5)); } } }
return [gd.layout.sliders[0].active, out.sort(), gd.layout.title.text];
"""


@pytest.fixture
def chromium():
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1100"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options)
    yield driver
    driver.quit()


def _wait(fn, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


@pytest.mark.browser
def test_the_page_plays_offline_with_an_empty_console(app_data, chromium, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    state = ViewState(date_from="2024-01", date_to="2024-06")
    path = export_view(app_data, state, "html", tmp_path / "page.html", ExportOptions(step="month"))
    chromium.get(path.as_uri())
    active, nodes, title = _wait(lambda: chromium.execute_script(NODES_JS))
    assert active == 0 and set(nodes) == set(render_view(app_data, state).view.nodes)
    assert "2024-01-01 – 2024-06-30" in title
    rail = chromium.find_element(By.CSS_SELECTOR, "#network .slider-rail-touch-rect")
    ActionChains(chromium).move_to_element(rail).click().perform()
    moved = _wait(lambda: (r := chromium.execute_script(NODES_JS)) and r[0] != 0 and r)
    frame_state = frame_states(state, app_data.span, "month", "period")[moved[0] - 1][1]
    assert set(moved[1]) == set(render_view(app_data, frame_state).view.nodes) != set(nodes)
    assert moved[2] != title
    links = chromium.find_elements(By.CSS_SELECTOR, "#sources-title ~ table a[href^='https://']")
    assert links and all(a.get_attribute("rel") == "noopener noreferrer" for a in links)
    assert chromium.get_log("browser") == []


@pytest.mark.browser
def test_markup_in_the_page_never_runs(xss_data, chromium, tmp_path):
    from selenium.webdriver.common.by import By

    path = export_view(xss_data, ViewState(), "html", tmp_path / "x.html")
    chromium.get(path.as_uri())
    _wait(lambda: chromium.execute_script(NODES_JS))
    assert not chromium.find_elements(By.CSS_SELECTOR, "img")
    assert XSS in chromium.find_element(By.ID, "network").text
    assert (
        "<script>alert(2)</script>"
        in chromium.find_element(By.ID, "sources-title").find_element(By.XPATH, "following-sibling::table").text
    )
    assert chromium.get_log("browser") == []


# ---- the menu in the dashboard --------------------------------------------------------------


@pytest.mark.browser
def test_the_dashboard_menu_downloads_the_current_view(dash_duo, app_data, request):
    from selenium.webdriver.common.by import By

    from explorer.app import create_app
    from explorer.exports.render import stop_renderer

    request.addfinalizer(stop_renderer)  # the app keeps its renderer warm; later tests do not need it

    dash_duo.driver.set_window_size(1600, 1100)
    dash_duo.start_server(create_app(app_data))
    dash_duo.driver.get(dash_duo.server_url + "/?" + JAN_FEB.to_query())
    _wait(lambda: dash_duo.find_element("#view-description").text)
    dash_duo.find_element("#export-button").click()
    item = dash_duo.driver.find_element(By.XPATH, "//*[@id='export-menu']//*[normalize-space()='JSON (node-link)']")
    item.click()
    target = Path(dash_duo.download_path) / "explorer_2024-01-01_2024-02-29.json"
    _wait(lambda: target.is_file() and target.stat().st_size > 0)
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert {n["id"] for n in doc["nodes"]} == set(render_view(app_data, JAN_FEB).view.nodes)
    assert "Downloaded" in dash_duo.find_element("#export-status").text
    # A picture is rendered by kaleido from the server's callback thread.
    dash_duo.find_element("#export-button").click()
    dash_duo.driver.find_element(By.XPATH, "//*[@id='export-menu']//*[normalize-space()='PNG image']").click()
    png = Path(dash_duo.download_path) / "explorer_2024-01-01_2024-02-29.png"
    _wait(lambda: png.is_file() and png.stat().st_size > 0, timeout=60)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [e for e in dash_duo.driver.get_log("browser") if e["level"] == "SEVERE"] == []
