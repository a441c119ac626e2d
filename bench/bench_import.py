"""Benchmark ``explorer import gdelt`` on a large generated GDELT 2.0 file, against DuckDB doing the same filter.

The file is made by repeating the rows of the real GDELT 2.0 fixture
(``../shared/fixtures/gdelt2-20180326``) with new GLOBALEVENTIDs, a new day
per repetition (SQLDATE, MonthYear, Year, DATEADDED) and a distinct article
URL per repetition, until it reaches ``--size``.  It is written under
``--workdir`` (default: a folder in the system's temporary directory), never
into the repository, and reused by later runs of the same size.

Each measurement runs in its own process; wall time, CPU time (user +
system, every thread) and peak resident memory (``ru_maxrss`` of that
process) are reported.  The baseline is DuckDB (in-process, all its
threads) doing the same default filter: it reads the same file with
``read_csv`` (tab-separated, no quoting, the 61 GDELT 2.0 columns typed
VARCHAR), keeps the rows of the default CAMEO selection and writes them to a
Parquet file.  It does neither the checks (ids, dates, field counts) nor the
actor mapping, the deduplication or the sources.  ``--repeat N`` runs the
import and the baseline N times, alternately, and reports the median of each.

The import is measured twice: without its event store (``--no-store``: the
import proper, which the ratio to DuckDB is about), and as a user runs it,
building the store ``explorer serve`` reads a large folder through (when
events.csv is 8 MB or more, as here).  The store's cost is the difference,
reported beside the total; ``--no-store-run`` skips the second measurement.
``--spark`` also times ``--engine spark`` (local mode) and checks that it
writes the same folder.

The package's bytecode is written first (``compileall``), as an installed
package has it: where ``PYTHONDONTWRITEBYTECODE`` is set (these machines) an
editable install would otherwise compile explorer's modules in every measured
run (0.03-0.05 s of CPU), which DuckDB, whose bytecode pip wrote, does not pay.

Usage::

    python bench/bench_import.py --size 500M --repeat 3
    python bench/bench_import.py --size 2G
    python bench/bench_import.py --size 50M --no-baseline --spark
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
import json, sys
import duckdb
source, target, columns, selection = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
types = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
keep = " OR ".join(f"starts_with(EventCode, '{code}')" for code in selection)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(
    f"COPY (SELECT * FROM read_csv('{source}', delim='\\t', quote='', escape='', header=false, columns={types}) "
    f"WHERE {keep}) TO '{target}' (FORMAT parquet)"
)
print(con.execute(f"SELECT count(*) FROM '{target}'").fetchone()[0])
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
    """Run ``cmd``; its wall time, CPU time (user + system), peak RSS and output."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed ({os.waitstatus_to_exitcode(status)}):\n{stderr}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
    }


def compile_package() -> None:
    """Write explorer's bytecode beside its modules (``__pycache__``, ignored by git)."""
    import compileall

    import explorer

    compileall.compile_dir(Path(explorer.__file__).parent, quiet=1)


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


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
    parser.add_argument("--no-baseline", action="store_true", help="skip the DuckDB baseline")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is reported")
    parser.add_argument("--spark", action="store_true", help="also time --engine spark and compare its folder")
    parser.add_argument("--no-store-run", action="store_true", help="skip the import that also builds the event store")
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

    from explorer.importers.cameo import DEFAULT_SELECTION
    from explorer.importers.gdelt import GDELT2_COLUMNS

    out = workdir / "out"
    import_cmd = [sys.executable, "-m", "explorer", "import", "gdelt", str(data), "--out", str(out), "--force"]
    store_cmd = [*import_cmd[:-3], "--out", str(workdir / "out-store"), "--force", "--store"]
    base_cmd = [
        sys.executable,
        "-c",
        BASELINE,
        str(data),
        str(workdir / "duckdb.parquet"),
        json.dumps(list(GDELT2_COLUMNS)),
        json.dumps(list(DEFAULT_SELECTION)),
    ]
    compile_package()
    imports, bases, stores = [], [], []
    for _ in range(max(1, args.repeat)):
        imports.append(measure([*import_cmd, "--no-store"]))
        if not args.no_baseline:
            bases.append(measure(base_cmd))
        if not args.no_store_run:
            stores.append(measure(store_cmd))
    imp = _median(imports)
    summary = imp.pop("stdout").strip().splitlines()
    figures = {
        "file": str(data),
        "bytes": nbytes,
        "rows": rows,
        "runs": len(imports),
        "import_seconds": round(imp["seconds"], 2),
        "import_cpu_seconds": round(imp["cpu_seconds"], 2),
        "import_rows_per_s": round(rows / imp["seconds"]),
        "import_peak_rss_mb": round(imp["peak_rss_mb"]),
        "summary": summary,
    }
    if stores:
        with_store = _median(stores)
        figures.update(
            {
                "with_store_seconds": round(with_store["seconds"], 2),
                "with_store_cpu_seconds": round(with_store["cpu_seconds"], 2),
                "with_store_peak_rss_mb": round(with_store["peak_rss_mb"]),
                "store_seconds": round(with_store["seconds"] - imp["seconds"], 2),
                "store_cpu_seconds": round(with_store["cpu_seconds"] - imp["cpu_seconds"], 2),
            }
        )
    if bases:
        base = _median(bases)
        figures.update(
            {
                "duckdb_rows_kept": int(base["stdout"].split()[-1]),
                "duckdb_seconds": round(base["seconds"], 2),
                "duckdb_cpu_seconds": round(base["cpu_seconds"], 2),
                "duckdb_peak_rss_mb": round(base["peak_rss_mb"]),
                "ratio_wall": round(imp["seconds"] / base["seconds"], 2),
                "ratio_cpu": round(imp["cpu_seconds"] / base["cpu_seconds"], 2),
            }
        )
        if stores:
            figures["ratio_wall_with_store"] = round(with_store["seconds"] / base["seconds"], 2)
            figures["ratio_cpu_with_store"] = round(with_store["cpu_seconds"] / base["cpu_seconds"], 2)
    if args.spark:
        spark_out = workdir / "out-spark"
        spark = measure(import_cmd[:-3] + ["--out", str(spark_out), "--force", "--engine", "spark", "--no-store"])
        same = all((out / f.name).read_bytes() == f.read_bytes() for f in sorted(spark_out.iterdir())) and sorted(
            f.name for f in out.iterdir()
        ) == sorted(f.name for f in spark_out.iterdir())
        figures.update(
            {
                "spark_seconds": round(spark["seconds"], 2),
                "spark_cpu_seconds_driver": round(spark["cpu_seconds"], 2),
                "spark_peak_rss_mb_driver": round(spark["peak_rss_mb"]),
                "spark_same_folder": same,
            }
        )
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"file:    {data} ({nbytes / 1e9:.2f} GB, {rows:,} rows); median of {len(imports)} run(s)")
    print(
        f"import:  {figures['import_seconds']:.1f} s wall, {figures['import_cpu_seconds']:.1f} s CPU, "
        f"{figures['import_rows_per_s']:,} rows/s, peak RSS {figures['import_peak_rss_mb']:,} MB (--no-store)"
    )
    if stores:
        print(
            f"with its event store: {figures['with_store_seconds']:.1f} s wall, "
            f"{figures['with_store_cpu_seconds']:.1f} s CPU, peak RSS {figures['with_store_peak_rss_mb']:,} MB "
            f"(the store: {figures['store_seconds']:.1f} s wall, {figures['store_cpu_seconds']:.1f} s CPU)"
        )
    if bases:
        print(
            f"duckdb:  {figures['duckdb_seconds']:.1f} s wall, {figures['duckdb_cpu_seconds']:.1f} s CPU, "
            f"peak RSS {figures['duckdb_peak_rss_mb']:,} MB ({figures['duckdb_rows_kept']:,} rows to Parquet)"
        )
        print(f"import / duckdb: {figures['ratio_wall']}x wall, {figures['ratio_cpu']}x CPU")
        if stores:
            print(
                f"import with its store / duckdb: {figures['ratio_wall_with_store']}x wall, "
                f"{figures['ratio_cpu_with_store']}x CPU"
            )
    if args.spark:
        print(
            f"spark:   {figures['spark_seconds']:.1f} s wall (its CPU is mostly the JVM's, outside the measured "
            f"process), same folder: {figures['spark_same_folder']}"
        )
    for line in summary:
        print(f"  | {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
