"""The pure mapping functions of the importers: countries, CAMEO codes, actors, CSV encoding, and their docs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyarrow as pa
import pytest

from explorer import schema
from explorer.importers import IMPORTERS, cameo
from explorer.importers.actors import SKIP_REASONS, gdelt_actor, icews_actor, looks_like_person, person_name, slugify
from explorer.importers.countries import country_name, iso3_from_cameo, iso3_from_name, iso3_from_place
from explorer.importers.pipeline import FILTER_REASONS
from explorer.importers.writer import encode_csv
from explorer.loader import ID_PATTERNS, ISO3_CODES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "importers.md"


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        ("RUS", "RUS"),
        ("CHN", "CHN"),
        ("ROM", "ROU"),
        ("TMP", "TLS"),
        ("KOS", "XKX"),
        ("WSB", "PSE"),
        ("AFR", None),
        ("EUR", None),
        ("WST", None),
        ("", None),
        ("rus", "RUS"),
    ],
)
def test_cameo_country_codes(code, iso3):
    assert iso3_from_cameo(code) == iso3


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Russian Federation", "RUS"),
        ("United States", "USA"),
        ("Occupied Palestinian Territory", "PSE"),
        ("Turkey", "TUR"),
        ("the former Yugoslav Republic of Macedonia", "MKD"),
        ("Democratic Republic of Congo", "COD"),
        ("Swaziland", "SWZ"),
        ("Holy See", "VAT"),
        ("Cote d'Ivoire", "CIV"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Iran", "IRN"),
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("NA", None),
        ("", None),
        ("Atlantis", None),
    ],
)
def test_country_names(name, iso3):
    assert iso3_from_name(name) == iso3


@pytest.mark.parametrize(
    ("place", "iso3"),
    [
        ("Toronto, Ontario, Canada", "CAN"),
        ("South Africa", "ZAF"),
        ("Moscow, Moskva, Russia", "RUS"),
        ("Seoul, Soul-t'ukpyolsi, Korea, Republic Of", "KOR"),
        ("Gaza Strip", "PSE"),
        ("", None),
    ],
)
def test_gdelt_place_names(place, iso3):
    assert iso3_from_place(place) == iso3


def test_every_mapped_code_is_a_valid_country_id():
    for iso3 in {*cameo_codes(), *(c for c in ISO3_CODES)}:
        assert iso3 in ISO3_CODES
        assert country_name(iso3)


def cameo_codes():
    from explorer.importers.countries import CAMEO_CODES, NAME_ALIASES

    return [*CAMEO_CODES.values(), *NAME_ALIASES.values()]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("040", "consultation"),
        ("041", "call"),
        ("042", "visit"),
        ("043", "visit"),
        ("044", "meeting"),
        ("046", "meeting"),
        ("0461", "meeting"),
        ("050", "meeting"),
        ("051", "announcement"),
        ("057", "meeting"),
        ("125", "announcement"),
        ("161", "announcement"),
        ("190", "announcement"),
    ],
)
def test_event_kinds(code, kind):
    assert cameo.event_kind(code) == kind
    assert kind in schema.EVENT_KINDS


def test_codebook_codes_are_strings_with_leading_zeros():
    assert all(len(c) in (2, 3, 4) and c.isdigit() for c in cameo.EVENT_CODES)
    assert cameo.EVENT_CODES["04"] == "Consult" and cameo.EVENT_CODES["042"] == "Make a visit"
    assert cameo.EVENT_CODES["106"] == "Demand withdrawal"
    assert cameo.EVENT_CODES["044"] == 'Meet at a "third" location'
    assert set(cameo.DEFAULT_SELECTION) <= set(cameo.EVENT_CODES)
    assert len([c for c in cameo.EVENT_CODES if len(c) == 2]) == 20


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (None, cameo.DEFAULT_SELECTION),
        ("default", cameo.DEFAULT_SELECTION),
        ("04,057", ("04", "057")),
        ("04 05 04", ("04", "05")),
    ],
)
def test_cameo_selection(text, codes):
    assert cameo.parse_selection(text) == codes


def test_igo_ids_are_valid_organization_ids():
    import re

    ids = [igo.id for igo in cameo.IGOS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(ID_PATTERNS["organization"], i) for i in ids)


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Sergey Viktorovich Lavrov", True),
        ("Kim Jong-Un", True),
        ("VLADIMIR PUTIN", True),
        ("Wang Yi", True),
        ("Police (India)", False),
        ("United States", False),
        ("THE WHITE HOUSE", False),
        ("PRIME MINISTER", False),
        ("Bharatiya Janata Party", False),
        ("Lok Sabha", False),
        ("Russia", False),
        ("Hamas", False),
    ],
)
def test_person_names(name, person):
    assert looks_like_person(name) is person


def test_officials_get_slug_ids_and_clean_names():
    a = icews_actor("Sergey Viktorovich Lavrov", "Government,Foreign Ministry", "Russian Federation")
    assert (a.id, a.kind, a.name, a.country) == ("sergey-lavrov", "official", "Sergey Lavrov", "RUS")
    assert person_name("KIM JONG-UN") == "Kim Jong-Un"
    assert slugify("Recep Tayyip Erdoğan") == "recep-tayyip-erdogan"
    import re

    assert re.fullmatch(ID_PATTERNS["official"], slugify("Jean-Claude  Juncker!"))


def test_actors_without_an_entity_say_why():
    assert gdelt_actor("", "", "", "").reason == "no_actor"
    assert gdelt_actor("BUS", "COMPANY", "", "", ("BUS",)).reason == "no_country"
    assert gdelt_actor("AFR", "AFRICA", "AFR", "").reason == "region"
    assert icews_actor("X (Y)", "Government", "Wakanda").reason == "unknown_country"
    assert set(SKIP_REASONS) >= {"no_actor", "no_country", "region", "unknown_country", "generic_igo"}


def test_encode_csv_reads_back_with_the_csv_module():
    values = ["plain", "comma, inside", 'quote " inside', "line\nbreak", '"both", quoted', ""]
    values += ["ünïcode – dash", "semi;colon"]
    table = pa.table({"a": values, "b": list(reversed(values))})
    text = encode_csv(table, ["a", "b"]).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["a", "b"], *map(list, zip(values, reversed(values)))]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    assert buf.getvalue() == text
    # A lone carriage return is quoted too (csv.writer with LF endings would not), so no reader takes it
    # for the end of a line.
    text = encode_csv(pa.table({"a": ["cr\ronly", "x"]}), ["a"]).decode("utf-8")
    assert text == 'a\n"cr\ronly"\nx\n'
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a"], ["cr\ronly"], ["x"]]


def test_docs_describe_every_importer_option_and_reason():
    if not DOCS.is_file():
        pytest.fail(f"{DOCS} is missing")
    text = DOCS.read_text(encoding="utf-8")
    from explorer.cli import cli

    group = cli.commands["import"]
    for name in IMPORTERS:
        assert f"explorer import {name}" in text
        for param in group.commands[name].params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in text, f"{opt} of 'import {name}' is not documented"
    for code in cameo.DEFAULT_SELECTION:
        assert f"`{code}`" in text
    for code, kind in cameo.KIND_RULES.items():
        assert f"`{code}`" in text and kind in text
    for reason in [*SKIP_REASONS, *FILTER_REASONS]:
        assert f"`{reason}`" in text, f"reason {reason} is not documented"
