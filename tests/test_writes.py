"""The one rule for every file explorer writes (:mod:`explorer.writes`), checked through what a user runs.

Never over an input, never over a folder that is not its own, atomic, disk errors as one line naming the
path, stale temporaries of killed runs removed by the next run, and no local path inside an export.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest_import import FILES, gdelt_row, small_gdelt_rows, write_lines

from explorer.cli import cli
from explorer.paths import bundled_data_dir


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line(text: str) -> str:
    assert text.endswith("\n") and text.count("\n") == 1, f"expected one line, got {text!r}"
    assert "Traceback" not in text
    return text.rstrip("\n")


@pytest.fixture
def gdelt_file(tmp_path):
    return write_lines(tmp_path / "20180326.export.CSV", small_gdelt_rows())


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the bundled data folder, to be written near (and, wrongly, over)."""
    folder = tmp_path / "D"
    shutil.copytree(bundled_data_dir(), folder)
    return folder


# ---- 1. import --force never deletes a folder that is not a data folder ----------------------------


def test_import_force_refuses_a_folder_that_is_not_a_data_folder(tmp_path, gdelt_file):
    out = tmp_path / "photos"
    out.mkdir()
    (out / "holiday.jpg").write_bytes(b"\xff\xd8 not really")
    (out / "notes.txt").write_text("keep me")
    before = tree_bytes(out)
    result = run("import", "gdelt", gdelt_file, "--out", out, "--force")
    assert result.exit_code == 2
    assert one_line(result.stderr) == (
        f"explorer: error: --out: '{out}' is a folder that is not a data folder (it holds holiday.jpg, notes.txt); "
        "not replacing it"
    )
    assert tree_bytes(out) == before
    assert hidden(tmp_path) == []


def test_import_force_replaces_an_empty_folder_or_a_data_folder(tmp_path, gdelt_file):
    out = tmp_path / "out"
    out.mkdir()
    assert run("import", "gdelt", gdelt_file, "--out", out, "--force", "-q").exit_code == 0
    assert listing(out) == sorted(FILES)
    (out / ".DS_Store").write_bytes(b"finder litter")  # not a reason to keep the folder
    more = write_lines(tmp_path / "more.CSV", [gdelt_row(GLOBALEVENTID="900")])
    assert run("import", "gdelt", more, "--out", out, "--force", "-q").exit_code == 0
    assert "gdelt-900" in (out / "events.csv").read_text() and "gdelt-100" not in (out / "events.csv").read_text()
    assert run("validate", "--data", out).exit_code == 0


@pytest.mark.parametrize("flag", ["--force", "--append"])
def test_import_never_replaces_a_folder_holding_one_of_its_inputs(tmp_path, gdelt_file, flag):
    out = tmp_path / "out"
    assert run("import", "gdelt", gdelt_file, "--out", out, "-q").exit_code == 0
    inside = shutil.copy(gdelt_file, out / "input.CSV")
    before = tree_bytes(out)
    result = run("import", "gdelt", inside, "--out", out, flag)
    assert result.exit_code == 2
    assert "holds an input of this command" in one_line(result.stderr)
    assert tree_bytes(out) == before
    # The input's own folder given as --out, and through a symlink: the same refusal.
    (tmp_path / "alias").symlink_to(out)
    result = run("import", "gdelt", out, "--out", tmp_path / "alias", flag)
    assert result.exit_code == 2 and "holds an input" in result.stderr
    assert tree_bytes(out) == before and hidden(tmp_path) == []


def test_import_append_keeps_the_other_files_of_the_folder(tmp_path, gdelt_file):
    out = tmp_path / "out"
    assert run("import", "gdelt", gdelt_file, "--out", out, "-q").exit_code == 0
    (out / "README.md").write_text("Where this folder came from.\n")
    (out / "notes").mkdir()
    (out / "notes" / "todo.txt").write_text("check the Lavrov visit\n")
    more = write_lines(tmp_path / "more.CSV", [gdelt_row(GLOBALEVENTID="900")])
    assert run("import", "gdelt", more, "--out", out, "--append", "-q").exit_code == 0
    assert (out / "README.md").read_text() == "Where this folder came from.\n"
    assert (out / "notes" / "todo.txt").read_text() == "check the Lavrov visit\n"
    assert "gdelt-900" in (out / "events.csv").read_text()


def test_export_force_refuses_a_folder_that_is_not_an_export(tmp_path):
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "nodes.csv").write_text("my own nodes\n")
    (tables / "thesis.docx").write_bytes(b"years of work")
    before = tree_bytes(tables)
    result = run("export", "--format", "csv", "--out", tables, "--force")
    assert result.exit_code == 2
    assert "is a folder that is not an explorer CSV export (it holds thesis.docx)" in one_line(result.stderr)
    assert tree_bytes(tables) == before
    # An earlier CSV export is replaced.
    (tables / "thesis.docx").unlink()
    assert run("export", "--format", "csv", "--out", tables, "--force").exit_code == 0
    assert listing(tables) == ["edges.csv", "metrics.csv", "nodes.csv", "sources.csv", "view.json"]


# ---- 2. export never writes over its input --------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "json", "--out", "{D}/entities.csv"],
        ["--format", "graphml", "--out", "{D}/events.csv"],
        ["--format", "csv", "--out", "{D}"],
        ["--format", "csv", "--out", "{D}/.."],
        ["--format", "csv", "--out", "{D}/sources.csv"],
        ["--format", "json", "--out", "{tmp}/link.json"],  # a symlink to D/entities.csv
        ["--format", "json", "--out", "{tmp}/Dlink/participants.csv", "--data", "{tmp}/Dlink"],
    ],
)
def test_export_never_writes_over_its_input(tmp_path, data_copy, args):
    (tmp_path / "link.json").symlink_to(data_copy / "entities.csv")
    (tmp_path / "Dlink").symlink_to(data_copy)
    args = [a.format(D=data_copy, tmp=tmp_path) for a in args]
    if "--data" not in args:
        args += ["--data", str(data_copy)]
    before = tree_bytes(data_copy)
    result = run("export", *args, "--force")
    assert result.exit_code == 2
    assert "an input of this command" in one_line(result.stderr)
    assert tree_bytes(data_copy) == before
    assert run("validate", "--data", data_copy).exit_code == 0
    assert hidden(tmp_path) == [] and hidden(data_copy) == []


def test_export_may_add_a_file_to_the_data_folder(data_copy):
    result = run("export", "--data", data_copy, "--format", "json", "--out", data_copy / "view.json")
    assert result.exit_code == 0, result.output
    assert json.loads((data_copy / "view.json").read_text())["nodes"]
    assert run("validate", "--data", data_copy).exit_code == 0


# ---- 3. paths and disk errors ---------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "import"])
def test_an_empty_out_is_refused(tmp_path, monkeypatch, gdelt_file, command):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    args = ["export", "--format", "json"] if command == "export" else ["import", "gdelt", gdelt_file]
    result = run(*args, "--out", "")
    assert result.exit_code == 2
    assert one_line(result.stderr).startswith("explorer: error: --out: the path is empty")
    assert listing(work) == []


def test_out_dot(tmp_path, monkeypatch, gdelt_file):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    # A file export into the current folder gets a named file ...
    result = run("export", "--format", "json", "--at", "2024-01-30", "--out", ".")
    assert result.exit_code == 0, result.output
    assert listing(work) == ["explorer_2024-01-30_2024-01-30.json"]
    # ... but the current folder itself is never replaced.
    for args in (["export", "--format", "csv"], ["import", "gdelt", str(gdelt_file)]):
        result = run(*args, "--out", ".", "--force")
        assert result.exit_code == 2, args
        assert "is the current folder or holds it; not replacing it" in one_line(result.stderr)
    assert listing(work) == ["explorer_2024-01-30_2024-01-30.json"]


def test_out_through_a_symlinked_folder(tmp_path, gdelt_file):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    result = run("export", "--format", "csv", "--out", tmp_path / "link", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link").is_symlink() and listing(real) == [
        "edges.csv",
        "metrics.csv",
        "nodes.csv",
        "sources.csv",
        "view.json",
    ]
    assert run("export", "--out", tmp_path / "link" / "v.json").exit_code == 0
    assert (real / "v.json").is_file()
    (tmp_path / "data-link").symlink_to(tmp_path / "data", target_is_directory=True)
    assert run("import", "gdelt", gdelt_file, "--out", tmp_path / "data-link", "-q").exit_code == 0
    assert listing(tmp_path / "data") == sorted(FILES) and (tmp_path / "data-link").is_symlink()
    assert hidden(tmp_path) == []


def _no_space(path, *_args, **_kwargs):
    # What a full disk does: part of the file is written, then write() fails.
    with open(path, "wb") as fh:
        fh.write(b'{"half": ')
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr("explorer.exports.tables.write_json", lambda snap, path: _no_space(path))
    out = tmp_path / "v.json"
    result = run("export", "--out", out)
    assert result.exit_code == 1
    assert one_line(result.stderr) == f"explorer: error: cannot write {out}: No space left on device"
    assert listing(tmp_path) == []
    out.write_text("the old export")
    result = run("export", "--out", out, "--force")
    assert result.exit_code == 1 and out.read_text() == "the old export"
    assert listing(tmp_path) == ["v.json"]


def test_a_full_disk_during_an_import(tmp_path, monkeypatch, gdelt_file):
    from explorer.importers import writer

    real = writer.write_csv

    def full(table, columns, sink, header=True):
        if not header:  # the headers fit; the first block of rows does not
            sink.write(b"1,2,")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(table, columns, sink, header)

    monkeypatch.setattr(writer, "write_csv", full)
    out = tmp_path / "out"
    result = run("import", "gdelt", gdelt_file, "--out", out)
    assert result.exit_code == 1
    assert one_line(result.stderr) == f"explorer: error: cannot write {out}: No space left on device"
    assert listing(tmp_path) == [gdelt_file.name]


@pytest.mark.parametrize(
    "error", [(errno.EACCES, "Permission denied"), (errno.EROFS, "Read-only file system")], ids=["eacces", "erofs"]
)
def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch, gdelt_file, error):
    # As root, chmod does not stop a write: the refusal the kernel would give is simulated for one folder.
    target = tmp_path / "locked"
    target.mkdir()
    real_open, real_mkdir = os.open, os.mkdir

    def refuse(real):
        def call(path, *args, **kwargs):
            if Path(os.fspath(path)).parent == target:
                raise OSError(error[0], os.strerror(error[0]), os.fspath(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "open", refuse(real_open))
    monkeypatch.setattr(os, "mkdir", refuse(real_mkdir))
    for args, out in (
        (["export", "--format", "json"], target / "v.json"),
        (["export", "--format", "csv"], target / "tables"),
        (["import", "gdelt", str(gdelt_file)], target / "data"),
    ):
        result = run(*args, "--out", out)
        assert result.exit_code == 1, args
        assert one_line(result.stderr) == f"explorer: error: cannot write {out}: {error[1]}"
    assert listing(target) == []


@pytest.fixture
def tiny_tmpfs(tmp_path):
    """A real 96 KiB file system (and a read-only one), where mounting is allowed (root); else a skip."""
    full, ro = tmp_path / "full", tmp_path / "ro"
    full.mkdir()
    ro.mkdir()
    mounted = []
    for folder, options in ((full, "size=96k"), (ro, "ro,size=16k")):
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, check=False
        )
        if done.returncode != 0:
            for m in mounted:
                subprocess.run(["umount", str(m)], check=False)
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); the simulated tests cover it")
        mounted.append(folder)
    yield full, ro
    for m in mounted:
        # A failed test may still hold a file open in its traceback: detach lazily rather than leave it mounted.
        if subprocess.run(["umount", str(m)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(m)], check=False)


def test_a_real_full_and_read_only_disk(tiny_tmpfs, tmp_path):
    full, ro = tiny_tmpfs
    fixture = write_lines(
        tmp_path / "e.CSV", [gdelt_row(GLOBALEVENTID=str(i), SOURCEURL=f"https://e.org/{i}") for i in range(1, 1500)]
    )
    for args, out, reason in (
        (["import", "gdelt", str(fixture), "--cameo", "all"], full / "data", "No space left on device"),
        (["export", "--format", "csv"], full / "tables", "No space left on device"),
        (["export", "--format", "json"], full / "v.json", "No space left on device"),
        (["export", "--format", "json"], ro / "v.json", "Read-only file system"),
        (["import", "gdelt", str(fixture)], ro / "data", "Read-only file system"),
    ):
        result = run(*args, "--out", out)
        assert result.exit_code == 1, (args, result.output)
        assert one_line(result.stderr) == f"explorer: error: cannot write {out}: {reason}"
        assert listing(out.parent) == [], "nothing half-written may be left"


def test_the_dashboard_export_menu_reports_a_full_disk(monkeypatch):
    pytest.importorskip("dash")
    from explorer.app.exports_menu import export_download
    from explorer.presenter import prepare_app_data

    monkeypatch.setattr("explorer.exports.tables.write_json", lambda snap, path: _no_space(path))
    payload, status = export_download(prepare_app_data(bundled_data_dir()), {}, "json")
    assert payload is None
    assert status.startswith("Export failed: cannot write explorer_") and status.endswith(
        ".json: No space left on device"
    )
    assert "/" not in status, "the status line names the download, not the server's folders"


# ---- 4. stale temporaries of killed runs ----------------------------------------------------------


def test_a_killed_import_is_cleaned_up_by_the_next_run(tmp_path):
    # Big enough (60,000 events) that the import is still running when it is killed.
    rest = gdelt_row().split("\t", 1)[1]
    big = tmp_path / "big.CSV"
    with open(big, "w", encoding="utf-8") as fh:
        fh.writelines(f"{i}\t{rest}\n" for i in range(1, 60_001))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "import", "gdelt", str(big), "--out", str(out), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while not hidden(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is not None:
            pytest.skip("the import finished before it could be killed")
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    left = hidden(tmp_path)
    assert len(left) == 1 and not out.exists(), "the killed import left its temporary folder, and no --out"
    assert str(proc.pid) in left[0]
    small = write_lines(tmp_path / "small.CSV", small_gdelt_rows())
    assert run("import", "gdelt", small, "--out", out, "-q").exit_code == 0
    assert hidden(tmp_path) == []
    assert listing(out) == sorted(FILES)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _named_by(pid: int, dest: Path, role: str = "tmp") -> Path:
    from explorer.writes import temp_name

    made = temp_name(dest, role)
    return made.with_name(made.name.replace(f"-{os.getpid()}-", f"-{pid}-", 1))


def test_stale_temporaries_of_dead_runs_are_removed_and_nothing_else(tmp_path):
    dead = _dead_pid()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale_file = _named_by(dead, tmp_path / "brics.png")
        stale_file.write_bytes(b"half a picture")
        stale_dir = _named_by(dead, tmp_path / "tables")
        stale_dir.mkdir()
        (stale_dir / "nodes.csv").write_text("id\n")
        legacy = tmp_path / f".data.importing-{dead}"  # what explorer 0.1 left behind
        legacy.mkdir()
        (legacy / "events.csv").write_text("id\n")
        running = _named_by(sleeper.pid, tmp_path / "other.gexf")
        running.write_bytes(b"still being written")
        mine = tmp_path / ".brics.png.backup"
        mine.write_bytes(b"the user's own hidden file")
        lookalike = tmp_path / f".x.explorer-tmp-zzzzzz-{dead}-0000"
        lookalike.write_bytes(b"not a name explorer gives")

        result = run("export", "--format", "json", "--out", tmp_path / "v.json")
        assert result.exit_code == 0, result.output
        assert hidden(tmp_path) == sorted([running.name, mine.name, lookalike.name])
        assert listing(tmp_path) == sorted([running.name, mine.name, lookalike.name, "v.json"])
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_folder_moved_aside_by_a_killed_run_is_put_back(tmp_path):
    # Killed between moving the old export aside and renaming the new one into place.
    aside = _named_by(_dead_pid(), tmp_path / "tables", role="old")
    aside.mkdir()
    (aside / "nodes.csv").write_text("id\nCHN\n")
    assert run("export", "--format", "json", "--out", tmp_path / "v.json").exit_code == 0
    assert (tmp_path / "tables" / "nodes.csv").read_text() == "id\nCHN\n"
    assert hidden(tmp_path) == []


def test_the_dashboard_download_folder_is_private_and_cleaned(tmp_path, monkeypatch):
    import tempfile

    from explorer.exports import export_bytes
    from explorer.presenter import prepare_app_data
    from explorer.viewstate import ViewState

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = _named_by(_dead_pid(), tmp_path / "explorer-export")
    stale.mkdir()
    (stale / "half.zip").write_bytes(b"PK")
    name, content = export_bytes(prepare_app_data(bundled_data_dir()), ViewState(), "csv")
    assert name.endswith(".zip") and zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert listing(tmp_path) == []


# ---- 5. what exports say ---------------------------------------------------------------------------


def test_the_csv_export_says_what_it_wrote(tmp_path):
    folder = run("export", "--format", "csv", "--out", tmp_path / "tables")
    assert folder.exit_code == 0 and "(CSV tables (folder);" in folder.stderr and "zip" not in folder.stderr
    archive = run("export", "--format", "csv", "--out", tmp_path / "tables.zip")
    assert archive.exit_code == 0 and "(CSV tables (zip);" in archive.stderr


def _export_bytes(path: Path) -> bytes:
    if path.is_dir():
        return b"\n".join(p.read_bytes() for p in sorted(path.iterdir()))
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return b"\n".join(z.read(n) for n in z.namelist())
    return path.read_bytes()


def test_no_export_holds_a_local_path(tmp_path):
    from explorer.exports import FORMATS, ExportOptions, Snapshot, export_view, unavailable_reason
    from explorer.exports.render import kaleido_server
    from explorer.presenter import prepare_app_data
    from explorer.viewstate import ViewState

    private = tmp_path / "home-of-someone" / "brics-data"
    shutil.copytree(bundled_data_dir(), private)
    data = prepare_app_data(private)
    state = ViewState(date_from="2024-01", date_to="2024-02", level="countries")
    options = ExportOptions(step="month", max_frames=4, width=500, height=400)
    leaks = [str(private).encode(), str(private.parent).encode(), b"home-of-someone"]
    # Pictures cannot be searched for text: their figure is, and it is what they are drawn from.
    figure = Snapshot(data, state, options).figure().to_json().encode()
    assert b"brics-data" in figure and not any(leak in figure for leak in leaks)
    written = []
    with kaleido_server():
        for f in FORMATS.values():
            if unavailable_reason(f):
                continue
            outs = [tmp_path / f"view{f.suffix}"] + ([tmp_path / "tables"] if f.folder else [])
            for out in outs:
                export_view(data, state, f, out, options)
                content = _export_bytes(out)
                assert not any(leak in content for leak in leaks), f"{out.name} holds a local path"
                written.append(out.name)
                if f.id in ("html", "svg", "json", "gexf", "graphml", "csv"):
                    assert b"brics-data" in content, f"{out.name} does not name its data folder"
    assert {"view.html", "view.json", "view.gexf", "view.graphml", "view.zip", "tables"} <= set(written)
