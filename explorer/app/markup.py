"""A tree of Dash HTML components as one HTML string, for panels the browser shows as they are.

The details panel of a country holds hundreds of elements (events, their topics, their
sources). As Dash components each one is a React component that the Dash renderer tracks,
and a click waited about 300 ms of browser time for them.  As one string, set as the panel's
HTML, the browser parses them in a few milliseconds.  The components stay the one description
of the panel (:mod:`explorer.app.components`); this module only writes them out.

Every text and attribute value goes through :func:`explorer.text.escape_markup`, and only the
attributes below are written (a link only to ``http(s)``, ``mailto`` or a page-relative
address), so markup in a name, a note or a source title is shown, never run.  A component or an
attribute this module does not know is an error, not something silently dropped.
"""

from __future__ import annotations

import re

from dash.development.base_component import Component

from ..text import escape_markup

# Dash html components written as the element of the same name.
_TAGS = {
    "A",
    "B",
    "Br",
    "Details",
    "Div",
    "Em",
    "H1",
    "H2",
    "H3",
    "H4",
    "H5",
    "H6",
    "I",
    "Li",
    "Ol",
    "P",
    "Small",
    "Span",
    "Strong",
    "Summary",
    "Ul",
}
_VOID = {"br"}
# Props written as attributes: the Dash name, then the HTML name.
_ATTRS = {"id": "id", "className": "class", "href": "href", "target": "target", "rel": "rel", "title": "title"}
_SAFE_HREF = re.compile(r"(https?:|mailto:|[/#?]|\.\.?/)", re.I)
# What Dash or the component adds by itself, with no meaning in the written element.
_IGNORED = {"children", "n_clicks", "n_clicks_timestamp", "disable_n_clicks", "key", "loading_state"}


def to_html(node) -> str:
    """``node`` (a component, a string, a number, None or a list of them) as an HTML string."""
    out: list[str] = []
    _write(node, out)
    return "".join(out)


def _write(node, out: list[str]) -> None:
    if node is None or node is False:
        return
    if isinstance(node, str | int | float):
        out.append(escape_markup(str(node)))
    elif isinstance(node, list | tuple):
        for child in node:
            _write(child, out)
    elif isinstance(node, Component):
        _element(node, out)
    else:
        raise TypeError(f"to_html: cannot write a {type(node).__name__}")


def _element(c: Component, out: list[str]) -> None:
    kind, props = type(c).__name__, c.to_plotly_json()["props"]
    classes: list[str] = []
    if c._namespace == "dash_html_components" and kind in _TAGS:
        tag = kind.lower()
    elif c._namespace == "dash_bootstrap_components" and kind == "Badge":
        # As dash-bootstrap-components draws it: a span with Bootstrap's badge classes.
        tag = "span"
        classes = ["badge"]
        if props.get("color"):
            classes.append(f"bg-{props.pop('color')}")
        if props.get("text_color"):
            classes.append(f"text-{props.pop('text_color')}")
    else:
        raise TypeError(f"to_html: no HTML form for {c._namespace}.{kind}")
    if props.get("className"):
        classes.append(props.pop("className"))
    attrs = [f' class="{escape_markup(" ".join(classes))}"'] if classes else []
    for name, value in props.items():
        if name in _IGNORED or value is None:
            continue
        if name == "open" and tag == "details":
            attrs.append(" open" if value else "")
            continue
        html_name = _ATTRS.get(name) or (name if name.startswith(("aria-", "data-")) else None)
        if html_name is None:
            raise TypeError(f"to_html: {kind} has a prop {name!r} this writer does not know")
        text = str(value)
        if html_name == "href" and not _SAFE_HREF.match(text.strip()):
            continue  # a javascript: or data: link is not written at all
        attrs.append(f' {html_name}="{escape_markup(text)}"')
    out.append(f"<{tag}{''.join(attrs)}>")
    if tag in _VOID:
        return
    _write(props.get("children"), out)
    out.append(f"</{tag}>")
