"""Benchmark: building the network figure, validated (go.Figure) or as a plain dict, and a selection patch.

    python bench/bench_figures.py              # bundled data + a generated 5,000-node view
    python bench/bench_figures.py --samples 3

For each view: the median wall and CPU time of ``make_network_figure`` returning a
validated ``go.Figure`` (what the exports use) and a plain dict (``as_dict=True``,
what the dashboard can send), with their ratio; the time of ``selection_updates``
for a node selection and its payload against the whole figure's; and the time of
label placement alone.  JSON sizes are as Dash sends them (``to_json_plotly``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from plotly.io.json import to_json_plotly

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import generate  # noqa: E402

from explorer.figures import make_network_figure, selection_updates  # noqa: E402
from explorer.paths import bundled_data_dir  # noqa: E402
from explorer.pipeline import apply_view  # noqa: E402
from explorer.presenter import figure_inputs, prepare_app_data, render_view  # noqa: E402
from explorer.viewstate import ViewState  # noqa: E402


def timed(fn, samples: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``fn()`` over ``samples`` runs, and its last result."""
    walls, cpus, result = [], [], None
    for _ in range(samples):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), result


def measure(data, state: ViewState, label: str, samples: int) -> None:
    H = apply_view(data.graph, state)
    inputs = figure_inputs(data, state, render_view(data, state).metrics)
    inputs.pop("selected")
    fig_wall, fig_cpu, _ = timed(lambda: make_network_figure(H, **inputs), samples)
    dict_wall, dict_cpu, plain = timed(lambda: make_network_figure(H, **inputs, as_dict=True), samples)
    node = max(H.degree, key=lambda nd: nd[1])[0]
    sel_wall, sel_cpu, updates = timed(lambda: selection_updates(plain, H, inputs["positions"], node), samples)
    whole = len(to_json_plotly(plain))
    patch = len(to_json_plotly(updates))
    print(
        f"{label}: {len(H)} nodes, {H.number_of_edges()} ties, {len(plain['data'])} traces\n"
        f"  go.Figure (validated): wall {fig_wall * 1000:.0f} ms, CPU {fig_cpu * 1000:.0f} ms\n"
        f"  plain dict:            wall {dict_wall * 1000:.0f} ms, CPU {dict_cpu * 1000:.0f} ms"
        f"  -> {fig_wall / dict_wall:.1f}x faster (wall), {fig_cpu / max(dict_cpu, 1e-9):.1f}x (CPU)\n"
        f"  selection_updates ({node}): wall {sel_wall * 1000:.0f} ms, CPU {sel_cpu * 1000:.0f} ms; "
        f"{len(updates)} changes, {patch / 1024:.1f} KiB against {whole / 1024:.0f} KiB for the whole figure"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=5)
    args = ap.parse_args()
    bundled = prepare_app_data(bundled_data_dir())
    measure(bundled, ViewState(date_from="2005-01-01", date_to="2025-12-31"), "bundled, officials", args.samples)
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "gen5k", entities=5000, affiliations=10_000, events=8_000)
        gen = prepare_app_data(folder)
        measure(gen, ViewState(), "generated, whole span", args.samples)


if __name__ == "__main__":
    main()
