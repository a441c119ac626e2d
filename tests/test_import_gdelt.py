"""GDELT import: the real 2.0 export file, and small files of every GDELT layout written by the tests."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from conftest_import import (
    GDELT2_FIXTURE,
    GDELT_LAYOUTS,
    fixture,
    folder_bytes,
    gdelt_row,
    read_out,
    read_raw,
    small_gdelt_rows,
    write_lines,
)

from explorer.importers import IMPORTERS, ImportOptions, InputError, run_import
from explorer.importers.cameo import DEFAULT_SELECTION
from explorer.importers.countries import iso3_from_cameo
from explorer.importers.gdelt import GDELT1_COLUMNS, GDELT1_URL_COLUMNS, GDELT2_COLUMNS
from explorer.loader import load_dataset

GDELT = IMPORTERS["gdelt"]


# -- the real file ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    path = fixture(GDELT2_FIXTURE)
    out = tmp_path_factory.mktemp("gdelt") / "out"
    report = run_import(GDELT, [path], out)
    return path, out, report, read_raw(path).set_axis(GDELT2_COLUMNS, axis=1)


def test_real_file_counts_match_an_independent_reading(real):
    _, out, report, raw = real
    selected = raw["EventCode"].str.startswith(DEFAULT_SELECTION)
    assert report.rows_read == len(raw) == 1540
    assert report.filtered["cameo"] == int((~selected).sum())
    no_actor = selected & (raw["Actor1Code"] == "") & (raw["Actor2Code"] == "")
    assert report.skipped.get("no_actor", 0) == int(no_actor.sum())
    events = read_out(out, "events")
    assert report.imported == len(events)
    assert report.rows_read == (report.imported + sum(report.filtered.values()) + sum(report.skipped.values()))
    # Every row whose two actors carry an ISO country code is imported, as a dyad of those countries,
    # unless an actor is an armed group (REB, INS...: dropped, never its country).
    iso1 = raw["Actor1CountryCode"].map(iso3_from_cameo)
    iso2 = raw["Actor2CountryCode"].map(iso3_from_cameo)
    is_igo = raw["Actor1Code"].str.startswith("IGO") | raw["Actor2Code"].str.startswith("IGO")
    type_columns = [f"Actor{n}Type{k}Code" for n in (1, 2) for k in (1, 2, 3)]
    armed = raw[type_columns].isin(["REB", "SEP", "INS", "UAF", "IMG", "CRM"]).any(axis=1)
    dyads = raw[selected & iso1.notna() & iso2.notna() & ~is_igo & ~armed]
    assert set("gdelt-" + dyads["GLOBALEVENTID"]) <= set(events["id"])
    parts = read_out(out, "participants")
    entities = read_out(out, "entities").set_index("id")
    country_of = entities["country"].where(entities["kind"] == "official", entities.index.to_series())
    countries = parts.assign(country=parts["entity"].map(country_of)).groupby("event")["country"].apply(set)
    expected = iso1[dyads.index].combine(iso2[dyads.index], lambda a, b: {a, b})
    expected.index = "gdelt-" + dyads["GLOBALEVENTID"]
    assert len(expected) > 100
    assert all(countries[event] == pair for event, pair in expected.items())


def test_real_file_keeps_codes_and_coded_values_as_written(real):
    _, out, _, raw = real
    events = read_out(out, "events").set_index("id")
    source = raw.assign(id="gdelt-" + raw["GLOBALEVENTID"]).set_index("id").loc[events.index]
    assert (events["cameo"] == source["EventCode"]).all()
    assert events["cameo"].str.fullmatch(r"\d{3,4}").all()
    assert events["cameo"].str.startswith(("04", "05")).sum() > 300  # their leading zero kept
    assert (events["quad_class"] == source["QuadClass"]).all()
    assert (events["goldstein"] == source["GoldsteinScale"]).all()
    assert (events["tone"] == source["AvgTone"]).all()
    assert (events["mentions"] == source["NumMentions"]).all()
    assert ((events["confidence"] == "medium") == (source["NumSources"].astype(int) >= 2)).all()
    sources = read_out(out, "sources").set_index("id")
    assert (sources.loc[events["sources"], "url"].to_numpy() == source["SOURCEURL"].to_numpy()).all()


def test_real_file_output_is_a_valid_data_folder(real):
    _, out, report, _ = real
    ds = load_dataset(out)
    assert len(ds.events) == report.imported
    assert set(ds.entities["kind"]) <= {"country", "official", "organization"}
    assert {"EU", "UN"} <= set(ds.entities["id"])  # IGOEUREEC, IGOUNO
    officials = ds.entities[ds.entities["kind"] == "official"]
    assert "lee-myung-bak" in set(officials["id"])  # KORGOVELI LEE MYUNG BAK
    assert set(officials["country"]) <= set(ds.entities["id"])


def test_same_import_twice_gives_identical_bytes(tmp_path):
    path = fixture(GDELT2_FIXTURE)
    run_import(GDELT, [path], tmp_path / "a", ImportOptions(cameo=("01", "02", "03", "04", "05", "19")))
    run_import(GDELT, [path], tmp_path / "b", ImportOptions(cameo=("01", "02", "03", "04", "05", "19")))
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")


def test_zipped_file_gives_the_same_folder_as_the_plain_one(tmp_path):
    path = fixture(GDELT2_FIXTURE)
    archive = tmp_path / "20180326044500.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(path, path.name)
    run_import(GDELT, [path], tmp_path / "plain")
    report = run_import(GDELT, [archive], tmp_path / "zipped")
    assert report.files == [(f"{archive}:{path.name}", "GDELT 2.0")]
    assert folder_bytes(tmp_path / "plain") == folder_bytes(tmp_path / "zipped")


def test_filters_match_pandas_masks(tmp_path):
    path = fixture(GDELT2_FIXTURE)
    raw = read_raw(path).set_axis(GDELT2_COLUMNS, axis=1)
    import datetime as dt

    options = ImportOptions(date_from=dt.date(2018, 3, 26), cameo=("04",), min_mentions=3)
    report = run_import(GDELT, [path], tmp_path / "out", options)
    dates_ok = raw["SQLDATE"] >= "20180326"
    assert report.filtered["dates"] == int((~dates_ok).sum())
    code_ok = dates_ok & raw["EventCode"].str.startswith("04")
    assert report.filtered["cameo"] == int((dates_ok & ~code_ok).sum())
    assert report.filtered["mentions"] == int((code_ok & (raw["NumMentions"].astype(int) < 3)).sum())
    events = read_out(tmp_path / "out", "events")
    assert (events["start"] >= "2018-03-26").all() and events["cameo"].str.startswith("04").all()


def test_countries_filter_keeps_only_events_with_those_countries(tmp_path):
    path = fixture(GDELT2_FIXTURE)
    run_import(GDELT, [path], tmp_path / "out", ImportOptions(countries=frozenset({"RUS", "CHN"})))
    parts = read_out(tmp_path / "out", "participants")
    entities = read_out(tmp_path / "out", "entities").set_index("id")
    country = parts["entity"].map(lambda e: e if entities.at[e, "kind"] == "country" else entities.at[e, "country"])
    by_event = country.groupby(parts["event"]).apply(set)
    assert len(by_event) > 0
    assert all(s & {"RUS", "CHN"} for s in by_event)


# -- small files of each layout -----------------------------------------------------------------------


@pytest.mark.parametrize("layout", sorted(GDELT_LAYOUTS))
def test_each_gdelt_layout_imports(tmp_path, layout):
    columns = GDELT_LAYOUTS[layout]
    path = write_lines(tmp_path / f"{layout}.export.CSV", small_gdelt_rows(columns))
    report = run_import(GDELT, [path], tmp_path / "out")
    assert report.files[0][1].startswith("GDELT " + layout.split("-")[0])
    assert report.rows_read == 6
    assert report.imported == 3  # 100 (USA-RUS), 101 (Lavrov-China), 103 (EU)
    assert report.filtered == {"cameo": 1}
    assert report.skipped == {"no_actor": 1, "no_country": 1}
    ds = load_dataset(tmp_path / "out")
    events = ds.events.set_index("id")
    assert list(events.index) == ["gdelt-100", "gdelt-101", "gdelt-103"]
    assert events.loc["gdelt-100", ["kind", "start", "cameo", "place_country"]].tolist() == [
        "visit",
        "2018-03-26",
        "042",
        "RUS",
    ]
    assert events.loc["gdelt-101", "confidence"] == "low" and events.loc["gdelt-100", "confidence"] == "medium"
    assert events.loc["gdelt-103", "kind"] == "meeting"  # 057 sign formal agreement
    entities = ds.entities.set_index("id")
    assert entities.loc["sergey-lavrov", ["kind", "name", "country"]].tolist() == ["official", "Sergey Lavrov", "RUS"]
    assert entities.loc["EU", "kind"] == "organization"
    parts = ds.participants
    assert parts[parts["event"] == "gdelt-101"]["entity"].tolist() == ["sergey-lavrov", "CHN"]
    sources = ds.sources.set_index("id")
    cited = sources.loc[events.loc["gdelt-100", "sources"]]
    if "SOURCEURL" in columns:
        assert cited["url"] == "https://example.org/news/talks-in-moscow"
        assert cited["title"] == "example.org: talks in moscow"
    else:
        assert cited["url"] == "" and cited["title"].startswith("GDELT event file")


def test_1_0_files_of_57_and_58_fields_are_told_apart(tmp_path):
    assert len(GDELT1_COLUMNS) == 57 and len(GDELT1_URL_COLUMNS) == 58 and len(GDELT2_COLUMNS) == 61
    a = write_lines(tmp_path / "a.CSV", [gdelt_row(GDELT1_COLUMNS)])
    b = write_lines(tmp_path / "b.CSV", [gdelt_row(GDELT1_URL_COLUMNS, GLOBALEVENTID="200")])
    report = run_import(GDELT, [tmp_path], tmp_path / "out")
    assert [f[1] for f in report.files] == ["GDELT 1.0 (no SOURCEURL)", "GDELT 1.0"]
    assert report.imported == 2 and a.exists() and b.exists()


def test_column_lists_match_the_published_headers():
    headers = fixture(GDELT2_FIXTURE).parents[1] / "gdelt-schema-headers"
    v2 = pd.read_csv(headers / "GDELT_2.0_Events_Column_Labels_Header_Row_Sep2016.csv")["tableId"].tolist()
    assert tuple(v2) == GDELT2_COLUMNS
    v1 = (headers / "GDELT_1.0_event_Column_Labels_Header_Row_Sep2016.tsv").read_text().split()
    assert tuple(v1[1:]) == GDELT1_URL_COLUMNS  # the file's first name is the table id


def test_event_without_url_cites_its_file(tmp_path):
    path = write_lines(tmp_path / "nourl.CSV", [gdelt_row(SOURCEURL="")])
    run_import(GDELT, [path], tmp_path / "out")
    sources = read_out(tmp_path / "out", "sources")
    # The file is cited by its name, not by the path it was given as (the same file gives the same folder).
    assert sources[["title", "url"]].values.tolist() == [[f"GDELT event file {path.name}", ""]]


def test_header_line_is_accepted(tmp_path):
    path = write_lines(tmp_path / "h.csv", ["\t".join(GDELT2_COLUMNS), gdelt_row()])
    report = run_import(GDELT, [path], tmp_path / "out")
    assert report.rows_read == 1 and report.imported == 1


def test_malformed_lines_are_reported_with_file_and_line_and_skipped(tmp_path):
    lines = small_gdelt_rows()
    lines.insert(2, "garbage\tline")  # line 3: wrong field count
    lines[4] = gdelt_row(GLOBALEVENTID="777", SQLDATE="20180231")  # line 5: no 31 February
    path = write_lines(tmp_path / "bad.CSV", lines)
    seen = []
    report = run_import(GDELT, [path], tmp_path / "out", on_problem=seen.append)
    assert [(p.file, p.line) for p in seen] == [(str(path), 3), (str(path), 5)]
    assert "has 2 fields" in str(seen[0]) and "61 tab-separated fields" in str(seen[0])
    assert seen[1].column == "SQLDATE" and seen[1].value == "20180231"
    assert report.skipped["malformed"] == 2
    assert report.rows_read == 7


def test_strict_stops_at_the_first_malformed_line_and_writes_nothing(tmp_path):
    lines = small_gdelt_rows()
    lines.insert(3, gdelt_row(GLOBALEVENTID="x1", SQLDATE="2018-03-26"))
    path = write_lines(tmp_path / "bad.CSV", lines)
    with pytest.raises(InputError, match=r"bad\.CSV:4: .*GLOBALEVENTID.*--strict"):
        run_import(GDELT, [path], tmp_path / "out", ImportOptions(strict=True))
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.CSV"]


def test_line_numbers_survive_many_blocks(tmp_path, monkeypatch):
    import explorer.importers.reader as reader

    monkeypatch.setattr(reader, "BLOCK_SIZE", 4096)
    lines = [gdelt_row(GLOBALEVENTID=str(1000 + i)) for i in range(400)]
    lines[123] = "short\tline"
    lines[250] = gdelt_row(GLOBALEVENTID="5", SQLDATE="2018x326")
    lines[251] = ""
    lines[300] = "\t" * 60  # 61 empty fields: an empty row, not an event
    lines[301] = gdelt_row(GLOBALEVENTID="")  # fields but no id: malformed
    path = write_lines(tmp_path / "many.CSV", lines)
    seen = []
    report = run_import(GDELT, [path], tmp_path / "out", on_problem=seen.append)
    assert [p.line for p in seen] == [124, 251, 302]
    assert report.skipped == {"malformed": 3, "empty": 2}
    assert report.imported == 395


def test_event_codes_are_never_numbers(tmp_path):
    path = write_lines(
        tmp_path / "z.CSV",
        [
            gdelt_row(EventCode="0421", EventBaseCode="042", EventRootCode="04"),
            gdelt_row(GLOBALEVENTID="9", EventCode="1123", EventBaseCode="112", EventRootCode="11"),
        ],
    )
    run_import(GDELT, [path], tmp_path / "out", ImportOptions(cameo=("04", "11")))
    events = read_out(tmp_path / "out", "events")
    assert events["cameo"].tolist() == ["0421", "1123"]
    assert events["cameo_label"].tolist() == ["Make a visit", "Accuse of aggression"]
    assert (tmp_path / "out" / "events.csv").read_text().count(",0421,") == 1


def test_the_same_event_in_two_files_is_imported_once(tmp_path):
    (tmp_path / "in").mkdir()
    write_lines(tmp_path / "in" / "a.CSV", small_gdelt_rows())
    write_lines(tmp_path / "in" / "b.CSV", small_gdelt_rows()[:2] + [gdelt_row(GLOBALEVENTID="900")])
    report = run_import(GDELT, [str(tmp_path / "in" / "*.CSV")], tmp_path / "out")
    assert report.skipped["duplicate"] == 2
    events = read_out(tmp_path / "out", "events")
    assert events["id"].is_unique and "gdelt-900" in set(events["id"])


def test_unknown_format_names_the_expected_columns(tmp_path):
    path = write_lines(tmp_path / "x.csv", ["a,b,c", "1,2,3"])
    with pytest.raises(InputError, match=r"not a GDELT event file.*61 tab-separated fields.*GLOBALEVENTID, SQLDATE"):
        run_import(GDELT, [path], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_truncated_zip_is_a_clear_error(tmp_path):
    inner = write_lines(tmp_path / "e.CSV", [gdelt_row(GLOBALEVENTID=str(i)) for i in range(1, 3000)])
    archive = tmp_path / "e.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(inner, inner.name)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or damaged"):
        run_import(GDELT, [archive], tmp_path / "out")
    damaged = bytearray(data)
    damaged[len(data) // 3] ^= 0xFF
    archive.write_bytes(bytes(damaged))
    with pytest.raises(InputError, match="truncated or damaged"):
        run_import(GDELT, [archive], tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.CSV", "e.CSV.zip"]
