"""ICEWS import: the real 2018 sample, and a small file written by the tests."""

from __future__ import annotations

import pytest
from conftest_import import (
    ICEWS_FIXTURE,
    ICEWS_HEADER,
    fixture,
    folder_bytes,
    icews_row,
    read_out,
    read_raw,
    small_icews_rows,
    write_lines,
)

from explorer.importers import IMPORTERS, ImportOptions, InputError, run_import
from explorer.importers.cameo import DEFAULT_SELECTION
from explorer.loader import load_dataset

ICEWS = IMPORTERS["icews"]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    path = fixture(ICEWS_FIXTURE)
    out = tmp_path_factory.mktemp("icews") / "out"
    report = run_import(ICEWS, [path], out)
    return path, out, report, read_raw(path, header=True)


def test_real_file_counts_match_an_independent_reading(real):
    _, out, report, raw = real
    selected = raw["CAMEO Code"].str.startswith(DEFAULT_SELECTION)
    assert report.rows_read == len(raw) == 3705
    assert report.filtered["cameo"] == int((~selected).sum())
    events = read_out(out, "events")
    no_actor = selected & raw["Source Name"].isin(["NA", ""]) & raw["Target Name"].isin(["NA", ""])
    assert report.skipped.get("no_actor", 0) == int(no_actor.sum())
    assert report.imported == len(events)
    assert report.rows_read == report.imported + sum(report.filtered.values()) + sum(report.skipped.values())
    assert set(events["id"]) <= set("icews-" + raw.loc[selected, "Event ID"])


def test_real_file_names_officials_and_keeps_codes(real):
    _, out, _, raw = real
    entities = read_out(out, "entities").set_index("id")
    assert entities.loc["sergey-lavrov", ["kind", "name", "country"]].tolist() == ["official", "Sergey Lavrov", "RUS"]
    assert entities.loc["sergey-lavrov", "aliases"] == "Sergey Viktorovich Lavrov"
    assert entities.loc["RUS", "kind"] == "country"
    assert entities.loc["EU", "kind"] == "organization"
    events = read_out(out, "events").set_index("id")
    source = raw.assign(id="icews-" + raw["Event ID"]).set_index("id").loc[events.index]
    assert (events["cameo"] == source["CAMEO Code"]).all()
    assert events["cameo"].str.fullmatch(r"\d{3,4}").all()
    assert (events["goldstein"] == source["Intensity"]).all()
    assert (events["quad_class"] == "1").sum() == events["cameo"].str.startswith(("04", "05")).sum()
    assert set(events["confidence"]) == {"low"}
    sources = read_out(out, "sources").set_index("id")
    assert (
        sources.loc[events["sources"], "publisher"].to_numpy() == source["Publisher"].replace("NA", "").to_numpy()
    ).all()
    # Lavrov's events are his, not Russia's.
    parts = read_out(out, "participants")
    lavrov = raw.loc[
        raw["Source Name"].eq("Sergey Viktorovich Lavrov") & raw["CAMEO Code"].str.startswith("04"), "Event ID"
    ]
    assert len(lavrov) > 0
    assert set("icews-" + lavrov) <= set(parts.loc[parts["entity"] == "sergey-lavrov", "event"])


def test_real_file_output_is_a_valid_data_folder(real):
    _, out, report, _ = real
    ds = load_dataset(out)
    assert len(ds.events) == report.imported
    assert set(ds.events["kind"]) <= {"meeting", "consultation", "visit", "call", "announcement"}


def test_same_import_twice_gives_identical_bytes(tmp_path):
    path = fixture(ICEWS_FIXTURE)
    for name in ("a", "b"):
        run_import(ICEWS, [path], tmp_path / name, ImportOptions(cameo=("01", "04", "05", "11", "19")))
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")


def test_small_file_na_and_empty_actors(tmp_path):
    path = write_lines(tmp_path / "events.tab", small_icews_rows())
    report = run_import(ICEWS, [path], tmp_path / "out", ImportOptions(cameo=("02", "04", "05")))
    assert report.rows_read == 4
    assert report.skipped == {"no_actor": 1}
    assert report.imported == 3
    ds = load_dataset(tmp_path / "out")
    parts = ds.participants.groupby("event")["entity"].apply(list).to_dict()
    assert parts == {
        "icews-9001": ["sergey-lavrov", "wang-yi"],
        "icews-9003": ["IND"],  # police and citizens of India: one country, one participant
        "icews-9004": ["EU", "TUR"],  # 'Turkey' is Türkiye for ISO
    }
    events = ds.events.set_index("id")
    assert events.loc["icews-9003", "cameo"] == "0234"
    assert events.loc["icews-9001", ["place", "place_country"]].tolist() == ["Beijing, Beijing, China", "CHN"]
    assert events.loc["icews-9004", ["place", "place_country", "sources"]].tolist() == [
        "",
        "",
        "icews-unknown-publisher",
    ]
    assert events.loc["icews-9001", "title"] == "Sergey Lavrov – Wang Yi: Make a visit"
    assert set(ds.entities.loc[ds.entities["kind"] == "official", "country"]) == {"RUS", "CHN"}


def test_bad_date_is_reported_with_its_line(tmp_path):
    lines = small_icews_rows() + [icews_row(Event_ID="9100", Event_Date="2018-13-01")]
    path = write_lines(tmp_path / "events.tab", lines)
    seen = []
    run_import(ICEWS, [path], tmp_path / "out", on_problem=seen.append)
    assert [(p.line, p.column, p.value) for p in seen] == [(6, "Event Date", "2018-13-01")]


def test_wrong_header_names_the_icews_columns(tmp_path):
    path = write_lines(tmp_path / "events.tab", ["Event ID\tDate\tWho", "1\t2018-06-01\tx"])
    with pytest.raises(InputError, match="not an ICEWS event file.*Event ID, Event Date, Source Name"):
        run_import(ICEWS, [path], tmp_path / "out")


def test_gdelt_file_given_to_icews_gets_a_hint(tmp_path):
    from conftest_import import gdelt_row

    path = write_lines(tmp_path / "g.CSV", [gdelt_row()])
    with pytest.raises(InputError, match="use 'explorer import gdelt'"):
        run_import(ICEWS, [path], tmp_path / "out")


def test_header_only_file_imports_nothing(tmp_path):
    path = write_lines(tmp_path / "events.tab", [ICEWS_HEADER])
    report = run_import(ICEWS, [path], tmp_path / "out")
    assert report.rows_read == 0 and report.imported == 0
    assert load_dataset(tmp_path / "out").events.empty
