"""The import's fast paths give what their plain definitions give.

- A plain file is cut into pieces at line breaks, read straight into buffers: the pieces put back
  together are the file (bytes that are not UTF-8 made U+FFFD), whatever the piece size.
- A GDELT source's site and last path segment are found with splits, not with the regular
  expression that defines them: both agree on the real fixture's URLs and on made-up ones.
"""

from __future__ import annotations

import random
import re

import pyarrow as pa
import pytest
from conftest_import import GDELT2_FIXTURE, fixture, read_raw

from explorer.importers.gdelt import _describe_sources, _url_parts
from explorer.importers.reader import InputFile, _chunks

# What a source URL is, and its parts: the definition the splits must follow.
URL_PARTS = re.compile(
    r"https?://(?:www\.)?(?P<host>[^/?#:]+)[^/?#]*(?:/(?:[^?#]*/)?(?P<segment>[^/?#]+))?/?(?:[?#].*)?"
)


def _reference(url: str) -> tuple[bool, str, str]:
    m = URL_PARTS.fullmatch(url)
    return (True, m["host"], m["segment"] or "") if m else (False, "", "")


def _made_up_urls(n: int) -> list[str]:
    rng = random.Random(11)
    starts = [
        "http://",
        "https://",
        "http://www.",
        "https://www.",
        "https://www.www.",
        "HTTP://",
        "ftp://",
        "file:",
        "",
    ]
    pieces = list("/?#:.-_+wxA") + ["é", "www.", "//", "http://", " ", "\r", ".html", ".PHP", "abc", "%2F"]
    urls = [rng.choice(starts) + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14))) for _ in range(n)]
    return urls + [
        "https://host//",
        "https://host/a//",
        "https://www./x",
        "http://www",
        "https://h:80/a/b/?q#f",
        "https://h/a/b/",
        "https://h/",
        "https://h",
        "https:///a",
        "https://:80/a",
        "BBC Monitoring",
        "",
    ]


def _check(urls: list[str]) -> None:
    is_url, host, segment = (a.to_pylist() for a in _url_parts(pa.array(urls, pa.string())))
    for url, got in zip(urls, zip(is_url, host, segment)):
        want = _reference(url)
        assert got[0] == want[0], url
        if want[0]:
            assert got[1:] == want[1:], url


def test_url_parts_follow_the_url_pattern_on_the_fixtures_urls():
    urls = sorted(set(read_raw(fixture(GDELT2_FIXTURE))[60]))
    assert len(urls) > 100
    _check(urls)


def test_url_parts_follow_the_url_pattern_on_made_up_urls():
    _check(_made_up_urls(20000))


def test_source_titles_name_the_site_and_the_articles_words():
    keys = pa.array(
        [
            "https://www.Example.org/news/2018/Talks-in_Moscow+today.SHTML?id=3",
            "https://example.org/2018/03/26/",
            "http://site.ru/a--b__c.php.x",
            "BBC Monitoring",
            "file:20130401.export.CSV",
        ]
    )
    table = _describe_sources(keys, pa.array(list("abcde")), pa.array(["2018-03-26"] * 5))
    assert table.column("title").to_pylist() == [
        "example.org: Talks in Moscow today",
        "example.org",
        "site.ru: a b c.php.x",
        "BBC Monitoring",
        "GDELT event file 20130401.export.CSV",
    ]
    assert table.column("publisher").to_pylist()[:4] == ["example.org", "example.org", "site.ru", "BBC Monitoring"]
    assert table.column("published").to_pylist() == ["2018-03-26"] * 4 + [""]


@pytest.mark.parametrize("block_size", [1, 5, 64, 1 << 20])
@pytest.mark.parametrize("last_line_ends", [True, False])
def test_a_plain_file_is_cut_at_line_breaks_and_put_back_whole(tmp_path, block_size, last_line_ends):
    lines = [b"short", b"", "Лавров – Lavrov".encode(), b"x" * 200, b"bad \xff byte", b"tab\tseparated\tline"]
    data = b"\n".join(lines) + (b"\n" if last_line_ends else b"")
    path = tmp_path / "events.csv"
    path.write_bytes(data)
    seen: list[int] = []
    pieces = [piece.to_pybytes() for piece in _chunks(InputFile(path, None, len(data)), block_size, seen.append)]
    assert sum(seen) == len(data)
    assert b"".join(pieces) == data.replace(b"\xff", "\ufffd".encode())
    assert all(p.endswith(b"\n") for p in pieces[:-1])
    assert pieces[-1].endswith(b"\n") == last_line_ends
    if block_size == 1 << 20:  # one piece, and the last line on its own when no line break ends it
        assert len(pieces) == (1 if last_line_ends else 2)
