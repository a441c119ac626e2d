"""The import's read-check-filter step on Apache Spark: ``explorer import gdelt --engine spark``.

Spark reads the files (plain or ``.gz``; in parallel, on one machine with
``local[N]`` or on a cluster with ``--master URL``), splits each line into
its fields, checks the field count, the event id, the date and the event code,
applies ``--from``/``--to``, ``--cameo`` and ``--min-mentions``, counts every
row it drops by reason, and hands the rows it keeps (only the columns the
mapping reads) back in input order.  From there the driver runs the same
code as the default engine (:meth:`.pipeline._Run.assemble`): actors mapped
once per distinct actor, ``--countries``, duplicates, writing.  So the two
engines give the same folder, byte for byte.

What is decided once per distinct value is decided by the same Python code
as in the default engine: Spark collects the distinct dates and event codes
(a few thousand at most, even for years of GDELT), the driver checks them
(:meth:`.pipeline._Run._check_dates`, :meth:`.pipeline._Run._check_codes`)
and Spark joins the answers back (a broadcast join).

Line numbers (for the malformed lines reported) are counted per file split:
Spark numbers the rows of a partition in order (``monotonically_increasing_id``)
and tells which split of which file each row comes from
(``_metadata.file_block_start``), so a small aggregate (rows per split)
gives every row its physical line.

Requirements: ``pip install 'explorer[spark]'`` (PySpark) and a Java
runtime (Java 17 or 21).  The input paths must be readable at the same path
by the driver and every executor (a shared file system on a cluster).
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ExplorerError, Problem
from .base import Layout
from .reader import InputError, InputFile, clean_text, read_first_line

__all__ = [
    "scan_with_spark",
    "spark_session",
    "SparkUnavailable",
    "DEFAULT_MASTER",
    "read_gdelt",
    "aggregate_gdelt",
    "write_gdelt",
]

DEFAULT_MASTER = "local[2]"
"""Where Spark runs unless ``--master`` says otherwise: this machine, two worker threads."""

# The control characters the default engine turns into spaces (reader.clean_controls): all but tab and line breaks.
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))


class SparkUnavailable(ExplorerError):
    """PySpark or a Java runtime is missing, or Spark cannot start."""


def spark_session(master: str | None = None):
    """A Spark session for an import: ``master`` (default :data:`DEFAULT_MASTER`), UTC, no web UI.

    The driver's memory and the shuffle partitions can be set as usual with
    ``spark-submit`` options or ``SPARK_*`` environment variables; the
    defaults here suit one machine.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable(
            "--engine spark needs PySpark: pip install 'explorer[spark]' (and a Java runtime, e.g. Debian's "
            "openjdk-17-jre-headless)"
        ) from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkUnavailable(
            "--engine spark needs a Java runtime (Java 17 or 21): install one (Debian: apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME"
        )
    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("explorer import")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.driver.memory", os.environ.get("EXPLORER_SPARK_DRIVER_MEMORY", "1g"))
    )
    if is_local_master(master or DEFAULT_MASTER):
        # On one machine, Spark's driver listens on the loopback interface only.
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j/Java start-up failures have many types
        raise SparkUnavailable(f"--engine spark: Spark could not start ({str(exc).splitlines()[0]})") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def is_local_master(master: str) -> bool:
    """Whether a master URL runs Spark inside this process (``local``, ``local[4]``, ``local[*]``).

    >>> is_local_master("local[2]"), is_local_master("spark://host:7077")
    (True, False)
    """
    return master == "local" or master.startswith("local[")


def _uri_path(uri: str) -> str:
    parsed = urllib.parse.urlparse(uri)
    return os.path.realpath(urllib.parse.unquote(parsed.path)) if parsed.scheme in ("", "file") else uri


def scan_with_spark(run, streams: Sequence[InputFile], master: str | None = None) -> Iterator[tuple]:
    """Check and filter ``streams`` on Spark; yield ``(stream, layout, scan)`` in input order.

    ``run`` is the import's :class:`.pipeline._Run` (its format, options and
    the per-distinct checks).  Each :class:`.pipeline.Scan` holds one whole
    file: its counts, its malformed lines in line order, and its kept rows.
    """
    for inp in streams:
        if inp.member is not None:
            raise InputError(
                f"{inp.path}: --engine spark reads plain and .gz files, not zip archives (a zip cannot be split "
                "between workers); unzip it first, or use the default engine"
            )
    layouts: dict[InputFile, Layout] = {}
    for inp in streams:
        layouts[inp] = run.fmt.detect(read_first_line(inp), inp.label)
    spark = spark_session(master)
    scans: dict[InputFile, object] = {}
    by_layout: dict[Layout, list[InputFile]] = {}
    for inp in streams:
        by_layout.setdefault(layouts[inp], []).append(inp)
    for layout, files in by_layout.items():
        scans.update(_scan_layout(run, spark, layout, files))
    for inp in streams:
        yield inp, layouts[inp], scans[inp]


def _scan_layout(run, spark, layout: Layout, files: list[InputFile]) -> dict:
    from pyspark.sql import functions as F

    from .pipeline import Scan

    fmt, opts = run.fmt, run.options
    ncols = len(layout.columns)
    position = {c: i for i, c in enumerate(layout.columns)}
    needed = fmt.needed(layout)
    by_path = {os.path.realpath(inp.path): inp for inp in files}

    fields = F.split(F.col("value"), "\t", -1)
    lines = spark.read.text([str(inp.path) for inp in files]).select(
        F.col("value"),
        F.col("_metadata.file_path").alias("path"),
        F.col("_metadata.file_block_start").alias("block"),
        F.monotonically_increasing_id().alias("seq"),
        F.size(fields).alias("nfields"),
        fields.alias("f"),
    )

    def field(name: str):
        # Null past the end of a short (malformed) line, whatever spark.sql.ansi.enabled says.
        return F.try_element_at(F.col("f"), F.lit(position[name] + 1))

    def when_complete(column):
        return F.when(F.col("nfields") == ncols, column)

    # One pass: the rows of each file split (for line numbers: rows of one split are numbered in
    # order within their partition), and the distinct dates and codes.
    splits = (
        lines.groupBy("path", "block")
        .agg(
            F.count("*").alias("n"),
            F.min("seq").alias("first"),
            F.collect_set(when_complete(field(fmt.date_column))).alias("dates"),
            F.collect_set(when_complete(field(fmt.code_column))).alias("codes"),
        )
        .collect()
    )
    bases = []
    for path in {r["path"] for r in splits}:
        before = 0
        for r in sorted((r for r in splits if r["path"] == path), key=lambda r: r["block"]):
            bases.append((path, r["block"], before + 1 - r["first"]))
            before += r["n"]
    base_schema = "path string, block long, base long"
    rows = lines.join(F.broadcast(spark.createDataFrame(bases, base_schema)), ["path", "block"]).select(
        "path", "value", "nfields", "f", (F.col("base") + F.col("seq")).alias("line")
    )
    if layout.header:
        rows = rows.where(F.col("line") > 1)

    # What the default engine reads as an empty line: nothing at all, or every field it reads empty.
    empty = (F.col("value") == "") | ((F.col("nfields") == ncols) & _all_empty([field(c) for c in needed]))

    # The distinct dates and codes, checked on the driver by the default engine's own code.
    dates = sorted({d for r in splits for d in r["dates"]})
    codes = sorted({c for r in splits for c in r["codes"]})
    date_ok, iso, date_in = run._check_dates(pa.array(dates, pa.string()))
    code_ok, code_in = run._check_codes(pa.array(codes, pa.string()))
    date_table = spark.createDataFrame(
        list(
            zip(
                dates,
                date_ok.to_pylist(),
                iso.to_pylist(),
                date_in.to_pylist() if date_in is not None else [True] * len(dates),
            )
        ),
        "d string, date_ok boolean, iso string, date_in boolean",
    )
    code_table = spark.createDataFrame(
        list(zip(codes, code_ok.to_pylist(), code_in.to_pylist() if code_in is not None else [True] * len(codes))),
        "c string, code_ok boolean, code_in boolean",
    )

    checked = (
        rows.withColumn("empty", empty)
        .withColumn("d", F.when(F.col("nfields") == ncols, field(fmt.date_column)))
        .withColumn("c", F.when(F.col("nfields") == ncols, field(fmt.code_column)))
        .join(F.broadcast(date_table), "d", "left")
        .join(F.broadcast(code_table), "c", "left")
        .withColumn("id_ok", field(fmt.id_column).rlike("^[0-9]+$"))
    )
    # A value the tables do not know (it cannot happen, but a join is not a proof) is never kept.
    date_ok, code_ok = F.coalesce(F.col("date_ok"), F.lit(False)), F.coalesce(F.col("code_ok"), F.lit(False))
    valid = (F.col("nfields") == ncols) & F.col("id_ok") & date_ok & code_ok
    if opts.min_mentions and fmt.mentions_column:
        mentions = field(fmt.mentions_column)
        count = F.when(mentions.rlike("^[0-9]{1,9}$"), mentions.cast("long")).otherwise(F.lit(0))
        mentions_ok = count >= F.lit(opts.min_mentions)
    else:
        mentions_ok = F.lit(True)
    reason = (
        F.when(F.col("empty"), "empty")
        .when(F.col("nfields") != ncols, "malformed")
        .when(~valid, "bad_value")
        .when(~F.coalesce(F.col("date_in"), F.lit(False)), "dates")
        .when(~F.coalesce(F.col("code_in"), F.lit(False)), "cameo")
        .when(~mentions_ok, "mentions")
        .otherwise("kept")
    )
    checked = checked.withColumn("reason", reason)

    counts: dict[str, Counter] = {}
    for r in checked.groupBy("path", "reason").count().collect():
        counts.setdefault(_uri_path(r["path"]), Counter())[r["reason"]] = r["count"]

    # The kept rows (the columns the mapping reads, control characters made spaces) and the
    # malformed lines, in one pass.
    result = checked.where(F.col("reason").isin("kept", "malformed", "bad_value")).select(
        "path",
        "line",
        "reason",
        "nfields",
        F.when(F.col("reason") == "malformed", F.col("value")).alias("value"),
        F.col("iso"),
        F.col("c").alias("code"),
        F.col("d").alias("date"),
        F.coalesce(F.col("id_ok"), F.lit(False)).alias("id_ok"),
        date_ok.alias("date_ok"),
        *[F.translate(field(c), _CONTROLS, " " * len(_CONTROLS)).alias(c) for c in needed],
    )
    table = result.toArrow()
    reasons = table.column("reason")
    bad = table.filter(pc.not_equal(reasons, "kept"))
    table = table.filter(pc.equal(reasons, "kept"))

    problems: dict[str, list[Problem]] = {}
    for r in sorted(bad.to_pylist(), key=lambda r: (r["path"], r["line"])):
        inp = by_path[_uri_path(r["path"])]
        if r["reason"] == "malformed":
            text = clean_text(r["value"])
            p = Problem(
                inp.label,
                r["line"],
                "",
                text if len(text) <= 80 else text[:77] + "...",
                f"has {r['nfields']} field{'s' if r['nfields'] != 1 else ''}",
                f"{ncols} tab-separated fields ({layout.name})",
            )
        else:
            eid = r[fmt.id_column] or ""
            p = run.bad_value(inp.label, r["line"], eid, r["date"] or "", r["code"] or "", r["id_ok"], r["date_ok"])
        problems.setdefault(_uri_path(r["path"]), []).append(p)

    out = {}
    for inp in files:
        key = os.path.realpath(inp.path)
        got = counts.get(key, Counter())
        scan = Scan(rows_read=sum(got.values()))
        scan.skipped.update({k: v for k, v in got.items() if k == "empty"})
        scan.filtered.update({k: v for k, v in got.items() if k in ("dates", "cameo", "mentions")})
        scan.problems = problems.get(key, [])
        out[inp] = scan
    _attach_rows(out, table, files, needed)
    return out


def _all_empty(columns):
    from pyspark.sql import functions as F

    test = F.lit(True)
    for c in columns:
        test = test & (c == F.lit(""))
    return test


def _attach_rows(scans: dict, table: pa.Table, files: list[InputFile], needed: Sequence[str]) -> None:
    """Give each file's scan its kept rows, in line order, as the default engine's scan_batch gives them."""
    from .reader import to_text

    encoded = table.column("path").combine_chunks().dictionary_encode()
    paths = pc.take(pa.array([_uri_path(p) for p in encoded.dictionary.to_pylist()], pa.string()), encoded.indices)
    for inp in files:
        mine = table.filter(pc.equal(paths, os.path.realpath(inp.path)))
        if mine.num_rows == 0:
            continue
        mine = mine.take(pc.sort_indices(mine, sort_keys=[("line", "ascending")]))
        columns = {c: to_text(_valid_utf8(mine.column(c).combine_chunks())) for c in needed}
        scans[inp].kept = (
            pa.table(columns),
            _valid_utf8(mine.column("iso").combine_chunks()),
            _valid_utf8(mine.column("code").combine_chunks()),
        )


def _valid_utf8(values: pa.Array) -> pa.Array:
    """Spark hands strings on as the file's bytes; bytes that are not UTF-8 become U+FFFD, as in the default engine."""
    values = values.cast(pa.string()) if values.type != pa.string() else values
    try:
        values.validate(full=True)
        return values
    except pa.ArrowInvalid:
        raw = values.cast(pa.binary())
        return pa.array([v.decode("utf-8", errors="replace") for v in raw.to_pylist()], pa.string())


# -- the archive: aggregate on the cluster, import the result ----------------------------------------

DIPLOMATIC_SQL = """
SELECT {columns}
FROM (
  SELECT *,
    ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY CAST(NumMentions AS BIGINT) DESC, GLOBALEVENTID) AS _rank,
    CAST(SUM(CAST(NumMentions AS BIGINT)) OVER (PARTITION BY {group}) AS STRING) AS _mentions,
    CAST(SUM(CAST(NumSources AS BIGINT)) OVER (PARTITION BY {group}) AS STRING) AS _sources,
    CAST(SUM(CAST(NumArticles AS BIGINT)) OVER (PARTITION BY {group}) AS STRING) AS _articles
  FROM events
  WHERE {selection}
)
WHERE _rank = 1
"""
"""Spark SQL of :func:`aggregate_gdelt` (the BigQuery version is in docs/scale.md)."""

GROUP_COLUMNS = ("SQLDATE", "Actor1Code", "Actor1Name", "Actor2Code", "Actor2Name", "EventCode")
"""One aggregated row per day, pair of actors (as coded) and event code."""


def read_gdelt(spark, paths: Sequence[str]):
    """GDELT 2.0 event files (as published, unzipped or .gz) as a DataFrame of their 61 columns, all strings."""
    from .gdelt import GDELT2_COLUMNS

    schema = ", ".join(f"`{c}` STRING" for c in GDELT2_COLUMNS)
    return spark.read.csv(list(paths), sep="\t", schema=schema, quote="", escape="", header=False, mode="PERMISSIVE")


def aggregate_gdelt(events, selection: Sequence[str] | None = None):
    """The diplomatic events of a GDELT 2.0 DataFrame, one row per day, actor pair and event code.

    Each group is represented by its most mentioned event (all 61 columns, so
    ``explorer import gdelt`` reads the result as it reads GDELT's files),
    with NumMentions, NumSources and NumArticles summed over the group.
    ``selection`` is a list of CAMEO prefixes (default: the importer's default
    selection).  Returns a DataFrame with GDELT's columns, in GDELT's order.
    """
    from . import cameo
    from .gdelt import GDELT2_COLUMNS

    codes = tuple(selection or cameo.DEFAULT_SELECTION)
    if not all(c.isdigit() for c in codes):
        raise ValueError(f"CAMEO codes are digits: {codes}")
    replaced = {"NumMentions": "_mentions", "NumSources": "_sources", "NumArticles": "_articles"}
    columns = ", ".join(f"{replaced[c]} AS {c}" if c in replaced else f"`{c}`" for c in GDELT2_COLUMNS)
    selection_sql = " OR ".join(f"startswith(EventCode, '{c}')" for c in codes)
    events.createOrReplaceTempView("events")
    sql = DIPLOMATIC_SQL.format(columns=columns, group=", ".join(GROUP_COLUMNS), selection=selection_sql)
    return events.sparkSession.sql(sql)


def write_gdelt(frame, out: str) -> None:
    """Write a DataFrame of GDELT's 61 columns as ``explorer import gdelt`` reads it: a folder of
    tab-separated files, each with a header line naming the columns, no quoting, empty values empty."""
    from .gdelt import GDELT2_COLUMNS

    frame.select(*[f"`{c}`" for c in GDELT2_COLUMNS]).write.csv(
        out,
        sep="\t",
        header=True,
        quote="",
        escape="",
        emptyValue="",
        nullValue="",
        ignoreLeadingWhiteSpace=False,
        ignoreTrailingWhiteSpace=False,
        mode="errorifexists",
    )
