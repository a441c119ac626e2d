"""docs/importers.md's examples run as written, one after another, on the real fixtures; the help and the
README say true things about the import command."""

from __future__ import annotations

import re
import shlex
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest_import import GDELT2_FIXTURE, ICEWS_FIXTURE, fixture

from explorer.cli import cli
from explorer.importers import IMPORTERS

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "importers.md"


def example_commands() -> list[str]:
    """The commands of the guide's first shell block, in order."""
    block = re.search(r"```sh\n(.*?)\n```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert block, "docs/importers.md has no ```sh block of examples"
    return [line for line in block.group(1).splitlines() if line.startswith("explorer ")]


def test_the_examples_run_one_after_another(tmp_path, monkeypatch):
    gdelt, icews = fixture(GDELT2_FIXTURE), fixture(ICEWS_FIXTURE)
    # The files the examples name, made from the real fixtures.
    with zipfile.ZipFile(tmp_path / "20180326044500.export.CSV.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(gdelt, gdelt.name)
    (tmp_path / "downloads").mkdir()
    shutil.copy(tmp_path / "20180326044500.export.CSV.zip", tmp_path / "downloads")
    shutil.copy(icews, tmp_path / "events.2018.tab")
    shutil.copy(icews, tmp_path / "events.2019.tab")
    monkeypatch.chdir(tmp_path)
    commands = example_commands()
    assert len(commands) >= 4
    for command in commands:
        args = shlex.split(command)[1:]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"{command}\n{result.output}"
    for command in commands:
        out = re.search(r"--(?:out|data) (\S+)", command)
        assert out and (tmp_path / out.group(1) / "events.csv").is_file(), command


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_the_help_points_to_docs_that_exist_where_it_says(name):
    text = CliRunner().invoke(cli, ["import", name, "--help"]).output
    assert "This help lists every option" in text
    # docs/ is not in the wheel: the help says where the guide is, and it is there.
    assert "docs/importers.md of explorer's source tree" in " ".join(text.split())
    assert GUIDE.is_file()


def test_the_readme_says_which_commands_take_data():
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    sentence = re.search(r"Every command[^.]*takes `--data DIR`[^.]*\.", readme)
    assert sentence, "the README no longer says which commands take --data"
    without = sorted(name for name, cmd in cli.commands.items() if not any(p.name == "data" for p in cmd.params))
    assert without == ["import", "merge"]
    exceptions = sentence.group(0).split("takes")[0]
    for name in without:
        assert f"`{name}`" in exceptions, f"the README says every command takes --data; {name} does not"
