"""The docs say what the code does: a command, column or kind that is not documented fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explorer import schema
from explorer.cli import cli

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
MODEL = (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_in_the_readme(command):
    assert f"explorer {command}" in README


@pytest.mark.parametrize("name,spec", schema.FILES.items())
def test_every_column_is_documented(name, spec):
    assert f"## {spec.name}" in MODEL
    for col in spec.allowed:
        assert re.search(rf"\b{col}\b", MODEL), f"{spec.name}: column {col} is not in docs/data-model.md"


def test_every_kind_and_vocabulary_is_documented():
    words = (
        list(schema.ENTITY_KINDS)
        + list(schema.AFFILIATION_KINDS)
        + list(schema.EVENT_KINDS)
        + list(schema.ROLES)
        + list(schema.OUTCOMES)
        + list(schema.CONFIDENCE)
        + list(schema.STATUSES)
    )
    missing = [w for w in words if f"`{w}`" not in MODEL]
    assert not missing


def test_ci_runs_exactly_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.strip() in ci
