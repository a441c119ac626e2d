"""The CAMEO event codebook and how its codes map onto the data model.

CAMEO (Conflict and Mediation Event Observations, Schrodt 2012, version
1.1b3) is the coding scheme of GDELT and ICEWS.  Event codes are strings of 2
to 4 digits with leading zeros: ``04`` is the root *Consult*, ``042`` the event
*Make a visit*, ``1123`` a sub-event.  They are never numbers: ``042`` and
``42`` are different things, and only the first exists.

:data:`EVENT_CODES` is the codebook as GDELT distributes it, with its known
glitches fixed (the mis-encoded quotes of 044, code 106 glued to 1056).
:data:`KIND_RULES` maps codes to the event kinds of :mod:`explorer.schema`,
:data:`DEFAULT_SELECTION` is what an import keeps unless told otherwise, and
:data:`IGOS` names the inter-governmental organisations among CAMEO's known
group codes.  Everything here is a plain table or a pure function.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ..errors import ArgumentError

__all__ = [
    "EVENT_CODES",
    "KIND_RULES",
    "DEFAULT_SELECTION",
    "QUAD_CLASSES",
    "IGO",
    "IGOS",
    "KNOWN_GROUPS",
    "OTHER_ORGANIZATIONS",
    "NOT_GROUPS",
    "describe",
    "short_label",
    "event_kind",
    "quad_class",
    "root_of",
    "parse_selection",
    "matches_selection",
    "igo_by_code",
    "igo_by_name",
]

EVENT_CODES: dict[str, str] = {
    "01": "Make public statement",
    "010": "Make statement, not specified below",
    "011": "Decline comment",
    "012": "Make pessimistic comment",
    "013": "Make optimistic comment",
    "014": "Consider policy option",
    "015": "Acknowledge or claim responsibility",
    "016": "Deny responsibility",
    "017": "Engage in symbolic act",
    "018": "Make empathetic comment",
    "019": "Express accord",
    "02": "Appeal",
    "020": "Appeal, not specified below",
    "021": "Appeal for material cooperation, not specified below",
    "0211": "Appeal for economic cooperation",
    "0212": "Appeal for military cooperation",
    "0213": "Appeal for judicial cooperation",
    "0214": "Appeal for intelligence",
    "022": "Appeal for diplomatic cooperation, such as policy support",
    "023": "Appeal for aid, not specified below",
    "0231": "Appeal for economic aid",
    "0232": "Appeal for military aid",
    "0233": "Appeal for humanitarian aid",
    "0234": "Appeal for military protection or peacekeeping",
    "024": "Appeal for political reform, not specified below",
    "0241": "Appeal for change in leadership",
    "0242": "Appeal for policy change",
    "0243": "Appeal for rights",
    "0244": "Appeal for change in institutions, regime",
    "025": "Appeal to yield",
    "0251": "Appeal for easing of administrative sanctions",
    "0252": "Appeal for easing of popular dissent",
    "0253": "Appeal for release of persons or property",
    "0254": "Appeal for easing of economic sanctions, boycott, or embargo",
    "0255": "Appeal for target to allow international involvement (non-mediation)",
    "0256": "Appeal for de-escalation of military engagement",
    "026": "Appeal to others to meet or negotiate",
    "027": "Appeal to others to settle dispute",
    "028": "Appeal to others to engage in or accept mediation",
    "03": "Express intent to cooperate",
    "030": "Express intent to cooperate, not specified below",
    "031": "Express intent to engage in material cooperation, not specified below",
    "0311": "Express intent to cooperate economically",
    "0312": "Express intent to cooperate militarily",
    "0313": "Express intent to cooperate on judicial matters",
    "0314": "Express intent to cooperate on intelligence",
    "032": "Express intent to provide diplomatic cooperation such as policy support",
    "033": "Express intent to provide material aid, not specified below",
    "0331": "Express intent to provide economic aid",
    "0332": "Express intent to provide military aid",
    "0333": "Express intent to provide humanitarian aid",
    "0334": "Express intent to provide military protection or peacekeeping",
    "034": "Express intent to institute political reform, not specified below",
    "0341": "Express intent to change leadership",
    "0342": "Express intent to change policy",
    "0343": "Express intent to provide rights",
    "0344": "Express intent to change institutions, regime",
    "035": "Express intent to yield, not specified below",
    "0351": "Express intent to ease administrative sanctions",
    "0352": "Express intent to ease popular dissent",
    "0353": "Express intent to release persons or property",
    "0354": "Express intent to ease economic sanctions, boycott, or embargo",
    "0355": "Express intent allow international involvement (not mediation)",
    "0356": "Express intent to de-escalate military engagement",
    "036": "Express intent to meet or negotiate",
    "037": "Express intent to settle dispute",
    "038": "Express intent to accept mediation",
    "039": "Express intent to mediate",
    "04": "Consult",
    "040": "Consult, not specified below",
    "041": "Discuss by telephone",
    "042": "Make a visit",
    "043": "Host a visit",
    "044": 'Meet at a "third" location',
    "045": "Mediate",
    "046": "Engage in negotiation",
    "05": "Engage in diplomatic cooperation",
    "050": "Engage in diplomatic cooperation, not specified below",
    "051": "Praise or endorse",
    "052": "Defend verbally",
    "053": "Rally support on behalf of",
    "054": "Grant diplomatic recognition",
    "055": "Apologize",
    "056": "Forgive",
    "057": "Sign formal agreement",
    "06": "Engage in material cooperation",
    "060": "Engage in material cooperation, not specified below",
    "061": "Cooperate economically",
    "062": "Cooperate militarily",
    "063": "Engage in judicial cooperation",
    "064": "Share intelligence or information",
    "07": "Provide aid",
    "070": "Provide aid, not specified below",
    "071": "Provide economic aid",
    "072": "Provide military aid",
    "073": "Provide humanitarian aid",
    "074": "Provide military protection or peacekeeping",
    "075": "Grant asylum",
    "08": "Yield",
    "080": "Yield, not specified below",
    "081": "Ease administrative sanctions, not specified below",
    "0811": "Ease restrictions on political freedoms",
    "0812": "Ease ban on political parties or politicians",
    "0813": "Ease curfew",
    "0814": "Ease state of emergency or martial law",
    "082": "Ease political dissent",
    "083": "Accede to requests or demands for political reform not specified below",
    "0831": "Accede to demands for change in leadership",
    "0832": "Accede to demands for change in policy",
    "0833": "Accede to demands for rights",
    "0834": "Accede to demands for change in institutions, regime",
    "084": "Return, release, not specified below",
    "0841": "Return, release person(s)",
    "0842": "Return, release property",
    "085": "Ease economic sanctions, boycott, embargo",
    "086": "Allow international involvement not specified below",
    "0861": "Receive deployment of peacekeepers",
    "0862": "Receive inspectors",
    "0863": "Allow delivery of humanitarian aid",
    "087": "De-escalate military engagement",
    "0871": "Declare truce, ceasefire",
    "0872": "Ease military blockade",
    "0873": "Demobilize armed forces",
    "0874": "Retreat or surrender militarily",
    "09": "Investigate",
    "090": "Investigate, not specified below",
    "091": "Investigate crime, corruption",
    "092": "Investigate human rights abuses",
    "093": "Investigate military action",
    "094": "Investigate war crimes",
    "10": "Demand",
    "100": "Demand, not specified below",
    "101": "Demand information, investigation",
    "1011": "Demand economic cooperation",
    "1012": "Demand military cooperation",
    "1013": "Demand judicial cooperation",
    "1014": "Demand intelligence cooperation",
    "102": "Demand policy support",
    "103": "Demand aid, protection, or peacekeeping",
    "1031": "Demand economic aid",
    "1032": "Demand military aid",
    "1033": "Demand humanitarian aid",
    "1034": "Demand military protection or peacekeeping",
    "104": "Demand political reform, not specified below",
    "1041": "Demand change in leadership",
    "1042": "Demand policy change",
    "1043": "Demand rights",
    "1044": "Demand change in institutions, regime",
    "105": "Demand mediation",
    "1051": "Demand easing of administrative sanctions",
    "1052": "Demand easing of political dissent",
    "1053": "Demand release of persons or property",
    "1054": "Demand easing of economic sanctions, boycott, or embargo",
    "1055": "Demand that target allows international involvement (non-mediation)",
    "1056": "Demand de-escalation of military engagement",
    "106": "Demand withdrawal",
    "107": "Demand ceasefire",
    "108": "Demand meeting, negotiation",
    "11": "Disapprove",
    "110": "Disapprove, not specified below",
    "111": "Criticize or denounce",
    "112": "Accuse, not specified below",
    "1121": "Accuse of crime, corruption",
    "1122": "Accuse of human rights abuses",
    "1123": "Accuse of aggression",
    "1124": "Accuse of war crimes",
    "1125": "Accuse of espionage, treason",
    "113": "Rally opposition against",
    "114": "Complain officially",
    "115": "Bring lawsuit against",
    "116": "Find guilty or liable (legally)",
    "12": "Reject",
    "120": "Reject, not specified below",
    "121": "Reject material cooperation",
    "1211": "Reject economic cooperation",
    "1212": "Reject military cooperation",
    "122": "Reject request or demand for material aid, not specified below",
    "1221": "Reject request for economic aid",
    "1222": "Reject request for military aid",
    "1223": "Reject request for humanitarian aid",
    "1224": "Reject request for military protection or peacekeeping",
    "123": "Reject request or demand for political reform, not specified below",
    "1231": "Reject request for change in leadership",
    "1232": "Reject request for policy change",
    "1233": "Reject request for rights",
    "1234": "Reject request for change in institutions, regime",
    "124": "Refuse to yield, not specified below",
    "1241": "Refuse to ease administrative sanctions",
    "1242": "Refuse to ease popular dissent",
    "1243": "Refuse to release persons or property",
    "1244": "Refuse to ease economic sanctions, boycott, or embargo",
    "1245": "Refuse to allow international involvement (non mediation)",
    "1246": "Refuse to de-escalate military engagement",
    "125": "Reject proposal to meet, discuss, or negotiate",
    "126": "Reject mediation",
    "127": "Reject plan, agreement to settle dispute",
    "128": "Defy norms, law",
    "129": "Veto",
    "13": "Threaten",
    "130": "Threaten, not specified below",
    "131": "Threaten non-force, not specified below",
    "1311": "Threaten to reduce or stop aid",
    "1312": "Threaten to boycott, embargo, or sanction",
    "1313": "Threaten to reduce or break relations",
    "132": "Threaten with administrative sanctions, not specified below",
    "1321": "Threaten to impose restrictions on political freedoms",
    "1322": "Threaten to ban political parties or politicians",
    "1323": "Threaten to impose curfew",
    "1324": "Threaten to impose state of emergency or martial law",
    "133": "Threaten political dissent, protest",
    "134": "Threaten to halt negotiations",
    "135": "Threaten to halt mediation",
    "136": "Threaten to halt international involvement (non-mediation)",
    "137": "Threaten with violent repression",
    "138": "Threaten to use military force, not specified below",
    "1381": "Threaten blockade",
    "1382": "Threaten occupation",
    "1383": "Threaten unconventional violence",
    "1384": "Threaten conventional attack",
    "1385": "Threaten attack with WMD",
    "139": "Give ultimatum",
    "14": "Protest",
    "140": "Engage in political dissent, not specified below",
    "141": "Demonstrate or rally",
    "1411": "Demonstrate for leadership change",
    "1412": "Demonstrate for policy change",
    "1413": "Demonstrate for rights",
    "1414": "Demonstrate for change in institutions, regime",
    "142": "Conduct hunger strike, not specified below",
    "1421": "Conduct hunger strike for leadership change",
    "1422": "Conduct hunger strike for policy change",
    "1423": "Conduct hunger strike for rights",
    "1424": "Conduct hunger strike for change in institutions, regime",
    "143": "Conduct strike or boycott, not specified below",
    "1431": "Conduct strike or boycott for leadership change",
    "1432": "Conduct strike or boycott for policy change",
    "1433": "Conduct strike or boycott for rights",
    "1434": "Conduct strike or boycott for change in institutions, regime",
    "144": "Obstruct passage, block",
    "1441": "Obstruct passage to demand leadership change",
    "1442": "Obstruct passage to demand policy change",
    "1443": "Obstruct passage to demand rights",
    "1444": "Obstruct passage to demand change in institutions, regime",
    "145": "Protest violently, riot",
    "1451": "Engage in violent protest for leadership change",
    "1452": "Engage in violent protest for policy change",
    "1453": "Engage in violent protest for rights",
    "1454": "Engage in violent protest for change in institutions, regime",
    "15": "Exhibit force posture",
    "150": "Demonstrate military or police power, not specified below",
    "151": "Increase police alert status",
    "152": "Increase military alert status",
    "153": "Mobilize or increase police power",
    "154": "Mobilize or increase armed forces",
    "16": "Reduce relations",
    "160": "Reduce relations, not specified below",
    "161": "Reduce or break diplomatic relations",
    "162": "Reduce or stop aid, not specified below",
    "1621": "Reduce or stop economic assistance",
    "1622": "Reduce or stop military assistance",
    "1623": "Reduce or stop humanitarian assistance",
    "163": "Impose embargo, boycott, or sanctions",
    "164": "Halt negotiations",
    "165": "Halt mediation",
    "166": "Expel or withdraw, not specified below",
    "1661": "Expel or withdraw peacekeepers",
    "1662": "Expel or withdraw inspectors, observers",
    "1663": "Expel or withdraw aid agencies",
    "17": "Coerce",
    "170": "Coerce, not specified below",
    "171": "Seize or damage property, not specified below",
    "1711": "Confiscate property",
    "1712": "Destroy property",
    "172": "Impose administrative sanctions, not specified below",
    "1721": "Impose restrictions on political freedoms",
    "1722": "Ban political parties or politicians",
    "1723": "Impose curfew",
    "1724": "Impose state of emergency or martial law",
    "173": "Arrest, detain, or charge with legal action",
    "174": "Expel or deport individuals",
    "175": "Use tactics of violent repression",
    "18": "Assault",
    "180": "Use unconventional violence, not specified below",
    "181": "Abduct, hijack, or take hostage",
    "182": "Physically assault, not specified below",
    "1821": "Sexually assault",
    "1822": "Torture",
    "1823": "Kill by physical assault",
    "183": "Conduct suicide, car, or other non-military bombing, not spec below",
    "1831": "Carry out suicide bombing",
    "1832": "Carry out car bombing",
    "1833": "Carry out roadside bombing",
    "184": "Use as human shield",
    "185": "Attempt to assassinate",
    "186": "Assassinate",
    "19": "Fight",
    "190": "Use conventional military force, not specified below",
    "191": "Impose blockade, restrict movement",
    "192": "Occupy territory",
    "193": "Fight with small arms and light weapons",
    "194": "Fight with artillery and tanks",
    "195": "Employ aerial weapons",
    "196": "Violate ceasefire",
    "20": "Use unconventional mass violence",
    "200": "Use unconventional mass violence, not specified below",
    "201": "Engage in mass expulsion",
    "202": "Engage in mass killings",
    "203": "Engage in ethnic cleansing",
    "204": "Use weapons of mass destruction, not specified below",
    "2041": "Use chemical, biological, or radiological weapons",
    "2042": "Detonate nuclear weapons",
}
"""CAMEO event code -> label, for the 20 roots (two digits), the events (three) and sub-events (four)."""

KIND_RULES: dict[str, str] = {
    "040": "consultation",
    "041": "call",
    "042": "visit",
    "043": "visit",
    "044": "meeting",
    "045": "meeting",
    "046": "meeting",
    "04": "consultation",
    "050": "meeting",
    "057": "meeting",
    "05": "announcement",
}
"""Code prefix -> event kind; the longest matching prefix wins, anything else is an 'announcement'.

Consultations (04) become what they describe: 041 *Discuss by telephone* a
call, 042/043 *Make/Host a visit* a visit, 044-046 (meet at a third location,
mediate, negotiate) a meeting.  Diplomatic cooperation (05) is a meeting when
people meet (050, 057 *Sign formal agreement*) and otherwise an announcement
(praise, recognition, apology...).  Every other code, the refusals included,
is an announcement: the data model has no kind for conflict, and the CAMEO
code and label of the event keep the detail.
"""

DEFAULT_SELECTION: tuple[str, ...] = ("04", "05", "125", "126", "161", "164", "165")
"""The diplomatic interactions an import keeps by default: consultations, visits and meetings
(root 04), diplomatic cooperation (root 05) and its refusal: 125 *Reject proposal to meet,
discuss, or negotiate*, 126 *Reject mediation*, 161 *Reduce or break diplomatic relations*,
164 *Halt negotiations*, 165 *Halt mediation*."""

QUAD_CLASSES: dict[str, str] = {
    "1": "Verbal cooperation",
    "2": "Material cooperation",
    "3": "Verbal conflict",
    "4": "Material conflict",
}
"""GDELT's QuadClass; ICEWS has none, so it is derived from the root: 01-05, 06-08, 09-13, 14-20."""

_ROOT_QUAD = {
    f"{r:02d}": q
    for q, roots in (("1", range(1, 6)), ("2", range(6, 9)), ("3", range(9, 14)), ("4", range(14, 21)))
    for r in roots
}
_CODE_RX = re.compile(r"\d{2,4}")


def root_of(code: str) -> str:
    """The two-digit root of an event code.

    >>> root_of("0421"), root_of("193")
    ('04', '19')
    """
    return code[:2]


def describe(code: str) -> str:
    """The codebook label of an event code, or of its nearest parent when the code itself is unlisted.

    >>> describe("042")
    'Make a visit'
    >>> describe("0429")
    'Make a visit'
    >>> describe("99")
    ''
    """
    for n in range(len(code), 1, -1):
        label = EVENT_CODES.get(code[:n])
        if label:
            return label
    return ""


def short_label(code: str) -> str:
    """The label of a code for an event title: without the codebook's 'not specified below'.

    >>> short_label("040"), short_label("1123")
    ('Consult', 'Accuse of aggression')
    """
    label = describe(code)
    return re.sub(r",?\s*not specified below$", "", label) or label


def event_kind(code: str) -> str:
    """The :data:`explorer.schema.EVENT_KINDS` kind of an event code (see :data:`KIND_RULES`).

    >>> event_kind("041"), event_kind("043"), event_kind("0461"), event_kind("051"), event_kind("190")
    ('call', 'visit', 'meeting', 'announcement', 'announcement')
    """
    for n in range(len(code), 1, -1):
        kind = KIND_RULES.get(code[:n])
        if kind:
            return kind
    return "announcement"


def quad_class(code: str) -> str:
    """The QuadClass (1-4, as a string) of an event code, from its root; '' for an unknown root.

    >>> quad_class("042"), quad_class("0711"), quad_class("112"), quad_class("190")
    ('1', '2', '3', '4')
    """
    return _ROOT_QUAD.get(root_of(code), "")


def parse_selection(text: str | None) -> tuple[str, ...]:
    """The CAMEO codes an ``--cameo`` option selects: roots or event codes, comma- or space-separated.

    ``None`` or ``'default'`` gives :data:`DEFAULT_SELECTION`; ``'all'`` gives
    every root.  A code selects itself and all its sub-codes.  Codes are kept
    as strings and must exist in the codebook.

    >>> parse_selection("04, 057")
    ('04', '057')
    >>> parse_selection("42")
    Traceback (most recent call last):
    ...
    explorer.errors.ArgumentError: --cameo: '42' is not a CAMEO code; codes have 2 to 4 digits with their leading zeros, e.g. 04 (Consult), 042 (Make a visit)
    """
    if text is None or text.strip().lower() in ("", "default"):
        return DEFAULT_SELECTION
    if text.strip().lower() == "all":
        return tuple(sorted(c for c in EVENT_CODES if len(c) == 2))
    codes = []
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        if not _CODE_RX.fullmatch(item) or item not in EVENT_CODES:
            raise ArgumentError(
                f"--cameo: {item!r} is not a CAMEO code; codes have 2 to 4 digits with their leading zeros, "
                "e.g. 04 (Consult), 042 (Make a visit)"
            )
        if item not in codes:
            codes.append(item)
    return tuple(codes)


def matches_selection(code: str, selection: tuple[str, ...]) -> bool:
    """Whether an event code is one of, or a sub-code of one of, the selected codes.

    >>> matches_selection("0421", ("04",)), matches_selection("051", ("04", "057"))
    (True, False)
    """
    return any(code.startswith(s) for s in selection)


@dataclass(frozen=True)
class IGO:
    """An organisation with a fixed id: a CAMEO known group, or a well-known IGO CAMEO does not list.

    ``id`` is the organisation's usual acronym or short name (an id of the
    data model), ``cameo`` its CAMEO known-group code ('' when CAMEO has
    none), ``aliases`` the other names and acronyms it goes by: an actor is
    matched to it by one of these exactly, never by a shared acronym.
    ``sector`` is ``igo`` (inter-governmental), ``ngo``, ``party`` or
    ``armed`` (an armed group or militant movement).
    """

    cameo: str
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    sector: str = "igo"


IGOS: tuple[IGO, ...] = (
    IGO("ABD", "BADEA", "Arab Bank for Economic Development in Africa"),
    IGO("ACC", "ACC", "Arab Cooperation Council"),
    IGO("ADB", "ADB", "Asian Development Bank"),
    IGO("AEU", "CAEU", "Council of Arab Economic Unity"),
    IGO("AFB", "AFDB", "African Development Bank"),
    IGO("AMF", "AMF", "Arab Monetary Fund"),
    IGO("AMU", "AMU", "Arab Maghreb Union"),
    IGO("APE", "OAPEC", "Organization of Arab Petroleum Exporting Countries"),
    IGO("ARL", "LAS", "Arab League", ("League of Arab States",)),
    IGO("ASN", "ASEAN", "Association of Southeast Asian Nations"),
    IGO("ATD", "TDB", "Eastern and Southern African Trade and Development Bank"),
    IGO("BCA", "BEAC", "Bank of Central African States"),
    IGO("BIS", "BIS", "Bank for International Settlements"),
    IGO("CEM", "COMESA", "Common Market for Eastern and Southern Africa"),
    IGO("CFA", "CFA", "Franc Zone Financial Community of Africa"),
    IGO("CIS", "CIS", "Commonwealth of Independent States"),
    IGO("COE", "COE", "Council of Europe"),
    IGO("CPA", "COPAL", "Cocoa Producers' Alliance"),
    IGO("CPC", "ACPC", "Association of Coffee Producing Countries"),
    IGO("CSS", "CENSAD", "Community of Sahel-Saharan States"),
    IGO("CWN", "COMMONWEALTH", "Commonwealth of Nations"),
    IGO("EBR", "EBRD", "European Bank for Reconstruction and Development"),
    IGO("ECA", "ECCAS", "Economic Community of Central African States"),
    IGO("EEC", "EU", "European Union", ("European Commission", "European Council")),
    IGO("EFT", "EFTA", "European Free Trade Association"),
    IGO("FAO", "FAO", "Food and Agriculture Organization"),
    IGO("GCC", "GCC", "Gulf Cooperation Council"),
    IGO("GOE", "G8", "Group of Eight"),
    IGO("GOS", "G7", "Group of Seven"),
    IGO("GSS", "G77", "Group of 77"),
    IGO("HCH", "OHCHR", "UN High Commissioner for Human Rights"),
    IGO("HCR", "UNHCR", "UN High Commissioner for Refugees"),
    IGO("HIP", "HIPC", "Heavily Indebted Poor Countries Initiative"),
    IGO("IAC", "IACO", "Inter-African Coffee Organization"),
    IGO("IAD", "IGAD", "Intergovernmental Authority on Development"),
    IGO("IAE", "IAEA", "International Atomic Energy Agency"),
    IGO("ICC", "ICC", "International Criminal Court"),
    IGO("ICJ", "ICJ", "International Court of Justice"),
    IGO("ICO", "ICCO", "International Cocoa Organization"),
    IGO("IDB", "ISDB", "Islamic Development Bank"),
    IGO("IGC", "IGC", "International Grains Council"),
    IGO("ILO", "ILO", "International Labour Organization"),
    IGO("IMF", "IMF", "International Monetary Fund"),
    IGO("IOM", "IOM", "International Organization for Migration"),
    IGO("IPU", "IPU", "Inter-Parliamentary Union"),
    IGO("ITP", "INTERPOL", "Interpol"),
    IGO("KID", "UNICEF", "UN Children's Fund"),
    IGO("NAT", "NATO", "North Atlantic Treaty Organization"),
    IGO("NEP", "NEPAD", "New Partnership for Africa's Development"),
    IGO("NON", "NAM", "Non-Aligned Movement"),
    IGO("OAS", "OAS", "Organization of American States"),
    IGO("OAU", "AU", "African Union", ("Organization of African Unity",)),
    IGO("OIC", "OIC", "Organisation of Islamic Cooperation", ("Organization of Islamic Conference",)),
    IGO("OPC", "OPEC", "Organization of the Petroleum Exporting Countries"),
    IGO("PAP", "PAP", "Pan-African Parliament"),
    IGO("PRC", "PARIS-CLUB", "Paris Club"),
    IGO("SAA", "SAARC", "South Asian Association for Regional Cooperation"),
    IGO("SAD", "SADC", "Southern African Development Community"),
    IGO("SCE", "OSCE", "Organization for Security and Co-operation in Europe"),
    IGO("SOT", "SEATO", "Southeast Asia Treaty Organization"),
    IGO("UEM", "UEMOA", "West African Economic and Monetary Union"),
    IGO("UNO", "UN", "United Nations"),
    IGO("WAD", "BOAD", "West African Development Bank"),
    IGO("WAM", "WAMZ", "West African Monetary Zone"),
    IGO("WAS", "ECOWAS", "Economic Community of West African States"),
    IGO("WBK", "WB", "World Bank"),
    IGO("WFP", "WFP", "World Food Programme"),
    IGO("WHO", "WHO", "World Health Organization"),
    IGO("WTO", "WTO", "World Trade Organization"),
)
"""The IGOs among CAMEO's known-group codes."""

KNOWN_GROUPS: tuple[IGO, ...] = (
    IGO("AAM", "AAMB", "Al-Aqsa Martyrs' Brigades", ("Al Aqsa Martyrs Brigade",), "armed"),
    IGO("ALQ", "AL-QAEDA", "Al-Qaeda", ("Al Qaeda", "Al Qaida", "Al-Qaida"), "armed"),
    IGO("AML", "AMAL", "Amal Movement", ("Amal Militia", "Amal"), "armed"),
    IGO("AMN", "AMNESTY", "Amnesty International", (), "ngo"),
    IGO("ANO", "ANO", "Abu Nidal Organization", (), "armed"),
    IGO("ASL", "SLA", "South Lebanon Army", (), "armed"),
    IGO("BTH", "BAATH", "Baath Party", ("Ba'ath Party",), "party"),
    IGO("CRC", "IFRC", "International Federation of Red Cross and Red Crescent Societies", (), "ngo"),
    IGO("DFL", "DFLP", "Democratic Front for the Liberation of Palestine", (), "armed"),
    IGO("ENN", "ENNAHDA", "Ennahda Movement", ("Ennahda",), "party"),
    IGO("FID", "FIDH", "International Federation for Human Rights", (), "ngo"),
    IGO("FIS", "AIS", "Islamic Salvation Army", (), "armed"),
    IGO("FLN", "FLN", "National Liberation Front", (), "party"),
    IGO("FTA", "FATAH", "Fatah", (), "party"),
    IGO("GIA", "GIA", "Armed Islamic Group", (), "armed"),
    IGO("GSP", "GSPC", "Salafist Group for Preaching and Combat", ("Salafist Group",), "armed"),
    IGO("HEZ", "HEZBOLLAH", "Hezbollah", ("Hizballah", "Hezbullah", "Hizbullah"), "armed"),
    IGO("HMS", "HAMAS", "Hamas", (), "armed"),
    IGO("HRW", "HRW", "Human Rights Watch", (), "ngo"),
    IGO("IAF", "IAF", "Islamic Action Front", (), "party"),
    IGO("ICG", "ICG", "International Crisis Group", (), "ngo"),
    IGO("IHF", "IHF", "International Helsinki Federation for Human Rights", (), "ngo"),
    IGO("IRC", "ICRC", "International Committee of the Red Cross", ("Red Cross",), "ngo"),
    IGO("ISJ", "PIJ", "Palestinian Islamic Jihad", ("Islamic Jihad",), "armed"),
    IGO("JUR", "ICJURISTS", "International Commission of Jurists", (), "ngo"),
    IGO("KDP", "KDP", "Kurdistan Democratic Party", ("Kurdish Democratic Party",), "party"),
    IGO("LBA", "ISRAELI-LABOR", "Israeli Labor Party", (), "party"),
    IGO("LKD", "LIKUD", "Likud", ("Likud Party",), "party"),
    IGO("MBR", "MUSLIM-BROTHERS", "Muslim Brotherhood", (), "party"),
    IGO("MRZ", "MERETZ", "Meretz", ("Meretz Party",), "party"),
    IGO("MSF", "MSF", "Médecins Sans Frontières", ("Doctors Without Borders", "Medecins Sans Frontieres"), "ngo"),
    IGO("MSP", "MSP", "Movement of Society for Peace", ("Movement of the Society for Peace",), "party"),
    IGO("PFL", "PFLP", "Popular Front for the Liberation of Palestine", (), "armed"),
    IGO("PLF", "PLF", "Palestine Liberation Front", (), "armed"),
    IGO("PLO", "PLO", "Palestine Liberation Organization", (), "party"),
    IGO("PLS", "POLISARIO", "Polisario Front", (), "armed"),
    IGO("PMD", "MEK", "People's Mujahedin of Iran", ("People's Mujahedeen", "Mujahedin-e Khalq"), "armed"),
    IGO("RCR", "RED-CRESCENT", "Red Crescent", (), "ngo"),
    IGO("RND", "RND", "Democratic National Rally", (), "party"),
    IGO("SHA", "SHAS", "Shas", ("Shas Party",), "party"),
    IGO("TAL", "TALIBAN", "Taliban", (), "armed"),
    IGO("WCT", "WAR-CRIMES-TRIB", "International War Crimes Tribunals", (), "igo"),
    IGO("WEF", "WEF", "World Economic Forum", (), "ngo"),
    IGO("XFM", "OXFAM", "Oxfam", (), "ngo"),
)
"""CAMEO's other known groups (NGOs, parties, armed groups): each becomes an organisation too.

Two codes are left out: ``CMN`` (*Communist*, an ideology, not one group)
and ``PSE`` (the Palestinian territories, a place: the actor is that
country)."""

OTHER_ORGANIZATIONS: tuple[IGO, ...] = (
    IGO("", "UNSC", "UN Security Council", ("United Nations Security Council",)),
    IGO("", "UNGA", "UN General Assembly", ("United Nations General Assembly",)),
    IGO("", "EP", "European Parliament"),
    IGO("", "ECB", "European Central Bank"),
    IGO("", "SCO", "Shanghai Cooperation Organization"),
    IGO("", "EUROPOL", "Europol"),
    IGO("", "BRICS", "BRICS"),
    IGO("", "G20", "Group of Twenty", ("G-20",)),
    IGO("", "APEC", "Asia-Pacific Economic Cooperation"),
    IGO("", "OECD", "Organization for Economic Co-operation and Development"),
    IGO("", "OPCW", "Organization for the Prohibition of Chemical Weapons"),
    IGO("", "UNWTO", "World Tourism Organization", ("UN World Tourism Organization",)),
    IGO("", "UNESCO", "UN Educational, Scientific and Cultural Organization"),
    IGO("", "UNDP", "UN Development Programme", ("United Nations Development Programme",)),
    IGO("", "EAEU", "Eurasian Economic Union"),
    IGO("", "CSTO", "Collective Security Treaty Organization"),
    IGO("", "MERCOSUR", "Mercosur"),
    IGO("", "AIIB", "Asian Infrastructure Investment Bank"),
    IGO("", "NDB", "New Development Bank"),
)
"""Well-known IGOs CAMEO gives no code, matched by ICEWS names (full name, acronym or alias only)."""

NOT_GROUPS: dict[str, str] = {"CMN": "", "PSE": "PSE"}
"""CAMEO known-group codes that are not one organisation: ``CMN`` (*Communist*) is an ideology,
``PSE`` the Palestinian territories (the ISO3 code of that country)."""

_BY_CODE = {igo.cameo: igo for igo in (*IGOS, *KNOWN_GROUPS)}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    text = text.replace("organisation", "organization").replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


_BY_NAME = {
    _fold(n): igo for igo in (*IGOS, *KNOWN_GROUPS, *OTHER_ORGANIZATIONS) for n in (igo.name, igo.id, *igo.aliases)
}


def igo_by_code(code: str) -> IGO | None:
    """The organisation of a CAMEO known-group code (an IGO, an NGO, a party or an armed group).

    >>> igo_by_code("EEC").id, igo_by_code("ALQ").id, igo_by_code("CMN") is None
    ('EU', 'AL-QAEDA', True)
    """
    return _BY_CODE.get(code)


@lru_cache(maxsize=4096)
def igo_by_name(name: str) -> IGO | None:
    """The organisation an ICEWS actor name denotes, by its full name, acronym or alias (case, accents,
    punctuation and -isation/-ization ignored); None when no table lists it exactly.

    >>> igo_by_name("North Atlantic Treaty Organisation").id, igo_by_name("World Tourism Organization").id
    ('NATO', 'UNWTO')
    >>> igo_by_name("World Trade Organization").id, igo_by_name("Refugees International") is None
    ('WTO', True)
    """
    return _BY_NAME.get(_fold(name))
