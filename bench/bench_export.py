"""Benchmark the exports: a 500-node PNG (cold and warm), a 24-frame GIF, the bundled data as HTML,
and every format of a month of GDELT read through its event store.

    python bench/bench_export.py                   # all of it, 5 warm PNGs
    python bench/bench_export.py --nodes 500 --repeat 9 --keep bench/out
    python bench/bench_export.py --only store --month /tmp/scale/month   # the store part, on a kept month

Targets (issue 5): PNG of a 500-node view under 2 s warm; GIF of 24 frames
under 30 s; HTML for the bundled data under 8 MB.  The generated data set is
a valid data folder (written with the loader's own schema) of ``--nodes``
entities: countries (real ISO codes), a few organisations their countries
belong to, and officials holding office in them, who meet over two years;
the view is the whole of it.  A warm PNG is an :func:`explorer.exports.export_view`
call with kaleido's server already running (as in a batch or the dashboard);
the cold one includes starting Chromium.  Times are medians of ``--repeat``.

The store part (issue 11): a month-like folder of ``--month-events`` events (130,000 by
default) is made from the real GDELT fixture as ``bench/bench_store.py`` makes it (or
``--month DIR`` is reused), and its store is built beforehand, as the importer leaves it.
Each format is exported (``export_view``, as ``explorer export`` and the dashboard's Export
menu call it) for one week at the officials level and for the whole month at the country
level, each in a fresh process (so nothing is cached between them: the time includes opening
the store and reading the window); wall and CPU time are printed with the ratio to the same
export of the bundled data, measured the same way in the same run.  Target: seconds, not
minutes (a GEXF of one week took 288 s when events were read one by one).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.exports import ExportOptions, export_view  # noqa: E402
from explorer.exports.render import kaleido_server  # noqa: E402
from explorer.paths import bundled_data_dir  # noqa: E402
from explorer.pipeline import apply_view  # noqa: E402
from explorer.presenter import prepare_app_data  # noqa: E402
from explorer.schema import FILES  # noqa: E402
from explorer.viewstate import ViewState  # noqa: E402

__all__ = ["write_generated_dataset", "main"]


def write_generated_dataset(folder: Path, n_nodes: int = 500, n_events: int = 1500, seed: int = 7) -> Path:
    """A valid data folder of ``n_nodes`` entities and ``n_events`` meetings in 2023-2024."""
    import pycountry

    rng = random.Random(seed)
    n_countries = max(2, n_nodes // 8)
    n_orgs = 4
    countries = sorted(c.alpha_3 for c in pycountry.countries)[:n_countries]
    orgs = [f"ORG{i + 1}" for i in range(n_orgs)]
    officials = [f"official-{i:04d}" for i in range(n_nodes - n_countries - n_orgs)]
    home = {o: rng.choice(countries) for o in officials}
    tables: dict[str, list[dict]] = {name: [] for name in FILES}
    tables["sources"] = [
        {
            "id": f"S{i}",
            "title": f"Report {i}",
            "publisher": "Bench",
            "url": f"https://example.org/{i}",
            "published": "2024-01-01",
            "reliability": "high",
        }
        for i in range(20)
    ]
    tables["entities"] = (
        [{"id": c, "kind": "country", "name": f"Country {c}", "iso3": c} for c in countries]
        + [{"id": o, "kind": "organization", "name": f"Organisation {o}"} for o in orgs]
        + [{"id": o, "kind": "official", "name": f"Official {o[-4:]}", "country": home[o]} for o in officials]
    )
    for o in officials:
        tables["affiliations"].append(
            {
                "source": o,
                "target": home[o],
                "kind": "office",
                "title": "Minister",
                "start": "2020-01-01",
                "start_precision": "day",
                "status": "confirmed",
                "confidence": "high",
                "sources": "S0",
            }
        )
    for c in countries:
        tables["affiliations"].append(
            {
                "source": c,
                "target": rng.choice(orgs),
                "kind": "member",
                "start": "2010-01-01",
                "start_precision": "day",
                "status": "confirmed",
                "confidence": "high",
                "sources": "S1",
            }
        )
    day0 = dt.date(2023, 1, 1)
    weights = [rng.paretovariate(1.5) for _ in officials]
    for i in range(n_events):
        day = (day0 + dt.timedelta(days=rng.randrange(731))).isoformat()
        eid = f"{day}-bench-{i:05d}"
        who = set(rng.choices(officials, weights=weights, k=rng.choice((2, 2, 3, 4))))
        if len(who) < 2:
            continue
        tables["events"].append(
            {
                "id": eid,
                "kind": "meeting",
                "title": f"Meeting {i}",
                "start": day,
                "precision": "day",
                "confidence": "high",
                "sources": f"S{rng.randrange(20)}",
            }
        )
        tables["participants"] += [{"event": eid, "entity": o, "role": "participant"} for o in sorted(who)]
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in FILES.items():
        with open(folder / spec.name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(spec.columns), lineterminator="\n")
            w.writeheader()
            w.writerows({c: row.get(c, "") for c in spec.columns} for row in tables[name])
    return folder


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


STORE_FORMATS = ("gexf", "graphml", "csv", "json", "html", "png")
_CHILD = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter(); r0 = resource.getrusage(resource.RUSAGE_SELF)
from explorer.exports import export_view
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState
folder, query, fmt, out = sys.argv[1:5]
data = prepare_app_data(folder)
opened = time.perf_counter()
state = ViewState.from_query(query)[0]
path = export_view(data, state, fmt, Path(out), force=True)
r1 = resource.getrusage(resource.RUSAGE_SELF)
counts = render_view(data, state).counts
print(json.dumps({"wall": time.perf_counter() - t0, "export": time.perf_counter() - opened,
                  "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, "bytes": path.stat().st_size,
                  "store": data.store is not None, "nodes": counts["nodes"], "events": counts["events"]}))
"""


def _export_in_child(folder: Path, query: str, fmt: str, out: Path) -> dict:
    suffix = ".zip" if fmt == "csv" else f".{fmt}"
    res = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder), query, fmt, str(out / f"store-bench{suffix}")],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def store_exports(month: Path, out: Path) -> None:
    """Every format of a store-backed month against the same export of the bundled data."""
    from explorer.store_build import build_store

    t0 = time.perf_counter()
    build_store(month)
    print(f"month: store built or checked in {time.perf_counter() - t0:.1f} s (once per change of the CSV files)")
    cases = (
        ("one week, officials", "from=2019-03-10&to=2019-03-16", "from=2024-01-01&to=2024-01-07"),
        ("the whole month, countries", "level=countries", "level=countries"),
    )
    print("| view | format | month (store): wall / CPU | export alone | bundled data: wall / CPU | ratio (wall) |")
    print("|---|---|---|---|---|---|")
    for label, query, bundled_query in cases:
        for fmt in STORE_FORMATS:
            m = _export_in_child(month, query, fmt, out)
            b = _export_in_child(bundled_data_dir(), bundled_query, fmt, out)
            assert m["store"] and not b["store"]
            print(
                f"| {label} ({m['nodes']} entities, {m['events']:,} events) | {fmt} | {m['wall']:.1f} s / "
                f"{m['cpu']:.1f} s | {m['export']:.1f} s | {b['wall']:.1f} s / {b['cpu']:.1f} s | "
                f"{m['wall'] / b['wall']:.2f}x |",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=500, help="entities in the generated data (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="warm PNG runs; the median is shown")
    parser.add_argument("--keep", metavar="DIR", default=None, help="write the exports here instead of a temp folder")
    parser.add_argument("--only", choices=("generated", "store"), default=None, help="run only one part")
    parser.add_argument("--month", metavar="DIR", type=Path, default=None, help="a month-like folder to reuse")
    parser.add_argument("--month-events", type=int, default=130_000, help="events of the generated month")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="explorer-bench-") as tmp:
        out = Path(args.keep) if args.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        if args.only != "generated":
            month = args.month
            if month is None or not month.is_dir():
                from bench_store import make_month

                month = make_month(Path(tmp), args.month_events) if month is None else _made(month, args)
            store_exports(month, out)
        if args.only == "store":
            return
        data = prepare_app_data(write_generated_dataset(Path(tmp) / "data", args.nodes))
        state = ViewState()
        H = apply_view(data.graph, state)
        print(f"generated view: {H.number_of_nodes()} nodes, {H.number_of_edges()} edges")
        png = ExportOptions(width=1400, height=900)
        with kaleido_server():
            cold = _timed(lambda: export_view(data, state, "png", out / "bench.png", png, force=True))
            warm = statistics.median(
                _timed(lambda: export_view(data, state, "png", out / "bench.png", png, force=True))
                for _ in range(args.repeat)
            )
            print(
                f"PNG 1400x900, {H.number_of_nodes()} nodes: first (Chromium starting) {cold:.2f} s, "
                f"warm median of {args.repeat} {warm:.2f} s  [target < 2 s warm]"
            )
            gif_state = ViewState(date_from="2023-01", date_to="2024-12")
            gif_opts = ExportOptions(width=1000, height=700, step="month")
            t = _timed(lambda: export_view(data, gif_state, "gif", out / "bench.gif", gif_opts, force=True))
            size = (out / "bench.gif").stat().st_size
            print(
                f"GIF 1000x700, 24 monthly frames of {H.number_of_nodes()} nodes: {t:.1f} s, "
                f"{size / 1e6:.1f} MB  [target < 30 s]"
            )
        bundled = prepare_app_data(bundled_data_dir())
        for label, st, opts in (
            ("bundled data, whole span (yearly frames)", ViewState(), ExportOptions()),
            (
                "bundled data, 2023-2024 monthly (24 frames)",
                ViewState(date_from="2023", date_to="2024"),
                ExportOptions(step="month"),
            ),
            (
                "bundled data, 2021-2024 monthly (48 frames)",
                ViewState(date_from="2021", date_to="2024"),
                ExportOptions(step="month"),
            ),
        ):
            path = out / "bench.html"
            t = _timed(lambda st=st, opts=opts, path=path: export_view(bundled, st, "html", path, opts, force=True))
            print(f"HTML, {label}: {path.stat().st_size / 1e6:.2f} MB in {t:.1f} s  [target < 8 MB]")


def _made(month: Path, args) -> Path:
    """Make the month at ``month`` (a folder that does not exist yet), for the next run to reuse."""
    from bench_store import make_month

    month.parent.mkdir(parents=True, exist_ok=True)
    made = make_month(month.parent, args.month_events)
    if made != month:
        made.rename(month)
    return month


if __name__ == "__main__":
    main()
