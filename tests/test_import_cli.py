"""``explorer import`` through click's CliRunner: options, summaries, errors and what is left on disk."""

from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner
from conftest_import import (
    GDELT2_FIXTURE,
    fixture,
    folder_bytes,
    gdelt_row,
    read_out,
    small_gdelt_rows,
    small_icews_rows,
    write_lines,
)

from explorer.cli import cli
from explorer.importers import IMPORTERS


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def gdelt_file(tmp_path):
    return write_lines(tmp_path / "20180326.export.CSV", small_gdelt_rows())


def test_every_importer_is_a_subcommand():
    result = run("import", "--help")
    assert result.exit_code == 0
    for name in IMPORTERS:
        assert name in result.output
    assert "--min-mentions" in run("import", "gdelt", "--help").output
    assert "--min-mentions" not in run("import", "icews", "--help").output


def test_import_then_validate(tmp_path, gdelt_file):
    out = tmp_path / "out"
    result = run("import", "gdelt", str(gdelt_file), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "6 rows read from 1 file, 3 events imported" in result.stdout
    assert "skipped: 1 no actor coded" in result.stdout
    assert "filtered: 1 event code not selected by --cameo" in result.stdout
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    check = run("validate", "--data", str(out))
    assert check.exit_code == 0 and "OK — " in check.output and "3 events" in check.output


def test_real_file_through_the_cli(tmp_path):
    path = fixture(GDELT2_FIXTURE)
    result = run(
        "import",
        "gdelt",
        str(path),
        "--out",
        str(tmp_path / "out"),
        "--countries",
        "RUS,china",
        "--cameo",
        "04,05",
        "--min-mentions",
        "2",
    )
    assert result.exit_code == 0, result.output
    assert "1,540 rows read" in result.stdout
    assert run("validate", "--data", str(tmp_path / "out")).exit_code == 0


def test_existing_out_is_never_replaced_without_force(tmp_path, gdelt_file):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    result = run("import", "gdelt", str(gdelt_file), "--out", str(out))
    assert result.exit_code == 2
    assert "already exists; use --force to replace it or --append to add to it" in result.stderr
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    result = run("import", "gdelt", str(gdelt_file), "--out", str(out), "--force", "--quiet")
    assert result.exit_code == 2 and "is a folder that is not a data folder (it holds mine.txt)" in result.stderr
    assert [p.name for p in out.iterdir()] == ["mine.txt"]  # --force replaces only an empty or a data folder
    (out / "mine.txt").unlink()
    result = run("import", "gdelt", str(gdelt_file), "--out", str(out), "--force", "--quiet")
    assert result.exit_code == 0 and result.output == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["entities.csv", "affiliations.csv", "events.csv", "participants.csv", "sources.csv"]
    )


def test_append_adds_without_duplicating(tmp_path, gdelt_file):
    out = tmp_path / "out"
    assert run("import", "gdelt", str(gdelt_file), "--out", str(out), "-q").exit_code == 0
    before = folder_bytes(out)
    again = run("import", "gdelt", str(gdelt_file), "--out", str(out), "--append")
    assert again.exit_code == 0
    assert "0 events imported" in again.stdout and "skipped: 3 duplicate event id" in again.stdout
    assert folder_bytes(out) == before
    more = write_lines(
        tmp_path / "more.CSV",
        [gdelt_row(GLOBALEVENTID="500", Actor2Code="IND", Actor2Name="INDIA", Actor2CountryCode="IND"), gdelt_row()],
    )  # 100 is already there
    result = run("import", "gdelt", str(more), "--out", str(out), "--append")
    assert result.exit_code == 0 and "1 events imported" in result.stdout
    events = read_out(out, "events")
    assert events["id"].tolist() == ["gdelt-100", "gdelt-101", "gdelt-103", "gdelt-500"]
    assert "IND" in set(read_out(out, "entities")["id"])
    assert read_out(out, "entities")["id"].is_unique and read_out(out, "sources")["id"].is_unique
    assert run("validate", "--data", str(out)).exit_code == 0


def test_append_in_one_go_equals_append_in_two(tmp_path):
    a = write_lines(tmp_path / "a.CSV", small_gdelt_rows())
    b = write_lines(tmp_path / "b.CSV", [gdelt_row(GLOBALEVENTID="600", SOURCEURL="https://example.org/b")])
    assert run("import", "gdelt", str(a), str(b), "--out", str(tmp_path / "once"), "-q").exit_code == 0
    assert run("import", "gdelt", str(a), "--out", str(tmp_path / "twice"), "-q").exit_code == 0
    assert run("import", "gdelt", str(b), "--out", str(tmp_path / "twice"), "--append", "-q").exit_code == 0
    assert folder_bytes(tmp_path / "once") == folder_bytes(tmp_path / "twice")


def test_append_and_force_together_are_refused(tmp_path, gdelt_file):
    result = run("import", "gdelt", str(gdelt_file), "--out", str(tmp_path / "out"), "--append", "--force")
    assert result.exit_code == 2 and "cannot be combined" in result.stderr


def test_malformed_line_warning_and_strict(tmp_path):
    lines = small_gdelt_rows()
    lines.insert(1, "1\t2\t3")
    path = write_lines(tmp_path / "bad.CSV", lines)
    result = run("import", "gdelt", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert (
        f"explorer: warning: skipped {path}:2: '1\\t2\\t3' has 3 fields; expected 61 tab-separated fields"
        in result.stderr
    )
    assert "skipped: 1 malformed line" in result.stdout
    strict = run("import", "gdelt", str(path), "--out", str(tmp_path / "strict"), "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.startswith(f"explorer: error: {path}:2:") and "Traceback" not in strict.output
    assert not (tmp_path / "strict").exists()


def test_truncated_zip_leaves_nothing_behind(tmp_path):
    inner = write_lines(tmp_path / "e.CSV", [gdelt_row(GLOBALEVENTID=str(i)) for i in range(1, 2000)])
    archive = tmp_path / "e.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(inner, inner.name)
    archive.write_bytes(archive.read_bytes()[:-200])
    result = run("import", "gdelt", str(archive), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "truncated or damaged" in result.stderr and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.CSV", "e.CSV.zip"]


def test_failure_keeps_the_existing_folder_untouched(tmp_path, gdelt_file):
    out = tmp_path / "out"
    assert run("import", "gdelt", str(gdelt_file), "--out", str(out), "-q").exit_code == 0
    before = folder_bytes(out)
    bad = write_lines(tmp_path / "x.csv", ["not,gdelt"])
    for flag in ("--force", "--append"):
        result = run("import", "gdelt", str(gdelt_file), str(bad), "--out", str(out), flag)
        assert result.exit_code == 1 and "not a GDELT event file" in result.stderr
        assert folder_bytes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_unknown_format_error_names_the_columns(tmp_path):
    path = write_lines(tmp_path / "x.tab", ["id\tdate", "1\t2"])
    result = run("import", "icews", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "not an ICEWS event file" in result.stderr and "Event ID, Event Date, Source Name" in result.stderr


def test_bad_options_exit_2(tmp_path, gdelt_file):
    out = str(tmp_path / "out")
    cases = [
        (["--cameo", "42"], "'42' is not a CAMEO code"),
        (["--countries", "Atlantis"], "'Atlantis' is not a country"),
        (["--from", "2018-02-30"], "--from"),
        (["--from", "2019", "--to", "2018"], "is after --to"),
    ]
    for extra, message in cases:
        result = run("import", "gdelt", str(gdelt_file), "--out", out, *extra)
        assert result.exit_code == 2, extra
        assert message in result.stderr
    missing = run("import", "gdelt", str(tmp_path / "nope*.CSV"), "--out", out)
    assert missing.exit_code == 2 and "no file matches" in missing.stderr
    assert not (tmp_path / "out").exists()


def test_folder_and_icews(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_lines(folder / "events.2018.tab", small_icews_rows())
    (folder / "README.md").write_text("not data")
    result = run("import", "icews", str(folder), "--out", str(tmp_path / "out"), "--cameo", "all")
    assert result.exit_code == 0, result.output
    assert "4 rows read from 1 file, 3 events imported" in result.stdout
    assert run("validate", "--data", str(tmp_path / "out")).exit_code == 0
