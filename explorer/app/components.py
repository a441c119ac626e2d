"""Small renderers from plain dicts (see :mod:`explorer.details`) to Dash components.

Text from data files is always passed as component children or props, which
React renders as text: markup in a name or a note is shown, never executed.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

_BADGE = {"disputed": "danger", "low": "warning", "medium": "secondary"}


def sources_list(sources: list[dict]):
    items = []
    for s in sources:
        meta = " · ".join(
            x
            for x in (s["publisher"], s["published"], f"reliability {s['reliability']}" if s.get("reliability") else "")
            if x
        )
        link = (
            html.A(s["title"], href=s["url"], target="_blank", rel="noopener noreferrer")
            if s.get("url")
            else html.Span(s["title"])
        )
        # One span for the id and the rest: every component is work for the browser on each update.
        items.append(html.Li([link, html.Span(f" ({s['id']}) " + meta, className="small text-body-secondary")]))
    return html.Ul(items, className="sources small mb-1 ps-3")


def flags(status: str = "confirmed", confidence: str = "high"):
    out = []
    if status == "disputed":
        out.append(dbc.Badge("⚠ disputed", color="danger", className="me-1"))
    if confidence in ("low", "medium"):
        out.append(
            dbc.Badge(
                f"{confidence} confidence",
                color=_BADGE[confidence],
                className="me-1",
                text_color="dark" if confidence == "low" else None,
            )
        )
    return out


def folder_badge(folder: str):
    """Which data folder a fact came from; nothing when only one folder is open."""
    if not folder:
        return None
    return dbc.Badge(f"folder: {folder}", color="light", text_color="dark", className="me-1 border folder")


def event_card(e: dict):
    when = e["start"] + (f" – {e['end']}" if e["end"] and e["end"] != e["start"] else "")
    topics = [html.Li(f"{t['topic']}: {t['outcome']}") for t in e["topics"]]
    who = ", ".join(f"{p['name']} ({p['role']})" for p in e["participants"])
    return html.Div(
        [
            html.Div(
                [html.Strong(e["title"]), " ", *flags("confirmed", e["confidence"]), folder_badge(e.get("folder", ""))]
            ),
            html.Div(
                f"{when} · {e['kind']}" + (f" · {e['place']}" if e["place"] else ""),
                className="small text-body-secondary",
            ),
            html.Div(who, className="small"),
            html.Ul(topics, className="small mb-1 ps-3") if topics else None,
            html.Div(e["note"], className="small fst-italic") if e.get("note") else None,
            sources_list(e["sources"]),
        ],
        className="event border-bottom pb-1 mb-2",
    )


def affiliation_item(a: dict, seen_from: str = ""):
    """One affiliation; an office seen from its country names the person who held it."""
    when = f"{a['start']} – {a['end'] or 'ongoing'}"
    if a["kind"] == "office":
        what = (
            f"{a['source_name']}: {a['title'] or 'office'}"
            if seen_from == a["target"]
            else f"{a['title'] or 'Office'}, {a['target_name']}"
        )
    else:
        what = f"{a['source_name']} — {a['label']} {a['target_name']}"
    return html.Li(
        [
            what + " ",
            html.Span(when, className="small text-body-secondary"),
            " ",
            *flags(a["status"], a["confidence"]),
            folder_badge(a.get("folder", "")),
            html.Div(a["note"], className="small fst-italic") if a.get("note") else None,
            sources_list(a["sources"]),
        ],
        className="mb-1",
    )


FOLD_AFTER = 5  # list items shown before "Show N more"


def folded(items: list, what: str, first: int = FOLD_AFTER) -> list:
    """The first ``first`` items, the rest in a closed <details> that says how many there are."""
    if len(items) <= first + 1:
        return items
    summary = html.Summary(f"Show {len(items) - first} more {what}")
    if isinstance(items[0], html.Li):
        # A list may hold only list items: the fold is an item holding the rest as a list.
        return [
            *items[:first],
            html.Li(html.Details([summary, html.Ul(items[first:], className="ps-3")]), className="list-unstyled"),
        ]
    return [*items[:first], html.Details([summary, *items[first:]])]


def details_hint():
    """What the details panel says while nothing is selected."""
    return html.P(
        "Click a node or a tie (or pick one in the search box or the Metrics table) to see its facts "
        "and their sources.",
        className="small text-body-secondary",
    )


def node_panel(d: dict | None):
    if d is None:
        return html.P("That entity is not in the data.", className="small")
    header = [
        html.H3(d["name"], className="h5 mb-0"),
        html.Div(
            f"{d['kind']}"
            + (f" · {d['country_name']}" if d.get("country_name") else "")
            + (f" · also: {', '.join(d['aliases'])}" if d["aliases"] else ""),
            className="small text-body-secondary",
        ),
    ]
    if d.get("note"):
        header.append(html.Div(d["note"], className="small fst-italic"))
    if d.get("folders"):
        header.append(html.Div(f"In folders: {', '.join(d['folders'])}", className="small folders"))
    if d.get("wikidata"):
        header.append(
            html.A(
                f"Wikidata {d['wikidata']}",
                href=f"https://www.wikidata.org/wiki/{d['wikidata']}",
                target="_blank",
                rel="noopener noreferrer",
                className="small",
            )
        )
    # The events in the window come first: they are what the view shows; offices and memberships follow.
    events = [event_card(e) for e in d["events"]]
    affiliations = [affiliation_item(a, d["id"]) for a in d["affiliations"]]
    return html.Div(
        [
            *header,
            html.H4(f"Events in this window ({len(d['events'])})", className="h6 mt-2"),
            html.Div(folded(events, "events")) if events else html.P("None in this window.", className="small"),
            html.H4(f"Offices and affiliations ({len(d['affiliations'])})", className="h6 mt-2"),
            html.Ul(folded(affiliations, "offices and affiliations"), className="ps-3")
            if affiliations
            else html.P("None recorded.", className="small"),
        ],
        id="node-details",
    )


def edge_panel(d: dict | None):
    if d is None:
        return html.P("That tie is not in the current view.", className="small")
    if d["kind"] == "affiliation":
        a = d["affiliation"]
        return html.Div(
            [
                html.H3(f"{a['source_name']} → {a['target_name']}", className="h5"),
                html.Ul([affiliation_item(a)], className="ps-3"),
            ],
            id="edge-details",
        )
    return html.Div(
        [
            html.H3(f"{d['u_name']} — {d['v_name']}", className="h5"),
            html.Div(f"{len(d['events'])} event{'s' if len(d['events']) != 1 else ''}", className="small"),
            html.Div(folded([event_card(e) for e in d["events"]], "events")),
        ],
        id="edge-details",
    )


def paths_panel(paths: list[dict], a: str, b: str, entities: dict | None = None):
    entities = entities or {}
    if not a or not b:
        return html.P("Pick two entities to see how they are connected in the current view.", className="small mt-2")
    if not paths:
        names = " and ".join(entities.get(x, {}).get("name", x) for x in (a, b))
        return html.P(
            f"No path joins {names} in this view (different components, or not in the window).",
            className="small mt-2",
        )
    out = []
    for i, p in enumerate(paths, 1):
        hops = []
        for h in p["hops"]:
            ties = []
            for t in h["ties"]:
                links = [
                    html.A(
                        s["title"] or s["id"],
                        href=s["url"],
                        target="_blank",
                        rel="noopener noreferrer",
                        className="me-2",
                    )
                    if s.get("url")
                    else html.Span(s["title"] or s["id"])
                    for s in t.get("sources", [])[:3]
                ]
                ties.append(html.Li([t["text"], html.Br(), html.Span(links, className="small")], className="small"))
            hops.append(html.Li([html.Strong(f"{h['source_name']} → {h['target_name']}"), html.Ul(ties)]))
        out.append(
            html.Div(
                [html.H4(f"Path {i}: " + " → ".join(p["names"]), className="h6"), html.Ol(hops, className="ps-3")],
                className="mb-2 path",
            )
        )
    return html.Div(out, className="mt-2")
