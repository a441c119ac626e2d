"""The details panel is sent as one HTML string (explorer.app.markup): what it says must be the
components' text, every data text shown as text, and no link that runs code."""

from __future__ import annotations

import html as stdhtml
from html.parser import HTMLParser

import dash_bootstrap_components as dbc
import pytest
from dash import dcc, html
from hypothesis import given
from hypothesis import strategies as st

from explorer.app import callbacks, components
from explorer.app.markup import to_html
from explorer.details import node_details
from explorer.paths import bundled_data_dir
from explorer.presenter import prepare_app_data, render_view
from explorer.viewstate import ViewState


class _Tree(HTMLParser):
    """Tags and text as a browser's parser reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> _Tree:
    t = _Tree()
    t.feed(text)
    t.close()
    return t


@given(st.text())
def test_any_text_is_shown_as_text(text):
    out = to_html(html.Div([html.Strong(text), html.Span(text, title=text)], className="x"))
    tree = parse(out)
    assert [t for t, _ in tree.tags] == ["div", "strong", "span"]
    assert "".join(tree.text) == text + text
    assert tree.tags[2][1]["title"] == text


def test_markup_in_data_is_not_markup():
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    tree = parse(to_html(html.Li([evil, html.A(evil, href="https://example.org/?a=1&b=2")])))
    assert [t for t, _ in tree.tags] == ["li", "a"]
    assert tree.tags[1][1]["href"] == "https://example.org/?a=1&b=2"
    assert "".join(tree.text) == evil * 2


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x"]
)
def test_links_that_run_code_are_not_written(href):
    tree = parse(to_html(html.A("source", href=href, target="_blank")))
    assert tree.tags == [("a", {"target": "_blank"})]


def test_badges_folds_and_void_elements():
    out = to_html(
        [
            dbc.Badge("⚠ disputed", color="danger", className="me-1"),
            html.Details([html.Summary("Show 3 more"), html.Br()], open=False),
        ]
    )
    assert (
        out
        == '<span class="badge bg-danger me-1">⚠ disputed</span><details><summary>Show 3 more</summary><br></details>'
    )


def test_an_unknown_component_is_an_error_not_dropped():
    with pytest.raises(TypeError, match="Dropdown"):
        to_html(html.Div(dcc.Dropdown(id="x")))
    with pytest.raises(TypeError, match="onClick|style"):
        to_html(html.Div("x", style={"color": "red"}))


def test_the_details_of_china_say_what_the_components_say():
    data = prepare_app_data(bundled_data_dir())
    state = ViewState.from_query("from=2024-01-01&to=2024-02-29&level=countries")[0].replace(selected="CHN")
    result = render_view(data, state)
    out = callbacks._details(data, result, state)
    d = node_details(data.graph, result.whole, "CHN")
    tree = parse(out)
    text = "".join(tree.text)
    assert d["name"] in text
    for e in d["events"]:
        assert stdhtml.unescape(e["title"]) in text
        for s in e["sources"]:
            if s.get("url"):
                assert ("a", {"href": s["url"], "target": "_blank", "rel": "noopener noreferrer"}) in tree.tags
    # Folded lists stay folded: a <details> per list longer than the fold.
    assert sum(t == "details" for t, _ in tree.tags) == sum(
        len(x) > components.FOLD_AFTER + 1 for x in (d["events"], d["affiliations"])
    )
