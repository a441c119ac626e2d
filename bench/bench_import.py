"""Benchmark ``explorer import gdelt`` on a large generated GDELT 2.0 file, against ``pandas.read_csv``.

The file is made by repeating the rows of the real GDELT 2.0 fixture
(``../shared/fixtures/gdelt2-20180326``) with new GLOBALEVENTIDs, a new day
per repetition (SQLDATE, MonthYear, Year, DATEADDED) and a distinct article
URL per repetition, until it reaches ``--size``.  It is written under
``--workdir`` (default: a folder in the system's temporary directory), never
into the repository, and reused by later runs of the same size.

Each measurement runs in its own process; wall time and peak resident memory
(``ru_maxrss`` of that process) are reported.  The baseline is a plain
``pandas.read_csv`` of the same file (tab-separated, no quoting, every column
as str), which only reads it.

Usage::

    python bench/bench_import.py --size 2G
    python bench/bench_import.py --size 50M --no-baseline
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO.parent / "shared" / "fixtures" / "gdelt2-20180326" / "20180326044500.export.CSV"

BASELINE = """
import csv, sys
import pandas as pd
frame = pd.read_csv(sys.argv[1], sep="\\t", header=None, dtype=str, quoting=csv.QUOTE_NONE, keep_default_na=False)
print(len(frame))
"""


def parse_size(text: str) -> int:
    """``'2G'`` -> 2147483648; K, M and G are powers of 1024; a bare number is bytes."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]?)B?", text.strip().upper())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 500M or 2G")
    return int(float(m.group(1)) * 1024 ** " KMG".index(m.group(2) or " "))


def generate(path: Path, size: int, fixture: Path = FIXTURE) -> int:
    """Write a GDELT 2.0 file of at least ``size`` bytes; return its number of rows."""
    rows = [line.split(b"\t") for line in fixture.read_bytes().splitlines() if line]
    start = dt.date(2015, 2, 19)
    written = count = 0
    next_id = 1_000_000_000
    with open(path, "wb", buffering=1 << 22) as out:
        block = 0
        while written < size:
            day = start + dt.timedelta(days=block % 3650)
            sqldate = day.strftime("%Y%m%d").encode()
            month, year = sqldate[:6], sqldate[:4]
            added = sqldate + b"044500"
            tag = f"gdeltbench={block}".encode()
            lines = []
            for fields in rows:
                f = list(fields)
                f[0] = str(next_id).encode()
                next_id += 1
                f[1], f[2], f[3], f[59] = sqldate, month, year, added
                f[60] = f[60] + (b"&" if b"?" in f[60] else b"?") + tag
                lines.append(b"\t".join(f))
            chunk = b"\n".join(lines) + b"\n"
            out.write(chunk)
            written += len(chunk)
            count += len(rows)
            block += 1
    return count


def measure(cmd: list[str]) -> dict:
    """Run ``cmd``; its wall time, peak RSS and exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024, "stdout": out}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", type=parse_size, default=parse_size("2G"), help="size of the generated file (default 2G)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "explorer-bench",
        help="where the file and the output folder go (default: <tmp>/explorer-bench)",
    )
    parser.add_argument("--fixture", type=Path, default=FIXTURE, help="the GDELT 2.0 file whose rows are repeated")
    parser.add_argument("--no-baseline", action="store_true", help="skip the pandas.read_csv baseline")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not args.fixture.is_file():
        parser.error(f"the fixture {args.fixture} is missing (it lives in ../shared/fixtures beside the repository)")
    workdir = args.workdir.resolve()
    if workdir == REPO or REPO in workdir.parents:
        parser.error("--workdir must be outside the repository")
    workdir.mkdir(parents=True, exist_ok=True)

    data = workdir / f"gdelt2-{args.size // 2**20}MiB.export.CSV"
    if not data.is_file() or data.stat().st_size < args.size:
        t0 = time.perf_counter()
        generate(data, args.size, args.fixture)
        print(
            f"generated {data} ({data.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    with open(data, "rb") as fh:
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b""))
    nbytes = data.stat().st_size

    out = workdir / "out"
    env_cmd = [sys.executable, "-m", "explorer", "import", "gdelt", str(data), "--out", str(out), "--force"]
    imp = measure(env_cmd)
    summary = imp.pop("stdout").strip().splitlines()
    figures = {
        "file": str(data),
        "bytes": nbytes,
        "rows": rows,
        "import_seconds": round(imp["seconds"], 2),
        "import_rows_per_s": round(rows / imp["seconds"]),
        "import_mb_per_s": round(nbytes / 1e6 / imp["seconds"], 1),
        "import_peak_rss_mb": round(imp["peak_rss_mb"]),
        "summary": summary,
    }
    if not args.no_baseline:
        base = measure([sys.executable, "-c", BASELINE, str(data)])
        figures.update(
            {
                "pandas_read_csv_seconds": round(base["seconds"], 2),
                "pandas_read_csv_rows_per_s": round(rows / base["seconds"]),
                "pandas_read_csv_peak_rss_mb": round(base["peak_rss_mb"]),
                "speedup_vs_read_csv": round(base["seconds"] / imp["seconds"], 2),
            }
        )
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"file:           {data} ({nbytes / 1e9:.2f} GB, {rows:,} rows)")
    print(
        f"import:         {figures['import_seconds']:.1f} s, {figures['import_rows_per_s']:,} rows/s, "
        f"{figures['import_mb_per_s']} MB/s, peak RSS {figures['import_peak_rss_mb']:,} MB"
    )
    if not args.no_baseline:
        print(
            f"pandas.read_csv: {figures['pandas_read_csv_seconds']:.1f} s, "
            f"{figures['pandas_read_csv_rows_per_s']:,} rows/s, peak RSS {figures['pandas_read_csv_peak_rss_mb']:,} MB"
        )
        print(f"import is {figures['speedup_vs_read_csv']}x the speed of pandas.read_csv (which only reads the file)")
    for line in summary:
        print(f"  | {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
