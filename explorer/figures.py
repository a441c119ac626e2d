"""Every Plotly figure: the network, the map, the timeline sparkline, metric series.

The dashboard and the exports call the same functions, so an export looks like
the screen.  Appearance is a registry (:data:`EDGE_STYLES`, :data:`KIND_STYLES`)
rather than if-chains; colours come from the Okabe-Ito palette, which stays
distinct under the common colour-vision deficiencies, and every colour is
paired with a symbol, a dash pattern or a label so colour never carries
information alone.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import networkx as nx
import numpy as np
import plotly.graph_objects as go

from .positions import country_centroids

__all__ = [
    "OKABE_ITO",
    "KIND_STYLES",
    "EDGE_STYLES",
    "WEBGL_ABOVE",
    "make_network_figure",
    "make_map_figure",
    "make_timeline_figure",
    "make_series_figure",
    "node_title",
]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
KIND_STYLES = {
    "country": {"color": "#0072B2", "symbol": "circle", "label": "Country"},
    "official": {"color": "#E69F00", "symbol": "diamond", "label": "Official"},
    "organization": {"color": "#009E73", "symbol": "square", "label": "Organisation"},
}
_MEETING = {
    "label": "Meetings, calls, summits (width = number of events)",
    "dash": "solid",
    "color": "#4d5766",
    "width": 1.2,
}
EDGE_STYLES: dict[str, dict] = {
    "meeting": _MEETING,
    "office": {"label": "Holds office in", "dash": "dashdot", "color": "#CC79A7", "width": 1.6},
    "founding_member": {"label": "Member (founding)", "dash": "solid", "color": "#009E73", "width": 3.2},
    "member": {"label": "Member", "dash": "solid", "color": "#009E73", "width": 3.2},
    "partner": {"label": "Partner country", "dash": "longdash", "color": "#009E73", "width": 2.0},
    "chair": {"label": "Chair", "dash": "longdashdot", "color": "#56B4E9", "width": 2.2},
    "invited": {"label": "Invited", "dash": "dash", "color": "#E69F00", "width": 2.0},
    "declined": {"label": "Declined", "dash": "dot", "color": "#D55E00", "width": 2.6},
}
DISPUTED = {"label": "⚠ Disputed (sources disagree)", "dash": "dot", "color": "#B2182B", "width": 3.0}
ADDED = {"label": "Tie added (vs compared window)", "color": "#1B7837", "width": 5.0, "dash": "solid"}
SELECTED_TIE = {"label": "Selected tie", "color": "#000000", "width": 5.0, "dash": "solid"}
REMOVED = {"label": "Tie removed (vs compared window)", "color": "#B2182B", "width": 4.0, "dash": "dash"}
WEBGL_ABOVE = 1000  # nodes; above this, or above 5,000 drawn ties, traces are WebGL
TIE_HOVER_UP_TO = 3000  # ties; larger views hover and click on nodes only, to keep updates fast
_AXIS = dict(visible=False, range=[-1.12, 1.12], fixedrange=False)
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=12, color="#1f2328")


def _style_key(d: dict) -> str:
    if d.get("status") == "disputed":
        return "disputed"
    if d.get("relation") == "event":
        return "meeting"
    return d["kind"] if d["kind"] in EDGE_STYLES else "meeting"


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else "ongoing"


def node_title(H: nx.MultiGraph, n: str) -> str:
    """The offices a node holds in the view, with their dates ('Minister of Foreign Affairs, 2004-03-09 – ongoing')."""
    titles = []
    for _, _, d in H.edges(n, data=True):
        if d.get("relation") == "affiliation" and d["kind"] == "office" and d.get("source") == n:
            titles.append((d["start"], f"{d['title'] or 'Office'} ({_fmt(d['start'])} – {_fmt(d['end'])})"))
    return "<br>".join(t for _, t in sorted(titles))


def _outline(nodes: list[str], selected: str) -> dict:
    """Marker outlines: thick black on the selected node, thin white elsewhere."""
    return dict(
        width=[3 if n == selected else 1 for n in nodes],
        color=["#000000" if n == selected else "#ffffff" for n in nodes],
    )


def _esc(text: str) -> str:
    # Plotly renders a small HTML subset in hover text; data is shown as text, never markup.
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _color_of(H: nx.MultiGraph, n: str, mode: str, communities: dict | None) -> tuple[str, str]:
    """(legend group label, colour) of a node in a colour mode."""
    attrs = H.nodes[n]
    kind = attrs.get("kind", "country")
    if mode == "country":
        c = n if kind == "country" else attrs.get("country") or "—"
        label = H.graph.get("entities", {}).get(c, {}).get("name", c) if c != "—" else "No country"
        return label, c
    if mode == "community" and communities is not None:
        c = communities.get(n)
        return (f"Community {int(c) + 1}", f"com{int(c)}") if c is not None else ("No community", "none")
    return KIND_STYLES.get(kind, KIND_STYLES["country"])["label"], kind


def _palette_for(keys: list[str], mode: str) -> dict[str, str]:
    if mode == "kind":
        return {k: KIND_STYLES.get(k, KIND_STYLES["country"])["color"] for k in keys}
    ordered = sorted(set(keys))
    return {k: ("#8c8c8c" if k in ("—", "none") else OKABE_ITO[i % len(OKABE_ITO)]) for i, k in enumerate(ordered)}


def _sizes(H: nx.MultiGraph, values: dict[str, float] | None) -> dict[str, float]:
    """Marker diameters 9–32 px, by square root of the metric so area tracks the value."""
    if not values:
        values = {n: float(H.degree(n)) for n in H}
    vals = [max(float(values.get(n, 0.0)), 0.0) for n in H]
    top = max(vals) if vals else 0.0
    return {n: 9.0 + 23.0 * math.sqrt(max(float(values.get(n, 0.0)), 0.0) / top) if top > 0 else 12.0 for n in H}


def _edge_groups(H: nx.MultiGraph):
    """Ties to draw: event edges collapse into one line per pair, weighted by the number of events."""
    pairs: dict[tuple[str, str], list[tuple[str, dict]]] = defaultdict(list)
    singles = []
    for u, v, k, d in H.edges(keys=True, data=True):
        if u == v:
            continue
        if d.get("relation") == "event" and d.get("status") != "disputed":
            pairs[(u, v) if u <= v else (v, u)].append((k, d))
        else:
            singles.append((u, v, k, d))
    return pairs, singles


def _line_xy(points):
    """Segments as two float arrays with NaN gaps (arrays, unlike lists, cost Plotly no per-point validation)."""
    arr = np.full((len(points), 3, 2), np.nan)
    if points:
        arr[:, :2, :] = np.asarray(points, dtype=float)
    return arr[:, :, 0].ravel(), arr[:, :, 1].ravel()


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
) -> go.Figure:
    """The network view of ``H`` at fixed ``positions``.

    Nodes: size by ``sizes`` (a metric's values; degree when None), colour by
    kind, country or community, symbol by kind; labels on every node of views
    up to 30 nodes, else on the ``labels`` (default 14)
    largest nodes and on the selected one.  Ties: one trace per relation
    style (see :data:`EDGE_STYLES`), meetings collapsed per pair with width by
    the number of events, disputed ties in their own marked trace.  Invisible
    midpoint markers carry each tie's hover text and its id in ``customdata``
    (``'edge|u|v|key'`` or ``'pair|u|v'``), for views of up to
    :data:`TIE_HOVER_UP_TO` ties; node markers carry ``'node|id'``.
    ``added``/``removed`` (sets of frozenset pairs) overlay the changes between
    two windows.  The axes are fixed to the whole graph's extent, so nodes
    keep their place when the view changes.
    """
    webgl = len(H) > WEBGL_ABOVE or H.number_of_edges() > 5000
    kind = "scattergl" if webgl else "scatter"

    def Scatter(**kw) -> dict:  # noqa: N802 - plain dicts: go.Figure validates them once, without copies
        return {"type": kind, **kw}

    ents = H.graph.get("entities", {})
    names = {n: H.nodes[n].get("name") or ents.get(n, {}).get("name", n) for n in H}
    pos = {n: positions.get(n, (0.0, 0.0)) for n in H}
    tie = selected.split("|")[1:3] if selected.startswith(("edge|", "pair|")) else []
    if len(tie) == 2 and all(n in H for n in tie):
        # A selected tie: its two ends stay bright and it is drawn on top.
        neighbours = set(tie)
        selected = ""
    else:
        tie = []
        neighbours = set(H.neighbors(selected)) | {selected} if selected in H else set()

    traces: list = []
    pairs, singles = _edge_groups(H)
    tie_hover = len(pairs) + len(singles) <= TIE_HOVER_UP_TO
    groups: dict[tuple[str, float, bool], list] = defaultdict(list)
    mids_x, mids_y, mids_text, mids_id = [], [], [], []

    for (u, v), items in pairs.items():
        weight = sum(d.get("weight", 1) for _, d in items)
        width = round(_MEETING["width"] + 1.4 * math.log2(weight), 1)
        faded = bool(neighbours) and not ({u, v} <= neighbours and (selected in (u, v) or bool(tie)))
        groups[("meeting", width, faded)].append((pos[u], pos[v]))
        if not tie_hover:
            continue
        lines = []
        for _, d in sorted(items, key=lambda kd: kd[1]["start"])[:8]:
            lines.append(f"{_fmt(d['start'])} · {_esc(d.get('title', ''))}")
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
        style = DISPUTED if key == "disputed" else EDGE_STYLES[key]
        faded = bool(neighbours) and selected not in (u, v)
        groups[(key, style["width"], faded)].append((pos[u], pos[v]))
        if not tie_hover:
            continue
        src, dst = d.get("source", u), d.get("target", v)
        label = style["label"] if key != "disputed" else f"{EDGE_STYLES.get(d['kind'], _MEETING)['label']} — disputed"
        extra = f"<br>{_esc(d['title'])}" if d.get("title") else ""
        conf = " · low confidence" if d.get("confidence") == "low" else ""
        mids_text.append(
            f"<b>{_esc(names.get(src, src))} → {_esc(names.get(dst, dst))}</b><br>{label}{extra}"
            f"<br>{_fmt(d['start'])} – {_fmt(d['end'])}{conf}"
        )
        mids_id.append(f"edge|{u}|{v}|{k}")
        mids_x.append((pos[u][0] + pos[v][0]) / 2)
        mids_y.append((pos[u][1] + pos[v][1]) / 2)

    shown_legend: set[str] = set()
    order = list(EDGE_STYLES) + ["disputed"]
    for (key, width, faded), segs in sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1])):
        style = DISPUTED if key == "disputed" else EDGE_STYLES[key]
        xs, ys = _line_xy(segs)
        legend_key = style["label"]
        traces.append(
            Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                name=style["label"],
                legendgroup=legend_key,
                showlegend=legend_key not in shown_legend,
                line=dict(color=style["color"], width=width, dash=style["dash"]),
                opacity=0.18 if faded else 0.85,
            )
        )
        shown_legend.add(legend_key)

    if tie:
        xs, ys = _line_xy([(pos[tie[0]], pos[tie[1]])])
        traces.append(
            Scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                name=SELECTED_TIE["label"],
                line=dict(color=SELECTED_TIE["color"], width=SELECTED_TIE["width"]),
            )
        )
    for pairs_set, style in ((added, ADDED), (removed, REMOVED)):
        segs = [
            (pos[a], pos[b]) for a, b in (tuple(p) for p in (pairs_set or ()) if len(p) == 2) if a in pos and b in pos
        ]
        if segs:
            xs, ys = _line_xy(segs)
            traces.append(
                Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    hoverinfo="skip",
                    name=style["label"],
                    line=dict(color=style["color"], width=style["width"], dash=style["dash"]),
                    opacity=0.9,
                )
            )

    if mids_x:
        traces.append(
            Scatter(
                x=mids_x,
                y=mids_y,
                mode="markers",
                name="ties",
                showlegend=False,
                hoverinfo="text",
                hovertext=mids_text,
                customdata=mids_id,
                marker=dict(size=9, color="rgba(0,0,0,0)", line=dict(width=0)),
            )
        )

    size = _sizes(H, sizes)
    by_group: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in H:
        label, key = _color_of(H, n, color_by, communities)
        by_group[(label, key)].append(n)
    palette = _palette_for([k for _, k in by_group], color_by)
    if labels is None:
        labels = len(H) if len(H) <= 30 else 14
    biggest = set(sorted(H, key=lambda n: (-size[n], n))[:labels]) | ({selected} if selected in H else set())
    for (label, key), nodes in sorted(by_group.items()):
        nodes.sort()
        hover = []
        for n in nodes:
            a = H.nodes[n]
            t = node_title(H, n)
            metric = f"<br>{_esc(metric_label)}: {float((sizes or {}).get(n, H.degree(n))):.3g}"
            hover.append(f"<b>{_esc(names[n])}</b> ({_esc(a.get('kind', ''))})" + (f"<br>{t}" if t else "") + metric)
        opac = [1.0 if not neighbours or n in neighbours else 0.25 for n in nodes]
        traces.append(
            Scatter(
                x=[pos[n][0] for n in nodes],
                y=[pos[n][1] for n in nodes],
                mode="markers+text",
                name=label,
                legendgroup=f"nodes-{label}",
                text=[_esc(names[n]) if n in biggest else "" for n in nodes],
                textposition="top center",
                textfont=dict(size=11, color="#1f2328"),
                hoverinfo="text",
                hovertext=hover,
                customdata=[f"node|{n}" for n in nodes],
                marker=dict(
                    size=[size[n] for n in nodes],
                    color=palette.get(key, "#8c8c8c"),
                    opacity=opac,
                    symbol=[KIND_STYLES.get(H.nodes[n].get("kind"), KIND_STYLES["country"])["symbol"] for n in nodes],
                    line=_outline(nodes, selected),
                ),
            )
        )

    fig = go.Figure(traces)
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
    fig.update_layout(
        title=dict(text=_esc(title), x=0.01, font=dict(size=16)) if title else None,
        xaxis=_AXIS,
        yaxis={**_AXIS, "scaleanchor": "x", "scaleratio": 1},
        showlegend=True,
        legend=dict(
            orientation="h", x=0, xanchor="left", y=-0.01, yanchor="top", font=dict(size=11), itemsizing="constant"
        ),
        margin=dict(l=10, r=10, t=10 + (32 if title else 0) + (22 if caption else 0), b=10),
        plot_bgcolor="#ffffff",
        paper_bgcolor="#ffffff",
        hovermode="closest",
        dragmode="pan",
        uirevision="network",
        font=FONT,
        annotations=annotations,
        clickmode="event",
        **({"height": height} if height else {}),
    )
    return fig


def make_map_figure(
    P: nx.MultiGraph,
    *,
    sizes: dict[str, float] | None = None,
    metric_label: str = "degree",
    selected: str = "",
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Countries of a country-level view at their geographic centroids, ties between them.

    Country–country event ties are lines (width by the number of events);
    membership-type ties to an organisation are shown in the hover text of the
    country.  Countries without a known position are listed in an annotation.
    """
    cents = country_centroids()
    ents = P.graph.get("entities", {})
    countries = [n for n in P if P.nodes[n].get("kind") == "country" and n in cents]
    missing = [n for n in P if P.nodes[n].get("kind") == "country" and n not in cents]
    traces = []
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
        lon, lat = [], []
        for u, v in segs:
            lon += [cents[u][0], cents[v][0], None]
            lat += [cents[u][1], cents[v][1], None]
        traces.append(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                hoverinfo="skip",
                name=_MEETING["label"],
                legendgroup="ties",
                showlegend=first,
                line=dict(width=width, color=_MEETING["color"]),
                opacity=0.7,
            )
        )
        first = False
    if mid_lon:
        traces.append(
            go.Scattergeo(
                lon=mid_lon,
                lat=mid_lat,
                mode="markers",
                hoverinfo="text",
                hovertext=mid_text,
                showlegend=False,
                marker=dict(size=8, color="rgba(0,0,0,0)"),
            )
        )
    size = _sizes(P, sizes)
    hover = []
    for n in countries:
        ties = sorted(
            {
                f"{EDGE_STYLES.get(d['kind'], _MEETING)['label'].lower()} {ents.get(o, {}).get('name', o)}"
                + (" (disputed)" if d.get("status") == "disputed" else "")
                for _, o, d in P.edges(n, data=True)
                if d.get("relation") == "affiliation"
            }
        )
        hover.append(
            f"<b>{_esc(P.nodes[n].get('name', n))}</b>"
            + (f"<br>{float((sizes or {}).get(n, P.degree(n))):.3g} {_esc(metric_label)}")
            + "".join(f"<br>{_esc(t)}" for t in ties)
        )
    traces.append(
        go.Scattergeo(
            lon=[cents[n][0] for n in countries],
            lat=[cents[n][1] for n in countries],
            mode="markers+text",
            text=[_esc(P.nodes[n].get("name", n)) if size[n] > 16 or n == selected else "" for n in countries],
            textposition="top center",
            textfont=dict(size=11, color="#1f2328"),
            hoverinfo="text",
            hovertext=hover,
            customdata=[f"node|{n}" for n in countries],
            name="Country",
            marker=dict(
                size=[size[n] for n in countries],
                color=KIND_STYLES["country"]["color"],
                opacity=0.85,
                line=_outline(countries, selected),
            ),
        )
    )
    fig = go.Figure(traces)
    annotations = []
    if missing:
        annotations.append(
            dict(
                text="Not on the map: " + _esc(", ".join(missing)),
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                showarrow=False,
                font=dict(size=10),
            )
        )
    fig.update_layout(
        title=dict(text=_esc(title), x=0.01) if title else None,
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
        margin=dict(l=0, r=0, t=40 if title else 0, b=0),
        showlegend=True,
        uirevision="map",
        font=FONT,
        legend=dict(x=0, y=1, bgcolor="rgba(255,255,255,0.7)"),
        annotations=annotations,
        **({"height": height} if height else {}),
    )
    return fig


def make_timeline_figure(
    counts: list[tuple[str, int]],
    window: tuple[str | None, str | None] = (None, None),
    key_events: list[tuple[str, str]] | None = None,
) -> go.Figure:
    """A sparkline of events per month, with key events (date, title) marked above it
    as triangles with their title on hover; the current window is shaded."""
    fig = go.Figure(
        go.Bar(
            x=[c[0] for c in counts],
            y=[c[1] for c in counts],
            marker_color="#4d5766",
            hovertemplate="%{x|%b %Y}: %{y} events<extra></extra>",
            name="events per month",
        )
    )
    if key_events:
        top = max((c[1] for c in counts), default=1) or 1
        fig.add_trace(
            go.Scatter(
                x=[d for d, _ in key_events],
                y=[top * 1.15] * len(key_events),
                mode="markers",
                marker=dict(symbol="triangle-down", size=7, color="#D55E00"),
                hovertext=[_esc(t) for _, t in key_events],
                hoverinfo="text+x",
                name="key events",
            )
        )
    if window[0] or window[1]:
        x0 = window[0] or (counts[0][0] if counts else None)
        x1 = window[1] or (counts[-1][0] if counts else None)
        fig.add_vrect(x0=x0, x1=x1, fillcolor="#0072B2", opacity=0.15, line_width=0)
    fig.update_layout(
        height=60,
        margin=dict(l=8, r=8, t=2, b=2),
        xaxis=dict(visible=False, fixedrange=True),
        yaxis=dict(visible=False, fixedrange=True),
        plot_bgcolor="#fff",
        paper_bgcolor="#fff",
        bargap=0.05,
        showlegend=False,
        font=FONT,
    )
    return fig


def make_series_figure(rows: list[dict], metric_label: str) -> go.Figure:
    """Metric over time: ``rows`` of {'node', 'name', 'date', 'value'}; one line per node."""
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
                name=name,
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
