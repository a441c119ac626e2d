"""Benchmark: load + validate + build, for the bundled data and a generated dataset.

    python bench/bench_load.py                 # bundled + 10k/50k/100k generated
    python bench/bench_load.py --events 10000  # a smaller generated dataset

Each measurement runs in a fresh process so peak RSS is that run's own.
Targets (issue 2): bundled under 0.5 s; generated under 10 s and 2 GB peak.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from explorer.schema import FILES

ISO3 = [
    "CHN",
    "RUS",
    "USA",
    "BRA",
    "IND",
    "ZAF",
    "EGY",
    "ETH",
    "IRN",
    "ARE",
    "SAU",
    "ARG",
    "IDN",
    "BLR",
    "BOL",
    "KAZ",
    "CUB",
    "MYS",
    "THA",
    "UGA",
    "UZB",
    "NGA",
    "VNM",
    "DZA",
    "TUR",
    "DEU",
    "FRA",
    "GBR",
    "JPN",
    "KOR",
]


def generate(folder: Path, entities: int, affiliations: int, events: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    orgs = [f"ORG{i}" for i in range(20)]
    officials = [f"official-{i}" for i in range(entities - len(ISO3) - len(orgs))]
    with open(folder / "entities.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(FILES["entities"].columns)
        for c in ISO3:
            w.writerow([c, "country", f"Country {c}", "", c, "", "", ""])
        for o in orgs:
            w.writerow([o, "organization", f"Organisation {o}", "", "", "", "", ""])
        for i, o in enumerate(officials):
            w.writerow([o, "official", f"Official {i}", f"Alias {i}", "", ISO3[i % len(ISO3)], "", ""])
    with open(folder / "sources.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(FILES["sources"].columns)
        for i in range(1000):
            w.writerow([f"S{i}", f"Source {i}", "Agency", f"https://example.org/{i}", "2024-01-01", "high", ""])
    seen = set()
    with open(folder / "affiliations.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(FILES["affiliations"].columns)
        n = 0
        while n < affiliations:
            if rng.random() < 0.6:
                o = rng.choice(officials)
                src, tgt, kind, title = o, ISO3[int(o.split("-")[1]) % len(ISO3)], "office", "Minister"
            else:
                src, tgt = rng.choice(ISO3), rng.choice(orgs)
                kind, title = rng.choice(["member", "partner", "invited", "chair"]), ""
            y, m = rng.randint(2000, 2024), rng.randint(1, 12)
            start = f"{y}-{m:02d}-{rng.randint(1, 28):02d}"
            if (src, tgt, kind, start) in seen:
                continue
            seen.add((src, tgt, kind, start))
            end = f"{y + rng.randint(0, 5)}-12-31" if rng.random() < 0.5 else ""
            w.writerow(
                [
                    src,
                    tgt,
                    kind,
                    title,
                    start,
                    end,
                    "day",
                    "day" if end else "",
                    "confirmed",
                    "high",
                    f"S{rng.randrange(1000)}",
                    "",
                ]
            )
            n += 1
    with open(folder / "events.csv", "w", newline="") as ef, open(folder / "participants.csv", "w", newline="") as pf:
        we, wp = csv.writer(ef, lineterminator="\n"), csv.writer(pf, lineterminator="\n")
        we.writerow(FILES["events"].columns)
        wp.writerow(FILES["participants"].columns)
        pool = officials + ISO3
        for i in range(events):
            y, m, d = rng.randint(2000, 2025), rng.randint(1, 12), rng.randint(1, 28)
            we.writerow(
                [
                    f"ev{i}",
                    rng.choice(["meeting", "call", "visit", "consultation"]),
                    f"Event {i}",
                    f"{y}-{m:02d}-{d:02d}",
                    "",
                    "day",
                    "Somewhere",
                    rng.choice(ISO3),
                    "Trade:discussed;Security:agreed",
                    "medium",
                    f"S{rng.randrange(1000)}",
                    "",
                ]
            )
            for j, p in enumerate(rng.sample(pool, rng.randint(2, 5))):
                wp.writerow([f"ev{i}", p, "host" if j == 0 else "participant"])
    return folder


MEASURE = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from explorer import build_graph, load_dataset
t_import = time.perf_counter() - t0
t0 = time.perf_counter()
ds = load_dataset(sys.argv[1])
t_load = time.perf_counter() - t0
t0 = time.perf_counter()
G = build_graph(ds)
t_build = time.perf_counter() - t0
print(json.dumps({"load_validate_s": round(t_load, 3), "build_s": round(t_build, 3),
                  "total_s": round(t_load + t_build, 3), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def measure(folder: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(folder)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--affiliations", type=int, default=50_000)
    ap.add_argument("--events", type=int, default=100_000)
    args = ap.parse_args()
    from explorer.paths import bundled_data_dir

    runs = [measure(bundled_data_dir()) for _ in range(3)]
    best = min(runs, key=lambda r: r["total_s"])
    print(f"bundled   : {best}  (best of 3; target total < 0.5 s)")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = generate(Path(tmp) / "gen", args.entities, args.affiliations, args.events)
        print(
            f"generated {args.entities} entities / {args.affiliations} affiliations / {args.events} events "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        print(f"generated : {measure(folder)}  (target total < 10 s, peak < 2048 MB)")


if __name__ == "__main__":
    main()
