"""Benchmark: what a user feels in the dashboard, in headless Chromium, against a bare Dash floor.

    python bench/bench_browser.py                 # bundled data + a generated 5,000-node folder
    python bench/bench_browser.py --quick         # bundled only, 3 repeats, short playback
    python bench/bench_browser.py --data generated --repeats 3
    python bench/bench_browser.py --rev HEAD      # serve a commit of this checkout (e.g. a 'before')
    python bench/bench_browser.py --json out.json # also write every sample

Both apps run in their own server process (waitress, 8 threads, 127.0.0.1, a random
free port) and are driven by their own headless Chromium (window 1440x900):

- explorer: ``explorer.app.create_app(data)``;
- the floor (``bench/browser_apps.py``): a bare, assets-free Dash app that shows the very
  same figures (``explorer.presenter.render_view(data, state).network``) in a
  ``dcc.Graph`` and swaps them on a click: the floor of Dash + Plotly on this machine.

Measured, each as a ratio against the floor in the same run (samples interleaved,
explorer and floor taking turns):

- first paint: navigation start until the network graph has drawn its nodes;
- level switch: a click on the level control (explorer) or the swap button (floor)
  until the graph holds the other level's nodes and has drawn them (alternately
  officials -> countries and back, on an explicit window);
- node click: a mouse click on a node's marker until ``#details`` shows its name;
- play (explorer only): a click on Play, then the times the graph draws a new window
  and the times ``#date-to`` changes: frame intervals against the chosen speed and
  whether the date fields ever run ahead of the graph.

Times are taken in the page: ``performance.now()`` at the mouse-up of a real
(CDP-dispatched) click and on the first animation frame where the condition holds,
polled with ``requestAnimationFrame``; never from Selenium round trips.  CPU time is
the server process's (user + system) and Chromium's (all its processes), from just
before the click until the page is quiet (no request in flight for 400 ms).

Targets (issue 9): first paint, level switch and node click at most 1.5x the floor;
play frames at the chosen speed (mean within 20%) with jitter (stdev/mean) under
20%, and the controls never ahead of the graph.  A missed target, or an explorer
sample with no result within ``--timeout`` (its page is ended after three timeouts
if it stops answering), prints a FAIL line and still exits 0; a crash, or a floor
with no completed sample (the benchmark itself is broken), exits 1.

The selectors and URL keys it relies on are in EXPLORER, FLOOR and QUERY below.

To try a change without editing the package, ``APPS_SCRIPT=path/to/script.py`` runs that
script instead of ``browser_apps.py`` for both servers (same arguments; it may patch explorer
and then call ``browser_apps.main()``).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# ---- what the benchmark relies on in the pages: adjust here if the layout changes ------------
EXPLORER = {
    "graph": "#network",  # the dcc.Graph of the network; the plot is its .js-plotly-plot
    "level": "#level input[value='{level}']",  # the level control's radio inputs
    "details": "#details",  # its text includes the selected entity's name
    "play": "#play",
    "date_from": "#date-from",
    "date_to": "#date-to",
    "speed": "#speed",  # a select whose value is the frame interval in ms (optional)
    "step": "#step",  # a select whose value is the playback step (optional)
}
FLOOR = {"graph": "#network", "swap": "#swap", "details": "#details"}
FLOOR_PATHS = {"first": "/first/", "switch": "/switch/", "node": "/node/"}
QUERY = "from={start}&to={end}&level={level}"  # the URL as the view state

TARGET_RATIO = 1.5
TIMEOUT_S = 60.0  # per sample; --timeout
TARGET_JITTER = 0.20
WINDOW = (1440, 900)
CHROME = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@dataclass
class Dataset:
    label: str
    data: str  # a folder, or 'bundled' (resolved by the server with the explorer it runs)
    window: tuple[str, str] | None  # the explicit window of the level-switch and node-click pages
    play: tuple[str, str] | None  # a window that playback can advance
    generated: bool = False


def bundled() -> Dataset:
    return Dataset("bundled", "bundled", ("2024-01-01", "2024-02-29"), ("2024-01-01", "2024-01-31"))


def generated(folder: Path) -> Dataset:
    # None: the window is the whole span of the data (the 5,000-node view), read from the floor.
    return Dataset("generated 5k", str(folder), None, ("2010-01-01", "2019-12-31"), generated=True)


# ---- the in-page probe, installed before any of the page's own scripts -----------------------
PROBE_JS = r"""
(() => {
  if (window.__bench) { return; }
  const GRAPH = %(graph)s;
  const B = (window.__bench = { inflight: 0, lastNet: 0, fp: null, fpInfo: null, armed: null, rec: null });

  // Requests in flight (Dash callbacks go through fetch), for "the page is quiet".
  const origFetch = window.fetch;
  window.fetch = function (...args) {
    B.inflight++; B.lastNet = performance.now();
    const done = () => { B.inflight--; B.lastNet = performance.now(); };
    return origFetch.apply(this, args).then((r) => { done(); return r; }, (e) => { done(); throw e; });
  };
  const origSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    B.inflight++; B.lastNet = performance.now();
    this.addEventListener('loadend', () => { B.inflight--; B.lastNet = performance.now(); });
    return origSend.apply(this, args);
  };

  B.plot = (sel) => document.querySelector((sel || GRAPH) + ' .js-plotly-plot');

  // The node markers a plot holds ('node|id' customdata) and how many of them are drawn:
  // SVG points in the trace's group, or a WebGL scene that has drawn since its last update.
  B.nodes = (gd) => {
    if (!gd || !gd._fullData || !gd._fullLayout) { return null; }
    const ids = new Set(); let total = 0, drawn = 0, points = 0;
    for (const t of gd._fullData) {
      points += t._length || 0;
      const cd = t.customdata; let n = 0;
      if (cd && cd.length) {
        for (let i = 0; i < cd.length; i++) {
          const c = cd[i];
          if (typeof c === 'string' && c.startsWith('node|')) { ids.add(c.slice(5)); n++; }
        }
      }
      // Count marker traces only: a text-only trace (labels) carries ids but draws no marker.
      if (!n || t.visible !== true || !String(t.mode || '').includes('markers')) { continue; }
      total += n;
      if (t.type === 'scattergl') {
        const sp = gd._fullLayout._plots && gd._fullLayout._plots[(t.xaxis || 'x') + (t.yaxis || 'y')];
        if (sp && sp._scene && sp._scene.dirty === false) { drawn += n; }
      } else {
        const g = gd.querySelector('g.trace' + CSS.escape(t.uid));
        if (g) { drawn += Math.min(n, g.querySelectorAll('.point').length); }
      }
    }
    return { ids: Array.from(ids), total, drawn, points };
  };
  B.hash = (s) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  };
  B.signature = (info) => B.hash(info.ids.slice().sort().join(','));

  B.check = (spec) => {
    if (spec.kind === 'text') {
      const el = document.querySelector(spec.sel);
      return !!el && el.textContent.includes(spec.text);
    }
    const info = B.nodes(B.plot(spec.graph));
    if (!info || !info.total || info.drawn < info.total) { return false; }
    if (!spec.expect) { return true; }
    if (!spec._expect) { spec._expect = new Set(spec.expect); }
    let hit = 0;
    for (const id of info.ids) { if (spec._expect.has(id)) { hit++; } }
    return hit >= 0.95 * spec._expect.size && info.ids.length - hit <= 0.05 * spec._expect.size;
  };

  // First paint: from navigation start (performance.now() = 0) to the first frame with nodes drawn.
  const fpPoll = () => {
    try {
      const info = B.nodes(B.plot());
      if (info && info.total > 0 && info.drawn >= info.total) {
        B.fp = performance.now();
        B.fpInfo = { nodes: info.ids.length, points: info.points, signature: B.signature(info) };
        return;
      }
    } catch (e) { B.fpError = String(e); }
    requestAnimationFrame(fpPoll);
  };
  requestAnimationFrame(fpPoll);

  // A timed interaction: armed, then the next mouse-up starts the clock and a rAF poll.
  B.arm = (spec) => { B.armed = { spec, t0: null, t1: null, err: null }; };
  B.poll = () => {
    const a = B.armed;
    if (!a || a.t1 !== null) { return; }
    let ok = false;
    try { ok = B.check(a.spec); } catch (e) { a.err = String(e); }
    if (ok) { a.t1 = performance.now(); } else { requestAnimationFrame(B.poll); }
  };
  B.lastMouseUp = null;
  window.addEventListener('mouseup', () => {
    const now = performance.now();
    B.lastMouseUp = now;
    const a = B.armed;
    if (a && a.t0 === null) { a.t0 = now; requestAnimationFrame(B.poll); }
  }, true);
  B.waitArmed = (timeout, done) => {
    const start = performance.now();
    const step = () => {
      const a = B.armed || {};
      if (a.t1 !== null && a.t1 !== undefined) { B.armed = null; done({ t0: a.t0, t1: a.t1 }); }
      else if (performance.now() - start > timeout) {
        B.armed = null; done({ t0: a.t0, t1: null, err: a.err || 'timeout' });
      } else { setTimeout(step, 25); }
    };
    step();
  };
  // Wait for a condition with no click (a page that is loading).
  B.waitFor = (spec, timeout, done) => {
    const start = performance.now();
    const step = () => {
      let ok = false, err = null;
      try { ok = B.check(spec); } catch (e) { err = String(e); }
      if (ok) { done({ ok: true }); }
      else if (performance.now() - start > timeout) { done({ ok: false, err }); }
      else { requestAnimationFrame(step); }
    };
    step();
  };
  // Quiet: no request in flight, no Dash loading flag and the figure unchanged for `ms`.
  B.quiet = (ms, timeout, done) => {
    const start = performance.now();
    let since = start, last;
    const step = () => {
      const now = performance.now();
      const gd = B.plot();
      const data = gd ? gd.data : null;
      const busy = B.inflight > 0 || !!document.querySelector('[data-dash-is-loading="true"]');
      if (busy || data !== last) { since = now; last = data; }
      const idle = Math.min(now - since, now - B.lastNet);
      if (idle >= ms) { done(now); }
      else if (now - start > timeout) { done(null); }
      else { setTimeout(step, 50); }
    };
    step();
  };

  // Playback: every frame, note when the graph draws new content and when the controls change.
  B.record = (ctrlSels) => {
    const rec = (B.rec = { graph: [], ctrl: [], stopped: false, t0: null });
    let lastData, lastDrawn, lastContent = null, dirty = true, hooked = null, reacted = false;
    const lastVal = {};
    const loop = () => {
      if (rec.stopped) { return; }
      const now = performance.now();
      const gd = B.plot();
      if (gd && gd.on && hooked !== gd) {
        hooked = gd;
        for (const ev of ['plotly_afterplot', 'plotly_redraw', 'plotly_animated']) { gd.on(ev, () => { dirty = true; }); }
        gd.on('plotly_react', () => { dirty = true; reacted = true; });
      }
      if (gd && (gd.data !== lastData || dirty)) {
        const info = B.nodes(gd);
        if (info && info.drawn >= info.total) {
          // A new frame: other nodes or another number of points (ties), or a new figure that
          // Plotly has finished drawing (two windows can draw the very same graph); matched to a
          // window by its nodes.
          const fresh = reacted && gd.data !== lastDrawn;
          lastData = gd.data; dirty = false; reacted = false;
          const sig = B.signature(info), content = sig + '|' + info.points;
          if (content !== lastContent || fresh) {
            lastContent = content; lastDrawn = gd.data;
            rec.graph.push({ t: now, sig, nodes: info.ids.length, points: info.points });
          }
        }
      }
      for (const s of ctrlSels) {
        const el = document.querySelector(s);
        const v = el ? el.value : null;
        if (!(s in lastVal) || v !== lastVal[s]) { rec.ctrl.push({ t: now, sel: s, v }); lastVal[s] = v; }
      }
      requestAnimationFrame(loop);
    };
    loop();
  };
})();
"""

NODE_POINTS_JS = """
const gd = window.__bench.plot(arguments[0]);
// 'instant': Bootstrap makes scrolling smooth, and the positions are read right after.
gd.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
const pts = () => {
  const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis, r = gd.getBoundingClientRect();
  const out = {};
  for (const t of gd._fullData) {
    const cd = t.customdata || [];
    for (let i = 0; i < cd.length; i++) {
      if (typeof cd[i] === 'string' && cd[i].startsWith('node|')) {
        out[cd[i].slice(5)] = [r.left + xa._offset + xa.l2p(t.x[i]), r.top + ya._offset + ya.l2p(t.y[i])];
      }
    }
  }
  return out;
};
let p = pts();
const want = p[arguments[1]];
if (want && (want[1] < 10 || want[1] > window.innerHeight - 10)) {
  window.scrollBy({top: want[1] - window.innerHeight / 2, behavior: 'instant'});
  p = pts();
}
const out = {};
for (const [id, xy] of Object.entries(p)) {
  let near = Infinity;
  for (const [other, q] of Object.entries(p)) {
    if (other !== id) { near = Math.min(near, Math.hypot(xy[0] - q[0], xy[1] - q[1])); }
  }
  const el = document.elementFromPoint(xy[0], xy[1]);
  out[id] = {x: xy[0], y: xy[1], near, inPlot: !!el && gd.contains(el),
             inView: xy[1] > 0 && xy[1] < window.innerHeight && xy[0] > 0 && xy[0] < window.innerWidth};
}
return out;
"""

CENTER_JS = """
const el = document.querySelector(arguments[0]);
if (!el) { return null; }
el.scrollIntoView({block: 'nearest', inline: 'nearest', behavior: 'instant'});  // not smooth: measure after
const r = el.getBoundingClientRect();
const x = r.left + r.width / 2, y = r.top + r.height / 2;
const hit = document.elementFromPoint(x, y);
const label = el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null;
const ok = !!hit && (hit === el || el.contains(hit) || (label && (hit === label || label.contains(hit))));
return {x, y, ok, hit: hit ? hit.tagName + '#' + hit.id + '.' + hit.className : null};
"""


# ---- processes -------------------------------------------------------------------------------
def free_port() -> int:
    for _ in range(200):
        port = random.randint(18000, 28999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18000-28999")


class Server:
    """One app in its own process (``browser_apps.py``), stopped on exit whatever happens."""

    def __init__(self, app: str, data: str, server: str, src: Path | None):
        self.app, self.port = app, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{app}-", suffix=".log", delete=False)
        env = dict(os.environ, DASH_DISABLE_VERSION_CHECK="true", PYTHONUNBUFFERED="1")
        if src:
            env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        script = os.environ.get("APPS_SCRIPT", str(HERE / "browser_apps.py"))
        cmd = [sys.executable, script, app, data, str(self.port), "--server", server]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.ps = psutil.Process(self.proc.pid)
        _LIVE.append(self)

    def wait_ready(self, path: str, timeout: float = 600) -> None:
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the {self.app} server exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the {self.app} server did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, n: int = 3000) -> str:
        return Path(self.log.name).read_text(errors="replace")[-n:]

    def post(self, path: str, body: dict, timeout: float = 600):
        req = urllib.request.Request(
            self.url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"the {self.app} server answered {exc.code} to {path}:\n{self.tail()}") from exc

    def get(self, path: str, timeout: float = 60):
        with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
            return json.loads(r.read())

    def cpu(self) -> float:
        t = self.ps.cpu_times()
        return t.user + t.system

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self in _LIVE:
            _LIVE.remove(self)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def tree_cpu(root: psutil.Process) -> dict[int, float]:
    """CPU seconds (user + system) of each process below ``root``, by pid."""
    out = {}
    for p in root.children(recursive=True):
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        out[p.pid] = t.user + t.system
    return out


class Browser:
    """A headless Chromium with the probe installed in every page it opens."""

    def __init__(self, selectors: dict, timeout: float):
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROME
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
            f"--window-size={WINDOW[0]},{WINDOW[1]}",
        ):
            opts.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        _LIVE.append(self)
        self.driver.set_window_size(*WINDOW)
        # A hung page (a long task that never yields) fails the call instead of blocking forever.
        self.driver.set_page_load_timeout(timeout + 30)
        self.driver.set_script_timeout(timeout + 30)
        self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": PROBE_JS % {"graph": json.dumps(selectors["graph"])}}
        )
        self.root = psutil.Process(self.driver.service.process.pid)

    def cpu(self) -> dict[int, float]:
        return tree_cpu(self.root)

    @contextlib.contextmanager
    def deadline(self, seconds: float):
        """End the page's renderer after ``seconds``: chromedriver does not time out a call into a page
        whose main thread never yields, and the call then fails ('tab crashed') instead of hanging."""
        fired: list[bool] = []

        def end_page() -> None:
            fired.append(True)
            for p in self.root.children(recursive=True):
                try:
                    if "--type=renderer" in p.cmdline():
                        p.kill()
                except psutil.Error:
                    pass

        timer = threading.Timer(seconds, end_page)
        timer.daemon = True
        timer.start()
        try:
            yield fired
        finally:
            timer.cancel()

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait_js(self, call: str, *args):
        """Run ``call`` (an expression ending in a ``done`` callback argument) asynchronously."""
        return self.driver.execute_async_script("const done = arguments[arguments.length - 1]; " + call, *args)

    def open(self, url: str) -> None:
        self.driver.get("about:blank")
        self.driver.get(url)

    def mouse(self, kind: str, x: float, y: float) -> None:
        self.driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {
                "type": kind,
                "x": x,
                "y": y,
                "button": "none" if kind == "mouseMoved" else "left",
                "buttons": 1 if kind == "mousePressed" else 0,
                "clickCount": 0 if kind == "mouseMoved" else 1,
            },
        )

    def click(self, x: float, y: float, hover: float = 0.0) -> None:
        self.mouse("mouseMoved", x, y)
        if hover:
            time.sleep(hover)  # a person's hand on the way; not timed (the clock starts at mouse-up)
        self.mouse("mousePressed", x, y)
        self.mouse("mouseReleased", x, y)

    def quit(self) -> None:
        """Close the browser; if a hung page keeps chromedriver from doing it, end its processes."""
        procs = [self.root]
        try:
            procs += self.root.children(recursive=True)
        except psutil.Error:
            pass
        closer = threading.Thread(target=self._quit_driver, daemon=True)
        closer.start()
        closer.join(30)
        for p in procs[::-1]:
            try:
                p.kill()
            except psutil.Error:
                pass
        if self in _LIVE:
            _LIVE.remove(self)

    def _quit_driver(self) -> None:
        try:
            self.driver.quit()
        except Exception:  # noqa: BLE001 - the processes are ended by pid after this anyway
            pass


_LIVE: list = []


def _stop_all() -> None:
    for thing in list(_LIVE)[::-1]:
        try:
            thing.stop() if isinstance(thing, Server) else thing.quit()
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


atexit.register(_stop_all)


# ---- samples and summaries -------------------------------------------------------------------
@dataclass
class Sample:
    ms: float | None
    server_cpu_ms: float
    browser_cpu_ms: float
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Series:
    samples: list[Sample] = field(default_factory=list)

    def times(self) -> list[float]:
        return [s.ms for s in self.samples if s.ms is not None]

    def median(self) -> float | None:
        t = self.times()
        return statistics.median(t) if t else None

    def p90(self) -> float | None:
        t = sorted(self.times())
        if not t:
            return None
        return statistics.quantiles(t, n=10, method="inclusive")[-1] if len(t) > 1 else t[0]

    def cpu(self) -> tuple[float | None, float | None]:
        done = [s for s in self.samples if s.ms is not None]
        if not done:
            return None, None
        return statistics.median(s.server_cpu_ms for s in done), statistics.median(s.browser_cpu_ms for s in done)

    def missed(self) -> int:
        return sum(s.ms is None for s in self.samples)

    def to_json(self) -> dict:
        return {
            "median_ms": self.median(),
            "p90_ms": self.p90(),
            "timeouts": self.missed(),
            "samples": [s.__dict__ for s in self.samples],
        }


class Side:
    """One app under test: its server, its browser, its selectors."""

    def __init__(self, name: str, server: Server, sel: dict, timeout: float):
        self.name, self.server, self.sel, self.timeout = name, server, sel, timeout
        # One sample waits at most for a page load, the result and quiet: three timeouts.
        self.deadline_s = 3 * timeout + 60
        self.browser = Browser(sel, timeout)

    def restart(self) -> None:
        """A fresh browser, after a page stopped answering."""
        self.browser.quit()
        self.browser = Browser(self.sel, self.timeout)

    def cpu(self) -> tuple[float, dict]:
        return self.server.cpu(), self.browser.cpu()

    def cpu_delta(self, before: tuple[float, dict]) -> tuple[float, float]:
        srv, brw = self.cpu()
        b = sum(max(0.0, v - before[1].get(pid, 0.0)) for pid, v in brw.items())
        return (srv - before[0]) * 1000, b * 1000

    def quiet(self, timeout_ms: float, quiet_ms: float = 400) -> float | None:
        return self.browser.wait_js("window.__bench.quiet(arguments[0], arguments[1], done);", quiet_ms, timeout_ms)

    def wait_nodes(self, expect: list[str] | None, timeout_ms: float) -> None:
        spec = {"kind": "nodes", "graph": self.sel["graph"], "expect": expect}
        r = self.browser.wait_js("window.__bench.waitFor(arguments[0], arguments[1], done);", spec, timeout_ms)
        if not r["ok"]:
            raise RuntimeError(
                f"{self.name}: the graph did not draw the expected {len(expect or [])} nodes within "
                f"{timeout_ms / 1000:.0f} s at {self.browser.driver.current_url} ({r.get('err')}); "
                f"it holds {self.graph_info()}"
            )

    def graph_info(self) -> dict | None:
        return self.browser.js(
            "const i = window.__bench.nodes(window.__bench.plot(arguments[0]));"
            "return i && {nodes: i.ids.length, total: i.total, drawn: i.drawn, points: i.points,"
            " signature: window.__bench.signature(i)};",
            self.sel["graph"],
        )

    def load(self, url: str, expect: list[str] | None, timeout_ms: float) -> None:
        self.browser.open(url)
        self.wait_nodes(expect, timeout_ms)
        if self.quiet(timeout_ms) is None:
            print(f"  note: {self.name} did not become quiet within {timeout_ms / 1000:.0f} s at {url}")

    def timed_click(self, x: float, y: float, spec: dict, timeout_ms: float, hover: float = 0.0) -> Sample:
        b = self.browser
        if b.js("return window.__bench.check(arguments[0]);", spec):
            raise RuntimeError(f"{self.name}: the page already shows what the click should bring ({spec})")
        b.js("window.__bench.arm(arguments[0]);", spec)
        if hover:
            b.mouse("mouseMoved", x, y)
            time.sleep(hover)
        before = self.cpu()
        b.mouse("mousePressed", x, y)
        b.mouse("mouseReleased", x, y)
        r = b.wait_js("window.__bench.waitArmed(arguments[0], done);", timeout_ms)
        self.quiet(timeout_ms)
        srv, brw = self.cpu_delta(before)
        if r.get("t0") is None:
            raise RuntimeError(f"{self.name}: the click at ({x:.0f}, {y:.0f}) reached no mouse-up listener")
        ms = (r["t1"] - r["t0"]) if r.get("t1") is not None else None
        return Sample(ms, srv, brw, "" if ms is not None else f"timeout ({r.get('err')})")


# ---- the measures ----------------------------------------------------------------------------
def order(i: int, sides: list[Side]) -> list[Side]:
    """ABBA: explorer first on even repeats, the floor first on odd ones."""
    return sides if i % 2 == 0 else sides[::-1]


def interleaved(what: str, sides: list[Side], repeats: int, warmup: int, one) -> dict[str, Series]:
    """``one(side, i)`` for each repeat and app in turn; warm-up rounds are not recorded.

    An app's first sample without a result (a timeout, or a page that stopped answering)
    is recorded and ends that app's series, its page being in an unknown state; the
    other app goes on, so the ratio's floor is still measured.
    """
    out = {s.name: Series() for s in sides}
    stopped: set[str] = set()
    for i in range(warmup + repeats):
        for side in order(i, sides):
            if side.name in stopped:
                continue
            before = side.cpu()
            fired: list = []
            try:
                with side.browser.deadline(side.deadline_s) as fired:
                    sample = one(side, i)
            except WebDriverException as exc:
                srv, brw = side.cpu_delta(before)
                sample = Sample(None, srv, brw, unresponsive(exc, fired, side.deadline_s))
                side.restart()
            if i >= warmup or sample.ms is None:
                out[side.name].samples.append(sample)
            if sample.ms is None:
                print(f"  note: {side.name}, {what}: no result ({sample.note}); its series stops here", flush=True)
                stopped.add(side.name)
    return out


def unresponsive(exc: Exception, fired: list, deadline_s: float) -> str:
    if fired:
        return f"page unresponsive for {deadline_s:.0f} s (ended by the benchmark)"
    return "page unresponsive: " + (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]


def measure_first_paint(sides, urls, repeats, warmup, timeout_ms) -> dict[str, Series]:
    def one(side: Side, i: int) -> Sample:
        before = side.cpu()
        side.browser.open(urls[side.name])
        r = side.browser.wait_js(
            "const s = performance.now();"
            "const step = () => { const B = window.__bench;"
            " if (B && B.fp !== null) { const n = performance.getEntriesByType('navigation')[0] || {};"
            " done({fp: B.fp, info: B.fpInfo, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}); }"
            " else if (performance.now() - s > arguments[0]) { done({fp: null, err: B && B.fpError}); }"
            " else { setTimeout(step, 25); } }; step();",
            timeout_ms,
        )
        side.quiet(timeout_ms)
        srv, brw = side.cpu_delta(before)
        sample = Sample(r["fp"], srv, brw, "" if r["fp"] is not None else f"timeout ({r.get('err')})")
        sample.extra = {"dom_content_loaded_ms": r.get("dcl"), "load_ms": r.get("load"), "drawn": r.get("info")}
        return sample

    return interleaved("first paint", sides, repeats, warmup, one)


def level_point(side: Side, level: str) -> tuple[float, float]:
    sel = side.sel["level"].format(level=level) if "level" in side.sel else side.sel["swap"]
    c = side.browser.js(CENTER_JS, sel)
    if c is None:
        raise RuntimeError(f"{side.name}: no element matches {sel!r}")
    if not c["ok"]:
        raise RuntimeError(f"{side.name}: {sel!r} at ({c['x']:.0f}, {c['y']:.0f}) is covered by {c['hit']}")
    return c["x"], c["y"]


def measure_level_switch(sides, urls, views, repeats, warmup, timeout_ms) -> dict[str, Series]:
    def one(side: Side, i: int) -> Sample:
        if i == 0:
            side.load(urls[side.name], views["officials"]["nodes"], timeout_ms)
        target = "countries" if i % 2 == 0 else "officials"
        x, y = level_point(side, target)
        spec = {"kind": "nodes", "graph": side.sel["graph"], "expect": views[target]["nodes"]}
        sample = side.timed_click(x, y, spec, timeout_ms)
        sample.note = (sample.note + f" to {target}").strip()
        return sample

    return interleaved("level switch", sides, repeats, warmup, one)


def choose_node(side: Side, wanted: str, candidates: list[str]) -> str:
    pts = side.browser.js(NODE_POINTS_JS, side.sel["graph"], wanted)
    usable = {n: p for n, p in pts.items() if n in candidates and p["inPlot"] and p["inView"]}
    if wanted in usable and usable[wanted]["near"] >= 12:
        return wanted
    if not usable:
        raise RuntimeError(f"{side.name}: no node marker is clickable in the viewport")
    best = max(usable, key=lambda n: usable[n]["near"])
    print(f"  note: node {wanted!r} is absent or crowded on screen; clicking {best!r} instead")
    return best


def measure_node_click(sides, urls, views, node, name, repeats, warmup, timeout_ms) -> dict[str, Series]:
    def one(side: Side, i: int) -> Sample:
        side.load(urls[side.name], views["countries"]["nodes"], timeout_ms)
        text = side.browser.js(
            "const e = document.querySelector(arguments[0]); return e && e.textContent;", side.sel["details"]
        )
        if text is None:
            raise RuntimeError(f"{side.name}: no element matches {side.sel['details']!r}")
        p = side.browser.js(NODE_POINTS_JS, side.sel["graph"], node)[node]
        if not (p["inPlot"] and p["inView"]):
            raise RuntimeError(f"{side.name}: node {node} at ({p['x']:.0f}, {p['y']:.0f}) is not clickable")
        spec = {"kind": "text", "sel": side.sel["details"], "text": name}
        return side.timed_click(p["x"], p["y"], spec, timeout_ms, hover=0.15)

    return interleaved("node click", sides, repeats, warmup, one)


def measure_play(side: Side, floor: Server, url: str, query: str, frames: int, timeout_ms: float) -> dict:
    b = side.browser
    side.load(url, None, timeout_ms)
    speed = b.js("const e = document.querySelector(arguments[0]); return e ? e.value : null;", side.sel["speed"])
    step = b.js("const e = document.querySelector(arguments[0]); return e ? e.value : null;", side.sel["step"])
    speed_ms = int(speed) if speed and str(speed).isdigit() else 1500
    info = floor.get("/_bench/info")
    expected = floor.post("/_bench/play", {"query": query, "step": step or info["unit"], "frames": frames + 2})
    b.js("window.__bench.record(arguments[0]);", [side.sel["date_to"], side.sel["date_from"]])
    c = b.js(CENTER_JS, side.sel["play"])
    if c is None or not c["ok"]:
        raise RuntimeError(f"{side.name}: the play button {side.sel['play']!r} is missing or covered ({c})")
    before = side.cpu()
    b.click(c["x"], c["y"])
    t_click = b.js("return window.__bench.lastMouseUp;")
    deadline = time.time() + (frames + 3) * speed_ms / 1000 * 3 + timeout_ms / 1000
    while time.time() < deadline:
        n = b.js("return window.__bench.rec.graph.filter(g => g.t > arguments[0]).length;", t_click)
        if n >= frames + 1:
            break
        time.sleep(0.25)
    rec = b.js("window.__bench.rec.stopped = true; return window.__bench.rec;")
    c = b.js(CENTER_JS, side.sel["play"])
    if c and c["ok"]:
        b.click(c["x"], c["y"])  # pause
    side.quiet(timeout_ms)
    srv, brw = side.cpu_delta(before)
    return analyse_play(rec, expected, t_click, speed_ms, frames, side.sel["date_to"], srv, brw)


def analyse_play(rec, expected, t_click, speed_ms, frames, date_to_sel, srv_ms, brw_ms) -> dict:
    """Frame intervals, and whether the date field ever showed a later window than the graph.

    ``expected`` are the windows playback steps through, with the signature of each
    one's figure from the pure pipeline; a drawn frame is the first expected window
    (in order) with its signature, or, when the app draws none of them (it draws
    differently), the n-th window for the n-th draw.
    """
    by_sig: dict[int, list[int]] = {}
    for k, f in enumerate(expected):
        by_sig.setdefault(f["signature"], []).append(k)
    draws = [g for g in rec["graph"] if g["t"] > t_click]
    any_match = any(g["sig"] in by_sig for g in draws)
    shown: list[str | None] = []  # the date_to of the window each draw shows
    last = 0
    for n, g in enumerate(draws, start=1):
        if any_match:
            # A draw of the same graph as the previous frame's is the next window that draws it.
            ks = [k for k in by_sig.get(g["sig"], []) if k > last] or [k for k in by_sig.get(g["sig"], []) if k >= last]
            k = ks[0] if ks else None
        else:
            k = n if n < len(expected) else None
        shown.append(expected[k]["date_to"] if k is not None else None)
        last = k if k is not None else last
    ctrl = [c for c in rec["ctrl"] if c["sel"] == date_to_sel and c["t"] > t_click and c["v"]]
    ahead = []
    for c in ctrl:  # ISO dates compare as strings
        at = max((d for g, d in zip(draws, shown) if d and g["t"] <= c["t"]), default=expected[0]["date_to"])
        if c["v"] > at:
            caught = [g["t"] for g, d in zip(draws, shown) if d and d >= c["v"] and g["t"] >= c["t"]]
            ahead.append({"date_to": c["v"], "graph_date_to": at, "lead_ms": caught[0] - c["t"] if caught else None})
    times = [g["t"] for g in draws[: frames + 1]]
    intervals = [b - a for a, b in zip(times, times[1:])]
    result = {
        "speed_ms": speed_ms,
        "frames_drawn": len(draws),
        "frames_matched_to_windows": sum(d is not None for d in shown) if any_match else 0,
        "first_frame_ms": (times[0] - t_click) if times else None,
        "intervals_ms": intervals,
        "mean_interval_ms": statistics.fmean(intervals) if intervals else None,
        "jitter": (statistics.pstdev(intervals) / statistics.fmean(intervals)) if len(intervals) > 1 else None,
        "max_deviation": max(abs(i - speed_ms) / speed_ms for i in intervals) if intervals else None,
        "controls_ahead": ahead,
        "date_to_changes": len(ctrl),
        "server_cpu_ms": srv_ms,
        "browser_cpu_ms": brw_ms,
        "recorded_ms": (rec["graph"][-1]["t"] if rec["graph"] else t_click) - t_click,
        "server_cpu_ms_per_frame": srv_ms / len(times) if times else None,
        "browser_cpu_ms_per_frame": brw_ms / len(times) if times else None,
    }
    ok_speed = result["mean_interval_ms"] is not None and abs(result["mean_interval_ms"] / speed_ms - 1) <= 0.2
    ok_jitter = result["jitter"] is not None and result["jitter"] < TARGET_JITTER
    result["pass"] = bool(ok_speed and ok_jitter and not ahead and len(intervals) >= max(2, frames // 2))
    return result


# ---- one data folder -------------------------------------------------------------------------
def run_dataset(ds: Dataset, args) -> dict:
    t0 = time.perf_counter()
    print(f"\n== {ds.label}: starting servers ({args.server}) ...", flush=True)
    ex_srv = Server("explorer", ds.data, args.server, args.src)
    fl_srv = Server("floor", ds.data, args.server, args.src)
    sides: list[Side] = []
    try:
        ex_srv.wait_ready("/")
        fl_srv.wait_ready("/_bench/info")
        print(f"   servers ready in {time.perf_counter() - t0:.1f} s", flush=True)
        for srv in (ex_srv, fl_srv):
            print("   " + " ".join(line for line in srv.tail().splitlines() if "ready on" in line), flush=True)
        info = fl_srv.get("/_bench/info")
        start, end = ds.window or tuple(info["span"])
        q = {lvl: QUERY.format(start=start, end=end, level=lvl) for lvl in ("officials", "countries")}
        timeout_ms = args.timeout * 1000
        explorer = Side("explorer", ex_srv, EXPLORER, args.timeout)
        sides.append(explorer)
        floor = Side("floor", fl_srv, FLOOR, args.timeout)
        sides.append(floor)

        # The default view as explorer opens it (its URL is its state), and the graph's size there.
        explorer.load(ex_srv.url + "/", None, timeout_ms)
        default_query = explorer.browser.js("return location.search.replace(/^\\?/, '');")
        size = explorer.browser.js(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.width, r.height];",
            EXPLORER["graph"],
        )
        default_info = explorer.graph_info()
        views = fl_srv.post(
            "/_bench/configure",
            {
                "first": default_query,
                "officials": q["officials"],
                "countries": q["countries"],
                "style": {"width": f"{size[0]:.0f}px", "height": f"{size[1]:.0f}px"},
            },
        )
        print(
            f"   default view {default_query or '(no query)'}: {len(views['first']['nodes'])} nodes; "
            f"explicit window {start}..{end}: {len(views['officials']['nodes'])} officials-level nodes, "
            f"{len(views['countries']['nodes'])} countries-level; graph {size[0]:.0f}x{size[1]:.0f} px",
            flush=True,
        )
        like_for_like = []
        if default_info and default_info["signature"] != views["first"]["signature"]:  # other nodes
            like_for_like.append(
                f"explorer's default page draws {default_info['nodes']} nodes / {default_info['points']} points, "
                f"the floor's figure for '{default_query}' {len(views['first']['nodes'])} / "
                f"{views['first']['points']}: first paint is not like for like"
            )
        result: dict = {
            "data": ds.label,
            "entities": info["entities"],
            "edges": info["edges"],
            "default_query": default_query,
            "window": [start, end],
            "view_nodes": {k: len(v["nodes"]) for k, v in views.items()},
            "graph_px": size,
            "default_points": {"explorer": (default_info or {}).get("points"), "floor": views["first"]["points"]},
            "warnings": like_for_like,
            "timeout_s": args.timeout,
            "interactions": {},
        }
        reps, warm = args.repeats, args.warmup

        print("   first paint ...", flush=True)
        urls = {"explorer": ex_srv.url + "/", "floor": fl_srv.url + FLOOR_PATHS["first"]}
        fp = measure_first_paint(sides, urls, reps, warm, timeout_ms)
        fl_info = floor.graph_info()
        if fl_info and default_info and fl_info["signature"] != default_info["signature"]:
            like_for_like.append("the floor's first page draws another figure than explorer's default page")
        result["interactions"]["first paint"] = fp

        print("   level switch ...", flush=True)
        urls = {"explorer": f"{ex_srv.url}/?{q['officials']}", "floor": fl_srv.url + FLOOR_PATHS["switch"]}
        result["interactions"]["level switch"] = measure_level_switch(sides, urls, views, reps, warm, timeout_ms)

        print("   node click ...", flush=True)
        urls = {"explorer": f"{ex_srv.url}/?{q['countries']}", "floor": fl_srv.url + FLOOR_PATHS["node"]}
        explorer.load(urls["explorer"], views["countries"]["nodes"], timeout_ms)
        node = choose_node(explorer, args.node, views["countries"]["nodes"])
        name = fl_srv.post("/_bench/names", {"ids": [node]})[node]
        fl_srv.post(
            "/_bench/configure",
            {
                "first": default_query,
                "officials": q["officials"],
                "countries": q["countries"],
                "style": {"width": f"{size[0]:.0f}px", "height": f"{size[1]:.0f}px"},
                "nodes": [node],
            },
        )
        result["node"] = {"id": node, "name": name}
        result["interactions"]["node click"] = measure_node_click(
            sides, urls, views, node, name, reps, warm, timeout_ms
        )

        if ds.play and args.play_frames > 0:
            print("   play ...", flush=True)
            pq = QUERY.format(start=ds.play[0], end=ds.play[1], level="officials")
            play_deadline = explorer.deadline_s + (args.play_frames + 3) * 3 * 3
            fired = []
            try:
                with explorer.browser.deadline(play_deadline) as fired:
                    result["play"] = measure_play(
                        explorer, fl_srv, f"{ex_srv.url}/?{pq}", pq, args.play_frames, timeout_ms
                    )
            except WebDriverException as exc:
                note = unresponsive(exc, fired, play_deadline)
                print(f"  note: explorer, play: {note}", flush=True)
                result["play"] = {"error": note, "pass": False}
            result["play"]["query"] = pq
        result["seconds"] = time.perf_counter() - t0
        return result
    finally:
        for side in sides:
            side.browser.quit()
        ex_srv.stop()
        fl_srv.stop()


# ---- the report ------------------------------------------------------------------------------
def fmt(v: float | None, unit: str = "") -> str:
    return "—" if v is None else f"{v:.0f}{unit}"


def report(results: list[dict]) -> tuple[list[str], list[str]]:
    """Print the table; return (FAIL lines, errors: interactions that measured nothing)."""
    fails, errors = [], []
    head = (
        f"{'data':<13} {'interaction':<13} {'explorer ms med/p90':>20} {'floor ms med/p90':>17} {'ratio':>6} "
        f"{'target':>8} {'result':>6}  {'CPU ms explorer srv+brw':>24} {'floor srv+brw':>14}"
    )
    print("\n" + head)
    print("-" * len(head))
    for res in results:
        for name, series in res["interactions"].items():
            ex, fl = series["explorer"], series["floor"]
            em, fm = ex.median(), fl.median()
            ratio = em / fm if em is not None and fm else None
            ok = ratio is not None and ratio <= TARGET_RATIO and not ex.missed()
            (es, eb), (fs, fb) = ex.cpu(), fl.cpu()
            print(
                f"{res['data']:<13} {name:<13} {fmt(em):>9} / {fmt(ex.p90()):>8} {fmt(fm):>7} / {fmt(fl.p90()):>7} "
                f"{(f'{ratio:.2f}x' if ratio else '—'):>6} {'<=1.5x':>8} {'pass' if ok else 'FAIL':>6}  "
                f"{fmt(es):>11} + {fmt(eb):<10} {fmt(fs):>6} + {fmt(fb):<6}"
            )
            if fm is None:  # the floor must always answer: the benchmark itself is broken
                errors.append(
                    f"{res['data']} {name}: no completed floor sample ({fl.samples[-1].note if fl.samples else '-'})"
                )
            elif em is None:
                fails.append(
                    f"FAIL {res['data']} {name}: explorer gave no result within {res['timeout_s']:.0f} s "
                    f"({ex.samples[-1].note if ex.samples else '-'}); the floor took {fm:.0f} ms"
                )
            elif not ok:
                why = f"{ratio:.2f}x the floor ({em:.0f} vs {fm:.0f} ms), target <= {TARGET_RATIO}x"
                if ex.missed():
                    why += f"; {ex.missed()} explorer sample(s) timed out"
                fails.append(f"FAIL {res['data']} {name}: {why}")
        play = res.get("play")
        if play and play.get("error"):
            print(f"{res['data']:<13} {'play frames':<13} {play['error']}")
            fails.append(f"FAIL {res['data']} play: {play['error']}")
        elif play:
            j, mean, dev = play["jitter"], play["mean_interval_ms"], play["max_deviation"]
            ahead = play["controls_ahead"]
            ivs = play["intervals_ms"]
            worst = max(ivs) if ivs else None
            ratio = f"{mean / play['speed_ms']:.2f}x" if mean else "—"
            print(
                f"{res['data']:<13} {'play frames':<13} {fmt(mean):>9} / {fmt(worst):>8} "
                f"{play['speed_ms']:>7} {'(speed)':>9} {ratio:>6} {'jit<20%':>8} "
                f"{'pass' if play['pass'] else 'FAIL':>6}  "
                + (
                    f"{fmt(play['server_cpu_ms_per_frame']):>11} + {fmt(play['browser_cpu_ms_per_frame']):<10} per frame"
                    if play["server_cpu_ms_per_frame"] is not None
                    else f"{fmt(play['server_cpu_ms']):>11} + {fmt(play['browser_cpu_ms']):<10} in all"
                )
            )
            print(
                f"{'':<13} {'':<13} mean / worst interval; jitter {('—' if j is None else f'{j:.0%}')}, "
                f"max deviation {('—' if dev is None else f'{dev:.0%}')}, first frame "
                f"{fmt(play['first_frame_ms'])} ms after the click, date field ahead of the graph "
                f"at {len(ahead)} of its {play['date_to_changes']} changes"
            )
            if not play["pass"]:
                bits = []
                if mean is None or len(play["intervals_ms"]) < 2:
                    bits.append(f"only {play['frames_drawn']} frame(s) drawn")
                else:
                    bits.append(f"frames every {mean:.0f} ms for a {play['speed_ms']} ms setting")
                    bits.append(f"jitter {j:.0%}" if j is not None else "jitter —")
                if ahead:
                    leads = [a["lead_ms"] for a in ahead if a["lead_ms"] is not None]
                    never = sum(a["lead_ms"] is None for a in ahead)
                    bits.append(
                        f"the date field ran ahead of the graph at {len(ahead)} of its {play['date_to_changes']} changes"
                        + (f" (by up to {max(leads):.0f} ms)" if leads else "")
                        + (f", {never} not caught up by the graph before the recording ended" if never else "")
                    )
                fails.append(f"FAIL {res['data']} play: " + "; ".join(bits))
        for w in res.get("warnings", []):
            print(f"WARNING {res['data']}: {w}")
    return fails, errors


def to_json(results: list[dict], args) -> dict:
    def conv(o):
        if isinstance(o, Series):
            return o.to_json()
        if isinstance(o, dict):
            return {k: conv(v) for k, v in o.items()}
        if isinstance(o, list):
            return [conv(v) for v in o]
        return o

    return {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "window": WINDOW,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "server": args.server,
        "src": str(args.src) if args.src else None,
        "rev": args.rev,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "results": conv(results),
    }


def export_rev(rev: str, dest: Path) -> Path:
    """A read-only export of a commit of this checkout (``git archive``), to serve it."""
    repo = HERE.parent
    done = subprocess.run(["git", "-C", str(repo), "archive", rev], capture_output=True)
    if done.returncode:
        raise SystemExit(f"bench_browser: --rev {rev}: {done.stderr.decode(errors='replace').strip()}")
    archive = done.stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="bundled data only, 3 repeats, 4 playback frames")
    ap.add_argument("--repeats", type=int, help="samples per interaction and app (default 7; 3 with --quick)")
    ap.add_argument("--warmup", type=int, help="unrecorded rounds first (default 2; 1 with --quick)")
    ap.add_argument("--play-frames", type=int, help="playback frames to record (default 8; 4 with --quick)")
    ap.add_argument("--node", default="CHN", help="the countries-level node to click (default CHN)")
    ap.add_argument("--timeout", type=float, default=TIMEOUT_S, help="seconds before a sample counts as timed out")
    ap.add_argument("--server", choices=["waitress", "flask"], default="waitress")
    ap.add_argument("--src", type=Path, help="serve the explorer package found in this source tree")
    ap.add_argument("--rev", help="serve this commit of the checkout (exported with git archive)")
    ap.add_argument(
        "--data",
        choices=["all", "bundled", "generated"],
        help="which data: the bundled folder, a generated 5,000-node folder, or both (default; bundled with --quick)",
    )
    ap.add_argument("--json", type=Path, help="write every sample and summary to this file")
    args = ap.parse_args(argv)
    args.repeats = args.repeats or (3 if args.quick else 7)
    args.warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    args.play_frames = args.play_frames if args.play_frames is not None else (4 if args.quick else 8)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        if args.rev:
            (Path(tmp) / "src").mkdir()
            args.src = export_rev(args.rev, Path(tmp) / "src")
        which = args.data or ("bundled" if args.quick else "all")
        datasets = [bundled()] if which in ("all", "bundled") else []
        if which in ("all", "generated"):
            from bench_load import generate

            folder = generate(Path(tmp) / "gen5k", entities=5000, affiliations=10_000, events=8_000)
            datasets.append(generated(folder))
        print(
            f"bench_browser: Chromium {WINDOW[0]}x{WINDOW[1]} headless, {args.repeats} repeats after "
            f"{args.warmup} warm-up, servers: {args.server}, explorer from {args.src or 'this checkout'}; "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
        )
        results = [run_dataset(ds, args) for ds in datasets]
    fails, errors = report(results)
    if args.json:
        args.json.write_text(json.dumps(to_json(results, args), indent=1, default=str))
        print(f"\nwrote {args.json}")
    print()
    for line in fails:
        print(line)
    for line in errors:
        print(f"ERROR {line}")
    if not fails and not errors:
        print("all targets met")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
