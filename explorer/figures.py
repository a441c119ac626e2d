"""Every Plotly figure: the network, the map, the timeline sparkline, metric series.

The dashboard and the exports call the same functions, so an export looks like
the screen.  Appearance is a registry (:data:`EDGE_STYLES`, :data:`KIND_STYLES`,
:data:`MAP_STATUSES`) rather than if-chains.  Colours come from the Okabe-Ito
and Paul Tol palettes, which stay distinct under the common colour-vision
deficiencies, and every colour is paired with a symbol, a dash pattern or a
label so colour never carries information alone.

Figures are built as plain dicts (``{"data": [...], "layout": {...}}``);
``as_dict=True`` returns them as they are, which skips Plotly's per-trace
validation (about a third of the build time on a 5,000-node view, see
``bench/bench_figures.py``), and the default wraps them in a
:class:`plotly.graph_objects.Figure` for the exports.

The network figure keeps its trace list stable under a change of selection:
the highlight of a selected node or tie is drawn by overlay traces that always
exist at the end of ``data`` (empty when nothing is selected), so
:func:`selection_updates` can turn one selection into another with a few
property changes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import plotly.graph_objects as go

from .positions import country_centroids

__all__ = [
    "OKABE_ITO",
    "KIND_STYLES",
    "EDGE_STYLES",
    "DISPUTED",
    "ADDED",
    "REMOVED",
    "SELECTED_TIE",
    "PATH_STYLE",
    "MAP_STATUSES",
    "WEBGL_ABOVE",
    "PLOT_SIZE",
    "LABEL_POSITIONS",
    "make_network_figure",
    "selection_updates",
    "trace_layer",
    "place_labels",
    "label_box",
    "text_width",
    "label_text",
    "make_map_figure",
    "map_statuses",
    "make_timeline_figure",
    "make_series_figure",
    "node_title",
]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""Okabe & Ito (2008): blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow, black."""
GROUP_COLORS = OKABE_ITO[:7]
"""Colours for country or community groups: Okabe-Ito without black (black marks the selection)."""
OTHER_COLOR = "#8c8c8c"  # groups beyond the palette ("Other countries")
NONE_COLOR = "#c8c8c8"  # nodes with no group ("No country")

KIND_STYLES = {
    "country": {"color": "#0072B2", "symbol": "circle", "label": "Country"},
    "official": {"color": "#E69F00", "symbol": "diamond", "label": "Official"},
    "organization": {"color": "#009E73", "symbol": "square", "label": "Organisation"},
}
_MEETING = {"label": "Meetings (width = number of events)", "dash": "solid", "color": "#4d5766", "width": 1.2}
EDGE_STYLES: dict[str, dict] = {
    "meeting": _MEETING,
    "office": {"label": "Holds office in", "dash": "dashdot", "color": "#777777", "width": 1.6},
    "founding_member": {
        "label": "Member (founding)",
        "dash": "solid",
        "color": "#009E73",
        "width": 3.2,
        "symbol": "star",
    },
    "member": {"label": "Member", "dash": "solid", "color": "#009E73", "width": 3.2},
    "partner": {"label": "Partner country", "dash": "longdash", "color": "#009E73", "width": 2.0},
    "chair": {"label": "Chair", "dash": "longdashdot", "color": "#56B4E9", "width": 2.2},
    # The states of a tie a reader must tell apart at a glance (invited, declined, disputed, added,
    # removed, selected, on a path) each have their own colour, from Paul Tol's vibrant and muted
    # schemes and Okabe-Ito, chosen so that every pair stays apart (CIEDE2000 >= 10) for normal
    # vision and under protan-, deutan- and tritanopia, and their own dash pattern or midpoint symbol.
    "invited": {"label": "Invited", "dash": "dash", "color": "#0077BB", "width": 2.0, "symbol": "circle-open"},
    "declined": {"label": "Declined", "dash": "dot", "color": "#999933", "width": 2.6, "symbol": "x"},
}
DISPUTED = {
    "label": "⚠ Disputed (sources disagree)",
    "dash": "8px,3px,2px,3px,2px,3px",
    "color": "#CC3311",
    "width": 2.6,
    "symbol": "triangle-up",
}
ADDED = {
    "label": "Tie added (vs compared window)",
    "color": "#332288",
    "width": 5.0,
    "dash": "solid",
    "symbol": "cross",
}
REMOVED = {
    "label": "Tie removed (vs compared window)",
    "color": "#CC79A7",
    "width": 4.0,
    "dash": "longdash",
    "symbol": "line-ew-open",
}
SELECTED_TIE = {"label": "Selected tie", "color": "#000000", "width": 11.0, "dash": "solid", "opacity": 0.3}
PATH_STYLE = {"label": "Path", "color": "#F0E442", "width": 12.0, "dash": "solid", "opacity": 0.95}
_ORDER = list(EDGE_STYLES) + ["disputed"]

MODEBAR = 30  # px of top margin a figure without a title keeps free for Plotly's toolbar
WEBGL_ABOVE = 1000  # nodes; above this, or above 5,000 drawn ties, traces are WebGL
TIE_HOVER_UP_TO = 3000  # ties; larger views hover and click on nodes only, to keep updates fast
PLOT_SIZE = (820, 600)
"""Pixel size of the dashboard graph's plot area, the default for label placement and axis padding."""
# Label placement compares boxes with marker squares directly up to this many pairs, then uses a pixel grid.
LABEL_GRID_ABOVE = 2_000_000
LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left")
"""Where a label may go around its node, in the order they are tried."""
LABEL_FONT = 11
LABEL_CANDIDATES = 150  # nodes; larger views label only (some of) their 150 first (selection, then largest)
MIDPOINT_SYMBOL_SIZE = 11
SHOWN_TIES = 0.85
VEIL = "rgba(255,255,255,0.78)"  # over the base traces while something is selected: ties at ~0.18, nodes at ~0.22
_VEIL_SPAN = 1000.0  # data units; far beyond any zoom out
_TEXT = "#1f2328"
_FADED_TEXT = "#8b949e"
_HALO = "1px 1px 1px #fff, -1px -1px 1px #fff, 1px -1px 1px #fff, -1px 1px 1px #fff"
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=12, color=_TEXT)


# Every style is explicit, so a plain-dict figure (no template) and a Figure (which would get Plotly's
# default template) look the same: both carry this empty one.
def _no_template() -> dict:
    return {"data": {"scatter": [{"type": "scatter"}]}}


def _esc(text: object) -> str:
    # Plotly renders a small HTML subset in chart text; data is shown as text, never markup.
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _style_key(d: dict) -> str:
    if d.get("status") == "disputed":
        return "disputed"
    if d.get("relation") == "event":
        return "meeting"
    return d["kind"] if d["kind"] in EDGE_STYLES else "meeting"


def _edge_style(key: str) -> dict:
    return DISPUTED if key == "disputed" else EDGE_STYLES[key]


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else "ongoing"


def node_title(H: nx.MultiGraph, n: str) -> str:
    """The offices a node holds in the view, with their dates, as hover markup: one escaped line
    per office ('Minister of Foreign Affairs (2004-03-09 – ongoing)'), joined by ``<br>``."""
    return _office_titles((u, v, k, d) for u, v, k, d in H.edges(n, keys=True, data=True)).get(n, "")


def _office_titles(edges: Iterable[tuple]) -> dict[str, str]:
    """:func:`node_title` of every office holder among ``edges`` (u, v, key, data), in one pass."""
    titles: dict[str, list] = defaultdict(list)
    for _, _, _, d in edges:
        if d.get("relation") == "affiliation" and d.get("kind") == "office" and d.get("source"):
            line = f"{_esc(d['title'] or 'Office')} ({_fmt(d['start'])} – {_fmt(d['end'])})"
            titles[d["source"]].append((d["start"] or dt.date.min, line))
    return {n: "<br>".join(line for _, line in sorted(ts)) for n, ts in titles.items()}


def _outline(nodes: list[str], selected: str) -> dict:
    """Marker outlines: thick black on the selected node, thin white elsewhere."""
    return dict(
        width=[3 if n == selected else 1 for n in nodes],
        color=["#000000" if n == selected else "#ffffff" for n in nodes],
    )


# ---- labels ------------------------------------------------------------------------------

SHORT_LABEL_OVER = 14  # characters; longer names of countries and organisations are shortened on the graph


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text)


def label_text(H: nx.MultiGraph, n: str) -> str:
    """The label of a node on the graph (plain text): its name, or for a country or organisation
    whose name is longer than :data:`SHORT_LABEL_OVER` characters, its first Latin-script alias
    that short (organisations fall back on their id, an acronym).  People keep their full name;
    the hover always shows the full name.

    >>> G = nx.MultiGraph(entities={})
    >>> G.add_node("CHN", kind="country", name="People's Republic of China", aliases=("China", "PRC"))
    >>> label_text(G, "CHN")
    'China'
    """
    attrs = H.nodes[n]
    name = str(attrs.get("name") or H.graph.get("entities", {}).get(n, {}).get("name", n))
    kind = attrs.get("kind")
    if len(name) <= SHORT_LABEL_OVER or kind not in ("country", "organization"):
        return name
    aliases = [str(a) for a in attrs.get("aliases") or () if a]
    if isinstance(attrs.get("aliases"), str):
        aliases = [a for a in str(attrs["aliases"]).split(";") if a]
    short = [a for a in aliases if _latin(a) and len(a) <= SHORT_LABEL_OVER]
    if short:
        return short[0]
    if kind == "organization" and len(n) <= SHORT_LABEL_OVER:
        return n
    return name


def text_width(text: str, font_size: float = LABEL_FONT) -> float:
    """Estimated width in px of ``text`` in DejaVu Sans (the widest of the fonts the figures ask
    for): about 0.6 em a letter, 1 em for East Asian wide characters."""
    w = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            w += 1.0
        elif ch == " ":
            w += 0.32
        elif ch in "iIjlft.,:;'|!()[]-":
            w += 0.38
        elif ch in "mwMW@":
            w += 0.95
        elif ch.isupper() or ch.isdigit():
            w += 0.72
        else:
            w += 0.62
    return w * font_size


def label_box(
    x: float, y: float, size: float, width: float, position: str, font_size: float = LABEL_FONT
) -> tuple[float, float, float, float]:
    """The pixel box ``(left, top, right, bottom)`` (y down) of a label of ``width`` px at
    ``position`` around a marker of diameter ``size`` centred on pixel ``(x, y)``.

    It follows Plotly's placement: the text sits ``size / 2 / 0.8 + 1`` px from the
    centre (a little outside the marker), its baseline ``0.75 em`` below the anchor
    for a middle position; a glyph reaches 0.93 em above the baseline and 0.24 em below.
    Takes numbers or numpy arrays (of ``x``, ``y``, ``size``, ``width``) alike.
    """
    diameter = np.asarray(size, dtype=float)
    off = np.where(diameter > 0, diameter / 2 / 0.8 + 1, 0.0)
    off = float(off) if off.ndim == 0 else off
    v = -1 if position.startswith("top") else 1 if position.startswith("bottom") else 0
    baseline = y + font_size * 0.75 + v * off + (v - 1) * font_size / 2
    top, bottom = baseline - 0.93 * font_size, baseline + 0.24 * font_size
    if position.endswith("left"):
        left = x - off - width
    elif position.endswith("right"):
        left = x + off
    else:
        left = x - width / 2
    return (left, top, left + width, bottom)


def place_labels(
    positions: Mapping[str, tuple[float, float]],
    sizes: Mapping[str, float],
    texts: Mapping[str, str],
    *,
    x_range: Sequence[float],
    y_range: Sequence[float],
    plot_size: tuple[float, float] = PLOT_SIZE,
    order: Iterable[str] | None = None,
    must: Iterable[str] = (),
    limit: int | None = None,
    font_size: float = LABEL_FONT,
    gap: float = 1.0,
) -> dict[str, str]:
    """Where to put node labels so that none overlaps another.

    ``positions`` are the centres of every marker (data coordinates), ``sizes``
    their diameters in px, ``texts`` the labels wanted (plain text, keyed by node).
    Candidates are tried in ``order`` (default: largest marker first, then by id;
    nodes in ``must`` always go first); each takes the first of
    :data:`LABEL_POSITIONS` whose estimated box (:func:`label_box`, with
    :func:`text_width`) lies inside the plot, overlaps no label placed before it
    (by ``gap`` px) and keeps clear of every other marker's centre (by a quarter of
    its diameter, at least 2 px, measured on a 1-px grid).  Nodes in ``must`` get a
    position even when none is free (inside the plot if it can be, then clashing
    with no label, then covering the fewest centres).  Nodes whose centre lies
    outside the plot get no label.  At most ``limit`` labels are placed.  Returns ``{node: textposition}`` for the
    labelled nodes; the others are left unlabelled (their name stays in the hover).

    The pixel geometry assumes a plot area of ``plot_size`` (width, height) px
    showing ``x_range`` × ``y_range``.

    >>> place_labels({"a": (0, 0), "b": (0, 0.05)}, {"a": 10, "b": 10}, {"a": "A", "b": "B"},
    ...              x_range=(-1, 1), y_range=(-1, 1), plot_size=(200, 200))
    {'a': 'bottom center', 'b': 'top center'}
    """
    (x0, x1), (y0, y1) = x_range, y_range
    w_px, h_px = float(plot_size[0]), float(plot_size[1])
    ids = list(positions)
    must = [n for n in dict.fromkeys(must) if n in texts and n in positions]
    if order is None:
        order = sorted(texts, key=lambda n: (-float(sizes.get(n, 0.0)), n))
    seen = set(must)
    queue = must + [n for n in order if n in texts and n in positions and n not in seen]
    if not queue:
        return {}
    xy = np.asarray([positions[n] for n in ids], dtype=float).reshape(-1, 2)
    px = np.column_stack(((xy[:, 0] - x0) * w_px / ((x1 - x0) or 1.0), (y1 - xy[:, 1]) * h_px / ((y1 - y0) or 1.0)))
    row = {n: i for i, n in enumerate(ids)}
    diam = np.asarray([float(sizes.get(n, 0.0)) for n in ids])

    # Where marker centres forbid a label: each centre's clearance square (a quarter of its diameter,
    # at least 2 px) covers pixels of a 1-px grid of the plot, and a box is free when it holds none
    # of them.  A node's own square never reaches its own label (the label sits at least 0.6
    # diameters from the centre).
    W, Hh = int(math.ceil(w_px)), int(math.ceil(h_px))
    clear = np.maximum(2.0, diam / 4)
    gx0 = np.clip(np.floor(px[:, 0] - clear), 0, W).astype(int)
    gx1 = np.clip(np.floor(px[:, 0] + clear) + 1, 0, W).astype(int)
    gy0 = np.clip(np.floor(px[:, 1] - clear), 0, Hh).astype(int)
    gy1 = np.clip(np.floor(px[:, 1] + clear) + 1, 0, Hh).astype(int)
    ok = (gx0 < gx1) & (gy0 < gy1)

    cand = [n for n in queue if 0 <= px[row[n], 0] <= w_px and 0 <= px[row[n], 1] <= h_px]
    # Few markers: each box is compared with every square (pixel rectangles intersect).  Many: the
    # squares are painted on the grid and summed into a table that answers "is any of it inside this
    # box" in four look-ups; summing a plot's half-million pixels costs more than the comparisons
    # of a view of a few hundred nodes (it was half of a dashboard request).  Both give the same answer.
    squares = np.flatnonzero(ok)
    table = None
    if len(cand) * len(squares) > LABEL_GRID_ABOVE:
        paint = np.zeros((Hh + 1, W + 1), dtype=np.int32)
        for (a, b), sign in (((gy0, gx0), 1), ((gy0, gx1), -1), ((gy1, gx0), -1), ((gy1, gx1), 1)):
            np.add.at(paint, (a[ok], b[ok]), sign)
        # int32 accumulators: numpy would otherwise widen every element to int64 first (2-3 times slower).
        covered_px = paint.cumsum(0, dtype=np.int32).cumsum(1, dtype=np.int32)[:Hh, :W] > 0
        table = np.zeros((Hh + 1, W + 1), dtype=np.int32)
        table[1:, 1:] = covered_px.cumsum(0, dtype=np.int32).cumsum(1, dtype=np.int32)
    sx0, sx1, sy0, sy1 = gx0[squares], gx1[squares], gy0[squares], gy1[squares]

    k = np.asarray([row[n] for n in cand], dtype=int)
    widths = np.asarray([text_width(texts[n], font_size) for n in cand])
    free = np.zeros((len(cand), len(LABEL_POSITIONS)), dtype=bool)
    boxes_of = np.zeros((len(cand), len(LABEL_POSITIONS), 4))
    for j, where in enumerate(LABEL_POSITIONS):
        b = np.stack(label_box(px[k, 0], px[k, 1], diam[k], widths, where, font_size), axis=1)
        boxes_of[:, j, :] = b
        inside = (b[:, 0] >= 0) & (b[:, 1] >= 0) & (b[:, 2] <= w_px) & (b[:, 3] <= h_px)
        bx0 = np.clip(np.floor(b[:, 0]), 0, W).astype(int)
        bx1 = np.clip(np.floor(b[:, 2]) + 1, 0, W).astype(int)
        by0 = np.clip(np.floor(b[:, 1]), 0, Hh).astype(int)
        by1 = np.clip(np.floor(b[:, 3]) + 1, 0, Hh).astype(int)
        if table is not None:
            blocked = (table[by1, bx1] - table[by0, bx1] - table[by1, bx0] + table[by0, bx0]) != 0
        else:
            blocked = (
                (np.maximum(bx0[:, None], sx0) < np.minimum(bx1[:, None], sx1))
                & (np.maximum(by0[:, None], sy0) < np.minimum(by1[:, None], sy1))
            ).any(axis=1)
        free[:, j] = inside & ~blocked

    cell = 48.0
    placed_boxes: dict[tuple[int, int], list[tuple[float, float, float, float]]] = defaultdict(list)

    def cells(b):
        for i in range(int(b[0] // cell), int(b[2] // cell) + 1):
            for j in range(int(b[1] // cell), int(b[3] // cell) + 1):
                yield (i, j)

    def clashes(b) -> bool:
        return any(
            b[0] < o[2] + gap and o[0] < b[2] + gap and b[1] < o[3] + gap and o[1] < b[3] + gap
            for c in cells(b)
            for o in placed_boxes.get(c, ())
        )

    def covered(i: int, b) -> int:
        e = clear
        inside = (px[:, 0] >= b[0] - e) & (px[:, 0] <= b[2] + e) & (px[:, 1] >= b[1] - e) & (px[:, 1] <= b[3] + e)
        return int(inside.sum()) - int(inside[i])

    placed: dict[str, str] = {}
    for c, n in enumerate(cand):
        if limit is not None and len(placed) >= limit:
            break
        best = None
        for j, where in enumerate(LABEL_POSITIONS):
            b = tuple(float(v) for v in boxes_of[c, j])
            if free[c, j] and not clashes(b):
                best = (where, b)
                break
        if best is None and n in seen:
            scored = []
            for j, where in enumerate(LABEL_POSITIONS):
                b = tuple(float(v) for v in boxes_of[c, j])
                outside = b[0] < 0 or b[1] < 0 or b[2] > w_px or b[3] > h_px
                scored.append((outside, clashes(b), covered(row[n], b), j, where, b))
            *_, where, b = min(scored)
            best = (where, b)
        if best is None:
            continue
        placed[n] = best[0]
        for cl in cells(best[1]):
            placed_boxes[cl].append(best[1])
    return placed


# ---- node colours and sizes ---------------------------------------------------------------


def _group_of(H: nx.MultiGraph, n: str, mode: str, communities: dict | None) -> str:
    """The colour group key of a node: its kind, its country (or '—') or its community (or 'none')."""
    attrs = H.nodes[n]
    kind = attrs.get("kind", "country")
    if mode == "country":
        return n if kind == "country" else attrs.get("country") or "—"
    if mode == "community" and communities is not None:
        c = communities.get(n)
        return f"com{int(c)}" if c is not None else "none"
    return kind if kind in KIND_STYLES else "country"


def _node_groups(H: nx.MultiGraph, mode: str, communities: dict | None) -> list[tuple[str, str, str, list[str]]]:
    """Node groups as (key, legend label, colour, sorted nodes), in legend order.

    By kind: the kind colours.  By country or community: the groups with the
    most ties get the :data:`GROUP_COLORS` (one each, so no two groups drawn
    share a colour); the rest form one grey 'Other countries' / 'Other
    communities' group; nodes with no country or community come last.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for n in H:
        members[_group_of(H, n, mode, communities)].append(n)
    if mode == "kind" or (mode == "community" and communities is None):
        keys = [k for k in KIND_STYLES if k in members]
        return [(k, KIND_STYLES[k]["label"], KIND_STYLES[k]["color"], sorted(members[k])) for k in keys]
    none_key = "—" if mode == "country" else "none"
    weight = {k: sum(H.degree(n) for n in ns) for k, ns in members.items()}
    ranked = sorted((k for k in members if k != none_key), key=lambda k: (-weight[k], -len(members[k]), k))
    coloured, rest = ranked[: len(GROUP_COLORS)], ranked[len(GROUP_COLORS) :]
    ents = H.graph.get("entities", {})
    out = []
    for i, k in enumerate(coloured):
        if mode == "country":
            label = H.nodes[k].get("name") if k in H else None
            label = label or ents.get(k, {}).get("name", k)
        else:
            label = f"Community {int(k[3:]) + 1}"
        out.append((k, label, GROUP_COLORS[i], sorted(members[k])))
    if rest:
        label = "Other countries" if mode == "country" else "Other communities"
        out.append(("other", label, OTHER_COLOR, sorted(n for k in rest for n in members[k])))
    if none_key in members:
        label = "No country" if mode == "country" else "No community"
        out.append((none_key, label, NONE_COLOR, sorted(members[none_key])))
    return out


def _sizes(H: nx.MultiGraph, values: dict[str, float] | None) -> dict[str, float]:
    """Marker diameters 9–32 px, by square root of the metric so area tracks the value."""
    if not values:
        values = {n: float(H.degree(n)) for n in H}
    vals = [max(float(values.get(n, 0.0)), 0.0) for n in H]
    top = max(vals) if vals else 0.0
    return {
        n: round(9.0 + 23.0 * math.sqrt(max(float(values.get(n, 0.0)), 0.0) / top), 3) if top > 0 else 12.0 for n in H
    }


# ---- ties --------------------------------------------------------------------------------


def _collect_ties(edges: Iterable[tuple]) -> tuple[dict, list]:
    """Ties to draw: event edges collapse into one line per pair, weighted by the number of events."""
    pairs: dict[tuple[str, str], list[tuple[str, dict]]] = defaultdict(list)
    singles = []
    for u, v, k, d in edges:
        if u == v:
            continue
        if d.get("relation") == "event" and d.get("status") != "disputed":
            pairs[(u, v) if u <= v else (v, u)].append((k, d))
        else:
            singles.append((u, v, k, d))
    return pairs, singles


def _meeting_width(weight: float) -> float:
    return round(_MEETING["width"] + 1.4 * math.log2(max(weight, 1)), 1)


def _safe(text: str) -> str:
    # Plotly builds CSS selectors from a trace's uid: keep it to letters, digits, '_' and '-'.
    return re.sub(r"[^A-Za-z0-9_]", lambda m: f"_{ord(m.group()):x}", text)


def _edge_uid(key: str, width: float) -> str:
    return f"edge-{key}-{_safe(f'{width:g}')}"


def _tie_segments(edges: Iterable[tuple], collected: tuple | None = None) -> dict[tuple[str, float], list]:
    """Node pairs to draw, grouped by the (style key, width) of the base trace that draws them
    (from ``edges``, or from their :func:`_collect_ties` when given); a pair once per style."""
    pairs, singles = collected if collected is not None else _collect_ties(edges)
    out: dict[tuple[str, float], list[tuple[str, str]]] = defaultdict(list)
    widths: dict[float, float] = {}
    for pair, items in pairs.items():
        weight = 0
        for _, d in items:
            weight += d.get("weight", 1)
        if weight not in widths:
            widths[weight] = _meeting_width(weight)
        out[("meeting", widths[weight])].append(pair)
    drawn: set[tuple[str, str, str]] = set()
    for u, v, _k, d in singles:
        key = _style_key(d)
        # Ties of one kind between the same two nodes (two officials of a country chairing one
        # body, seen at the country level) are one line: drawn once, not on top of each other.
        line = (key, u, v) if u <= v else (key, v, u)
        if line in drawn:
            continue
        drawn.add(line)
        out[(key, _edge_style(key)["width"])].append((u, v))
    return out


def _segments_xy(segs, pos, symbol: bool, as_list: bool):
    """x, y (and midpoint marker sizes when ``symbol``) of line segments between node pairs.

    A segment is ``a, b, gap`` or, with a midpoint symbol, ``a, mid, b, gap`` with a
    marker only at the midpoint.  Base traces get float arrays with NaN gaps (arrays,
    unlike lists, cost Plotly no per-point validation); overlays get plain lists
    with ``None`` gaps, which compare and patch exactly.
    """
    k = 4 if symbol else 3
    arr = np.full((len(segs), k, 2), np.nan)
    if segs:
        a = np.asarray([pos[u] for u, _ in segs], dtype=float)
        b = np.asarray([pos[v] for _, v in segs], dtype=float)
        arr[:, 0, :] = a
        if symbol:
            arr[:, 1, :] = (a + b) / 2
            arr[:, 2, :] = b
        else:
            arr[:, 1, :] = b
    xs, ys = arr[:, :, 0].ravel(), arr[:, :, 1].ravel()
    sizes = [0, MIDPOINT_SYMBOL_SIZE, 0, 0] * len(segs) if symbol else None
    if as_list:
        xs = [None if math.isnan(v) else float(v) for v in xs]
        ys = [None if math.isnan(v) else float(v) for v in ys]
    return xs, ys, sizes


_GL_DASHES = {"solid", "dot", "dash", "longdash", "dashdot", "longdashdot"}
"""The dash patterns WebGL lines draw (no custom px lists): the disputed pattern is drawn dash-dot there."""


def _line_trace(kind: str, style: dict, segs, pos, *, width: float | None = None, as_list: bool = False) -> dict:
    symbol = style.get("symbol")
    xs, ys, sizes = _segments_xy(segs, pos, bool(symbol), as_list)
    dash = style["dash"] if kind == "scatter" or style["dash"] in _GL_DASHES else "dashdot"
    trace = {
        "type": kind,
        "x": xs,
        "y": ys,
        "mode": "lines+markers" if symbol else "lines",
        "hoverinfo": "skip",
        "name": style["label"],
        "legendgroup": style["label"],
        "line": dict(color=style["color"], width=width or style["width"], dash=dash),
    }
    if symbol:
        is_open = symbol.endswith("-open")
        trace["marker"] = dict(
            symbol=symbol,
            size=sizes,
            color=style["color"],
            line=dict(width=2 if is_open else 1, color=style["color"] if is_open else "#ffffff"),
        )
    return trace


# ---- axes --------------------------------------------------------------------------------


def _axis_ranges(
    points: list[tuple[float, float]], plot_size: tuple[float, float], radius: float, font_size: float
) -> tuple[list[float], list[float]]:
    """Axis ranges that fit ``points`` into the plot area with room for markers and labels."""
    if not points:
        return [-1.12, 1.12], [-1.12, 1.12]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    w, h = plot_size
    pad_x, pad_y = radius + 8.0, radius + 1.3 * font_size + 6.0
    out = []
    for lo, hi, px, pad in ((min(xs), max(xs), w, pad_x), (min(ys), max(ys), h, pad_y)):
        span = hi - lo
        if span < 0.2:  # a single node or a line of nodes: give it some room
            mid = (lo + hi) / 2
            lo, hi, span = mid - 0.1, mid + 0.1, 0.2
        per_px = span / max(px - 2 * pad, px / 2)
        out.append([round(lo - pad * per_px, 6), round(hi + pad * per_px, 6)])
    return out[0], out[1]


# ---- the network -------------------------------------------------------------------------


_LAYERS = ("edge-", "added", "removed", "ties", "nodes-", "veil", "path", "sel-tie", "hl-edge-", "hl-nodes", "labels")


def trace_layer(uid: str) -> int:
    """Where a network-figure trace (by its ``uid``) stacks: 0 for the ties at the bottom, then
    changes, tie hover points, nodes, and the overlays (veil, path, selected tie, highlighted
    ties and nodes) up to the labels on top (10); unknown uids after all.  Tools that merge
    the traces of several figures (the HTML export's frames) keep this order, so the veil
    stays over the nodes and the labels stay on top."""
    return next((i for i, prefix in enumerate(_LAYERS) if str(uid).startswith(prefix)), len(_LAYERS))


def _as_plain(fig) -> dict:
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig


def _uids(data: list[dict]) -> dict[str, int]:
    return {t.get("uid"): i for i, t in enumerate(data) if t.get("uid")}


def _node_points(data: list[dict]) -> dict[str, dict]:
    """Every node drawn by the base node traces: position, size, symbol, colour."""
    out = {}
    for t in data:
        if not str(t.get("uid", "")).startswith("nodes-"):
            continue
        m = t["marker"]
        for c, x, y, s, sym in zip(t["customdata"], t["x"], t["y"], m["size"], m["symbol"]):
            out[c[5:]] = {"x": x, "y": y, "size": s, "symbol": sym, "color": m["color"]}
    return out


def _resolve_selection(H: nx.MultiGraph, selected: str):
    """(selected node or '', the tie's two ends or [], the bright nodes, the highlighted edges)."""
    selected = selected or ""
    tie = selected.split("|")[1:3] if selected.startswith(("edge|", "pair|")) else []
    if len(tie) == 2 and all(n in H for n in tie) and H.has_edge(*tie):
        u, v = tie
        edges = [(u, v, k, d) for k, d in H.get_edge_data(u, v).items()]
        return "", tie, set(tie), edges
    if selected in H:
        return selected, [], set(H.neighbors(selected)) | {selected}, list(H.edges(selected, keys=True, data=True))
    return "", [], set(), []


def _path_lists(path) -> list[list[str]]:
    if not path:
        return []
    if all(isinstance(p, str) for p in path):
        return [list(path)]
    return [list(p) for p in path if p]


def _path_trace(kind: str, paths: list[list[str]], pos: Mapping, nodes: dict[str, dict]) -> dict:
    """The path overlay: a thick band along every hop and a halo behind every node of the paths."""
    xs: list = []
    ys: list = []
    msize: list = []
    for p in paths:
        hop = [n for n in p if n in pos]
        for a, b in zip(hop, hop[1:]):
            for n in (a, b):
                xs.append(float(pos[n][0]))
                ys.append(float(pos[n][1]))
                msize.append(round(float(nodes.get(n, {}).get("size", 12.0)) + 14, 3))
            xs.append(None)
            ys.append(None)
            msize.append(0)
    return {
        "type": kind,
        "uid": "path",
        "name": PATH_STYLE["label"],
        "legendgroup": PATH_STYLE["label"],
        "legendrank": 5,
        "showlegend": bool(xs),
        "mode": "lines+markers",
        "hoverinfo": "skip",
        "x": xs,
        "y": ys,
        "opacity": PATH_STYLE["opacity"],
        "line": dict(color=PATH_STYLE["color"], width=PATH_STYLE["width"], dash=PATH_STYLE["dash"]),
        "marker": dict(symbol="circle", size=msize, color=PATH_STYLE["color"], line=dict(width=0)),
        "meta": {"path": [list(p) for p in paths]},
    }


def _overlays(
    data: list[dict], H: nx.MultiGraph, positions: Mapping, selected: str, label_meta: dict, paths, ranges=None
):
    """The overlay traces (veil, path, selected tie, highlighted ties, highlighted nodes, labels)
    for a selection and paths, computed from the base traces in ``data``.

    The base traces never change: while something is selected a white veil over
    them fades them (a trace's own opacity would fade its legend entry too), and
    the selection's ties and nodes are drawn again on top.  The path band lies
    over the veil, under the path's own nodes and ties, which are drawn again too.
    """
    uids = _uids(data)
    kind = label_meta.get("type", "scatter")
    pos = {n: positions.get(n, (0.0, 0.0)) for n in H}
    nodes = _node_points(data)
    sel_node, tie, bright, edges = _resolve_selection(H, selected)
    active = bool(bright)
    path_nodes = [n for p in paths for n in p if n in H]
    hops = {frozenset(h) for p in paths for h in zip(p, p[1:]) if len(set(h)) == 2 and all(n in H for n in h)}
    known = {(u, v, k) for u, v, k, _ in edges}
    for a, b in sorted(tuple(sorted(h)) for h in hops):
        for k, d in (H.get_edge_data(a, b) or {}).items():
            if (a, b, k) not in known and (b, a, k) not in known:
                edges.append((a, b, k, d))
    lit = bright | set(path_nodes)

    overlays: list[dict] = [
        {
            "type": kind,
            "uid": "veil",
            "name": "veil",
            "showlegend": False,
            "visible": active,
            "mode": "lines",
            "hoverinfo": "skip",
            **({"hoveron": "points"} if kind == "scatter" else {}),
            "x": [-_VEIL_SPAN, _VEIL_SPAN, _VEIL_SPAN, -_VEIL_SPAN, -_VEIL_SPAN],
            "y": [-_VEIL_SPAN, -_VEIL_SPAN, _VEIL_SPAN, _VEIL_SPAN, -_VEIL_SPAN],
            "fill": "toself",
            "fillcolor": VEIL,
            "line": dict(width=0, color=VEIL),
        },
        _path_trace(kind, paths, {**positions, **pos}, nodes),
    ]
    tie_segs = [tuple(tie)] if tie else []
    xs, ys, _ = _segments_xy(tie_segs, pos, False, True)
    overlays.append(
        {
            "type": kind,
            "uid": "sel-tie",
            "name": SELECTED_TIE["label"],
            "legendgroup": SELECTED_TIE["label"],
            "legendrank": 6,
            "showlegend": bool(tie),
            "mode": "lines",
            "hoverinfo": "skip",
            "x": xs,
            "y": ys,
            "opacity": SELECTED_TIE["opacity"],
            "line": dict(color=SELECTED_TIE["color"], width=SELECTED_TIE["width"], dash=SELECTED_TIE["dash"]),
        }
    )
    segs = _tie_segments(edges)
    for uid, i in uids.items():
        if not uid.startswith("edge-"):
            continue
        base = data[i]
        key, width = uid.split("-")[1], base["line"]["width"]
        trace = _line_trace(kind, _edge_style(key), segs.get((key, width), []), pos, width=width, as_list=True)
        trace.update(uid="hl-" + uid, showlegend=False, legendgroup=base.get("legendgroup"))
        overlays.append(trace)

    # Bright nodes on top of the faded ones, the selected node last; hover stays with the base traces.
    order = sorted((n for n in lit if n in nodes), key=lambda n: (n == sel_node, n))
    overlays.append(
        {
            "type": kind,
            "uid": "hl-nodes",
            "name": "highlight",
            "showlegend": False,
            "mode": "markers",
            "hoverinfo": "skip",
            "x": [nodes[n]["x"] for n in order],
            "y": [nodes[n]["y"] for n in order],
            "marker": dict(
                size=[nodes[n]["size"] for n in order],
                color=[nodes[n]["color"] for n in order],
                symbol=[nodes[n]["symbol"] for n in order],
                opacity=1.0,
                line=_outline(order, sel_node),
            ),
        }
    )

    # Labels: the selection first, then the paths' nodes, then the bright nodes, then by size.
    (xr, yr) = ranges or (label_meta["x_range"], label_meta["y_range"])
    on_screen = {
        n for n, p in nodes.items() if n in H and min(xr) <= p["x"] <= max(xr) and min(yr) <= p["y"] <= max(yr)
    }
    names = {n: label_text(H, n) for n in nodes if n in on_screen}
    must = ([sel_node] if sel_node else []) + [n for n in tie if n in names] + path_nodes
    # In a large view only the first LABEL_CANDIDATES may be labelled: a label on a small node at
    # the rim, where there is room, says less than none.
    order = sorted(names, key=lambda n: (n not in lit, -float(nodes[n]["size"]), n))[:LABEL_CANDIDATES]
    placed = place_labels(
        {n: (p["x"], p["y"]) for n, p in nodes.items()},
        {n: p["size"] for n, p in nodes.items()},
        names,
        x_range=xr,
        y_range=yr,
        plot_size=tuple(label_meta["plot_size"]),
        order=order,
        must=must,
        limit=label_meta.get("limit"),
        font_size=label_meta.get("font_size", LABEL_FONT),
    )
    shown = sorted(placed)
    overlays.append(
        {
            "type": kind,
            "uid": "labels",
            "name": "labels",
            "showlegend": False,
            "mode": "markers+text",
            "hoverinfo": "skip",
            "x": [nodes[n]["x"] for n in shown],
            "y": [nodes[n]["y"] for n in shown],
            "text": [_esc(names[n]) for n in shown],
            "textposition": [placed[n] for n in shown],
            "meta": {"nodes": shown},
            "textfont": dict(
                size=label_meta.get("font_size", LABEL_FONT),
                color=[_FADED_TEXT if active and n not in lit else _TEXT for n in shown],
                # A white halo keeps a label readable over ties (SVG only; WebGL text has none).
                **({"shadow": _HALO} if kind == "scatter" else {}),
            ),
            # Invisible markers of the nodes' size, so Plotly keeps the text clear of the node at any zoom.
            "marker": dict(size=[nodes[n]["size"] for n in shown], color="rgba(0,0,0,0)", line=dict(width=0)),
        }
    )
    return overlays


def make_network_figure(
    H: nx.MultiGraph,
    positions: dict[str, tuple[float, float]],
    *,
    sizes: dict[str, float] | None = None,
    metric_label: str = "degree",
    color_by: str = "kind",
    communities: dict[str, int] | None = None,
    selected: str = "",
    added: set | None = None,
    removed: set | None = None,
    title: str | None = None,
    caption: str | None = None,
    labels: int | None = None,
    height: int | None = None,
    extent: Iterable[str] | None = None,
    path: Sequence[str] | Sequence[Sequence[str]] | None = None,
    plot_size: tuple[int, int] | None = None,
    uirevision: str = "network",
    as_dict: bool = False,
) -> go.Figure | dict:
    """The network view of ``H`` at fixed ``positions``.

    Nodes: size by ``sizes`` (a metric's values; degree when None), symbol by
    kind, colour by kind, country or community (``color_by``; by country or
    community the seven most connected groups get one Okabe-Ito colour each and
    the rest one grey 'Other countries' / 'Other communities' group, so no two
    groups share a colour).  Ties: one trace per relation style and
    width (see :data:`EDGE_STYLES`), meetings collapsed per pair with width by
    the number of events, disputed ties in their own trace; invited, declined,
    disputed, added and removed ties carry a symbol at their midpoint.
    Invisible midpoint markers carry each tie's hover text and its id in
    ``customdata`` (``'edge|u|v|key'`` or ``'pair|u|v'``), for views of up to
    :data:`TIE_HOVER_UP_TO` ties; node markers carry ``'node|id'``.
    ``added``/``removed`` (sets of frozenset pairs) overlay the changes between
    two windows.

    Labels (:func:`label_text`: long country and organisation names shortened)
    are placed by :func:`place_labels` for a plot area of ``plot_size`` px
    (default :data:`PLOT_SIZE`, its height taken from ``height`` when given):
    the selection first, then the nodes of ``path``, then the selection's
    neighbours, then the largest nodes (only the first
    :data:`LABEL_CANDIDATES` of them in larger views), each where it overlaps
    no other label and comes near no other marker's centre; at most ``labels``
    of them when given.  The labels are a trace of their own in which every point has text.

    The axes fit the nodes named by ``extent`` (default: the nodes of ``H``) with
    room for markers and labels, without a fixed aspect ratio, so the graph
    fills its area; passing a view's nodes over the whole time span keeps the
    zoom still while the window moves.  The legend is a column right of the
    plot.  ``uirevision`` keeps the user's zoom and pan across updates that
    share it (pass one per level: positions differ between levels).

    ``selected`` (a node id or a tie id) and ``path`` (node ids, or several
    lists of them, drawn as a thick yellow 'Path' band along its hops with a
    halo behind each of its nodes, which are labelled and drawn on top) change
    only the overlay traces; the trace list is ``[ties…, (added, removed), tie
    hover points, node groups…, veil, path, selected tie, highlighted ties…,
    highlighted nodes, labels]`` (see :func:`trace_layer`), every trace with a
    stable ``uid`` (Plotly matches traces by it when the figure is replaced).
    See :func:`selection_updates`.

    Returns a :class:`plotly.graph_objects.Figure`, or with ``as_dict=True`` the
    same figure as a plain dict, unvalidated (big coordinate arrays stay numpy
    arrays; Dash's JSON encoder takes them as they are).
    """
    # The top of a larger view (views.top_view) keeps that view's trace type: drilling down then never switches it.
    webgl = len(H) > WEBGL_ABOVE or H.number_of_edges() > 5000 or H.graph.get("top", {}).get("of", 0) > WEBGL_ABOVE
    kind = "scattergl" if webgl else "scatter"
    ents = H.graph.get("entities", {})
    names = {n: H.nodes[n].get("name") or ents.get(n, {}).get("name", n) for n in H}
    pos = {n: positions.get(n, (0.0, 0.0)) for n in H}
    size = _sizes(H, sizes)

    # ---- ties ----
    pairs, singles = _collect_ties(H.edges(keys=True, data=True))
    tie_hover = len(pairs) + len(singles) <= TIE_HOVER_UP_TO
    groups = _tie_segments((), (pairs, singles))
    offices = _office_titles(singles)
    degree = dict(H.degree())
    mids_x, mids_y, mids_text, mids_id = [], [], [], []
    if tie_hover:
        for (u, v), items in pairs.items():
            weight = sum(d.get("weight", 1) for _, d in items)
            lines = [
                f"{_fmt(d['start'])} · {_esc(d.get('title', ''))}"
                for _, d in sorted(items, key=lambda kd: kd[1]["start"])[:8]
            ]
            more = f"<br>… and {len(items) - 8} more" if len(items) > 8 else ""
            mids_text.append(
                f"<b>{_esc(names[u])} — {_esc(names[v])}</b><br>{weight} event{'s' if weight != 1 else ''}"
                f"<br>" + "<br>".join(lines) + more
            )
            mids_id.append(f"pair|{u}|{v}")
            mids_x.append((pos[u][0] + pos[v][0]) / 2)
            mids_y.append((pos[u][1] + pos[v][1]) / 2)
        for u, v, k, d in singles:
            key = _style_key(d)
            style = _edge_style(key)
            src, dst = d.get("source", u), d.get("target", v)
            label = (
                style["label"] if key != "disputed" else f"{EDGE_STYLES.get(d['kind'], _MEETING)['label']} — disputed"
            )
            extra = f"<br>{_esc(d['title'])}" if d.get("title") else ""
            conf = " · low confidence" if d.get("confidence") == "low" else ""
            mids_text.append(
                f"<b>{_esc(names.get(src, src))} → {_esc(names.get(dst, dst))}</b><br>{_esc(label)}{extra}"
                f"<br>{_fmt(d['start'])} – {_fmt(d['end'])}{conf}"
            )
            mids_id.append(f"edge|{u}|{v}|{k}")
            mids_x.append((pos[u][0] + pos[v][0]) / 2)
            mids_y.append((pos[u][1] + pos[v][1]) / 2)

    traces: list[dict] = []
    shown_legend: set[str] = set()

    for key, width in sorted(groups, key=lambda kw: (_ORDER.index(kw[0]), kw[1])):
        style = _edge_style(key)
        trace = _line_trace(kind, style, groups[(key, width)], pos, width=width)
        trace.update(
            uid=_edge_uid(key, width),
            showlegend=style["label"] not in shown_legend,
            legendrank=100 + _ORDER.index(key),
            opacity=SHOWN_TIES,
        )
        shown_legend.add(style["label"])
        traces.append(trace)
    for i, (pairs_set, style) in enumerate(((added, ADDED), (removed, REMOVED))):
        segs = [
            (a, b) for a, b in (tuple(sorted(p)) for p in (pairs_set or ()) if len(p) == 2) if a in pos and b in pos
        ]
        if segs:
            trace = _line_trace(kind, style, sorted(segs), pos)
            trace.update(uid="added" if style is ADDED else "removed", opacity=0.9, legendrank=90 + i)
            traces.append(trace)
    if mids_x:
        # Hover and click find a tie from its midpoint's coordinates: in SVG nothing is drawn
        # there (an invisible marker per tie was as costly to draw as the tie itself).
        traces.append(
            {
                "type": kind,
                "uid": "ties",
                "x": mids_x,
                "y": mids_y,
                "mode": "markers" if webgl else "none",
                "name": "ties",
                "showlegend": False,
                "hoverinfo": "text",
                "hovertext": mids_text,
                "customdata": mids_id,
                "marker": dict(size=9, color="rgba(0,0,0,0)", line=dict(width=0)),
            }
        )

    # ---- nodes ----
    for rank, (key, label, colour, nodes) in enumerate(_node_groups(H, color_by, communities)):
        hover = []
        for n in nodes:
            a = H.nodes[n]
            t = offices.get(n, "")
            metric = f"<br>{_esc(metric_label)}: {float((sizes or {}).get(n, degree[n])):.3g}"
            hover.append(f"<b>{_esc(names[n])}</b> ({_esc(a.get('kind', ''))})" + (f"<br>{t}" if t else "") + metric)
        traces.append(
            {
                "type": kind,
                "uid": f"nodes-{_safe(key)}",
                "x": [pos[n][0] for n in nodes],
                "y": [pos[n][1] for n in nodes],
                "mode": "markers",
                "name": _esc(label),
                "legendgroup": f"nodes-{key}",
                "legendrank": 10 + rank,
                "hoverinfo": "text",
                "hovertext": hover,
                "customdata": [f"node|{n}" for n in nodes],
                "opacity": 1.0,
                "marker": dict(
                    size=[size[n] for n in nodes],
                    color=colour,
                    symbol=[KIND_STYLES.get(H.nodes[n].get("kind"), KIND_STYLES["country"])["symbol"] for n in nodes],
                    line=dict(width=1, color="#ffffff"),
                ),
            }
        )

    # ---- axes, labels, overlays ----
    top = 10 + (32 if title else 0) + (22 if caption else 0) if title or caption else MODEBAR
    if plot_size is None:
        plot_size = (PLOT_SIZE[0], max(height - top - 10, 200) if height else PLOT_SIZE[1])
    extent_nodes = list(H) if extent is None else [n for n in extent if n in positions]
    radius = max(size.values(), default=12.0) / 2
    x_range, y_range = _axis_ranges([positions[n] for n in extent_nodes], plot_size, radius, LABEL_FONT)
    label_meta = {
        "type": kind,
        "x_range": x_range,
        "y_range": y_range,
        "plot_size": list(plot_size),
        "limit": labels,
        "font_size": LABEL_FONT,
    }
    traces += _overlays(traces, H, positions, selected, label_meta, _path_lists(path))

    annotations = []
    if caption:
        annotations.append(
            dict(
                text=_esc(caption),
                xref="paper",
                yref="paper",
                x=0,
                y=1.0,
                xanchor="left",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=10, color="#444"),
            )
        )
    if not len(H):
        annotations.append(
            dict(
                text="No ties in this window with these filters",
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.5,
                showarrow=False,
                font=dict(size=16, color="#444"),
            )
        )
    axis = dict(visible=False, fixedrange=False, autorange=False)
    layout = dict(
        xaxis={**axis, "range": x_range},
        yaxis={**axis, "range": y_range},
        showlegend=True,
        # A column right of the plot: always in view, never over a node.
        legend=dict(
            x=1.0,
            xanchor="left",
            y=1.0,
            yanchor="top",
            font=dict(size=11),
            itemsizing="constant",
            tracegroupgap=2,
            bgcolor="rgba(255,255,255,0.9)",
        ),
        margin=dict(l=10, r=10, t=top, b=10),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        dragmode="pan",
        uirevision=uirevision,
        font=FONT,
        **({"annotations": annotations} if annotations else {}),
        clickmode="event",
        hoverlabel=dict(align="left"),
        meta={"labels": label_meta},
        template=_no_template(),
    )
    if title:
        layout["title"] = dict(text=_esc(title), x=0.01, font=dict(size=16))
    if height:
        layout["height"] = height
    fig = {"data": traces, "layout": layout}
    return fig if as_dict else go.Figure(fig)


def selection_updates(
    fig,
    H: nx.MultiGraph,
    positions: Mapping[str, tuple[float, float]],
    selected: str,
    path=None,
    *,
    ranges: tuple[Sequence[float], Sequence[float]] | None = None,
) -> list[tuple[int, tuple[str, ...], object]]:
    """The changes that turn ``fig`` (a network figure of ``H`` by :func:`make_network_figure`,
    built with any selection and path) into the one built with ``selected`` (a node id,
    ``'pair|u|v'``, ``'edge|u|v|key'`` or '').

    Returns ``(trace index, property path, new value)`` triples, e.g.
    ``(24, ("visible",), True)`` or ``(41, ("x",), [...])``, for the top-level
    properties of the overlay traces (veil, path, selected tie, highlighted
    ties and nodes, labels) that differ; the base traces never change, nor does
    the layout.  Applied as ``patch["data"][i][p0][p1]… = value`` (a
    ``dash.Patch``) they give exactly the ``data`` that
    :func:`make_network_figure` builds for ``selected``.  ``path`` (as there)
    replaces the drawn path too; None keeps the figure's.  ``ranges`` (the
    ``(x_range, y_range)`` the user zoomed to, from ``relayoutData``) places the
    labels for what is on screen instead of the whole view, so zooming into a
    dense area labels it.  ``fig`` is a dict,
    a Figure or the figure as the browser holds it (only read): node positions,
    sizes, colours and the label geometry (``layout.meta``) are taken from it.
    """
    plain = _as_plain(fig)
    data = [dict(t) for t in plain["data"]]
    meta = (plain.get("layout") or {}).get("meta", {}).get("labels")
    if meta is None:
        raise ValueError("not a network figure of make_network_figure (its layout has no label geometry)")
    uids = _uids(data)
    out: list[tuple[int, tuple[str, ...], object]] = []
    if path is None:
        paths = _path_lists(((data[uids["path"]].get("meta") or {}).get("path") or []) if "path" in uids else [])
    else:
        paths = _path_lists(path)
    for new in _overlays(data, H, positions, selected, meta, paths, ranges):
        i = uids[new["uid"]]
        out += [(i, (k,), v) for k, v in new.items() if data[i].get(k) != v]
    return out


# ---- the map -----------------------------------------------------------------------------

MAP_PLOT_SIZE = (820, 427)  # px of the map's plot area (the Natural Earth world is 1.92 times as wide as high)
_NE_X, _NE_Y = 2.73539, 1.42239  # the Natural Earth projection's half-width and half-height (radians)


def _natural_earth(lon: float, lat: float) -> tuple[float, float]:
    """The Natural Earth projection (Šavrič et al. 2011, as d3-geo and Plotly draw it), in radians."""
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.870700 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return x, y


MAP_STATUSES: dict[str, dict] = {
    "disputed": {"label": DISPUTED["label"], "color": DISPUTED["color"], "symbol": "triangle-up"},
    "member": {"label": "Member", "color": EDGE_STYLES["member"]["color"], "symbol": "square"},
    "partner": {"label": "Partner country", "color": "#117733", "symbol": "diamond"},
    "invited": {"label": "Invited", "color": EDGE_STYLES["invited"]["color"], "symbol": "circle-open"},
    "declined": {"label": "Declined", "color": EDGE_STYLES["declined"]["color"], "symbol": "x"},
    "none": {"label": "No tie to an organisation", "color": "#8c8c8c", "symbol": "circle"},
}
"""A country's status towards the organisations of a view, in precedence order (the map shows the first
that applies; the hover lists them all)."""
_KIND_WORDS = {
    "founding_member": "founding member",
    "member": "member",
    "chair": "chair",
    "partner": "partner country",
    "invited": "invited",
    "declined": "declined",
}
_STATUS_OF_KIND = {
    "founding_member": "member",
    "member": "member",
    "chair": "member",
    "partner": "partner",
    "invited": "invited",
    "declined": "declined",
}


def map_statuses(P: nx.MultiGraph) -> dict[str, tuple[str, list[str]]]:
    """Each country's status towards the organisations of ``P`` and the hover lines behind it.

    For each (country, organisation), the tie that starts last in the view
    decides (invited then declined reads 'declined'; a disputed tie reads
    'disputed'); across organisations the first of :data:`MAP_STATUSES` wins.
    Returns ``{country: (status, ['BRICS: member (founding), 2006-09-20 – ongoing', …])}``
    with the lines escaped for hover text.
    """
    ents = P.graph.get("entities", {})
    out = {}
    rank = list(MAP_STATUSES)
    for n in P:
        if P.nodes[n].get("kind") != "country":
            continue
        by_org: dict[str, list[dict]] = defaultdict(list)
        for _, o, d in P.edges(n, data=True):
            if d.get("relation") == "affiliation" and d.get("kind") in _STATUS_OF_KIND and o != n:
                by_org[o].append(d)
        statuses, lines = [], []
        for org in sorted(by_org):
            ties = sorted(by_org[org], key=lambda d: (d["start"] or dt.date.min, d["kind"]))
            last = ties[-1]
            statuses.append("disputed" if last.get("status") == "disputed" else _STATUS_OF_KIND[last["kind"]])
            org_name = P.nodes[org].get("name") if org in P else None
            org_name = org_name or ents.get(org, {}).get("name", org)
            for d in ties:
                what = _KIND_WORDS.get(d["kind"], d["kind"]) + (" — disputed" if d.get("status") == "disputed" else "")
                lines.append(f"{_esc(org_name)}: {_esc(what)}, {_fmt(d['start'])} – {_fmt(d['end'])}")
        status = min(statuses, key=rank.index) if statuses else "none"
        out[n] = (status, lines)
    return out


def make_map_figure(
    P: nx.MultiGraph,
    *,
    sizes: dict[str, float] | None = None,
    metric_label: str = "degree",
    selected: str = "",
    title: str | None = None,
    height: int | None = None,
    as_dict: bool = False,
) -> go.Figure | dict:
    """Countries of a country-level view at their geographic centroids, ties between them.

    Country–country event ties are lines (width by the number of events).  Each
    country's marker shows its status towards the organisations in the view
    (member, partner, invited, declined, disputed, or none; see
    :func:`map_statuses` and :data:`MAP_STATUSES`) by symbol and colour, one
    legend entry each, and its hover names every organisation tie with its
    dates.  Countries without a known position are listed in an annotation.
    """
    cents = country_centroids()
    ents = P.graph.get("entities", {})
    countries = sorted(n for n in P if P.nodes[n].get("kind") == "country" and n in cents)
    missing = sorted(n for n in P if P.nodes[n].get("kind") == "country" and n not in cents)
    traces: list[dict] = []
    by_width: dict[float, list] = defaultdict(list)
    mid_lon, mid_lat, mid_text = [], [], []
    for u, v, d in P.edges(data=True):
        if d.get("relation") != "event" or u not in cents or v not in cents:
            continue
        w = d.get("weight", 1)
        by_width[round(1.0 + 1.4 * math.log2(w), 1)].append((u, v))
        mid_lon.append((cents[u][0] + cents[v][0]) / 2)
        mid_lat.append((cents[u][1] + cents[v][1]) / 2)
        mid_text.append(
            f"<b>{_esc(ents.get(u, {}).get('name', u))} — {_esc(ents.get(v, {}).get('name', v))}</b>"
            f"<br>{w} event{'s' if w != 1 else ''}"
        )
    first = True
    for width, segs in sorted(by_width.items()):
        lon: list = []
        lat: list = []
        for u, v in segs:
            lon += [cents[u][0], cents[v][0], None]
            lat += [cents[u][1], cents[v][1], None]
        traces.append(
            {
                "type": "scattergeo",
                "uid": f"meetings-{_safe(f'{width:g}')}",
                "lon": lon,
                "lat": lat,
                "mode": "lines",
                "hoverinfo": "skip",
                "name": _MEETING["label"],
                "legendgroup": "ties",
                "legendrank": 100,
                "showlegend": first,
                "line": dict(width=width, color=_MEETING["color"]),
                "opacity": 0.7,
            }
        )
        first = False
    if mid_lon:
        traces.append(
            {
                "type": "scattergeo",
                "uid": "ties",
                "lon": mid_lon,
                "lat": mid_lat,
                "mode": "markers",
                "hoverinfo": "text",
                "hovertext": mid_text,
                "showlegend": False,
                "name": "ties",
                "marker": dict(size=8, color="rgba(0,0,0,0)"),
            }
        )
    size = _sizes(P, sizes)
    statuses = map_statuses(P)
    names = {n: P.nodes[n].get("name") or ents.get(n, {}).get("name", n) for n in countries}
    for rank, (status, style) in enumerate(MAP_STATUSES.items()):
        nodes = [n for n in countries if statuses[n][0] == status]
        if not nodes:
            continue
        hover = [
            f"<b>{_esc(names[n])}</b>"
            + f"<br>{float((sizes or {}).get(n, P.degree(n))):.3g} {_esc(metric_label)}"
            + "".join(f"<br>{t}" for t in statuses[n][1])
            for n in nodes
        ]
        is_open = style["symbol"].endswith("-open")
        line = _outline(nodes, selected)
        if is_open:
            line = dict(width=[4 if n == selected else 2.5 for n in nodes], color=style["color"])
        traces.append(
            {
                "type": "scattergeo",
                "uid": f"countries-{status}",
                "lon": [cents[n][0] for n in nodes],
                "lat": [cents[n][1] for n in nodes],
                "mode": "markers",
                "hoverinfo": "text",
                "hovertext": hover,
                "customdata": [f"node|{n}" for n in nodes],
                "name": _esc(style["label"]),
                "legendrank": 10 + rank,
                "marker": dict(
                    size=[size[n] for n in nodes],
                    color=style["color"],
                    symbol=style["symbol"],
                    opacity=0.9,
                    line=line,
                ),
            }
        )
    # Names in a trace of their own, every point with text (see make_network_figure's labels), placed
    # by place_labels on the map's projection: the selection first, then the largest countries.
    projected = {n: _natural_earth(*cents[n]) for n in countries}
    placed = place_labels(
        projected,
        {n: size[n] for n in countries},
        {n: label_text(P, n) for n in countries},
        x_range=(-_NE_X, _NE_X),
        y_range=(-_NE_Y, _NE_Y),
        plot_size=MAP_PLOT_SIZE,
        must=[selected] if selected in projected else [],
    )
    labelled = sorted(placed)
    traces.append(
        {
            "type": "scattergeo",
            "uid": "labels",
            "lon": [cents[n][0] for n in labelled],
            "lat": [cents[n][1] for n in labelled],
            "mode": "markers+text",
            "text": [_esc(label_text(P, n)) for n in labelled],
            "textposition": [placed[n] for n in labelled],
            "textfont": dict(size=11, color=_TEXT, shadow=_HALO),
            "hoverinfo": "skip",
            "showlegend": False,
            "name": "labels",
            "marker": dict(size=[size[n] for n in labelled], color="rgba(0,0,0,0)", line=dict(width=0)),
        }
    )
    orgs = sorted(
        {o for n in countries for _, o, d in P.edges(n, data=True) if d.get("relation") == "affiliation" and o != n}
        & {o for o in P if P.nodes[o].get("kind") == "organization"}
    )
    org_names = [P.nodes[o].get("name") or ents.get(o, {}).get("name", o) for o in orgs]
    annotations = []
    if missing:
        annotations.append(
            dict(
                text="Not on the map: " + _esc(", ".join(missing)),
                xref="paper",
                yref="paper",
                x=0,
                xanchor="left",
                y=1,
                yanchor="bottom",  # above the map (the legend is under it)
                showarrow=False,
                font=dict(size=10),
            )
        )
    layout = dict(
        geo=dict(
            projection_type="natural earth",
            showcountries=True,
            countrycolor="#b0b7c3",
            showland=True,
            landcolor="#eef0f3",
            showocean=True,
            oceancolor="#f7fbff",
            showframe=False,
            resolution=110,
        ),
        margin=dict(l=0, r=0, t=40 if title else MODEBAR, b=0),
        showlegend=True,
        uirevision="map",
        font=FONT,
        hoverlabel=dict(align="left"),
        template=_no_template(),
        # Under the map, in rows: never over a country, and the map gets the figure's whole width
        # (beside it, the legend left a map a third narrower, centred in a band of empty space).
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=-0.02,
            yanchor="top",
            bgcolor="rgba(255,255,255,0.9)",
            itemsizing="constant",
            title=dict(
                text="Status towards " + _esc(", ".join(org_names)) if org_names else "Countries",
                side="top",  # its own row: the entries get the whole width
            ),
            traceorder="normal",  # grouped, a horizontal legend sets each group in a column of its own
        ),
        **({"annotations": annotations} if annotations else {}),
    )
    if title:
        layout["title"] = dict(text=_esc(title), x=0.01)
    if height:
        layout["height"] = height
    fig = {"data": traces, "layout": layout}
    return fig if as_dict else go.Figure(fig)


# ---- timeline and series -------------------------------------------------------------------


def make_timeline_figure(
    counts: list[tuple[str, int]],
    window: tuple[str | None, str | None] = (None, None),
    key_events: list[tuple[str, str]] | None = None,
    *,
    as_dict: bool = False,
) -> go.Figure | dict:
    """A sparkline of events per month, with key events (date, title) marked above it
    as triangles with their title on hover; the current window is shaded.
    ``as_dict=True`` returns the plain dict (no validation)."""
    data: list[dict] = [
        {
            "type": "bar",
            "x": [c[0] for c in counts],
            "y": [c[1] for c in counts],
            "marker": {"color": "#4d5766"},
            "hovertemplate": "%{x|%b %Y}: %{y} events<extra></extra>",
            "name": "events per month",
        }
    ]
    if key_events:
        top = max((c[1] for c in counts), default=1) or 1
        data.append(
            {
                "type": "scatter",
                "x": [d for d, _ in key_events],
                "y": [top * 1.15] * len(key_events),
                "mode": "markers",
                "marker": dict(symbol="triangle-down", size=7, color="#D55E00"),
                "hovertext": [_esc(t) for _, t in key_events],
                "hoverinfo": "text+x",
                "name": "key events",
            }
        )
    shapes = []
    if window[0] or window[1]:
        x0 = window[0] or (counts[0][0] if counts else None)
        x1 = window[1] or (counts[-1][0] if counts else None)
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="y domain",
                x0=x0,
                x1=x1,
                y0=0,
                y1=1,
                fillcolor="#0072B2",
                opacity=0.15,
                line=dict(width=0),
                layer="above",
            )
        )
    layout = dict(
        height=60,
        margin=dict(l=8, r=8, t=2, b=2),
        xaxis=dict(visible=False, fixedrange=True),
        yaxis=dict(visible=False, fixedrange=True),
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        bargap=0.05,
        showlegend=False,
        font=FONT,
        shapes=shapes,
        template=_no_template(),
    )
    fig = {"data": data, "layout": layout}
    return fig if as_dict else go.Figure(fig)


def make_series_figure(rows: list[dict], metric_label: str) -> go.Figure:
    """Metric over time: ``rows`` of {'node', 'name', 'date', 'value'}; one line per node,
    each with its own colour and marker symbol."""
    fig = go.Figure()
    by_node: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_node[r.get("name") or r["node"]].append(r)
    symbols = ["circle", "diamond", "square", "triangle-up", "x", "star", "cross", "hexagon"]
    for i, (name, items) in enumerate(sorted(by_node.items())):
        fig.add_trace(
            go.Scatter(
                x=[r["date"] for r in items],
                y=[r["value"] for r in items],
                name=_esc(name),
                mode="lines+markers",
                line=dict(color=OKABE_ITO[i % 8]),
                marker=dict(symbol=symbols[i % len(symbols)], size=7),
            )
        )
    fig.update_layout(
        height=260,
        margin=dict(l=40, r=10, t=30, b=30),
        title=dict(text=_esc(metric_label), x=0.01, font=dict(size=13)),
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        font=FONT,
        legend=dict(orientation="h", y=-0.2),
    )
    if not rows:
        fig.add_annotation(
            text="Select entities in the table or on the graph",
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
        )
    return fig
