"""Actors of coded events as entities of the data model.

An actor of a GDELT or ICEWS row becomes one entity, or nothing with a
reason.  The rules, applied in order:

* an inter-governmental organisation (GDELT: an ``IGO`` actor with a known
  group code; ICEWS: an IGO sector and no country) becomes an
  *organization* whose id is its usual acronym (:data:`.cameo.IGOS`);
* a name that denotes a person (:func:`looks_like_person`) and belongs to a
  country becomes an *official* of that country, id a slug of the name;
* any other actor with a country (a state, a ministry, the police, a party)
  becomes that *country*;
* the rest is skipped with one of :data:`SKIP_REASONS`.

Mapping is a pure function of the actor's fields, so each distinct actor is
resolved once and cached by the importer.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from . import cameo
from .countries import ISO3_CODES, country_name, iso3_from_cameo, iso3_from_name

__all__ = [
    "Actor",
    "SKIP_REASONS",
    "NO_ACTOR",
    "looks_like_person",
    "person_name",
    "slugify",
    "acronym",
    "organization_id",
    "clean_name",
    "gdelt_actor",
    "icews_actor",
]


@dataclass(frozen=True)
class Actor:
    """What one actor maps to: an entity (``id`` set) or a skip ``reason`` (``id`` empty).

    ``country`` is the entity's country for the ``--countries`` filter (the
    country itself, an official's country, '' for an organisation); ``raw``
    is the name as the source wrote it, kept as an alias of officials.
    """

    id: str = ""
    kind: str = ""
    name: str = ""
    country: str = ""
    raw: str = ""
    reason: str = ""


SKIP_REASONS: dict[str, str] = {
    "no_actor": "no actor coded",
    "no_country": "actor has no country (sector only, e.g. GOV, BUS, 'Unspecified Actor')",
    "region": "actor's country code is a region or not ISO (e.g. AFR, EUR, WST)",
    "unknown_country": "actor's country name is not a known country",
    "generic_igo": "IGO actor without a known organisation",
}
"""Why an actor gives no entity.  A row is skipped when neither of its actors gives one,
and counted under the reason of its first actor that has one."""

NO_ACTOR = Actor(reason="no_actor")

# Words that mark a name as an institution, a role, a place or a group, never a person.
_NOT_PERSON_WORDS = frozenset(
    """
academy administration agency airlines airways alliance army assembly association attorney authorities authority
bank battalion board brigade brigades bureau business cabinet center central centre chamber channel chief church
citizen citizens city club coalition college command commission committee communist community company conference
congress conservative consulate corporation council county court crescent daily defence defense delegate delegation
democratic department deputy district doctor east embassy envoy exchange federal federation force forces foreign
foundation front fund general government governor group guard guards herald hospital house inc independent
institute intelligence international island islands journal judge justice king kingdom labor labour lawmaker
lawyer leader league legislature liberal limited ltd mayor media member military militia minister ministers
ministry mission monitoring motors movement municipal national nations navy network new news newspaper north
observer office officer officers official officials opposition organisation organization parliament party people
peoples police post presidency president press prime prince princess prison province queen radio rebels red regime
region regional regiment republic royal saint school secretariat secretary security senate senator service
services socialist society south spokesman spokesperson staff state states station student students supreme team
television times tribunal tribune union united university unspecified village west white workers world
yard rada sabha duma knesset majlis bundestag sejm khural cortes yuan
""".split()
)
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_NAME_TOKEN = re.compile(r"[^\W\d_][\w.'’-]*")
_PATRONYMIC = re.compile(r".+(ovich|evich|yevich|ovna|evna|ichna)$", re.IGNORECASE)
# ICEWS sectors of people in public office; media and business people are not officials.
_OFFICE_SECTORS = frozenset(
    {
        "Elite",
        "Executive",
        "Executive Office",
        "Government",
        "Cabinet",
        "Legislative / Parliamentary",
        "Judicial",
        "Military",
        "Police",
        "Upper House",
        "Lower House",
    }
)
_NOT_OFFICIAL_SECTORS = frozenset({"News", "Media", "Print News", "Television News", "Business"})
_IGO_SECTOR = re.compile(r"International Government Organization|IGOs")
# GDELT role codes of people in public office (not business, religion, police or civilians).
_OFFICE_TYPES = frozenset({"GOV", "ELI", "LEG", "JUD", "MIL", "OPP", "SPY"})
_GENERIC_IGO = re.compile(
    r"(international )?(inter)?governmental organi[sz]ations?|international government organi[sz]ations?", re.IGNORECASE
)


def looks_like_person(name: str) -> bool:
    """Whether an actor name reads as a person's name: 2 to 5 name-like words, none of them an
    institution, role or place word, and not a country's name.

    >>> looks_like_person("Sergey Viktorovich Lavrov"), looks_like_person("KIM JONG-UN")
    (True, True)
    >>> looks_like_person("THE WHITE HOUSE"), looks_like_person("Police (India)"), looks_like_person("Russia")
    (False, False, False)
    >>> looks_like_person("PRIME MINISTER"), looks_like_person("Israeli Defense Forces"), looks_like_person("South Africa")
    (False, False, False)
    """
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    if not all(_NAME_TOKEN.fullmatch(w) for w in words):
        return False
    if any(w.strip(".'’-").casefold() in _NOT_PERSON_WORDS for w in words) or words[0].casefold() == "the":
        return False
    return iso3_from_name(name) is None


def person_name(raw: str) -> str:
    """The display name of a person: capitalised when the source shouts, without a Russian patronymic.

    >>> person_name("Sergey Viktorovich Lavrov"), person_name("KIM JONG-UN"), person_name("Moon Jae-in")
    ('Sergey Lavrov', 'Kim Jong-Un', 'Moon Jae-in')
    """
    words = raw.split()
    if raw.isupper():
        words = ["-".join(p.capitalize() for p in w.split("-")) for w in words]
    if len(words) >= 3:
        words = [words[0]] + [w for w in words[1:-1] if not _PATRONYMIC.fullmatch(w)] + [words[-1]]
    return " ".join(words)


def slugify(text: str) -> str:
    """A lower-case ASCII slug (``[a-z0-9]+(-[a-z0-9]+)*``); a hash-based one when nothing is left.

    >>> slugify("Vojtěch Filip"), slugify("Kim Jong-Un"), slugify("C.P. Verma")
    ('vojtech-filip', 'kim-jong-un', 'c-p-verma')
    >>> slugify("习近平")
    'person-f6ff417f'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text))
    return slug or "person-" + hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def clean_name(text: str, fallback: str = "") -> str:
    r"""A name as the data model stores it: control characters dropped, runs of white space
    (in any script) made one space, none at either end; ``fallback`` when nothing is left.

    >>> clean_name("  EUROPEAN\u00a0 UNION\x00 "), clean_name(" \u2028\x1c ", "EU")
    ('EUROPEAN UNION', 'EU')
    """
    return " ".join(_CONTROL.sub("", text).split()) or fallback


def organization_id(text: str, prefix: str = "ORG") -> str:
    """An organisation id the data model accepts (``[A-Z][A-Z0-9_-]{1,15}``, not a country's code),
    made from a code or an acronym.

    Letters are folded to upper-case ASCII and anything else becomes ``-``;
    ``prefix`` is put before an id that would not start with a letter or be
    shorter than two characters, and ``-ORG`` after one that is a country's
    ISO code.  The same text always gives the same id.

    >>> organization_id("eec"), organization_id("-2874"), organization_id("A", "IGO"), organization_id("USA")
    ('EEC', 'ORG-2874', 'IGO-A', 'USA-ORG')
    >>> organization_id("Ëëc / Asean+3"), organization_id(""), organization_id("x" * 40)
    ('EEC-ASEAN-3', 'ORG', 'XXXXXXXXXXXXXXXX')
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().upper()
    ident = re.sub(r"[-_]{2,}", "-", re.sub(r"[^A-Z0-9_-]+", "-", folded)).strip("-_")
    if not ident:
        return prefix
    if not ident[0].isalpha() or len(ident) < 2:
        ident = f"{prefix}-{ident}"
    ident = ident[:16].rstrip("-_")
    if ident in ISO3_CODES:
        ident += "-ORG"  # an acronym that is also a country's id
    return ident


def acronym(name: str) -> str:
    """An organisation id for a name CAMEO does not list: its acronym, or the name itself if short.

    >>> acronym("United Nations Security Council"), acronym("UN Security Council"), acronym("Interpol")
    ('UNSC', 'UNSC', 'INTERPOL')
    >>> acronym("1st Infantry"), acronym("(  )")
    ('ORG-1I', 'ORG')
    """
    words = re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    if len(words) == 1 and 2 <= len(words[0]) <= 16:
        return organization_id(words[0])
    initials = "".join(
        w if w.isupper() and len(w) > 1 else w[0]
        for w in words
        if w.lower() not in {"of", "the", "and", "for", "de", "on", "in"}
    ).upper()
    return organization_id(initials)


def _country(iso3: str, raw: str) -> Actor:
    return Actor(iso3, "country", country_name(iso3), iso3, raw)


def _official(raw: str, iso3: str) -> Actor:
    display = person_name(raw)
    return Actor(slugify(display), "official", display, iso3, raw)


def _organization(igo: cameo.IGO | None, raw: str, fallback_id: str) -> Actor:
    if igo is not None:
        return Actor(igo.id, "organization", igo.name, "", raw)
    return Actor(fallback_id, "organization", clean_name(raw, fallback_id), "", raw)


def gdelt_actor(code: str, name: str, country_code: str, known_group: str, types: tuple[str, ...] = ()) -> Actor:
    """The entity of one GDELT actor (``Actor1Code``, ``Actor1Name``, ``Actor1CountryCode``,
    ``Actor1KnownGroupCode`` and the three type codes).

    >>> gdelt_actor("IGOEUREEC", "EUROPEAN UNION", "EUR", "EEC", ("IGO",)).id
    'EU'
    >>> gdelt_actor("RUSGOV", "VLADIMIR PUTIN", "RUS", "", ("GOV",))
    Actor(id='vladimir-putin', kind='official', name='Vladimir Putin', country='RUS', raw='VLADIMIR PUTIN', reason='')
    >>> gdelt_actor("USA", "NEW YORK", "USA", "").id, gdelt_actor("MNCUSA", "LOCKHEED MARTIN", "USA", "", ("MNC",)).id
    ('USA', 'USA')
    >>> gdelt_actor("GOV", "PRESIDENT", "", "", ("GOV",)).reason
    'no_country'
    >>> gdelt_actor("AFR", "AFRICA", "AFR", "").reason, gdelt_actor("", "", "", "").reason
    ('region', 'no_actor')

    An unknown group code still gives a valid id, and a nameless group its id as name:

    >>> gdelt_actor("IGO", "", "", "-2874", ("IGO",))
    Actor(id='IGO-2874', kind='organization', name='IGO-2874', country='', raw='', reason='')
    >>> gdelt_actor("IGOEUREEC", "EUROPEAN UNION", "EUR", "eec", ("IGO",)).id
    'EU'
    """
    if not code and not name:
        return NO_ACTOR
    if code.startswith("IGO") or "IGO" in types:
        group = known_group.strip().upper()
        if group:
            igo = cameo.igo_by_code(group)
            raw = clean_name(name).title().removeprefix("The ")
            return _organization(igo, raw, organization_id(group, prefix="IGO"))
        if not country_code:
            return Actor(reason="generic_igo", raw=name)
    if not country_code:
        return Actor(reason="no_country", raw=name)
    iso3 = iso3_from_cameo(country_code)
    if iso3 is None:
        return Actor(reason="region", raw=name)
    # A bare country code is a place or a people (NEW YORK, RUSSIAN); a person carries an office code (RUSGOV).
    if _OFFICE_TYPES.intersection(types) and looks_like_person(name):
        return _official(name, iso3)
    return _country(iso3, name)


def icews_actor(name: str, sectors: str, country: str) -> Actor:
    """The entity of one ICEWS actor (``Source Name``, ``Source Sectors``, ``Source Country``).

    ``NA`` is ICEWS's empty value.

    >>> icews_actor("Sergey Viktorovich Lavrov", "Government,Cabinet,Executive,Foreign Ministry", "Russian Federation").id
    'sergey-lavrov'
    >>> icews_actor("Foreign Affairs (Bangladesh)", "Executive,Foreign Ministry,Government", "Bangladesh").id
    'BGD'
    >>> icews_actor("European Union", "International Government Organization,Regional Diplomatic IGOs", "NA").id
    'EU'
    >>> icews_actor("Bharatiya Janata", "Parties,(National) Major Party", "India").id
    'IND'
    >>> icews_actor("Ministry (European Union)", "International Government Organization", "NA").id
    'EU'
    >>> icews_actor("Unspecified Actor", "Unspecified", "NA").reason, icews_actor("NA", "NA", "NA").reason
    ('no_country', 'no_actor')
    """
    name = "" if name == "NA" else name.strip()
    if not name:
        return NO_ACTOR
    sector_set = frozenset(s.strip() for s in sectors.split(",")) if sectors not in ("", "NA") else frozenset()
    iso3 = None
    if country not in ("", "NA"):
        iso3 = iso3_from_name(country)
        if iso3 is None:
            return Actor(reason="unknown_country", raw=country)
    named_country = iso3_from_name(name)
    if named_country:
        return _country(named_country, name)
    if iso3 is None:
        if not _IGO_SECTOR.search(sectors):
            return Actor(reason="no_country", raw=name)
        if _GENERIC_IGO.fullmatch(name):
            return Actor(reason="generic_igo", raw=name)
        # 'Ministry (European Union)' is a body of the organisation in parentheses.
        inner = re.fullmatch(r".*\((.+)\)", name)
        org_name = inner.group(1).strip() if inner else name
        igo = cameo.igo_by_name(org_name)
        if igo is None and looks_like_person(org_name):
            # An IGO's official (an envoy, a commissioner) has no country to be an official of.
            return Actor(reason="no_country", raw=name)
        return _organization(igo, org_name, acronym(org_name))
    if (
        "(" not in name
        and sector_set & _OFFICE_SECTORS
        and not sector_set & _NOT_OFFICIAL_SECTORS
        and looks_like_person(name)
    ):
        return _official(name, iso3)
    return _country(iso3, name)
