"""Benchmark: the event store (DuckDB over Parquet) against today's in-memory graph, on a month of GDELT.

    python bench/bench_store.py                          # ~130k events (a month), store vs today's path
    python bench/bench_store.py --events 1200000         # ~1.2M events (add --no-baseline to skip today's path)
    python bench/bench_store.py --folder DIR             # an existing data folder instead
    python bench/bench_store.py --keep DIR               # keep the generated month in DIR/month (reused next time)

The month is made of real rows: the GDELT 2.0 fixture (../shared/fixtures/gdelt2-20180326) is
imported with every CAMEO code (`explorer import gdelt --cameo all`), then its events are
repeated with new event and source ids and dates spread over 30 days (March 2019), written
straight to the five CSV files.

Every measurement runs in a fresh process, so each peak RSS is that run's own; CPU time
(user + system, all threads) is given beside wall time.  For 1-, 7- and 30-day windows at the
country and officials levels it reports:

- store: ``window_ties`` and ``window_graph`` (cold: the window cache is cleared), and a whole
  window change (``window_graph`` + the metrics table + the network figure as a dict);
- today's path: ``apply_view`` and the same window change, after ``load_dataset`` + ``build_graph``;
- the bundled data, both ways, for the same change (the target is a ratio to it).

Targets (issue 11): serve answers within 30 s; server memory under 1.5 GB; a window change
within 2x of the same change on the bundled data.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "gdelt2-20180326" / "20180326044500.export.CSV"
MONTH_START = dt.date(2019, 3, 1)
DAYS = 30
WINDOW_DAYS = (1, 7, 30)
LEVELS = ("countries", "officials")
REPEATS = 3


# ---- the data ----------------------------------------------------------------------------


def replicate(src: Path, dest: Path, events: int, days: int = DAYS, first: dt.date = MONTH_START) -> int:
    """Write ``dest``: the events of ``src`` repeated until there are ``events`` of them, each copy
    with new event and source ids, dates spread over ``days`` days.  Returns the number written."""
    dest.mkdir(parents=True)

    def rows(name):
        with open(src / name, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            return header, list(reader)

    for name in ("entities.csv", "affiliations.csv"):
        (dest / name).write_bytes((src / name).read_bytes())
    ev_cols, ev_rows = rows("events.csv")
    pa_cols, pa_rows = rows("participants.csv")
    so_cols, so_rows = rows("sources.csv")
    idx = {c: i for i, c in enumerate(ev_cols)}
    members = defaultdict(list)
    for r in pa_rows:
        members[r[0]].append(r)
    copies = math.ceil(events / len(ev_rows))
    written = 0
    with (
        open(dest / "events.csv", "w", encoding="utf-8", newline="") as ef,
        open(dest / "participants.csv", "w", encoding="utf-8", newline="") as pf,
        open(dest / "sources.csv", "w", encoding="utf-8", newline="") as sf,
    ):
        we, wp, ws = (csv.writer(f, lineterminator="\n") for f in (ef, pf, sf))
        we.writerow(ev_cols)
        wp.writerow(pa_cols)
        ws.writerow(so_cols)
        for k in range(copies):
            suffix = f"-r{k}"
            ws.writerows([r[0] + suffix, *r[1:]] for r in so_rows)
            for i, r in enumerate(ev_rows):
                if written >= events:
                    break
                out = list(r)
                eid = r[idx["id"]]
                out[idx["id"]] = eid + suffix
                out[idx["start"]] = (first + dt.timedelta(days=(i * 31 + k * 17) % days)).isoformat()
                out[idx["end"]] = ""
                out[idx["sources"]] = ";".join(s + suffix for s in r[idx["sources"]].split(";") if s)
                we.writerow(out)
                wp.writerows([eid + suffix, *p[1:]] for p in members[eid])
                written += 1
    return written


def make_month(tmp: Path, events: int) -> Path:
    if not FIXTURE.is_file():
        sys.exit(f"the GDELT fixture is missing: {FIXTURE} (see ../shared/fixtures/SOURCES.md)")
    imported = tmp / "imported"
    subprocess.run(
        ["explorer", "import", "gdelt", str(FIXTURE), "--out", str(imported), "--cameo", "all", "-q"], check=True
    )
    t0 = time.perf_counter()
    n = replicate(imported, tmp / "month", events)
    print(f"month-like folder: {n:,} events written in {time.perf_counter() - t0:.1f} s ({tmp / 'month'})")
    return tmp / "month"


# ---- measurements, each in its own process -----------------------------------------------


def _clock():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), r.ru_utime + r.ru_stime


def _since(start) -> dict:
    wall, cpu = _clock()
    return {"wall_s": round(wall - start[0], 4), "cpu_s": round(cpu - start[1], 4)}


def _rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _windows(span: tuple[dt.date, dt.date], days: int) -> list[tuple[str, str]]:
    """``REPEATS`` windows of ``days`` days inside ``span`` (different ones, so no cache helps)."""
    first, last = span
    room = max(0, (last - first).days - days + 1)
    out = []
    for i in range(REPEATS):
        start = first + dt.timedelta(days=room * (i + 1) // (REPEATS + 1)) if days < (last - first).days + 1 else first
        out.append((start.isoformat(), (start + dt.timedelta(days=days - 1)).isoformat()))
    return out


def _median(values: list[dict]) -> dict:
    return {k: round(statistics.median(v[k] for v in values), 4) for k in values[0]}


def _update(view, positions) -> None:
    """What a window change costs besides the view: the metrics table and the network figure."""
    from explorer.figures import make_network_figure
    from explorer.metrics import compute_metrics
    from explorer.presenter import table_metrics

    table = compute_metrics(view, table_metrics(len(view), "degree"))
    sizes = {r["id"]: r["degree"] for r in table.to_dict("records")}
    make_network_figure(view, positions, sizes=sizes, as_dict=True)


def child_build(folder: str, out: str) -> dict:
    from explorer.store import build_store

    start = _clock()
    path = build_store(folder, out, rebuild=True)
    result = {"build": _since(start)}
    start = _clock()
    build_store(folder, out)
    result["up_to_date_check"] = _since(start)
    result["store_mb"] = round(sum(p.stat().st_size for p in Path(path).iterdir()) / 2**20, 1)
    result["peak_rss_mb"] = _rss_mb()
    return result


def _span_windows(span, level_days):
    return {d: _windows(span, d) for d in level_days}


def child_store(out: str, span_from: str, span_to: str) -> dict:
    from explorer import store as st
    from explorer.positions import compute_positions
    from explorer.viewstate import ViewState

    start = _clock()
    store = st.open_store(out)
    span = st.data_span(store)
    st.events_per_day(store)
    st.topic_names(store)
    st.key_events(store)
    result = {"open_and_summaries": _since(start)}
    start = _clock()
    positions = {level: compute_positions(st.layout_graph(store, level)) for level in LEVELS}
    result["positions_both_levels"] = _since(start)
    span = (dt.date.fromisoformat(span_from), dt.date.fromisoformat(span_to))
    for level in LEVELS:
        for days in WINDOW_DAYS:
            ties, graphs, updates, sizes = [], [], [], []
            for a, b in _windows(span, days):
                state = ViewState(date_from=a, date_to=b, level=level)
                st._WINDOWS.clear()
                t = _clock()
                nodes, frame = st.window_ties(store, state)
                ties.append(_since(t))
                st._WINDOWS.clear()
                t = _clock()
                G = st.window_graph(store, state)
                graphs.append(_since(t))
                st._WINDOWS.clear()
                t = _clock()
                G = st.window_graph(store, state)
                _update(G, positions[level])
                updates.append(_since(t))
                sizes.append((len(nodes), len(frame), G.graph["event_count"]))
            result[f"{level}/{days}d"] = {
                "window_ties": _median(ties),
                "window_graph": _median(graphs),
                "change": _median(updates),
                "nodes_ties_events": sizes[len(sizes) // 2],
            }
    result["peak_rss_mb"] = _rss_mb()
    return result


def child_baseline(folder: str, span_from: str, span_to: str) -> dict:
    from explorer import build_graph, load_dataset
    from explorer.pipeline import apply_view
    from explorer.positions import compute_positions
    from explorer.views import project_to_countries
    from explorer.viewstate import ViewState

    start = _clock()
    G = build_graph(load_dataset(folder))
    result = {"load_and_build": _since(start)}
    start = _clock()
    countries = project_to_countries(G)
    countries.add_nodes_from(n for n, a in G.graph["entities"].items() if a.get("kind") != "official")
    positions = {"officials": compute_positions(G), "countries": compute_positions(countries)}
    result["positions_both_levels"] = _since(start)
    span = (dt.date.fromisoformat(span_from), dt.date.fromisoformat(span_to))
    for level in LEVELS:
        for days in WINDOW_DAYS:
            views, updates, sizes = [], [], []
            for a, b in _windows(span, days):
                state = ViewState(date_from=a, date_to=b, level=level)
                t = _clock()
                H = apply_view(G, state, use_cache=False)
                views.append(_since(t))
                t = _clock()
                H = apply_view(G, state, use_cache=False)
                _update(H, positions[level])
                updates.append(_since(t))
                sizes.append((H.number_of_nodes(), H.number_of_edges()))
            result[f"{level}/{days}d"] = {
                "apply_view": _median(views),
                "change": _median(updates),
                "nodes_edges": sizes[len(sizes) // 2],
            }
    result["peak_rss_mb"] = _rss_mb()
    return result


CHILDREN = {"build": child_build, "store": child_store, "baseline": child_baseline}


def run_child(name: str, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, *args], capture_output=True, text=True, check=False
    )
    if proc.returncode:
        sys.exit(f"{name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- the report --------------------------------------------------------------------------


def _fmt(t: dict) -> str:
    return f"{t['wall_s'] * 1000:8.1f} ms wall {t['cpu_s'] * 1000:8.1f} ms CPU"


def _ratio(a: dict, b: dict) -> str:
    return f"{a['wall_s'] / b['wall_s']:.2f}x" if b["wall_s"] else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=130_000, help="events in the month-like folder")
    ap.add_argument("--folder", type=Path, help="an existing data folder instead of a generated month")
    ap.add_argument("--keep", type=Path, help="write the generated month here and keep it (reused if present)")
    ap.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    ap.add_argument("--no-baseline", action="store_true", help="skip today's path on the large folder")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](*args.args)))
        return

    from explorer.paths import bundled_data_dir

    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        tmp = Path(tmp)
        folder = args.folder
        if folder is None and args.keep:
            folder = args.keep / "month"
            if not folder.is_dir():
                args.keep.mkdir(parents=True, exist_ok=True)
                folder = make_month(args.keep, args.events)
        folder = folder or make_month(tmp, args.events)
        results = {}
        for label, data in (("bundled", bundled_data_dir()), ("month", folder)):
            out = str(tmp / f"store-{label}")
            build = run_child("build", str(data), out)
            span = ("2024-01-01", "2024-02-29") if label == "bundled" else None
            if span is None:
                from explorer.store import data_span, open_store

                with open_store(out) as store:
                    first, last = data_span(store)
                    counts = store.counts
                span = (first.isoformat(), last.isoformat())
                print(
                    f"\n{label}: {counts['events']:,} events, {counts['dyads']:,} dyads, {counts['solo']:,} solo, "
                    f"{counts['sources']:,} sources, span {span[0]} – {span[1]}"
                )
            store = run_child("store", out, *span)
            base = None if (label == "month" and args.no_baseline) else run_child("baseline", str(data), *span)
            results[label] = {"build": build, "store": store, "baseline": base}

        b, m = results["bundled"], results["month"]
        print("\n== start-up (what serve does before it answers) ==")
        for label, r in results.items():
            print(
                f"{label:8} store: build {_fmt(r['build']['build'])} (peak {r['build']['peak_rss_mb']} MB, "
                f"{r['build']['store_mb']} MB on disk); up-to-date check {_fmt(r['build']['up_to_date_check'])}"
            )
            print(
                f"{'':8} store: open+summaries {_fmt(r['store']['open_and_summaries'])}; "
                f"positions {_fmt(r['store']['positions_both_levels'])}; peak {r['store']['peak_rss_mb']} MB"
            )
            if r["baseline"]:
                print(
                    f"{'':8} today: load+build {_fmt(r['baseline']['load_and_build'])}; positions "
                    f"{_fmt(r['baseline']['positions_both_levels'])}; peak {r['baseline']['peak_rss_mb']} MB"
                )
        print("\n== window changes (median of 3 windows; change = view + metrics table + figure) ==")
        for level in LEVELS:
            for days in WINDOW_DAYS:
                key = f"{level}/{days}d"
                ms, bs = m["store"][key], b["store"][key]
                bt = b["baseline"][key]
                line = (
                    f"{key:15} month store: ties {_fmt(ms['window_ties'])} | graph {_fmt(ms['window_graph'])} | "
                    f"change {_fmt(ms['change'])} {ms['nodes_ties_events']}"
                )
                print(line)
                print(
                    f"{'':15} bundled today: change {_fmt(bt['change'])}; bundled store: change {_fmt(bs['change'])}"
                    f"  -> month store / bundled today = {_ratio(ms['change'], bt['change'])}"
                )
                if m["baseline"]:
                    mt = m["baseline"][key]
                    print(
                        f"{'':15} month today: apply_view {_fmt(mt['apply_view'])} | change {_fmt(mt['change'])} "
                        f"{mt['nodes_edges']}  -> store / today = {_ratio(ms['change'], mt['change'])}"
                    )
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
