"""The figure module (explorer.figures): label placement, styles, axes, selection patches, paths,
the map's statuses, escaping, plain-dict figures; and, in a real browser, labels after a level switch."""

from __future__ import annotations

import base64
import copy
import itertools
import json
import random
import time

import networkx as nx
import numpy as np
import plotly.graph_objects as go
import pytest
from conftest import TINY, write_dataset
from plotly.io.json import to_json_plotly

from explorer.figures import (
    ADDED,
    DISPUTED,
    EDGE_STYLES,
    GROUP_COLORS,
    LABEL_POSITIONS,
    PATH_STYLE,
    REMOVED,
    SELECTED_TIE,
    label_box,
    label_text,
    make_network_figure,
    make_series_figure,
    make_timeline_figure,
    place_labels,
    selection_updates,
    text_width,
)
from explorer.paths import bundled_data_dir
from explorer.pipeline import apply_view
from explorer.presenter import (
    figure_inputs,
    prepare_app_data,
    render_changes,
    render_map,
    render_view,
)
from explorer.viewstate import ViewState

WHOLE = ViewState(date_from="2005-01-01", date_to="2025-12-31")
VIEWS = {
    "officials": WHOLE,
    "countries": WHOLE.replace(level="countries"),
    "officials-2024": ViewState(date_from="2024-01-01", date_to="2024-12-31"),
}


@pytest.fixture(scope="module")
def data():
    return prepare_app_data(bundled_data_dir())


def trace(fig, uid: str) -> dict:
    return next(t for t in _plain(fig)["data"] if t.get("uid") == uid)


def as_figure(fig) -> go.Figure:
    """A go.Figure of a figure the presenter sends as plain data (copied: cached results stay untouched)."""
    return go.Figure(copy.deepcopy(fig)) if isinstance(fig, dict) else fig


def _plain(fig) -> dict:
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig


def placed_boxes(fig) -> dict[str, tuple[float, float, float, float]]:
    """The pixel box of every drawn label (by node id), from the labels trace and the figure's label geometry."""
    plain = _plain(fig)
    meta = plain["layout"]["meta"]["labels"]
    (x0, x1), (y0, y1), (w, h) = meta["x_range"], meta["y_range"], meta["plot_size"]
    labels = trace(fig, "labels")
    out = {}
    for n, x, y, text, where, size in zip(
        labels["meta"]["nodes"],
        labels["x"],
        labels["y"],
        labels["text"],
        labels["textposition"],
        labels["marker"]["size"],
    ):
        px, py = (x - x0) * w / (x1 - x0), (y1 - y) * h / (y1 - y0)
        out[n] = label_box(px, py, size, text_width(text.replace("&amp;", "&")), where, meta["font_size"])
    return out


def node_pixels(fig) -> list[tuple[str, float, float]]:
    plain = _plain(fig)
    meta = plain["layout"]["meta"]["labels"]
    (x0, x1), (y0, y1), (w, h) = meta["x_range"], meta["y_range"], meta["plot_size"]
    return [
        (c[5:], (x - x0) * w / (x1 - x0), (y1 - y) * h / (y1 - y0))
        for t in plain["data"]
        if str(t.get("uid", "")).startswith("nodes-")
        for c, x, y in zip(t["customdata"], t["x"], t["y"])
    ]


def apply_updates(fig: dict, updates) -> dict:
    out = copy.deepcopy(fig)
    for i, path, value in updates:
        target = out["data"][i]
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return out


def overlapping(a, b, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


# ---- 1. labels ------------------------------------------------------------------------------


def test_three_nodes_by_hand():
    # 200 x 200 px showing [-1, 1]²: 100 px per unit, y up.  Markers 10 px, font 10 px.
    # A (0, 0) and B (0, 0.12) are 12 px apart vertically: A is placed first (larger) and takes
    # 'top center', whose box (about 6-18 px above A) would hold B's centre, so A goes below;
    # B goes on top.  C sits at the right edge: its text cannot go right or centred, so it goes left.
    pos = {"A": (0.0, 0.0), "B": (0.0, 0.12), "C": (0.98, -0.5)}
    sizes = {"A": 12.0, "B": 10.0, "C": 10.0}
    texts = {"A": "Alpha", "B": "Beta", "C": "Gamma"}
    got = place_labels(pos, sizes, texts, x_range=(-1, 1), y_range=(-1, 1), plot_size=(200, 200), font_size=10)
    assert got == {"A": "bottom center", "B": "top center", "C": "middle left"}
    # By hand: A's bottom label starts 12 / 2 / 0.8 + 1 = 8.5 px below its centre (100, 100).
    box = label_box(100, 100, 12, 30, "bottom center", 10)
    assert box[0] == pytest.approx(85) and box[2] == pytest.approx(115)
    assert box[1] == pytest.approx(100 + 8.5 + 7.5 - 9.3) and box[3] == pytest.approx(100 + 8.5 + 7.5 + 2.4)
    # With B selected, B is placed first and keeps the top; a limit of one leaves A and C unlabelled.
    assert place_labels(
        pos, sizes, texts, x_range=(-1, 1), y_range=(-1, 1), plot_size=(200, 200), font_size=10, must=["B"], limit=1
    ) == {"B": "top center"}


def test_a_node_with_no_room_stays_unlabelled_unless_it_must_be_labelled():
    # Four neighbours close around X on every side: no position is free.
    pos = {"X": (0, 0), "N": (0, 0.1), "S": (0, -0.1), "E": (0.15, 0), "W": (-0.15, 0)}
    sizes = dict.fromkeys(pos, 10.0)
    texts = {"X": "Xylophone"}
    kw = dict(x_range=(-1, 1), y_range=(-1, 1), plot_size=(200, 200))
    assert place_labels(pos, sizes, texts, **kw) == {}
    assert list(place_labels(pos, sizes, texts, must=["X"], **kw)) == ["X"]


@pytest.mark.parametrize("view", list(VIEWS))
def test_no_two_labels_overlap_and_none_covers_a_node(data, view):
    fig = render_view(data, VIEWS[view]).network
    boxes = placed_boxes(fig)
    assert len(boxes) >= 10
    for (a, ba), (b, bb) in itertools.combinations(boxes.items(), 2):
        assert not overlapping(ba, bb), (a, b)
    (w, h) = _plain(fig)["layout"]["meta"]["labels"]["plot_size"]
    for n, box in boxes.items():
        assert 0 <= box[0] and box[2] <= w and 0 <= box[1] and box[3] <= h, n
        inside = [m for m, x, y in node_pixels(fig) if m != n and box[0] <= x <= box[2] and box[1] <= y <= box[3]]
        assert not inside, (n, inside)


def test_small_views_label_every_node_that_fits_and_countries_all(data):
    countries = render_view(data, VIEWS["countries"])
    assert len(trace(countries.network, "labels")["text"]) == len(countries.view)
    officials = render_view(data, VIEWS["officials"])
    labelled = set(trace(officials.network, "labels")["meta"]["nodes"])
    assert len(officials.view) > len(labelled) >= 40  # many, not all: the core is too dense
    # Every node left unlabelled had no room: each place around it leaves the plot, meets a drawn
    # label or comes near another node's centre.
    plain = _plain(officials.network)
    meta = plain["layout"]["meta"]["labels"]
    (w, h) = meta["plot_size"]
    boxes = list(placed_boxes(officials.network).values())
    pixels = node_pixels(officials.network)
    size = {
        c[5:]: s
        for t in plain["data"]
        if str(t.get("uid")).startswith("nodes-")
        for c, s in zip(t["customdata"], t["marker"]["size"])
    }
    for n, x, y in pixels:
        if n in labelled:
            continue
        width = text_width(label_text(officials.view, n))
        for where in LABEL_POSITIONS:
            b = label_box(x, y, size[n], width, where)
            outside = b[0] < 0 or b[1] < 0 or b[2] > w or b[3] > h
            # The clearance of a centre is a quarter of its marker's diameter (at least 2 px), measured
            # on a 1-px grid: allow that pixel.
            near = any(
                m != n
                and b[0] - max(2, size[m] / 4) - 1 <= mx <= b[2] + max(2, size[m] / 4) + 1
                and b[1] - max(2, size[m] / 4) - 1 <= my <= b[3] + max(2, size[m] / 4) + 1
                for m, mx, my in pixels
            )
            assert outside or near or any(overlapping(b, o, gap=1) for o in boxes), (n, where)


def test_the_selected_node_is_always_labelled(data):
    state = VIEWS["officials"]
    H = apply_view(data.graph, state)
    result = render_view(data, state)
    inputs = figure_inputs(data, state, result.metrics)
    inputs.pop("selected")
    base = make_network_figure(H, **inputs, as_dict=True)
    for n in sorted(H):
        fig = apply_updates(base, selection_updates(base, H, inputs["positions"], n))
        assert n in trace(fig, "labels")["meta"]["nodes"], n


# ---- 2. labels after a level switch, in a browser --------------------------------------------

COUNT_JS = """
const gd = document.querySelector('#g .js-plotly-plot');
if (!gd || !gd.data || !gd._fullLayout) { return null; }
const drawn = [...gd.querySelectorAll('.textpoint text')].filter(t => t.textContent.trim()).length;
let carried = 0;
for (const t of gd.data) { for (const s of (Array.isArray(t.text) ? t.text : [])) { if (s) carried++; } }
return [gd.data.map(t => t.uid || t.name).join('|'), drawn, carried];
"""


def carried_labels(fig) -> int:
    return sum(1 for t in fig.data if t.text is not None and not isinstance(t.text, str) for s in t.text if s)


@pytest.mark.browser
def test_after_a_level_switch_every_label_the_figure_carries_is_drawn(dash_duo, data):
    from dash import Dash, Input, Output, dcc, html

    figs = [as_figure(render_view(data, VIEWS[v]).network) for v in ("officials", "countries")]
    ids = ["|".join(t.uid or t.name for t in f.data) for f in figs]
    app = Dash(__name__)
    app.layout = html.Div(
        [html.Button("switch", id="switch"), dcc.Graph(id="g", figure=figs[0], style={"height": "660px"})]
    )

    @app.callback(Output("g", "figure"), Input("switch", "n_clicks"), prevent_initial_call=True)
    def switch(n):
        return figs[n % 2]

    dash_duo.driver.set_window_size(1400, 900)
    dash_duo.start_server(app, port=random.randint(18000, 28999))
    for step in range(4):
        fig_id = ids[step % 2]
        wanted = carried_labels(figs[step % 2])
        # Wait until the figure is the one switched to, then until its labels are drawn.
        dash_duo.wait_for_element_by_css_selector("#g .js-plotly-plot")
        end, last = time.time() + 10, None
        while time.time() < end:
            last = dash_duo.driver.execute_script(COUNT_JS)
            if last and last[0] == fig_id and last[1] == last[2]:
                break
            time.sleep(0.1)
        assert last and last[0] == fig_id, f"step {step}: the figure was not switched"
        assert last[2] == wanted and last[1] == wanted, f"step {step}: {last[1]} of {wanted} labels drawn"
        dash_duo.find_element("#switch").click()


@pytest.mark.browser
def test_a_selection_patch_draws_what_the_figure_for_that_selection_carries(dash_duo, data):
    from dash import Dash, Input, Output, Patch, dcc, html

    state = VIEWS["officials-2024"]
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    inputs.pop("selected")
    base = make_network_figure(H, **inputs, as_dict=True)
    chosen = ["sergey-lavrov", "pair|ma-zhaoxu|sergey-lavrov", "", "BRICS"]
    targets = [make_network_figure(H, **inputs, selected=s, as_dict=True) for s in chosen]
    app = Dash(__name__)
    app.layout = html.Div([html.Button("next", id="next"), dcc.Graph(id="g", figure=base, style={"height": "660px"})])
    current = {"fig": base}

    @app.callback(Output("g", "figure"), Input("next", "n_clicks"), prevent_initial_call=True)
    def select(n):
        patch = Patch()
        updates = selection_updates(current["fig"], H, inputs["positions"], chosen[(n - 1) % len(chosen)])
        for i, path, value in updates:
            patch["data"][i][path[0]] = value
        current["fig"] = apply_updates(current["fig"], updates)
        return patch

    dash_duo.driver.set_window_size(1400, 900)
    dash_duo.start_server(app, port=random.randint(18000, 28999))
    dash_duo.wait_for_element_by_css_selector("#g .js-plotly-plot")
    for target in targets:
        dash_duo.find_element("#next").click()
        wanted = trace(target, "labels")["text"]
        end, last = time.time() + 10, None
        while time.time() < end:
            got = dash_duo.driver.execute_script(
                "const gd = document.querySelector('#g .js-plotly-plot');"
                "const t = gd && gd.data && gd.data.find(t => t.uid === 'labels');"
                "return t ? [t.text, gd.data.find(t => t.uid === 'veil').visible] : null;"
            )
            last = dash_duo.driver.execute_script(COUNT_JS)
            if got and got[0] == wanted and last and last[1] == last[2]:
                break
            time.sleep(0.1)
        assert got and got[0] == wanted, "the patched labels are the target figure's"
        assert got[1] == trace(target, "veil")["visible"]
        assert last[1] == last[2] == len(wanted), f"{last[1]} of {len(wanted)} labels drawn"


# ---- 3. styles --------------------------------------------------------------------------------

SPECIAL = {
    "invited": EDGE_STYLES["invited"],
    "declined": EDGE_STYLES["declined"],
    "disputed": DISPUTED,
    "removed": REMOVED,
    "added": ADDED,
    "selected": SELECTED_TIE,
    "path": PATH_STYLE,
}


def _segments(t: dict) -> list[tuple]:
    """A base trace's segments as unordered pairs of end points (``a, b, gap`` or ``a, mid, b, gap``)."""
    k = 4 if "markers" in t["mode"] else 3
    xs, ys = np.asarray(t["x"], dtype=float).reshape(-1, k), np.asarray(t["y"], dtype=float).reshape(-1, k)
    return [tuple(sorted(((x[0], y[0]), (x[k - 2], y[k - 2])))) for x, y in zip(xs, ys)]


def test_ties_of_one_kind_between_two_nodes_are_one_line(data):
    """At the country level, the offices and chairs of several officials of one country join the
    same two nodes: each kind of tie between them is drawn once, and every one of them is drawn."""
    result = render_view(data, VIEWS["countries"])
    H, pos = result.view, data.positions_for("countries")
    expected: dict[str, set] = {}
    for u, v, d in H.edges(data=True):
        if u != v and d.get("relation") != "event" and d.get("status") != "disputed" and d["kind"] in EDGE_STYLES:
            expected.setdefault(d["kind"], set()).add(tuple(sorted((tuple(pos[u]), tuple(pos[v])))))
    ties = sum(1 for u, v, d in H.edges(data=True) if u != v and d.get("relation") != "event")
    assert ties > sum(map(len, expected.values())), "the view must hold ties of one kind drawn once"
    for key, pairs in expected.items():
        drawn = [
            s
            for t in _plain(result.network)["data"]
            if t.get("uid", "").startswith(f"edge-{key}-")
            for s in _segments(t)
        ]
        assert len(drawn) == len(set(drawn)), f"a {key} tie is drawn twice"
        assert set(drawn) == pairs, key


def test_tie_states_differ_by_colour_for_every_common_colour_vision():
    from coloraide.everything import ColorAll as Color  # noqa: N813 - the library's own name

    def seen(c, how):
        return Color(c) if how == "normal" else Color(c).filter(how).convert("srgb").fit()

    for (a, sa), (b, sb) in itertools.combinations(SPECIAL.items(), 2):
        for how in ("normal", "protan", "deutan", "tritan"):
            delta = seen(sa["color"], how).delta_e(seen(sb["color"], how), method="2000")
            assert delta >= 10, (a, b, how, round(delta, 1))


def test_tie_states_differ_by_dash_or_symbol_too():
    looks = {
        k: (s["dash"], s.get("symbol"), s["width"] if k in ("selected", "path") else None) for k, s in SPECIAL.items()
    }
    assert len(set(looks.values())) == len(looks), looks
    for key in ("invited", "declined", "disputed", "removed", "added"):
        assert SPECIAL[key].get("symbol"), f"{key} has a midpoint symbol"


def legend_entries(fig) -> list[tuple]:
    out = []
    for t in _plain(fig)["data"]:
        if t.get("showlegend") is False or not len(t.get("x") if t.get("x") is not None else t.get("lon") or []):
            continue
        marker = t.get("marker") or {}
        symbol = marker.get("symbol")
        if isinstance(symbol, (list, tuple)):
            symbol = symbol[0]
        if t.get("mode", "").startswith("lines"):
            line = t.get("line") or {}
            out.append((t["name"], line.get("color"), line.get("dash"), symbol if "markers" in t["mode"] else None))
        else:
            out.append((t["name"], marker.get("color"), None, symbol))
    return out


@pytest.mark.parametrize("color", ["kind", "country", "community"])
@pytest.mark.parametrize("level", ["officials", "countries"])
def test_every_legend_entry_has_its_own_colour_and_pattern(data, level, color):
    fig = render_view(data, WHOLE.replace(level=level, color=color, selected="edge|ARG|BRICS|0")).network
    entries = legend_entries(fig)
    assert len({name for name, *_ in entries}) == len(entries), entries
    looks = [look for _, *look in entries]
    assert len(set(map(tuple, looks))) == len(looks), entries
    if color == "country":
        node_colours = [t["marker"]["color"] for t in _plain(fig)["data"] if str(t.get("uid")).startswith("nodes-")]
        assert len(node_colours) == len(set(node_colours)), "two countries share a colour"
        names = [t["name"] for t in _plain(fig)["data"] if str(t.get("uid")).startswith("nodes-")]
        assert "Other countries" in names and len(names) == len(GROUP_COLORS) + 2  # + Other, + No country


def test_changes_legend_is_distinct_too(data):
    state = ViewState(
        date_from="2024-01-01", date_to="2024-12-31", vs_from="2023-01-01", vs_to="2023-12-31", level="countries"
    )
    entries = legend_entries(render_changes(data, state)["figure"])
    names = [e[0] for e in entries]
    assert ADDED["label"] in names and REMOVED["label"] in names
    assert len(set(e[1:] for e in entries)) == len(entries), entries


# ---- 4. axes and legend ---------------------------------------------------------------------


def test_the_axes_fit_the_extent_and_the_legend_sits_beside_the_plot(data):
    small = ViewState(date_from="2024-01-29", date_to="2024-01-30")
    H = apply_view(data.graph, small)
    inputs = figure_inputs(data, small, render_view(data, small).metrics)
    fitted = make_network_figure(H, **{**inputs, "extent": None}, as_dict=True)  # fit the view's own nodes
    xr, yr = fitted["layout"]["xaxis"]["range"], fitted["layout"]["yaxis"]["range"]
    xs = [inputs["positions"][n][0] for n in H]
    ys = [inputs["positions"][n][1] for n in H]
    # The view's nodes fill the plot: they span most of both axes, with a margin for markers and labels.
    assert xr[0] < min(xs) and max(xs) < xr[1] and (max(xs) - min(xs)) / (xr[1] - xr[0]) > 0.85
    assert yr[0] < min(ys) and max(ys) < yr[1] and (max(ys) - min(ys)) / (yr[1] - yr[0]) > 0.8
    assert "scaleanchor" not in fitted["layout"]["yaxis"]
    # With the view's nodes over the whole span as the extent, two windows share their axes.
    # (the presenter passes them as the extent: the dashboard's zoom stays still while the window moves).
    whole = set(apply_view(data.graph, small.replace(date_from=None, date_to=None)))
    assert set(inputs["extent"]) == whole
    other = ViewState(date_from="2024-06-01", date_to="2024-07-31")
    Ho = apply_view(data.graph, other)
    io = figure_inputs(data, other, render_view(data, other).metrics)
    a = make_network_figure(H, **inputs, as_dict=True)["layout"]
    b = make_network_figure(Ho, **io, as_dict=True)["layout"]
    assert (a["xaxis"]["range"], a["yaxis"]["range"]) == (b["xaxis"]["range"], b["yaxis"]["range"])
    assert a["xaxis"]["range"] != xr
    assert a["legend"]["x"] >= 1 and a["legend"]["xanchor"] == "left"  # right of the plot, never over it
    assert a["uirevision"] == "network-officials"  # zoom kept per level: positions differ between levels
    assert (
        make_network_figure(H, **{**inputs, "uirevision": "countries"}, as_dict=True)["layout"]["uirevision"]
        == "countries"
    )


# ---- 5. selection as a patch ----------------------------------------------------------------


def data_json(fig) -> list:
    """The figure's data as the browser gets it (to_json_plotly, as Dash sends figures: it keeps
    the uids, which pio.to_json drops in place), typed arrays decoded to lists."""

    def decode(value):
        if isinstance(value, dict) and set(value) == {"dtype", "bdata"}:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return [None if v != v else float(v) for v in arr]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    return decode(json.loads(to_json_plotly({"data": _plain(fig)["data"]}))["data"])


def figure_json(fig) -> dict:
    plain = _plain(fig)
    return {"data": data_json(plain), "layout": json.loads(to_json_plotly(plain["layout"]))}


SELECTIONS = ["", "sergey-lavrov", "BRICS", "pair|ma-zhaoxu|sergey-lavrov", "edge|ARG|BRICS|0", "nobody"]


def test_selection_updates_turn_one_selection_into_another(data):
    state = VIEWS["officials-2024"]
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    inputs.pop("selected")
    assert H.has_edge("ARG", "BRICS") and H.has_edge("ma-zhaoxu", "sergey-lavrov")
    built = {s: make_network_figure(H, **inputs, selected=s, as_dict=True) for s in SELECTIONS}
    n_traces = {len(f["data"]) for f in built.values()}
    assert len(n_traces) == 1, "a selection never changes the number of traces"
    for a, b in itertools.product(SELECTIONS, repeat=2):
        updates = selection_updates(built[a], H, inputs["positions"], b)
        assert data_json(apply_updates(built[a], updates)) == data_json(built[b]), (a, b)
        if a == b:
            assert updates == []
    # The base traces (ties and nodes) never change; the patch is small.
    nodes_selected = selection_updates(built[""], H, inputs["positions"], "sergey-lavrov")
    uids = [built[""]["data"][i].get("uid") for i, _, _ in nodes_selected]
    assert not any(u.startswith(("edge-", "nodes-", "ties")) for u in uids), uids
    assert len(to_json_plotly(nodes_selected)) < len(to_json_plotly(built[""]["data"])) / 5


def test_zooming_in_labels_what_is_on_screen(data):
    state = VIEWS["officials"]
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    inputs.pop("selected")
    fig = make_network_figure(H, **inputs, as_dict=True)
    before = set(trace(fig, "labels")["meta"]["nodes"])
    # Zoom four times into the dense core, around the largest node.
    countries = trace(fig, "nodes-country")
    hub = max(zip(countries["marker"]["size"], countries["customdata"]))[1][5:]
    (x0, x1), (y0, y1) = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    cx, cy = inputs["positions"][hub]
    ranges = ((cx - (x1 - x0) / 8, cx + (x1 - x0) / 8), (cy - (y1 - y0) / 8, cy + (y1 - y0) / 8))
    zoomed = apply_updates(fig, selection_updates(fig, H, inputs["positions"], "", ranges=ranges))
    after = trace(zoomed, "labels")["meta"]["nodes"]
    assert set(after) - before, "zooming in labels nodes that had no room before"
    assert hub in after
    for n in after:
        x, y = inputs["positions"][n]
        assert ranges[0][0] <= x <= ranges[0][1] and ranges[1][0] <= y <= ranges[1][1]


def test_selection_updates_read_a_validated_figure_too(data):
    state = VIEWS["countries"]
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    inputs.pop("selected")
    fig = make_network_figure(H, **inputs, selected="CHN")
    target = make_network_figure(H, **inputs, selected="pair|CHN|RUS", as_dict=True)
    updates = selection_updates(fig, H, inputs["positions"], "pair|CHN|RUS")
    assert data_json(apply_updates(fig.to_plotly_json(), updates)) == data_json(target)
    assert trace(target, "sel-tie")["x"][:2] == [inputs["positions"]["CHN"][0], inputs["positions"]["RUS"][0]]
    assert trace(target, "veil")["visible"] is True
    assert trace(make_network_figure(H, **inputs, as_dict=True), "veil")["visible"] is False


# ---- 6. paths --------------------------------------------------------------------------------


def test_a_path_is_drawn_labelled_and_in_the_legend(data):
    state = ViewState(date_from="2024-01-01", date_to="2024-02-29")
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    hops = ["jake-sullivan", "wang-yi", "sergey-lavrov"]
    assert all(n in H for n in hops)
    fig = make_network_figure(H, **inputs, path=hops, as_dict=True)
    band = trace(fig, "path")
    pos = inputs["positions"]
    assert band["x"] == [
        pos["jake-sullivan"][0],
        pos["wang-yi"][0],
        None,
        pos["wang-yi"][0],
        pos["sergey-lavrov"][0],
        None,
    ]
    assert band["name"] == "Path" and band["showlegend"] is True and band["line"]["width"] >= 8
    labels = trace(fig, "labels")["text"]
    assert {H.nodes[n]["name"] for n in hops} <= set(labels)
    # The path can be replaced or cleared with the selection's updates, and the labels follow.
    plain = make_network_figure(H, **inputs, as_dict=True)
    assert trace(plain, "path")["x"] == [] and trace(plain, "path")["showlegend"] is False
    updates = selection_updates(plain, H, pos, "", path=hops)
    assert data_json(apply_updates(plain, updates)) == data_json(fig)
    back = selection_updates(fig, H, pos, "", path=[])
    assert data_json(apply_updates(fig, back)) == data_json(plain)


# ---- 7. the map ------------------------------------------------------------------------------


def test_the_map_shows_each_countrys_status(data):
    fig = as_figure(render_map(data, ViewState(date_from="2023-01-01", date_to="2024-12-31", level="countries")))
    by_status = {}
    hover = {}
    for t in fig.data:
        for c, h in zip(t.customdata or (), t.hovertext or ()):
            if isinstance(c, str) and c.startswith("node|"):
                by_status[c[5:]] = t.name
                hover[c[5:]] = h
    assert by_status["SAU"] == DISPUTED["label"]
    assert by_status["ARG"] == "Declined"
    assert by_status["EGY"] == "Member" and by_status["CHN"] == "Member"
    assert "BRICS: invited, 2023-08-24 – 2023-12-22" in hover["ARG"] and "BRICS: declined, 2023-12-22" in hover["ARG"]
    assert "BRICS: member — disputed, 2024-01-01 – ongoing" in hover["SAU"]
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert {"Member", "Declined", DISPUTED["label"]} <= set(legend)
    assert "BRICS" in fig.layout.legend.title.text
    assert any(t.mode == "lines" for t in fig.data), "meeting lines are kept"
    symbols = {t.name: t.marker.symbol for t in fig.data if t.customdata}
    assert len(set(symbols.values())) == len(symbols)


# ---- 8. markup in data stays text ----------------------------------------------------------

EVIL = '<a href="x">Evil</a>'
BOLD = "<b>bold</b>"


@pytest.fixture(scope="module")
def evil_data(tmp_path_factory):
    entities = [dict(e) for e in TINY["entities"]]
    entities[0]["name"] = EVIL  # China: a country, so a legend name when colouring by country
    affiliations = [dict(a) for a in TINY["affiliations"]]
    affiliations[0]["title"] = BOLD  # Ma Zhaoxu's office
    folder = write_dataset(
        tmp_path_factory.mktemp("evil") / "data", {"entities": entities, "affiliations": affiliations}
    )
    return prepare_app_data(folder)


def all_text(fig) -> list[str]:
    plain = _plain(fig)
    out = []
    for t in plain["data"]:
        for key in ("text", "hovertext", "name"):
            v = t.get(key)
            out += [v] if isinstance(v, str) else [str(s) for s in (v if v is not None else [])]
    layout = plain["layout"]
    out += [a.get("text", "") for a in layout.get("annotations", ())]
    out += [str((layout.get("legend") or {}).get("title", {}).get("text", ""))]
    out += [str((layout.get("title") or {}).get("text", ""))]
    return out


@pytest.mark.parametrize("color", ["kind", "country"])
def test_markup_in_names_and_titles_stays_text(evil_data, color):
    state = ViewState(color=color, selected="CHN", level="officials")
    figs = [
        as_figure(render_view(evil_data, state).network),
        as_figure(render_map(evil_data, state.replace(level="countries"))),
        make_series_figure([{"node": "CHN", "name": EVIL, "date": "2024-01-01", "value": 1.0}], EVIL),
        make_timeline_figure([("2024-01-01", 1)], key_events=[("2024-01-01", EVIL)]),
    ]
    for fig in figs:
        texts = all_text(fig)
        joined = "\n".join(texts)
        assert "<a" not in joined and "<b>bold" not in joined and "</a>" not in joined, joined[:500]
    network = "\n".join(all_text(figs[0]))
    assert '&lt;a href="x"&gt;Evil&lt;/a&gt;' in network  # the name, as text
    assert "&lt;b&gt;bold&lt;/b&gt;" in network  # the office title, in Ma Zhaoxu's hover
    if color == "country":
        names = [t.name for t in figs[0].data]
        assert '&lt;a href="x"&gt;Evil&lt;/a&gt;' in names


# ---- 9. plain-dict figures ------------------------------------------------------------------


def test_plain_dict_figures_are_the_validated_ones(data):
    state = VIEWS["officials-2024"].replace(selected="sergey-lavrov")
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    as_dict = make_network_figure(H, **inputs, as_dict=True)
    figure = make_network_figure(H, **inputs)
    assert isinstance(as_dict, dict) and isinstance(figure, go.Figure)
    assert figure_json(as_dict) == figure_json(figure)
    # Overlays (what a selection patch replaces) hold plain lists; base ties hold float arrays.
    assert all(isinstance(trace(as_dict, uid)["x"], list) for uid in ("veil", "path", "sel-tie", "hl-nodes", "labels"))
    assert go.Figure(as_dict).to_plotly_json()["layout"]["meta"] == as_dict["layout"]["meta"]
    counts = [("2024-01-01", 3), ("2024-02-01", 5)]
    t_dict = make_timeline_figure(counts, ("2024-01-01", "2024-02-01"), [("2024-01-15", "Summit")], as_dict=True)
    t_fig = make_timeline_figure(counts, ("2024-01-01", "2024-02-01"), [("2024-01-15", "Summit")])
    assert figure_json(t_dict) == figure_json(t_fig)
    assert t_dict["layout"]["shapes"][0]["x0"] == "2024-01-01"


def test_an_empty_view_still_has_every_overlay():
    H = nx.MultiGraph(entities={})
    fig = make_network_figure(H, {}, as_dict=True)
    assert [t["uid"] for t in fig["data"]] == ["veil", "path", "sel-tie", "hl-nodes", "labels"]
    assert any("No ties" in a["text"] for a in fig["layout"]["annotations"])
    assert selection_updates(fig, H, {}, "anything") == []
