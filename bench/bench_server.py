"""Load benchmark: the production server under the requests a real browser sends.

    python bench/bench_server.py                 # the full run (about 15 minutes)
    python bench/bench_server.py --quick         # 5 s rounds at 1 and 20 clients, bundled data only
    python bench/bench_server.py --workers 4 --clients 20 --seconds 10 --no-generated
    python bench/bench_server.py --distinct-windows 50   # users sharing 50 views: the cache at work

1. Start the documented production command, ``explorer serve --workers N``, on 127.0.0.1.
2. Record: headless Chromium opens the dashboard and changes windows, levels and tabs (links
   followed inside the page, the way a shared link or the back button changes the view, and
   clicks on the tabs), with Chromium's performance log on. Every ``POST
   /_dash-update-component`` body it sends is kept, so the replay follows whatever callbacks
   the app has.
3. Replay from C concurrent clients (threads, one keep-alive connection each, 127.0.0.1 only)
   for a bounded time: each request is a recorded body with a new random window (the
   ``from``/``to``/``date_from``/``date_to`` fields and ``date-from``/``date-to`` values
   replaced), drawn as the dashboard's users make them (:class:`Windows`):
   - 60 %: the range slider: both ends on the timeline's steps (months on the bundled data,
     weeks or days on shorter data), the start anywhere, 1, 2, 3, 6, 12 or 24 steps long;
   - 25 %: dates typed in the From and To fields: any day of the data's span, 1 to 730 days long;
   - 15 %: the opening view (``story.json``, else the last three months): every visitor lands
     on it, and Reset view and shared links return to it.
4. Report p50/p95/p99 latency and requests/s of the answered requests (200, 204), errors
   (anything else, 503 included, counted apart), the share answered from the shared cache,
   the server's CPU seconds per request, and its memory after each of three rounds at 20
   clients (flat memory), after a warm-up that fills the workers' caches. The same clients against a
   trivial Flask endpoint under the same gunicorn settings give the baseline of this run:
   the machine is shared and noisy, so the ratios are the figures to compare, with the CPU
   time per request (and the rate it allows on idle cores: cores / CPU time per request).

Targets (issue 10): at 20 clients on the bundled data, p95 <= 300 ms, >= 150 requests/s on
2 cores, zero errors, flat memory over three rounds.
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

ACCEPT = "gzip, deflate, br, zstd"  # what Chromium sends
FROM_KEYS = {"from", "date_from", "date-from"}
TO_KEYS = {"to", "date_to", "date-to"}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# --- the server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, proc: subprocess.Popen, path: str = "/", timeout: float = 600) -> float:
    """Seconds until ``GET path`` answers 200."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}: {proc.stderr.read().decode()[-2000:]}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no answer on port {port} after {timeout} s")


def start_explorer(data: Path | None, workers: int, threads: int, extra: list[str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "explorer", "serve", "--port", str(port), "--workers", str(workers)]
    cmd += ["--threads", str(threads), *(["--data", str(data)] if data else []), *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, port


def start_baseline(workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--chdir", str(BENCH), "-k", "gthread", "-w", str(workers)]
    cmd += ["--threads", str(threads), "-b", f"127.0.0.1:{port}", "--preload", "--log-level", "warning"]
    cmd += ["--no-control-socket"] if _gunicorn_has_control_socket() else []
    cmd += ["bench_server:baseline_app"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return proc, port


def _gunicorn_has_control_socket() -> bool:
    from gunicorn.config import make_settings

    return "control_socket_disable" in make_settings()


def _baseline():
    from flask import Flask

    app = Flask("baseline")

    @app.post("/_dash-update-component")
    @app.get("/")
    def ping():
        return {"ok": True}

    return app


baseline_app = _baseline() if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn") else None


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def server_tree(pid: int) -> list[psutil.Process]:
    p = psutil.Process(pid)
    return [p, *p.children(recursive=True)]


def memory_mb(pid: int) -> tuple[float, float]:
    """(sum of RSS, sum of USS) of the server's processes, in MB; USS counts pages shared
    copy-on-write with the master once, RSS counts them in every worker."""
    rss = uss = 0
    for p in server_tree(pid):
        try:
            info = p.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        uss += info.uss
    return rss / 2**20, uss / 2**20


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in server_tree(pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


# --- recording -----------------------------------------------------------------------------------


class Windows:
    """The windows a dashboard user makes on a data folder (see the module docstring): the
    timeline's steps, typed days, and the opening view, in the shares :attr:`SHARES`."""

    SHARES = (("slider", 0.60), ("typed", 0.25), ("opening", 0.15))
    STEPS = (1, 1, 2, 3, 3, 6, 12, 24)

    def __init__(self, data: Path | None, span: tuple[dt.date, dt.date]):
        from explorer.presenter import STORY_FILE, timeline_ticks
        from explorer.viewstate import ViewState

        self.span = span
        self.unit, self.ticks = timeline_ticks(*span)
        story = (data or _bundled()) / STORY_FILE
        opening = None
        if story.is_file():
            state, _ = ViewState.from_query(json.loads(story.read_text()).get("view", ""))
            a, b = state.window()
            opening = ((a or span[0]).isoformat(), (b or span[1]).isoformat())
        self.opening = opening or ((span[1] - dt.timedelta(days=91)).isoformat(), span[1].isoformat())

    def describe(self) -> str:
        return (
            f"windows: {self.SHARES[0][1]:.0%} range slider ({len(self.ticks)} {self.unit}s, 1-24 {self.unit}s long), "
            f"{self.SHARES[1][1]:.0%} typed days (1-730 days long), {self.SHARES[2][1]:.0%} the opening view "
            f"{self.opening[0]}..{self.opening[1]}"
        )

    def draw(self, rng: random.Random) -> tuple[str, str]:
        from explorer.presenter import tick_end

        u = rng.random()
        start, end = self.span
        if u < self.SHARES[0][1]:
            first = rng.randrange(len(self.ticks))
            last = min(len(self.ticks) - 1, first + rng.choice(self.STEPS) - 1)
            return self.ticks[first].isoformat(), min(tick_end(self.ticks[last], self.unit), end).isoformat()
        if u < self.SHARES[0][1] + self.SHARES[1][1]:
            a = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
            return a.isoformat(), min(end, a + dt.timedelta(days=rng.randrange(730))).isoformat()
        return self.opening


def _bundled() -> Path:
    from explorer.paths import bundled_data_dir

    return Path(bundled_data_dir())


def month_windows(start: dt.date, end: dt.date, rng: random.Random) -> tuple[str, str]:
    """A random window on the timeline's steps: 1 to 24 whole months inside the data's span."""
    months = (end.year - start.year) * 12 + end.month - start.month
    first = rng.randrange(0, months + 1)
    length = rng.choice((1, 1, 2, 3, 3, 6, 12, 24))
    y, m = divmod(start.month - 1 + first, 12)
    a = dt.date(start.year + y, m + 1, 1)
    y2, m2 = divmod(a.month - 1 + length - 1, 12)
    b_year, b_month = a.year + y2, m2 + 1
    b = dt.date(b_year, b_month, calendar.monthrange(b_year, b_month)[1])
    return a.isoformat(), min(b, end).isoformat()


def record(port: int, span: tuple[dt.date, dt.date], steps: int, seed: int) -> list[bytes]:
    """The callback request bodies a headless Chromium sends while a user changes windows,
    levels and tabs."""
    from selenium import webdriver
    from selenium.webdriver.common.by import By

    rng = random.Random(seed)
    opts = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1600,1100"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=opts)
    base = f"http://127.0.0.1:{port}"
    bodies: list[bytes] = []

    def settle(timeout: float = 60) -> None:
        end = time.time() + timeout
        quiet = None
        while time.time() < end:
            busy = driver.execute_script("return !!document.querySelector('[data-dash-is-loading=true]')")
            if busy:
                quiet = None
            elif quiet is None:
                quiet = time.time()
            elif time.time() - quiet > 0.8:
                return
            time.sleep(0.1)

    def harvest() -> None:
        pending = {}
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") != "Network.requestWillBeSent":
                continue
            req = msg["params"]["request"]
            if req.get("method") != "POST" or "/_dash-update-component" not in req.get("url", ""):
                continue
            if req.get("postData"):
                bodies.append(req["postData"].encode())
            else:
                pending[msg["params"]["requestId"]] = True
        for request_id in pending:
            try:
                data = driver.execute_cdp_cmd("Network.getRequestPostData", {"requestId": request_id})
                bodies.append(data["postData"].encode())
            except Exception:
                pass

    try:
        driver.get(base + "/")
        settle()
        tabs = ["Network", "Map", "Metrics", "Changes", "Paths"]
        for i in range(steps):
            a, b = month_windows(*span, rng)
            level = rng.choice(["officials", "countries"])
            query = f"?from={a}&to={b}&level={level}"
            # A link followed inside the page: dcc.Location picks it up without a reload.
            driver.execute_script(
                "window.history.pushState({}, '', arguments[0]);"
                "window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));",
                query,
            )
            settle()
            if i % 2:
                name = tabs[(i // 2) % len(tabs)]
                # The tab by its visible name, whatever element the layout makes it of.
                links = driver.find_elements(
                    By.XPATH,
                    f"//*[(self::a or self::button or @role='tab') and normalize-space(.)='{name}']",
                )
                if links:
                    driver.execute_script("arguments[0].click();", links[0])
                    settle()
            harvest()
    finally:
        driver.quit()
    return bodies


# --- replay --------------------------------------------------------------------------------------


def with_window(value, start: str, end: str):
    """``value`` (a decoded callback body) with every window field set to ``start``-``end``."""
    if isinstance(value, dict):
        out = {}
        ident = str(value.get("id", "")).lower()
        for k, v in value.items():
            if isinstance(v, str) and DATE.match(v) and (k in FROM_KEYS or k in TO_KEYS):
                out[k] = start if k in FROM_KEYS else end
            elif k == "value" and isinstance(v, str) and DATE.match(v) and ident in FROM_KEYS | TO_KEYS:
                out[k] = start if ident in FROM_KEYS else end
            else:
                out[k] = with_window(v, start, end)
        return out
    if isinstance(value, list):
        return [with_window(v, start, end) for v in value]
    if isinstance(value, str) and ("from=" in value or "to=" in value):
        value = re.sub(r"(?<=[?&])from=[^&]*", f"from={start}", value)
        return re.sub(r"(?<=[?&])to=[^&]*", f"to={end}", value)
    return value


def replay(
    port: int,
    bodies: list[bytes],
    clients: int,
    seconds: float,
    windows: Windows | None,
    seed: int,
    path: str = "/_dash-update-component",
    distinct: int = 0,
) -> dict:
    """C clients, each on one keep-alive connection, sending random recorded bodies (with a
    random window) for ``seconds``; latencies in ms, statuses, cache hits."""
    decoded = [json.loads(b) for b in bodies] if windows else []
    # --distinct-windows N: users who look at N windows between them (shared links, the default
    # view), instead of a new random window for every request.
    pool = [windows.draw(random.Random(seed + i)) for i in range(distinct)] if windows and distinct else []
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    hits = 0
    deadline = time.perf_counter() + seconds
    barrier = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        nonlocal hits
        rng = random.Random(seed * 1000 + k)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad, hit = [], {}, 0
        barrier.wait()
        while time.perf_counter() < deadline:
            if decoded:
                window = rng.choice(pool) if pool else windows.draw(rng)
                body = json.dumps(with_window(rng.choice(decoded), *window)).encode()
            else:
                body = rng.choice(bodies)
            t0 = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    path,
                    body=body,
                    headers={"Content-Type": "application/json", "Accept-Encoding": ACCEPT},
                )
                r = conn.getresponse()
                r.read()
                status = r.status
                if r.getheader("X-Explorer-Cache") == "hit":
                    hit += 1
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            if status in (200, 204):
                mine.append((time.perf_counter() - t0) * 1000)
            else:
                bad[str(status)] = bad.get(str(status), 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            hits += hit
            for k2, v in bad.items():
                errors[k2] = errors.get(k2, 0) + v

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")

    # Latencies and rates are of the answered requests (200, 204): what a user waits for a view.
    return {
        "clients": clients,
        "requests": len(lat),
        "rps": len(lat) / wall,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "errors": errors,
        "hit_share": hits / len(lat) if lat else 0.0,
        "wall": wall,
    }


def line(label: str, r: dict, cpu: float | None = None, mem: tuple[float, float] | None = None) -> str:
    errs = sum(r["errors"].values())
    text = (
        f"{label:<28} {r['clients']:>3} clients: {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  "
        f"p99 {r['p99']:7.1f} ms  errors {errs}{' ' + json.dumps(r['errors']) if errs else ''}"
    )
    if "hit_share" in r and r.get("hit_share"):
        text += f"  cache hits {r['hit_share']:.0%}"
    if cpu is not None and r["requests"]:
        text += f"  server CPU {cpu:.1f} s ({cpu / r['requests'] * 1000:.1f} ms/req)"
    if mem is not None:
        text += f"  memory RSS {mem[0]:.0f} MB, USS {mem[1]:.0f} MB"
    return text


# --- a run ---------------------------------------------------------------------------------------


def span_of(data: Path | None) -> tuple[dt.date, dt.date]:
    out = subprocess.run(
        [sys.executable, "-m", "explorer", "info", "--json", *(["--data", str(data)] if data else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    a, b = json.loads(out.stdout)["date_range"]
    return dt.date.fromisoformat(a), dt.date.fromisoformat(b)


def bench_folder(label: str, data: Path | None, args, results: dict) -> None:
    span = span_of(data)
    windows = Windows(data, span)
    print(f"{label}: {windows.describe()}", flush=True)
    t0 = time.perf_counter()
    proc, port = start_explorer(data, args.workers, args.threads, args.serve_args)
    try:
        up = wait_http(port, proc)
        # The first request each worker answers: one per connection, fresh connections.
        firsts = []
        for _ in range(args.workers * 2):
            t1 = time.perf_counter()
            wait_http(port, proc, "/_dash-layout")
            firsts.append((time.perf_counter() - t1) * 1000)
        print(
            f"{label}: `explorer serve --workers {args.workers} --threads {args.threads}"
            f"{' ' + ' '.join(args.serve_args) if args.serve_args else ''}` answered {up:.1f} s after start "
            f"(load, validate, positions, fork); first layout requests {', '.join(f'{f:.0f}' for f in firsts)} ms",
            flush=True,
        )
        t1 = time.perf_counter()
        bodies = record(port, span, args.steps, args.seed)
        print(
            f"{label}: recorded {len(bodies)} callback requests from headless Chromium in "
            f"{time.perf_counter() - t1:.0f} s ({len(set(bodies))} distinct; "
            f"{len({json.loads(b)['output'] for b in bodies})} callbacks)",
            flush=True,
        )
        if not bodies:
            raise SystemExit("the browser sent no callback request: is the dashboard broken?")
        if args.save_bodies:
            Path(f"{args.save_bodies}.{label}.json").write_text(json.dumps([b.decode() for b in bodies]))
        rounds = []
        for clients in args.clients:
            repeats = 3 if clients == 20 else 1
            if repeats > 1 and args.warmup:
                # The workers' own caches (views, metrics) fill first; the three rounds then show
                # whether memory stays flat.
                r = replay(port, bodies, clients, args.warmup, windows, args.seed - 1, distinct=args.distinct_windows)
                print(line(f"{label} warm-up", r, None, memory_mb(proc.pid)), flush=True)
            for n in range(repeats):
                cpu0 = cpu_seconds(proc.pid)
                r = replay(
                    port,
                    bodies,
                    clients,
                    args.seconds,
                    windows,
                    args.seed + clients * 10 + n,
                    distinct=args.distinct_windows,
                )
                cpu = cpu_seconds(proc.pid) - cpu0
                mem = memory_mb(proc.pid)
                tag = f"{label} round {n + 1}" if repeats > 1 else label
                print(line(tag, r, cpu, mem), flush=True)
                rounds.append({**r, "cpu": cpu, "rss_mb": mem[0], "uss_mb": mem[1], "round": n + 1})
        results[label] = {"startup_s": up, "first_ms": firsts, "rounds": rounds, "total_s": time.perf_counter() - t0}
    finally:
        stop(proc)


def bench_baseline(args, results: dict) -> None:
    proc, port = start_baseline(args.workers, args.threads)
    try:
        wait_http(port, proc)
        rounds = []
        for clients in args.clients:
            cpu0 = cpu_seconds(proc.pid)
            r = replay(port, [b"{}"], clients, min(args.seconds, 10), None, args.seed)
            cpu = cpu_seconds(proc.pid) - cpu0
            print(line("baseline (trivial Flask)", r, cpu), flush=True)
            rounds.append({**r, "cpu": cpu})
        results["baseline"] = {"rounds": rounds}
    finally:
        stop(proc)


def summary(results: dict) -> None:
    base = {r["clients"]: r for r in results.get("baseline", {}).get("rounds", [])}
    print("\nsummary (targets at 20 clients on bundled data: p95 <= 300 ms, >= 150 req/s, 0 errors, flat memory)")
    for label, res in results.items():
        if label == "baseline":
            continue
        for r in res["rounds"]:
            b = base.get(r["clients"])
            ratio = f"  = {r['rps'] / b['rps']:.2f} x baseline req/s" if b else ""
            cpu_ms = r["cpu"] / r["requests"] * 1000 if r["requests"] else float("nan")
            print(
                f"  {label:<10} {r['clients']:>3} clients round {r['round']}: {r['rps']:.1f} req/s{ratio}, "
                f"p95 {r['p95']:.0f} ms, errors {sum(r['errors'].values())}, cache hits {r['hit_share']:.0%}, "
                f"server CPU {cpu_ms:.1f} ms/req (= {os.cpu_count() * 1000 / cpu_ms:.0f} req/s on "
                f"{os.cpu_count()} idle cores), USS {r['uss_mb']:.0f} MB"
            )
        twenty = [r for r in res["rounds"] if r["clients"] == 20]
        if len(twenty) >= 2:
            growth = twenty[-1]["uss_mb"] - twenty[0]["uss_mb"]
            print(f"  {label:<10} memory from round 1 to round {len(twenty)} at 20 clients: {growth:+.0f} MB (USS)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--clients", type=int, nargs="+", default=[1, 5, 20, 50])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--steps", type=int, default=16, help="view changes in the recorded browser session")
    ap.add_argument("--warmup", type=float, default=20.0, help="seconds of load before the three 20-client rounds")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--distinct-windows",
        type=int,
        default=0,
        metavar="N",
        help="draw each request's window from N fixed windows (default: a new random window each time)",
    )
    ap.add_argument("--no-generated", action="store_true", help="skip the 5,000-entity folder")
    ap.add_argument("--quick", action="store_true", help="5 s rounds at 1 and 20 clients, bundled data only")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--save-bodies", metavar="PREFIX", help="write the recorded requests to PREFIX.LABEL.json")
    ap.add_argument("serve_args", nargs="*", help="more `explorer serve` options (after --)")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.clients, args.no_generated, args.warmup = 5.0, [1, 20], True, 5.0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    results: dict = {}
    bench_baseline(args, results)
    bench_folder("bundled", None, args, results)
    if not args.no_generated:
        from bench_load import generate

        with tempfile.TemporaryDirectory() as tmp:
            folder = generate(Path(tmp) / "gen5k", entities=5000, affiliations=10_000, events=8_000)
            bench_folder("generated", folder, args, results)
    summary(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
