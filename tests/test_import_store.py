"""An import leaves the event store built (explorer.importers.store), and ``explorer import`` starts
without the dashboard's libraries.

The large folder is imported from the real GDELT 2.0 fixture, its rows repeated with new ids, days
and article URLs until events.csv passes the size from which ``explorer serve`` reads a folder
through its store.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from conftest_import import FILES, GDELT2_FIXTURE, fixture, folder_bytes

from explorer import loader, presenter, store_build
from explorer.cli import COMMAND_MODULES, cli
from explorer.errors import ExplorerError
from explorer.importers import IMPORTERS, ImportOptions, run_import
from explorer.importers import store as import_store
from explorer.paths import bundled_data_dir

REPO = Path(__file__).resolve().parents[1]


def _repeat_gdelt(source: Path, path: Path, copies: int) -> Path:
    """The GDELT 2.0 file ``source`` repeated ``copies`` times, each copy with new event ids, its own day
    and its own article URLs (as bench/bench_import.py makes its files)."""
    rows = [line.split(b"\t") for line in source.read_bytes().splitlines() if line]
    next_id = 2_000_000_000
    with open(path, "wb") as out:
        for copy in range(copies):
            day = (dt.date(2019, 3, 1) + dt.timedelta(days=copy % 30)).strftime("%Y%m%d").encode()
            for fields in rows:
                f = list(fields)
                f[0] = str(next_id).encode()
                next_id += 1
                f[1], f[2], f[3], f[59] = day, day[:6], day[:4], day + b"044500"
                f[60] = f[60] + (b"&" if b"?" in f[60] else b"?") + f"copy={copy}".encode()
                out.write(b"\t".join(f) + b"\n")
    return path


def _explorer(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args], capture_output=True, text=True, cwd=REPO, timeout=600
    )


def _same_store(a: Path, b: Path) -> None:
    for name in store_build.TABLES:
        ta, tb = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        assert ta.schema == tb.schema, name
        assert ta.equals(tb), name
    ma, mb = (json.loads((p / store_build.MANIFEST).read_text()) for p in (a, b))
    assert ma == mb


@pytest.fixture(scope="module")
def big_import(tmp_path_factory):
    """A month-like GDELT folder past serve's store size, imported with the default options."""
    base = tmp_path_factory.mktemp("big")
    source = _repeat_gdelt(fixture(GDELT2_FIXTURE), base / "month.export.CSV", copies=110)
    out = base / "month"
    done = _explorer("import", "gdelt", str(source), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return source, out, done.stdout


def test_a_large_import_leaves_its_store_built_and_current(big_import):
    source, out, stdout = big_import
    assert (out / "events.csv").stat().st_size >= presenter.STORE_ABOVE
    store = out / store_build.STORE_DIR
    # The tables staged for DuckDB and its spill files are gone with the build.
    assert sorted(p.name for p in out.iterdir()) == sorted([*FILES, store_build.STORE_DIR])
    assert sorted(p.name for p in store.iterdir()) == sorted(store_build.STORE_FILES)
    assert store_build.store_is_current(out)
    assert f"event store built: {store}" in stdout
    manifest = store_build.read_manifest(store)
    assert manifest["data"] == str(out.resolve())  # the folder's own name, not the temporary one it was written as
    assert manifest["counts"]["events"] == len((out / "events.csv").read_text().splitlines()) - 1


def test_the_imported_store_equals_the_one_serve_would_build(big_import, tmp_path):
    _, out, _ = big_import
    # build_store validates the folder with the loader and writes from its frames: the same tables.
    rebuilt = store_build.build_store(out, tmp_path / "store", rebuild=True)
    _same_store(out / store_build.STORE_DIR, rebuilt)


def test_serve_opens_the_imported_store_without_rebuilding_it(big_import, monkeypatch):
    _, out, _ = big_import
    store = out / store_build.STORE_DIR
    stamps = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}

    def no_loading(*args, **kwargs):
        raise AssertionError("the store was rebuilt (the folder was read through the loader)")

    monkeypatch.setattr(loader, "load_dataset", no_loading)  # store_build imports it when it builds
    assert presenter.uses_store(out)
    data = presenter.prepare_app_data(out)
    assert data.span[0] == dt.date(2019, 3, 1)
    assert {p.name: p.stat().st_mtime_ns for p in store.iterdir()} == stamps


def test_the_store_changes_nothing_in_the_data_files(big_import, tmp_path):
    source, out, _ = big_import
    plain = tmp_path / "plain"
    done = _explorer("import", "gdelt", str(source), "--out", str(plain), "--no-store", "-q")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in plain.iterdir()) == sorted(FILES)
    assert folder_bytes(plain) == folder_bytes(out)


def test_force_replaces_a_folder_and_its_store(big_import, tmp_path):
    source, out, _ = big_import
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    done = _explorer("import", "gdelt", str(fixture(GDELT2_FIXTURE)), "--out", str(copy), "--force", "-q")
    assert done.returncode == 0, done.stderr
    # The small import needs no store; the old one, which described the old rows, is gone.
    assert not (copy / store_build.STORE_DIR).exists()
    assert not presenter.uses_store(copy)


def test_force_keeps_a_folder_whose_store_folder_holds_something_else(tmp_path):
    out = tmp_path / "out"
    run_import(IMPORTERS["gdelt"], [fixture(GDELT2_FIXTURE)], out, ImportOptions(store=True))
    (out / store_build.STORE_DIR / "notes.txt").write_text("mine")
    with pytest.raises(ExplorerError, match=r"\.explorer-store"):
        run_import(IMPORTERS["gdelt"], [GDELT2_FIXTURE], out, ImportOptions(mode="force"))
    assert (out / store_build.STORE_DIR / "notes.txt").read_text() == "mine"


def test_a_small_import_builds_a_store_only_when_asked(tmp_path):
    small, asked = tmp_path / "small", tmp_path / "asked"
    run_import(IMPORTERS["gdelt"], [fixture(GDELT2_FIXTURE)], small)
    assert not (small / store_build.STORE_DIR).exists()
    assert not presenter.uses_store(small)  # a small folder stays in memory, as before
    report = run_import(IMPORTERS["gdelt"], [GDELT2_FIXTURE], asked, ImportOptions(store=True))
    assert report.store == str(asked / store_build.STORE_DIR)
    assert store_build.store_is_current(asked)
    _same_store(asked / store_build.STORE_DIR, store_build.build_store(asked, tmp_path / "ref", rebuild=True))


def test_appending_to_a_curated_folder_builds_its_store_through_the_loader(tmp_path):
    # The bundled data has affiliations, partial dates and topics: the store is built by build_store.
    folder = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), folder, ignore=shutil.ignore_patterns(store_build.STORE_DIR))
    report = run_import(IMPORTERS["gdelt"], [fixture(GDELT2_FIXTURE)], folder, ImportOptions(mode="append", store=True))
    store = folder / store_build.STORE_DIR
    assert report.store == str(store)
    assert store_build.store_is_current(folder)
    assert store_build.read_manifest(store)["data"] == str(folder.resolve())
    _same_store(store, store_build.build_store(folder, tmp_path / "ref", rebuild=True))


def test_a_failed_store_build_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ExplorerError("disk full (simulated)")

    monkeypatch.setattr(store_build, "build_store_from_tables", broken)
    out = tmp_path / "out"
    with pytest.raises(ExplorerError, match="simulated"):
        run_import(IMPORTERS["gdelt"], [fixture(GDELT2_FIXTURE)], out, ImportOptions(store=True))
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left behind either


# ---- start-up: explorer import loads neither the dashboard nor the graph libraries ----------------

_HEAVY = ("dash", "plotly", "networkx", "igraph", "kaleido")


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code + "\nimport json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_importers_loads_no_dashboard_graph_or_pandas():
    loaded = _modules_after("import sys\nimport explorer.importers.gdelt, explorer.importers.icews")
    assert not loaded & {*_HEAVY, "pandas"}


def test_the_import_command_loads_no_dashboard_or_graph_library(tmp_path):
    code = (
        "import sys\nfrom explorer.cli import cli\n"
        f"args = ['import', 'gdelt', {str(fixture(GDELT2_FIXTURE))!r}, '--out', {str(tmp_path / 'out')!r}, '-q']\n"
        "try:\n    cli.main(args)\nexcept SystemExit as exc:\n    assert not exc.code, exc.code"
    )
    loaded = _modules_after(code)
    assert (tmp_path / "out" / "events.csv").is_file()
    assert not loaded & set(_HEAVY)
    assert not {m for m in loaded if m.startswith("explorer.cli.") and m != "explorer.cli.imports"}


def test_every_command_is_listed_and_found_in_its_module():
    # COMMAND_MODULES is how the CLI finds a command without importing the others: it must name them all.
    import importlib
    import pkgutil

    import explorer.cli as package

    registered = dict(cli.commands)  # listing them imports every module
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"explorer.cli.{info.name}")
    assert sorted(cli.commands) == sorted(registered) == sorted(COMMAND_MODULES)
    for name, module in COMMAND_MODULES.items():
        assert registered[name].callback.__module__ == f"explorer.cli.{module}"
    shown = CliRunner().invoke(cli, ["--help"]).output
    for name in COMMAND_MODULES:
        assert f"\n  {name} " in shown


def test_values_are_stripped_as_the_loader_strips_them():
    # The store is read with pyarrow: every character str.strip() removes must be found by it.
    import pyarrow as pa

    for c in (chr(i) for i in range(0x110000)):
        if c.isspace():
            assert import_store._has_edge_space(pa.array([f"x{c}"])), hex(ord(c))
            assert import_store._has_edge_space(pa.array([f"{c}x"])), hex(ord(c))
    assert not import_store._has_edge_space(pa.array(["x y", "é", ""]))


def test_a_value_with_spaces_at_its_edges_is_stripped_in_the_store(tmp_path):
    import csv

    out = tmp_path / "out"
    run_import(IMPORTERS["gdelt"], [fixture(GDELT2_FIXTURE)], out, ImportOptions(store=False))
    with open(out / "events.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    title = rows[1][2]
    rows[1][2] = f"\u3000 {title}\x85"  # Unicode spaces around it, which the loader strips
    with open(out / "events.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    tables = import_store.stage_import_tables(out, tmp_path)
    assert pq.read_table(tables["events"]).column("title")[0].as_py() == title
    built = import_store.build_import_store(out, out)
    _same_store(built, store_build.build_store(out, tmp_path / "ref", rebuild=True))
