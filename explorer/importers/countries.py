"""Country codes and names of event data, as ISO 3166-1 alpha-3 codes.

The work is pycountry's: ISO codes, names, official and common names.  Two
small tables cover what the standard does not hold:

* :data:`CAMEO_CODES`: CAMEO's own country codes that are not ISO codes
  (ROM for Romania, TMP for East Timor, KOS for Kosovo, the Palestinian
  territories).  CAMEO's regional codes (AFR, EUR, WST...) stay unmapped:
  a region is not a country.
* :data:`NAME_ALIASES`: former, colloquial and GDELT/FIPS names that ISO
  does not list (Turkey, Swaziland, Russia, ``Korea, South``,
  ``Bosnia-Herzegovina``, ``Zaire``...).

Names are compared folded (:func:`fold_name`): accents, case and punctuation
ignored, ``St.`` read as ``Saint``, and a leading or trailing ``The`` dropped,
so GDELT's inverted forms (``Bahamas, The``, ``Korea, Republic of``) match;
a parenthesised part is tried without its parentheses and on its own
(``Holy See (Vatican City)``).

Place names and nationality adjectives (:func:`place_country`,
:func:`is_demonym`), which tell an actor named after a place or a people from
a person, come from pycountry's ISO 3166-2 subdivisions (``Nova Scotia``)
and countryinfo's capitals, provinces and demonyms (``Abu Dhabi``,
``American``).

Every function is pure and cached; each distinct code or name is resolved once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pycountry

__all__ = [
    "CAMEO_CODES",
    "NAME_ALIASES",
    "ISO3_CODES",
    "iso3_from_cameo",
    "iso3_from_name",
    "iso3_from_place",
    "country_name",
    "fold_name",
    "place_country",
    "is_demonym",
]

# Kosovo's user-assigned code, accepted by the loader too.
_EXTRA = {"XKX": "Kosovo"}
ISO3_CODES = frozenset(c.alpha_3 for c in pycountry.countries) | frozenset(_EXTRA)

CAMEO_CODES: dict[str, str] = {
    "ROM": "ROU",  # Romania's code until 2002
    "TMP": "TLS",  # East Timor, withdrawn from ISO 3166 in 2002
    "ZAR": "COD",  # Zaire
    "KOS": "XKX",  # Kosovo
    "WSB": "PSE",  # West Bank
    "GZS": "PSE",  # Gaza Strip
    "BAG": "IRQ",  # Baghdad, coded as a place of its own
    "IMY": "IMN",  # Isle of Man
    "MTN": "MNE",  # Montenegro
}
"""CAMEO country codes outside ISO 3166-1 and the country each stands for."""

NAME_ALIASES: dict[str, str] = {
    "russia": "RUS",
    "turkey": "TUR",
    "swaziland": "SWZ",
    "macedonia": "MKD",
    "former yugoslav republic of macedonia": "MKD",
    "occupied palestinian territory": "PSE",
    "occupied palestinian territories": "PSE",
    "palestinian territory": "PSE",
    "palestinian territories": "PSE",
    "palestine": "PSE",
    "west bank": "PSE",
    "gaza strip": "PSE",
    "gaza": "PSE",
    "democratic republic of congo": "COD",
    "congo kinshasa": "COD",
    "republic of congo": "COG",
    "congo brazzaville": "COG",
    "ivory coast": "CIV",
    "east timor": "TLS",
    "burma": "MMR",
    "cape verde": "CPV",
    "vatican city": "VAT",
    "laos": "LAO",
    "syria": "SYR",
    "brunei": "BRN",
    "kosovo": "XKX",
    "great britain": "GBR",
    "britain": "GBR",
    "united states of america": "USA",
    "czech republic": "CZE",
    # GDELT's place names follow FIPS 10-4 country names, often inverted.
    "bosnia herzegovina": "BIH",
    "korea south": "KOR",
    "south korea": "KOR",
    "korea north": "PRK",
    "north korea": "PRK",
    "congo democratic republic of": "COD",
    "congo republic of": "COG",
    "people s republic of the congo": "COG",
    "zaire": "COD",
    "vatican": "VAT",
    "macau": "MAC",
    "virgin islands": "VIR",
    "united states virgin islands": "VIR",
    "saint kitts nevis": "KNA",
    "saint helena": "SHN",
    "svalbard": "SJM",
    "svalbard and jan mayen islands": "SJM",
    "faeroe islands": "FRO",
    "micronesia": "FSM",
    "micronesia federated states of": "FSM",
    "vietnam republic of": "VNM",
    "wallis and futuna islands": "WLF",
    "palestinian territory occupied": "PSE",
    "byelarus": "BLR",
    "kazakstan": "KAZ",
    "libyan arab jamahiriya": "LBY",
    "uk": "GBR",
    "u k": "GBR",
    "us": "USA",
    "u s": "USA",
    "england": "GBR",
    "scotland": "GBR",
    "wales": "GBR",
    "northern ireland": "GBR",
}
"""Folded country names (see :func:`fold_name`) that ISO does not list, and their ISO3 code."""


def fold_name(name: str) -> str:
    """A name reduced for matching: ASCII, lower case, words only, ``St`` as ``saint``,
    ``&`` as ``and``, without a leading or trailing 'the' (GDELT writes ``Bahamas, The``).

    >>> fold_name("  the Former Yugoslav Republic of Macedonia ")
    'former yugoslav republic of macedonia'
    >>> fold_name("Côte d'Ivoire"), fold_name("Bahamas, The"), fold_name("St. Kitts & Nevis")
    ('cote d ivoire', 'bahamas', 'saint kitts and nevis')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold().replace("&", " and ")
    words = ["saint" if w == "st" else w for w in re.sub(r"[^a-z0-9]+", " ", text).split()]
    if words[:1] == ["the"]:
        words = words[1:]
    if words[-1:] == ["the"]:
        words = words[:-1]
    return " ".join(words)


def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if not value:
                continue
            index.setdefault(fold_name(value), country.alpha_3)
            # "Holy See (Vatican City State)" is also "Holy See"; "Korea, Republic of" also "Republic of Korea".
            bare = re.sub(r"\s*\(.*?\)", "", value)
            index.setdefault(fold_name(bare), country.alpha_3)
            if ", " in bare:
                head, _, tail = bare.partition(", ")
                index.setdefault(fold_name(f"{tail} {head}"), country.alpha_3)
    for alias, code in NAME_ALIASES.items():
        index.setdefault(alias, code)
    for code, name in _EXTRA.items():
        index.setdefault(fold_name(name), code)
    return index


_NAMES = _name_index()


@lru_cache(maxsize=4096)
def iso3_from_cameo(code: str) -> str | None:
    """The ISO3 code of a CAMEO country code; None for a region or an unknown code.

    >>> iso3_from_cameo("RUS"), iso3_from_cameo("ROM"), iso3_from_cameo("AFR"), iso3_from_cameo("")
    ('RUS', 'ROU', None, None)
    """
    code = code.strip().upper()
    if code in ISO3_CODES:
        return code
    return CAMEO_CODES.get(code)


@lru_cache(maxsize=16384)
def iso3_from_name(name: str) -> str | None:
    """The ISO3 code of a country name, an ISO code or a known former name; None if it is none of those.

    >>> iso3_from_name("Russian Federation"), iso3_from_name("Turkey"), iso3_from_name("Occupied Palestinian Territory")
    ('RUS', 'TUR', 'PSE')
    >>> iso3_from_name("Cote d'Ivoire"), iso3_from_name("Korea, Republic of"), iso3_from_name("Atlantis")
    ('CIV', 'KOR', None)
    >>> iso3_from_name("Bahamas, The"), iso3_from_name("Bosnia-Herzegovina"), iso3_from_name("Holy See (Vatican City)")
    ('BHS', 'BIH', 'VAT')
    """
    if not name or name == "NA":
        return None
    stripped = name.strip()
    if len(stripped) == 3 and stripped.isalpha() and stripped.upper() == stripped:
        return iso3_from_cameo(stripped)
    found = _NAMES.get(fold_name(stripped))
    if found is None and "(" in stripped:
        # 'Falkland Islands (Islas Malvinas)': the name without its parenthesis, then the parenthesis.
        outer = re.sub(r"\s*\(.*?\)", "", stripped)
        inner = re.findall(r"\((.*?)\)", stripped)
        for candidate in (outer, *inner):
            found = _NAMES.get(fold_name(candidate)) if candidate.strip() else None
            if found:
                break
    return found


@lru_cache(maxsize=65536)
def iso3_from_place(place: str) -> str | None:
    """The country of a GDELT place name such as ``'Toronto, Ontario, Canada'``, from its last parts.

    GDELT's geo country codes are FIPS 10-4, not ISO (``SF`` is South Africa),
    so the country is read from the full name instead.

    >>> iso3_from_place("Toronto, Ontario, Canada"), iso3_from_place("Seoul, Soul-t'ukpyolsi, Korea, Republic Of")
    ('CAN', 'KOR')
    >>> iso3_from_place("Ohio, United States"), iso3_from_place("") is None
    ('USA', True)
    """
    parts = [p.strip() for p in place.split(",") if p.strip()]
    for n in (1, 2):
        if len(parts) >= n:
            found = iso3_from_name(", ".join(parts[-n:]))
            if found:
                return found
    return None


_PLACES_LAYOUT = 1
"""Bump when :func:`_compute_places` changes what it derives: the cached tables are then rebuilt."""


@lru_cache(maxsize=1)
def _places() -> tuple[dict[str, str], frozenset[str]]:
    """Folded place names (capitals, provinces, ISO subdivisions) -> ISO3, and folded demonyms.

    Derived from pycountry's and countryinfo's data on first use (0.4 to 0.7 s of CPU: a JSON
    file per country) and kept in the user's cache (``$XDG_CACHE_HOME/explorer``, by default
    ``~/.cache/explorer``) under a key made of those packages' files and times, so later imports
    read one small JSON file instead; where the cache cannot be written, they are derived again.
    """
    import hashlib
    import json
    import os
    import sys
    from pathlib import Path

    import countryinfo

    stamps = [str(_PLACES_LAYOUT), sys.version.split()[0]]
    for module in (pycountry, countryinfo, sys.modules[__name__]):
        try:
            st = os.stat(module.__file__)
            stamps += [os.path.realpath(module.__file__), str(st.st_size), str(st.st_mtime_ns)]
        except (OSError, TypeError):
            return _compute_places()
    key = hashlib.sha1("|".join(stamps).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "explorer" / f"places-{key}.json"
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return dict(data["places"]), frozenset(data["demonyms"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    places, demonyms = _compute_places()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"places": places, "demonyms": sorted(demonyms)}), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home: derived again next time
    return places, demonyms


def _compute_places() -> tuple[dict[str, str], frozenset[str]]:
    from countryinfo import all_countries

    places: dict[str, str] = {}
    demonyms: set[str] = set()
    for sub in pycountry.subdivisions:
        country = pycountry.countries.get(alpha_2=sub.country_code)
        if country is not None:
            places.setdefault(fold_name(sub.name), country.alpha_3)
    for info in all_countries():
        iso3 = (info.iso() or {}).get("alpha3", "")
        if iso3 not in ISO3_CODES:
            continue
        capital = info.capital() or []
        names = [*([capital] if isinstance(capital, str) else capital), *(info.provinces() or [])]
        for name in names:
            # countryinfo writes 'Abu Zaby (Abu Dhabi)': both names are the place.
            for part in (re.sub(r"\s*\(.*?\)", "", name), *re.findall(r"\((.*?)\)", name)):
                if fold_name(part):
                    places.setdefault(fold_name(part), iso3)
        for demonym in re.split(r"[,/]", info.demonym() or ""):
            if fold_name(demonym):
                demonyms.add(fold_name(demonym))
    return places, frozenset(demonyms)


@lru_cache(maxsize=16384)
def place_country(name: str) -> str | None:
    """The ISO3 code of the country a place name (a capital, a province, an ISO subdivision) lies in;
    None when it is no place these tables know.  Countries themselves are :func:`iso3_from_name`'s.

    >>> place_country("Abu Dhabi"), place_country("NOVA SCOTIA"), place_country("New Delhi")
    ('ARE', 'CAN', 'IND')
    >>> place_country("Vladimir Putin") is None
    True
    """
    folded = fold_name(name)
    return _places()[0].get(folded) if folded else None


@lru_cache(maxsize=4096)
def is_demonym(word: str) -> bool:
    """Whether a word (or words) names the people of a country: ``American``, ``Israeli``, ``South Korean``.

    >>> is_demonym("AMERICAN"), is_demonym("Israeli"), is_demonym("Sergey")
    (True, True, False)
    """
    return fold_name(word) in _places()[1]


@lru_cache(maxsize=512)
def country_name(iso3: str) -> str:
    """The display name of a country: its common name where ISO gives one, else its name.

    >>> country_name("IRN"), country_name("CHN"), country_name("XKX")
    ('Iran', 'China', 'Kosovo')
    """
    if iso3 in _EXTRA:
        return _EXTRA[iso3]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name
