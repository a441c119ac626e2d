"""Country codes and names of event data, as ISO 3166-1 alpha-3 codes.

The work is pycountry's: ISO codes, names, official and common names.  Two
small tables cover what the standard does not hold:

* :data:`CAMEO_CODES`: CAMEO's own country codes that are not ISO codes
  (ROM for Romania, TMP for East Timor, KOS for Kosovo, the Palestinian
  territories).  CAMEO's regional codes (AFR, EUR, WST...) stay unmapped:
  a region is not a country.
* :data:`NAME_ALIASES`: former and colloquial names used by ICEWS and GDELT
  that ISO has since changed (Turkey, Swaziland, Macedonia, Russia...).

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
}
"""Folded country names (see :func:`fold_name`) that ISO does not list, and their ISO3 code."""


def fold_name(name: str) -> str:
    """A name reduced for matching: ASCII, lower case, words only, without a leading 'the'.

    >>> fold_name("  the Former Yugoslav Republic of Macedonia ")
    'former yugoslav republic of macedonia'
    >>> fold_name("Côte d'Ivoire")
    'cote d ivoire'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if words[:1] == ["the"]:
        words = words[1:]
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
    """
    if not name or name == "NA":
        return None
    stripped = name.strip()
    if len(stripped) == 3 and stripped.isalpha() and stripped.upper() == stripped:
        return iso3_from_cameo(stripped)
    return _NAMES.get(fold_name(stripped))


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
