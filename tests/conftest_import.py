"""Helpers of the importer tests: where the real fixtures are, and small event files in each format.

Not a pytest conftest: the importer tests import it by name.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from explorer.importers.gdelt import GDELT1_COLUMNS, GDELT1_URL_COLUMNS, GDELT2_COLUMNS
from explorer.importers.icews import ICEWS_COLUMNS

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
GDELT2_FIXTURE = FIXTURES / "gdelt2-20180326" / "20180326044500.export.CSV"
ICEWS_FIXTURE = FIXTURES / "icews-2018-sample" / "events.2018.sample.tab"
FILES = ("entities.csv", "affiliations.csv", "events.csv", "participants.csv", "sources.csv")


def fixture(path: Path) -> Path:
    """A real fixture file, or a skip saying where it was looked for."""
    if not path.is_file():
        pytest.skip(f"real event fixtures not found at {path} (they live in ../shared/fixtures beside the repo)")
    return path


def read_raw(path: Path, header: bool = False) -> pd.DataFrame:
    """An event file read independently of the importer: every field a string, no quoting, no NA parsing."""
    return pd.read_csv(
        path,
        sep="\t",
        header=0 if header else None,
        dtype=str,
        keep_default_na=False,
        quoting=csv.QUOTE_NONE,
        encoding="utf-8",
    )


def read_out(folder: Path, name: str) -> pd.DataFrame:
    """A file of an output folder, every value a string."""
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def gdelt_row(columns: tuple[str, ...] = GDELT2_COLUMNS, **values: str) -> str:
    """One GDELT line of the given layout: sensible defaults (a USA-RUS visit), overridden by ``values``."""
    row = dict.fromkeys(columns, "")
    row.update(
        {
            "GLOBALEVENTID": "100",
            "SQLDATE": "20180326",
            "MonthYear": "201803",
            "Year": "2018",
            "FractionDate": "2018.2274",
            "Actor1Code": "USAGOV",
            "Actor1Name": "UNITED STATES",
            "Actor1CountryCode": "USA",
            "Actor1Type1Code": "GOV",
            "Actor2Code": "RUS",
            "Actor2Name": "RUSSIA",
            "Actor2CountryCode": "RUS",
            "IsRootEvent": "1",
            "EventCode": "042",
            "EventBaseCode": "042",
            "EventRootCode": "04",
            "QuadClass": "1",
            "GoldsteinScale": "1.9",
            "NumMentions": "4",
            "NumSources": "2",
            "NumArticles": "4",
            "AvgTone": "-1.5",
            "ActionGeo_Type": "4",
            "ActionGeo_FullName": "Moscow, Moskva, Russia",
            "ActionGeo_CountryCode": "RS",
            "DATEADDED": "20180326044500",
            "SOURCEURL": "https://example.org/news/talks-in-moscow",
        }
    )
    if "SOURCEURL" not in columns:
        row.pop("SOURCEURL")
        row["DATEADDED"] = "20180326"
    for key, value in values.items():
        assert key in row, f"{key} is not a column of this layout"
        row[key] = value
    return "\t".join(row[c] for c in columns)


GDELT_LAYOUTS = {"2.0": GDELT2_COLUMNS, "1.0": GDELT1_URL_COLUMNS, "1.0-57": GDELT1_COLUMNS}


def small_gdelt_rows(columns: tuple[str, ...] = GDELT2_COLUMNS) -> list[str]:
    """Six lines covering the cases: a dyad, a person, an IGO, an empty actor, a sector-only actor, a code
    outside the default selection."""
    return [
        gdelt_row(columns),
        gdelt_row(
            columns,
            GLOBALEVENTID="101",
            EventCode="043",
            EventBaseCode="043",
            Actor1Code="RUSGOV",
            Actor1Name="SERGEY LAVROV",
            Actor1CountryCode="RUS",
            Actor2Code="CHN",
            Actor2Name="CHINA",
            Actor2CountryCode="CHN",
            NumSources="1",
        ),
        gdelt_row(columns, GLOBALEVENTID="102", EventCode="0311", EventBaseCode="031", EventRootCode="03"),
        gdelt_row(
            columns,
            GLOBALEVENTID="103",
            Actor1Code="IGOEUREEC",
            Actor1Name="EUROPEAN UNION",
            Actor1CountryCode="EUR",
            Actor1KnownGroupCode="EEC",
            Actor1Type1Code="IGO",
            Actor2Code="",
            Actor2Name="",
            Actor2CountryCode="",
            EventCode="057",
            EventBaseCode="057",
            EventRootCode="05",
        ),
        gdelt_row(
            columns,
            GLOBALEVENTID="104",
            Actor1Code="",
            Actor1Name="",
            Actor1CountryCode="",
            Actor1Type1Code="",
            Actor2Code="",
            Actor2Name="",
            Actor2CountryCode="",
        ),
        gdelt_row(
            columns,
            GLOBALEVENTID="105",
            Actor1Code="GOV",
            Actor1Name="PRESIDENT",
            Actor1CountryCode="",
            Actor2Code="",
            Actor2Name="",
            Actor2CountryCode="",
            SQLDATE="20180327",
        ),
    ]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def icews_row(**values: str) -> str:
    """One ICEWS line: defaults (Lavrov meets Wang Yi), overridden by keyword names with '_' for ' '."""
    row = {
        "Event ID": "9001",
        "Event Date": "2018-06-01",
        "Source Name": "Sergey Viktorovich Lavrov",
        "Source Sectors": "Government,Cabinet,Executive,Foreign Ministry",
        "Source Country": "Russian Federation",
        "Event Text": "Make a visit",
        "CAMEO Code": "042",
        "Intensity": "1.9",
        "Target Name": "Wang Yi",
        "Target Sectors": "Government,Executive,Foreign Ministry",
        "Target Country": "China",
        "Story ID": "123",
        "Sentence Number": "2",
        "Publisher": "Xinhua",
        "City": "Beijing",
        "District": "NA",
        "Province": "Beijing",
        "Country": "China",
        "Latitude": "39.9",
        "Longitude": "116.4",
    }
    for key, value in values.items():
        name = key.replace("_", " ")
        assert name in row, f"{name} is not an ICEWS column"
        row[name] = value
    return "\t".join(row[c] for c in ICEWS_COLUMNS)


ICEWS_HEADER = "\t".join(ICEWS_COLUMNS)


def small_icews_rows() -> list[str]:
    return [
        ICEWS_HEADER,
        icews_row(),
        icews_row(
            Event_ID="9002",
            Source_Name="NA",
            Source_Sectors="NA",
            Source_Country="NA",
            Target_Name="NA",
            Target_Sectors="NA",
            Target_Country="NA",
        ),
        icews_row(
            Event_ID="9003",
            Source_Name="Police (India)",
            Source_Sectors="Police,Government",
            Source_Country="India",
            Target_Name="Citizen (India)",
            Target_Sectors="NA",
            Target_Country="India",
            CAMEO_Code="0234",
            Event_Text="Appeal for military protection",
        ),
        icews_row(
            Event_ID="9004",
            Source_Name="European Union",
            Source_Sectors="International Government Organization,Regional Diplomatic IGOs",
            Source_Country="NA",
            Target_Name="Turkey",
            Target_Sectors="NA",
            Target_Country="Turkey",
            CAMEO_Code="051",
            Event_Text="Praise or endorse",
            Publisher="NA",
            City="NA",
            Province="NA",
            Country="NA",
        ),
    ]
