"""What imported entities claim to be (issue 12, item 5), checked on the real GDELT, ICEWS and CAMEO fixtures.

People, places, groups and organisations are told apart; no organisation is merged with another by a shared
acronym; GDELT's and ICEWS's country names resolve; the output does not depend on how a path was typed;
misdated GDELT rows are counted; Mentions and GKG files are named in the error.  Every test reads the fixtures
from ../shared/fixtures and skips, saying where it looked, when they are absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest_import import (
    FIXTURES,
    GDELT2_FIXTURE,
    ICEWS_FIXTURE,
    fixture,
    folder_bytes,
    read_out,
    read_raw,
    write_lines,
)

from explorer.cli import cli
from explorer.importers import IMPORTERS, ImportOptions, InputError, run_import
from explorer.importers.actors import ARMED_TYPES, gdelt_actor, icews_actor
from explorer.importers.cameo import NOT_GROUPS
from explorer.importers.countries import iso3_from_cameo, iso3_from_name, iso3_from_place
from explorer.importers.gdelt import GDELT1_COLUMNS, GDELT2_COLUMNS, MISDATED_DAYS
from explorer.importers.icews import ICEWS_COLUMNS
from explorer.loader import ID_PATTERNS, load_dataset

GDELT = IMPORTERS["gdelt"]
ICEWS = IMPORTERS["icews"]
KNOWN_GROUPS_FIXTURE = FIXTURES / "cameo-lookups-gdelt" / "CAMEO.knowngroup.txt"
COUNTRIES_FIXTURE = FIXTURES / "cameo-lookups-gdelt" / "CAMEO.country.txt"
ALL_CODES = ImportOptions(cameo=tuple(f"{r:02d}" for r in range(1, 21)))


def lookup(path: Path) -> list[tuple[str, str]]:
    """A CAMEO lookup table (CODE, LABEL, tab-separated, with a header)."""
    with fixture(path).open(encoding="utf-8", newline="") as f:
        return [(code, label) for code, label in list(csv.reader(f, delimiter="\t"))[1:]]


@pytest.fixture(scope="module")
def gdelt_raw() -> pd.DataFrame:
    return read_raw(fixture(GDELT2_FIXTURE)).set_axis(GDELT2_COLUMNS, axis=1)


@pytest.fixture(scope="module")
def icews_raw() -> pd.DataFrame:
    return read_raw(fixture(ICEWS_FIXTURE), header=True)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Both real files imported with every CAMEO code kept: (GDELT report, folder), (ICEWS report, folder)."""
    base = tmp_path_factory.mktemp("quality")
    gdelt = run_import(GDELT, [fixture(GDELT2_FIXTURE)], base / "gdelt", ALL_CODES)
    icews = run_import(ICEWS, [fixture(ICEWS_FIXTURE)], base / "icews", ALL_CODES)
    return (gdelt, base / "gdelt"), (icews, base / "icews")


def fixture_places(gdelt_raw: pd.DataFrame, icews_raw: pd.DataFrame) -> set[tuple[str, str]]:
    """The provinces and states the fixtures name, with their country: the part of each GDELT geo full name
    before its country, and ICEWS's Province column."""
    places = set()
    for column in ("Actor1Geo_FullName", "Actor2Geo_FullName", "ActionGeo_FullName"):
        for full in gdelt_raw[column].unique():
            parts = full.split(", ")
            country = iso3_from_place(full)
            if len(parts) >= 2 and country:
                places.add((parts[-2], country))
    for province, country in icews_raw[["Province", "Country"]].drop_duplicates().itertuples(index=False):
        if province != "NA" and iso3_from_name(country):
            places.add((province, iso3_from_name(country)))
    return places


# -- people, places, groups, organisations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "country", "types"),
    [
        ("AREGOV", "ABU DHABI", "ARE", ("GOV",)),
        ("CANGOV", "NOVA SCOTIA", "CAN", ("GOV",)),
        ("USAMIL", "AMERICAN TROOPS", "USA", ("MIL",)),
        ("INDGOV", "NEW DELHI", "IND", ("GOV",)),
        ("ISRMIL", "ISRAELI SOLDIERS", "ISR", ("MIL",)),
        ("USALEG", "LOS ANGELES", "USA", ("LEG",)),
    ],
)
def test_the_issues_places_and_groups_are_their_country_not_officials(code, name, country, types):
    actor = gdelt_actor(code, name, country, "", types)
    assert (actor.kind, actor.id) == ("country", country)


def test_no_province_or_state_of_the_fixtures_is_ever_an_official(gdelt_raw, icews_raw):
    places = fixture_places(gdelt_raw, icews_raw)
    several_words = [(p, c) for p, c in places if 2 <= len(p.split()) <= 5]
    assert len(several_words) > 200  # 'Uttar Pradesh', 'Nova Scotia', 'Provincia di Messina', "Brestskaya Oblast'"...
    for place, country in several_words:
        for types in (("GOV",), ("MIL",), ("LEG",), ("ELI",)):
            actor = gdelt_actor(f"{country}{types[0]}", place.upper(), country, "", types)
            assert (actor.kind, actor.id) == ("country", country), (place, types)
        actor = icews_actor(place, "Government,Executive", country)
        assert actor.kind != "official", place


def test_no_imported_official_is_named_like_a_place_or_a_group(imported, gdelt_raw, icews_raw):
    names = {p.casefold() for p, _ in fixture_places(gdelt_raw, icews_raw)}
    for column in ("City", "District", "Province", "Country"):
        names |= {v.casefold() for v in icews_raw[column].unique() if v != "NA"}
    group_words = {"troops", "soldiers", "militants", "rebels", "forces", "police", "government", "party"}
    officials = []
    for _, out in imported:
        entities = read_out(out, "entities")
        officials += entities.loc[entities["kind"] == "official", "name"].tolist()
    assert len(officials) > 200
    for name in officials:
        assert name.casefold() not in names, name
        assert not group_words & set(name.casefold().split()), name
    assert {"Sergey Lavrov", "Xi Jinping", "Michel Temer", "Lee Myung Bak"} <= set(officials)


def test_armed_groups_of_the_fixtures_are_never_a_country_or_an_official(gdelt_raw, icews_raw):
    seen = 0
    for n in (1, 2):
        columns = [f"Actor{n}{c}" for c in ("Code", "Name", "CountryCode", "KnownGroupCode")]
        types = [f"Actor{n}Type{k}Code" for k in (1, 2, 3)]
        for row in gdelt_raw[columns + types].drop_duplicates().itertuples(index=False):
            kinds = tuple(t for t in row[4:] if t)
            if ARMED_TYPES.intersection(kinds):
                seen += 1
                actor = gdelt_actor(*row[:4], kinds)
                assert actor.reason == "armed_group" or actor.kind == "organization", row
    assert seen >= 20  # REBEL, INSURGENCY, CRIMINAL, COLREB 'FARC', PSEREB 'HAMAS'...
    armed_sectors = ("Insurgents", "Rebel", "Criminals / Gangs", "Unidentified Forces")
    seen = 0
    for side in ("Source", "Target"):
        actors = icews_raw[[f"{side} Name", f"{side} Sectors", f"{side} Country"]].drop_duplicates()
        for name, sectors, country in actors.itertuples(index=False):
            if set(sectors.split(",")) & set(armed_sectors):
                seen += 1
                actor = icews_actor(name, sectors, country)
                assert actor.kind in ("", "organization"), (name, actor)
    assert seen >= 50
    assert icews_actor("Militant (India)", "Unidentified Forces", "India").reason == "armed_group"
    assert icews_actor("Taliban", "Insurgents,Sunni,Fundamentalist", "Afghanistan").id == "TALIBAN"
    assert icews_actor("Criminal (Al Qaeda)", "International Insurgents", "NA").id == "AL-QAEDA"


def test_every_cameo_known_group_is_an_organisation_with_its_own_id():
    groups = [(code, label) for code, label in lookup(KNOWN_GROUPS_FIXTURE) if code != "0"]
    assert len(groups) == 115
    ids = {}
    for code, label in groups:
        actor = gdelt_actor(f"X{code}", label.upper(), "", code, ())
        if code in NOT_GROUPS:
            continue
        assert actor.kind == "organization", (code, label, actor)
        assert re.fullmatch(ID_PATTERNS["organization"], actor.id) and actor.id not in ids, (code, actor.id)
        ids[actor.id] = code
    assert len(ids) == 113
    assert gdelt_actor("PSEREB", "GAZA", "PSE", "PSE", ("REB",)).id == "PSE"  # a place, not a group
    assert gdelt_actor("CMN", "COMMUNIST", "", "CMN", ()).reason == "no_country"  # an ideology, not a group


# -- no merge by acronym ----------------------------------------------------------------------------------


def icews_rows_named(icews_raw: pd.DataFrame, names: list[str]) -> list[str]:
    """Real ICEWS rows whose source is an IGO, with the source renamed, one per name."""
    template = icews_raw[icews_raw["Source Sectors"].str.contains("International Government Organization")]
    template = template[template["CAMEO Code"].str.startswith("04")].iloc[0]
    rows = ["\t".join(ICEWS_COLUMNS)]
    for i, name in enumerate(names):
        row = template.copy()
        row["Event ID"] = str(990000 + i)
        row["Source Name"] = name
        rows.append("\t".join(row[c] for c in ICEWS_COLUMNS))
    return rows


def test_icews_organisations_that_share_an_acronym_are_not_merged(tmp_path, icews_raw):
    names = [
        "World Trade Organization",
        "World Tourism Organization",
        "Refugees International",
        "Rotary International",
        "WTO",
    ]
    path = write_lines(tmp_path / "events.tab", icews_rows_named(icews_raw, names))
    run_import(ICEWS, [path], tmp_path / "out")
    ds = load_dataset(tmp_path / "out")
    parts = ds.participants.set_index("event")["entity"]
    entity_of = {name: set(parts.loc[f"icews-{990000 + i}"]) for i, name in enumerate(names)}
    orgs = ds.entities[ds.entities["kind"] == "organization"].set_index("id")["name"]
    source_org = {name: (ids & set(orgs.index)).pop() for name, ids in entity_of.items()}
    assert source_org["World Trade Organization"] == source_org["WTO"] == "WTO"
    assert orgs[source_org["World Tourism Organization"]] == "World Tourism Organization"
    assert source_org["World Tourism Organization"] != "WTO"
    assert source_org["Refugees International"] != source_org["Rotary International"]
    assert orgs[source_org["Refugees International"]] == "Refugees International"
    assert orgs[source_org["Rotary International"]] == "Rotary International"


# -- place names ------------------------------------------------------------------------------------------


def test_cameo_country_labels_resolve_to_their_code():
    rows = [(c, label) for c, label in lookup(COUNTRIES_FIXTURE) if iso3_from_cameo(c)]
    assert len(rows) > 220
    # Baghdad is a city; 'Columbia' and 'Runion' are CAMEO's own misspellings of Colombia and Réunion.
    unresolved = [(c, label) for c, label in rows if iso3_from_name(label) != iso3_from_cameo(c)]
    assert unresolved == [("BAG", "Baghdad"), ("COL", "Columbia"), ("REU", "Runion")]
    assert iso3_from_cameo("IMY") == "IMN" and iso3_from_cameo("MTN") == "MNE"


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Bahamas, The", "BHS"),
        ("Gambia, The", "GMB"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Korea, Republic of", "KOR"),
        ("Korea, South", "KOR"),
        ("Korea, North", "PRK"),
        ("Congo, Democratic Republic of the", "COD"),
        ("Congo (Kinshasa)", "COD"),
        ("Congo, Republic of the", "COG"),
        ("Holy See (Vatican City)", "VAT"),
        ("Falkland Islands (Islas Malvinas)", "FLK"),
        ("St. Kitts and Nevis", "KNA"),
        ("Micronesia, Federated States of", "FSM"),
        ("Palestinian Territory, Occupied", "PSE"),
        ("Occupied Palestinian Territory", "PSE"),
        ("Zaire", "COD"),
        ("Burma", "MMR"),
        ("Macau", "MAC"),
        ("Vietnam, Republic Of", "VNM"),
    ],
)
def test_gdelt_and_icews_country_forms_resolve(name, iso3):
    assert iso3_from_name(name) == iso3
    assert iso3_from_place(f"Somewhere, {name}") == iso3


def test_every_place_of_the_fixtures_resolves_to_a_country(gdelt_raw, icews_raw):
    for prefix in ("Actor1Geo", "Actor2Geo", "ActionGeo"):
        located = gdelt_raw[gdelt_raw[f"{prefix}_Type"] != "0"]
        unresolved = {full for full in located[f"{prefix}_FullName"] if not iso3_from_place(full)}
        assert unresolved == set(), prefix
    countries = set(icews_raw["Country"]) | set(icews_raw["Source Country"]) | set(icews_raw["Target Country"])
    assert {c for c in countries - {"NA"} if not iso3_from_name(c)} == set()


# -- the path as typed ------------------------------------------------------------------------------------


def test_a_57_field_file_gives_the_same_folder_whatever_path_it_is_given_by(tmp_path, monkeypatch, gdelt_raw):
    # The real 2.0 file as GDELT 1.0 wrote it before April 2013: no ADM2 codes, no SOURCEURL.
    old = gdelt_raw[list(GDELT1_COLUMNS)]
    (tmp_path / "in" / "sub").mkdir(parents=True)
    name = "20130301.export.CSV"
    write_lines(tmp_path / "in" / name, ["\t".join(r) for r in old.itertuples(index=False)])
    monkeypatch.chdir(tmp_path / "in")
    typings = [name, f"./{name}", str(tmp_path / "in" / name), f"sub/../{name}", os.path.relpath(name, "sub")]
    outs = []
    for i, typed in enumerate(typings):
        out = tmp_path / f"out{i}"
        if typed.startswith(".."):
            monkeypatch.chdir(tmp_path / "in" / "sub")
        report = run_import(GDELT, [typed], out)
        monkeypatch.chdir(tmp_path / "in")
        assert report.files[0][1] == "GDELT 1.0 (no SOURCEURL)" and report.imported > 300
        outs.append(folder_bytes(out))
    assert all(o == outs[0] for o in outs[1:])
    sources = read_out(tmp_path / "out0", "sources")
    assert sources["title"].tolist() == [f"GDELT event file {name}"]
    assert str(tmp_path) not in outs[0]["sources.csv"].decode()


def test_a_zipped_57_field_file_is_cited_by_archive_and_member_name(tmp_path, monkeypatch, gdelt_raw):
    old = gdelt_raw[list(GDELT1_COLUMNS)].head(200)
    member = tmp_path / "20130301.export.CSV"
    write_lines(member, ["\t".join(r) for r in old.itertuples(index=False)])
    with zipfile.ZipFile(tmp_path / "20130301.export.CSV.zip", "w") as z:
        z.write(member, member.name)
    monkeypatch.chdir(tmp_path)
    run_import(GDELT, ["20130301.export.CSV.zip"], tmp_path / "a")
    run_import(GDELT, [str(tmp_path / "20130301.export.CSV.zip")], tmp_path / "b")
    assert folder_bytes(tmp_path / "a") == folder_bytes(tmp_path / "b")
    title = read_out(tmp_path / "a", "sources")["title"].tolist()
    assert title == ["GDELT event file 20130301.export.CSV.zip:20130301.export.CSV"]


# -- misdated rows ----------------------------------------------------------------------------------------


def test_misdated_rows_are_counted_and_kept(imported, gdelt_raw):
    (report, out), _ = imported
    event = pd.to_datetime(gdelt_raw["SQLDATE"], format="%Y%m%d")
    added = pd.to_datetime(gdelt_raw["DATEADDED"].str[:8], format="%Y%m%d")
    early = (added - event) >= pd.Timedelta(days=MISDATED_DAYS)
    # The whole file: 40 of 1,540 rows (2.6%), a week, a month or a year before the file.
    assert int(early.sum()) == 40
    assert sorted((added - event)[early].dt.days.unique()) == [7, 30, 365]
    events = read_out(out, "events").set_index("id")
    raw = gdelt_raw.assign(id="gdelt-" + gdelt_raw["GLOBALEVENTID"]).set_index("id")
    kept_early = early.set_axis(raw.index).loc[events.index]
    assert report.misdated == int(kept_early.sum()) > 20
    # Kept with GDELT's date, and reported.
    first = kept_early[kept_early].index[0]
    assert events.loc[first, "start"] == dt.datetime.strptime(raw.loc[first, "SQLDATE"], "%Y%m%d").date().isoformat()
    summary = "\n".join(report.summary_lines())
    assert f"warning: {report.misdated} events are dated a week or more before the day GDELT added them" in summary
    assert report.as_dict()["misdated"] == report.misdated


def test_icews_counts_no_misdated_rows(imported):
    _, (report, _) = imported
    assert report.misdated == 0
    assert "dated a week or more" not in "\n".join(report.summary_lines())


# -- Mentions and GKG files --------------------------------------------------------------------------------


def mentions_lines(gdelt_raw: pd.DataFrame) -> list[str]:
    """GDELT 2.0 Mentions rows (16 fields) for the fixture's first events, as GDELT writes them."""
    lines = []
    for r in gdelt_raw.head(5).itertuples(index=False):
        fields = [r.GLOBALEVENTID, r.DATEADDED, r.DATEADDED, "1", "example.org", r.SOURCEURL, "3"]
        fields += ["-1", "120", "80", "1", "50", "2400", r.AvgTone, "", ""]
        lines.append("\t".join(fields))
    return lines


def gkg_lines(gdelt_raw: pd.DataFrame) -> list[str]:
    """GDELT 2.1 GKG rows (27 fields) for the fixture's first articles."""
    lines = []
    for i, r in enumerate(gdelt_raw.head(5).itertuples(index=False)):
        fields = [f"{r.DATEADDED}-{i}", r.DATEADDED, "1", "example.org", r.SOURCEURL] + [""] * 22
        lines.append("\t".join(fields))
    return lines


GKG1_HEADER = (
    "DATE\tNUMARTS\tCOUNTS\tTHEMES\tLOCATIONS\tPERSONS\tORGANIZATIONS\tTONE\tCAMEOEVENTIDS\tSOURCES\tSOURCEURLS"
)


@pytest.mark.parametrize(
    ("file_name", "make", "named"),
    [
        ("20180326044500.mentions.CSV", mentions_lines, "GDELT 2.0 Mentions file (16 columns"),
        ("20180326044500.gkg.csv", gkg_lines, "GDELT 2.x Global Knowledge Graph (GKG) file (27 columns"),
        ("20180326.gkg.csv", lambda raw: [GKG1_HEADER], "GDELT 1.0 Global Knowledge Graph (GKG) file (11 columns"),
    ],
)
def test_mentions_and_gkg_files_are_named_in_the_error(tmp_path, gdelt_raw, file_name, make, named):
    path = write_lines(tmp_path / file_name, make(gdelt_raw))
    with pytest.raises(InputError, match="import the matching export file") as err:
        run_import(GDELT, [path], tmp_path / "out")
    assert named in str(err.value) and str(path) in str(err.value)
    # Through the CLI, zipped as GDELT publishes it: one line, exit 1, nothing written.
    archive = tmp_path / f"{file_name}.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(path, path.name)
    result = CliRunner().invoke(cli, ["import", "gdelt", str(archive), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "not an event file" in lines[0]
    assert not (tmp_path / "out").exists()


def test_an_export_file_is_still_read_whatever_its_name(tmp_path):
    # Only the content decides: a real export file renamed like a Mentions file is imported.
    path = tmp_path / "20180326044500.mentions.CSV"
    path.write_bytes(fixture(GDELT2_FIXTURE).read_bytes())
    report = run_import(GDELT, [path], tmp_path / "out")
    assert report.rows_read == 1540 and report.imported > 300
