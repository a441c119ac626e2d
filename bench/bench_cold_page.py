"""Benchmark: a first visit to the dashboard, in a new Chromium profile each time (nothing cached,
nothing compiled), against a commit of this checkout in the same run.

    python bench/bench_cold_page.py --data /tmp/scale/gen5k --rev 7b02d08 --loads 5
    python bench/bench_cold_page.py --loads 10                      # the bundled data, this checkout only

For each load, ``explorer serve`` starts on the folder (as ``bench_scale.py`` serves it: one
worker, response cache off) and a new headless Chromium opens the page twice: the *cold* load
(a new profile: every script is downloaded and compiled) and a *warm* one (the same page again:
scripts cached and compiled).  Both are timed as ``bench_scale.py`` times a first paint: from
the navigation until the network graph holds data and nothing is loading; beside the wall time,
the CPU time all of Chromium's processes spent meanwhile.  With ``--rev``, the loads alternate
between this checkout and that commit (exported with ``git archive``, served through
``PYTHONPATH``), so both see the same machine.  Medians, and every sample, are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import export_rev, tree_cpu  # noqa: E402
from bench_scale import Served, browser, first_paint  # noqa: E402

from explorer.paths import bundled_data_dir  # noqa: E402


def browser_cpu(driver) -> dict[int, float]:
    """CPU seconds (user + system) of each of Chromium's processes."""
    import psutil

    return tree_cpu(psutil.Process(driver.service.process.pid))


def timed(driver, url: str) -> tuple[float, float]:
    """(wall, Chromium's CPU) of a first paint of ``url``."""
    before = browser_cpu(driver)
    wall = first_paint(driver, url)
    after = browser_cpu(driver)
    return wall, sum(v - before.get(pid, 0.0) for pid, v in after.items())


def load_pair(folder: Path, src: Path | None) -> tuple[tuple[float, float], tuple[float, float]]:
    """(cold, warm) first paint of ``folder`` served from ``src`` (None: this checkout), each as
    (wall, Chromium's CPU) in seconds."""
    saved = os.environ.get("PYTHONPATH")
    if src is not None:
        os.environ["PYTHONPATH"] = str(src)
    else:
        os.environ.pop("PYTHONPATH", None)
    try:
        served = Served(folder)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    driver = browser()
    try:
        return timed(driver, served.url + "/"), timed(driver, served.url + "/")
    finally:
        driver.quit()
        served.stop()


def served_package(src: Path | None) -> str:
    """Where the server started by :func:`load_pair` imports explorer from (as ``Served`` starts it)."""
    import subprocess

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    code = "import explorer; print(explorer.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True
    )
    return str(Path(done.stdout.strip()).parent)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=bundled_data_dir(), help="the data folder (default: bundled)")
    ap.add_argument("--rev", help="also serve this commit of the checkout, alternating with this checkout")
    ap.add_argument("--loads", type=int, default=5, help="cold/warm load pairs per version (default 5)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        versions: dict[str, Path | None] = {"this checkout": None}
        if args.rev:
            src = Path(tmp) / "src"
            src.mkdir()
            versions[f"rev {args.rev}"] = export_rev(args.rev, src)
        served = {name: served_package(src) for name, src in versions.items()}
        for name, where in served.items():
            print(f"{name}: explorer from {where}", flush=True)
        if len(set(served.values())) != len(served):
            raise SystemExit("bench_cold_page: both versions would serve the same explorer package")
        samples: dict[str, list] = {name: [] for name in versions}
        load = os.getloadavg()
        for i in range(args.loads):
            order = list(versions.items())
            for name, src in order if i % 2 == 0 else reversed(order):
                samples[name].append(load_pair(args.data, src))
        end = os.getloadavg()
    print(
        f"{args.data.name}: {args.loads} cold/warm load pairs per version, a new Chromium profile each; "
        f"load average {load[0]:.1f} at the start, {end[0]:.1f} at the end"
    )
    for name, pairs in samples.items():
        for i, which in enumerate(("cold", "warm")):
            wall, cpu = [p[i][0] for p in pairs], [p[i][1] for p in pairs]
            print(
                f"  {name}, {which}: median {statistics.median(wall):.2f} s wall, "
                f"{statistics.median(cpu):.2f} s of Chromium's CPU; "
                f"wall {[round(w, 2) for w in wall]}, CPU {[round(c, 2) for c in cpu]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
