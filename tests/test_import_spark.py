"""The Spark engine gives the same folder as the default engine, byte for byte, on the real fixtures.

``explorer import ... --engine spark`` runs the read-check-filter step on
Apache Spark (here in local mode, one or two threads) and the rest with the
default engine's code; these tests compare the two folders file by file, and
the two reports (counts by reason, malformed lines with their line numbers).
They need PySpark, a Java runtime and ../shared/fixtures; each missing one
skips them with its reason.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import cli
from explorer.importers import IMPORTERS, ImportOptions, run_import
from explorer.loader import load_dataset

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
GDELT_FILE = FIXTURES / "gdelt2-20180326" / "20180326044500.export.CSV"
ICEWS_FILE = FIXTURES / "icews-2018-sample" / "events.2018.sample.tab"
ALL_CODES = tuple(f"{r:02d}" for r in range(1, 21))

pytestmark = [
    # PySpark's notice about pandas 3 (the import never hands pandas frames to Spark).
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"the real fixtures are not there ({FIXTURES})"),
    pytest.mark.skipif(
        not (os.environ.get("JAVA_HOME") or shutil.which("java")), reason="no Java runtime (Spark needs one)"
    ),
]
pyspark = pytest.importorskip("pyspark", reason="PySpark is not installed (pip install 'explorer[spark]')")


@pytest.fixture(scope="module", autouse=True)
def spark_stopped_at_the_end():
    yield
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()


def both_engines(fmt: str, inputs, tmp_path: Path, **options):
    """Import ``inputs`` with each engine; return the two folders and the two reports."""
    arrow, spark = tmp_path / "arrow", tmp_path / "spark"
    report_a = run_import(IMPORTERS[fmt], inputs, arrow, ImportOptions(**options))
    report_s = run_import(IMPORTERS[fmt], inputs, spark, ImportOptions(**options, engine="spark", master="local[1]"))
    return arrow, spark, report_a.as_dict(), report_s.as_dict()


def assert_same_folder(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between the engines"


def assert_same_report(a: dict, b: dict) -> None:
    a, b = dict(a), dict(b)
    a.pop("out"), b.pop("out")
    assert a == b


def test_gdelt_default_selection_gives_the_same_folder_through_the_cli(tmp_path):
    runner = CliRunner()
    summaries = {}
    for engine in ("arrow", "spark"):
        args = ["import", "gdelt", str(GDELT_FILE), "--out", str(tmp_path / engine), "--engine", engine]
        if engine == "spark":
            args += ["--master", "local[1]"]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        summaries[engine] = result.stdout.replace(str(tmp_path / engine), "OUT")
    assert "366 events imported" in summaries["arrow"] or "events imported" in summaries["arrow"]
    assert summaries["spark"] == summaries["arrow"]
    assert_same_folder(tmp_path / "arrow", tmp_path / "spark")
    assert len(load_dataset(tmp_path / "spark").events) > 300  # it validates, and holds the diplomatic events


def test_icews_every_code_and_a_date_window_give_the_same_folder(tmp_path):
    import datetime as dt

    arrow, spark, ra, rs = both_engines(
        "icews", [ICEWS_FILE], tmp_path, cameo=ALL_CODES, date_to=dt.date(2018, 6, 1), countries=frozenset({"IND"})
    )
    assert ra["imported"] > 100 and ra["filtered"]["dates"] > 0
    assert_same_folder(arrow, spark)
    assert_same_report(ra, rs)


def test_malformed_lines_control_characters_and_duplicates_are_handled_alike(tmp_path):
    rows = [line.split(b"\t") for line in GDELT_FILE.read_bytes().splitlines()]
    lines = []
    for i, f in enumerate(rows[:600]):
        f = list(f)
        if i == 3:
            lines.append(b"short\tline")  # wrong field count
        if i == 11:
            lines.append(b"")  # an empty line
        edits = {
            5: (1, b"20180231"),  # not a real date
            7: (0, b"12x"),  # not an event id
            9: (26, b"4"),  # not an event code
            13: (6, b"VLADIMIR\x00PUTIN\x1b"),  # control characters
            15: (6, b"BAD \xff\xfe NAME"),  # not UTF-8
            17: (0, rows[16][0]),  # a duplicate event id
            19: (60, f[60] + b"\x07"),
        }
        if i in edits:
            f[edits[i][0]] = edits[i][1]
        lines.append(b"\t".join(f))
    dirty = tmp_path / "dirty.CSV"
    dirty.write_bytes(b"\n".join(lines) + b"\n")
    again = tmp_path / "again.CSV.gz"  # rows already imported from the first file: duplicates
    again.write_bytes(gzip.compress(b"\n".join(GDELT_FILE.read_bytes().splitlines()[:300]) + b"\n"))

    (tmp_path / "out").mkdir()
    arrow, spark, ra, rs = both_engines("gdelt", [dirty, again], tmp_path / "out", cameo=ALL_CODES, min_mentions=2)
    assert ra["skipped"]["malformed"] == 4 and ra["skipped"]["empty"] == 1 and ra["skipped"]["duplicate"] > 0
    assert [p.split(": ")[0] for p in ra["problems"]] == [f"{dirty}:{n}" for n in (4, 7, 9, 11)], (
        "the malformed lines, by their physical line"
    )
    assert_same_folder(arrow, spark)
    assert_same_report(ra, rs)


def test_master_needs_the_spark_engine_and_spark_reads_no_zip(tmp_path):
    import zipfile

    runner = CliRunner()
    result = runner.invoke(cli, ["import", "gdelt", str(GDELT_FILE), "--out", str(tmp_path / "a"), "--master", "local"])
    assert result.exit_code != 0 and "--master is the Spark master URL: it needs --engine spark" in result.output
    archive = tmp_path / "events.CSV.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(GDELT_FILE, GDELT_FILE.name)
    result = runner.invoke(cli, ["import", "gdelt", str(archive), "--out", str(tmp_path / "b"), "--engine", "spark"])
    assert result.exit_code == 1 and "not zip archives" in result.output and "unzip it first" in result.output
    assert not (tmp_path / "b").exists()


def test_a_spark_written_gdelt_result_imports_as_the_files_do(tmp_path):
    """The route for the archive (docs/scale.md): filter or aggregate on Spark, write GDELT's columns, import."""
    from explorer.importers.spark import aggregate_gdelt, read_gdelt, spark_session, write_gdelt

    spark = spark_session("local[1]")
    events = read_gdelt(spark, [str(GDELT_FILE)])
    write_gdelt(events, str(tmp_path / "all"))
    write_gdelt(aggregate_gdelt(events), str(tmp_path / "grouped"))

    direct = run_import(IMPORTERS["gdelt"], [GDELT_FILE], tmp_path / "direct")
    rewritten = run_import(IMPORTERS["gdelt"], [tmp_path / "all"], tmp_path / "from-spark")
    assert rewritten.imported == direct.imported
    assert_same_folder(tmp_path / "direct", tmp_path / "from-spark")

    # One row per day, actor pair and event code of the default selection, standing for its group:
    # one of its events, with the group's mentions summed.
    from explorer.importers.cameo import DEFAULT_SELECTION
    from explorer.importers.gdelt import GDELT2_COLUMNS
    from explorer.importers.spark import GROUP_COLUMNS

    at = {c: i for i, c in enumerate(GDELT2_COLUMNS)}
    groups: dict[tuple, list] = {}
    for row in (line.split("\t") for line in GDELT_FILE.read_text(encoding="utf-8").splitlines()):
        if row[at["EventCode"]].startswith(tuple(DEFAULT_SELECTION)):
            groups.setdefault(tuple(row[at[c]] for c in GROUP_COLUMNS), []).append(row)
    parts = sorted((tmp_path / "grouped").glob("part-*.csv"))
    written = [line.split("\t") for f in parts for line in f.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(written) == len(groups) < sum(len(g) for g in groups.values())
    for row in written:
        members = groups[tuple(row[at[c]] for c in GROUP_COLUMNS)]
        assert int(row[at["NumMentions"]]) == sum(int(m[at["NumMentions"]]) for m in members)
        assert row[at["GLOBALEVENTID"]] in {m[at["GLOBALEVENTID"]] for m in members}

    grouped = run_import(IMPORTERS["gdelt"], [tmp_path / "grouped"], tmp_path / "from-groups")
    assert 0 < grouped.imported < direct.imported
    assert len(load_dataset(tmp_path / "from-groups").events) == grouped.imported  # it validates
