"""The bundled dataset keeps the rules of its fact base."""

from __future__ import annotations


def test_general_knowledge_is_low_confidence(bundled):
    for frame in (bundled.affiliations, bundled.events):
        gk = frame[frame["sources"].str.contains(r"\bGK\b")]
        assert (gk["confidence"] == "low").all(), gk[["line", "confidence"]].to_dict("records")


def test_sullivan_has_his_real_title_and_the_article_error_is_noted(bundled):
    office = bundled.affiliations[
        (bundled.affiliations["source"] == "jake-sullivan") & (bundled.affiliations["kind"] == "office")
    ].iloc[0]
    assert office["title"].startswith("National Security Advisor")
    note = bundled.entities.set_index("id").loc["jake-sullivan", "note"]
    assert "seed article" in note


def test_saudi_membership_is_never_confirmed(bundled):
    aff = bundled.affiliations
    sau = aff[(aff["source"] == "SAU") & (aff["target"] == "BRICS") & (aff["kind"] == "member")]
    assert len(sau) == 1 and sau.iloc[0]["status"] == "disputed"


def test_every_summit_from_2009_to_2025(bundled):
    summits = bundled.events[bundled.events["kind"] == "summit"]
    years = sorted(int(s[:4]) for s in summits["start"])
    assert len(summits) == 17 and years[0] == 2009 and years[-1] == 2025
    hosts = bundled.participants[bundled.participants["event"].isin(summits["id"])]
    assert set(summits["id"]) <= set(hosts["event"])


def test_argentina_declined_by_letter_of_22_december(bundled):
    aff = bundled.affiliations
    declined = aff[(aff["source"] == "ARG") & (aff["kind"] == "declined")].iloc[0]
    assert declined["start"] == "2023-12-22"
