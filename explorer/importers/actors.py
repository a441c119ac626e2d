"""Actors of coded events as entities of the data model.

An actor of a GDELT or ICEWS row becomes one entity, or nothing with a
reason.  People, places, groups and organisations are told apart by the
actor's type codes (GDELT ``Actor1Type1Code``...: ``GOV``, ``MIL``, ``REB``...;
ICEWS sectors), its CAMEO known-group code and its name.  The rules, applied
in order:

* an organisation (GDELT: a CAMEO known-group code, :data:`.cameo.IGOS` and
  :data:`.cameo.KNOWN_GROUPS`, or an ``IGO`` actor with any group code; ICEWS:
  a name listed in those tables, or an IGO sector and no country) becomes an
  *organization*.  A listed one has its fixed id (``EEC`` -> ``EU``); any other
  gets an id made from its full name (:func:`organization_key`), so two
  organisations are never merged because their names share an acronym;
* a non-state armed group (GDELT types ``REB``, ``SEP``, ``INS``, ``UAF``,
  ``IMG``, ``CRM``; ICEWS insurgent, rebel, criminal or unidentified-forces
  sectors) is an organisation when it is named (``Taliban``, ``Terrorist
  (Boko Haram)``) or has a known-group code, and is dropped otherwise
  (``armed_group``): Syrian rebels are not Syria;
* a name that denotes a person (:func:`looks_like_person`: not a place, a
  people, a group or an institution) with an office type code and a country
  becomes an *official* of that country, id a slug of the name;
* any other actor with a country (a state, a ministry, the police, a party,
  a place of that country such as ``NOVA SCOTIA`` under ``CANGOV``) becomes
  that *country*;
* the rest is skipped with one of :data:`SKIP_REASONS`.

Mapping is a pure function of one distinct actor's fields (code, name,
country, known group, type codes; ICEWS name, sectors, country), so each
distinct actor is resolved once and cached, whatever engine reads the rows.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from . import cameo
from .countries import ISO3_CODES, country_name, is_demonym, iso3_from_cameo, iso3_from_name, place_country

__all__ = [
    "Actor",
    "SKIP_REASONS",
    "NO_ACTOR",
    "looks_like_person",
    "person_name",
    "slugify",
    "acronym",
    "organization_id",
    "organization_key",
    "ARMED_TYPES",
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
    "armed_group": "actor is an armed group or criminals with no known-group code (REB, INS, SEP, UAF, CRM)",
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
troops troop soldiers soldier militants militant protesters protester demonstrators demonstrator rebel insurgents
insurgent fighters fighter terrorists terrorist gunmen gunman separatists separatist activists activist crowd mob
residents villagers farmers refugees migrants tribe tribes clan marines sailors pilots diplomats diplomat
envoys negotiators lawmakers ministry embassy consulate bay coast gulf sea lake river valley port mount heights
peninsula strait territory territories capital town airport
""".split()
)
# Words of place names, as GDELT writes its provinces and districts in their own languages
# (Estado Tachira, Provincia di Messina, Brestskaya Oblast', Muhafazat al Qahirah) and landmarks.  Words that
# are also common in people's names are left out (Park, Hill, Ken, Shi, Sheng, Thanh).
_PLACE_WORDS = frozenset(
    """
oblast oblast' oblasty oblys krai kray respublika okrug raion rayon estado provincia provincie province
departamento departement department distrito district municipio municipality municipalite comuna commune canton
kanton kreis landkreis bezirk gemeente prefecture xian zizhiqu muhafazat muhafazah mintaqat mintaqah wilayat
wilayah vilayet baladiyat kotamadya kabupaten propinsi maakond apskritis novads voivodeship wojewodztwo zupanija
opstina obcina okres megye judetul nomos regione region regio governorate emirate division pradesh tehsil taluka
chowk mahal square street road avenue pass valley island islands beach bridge station harbour harbor fort
comunidad autonoma changwat mueang mesto misto pho zone zona greater metro hills tower kremlin castle cathedral
pier zoo creek plaza gobolka obshtina opcina opciina nomarchia mohafazat gouvernorat wilaya astedader qalasy
daerah khusus ibukota provinsi sub-prefecture land western eastern northern southern areas k'alak'i
pashchimanchal purwanchal madhyamanchal sudurpashchim
""".split()
)
# First words of place names only (Los Angeles, San Francisco), never of a person's.
_PLACE_FIRST_WORDS = frozenset({"los", "las", "san", "santa", "sao", "saint", "st", "port", "puerto", "ciudad"})
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
ARMED_TYPES = frozenset({"REB", "SEP", "INS", "UAF", "IMG", "CRM"})
"""GDELT type codes of non-state armed groups and criminals: rebels, separatists, insurgents, unaligned armed
forces, international militarised groups, criminals.  Such an actor is never its country."""
# ICEWS sectors of the same groups.  Not 'Separatists': ICEWS puts there unrecognised states (Abkhazia,
# Somaliland) and the leaders of political movements too.
_ARMED_SECTORS = frozenset(
    {
        "Insurgents",
        "International Insurgents",
        "Rebel",
        "Rebels",
        "Unidentified Forces",
        "Criminals / Gangs",
        "Organized Violent",
    }
)
_GENERIC_IGO = re.compile(
    r"(international )?(inter)?governmental organi[sz]ations?|international government organi[sz]ations?", re.IGNORECASE
)


def looks_like_person(name: str) -> bool:
    """Whether an actor name reads as a person's name: 2 to 5 name-like words, none of them an
    institution, role, group or place word, not starting with a people's name (``American``), and
    neither a country nor a place (a capital, a province, an ISO subdivision: :func:`.countries.place_country`).

    >>> looks_like_person("Sergey Viktorovich Lavrov"), looks_like_person("KIM JONG-UN")
    (True, True)
    >>> looks_like_person("THE WHITE HOUSE"), looks_like_person("Police (India)"), looks_like_person("Russia")
    (False, False, False)
    >>> looks_like_person("PRIME MINISTER"), looks_like_person("Israeli Defense Forces"), looks_like_person("South Africa")
    (False, False, False)
    >>> looks_like_person("ABU DHABI"), looks_like_person("Nova Scotia"), looks_like_person("AMERICAN TROOPS")
    (False, False, False)
    """
    words = name.split()
    if not 2 <= len(words) <= 5:
        return False
    if not all(_NAME_TOKEN.fullmatch(w) for w in words):
        return False
    # 'Sub-Prefecture', 'North-West Frontier': each part of a hyphenated word counts.
    folded = [part for w in words for part in w.strip(".'’-").casefold().split("-") if part]
    if words[0].casefold() in ("the", *_PLACE_FIRST_WORDS):
        return False
    if any(w in _NOT_PERSON_WORDS or w in _PLACE_WORDS for w in folded):
        return False
    if iso3_from_name(name) is not None or is_demonym(words[0]):
        return False
    return place_country(name) is None


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


def organization_key(name: str) -> str:
    """The id of an organisation no table lists, made from its full name: a one-word name is its
    own id (``Europol`` -> ``EUROPOL``); a longer one its acronym and a short hash of the whole name,
    so names that share an acronym never share an id.

    >>> organization_key("Houthis"), organization_key("World Tourism Organisation")
    ('HOUTHIS', 'WTO-E70EF8')
    >>> organization_key("World Tourism Organization") == organization_key("world tourism organisation")
    True
    >>> organization_key("Refugees International") != organization_key("Rotary International")
    True
    """
    words = re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    if len(words) == 1 and 2 <= len(words[0]) <= 16:
        return organization_id(words[0])
    # The hash is of the name as cameo matches names (case, accents and -isation/-ization ignored).
    digest = hashlib.blake2b(cameo._fold(name).encode(), digest_size=3).hexdigest()
    stem = acronym(name)
    if stem == "ORG" or stem.startswith("ORG-"):
        stem = "ORG"
    return organization_id(f"{stem[:9].rstrip('-_')}-{digest}")


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

    A place or a group of a country is that country, never an official; a known group is an
    organisation; an armed group without one is dropped:

    >>> gdelt_actor("AREGOV", "ABU DHABI", "ARE", "", ("GOV",)).id, gdelt_actor("USAMIL", "AMERICAN TROOPS", "USA", "", ("MIL",)).id
    ('ARE', 'USA')
    >>> gdelt_actor("PSEREBHMS", "HAMAS", "PSE", "HMS", ("REB",)).id, gdelt_actor("SYRREB", "REBEL", "SYR", "", ("REB",)).reason
    ('HAMAS', 'armed_group')

    An unknown group code still gives a valid id, and a nameless group its id as name:

    >>> gdelt_actor("IGO", "", "", "-2874", ("IGO",))
    Actor(id='IGO-2874', kind='organization', name='IGO-2874', country='', raw='', reason='')
    >>> gdelt_actor("IGOEUREEC", "EUROPEAN UNION", "EUR", "eec", ("IGO",)).id
    'EU'
    """
    if not code and not name:
        return NO_ACTOR
    is_igo = code.startswith("IGO") or "IGO" in types
    group = known_group.strip().upper()
    if group in cameo.NOT_GROUPS:
        # 'CMN' (Communist) is no one group; 'PSE' is a place: the actor is that country.
        if cameo.NOT_GROUPS[group]:
            return _country(cameo.NOT_GROUPS[group], name)
        group = ""
    if group:
        known = cameo.igo_by_code(group)
        if known is not None or is_igo:
            raw = clean_name(name).title().removeprefix("The ")
            return _organization(known, raw, organization_id(group, prefix="IGO"))
    if is_igo and not country_code:
        return Actor(reason="generic_igo", raw=name)
    if ARMED_TYPES.intersection(types):
        return Actor(reason="armed_group", raw=name)
    if not country_code:
        return Actor(reason="no_country", raw=name)
    iso3 = iso3_from_cameo(country_code)
    if iso3 is None:
        return Actor(reason="region", raw=name)
    # A bare country code is a place or a people (NEW YORK, RUSSIAN); a person carries an office code (RUSGOV)
    # and a name that is no place, people or group (not ABU DHABI, AMERICAN TROOPS).
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

    Organisations are matched by full name or alias, never by acronym alone; armed groups are
    organisations when named, dropped when generic:

    >>> icews_actor("World Tourism Organization", "International Government Organization", "NA").id
    'UNWTO'
    >>> icews_actor("Taliban", "Insurgents,Sunni", "Afghanistan").id, icews_actor("Terrorist (Boko Haram)", "Insurgents", "Nigeria").id
    ('TALIBAN', 'BH-633F92')
    >>> icews_actor("Militant (India)", "Unidentified Forces", "India").reason
    'armed_group'
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
    named_country = iso3_from_name(name) if "(" not in name else None
    if named_country:
        return _country(named_country, name)
    # 'Ministry (European Union)', 'Terrorist (Boko Haram)': a body or member of the group in parentheses.
    inner = re.fullmatch(r".*\((.+)\)", name)
    org_name = inner.group(1).strip() if inner else name
    known = cameo.igo_by_name(org_name)
    if sector_set & _ARMED_SECTORS:
        if known is not None:
            return _organization(known, org_name, known.id)
        # 'Militant (India)' is some group of a country; a person in an armed group is no official.
        if iso3_from_name(org_name) if inner else looks_like_person(name):
            return Actor(reason="armed_group", raw=name)
        return _organization(None, org_name, organization_key(org_name))
    if iso3 is None:
        if known is not None:
            return _organization(known, org_name, known.id)
        if not _IGO_SECTOR.search(sectors):
            return Actor(reason="no_country", raw=name)
        if _GENERIC_IGO.fullmatch(name):
            return Actor(reason="generic_igo", raw=name)
        if looks_like_person(org_name):
            # An IGO's official (an envoy, a commissioner) has no country to be an official of.
            return Actor(reason="no_country", raw=name)
        return _organization(None, org_name, organization_key(org_name))
    if (
        "(" not in name
        and sector_set & _OFFICE_SECTORS
        and not sector_set & _NOT_OFFICIAL_SECTORS
        and looks_like_person(name)
    ):
        return _official(name, iso3)
    return _country(iso3, name)
