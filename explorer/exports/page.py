"""The offline interactive HTML export: one self-contained page with its own timeline.

The page holds plotly.js inline and asks for nothing over the network (its
Content-Security-Policy forbids it: scripts run only if they are the page's
own, by hash).  The figure opens on the whole window, as the dashboard shows
it; a slider and a Play button step through the timeline's frames (see
:mod:`explorer.exports.timeline`), each drawn by the dashboard's own figure
function at the shared positions, so nothing jumps.  Below it, a table lists
the sources the ties cite, with links.  Every piece of data is escaped: a name
like ``<img src=x onerror=alert(1)>`` is shown as text.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

from ..figures import trace_layer
from .snapshot import Snapshot

__all__ = ["animated_figure", "page_html", "write_html", "PAGE_HEIGHT"]

PAGE_HEIGHT = 760  # px of the figure on the page; the width follows the window
_NODE_PREFIX = "node|"
_EMPTY = {"x": [], "y": [], "text": [], "hovertext": [], "customdata": []}
_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1f2328; margin: 0 auto; max-width: 1500px;
       padding: 0 16px 24px; }
header h1 { font-size: 1.35rem; margin: 16px 0 4px; }
header p, footer p { margin: 2px 0; font-size: 0.9rem; color: #444; }
h2 { font-size: 1.05rem; margin: 20px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { text-align: left; border-bottom: 1px solid #d0d7de; padding: 4px 6px; vertical-align: top; }
th { background: #f6f8fa; }
footer { margin-top: 16px; border-top: 1px solid #d0d7de; padding-top: 8px; }
code { font-size: 0.85rem; word-break: break-all; }
"""


def _slot_key(trace: dict) -> tuple:
    """Which slot a trace fills: traces are matched across frames by their uid (stacked as the
    figure module stacks them, see :func:`~explorer.figures.trace_layer`), else by what they draw."""
    if trace.get("uid"):
        return (3 + trace_layer(trace["uid"]), trace.get("type"), trace.get("name"), trace["uid"])
    custom = trace.get("customdata") or ()
    if custom and str(custom[0]).startswith(_NODE_PREFIX):
        return (2, trace.get("type"), trace.get("name"), trace.get("legendgroup"))
    if trace.get("mode") == "markers":
        return (1, trace.get("type"), trace.get("name"))
    line = trace.get("line") or {}
    return (
        0,
        trace.get("type"),
        trace.get("name"),
        line.get("width"),
        line.get("dash"),
        line.get("color"),
        trace.get("opacity"),
    )


def _compact(trace: dict) -> dict:
    """Coordinates to 5 decimals (a hundred-thousandth of the plot), to keep the file small."""
    for axis in ("x", "y"):
        if axis in trace and trace[axis] is not None:
            trace[axis] = [None if v is None else round(float(v), 5) for v in trace[axis]]
    return trace


def _keyed(fig) -> dict[tuple, dict]:
    out: dict[tuple, dict] = {}
    for trace in fig.data:
        d = _compact(trace.to_plotly_json())
        key = _slot_key(d)
        n = 0
        while key + (n,) in out:
            n += 1
        out[key + (n,)] = d
    return out


def animated_figure(snap: Snapshot):
    """The page's figure: the whole window first, then one frame per period, with a slider and Play/Pause.

    Every frame has the same traces in the same order (a slot per kind of
    trace, empty where a frame has none of it), so Plotly's animation only
    swaps data; the axes are the dashboard's fixed ones.
    """
    import plotly.graph_objects as go

    o = snap.options
    timeline = snap.frames()
    figures = [("all", "Whole window", snap.figure(caption=1, height=PAGE_HEIGHT))]
    for period, state in timeline:
        figures.append((period.label, period.label, snap.figure(state, caption=1, height=PAGE_HEIGHT)))
    keyed = [(name, label, fig, _keyed(fig)) for name, label, fig in figures]
    first_seen: dict[tuple, int] = {}
    for _, _, _, traces in keyed:
        for key in traces:
            first_seen.setdefault(key, len(first_seen))
    slots = sorted(first_seen, key=lambda k: (k[0], first_seen[k]))

    def frame_data(traces: dict[tuple, dict]) -> list[dict]:
        out = []
        for key in slots:
            d = dict(traces.get(key) or {"type": key[1], "name": key[2], **_EMPTY})
            d.pop("showlegend", None)
            out.append(d)
        return out

    base_traces = keyed[0][3]
    data = frame_data(base_traces)
    # One legend entry per name, on a slot that has data in the opening view where there is one.
    legend_slot: dict[str, int] = {}
    for i, key in enumerate(slots):
        name = key[2]
        if name not in legend_slot or (key in base_traces and slots[legend_slot[name]] not in base_traces):
            legend_slot[name] = i
    # Names no trace ever shows in the legend (the selection's overlays, the labels) stay out of it.
    hidden = {k[2] for k in slots} - {
        d.get("name") for _, _, _, traces in keyed for d in traces.values() if d.get("showlegend", True)
    }
    for i, d in enumerate(data):
        d["showlegend"] = legend_slot.get(d.get("name")) == i and slots[i][2] != "ties" and slots[i][2] not in hidden
        if slots[i][0] == 2:
            d.setdefault("legendgroup", slots[i][3])

    frames = []
    for name, _label, fig, traces in keyed:
        layout = {
            "title": fig.layout.title.to_plotly_json(),
            "annotations": [a.to_plotly_json() for a in fig.layout.annotations],
        }
        frames.append(go.Frame(name=name, data=frame_data(traces), layout=layout))

    play_names = [name for name, *_ in keyed[1:]]
    step_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": True}, "transition": {"duration": 0}}
    sliders = [
        {
            "active": 0,
            "x": 0.2,
            "len": 0.8,
            "y": 0,
            "yanchor": "top",
            "pad": {"t": 40, "b": 0},
            "currentvalue": {"prefix": "Showing: ", "font": {"size": 13}},
            "steps": [{"label": label, "method": "animate", "args": [[name], step_args]} for name, label, *_ in keyed],
        }
    ]
    buttons = [
        {
            "label": "▶ Play",
            "method": "animate",
            "args": [
                play_names,
                {
                    "mode": "immediate",
                    "fromcurrent": True,
                    "transition": {"duration": 0},
                    "frame": {"duration": int(o.frame_ms), "redraw": True},
                },
            ],
        },
        {
            "label": "❚❚ Pause",
            "method": "animate",
            "args": [
                [None],
                {"mode": "immediate", "transition": {"duration": 0}, "frame": {"duration": 0, "redraw": False}},
            ],
        },
    ]
    base = keyed[0][2]
    fig = go.Figure(data=data, layout=base.layout, frames=frames)
    fig.update_layout(
        sliders=sliders,
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "showactive": False,
                "x": 0,
                "xanchor": "left",
                "y": 0,
                "yanchor": "top",
                "pad": {"t": 48, "r": 10},
                "buttons": buttons,
            }
        ],
        # The slider and the buttons take the bottom; the legend moves to the right to leave it to them.
        legend={"orientation": "v", "x": 1.0, "xanchor": "left", "y": 1.0, "yanchor": "top"},
        margin={"b": 110, "r": 10},
    )
    return fig


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _link(url: str, text: str) -> str:
    """An outgoing link for http(s) URLs only; anything else is shown as text."""
    if urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{_esc(url)}" target="_blank" rel="noopener noreferrer">{_esc(text)}</a>'
    return _esc(text)


def _sources_table(snap: Snapshot) -> str:
    rows = []
    for s in snap.sources:
        rows.append(
            "<tr>" + f"<td>{_esc(s['id'])}</td><td>{_link(s['url'], s['title'] or s['url'])}</td>"
            f"<td>{_esc(s['publisher'])}</td><td>{_esc(s['published'])}</td><td>{_esc(s['reliability'])}</td>"
            f"<td>{s['ties']}</td>" + "</tr>"
        )
    if not rows:
        return "<p>No ties in this view, so no sources.</p>"
    return (
        "<table><thead><tr><th scope=col>Id</th><th scope=col>Title</th><th scope=col>Publisher</th>"
        "<th scope=col>Published</th><th scope=col>Reliability</th><th scope=col>Ties citing it</th></tr>"
        "</thead><tbody>" + "\n".join(rows) + "</tbody></table>"
    )


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def _csp(body: str) -> str:
    """A policy that lets only this page's own scripts run and forbids every network request."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode() + "'"
        for m in _SCRIPT.finditer(body)
    )
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src data: blob:; "
        "font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )


def page_html(snap: Snapshot) -> str:
    """The whole page as text."""
    import plotly.io as pio

    fig = animated_figure(snap)
    config = {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        "toImageButtonOptions": {"format": "png", "scale": 2},
    }
    plot = pio.to_html(
        fig,
        config=config,
        include_plotlyjs=True,
        full_html=False,
        auto_play=False,
        default_width="100%",
        default_height=f"{PAGE_HEIGHT}px",
        div_id="network",
    )
    n_frames = len(fig.frames) - 1
    caption = "".join(f"<p>{_esc(line)}</p>" for line in snap.caption_lines()[1:])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{html.escape(_csp(plot), quote=False)}">
<meta name="generator" content="explorer">
<title>{_esc(snap.title())}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_esc(snap.title())}</h1>
<p>{_esc(snap.subtitle())}</p>
<p>Hover a node or a tie for its details. The slider and ▶ Play step through {n_frames}
frame{"s" if n_frames != 1 else ""} of the window; “Whole window” is the view as the dashboard showed it.</p>
</header>
<main>
{plot}
<section aria-labelledby="sources-title">
<h2 id="sources-title">Sources ({len(snap.sources)})</h2>
{_sources_table(snap)}
</section>
</main>
<footer>{caption}</footer>
</body>
</html>
"""


def write_html(snap: Snapshot, path: Path) -> None:
    """Write the page to ``path`` (UTF-8)."""
    Path(path).write_text(page_html(snap), encoding="utf-8")
