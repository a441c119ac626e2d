"""Shared fixtures: the bundled dataset (loaded once) and tiny hand-written data folders."""

from __future__ import annotations

import csv
import socket
from pathlib import Path

import pytest

from explorer import build_graph, bundled_data_dir, load_dataset
from explorer.schema import FILES

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures"


def free_port() -> int:
    """A port on 127.0.0.1 that the OS says is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _dash_port_of_its_own():
    """Each browser test's server on a port the OS says is free.

    dash.testing numbers ports from a fixed 58050, so two test runs on one machine (CI beside a
    developer, or two checkouts) would start servers on the same ports, and a browser could test
    the other run's app.
    """
    try:
        from dash.testing.application_runners import BaseDashRunner
    except ImportError:  # the test extra is not installed: no browser tests either
        yield
        return
    BaseDashRunner._next_port = free_port()
    yield


@pytest.fixture(scope="session")
def bundled():
    return load_dataset(bundled_data_dir())


@pytest.fixture(scope="session")
def bundled_graph(bundled):
    return build_graph(bundled)


TINY = {
    "entities": [
        {"id": "CHN", "kind": "country", "name": "China", "iso3": "CHN"},
        {"id": "RUS", "kind": "country", "name": "Russia", "iso3": "RUS"},
        {"id": "EGY", "kind": "country", "name": "Egypt", "iso3": "EGY"},
        {"id": "BRICS", "kind": "organization", "name": "BRICS"},
        {"id": "ma-zhaoxu", "kind": "official", "name": "Ma Zhaoxu", "aliases": "马朝旭", "country": "CHN"},
        {
            "id": "sergey-lavrov",
            "kind": "official",
            "name": "Sergey Lavrov",
            "aliases": "Sergei Lavrov",
            "country": "RUS",
        },
    ],
    "affiliations": [
        {
            "source": "ma-zhaoxu",
            "target": "CHN",
            "kind": "office",
            "title": "Vice Minister",
            "start": "2023-01",
            "start_precision": "month",
            "status": "confirmed",
            "confidence": "high",
            "sources": "S1",
        },
        {
            "source": "sergey-lavrov",
            "target": "RUS",
            "kind": "office",
            "title": "Minister of Foreign Affairs",
            "start": "2004-03-09",
            "start_precision": "day",
            "status": "confirmed",
            "confidence": "high",
            "sources": "S1",
        },
        {
            "source": "CHN",
            "target": "BRICS",
            "kind": "founding_member",
            "start": "2006-09-20",
            "start_precision": "day",
            "status": "confirmed",
            "confidence": "high",
            "sources": "S1",
        },
        {
            "source": "EGY",
            "target": "BRICS",
            "kind": "invited",
            "start": "2023-08-24",
            "end": "2023-12-31",
            "start_precision": "day",
            "end_precision": "day",
            "status": "confirmed",
            "confidence": "high",
            "sources": "S1",
        },
        {
            "source": "EGY",
            "target": "BRICS",
            "kind": "member",
            "start": "2024-01-01",
            "start_precision": "day",
            "status": "confirmed",
            "confidence": "high",
            "sources": "S1;S2",
        },
    ],
    "events": [
        {
            "id": "e1",
            "kind": "meeting",
            "title": "Ma meets Lavrov",
            "start": "2024-01-30",
            "precision": "day",
            "place": "Moscow",
            "place_country": "RUS",
            "topics": "Ukraine:discussed;Middle East:agreed",
            "confidence": "high",
            "sources": "S1",
        },
    ],
    "participants": [
        {"event": "e1", "entity": "ma-zhaoxu", "role": "guest"},
        {"event": "e1", "entity": "sergey-lavrov", "role": "host"},
    ],
    "sources": [
        {
            "id": "S1",
            "title": "Lavrov meets Ma",
            "publisher": "TASS",
            "url": "https://tass.com/politics/1739305",
            "published": "2024-01-30",
            "reliability": "high",
        },
        {
            "id": "S2",
            "title": "Egypt joins",
            "publisher": "AP",
            "url": "https://apnews.com/x",
            "published": "2024-01",
            "reliability": "high",
        },
    ],
}


def write_dataset(folder: Path, tables: dict[str, list[dict]] | None = None) -> Path:
    """Write a data folder from row dicts (missing columns are empty)."""
    tables = {**TINY, **(tables or {})}
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in FILES.items():
        rows = tables[name]
        with open(folder / spec.name, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(spec.columns), lineterminator="\n")
            w.writeheader()
            for row in rows:
                w.writerow({c: row.get(c, "") for c in spec.columns})
    return folder


@pytest.fixture
def tiny(tmp_path) -> Path:
    return write_dataset(tmp_path / "data")
