"""Importer hardening: every id and value an import writes validates, hostile fields never crash it,
its summary is safe to print, and single-actor events are kept where a user can find them."""

from __future__ import annotations

import re
import zipfile

import pytest
from click.testing import CliRunner
from conftest_import import (
    GDELT2_FIXTURE,
    fixture,
    gdelt_row,
    icews_row,
    read_out,
    small_icews_rows,
    write_lines,
)

from explorer.cli import cli
from explorer.details import node_details
from explorer.graph import build_graph
from explorer.importers import IMPORTERS, run_import
from explorer.loader import ID_PATTERNS, load_dataset
from explorer.pipeline import apply_view
from explorer.viewstate import ViewState

GDELT = IMPORTERS["gdelt"]
ICEWS = IMPORTERS["icews"]
UNSAFE_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _import(fmt, tmp_path, lines: list[str] | list[bytes], name: str = "events.CSV"):
    src = tmp_path / name
    data = [line.encode() if isinstance(line, str) else line for line in lines]
    src.write_bytes(b"\n".join(data) + b"\n")
    out = tmp_path / "out"
    report = run_import(fmt, [src], out)
    return report, out, load_dataset(out)  # load_dataset raises DataError when the folder is invalid


def _igo(code: str, name: str = "SOME GROUP", **values) -> str:
    return gdelt_row(
        Actor1Code="IGO" + code[:3],
        Actor1Name=name,
        Actor1CountryCode="",
        Actor1KnownGroupCode=code,
        Actor1Type1Code="IGO",
        **values,
    )


# -- ids and values -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["-2874", "eec", "1", "a b", "USA", "Ëëc/asean+3", "X" * 30, "--"])
def test_gdelt_group_codes_become_valid_organization_ids(tmp_path, code):
    report, _, ds = _import(GDELT, tmp_path, [_igo(code)])
    assert report.imported == 1
    orgs = ds.entities[ds.entities["kind"] == "organization"]
    assert len(orgs) == 1
    assert all(re.fullmatch(ID_PATTERNS["organization"], i) for i in orgs["id"])
    assert not set(orgs["id"]) & set(ds.entities[ds.entities["kind"] == "country"]["id"])


def test_gdelt_lower_case_group_code_is_the_known_organisation(tmp_path):
    _, _, ds = _import(GDELT, tmp_path, [_igo("eec", "EUROPEAN UNION")])
    assert "EU" in set(ds.entities["id"])


def test_gdelt_nameless_group_is_named_by_its_id(tmp_path):
    _, _, ds = _import(GDELT, tmp_path, [_igo("ZZQ", name="")])
    org = ds.entities.set_index("id").loc["ZZQ"]
    assert org["kind"] == "organization" and org["name"] == "ZZQ"


def test_icews_organisation_named_with_digits_gets_a_valid_id(tmp_path):
    lines = [
        small_icews_rows()[0],
        icews_row(Source_Name="123abc", Source_Sectors="International Government Organization", Source_Country="NA"),
    ]
    _, _, ds = _import(ICEWS, tmp_path, lines, "events.tab")
    orgs = ds.entities[ds.entities["kind"] == "organization"]
    assert list(orgs["id"]) == ["ORG-123ABC"] and list(orgs["name"]) == ["123abc"]


def test_unit_separator_in_an_actor_field_does_not_crash(tmp_path):
    # The importer used to join an actor's fields with \x1f to cache them, and split them apart again.
    report, _, ds = _import(GDELT, tmp_path, [gdelt_row(Actor1Type2Code="\x1f", Actor2Name="RUS\x1fSIA")])
    assert report.imported == 1
    assert set(ds.participants["entity"]) == {"USA", "RUS"}


def test_control_characters_never_reach_names_or_titles(tmp_path):
    line = gdelt_row(
        Actor1Code="RUSGOV",
        Actor1Name="SERGEY\x1b LAVROV\x07",
        Actor1CountryCode="RUS",
        ActionGeo_FullName="Moscow\x00, Russia",
    )
    _, out, ds = _import(GDELT, tmp_path, [line])
    assert "sergey-lavrov" in set(ds.entities["id"])
    for name in ("entities", "events", "sources", "participants"):
        text = (out / f"{name}.csv").read_text(encoding="utf-8")
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), name


def test_a_short_line_with_bytes_that_are_not_utf8_is_skipped_not_fatal(tmp_path):
    # pyarrow failed the whole file when a line with the wrong field count was not UTF-8.
    good = gdelt_row()
    bad = b"101\t20180326\t\xc3(\xff short line"
    report, _, ds = _import(GDELT, tmp_path, [good, bad, gdelt_row(GLOBALEVENTID="102")])
    assert report.imported == 2 and report.skipped["malformed"] == 1
    assert report.problems[0].line == 2 and "\ufffd" in report.problems[0].value


@pytest.mark.parametrize("date", ["00000101", "00001231"])
def test_year_zero_is_a_malformed_date(tmp_path, date):
    report, _, ds = _import(GDELT, tmp_path, [gdelt_row(), gdelt_row(GLOBALEVENTID="101", SQLDATE=date)])
    assert report.imported == 1 and report.skipped["malformed"] == 1
    assert "is not a valid date" in str(report.problems[0])


def test_icews_year_zero_is_a_malformed_date(tmp_path):
    lines = [small_icews_rows()[0], icews_row(), icews_row(Event_ID="9002", Event_Date="0000-06-01")]
    report, _, ds = _import(ICEWS, tmp_path, lines, "events.tab")
    assert report.imported == 1 and report.skipped["malformed"] == 1


@pytest.mark.parametrize("added", ["20181399044500", "00000101000000", "2018", "x"])
def test_gdelt_bad_dateadded_gives_no_published_date(tmp_path, added):
    _, _, ds = _import(GDELT, tmp_path, [gdelt_row(DATEADDED=added)])
    assert list(ds.sources["published"]) == [""]


@pytest.mark.parametrize("url", [" ", "\u2028", "\x1f"])
def test_gdelt_blank_source_url_cites_the_file(tmp_path, url):
    _, _, ds = _import(GDELT, tmp_path, [gdelt_row(SOURCEURL=url)])
    assert ds.sources["title"].str.startswith("GDELT event file ").all()


# -- what the command line prints ---------------------------------------------------------------


def test_import_summary_and_warnings_are_safe_to_print(tmp_path):
    src = write_lines(tmp_path / "events.CSV", [gdelt_row(), gdelt_row(GLOBALEVENTID="1\x1b[2J")])
    out = tmp_path / "out\x1b]0;pwned\x07"
    result = CliRunner().invoke(cli, ["import", "gdelt", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (result.stdout + result.stderr).replace("\n", "")
    assert not UNSAFE_TERMINAL.search(text), repr(text)
    assert "out\\x1b]0;pwned\\x07" in result.stdout


# -- single-actor events ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_gdelt(tmp_path_factory):
    out = tmp_path_factory.mktemp("single") / "out"
    report = run_import(GDELT, [fixture(GDELT2_FIXTURE)], out)
    return report, out


def test_single_actor_events_are_kept_and_counted(real_gdelt):
    report, out = real_gdelt
    events, parts = read_out(out, "events"), read_out(out, "participants")
    per_event = parts.groupby("event")["entity"].nunique()
    single = set(per_event[per_event == 1].index)
    # 274: one more than before armed groups were dropped (COLREB 'FARC' is no longer Colombia).
    assert len(single) == report.single_actor == 274
    assert set(events["id"]) == set(per_event.index)  # none without a participant, none lost
    assert "single actor: 274 events" in "\n".join(report.summary_lines())


def test_single_actor_events_show_in_their_entitys_details(real_gdelt):
    _, out = real_gdelt
    ds = load_dataset(out)
    G = build_graph(ds)
    parts = ds.participants
    usa_events = set(parts.loc[parts["entity"] == "USA", "event"])
    solo = usa_events - set(parts.loc[parts["entity"] != "USA", "event"])
    assert len(solo) > 50
    state = ViewState(date_from="2017-03-26", date_to="2018-03-26")
    for level in ("officials", "countries"):
        view = apply_view(G, ViewState(**{**state.to_dict(), "level": level}))
        shown = {e["id"] for e in node_details(G, view, "USA")["events"]}
        assert solo <= shown, level
    # An entity whose every event has it alone is in no view, but its details list them.
    alone = [n for n in G if G.degree(n) == 0 and n in set(parts["entity"])]
    assert alone
    details = node_details(G, apply_view(G, state), alone[0])
    assert {e["id"] for e in details["events"]} == set(parts.loc[parts["entity"] == alone[0], "event"])


def test_an_error_naming_a_zip_member_is_safe_to_print(tmp_path):
    archive = tmp_path / "events.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("\x1b]0;pwned\x07.CSV", "not\tan\tevent\tfile\n")
    result = CliRunner().invoke(cli, ["import", "gdelt", str(archive), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "not a GDELT event file" in result.stderr and "\\x1b]0;pwned\\x07" in result.stderr
    assert not UNSAFE_TERMINAL.search(result.stderr.replace("\n", ""))
