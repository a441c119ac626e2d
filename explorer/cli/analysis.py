"""``explorer metrics``, ``changes``, ``path``, ``series`` and ``ego``: analytics from the command line.

Every command takes ``--data``, a window (``--from``/``--to``/``--at``), a
``--level`` and ``--format`` (table, csv or json; see :data:`FORMATS`).
Entities are named by id, name or alias; an unknown one prints the closest
suggestions and exits 2.

Text from the data reaches the terminal through :func:`explorer.text.escape_terminal`
(tables, paths, ties), JSON through :func:`explorer.text.escape_json`, and CSV
cells through :func:`explorer.text.escape_csv_cell`.
"""

from __future__ import annotations

import json

import click

from ..analysis import FREQUENCIES
from ..errors import ArgumentError
from ..metrics import METRICS
from ..text import escape_csv_cell, escape_json, escape_terminal
from ..viewstate import ViewState
from . import cli
from .common import data_option, level_option, load_data, resolve_window, with_window

FORMATS: dict[str, str] = {
    "table": "Aligned text for reading in a terminal.",
    "csv": "Comma-separated values with a header row.",
    "json": "JSON, with dates as ISO strings and the sources of every fact.",
}
"""Output formats shared by the analytics commands."""


def _format_option(f):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="table",
        show_default=True,
        help="Output format: " + "; ".join(f"{k}: {v}" for k, v in FORMATS.items()),
    )(f)


def _split_metrics(ctx, param, values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if item not in METRICS:
                raise click.BadParameter(f"{item!r} is not one of {', '.join(METRICS)}", ctx=ctx, param=param)
            if item not in out:
                out.append(item)
    return out


def _metric_option(f):
    return click.option(
        "--metric",
        "-m",
        "metric_names",
        multiple=True,
        callback=_split_metrics,
        metavar="METRIC[,METRIC]",
        help="Metrics to compute (repeat or comma-separate; default all): " + ", ".join(METRICS) + ".",
    )(f)


def _load_graph(data: tuple[str, ...]):
    from ..graph import build_graph

    return build_graph(load_data(data))


def _view(G, window, level: str, keep_isolated: bool = False):
    from ..analysis import LEVEL_TRANSFORMS
    from ..views import window_view

    return LEVEL_TRANSFORMS[level](window_view(G, *window, keep_isolated=keep_isolated))


def _window_meta(window, level: str) -> dict:
    return {
        "from": window[0].isoformat() if window[0] else None,
        "to": window[1].isoformat() if window[1] else None,
        "level": level,
    }


def _window_text(window) -> str:
    start, end = window
    if start is None and end is None:
        return "all dates"
    return f"{start.isoformat() if start else '…'} to {end.isoformat() if end else '…'}"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.4g}"
    return escape_terminal(value)


def _render_table(frame) -> str:
    if frame.empty:
        return "(no rows)"
    shown = frame.map(_cell) if hasattr(frame, "map") else frame.applymap(_cell)
    shown.columns = [escape_terminal(c) for c in shown.columns]
    return shown.to_string(index=False)


def _echo(text: str) -> None:
    """One line built from data, with its control characters shown as escapes."""
    click.echo(escape_terminal(text))


def _echo_json(payload) -> None:
    from ..formats import to_plain

    click.echo(escape_json(json.dumps(to_plain(payload), indent=1, ensure_ascii=False)))


def _echo_csv(frame) -> None:
    """The frame as CSV; a text cell that a spreadsheet would run as a formula is written as text."""
    safe = frame.map(escape_csv_cell) if hasattr(frame, "map") else frame.applymap(escape_csv_cell)
    click.echo(safe.to_csv(index=False), nl=False)


# --- metrics ---------------------------------------------------------------


@cli.command("metrics")
@data_option
@with_window
@level_option
@_metric_option
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the first N rows (by the first metric).")
@click.option("--keep-isolated", is_flag=True, help="Include entities with no tie in the window.")
@_format_option
def metrics_command(data, window, level, metric_names, top, keep_isolated, fmt) -> None:
    """Centrality and communities of every entity in a window, with ranks."""
    from ..metrics import compute_metrics

    view = _view(_load_graph(data), window, level, keep_isolated)
    table = compute_metrics(view, metric_names or None)
    if top:
        table = table.head(top)
    if fmt == "json":
        _echo_json(
            {
                **_window_meta(window, level),
                "metrics": metric_names or list(METRICS),
                "notes": table.attrs.get("notes", {}),
                "rows": table.to_dict("records"),
            }
        )
    elif fmt == "csv":
        _echo_csv(table)
    else:
        click.echo(f"{len(view)} nodes, {view.number_of_edges()} edges; {_window_text(window)}; level {level}")
        click.echo(_render_table(table))
        for metric, note in table.attrs.get("notes", {}).items():
            _echo(f"note: {metric}: {note}")


# --- changes ---------------------------------------------------------------


def _previous_window(window):
    """The window of the same length just before ``window`` (the default compared window)."""
    start, end = window
    prev = ViewState(date_from=start.isoformat(), date_to=end.isoformat()).previous_window() if start and end else None
    if prev is None:
        raise ArgumentError("changes: give --vs-from/--vs-to, or a window with both --from and --to")
    return prev


def _tie_line(tie: dict) -> str:
    ends = f"{tie['u_name']} – {tie['v_name']}"
    return (f"{tie['text']} [{ends}]" if tie["relation"] == "event" else tie["text"]) + _folder_note(tie)


def _folder_note(tie: dict) -> str:
    """' · folder: gdelt' (' · folders: data, gdelt' for a country-level tie); '' with one folder."""
    folders = [f for f in tie.get("folder", "").split(";") if f]
    if not folders:
        return ""
    return f" · folder{'s' if len(folders) > 1 else ''}: {', '.join(folders)}"


@cli.command("changes")
@data_option
@with_window
@click.option("--vs-from", "vs_from", metavar="DATE", default=None, help="Start of the earlier window to compare with.")
@click.option("--vs-to", "vs_to", metavar="DATE", default=None, help="End of the earlier window to compare with.")
@level_option
@_metric_option
@click.option(
    "--top", type=click.IntRange(min=1), default=20, show_default=True, help="Lines per section in the table format."
)
@_format_option
def changes_command(data, window, vs_from, vs_to, level, metric_names, top, fmt) -> None:
    """What changed in the window --from/--to since the window --vs-from/--vs-to.

    As in the dashboard's Changes tab (and its links' vsfrom/vsto), --vs-from/--vs-to
    is the window compared with, the "before"; without it, the window of the same
    length just before --from/--to.  Nodes and edges added and removed, and per-node
    metric deltas and rank changes.  The csv format prints the per-node table.
    """
    from ..analysis import compare_views

    vs_window = resolve_window(vs_from, vs_to, None) if (vs_from or vs_to) else _previous_window(window)
    G = _load_graph(data)
    changes = compare_views(_view(G, vs_window, level), _view(G, window, level), metric_names or None)
    if fmt == "json":
        _echo_json(
            {"before": _window_meta(vs_window, level), "after": _window_meta(window, level), **changes.to_dict()}
        )
        return
    if fmt == "csv":
        _echo_csv(changes.metrics)
        return
    click.echo(f"before: {_window_text(vs_window)}; after: {_window_text(window)}; level {level}")

    def section(title: str, lines: list[str]) -> None:
        click.echo(f"\n{title} ({len(lines)})")
        for line in lines[:top]:
            _echo(f"  {line}")
        if len(lines) > top:
            click.echo(f"  … and {len(lines) - top} more")

    section("nodes added", changes.nodes_added)
    section("nodes removed", changes.nodes_removed)
    section("edges added", [_tie_line(t) for t in changes.edges_added])
    section("edges removed", [_tie_line(t) for t in changes.edges_removed])
    ranked = [m for m in (metric_names or list(METRICS)) if not METRICS[m].categorical]
    for m in ranked:
        table = changes.metrics
        moved = table[[abs(d) > 1e-12 for d in table[f"{m}_delta"]]]
        moved = moved.iloc[sorted(range(len(moved)), key=lambda i: -abs(moved[f"{m}_delta"].iloc[i]))][:top]
        click.echo(f"\n{METRICS[m].label}: largest changes")
        if moved.empty:
            click.echo("  (none)")
        else:
            cols = [
                "id",
                "name",
                "status",
                f"{m}_before",
                f"{m}_after",
                f"{m}_delta",
                f"{m}_rank_before",
                f"{m}_rank_after",
                f"{m}_rank_change",
            ]
            click.echo(_render_table(moved[cols]))


# --- path ------------------------------------------------------------------


def _path_rows(paths: list[dict]) -> list[dict]:
    rows = []
    for p, path in enumerate(paths, start=1):
        for h, hop in enumerate(path["hops"], start=1):
            for tie in hop["ties"]:
                rows.append(
                    {
                        "path": p,
                        "hop": h,
                        "source": hop["source"],
                        "target": hop["target"],
                        "key": tie["key"],
                        "relation": tie["relation"],
                        "kind": tie["kind"],
                        "start": tie["start"],
                        "end": tie["end"],
                        "title": tie["title"],
                        "sources": "; ".join(s["title"] or s["id"] for s in tie["sources"]),
                        "urls": "; ".join(s["url"] for s in tie["sources"] if s["url"]),
                    }
                )
    return rows


@cli.command("path")
@click.argument("source")
@click.argument("target")
@data_option
@with_window
@level_option
@click.option(
    "--max-paths", type=click.IntRange(min=1), default=3, show_default=True, help="How many shortest paths to show."
)
@_format_option
def path_command(source, target, data, window, level, max_paths, fmt) -> None:
    """How SOURCE is connected to TARGET in a window: the shortest paths, each hop with its meetings.

    No path prints a message and exits 0 (an empty list in json).
    """
    from ..analysis import shortest_paths
    from ..lookup import resolve_entity

    view = _view(_load_graph(data), window, level)
    s, t = resolve_entity(view, source), resolve_entity(view, target)
    paths = shortest_paths(view, s, t, max_paths=max_paths)
    if fmt == "json":
        _echo_json({**_window_meta(window, level), "source": s, "target": t, "paths": paths})
        return
    if fmt == "csv":
        import pandas as pd

        columns = [
            "path",
            "hop",
            "source",
            "target",
            "key",
            "relation",
            "kind",
            "start",
            "end",
            "title",
            "sources",
            "urls",
        ]
        _echo_csv(pd.DataFrame(_path_rows(paths), columns=columns))
        return
    if not paths:
        missing = [n for n in (s, t) if n not in view]
        why = (
            f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no tie in the window"
            if missing
            else "they are in different components"
        )
        _echo(f"no path from {s} to {t} ({_window_text(window)}, level {level}): {why}")
        return
    for p, path in enumerate(paths, start=1):
        _echo(f"path {p} ({path['length']} hop{'s' if path['length'] != 1 else ''}): " + " → ".join(path["names"]))
        for hop in path["hops"]:
            _echo(f"  {hop['source_name']} – {hop['target_name']}:")
            for tie in hop["ties"]:
                _echo(f"    {tie['text']}{_folder_note(tie)}")
                for src in tie["sources"]:
                    bits = [b for b in (src["title"], src["publisher"], src["url"]) if b]
                    _echo(f"      source: {', '.join(bits) or src['id']}")


# --- series ----------------------------------------------------------------


@cli.command("series")
@click.option("--nodes", required=True, metavar="A,B,...", help="Entities (ids, names or aliases), comma-separated.")
@click.option("--metric", "-m", "metric", type=click.Choice(list(METRICS)), default="pagerank", show_default=True)
@click.option("--freq", type=click.Choice(list(FREQUENCIES)), default="quarter", show_default=True)
@click.option("--cumulative", is_flag=True, help="Each point covers everything since the first bucket.")
@click.option(
    "--span",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Sliding window: each point covers this many buckets up to it.",
)
@data_option
@with_window
@level_option
@_format_option
def series_command(nodes, metric, freq, cumulative, span, data, window, level, fmt) -> None:
    """A metric for chosen entities over months, quarters or years (--from/--to bound the range).

    A node with no tie in a bucket has value 0 and no rank.
    """
    from ..analysis import metric_series

    G = _load_graph(data)
    table = metric_series(
        G, nodes, metric, freq, *window, mode="cumulative" if cumulative else "sliding", span=span, level=level
    )
    if fmt == "json":
        _echo_json(
            {
                **_window_meta(window, level),
                "metric": metric,
                "freq": freq,
                "mode": "cumulative" if cumulative else "sliding",
                "span": span,
                "rows": table.to_dict("records"),
            }
        )
    elif fmt == "csv":
        _echo_csv(table)
    elif table.empty:
        click.echo("(no dated ties: no series)")
    else:
        wide = table.pivot_table(index="period", columns="id", values="value", aggfunc="first", sort=False)
        wide = wide.reindex(columns=list(dict.fromkeys(table["id"])))
        wide.insert(0, "period", wide.index)
        click.echo(f"{METRICS[metric].label} by {freq}" + (" (cumulative)" if cumulative else ""))
        click.echo(_render_table(wide.astype(object)))


# --- ego -------------------------------------------------------------------


@cli.command("ego")
@click.argument("node")
@click.option("--depth", type=click.IntRange(1, 3), default=1, show_default=True, help="Hops from the node.")
@data_option
@with_window
@level_option
@_format_option
def ego_command(node, depth, data, window, level, fmt) -> None:
    """The ego network of NODE in a window: who it is tied to, up to 3 hops, and by which facts."""
    from ..analysis import describe_tie, ego_network

    view = _view(_load_graph(data), window, level)
    H = ego_network(view, node, depth)
    if fmt == "json":
        from ..formats import graph_to_nodelink

        _echo_json(graph_to_nodelink(H, {**_window_meta(window, level), "ego": H.graph["ego"], "depth": depth}))
        return
    import pandas as pd

    rows = [
        {"id": n, "name": d.get("name", n), "kind": d.get("kind", ""), "hops": d["hops"], "ties": H.degree(n)}
        for n, d in H.nodes(data=True)
    ]
    nodes = pd.DataFrame(rows, columns=["id", "name", "kind", "hops", "ties"])
    if fmt == "csv":
        _echo_csv(nodes)
        return
    _echo(
        f"ego network of {H.graph['ego']} at depth {depth}: {len(H)} nodes, {H.number_of_edges()} edges "
        f"({_window_text(window)}, level {level})"
    )
    click.echo(_render_table(nodes.astype(object)))
    ties = sorted(
        (describe_tie(H, u, v, k, d) for u, v, k, d in H.edges(keys=True, data=True)),
        key=lambda t: (t["start"], t["key"]),
    )
    if ties:
        click.echo("\nties:")
        for tie in ties:
            _echo(f"  {_tie_line(tie)}")
