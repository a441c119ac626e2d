"""Benchmark: server-side time of the dashboard's main update, and time to first render.

    python bench/bench_dashboard.py               # bundled data + 5,000 nodes / 50,000 edges
    python bench/bench_dashboard.py --no-browser  # skip the headless Chromium measurement

The main update is what the `render` callback runs when the view state changes:
the view pipeline, the metrics table, the network figure, the details panel and
the timeline, serialised to JSON as Dash sends them.  Each sample uses a new
window (the timeline moving), so no cache hides the work.
Targets (issue 4): bundled median < 100 ms; generated median < 1 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from plotly.utils import PlotlyJSONEncoder

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import generate  # noqa: E402

from explorer.details import node_details  # noqa: E402
from explorer.paths import bundled_data_dir  # noqa: E402
from explorer.presenter import prepare_app_data, render_timeline, render_view  # noqa: E402
from explorer.viewstate import ViewState  # noqa: E402


def main_update(data, state: ViewState) -> int:
    result = render_view(data, state)
    node = max(result.view.degree, key=lambda nd: nd[1])[0] if len(result.view) else ""
    details = node_details(data.graph, result.view, node) if node else None
    payload = [
        json.dumps(result.network, cls=PlotlyJSONEncoder),  # as Dash sends it (pio.to_json would strip uids)
        json.dumps(result.metrics, default=str),
        json.dumps(details, default=str),
        json.dumps(render_timeline(data, state), cls=PlotlyJSONEncoder),
    ]
    return sum(len(p) for p in payload)


def windows(data, n: int, months: int) -> list[ViewState]:
    start, end = data.span
    out = []
    for i in range(n):
        s = start + (end - start) * i / max(n, 1)
        e = s + dt.timedelta(days=30 * months)
        out.append(ViewState(date_from=s.isoformat(), date_to=min(e, end).isoformat()))
    return out


def measure(data, label: str, n: int, months: int) -> None:
    times, sizes = [], []
    for state in windows(data, n, months):
        t0 = time.perf_counter()
        sizes.append(main_update(data, state))
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    main_update(data, windows(data, n, months)[-1])
    cached = time.perf_counter() - t0
    print(
        f"{label}: {len(data.graph)} nodes, {data.graph.number_of_edges()} edges; main update over {n} windows "
        f"of {months} months: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, "
        f"payload median {statistics.median(sizes) / 1024:.0f} KiB; repeated view {cached * 1000:.1f} ms"
    )


def first_render(path: Path) -> None:
    import socket
    import subprocess

    from selenium import webdriver

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "serve", "--data", str(path), "--port", str(port)],
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        opts = webdriver.ChromeOptions()
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1600,1100"):
            opts.add_argument(arg)
        driver = webdriver.Chrome(options=opts)
        import urllib.request

        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        samples = []
        for _ in range(3):
            t0 = time.perf_counter()
            driver.get(f"http://127.0.0.1:{port}/")
            while not driver.execute_script(
                "const g=document.querySelector('#network .js-plotly-plot');"
                "return g && g.data && g.data.length > 0 && !document.querySelector('[data-dash-is-loading=true]')"
            ):
                time.sleep(0.02)
            samples.append(time.perf_counter() - t0)
        driver.quit()
        print(
            f"time to first render of the network in headless Chromium ({path.name}): "
            f"median {statistics.median(samples):.2f} s over 3 loads"
        )
    finally:
        proc.terminate()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    bundled = prepare_app_data(bundled_data_dir())
    measure(bundled, "bundled", args.samples, 2)
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "gen5k", entities=5000, affiliations=10_000, events=8_000)
        t0 = time.perf_counter()
        gen = prepare_app_data(folder)
        print(f"generated: start-up (load, build, positions) {time.perf_counter() - t0:.1f} s")
        measure(gen, "generated", args.samples, 12 * 30)
        if not args.no_browser:
            first_render(bundled_data_dir())


if __name__ == "__main__":
    main()
