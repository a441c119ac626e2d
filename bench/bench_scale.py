"""Benchmark: the dashboard on a month of GDELT and on 5,000 / 10,000 generated entities,
against the bundled data in the same run (issue 11's dashboard targets).

    python bench/bench_scale.py                       # bundled, a GDELT month (130,000 events), 5k and 10k entities
    python bench/bench_scale.py --keep /tmp/scale     # keep the generated folders (and their stores) for the next run
    python bench/bench_scale.py --events 1200000 --keep /tmp/big --only month   # the 1.2M-event month

For each data folder, ``explorer serve`` runs in its own process (waitress, one worker, no
response cache so every answer is computed):

- **serve answers**: from the start of the process to the first ``200`` on ``/`` (it loads the
  data, or opens its event store, computes the positions and warms up before it listens);
  the store of a large folder is built beforehand, as the importer leaves it (its build time
  is printed on its own);
- **first useful paint**: headless Chromium loads the page until the network graph holds
  data and no callback is in flight (median of 3 loads; the default view, then a link to
  the whole span);
- **window change**: from a one-week window, the start date is typed one week earlier and
  Enter pressed, until the description names the new window and nothing is loading (median
  of 3 different weeks);
- the server's **CPU time** (user + system, over the loads and changes) and its **peak RSS**;
- the **main update** (server side, in this process, as ``bench_dashboard.py`` measures it:
  view, metrics, figure, details, timeline, serialised) on the whole span, and the size of
  that response.

Ratios are against the bundled data measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import generate  # noqa: E402

from explorer.paths import bundled_data_dir  # noqa: E402

LOADS = 3
CHANGES = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its waited-for children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / tick


def proc_peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Served:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        t0 = time.perf_counter()
        # Started outside the checkout: ``-m`` puts the working folder first on the path, ahead of a
        # ``PYTHONPATH`` naming another tree to serve (bench_cold_page.py --rev).
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "explorer", "serve", "--data", str(Path(folder).resolve()), "--port", str(self.port)]
            + ["--cache-size", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=tempfile.gettempdir(),
        )
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"serve exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
            if time.perf_counter() - t0 > 600:
                raise SystemExit("serve did not answer within 600 s")
        self.ready = time.perf_counter() - t0
        self.cpu_ready = proc_cpu(self.proc.pid)

    def stop(self) -> tuple[float, float]:
        cpu, rss = proc_cpu(self.proc.pid), proc_peak_rss_mb(self.proc.pid)
        self.proc.terminate()
        self.proc.wait(30)
        return cpu, rss


IDLE_JS = (
    "const g=document.querySelector('#network .js-plotly-plot');"
    "return !!(g && g.data && g.data.length > 0 && document.querySelector('#view-description').textContent"
    " && !document.querySelector('[data-dash-is-loading=true]'))"
)


def wait(driver, script: str, timeout: float = 300, *args) -> None:
    end = time.perf_counter() + timeout
    while not driver.execute_script(script, *args):
        if time.perf_counter() > end:
            raise SystemExit(f"timed out after {timeout} s waiting for: {script[:80]}")
        time.sleep(0.02)


def first_paint(driver, url: str) -> float:
    driver.get("about:blank")
    t0 = time.perf_counter()
    driver.get(url)
    wait(driver, IDLE_JS)
    return time.perf_counter() - t0


def window_change(driver, base: str, end: dt.date) -> float:
    """From the week ending on ``end``, type a start one week earlier and press Enter."""
    from selenium.webdriver.common.keys import Keys

    start, new_start = end - dt.timedelta(days=6), end - dt.timedelta(days=13)
    driver.get(f"{base}/?from={start}&to={end}")
    wait(driver, IDLE_JS)
    box = driver.find_element("css selector", "#date-from")
    driver.execute_script("arguments[0].focus()", box)
    for ch in new_start.strftime("%m%d%Y"):
        box.send_keys(ch)
    expect = f"{new_start} to {end}"
    t0 = time.perf_counter()
    box.send_keys(Keys.ENTER)
    wait(driver, CHANGED_JS, 300, expect)
    return time.perf_counter() - t0


CHANGED_JS = (
    "if (!document.querySelector('#view-description').textContent.includes(arguments[0])) { return false; }" + IDLE_JS
)


def browser():
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1600,1100"):
        opts.add_argument(arg)
    return webdriver.Chrome(options=opts)


def main_update_figures(folder: Path) -> dict:
    """The server-side main update on the whole span, in a fresh process (JSON on stdout)."""
    code = f"""
import json, time, resource, sys
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from bench_dashboard import main_update
from explorer.presenter import prepare_app_data, render_view, entity_options
from explorer.viewstate import ViewState
data = prepare_app_data({str(folder)!r})
first, last = data.span
out = {{}}
for level in ("officials", "countries"):
    samples, cpus, sizes = [], [], []
    for i in range(3):
        state = ViewState(date_from=(first + __import__("datetime").timedelta(days=i)).isoformat(),
                          date_to=last.isoformat(), level=level)
        r0 = resource.getrusage(resource.RUSAGE_SELF); t0 = time.perf_counter()
        size = main_update(data, state)
        result = render_view(data, state)
        options = [o for o in entity_options(data) if o["value"] in result.view]
        size += 2 * len(json.dumps(options))
        samples.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        cpus.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        sizes.append(size)
    out[level] = {{"wall": sorted(samples)[1], "cpu": sorted(cpus)[1], "bytes": max(sizes),
                   "nodes": result.counts["nodes"], "shown": result.counts.get("shown", result.counts["nodes"])}}
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def measure(name: str, folder: Path, driver) -> dict:
    served = Served(folder)
    try:
        loads = [first_paint(driver, served.url + "/") for _ in range(LOADS)]
        default, cold = statistics.median(loads), loads[0]
        span = _span(driver)
        whole = statistics.median(
            first_paint(driver, f"{served.url}/?from={span[0]}&to={span[1]}") for _ in range(LOADS)
        )
        ends = [span[1] - dt.timedelta(days=3 * i) for i in range(CHANGES)]
        ends = [e for e in ends if e - dt.timedelta(days=13) >= span[0]] or [span[1]]
        change = statistics.median(window_change(driver, served.url, e) for e in ends)
    finally:
        cpu, rss = served.stop()
    print(
        f"{name}: serve answered in {served.ready:.1f} s ({served.cpu_ready:.1f} s CPU); first paint {cold:.2f} s, "
        f"median of {LOADS} loads {default:.2f} s "
        f"(whole span {whole:.2f} s); window change {change * 1000:.0f} ms; server CPU {cpu:.1f} s, peak RSS {rss:.0f} MB",
        flush=True,
    )
    return {
        "name": name,
        "ready": served.ready,
        "cpu_ready": served.cpu_ready,
        "paint": default,
        "cold": cold,
        "paint_whole": whole,
        "change": change,
        "cpu": cpu,
        "rss": rss,
    }


def _span(driver) -> tuple[dt.date, dt.date]:
    """The data's span, as the page's timeline states it."""
    starts, ends = driver.execute_script(
        "const t = document.querySelector('[data-tick-starts]');"
        "return [t.getAttribute('data-tick-starts'), t.getAttribute('data-tick-ends')];"
    )
    return dt.date.fromisoformat(json.loads(starts)[0]), dt.date.fromisoformat(json.loads(ends)[-1])


def folders(root: Path, events: int, only: set[str]) -> dict[str, Path]:
    out = {"bundled": bundled_data_dir()}
    if not only or "month" in only:
        from bench_store import make_month

        month = root / "month"
        if not month.is_dir():
            make_month(root, events)
        t0 = time.perf_counter()
        r0 = os.times()
        from explorer.store_build import build_store

        build_store(month)
        r1 = os.times()
        print(
            f"month: store built or checked in {time.perf_counter() - t0:.1f} s wall, "
            f"{r1.user + r1.system - r0.user - r0.system:.1f} s CPU (once per change of the CSV files)",
            flush=True,
        )
        out["month"] = month
    for n in (5000, 10000):
        key = f"gen{n // 1000}k"
        if only and key not in only:
            continue
        path = root / key
        if not path.is_dir():
            generate(path, entities=n, affiliations=2 * n, events=n * 8 // 5)
        out[key] = path
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=130_000, help="events of the GDELT month (default 130,000)")
    ap.add_argument("--keep", type=Path, help="folder to keep the generated data in (reused when present)")
    ap.add_argument("--only", default="", help="comma-separated: month, gen5k, gen10k (bundled always runs)")
    ap.add_argument("--no-browser", action="store_true", help="only the server-side main update")
    args = ap.parse_args()
    only = {s for s in args.only.split(",") if s}
    tmp = None
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        root = args.keep
    else:
        tmp = tempfile.TemporaryDirectory()
        root = Path(tmp.name)
    try:
        data = folders(root, args.events, only)
        print(f"load average at start: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)", flush=True)
        updates = {}
        for name, folder in data.items():
            updates[name] = main_update_figures(folder)
            for level, u in updates[name].items():
                b = updates["bundled"][level]
                print(
                    f"{name} main update, whole span, {level}: {u['wall'] * 1000:.0f} ms wall ({u['wall'] / b['wall']:.1f}x)"
                    f" / {u['cpu'] * 1000:.0f} ms CPU ({u['cpu'] / b['cpu']:.1f}x), response {u['bytes'] / 1024:.0f} KiB,"
                    f" {u['shown']} of {u['nodes']} entities drawn",
                    flush=True,
                )
        if args.no_browser:
            return
        driver = browser()
        try:
            rows = [measure(name, folder, driver) for name, folder in data.items()]
        finally:
            driver.quit()
        base = rows[0]
        print(f"load average at end: {' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
        print()
        print(
            "| data | serve answers | first paint (first load / median) | whole span | window change | server CPU | peak RSS |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['name']} | {r['ready']:.1f} s ({r['cpu_ready']:.1f} s CPU) | {r['cold']:.2f} s "
                f"({r['cold'] / base['cold']:.2f}x) / {r['paint']:.2f} s ({r['paint'] / base['paint']:.2f}x) | "
                f"{r['paint_whole']:.2f} s ({r['paint_whole'] / base['paint_whole']:.2f}x)"
                f" | {r['change'] * 1000:.0f} ms ({r['change'] / base['change']:.2f}x) | {r['cpu']:.1f} s | {r['rss']:.0f} MB |"
            )
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
