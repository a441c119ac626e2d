"""Every validation rule reports the file, line and column of the problem."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from conftest import TINY, write_dataset

from explorer import DataError, load_dataset


def _problems(tmp_path, **changes) -> list:
    tables = copy.deepcopy(TINY)
    for name, fn in changes.items():
        fn(tables[name])
    folder = write_dataset(tmp_path / "d", tables)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    return info.value.problems


def _only(problems, file, line, column):
    hits = [p for p in problems if (p.file, p.line, p.column) == (file, line, column)]
    assert hits, f"no problem at {file}:{line} {column}; got {[str(p) for p in problems]}"
    return hits[0]


def test_tiny_dataset_loads_with_dates(tiny):
    ds = load_dataset(tiny)
    assert len(ds.entities) == 6
    row = ds.affiliations.set_index("kind").loc["member"]
    assert row["start_date"] == dt.date(2024, 1, 1) and row["end_date"] is None
    # A month-precision start covers the month from its first day.
    office = ds.affiliations[ds.affiliations["source"] == "ma-zhaoxu"].iloc[0]
    assert office["start_date"] == dt.date(2023, 1, 1)


def set_value(index, column, value):
    def fn(rows):
        rows[index][column] = value

    return fn


# (file key, row index, column, bad value, words the message must contain)
CASES = [
    ("entities", 0, "kind", "contry", "not allowed"),
    ("entities", 1, "name", "", "empty"),
    ("entities", 4, "country", "XXX", "not a known country"),
    ("entities", 4, "id", "Ma Zhaoxu", "not a valid id"),
    ("entities", 0, "id", "ZZZ", "ISO 3166-1"),
    ("affiliations", 0, "kind", "boss", "not allowed"),
    ("affiliations", 0, "start", "30/01/2024", "not a valid date"),
    ("affiliations", 0, "start", "2023-02-30", "not a valid date"),
    ("affiliations", 1, "start_precision", "month", "does not match"),
    ("affiliations", 2, "status", "maybe", "not allowed"),
    ("affiliations", 2, "confidence", "sure", "not allowed"),
    ("affiliations", 2, "sources", "S9", "not a known source"),
    ("affiliations", 2, "sources", "", "empty"),
    ("affiliations", 2, "target", "NOPE", "not a known entity"),
    ("events", 0, "kind", "party", "not allowed"),
    ("events", 0, "start", "2024-13-01", "not a valid date"),
    ("events", 0, "precision", "year", "does not match"),
    ("events", 0, "topics", "Ukraine:maybe", "unknown outcome"),
    ("events", 0, "topics", "Ukraine", "topic:outcome"),
    ("events", 0, "sources", "S1;S404", "not a known source"),
    ("events", 0, "place_country", "Moscow", "ISO 3166-1"),
    ("participants", 0, "entity", "nobody", "not a known entity"),
    ("participants", 0, "event", "e404", "not a known event"),
    ("participants", 0, "role", "boss", "not allowed"),
    ("sources", 0, "title", "", "empty"),
    ("sources", 0, "published", "January 2024", "not a valid date"),
]


@pytest.mark.parametrize("file,index,column,value,words", CASES)
def test_each_rule_names_file_line_and_column(tmp_path, file, index, column, value, words):
    problems = _problems(tmp_path, **{file: set_value(index, column, value)})
    p = _only(problems, f"{file}.csv", index + 2, column)
    assert words in str(p)


def test_end_before_start(tmp_path):
    problems = _problems(tmp_path, affiliations=set_value(3, "end", "2022-01-01"))
    p = _only(problems, "affiliations.csv", 5, "end")
    assert "before start" in p.message


def test_office_must_be_held_by_an_official(tmp_path):
    problems = _problems(tmp_path, affiliations=set_value(0, "source", "CHN"))
    p = _only(problems, "affiliations.csv", 2, "source")
    assert "needs a official" in p.message or "official" in p.message


def test_membership_target_must_be_an_organization(tmp_path):
    problems = _problems(tmp_path, affiliations=set_value(4, "target", "RUS"))
    p = _only(problems, "affiliations.csv", 6, "target")
    assert "organization" in p.message


def test_duplicate_ids_name_the_first_line(tmp_path):
    def dup(rows):
        rows.append(dict(rows[1]))

    problems = _problems(tmp_path, entities=dup)
    p = _only(problems, "entities.csv", 8, "id")
    assert "duplicates line 3" in p.message


def test_missing_and_unknown_columns(tmp_path):
    folder = write_dataset(tmp_path / "d")
    text = (folder / "sources.csv").read_text().replace("reliability", "reliabilty")
    (folder / "sources.csv").write_text(text)
    ent = (folder / "entities.csv").read_text().replace("id,kind,name", "ident,kind,name", 1)
    (folder / "entities.csv").write_text(ent)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    msgs = [str(p) for p in info.value.problems]
    assert any("sources.csv:1" in m and "reliabilty" in m and "not a known column" in m for m in msgs)
    assert any("entities.csv:1" in m and "'id'" in m and "missing" in m for m in msgs)


def test_non_utf8_bytes_are_reported_with_their_line(tmp_path):
    folder = write_dataset(tmp_path / "d")
    raw = (folder / "entities.csv").read_bytes().replace(b"Ma Zhaoxu", b"Ma Zhao\xe9xu")
    (folder / "entities.csv").write_bytes(raw)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    p = _only(info.value.problems, "entities.csv", 6, "")
    assert "not UTF-8" in p.message


def test_every_problem_is_reported_at_once(tmp_path):
    problems = _problems(
        tmp_path,
        entities=set_value(0, "kind", "contry"),
        events=set_value(0, "start", "soon"),
        sources=set_value(1, "reliability", "great"),
    )
    files = {p.file for p in problems}
    assert {"entities.csv", "events.csv", "sources.csv"} <= files


def test_loading_never_writes_into_the_folder(tiny):
    before = {p.name: p.stat().st_mtime_ns for p in tiny.iterdir()}
    load_dataset(tiny)
    assert {p.name: p.stat().st_mtime_ns for p in tiny.iterdir()} == before


def test_missing_file(tmp_path):
    folder = write_dataset(tmp_path / "d")
    (folder / "participants.csv").unlink()
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    assert any(p.file == "participants.csv" and "missing" in p.message for p in info.value.problems)
