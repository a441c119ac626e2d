"""The dashboard's Export menu: every format of :data:`explorer.exports.FORMATS`, as a download.

:func:`menu` is the component (a dropdown generated from the registry, a
``dcc.Download`` and a status line); :func:`register` adds its one callback,
a thin adapter: the clicked format and the view state from the
``view-state`` store go to :func:`export_download`, which calls the same
:func:`explorer.exports.export_bytes` as the command line.
"""

from __future__ import annotations

import base64
import threading

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from ..errors import ExplorerError
from ..exports import FORMATS, export_bytes, unavailable_reason
from ..presenter import AppData
from ..viewstate import ViewState

__all__ = ["menu", "register", "export_download", "set_export_slots", "ITEM_TYPE", "BUSY", "DISABLED"]

ITEM_TYPE = "export-format"
BUSY = "The server is making another export; try again in a moment."
DISABLED = "Exports are turned off on this server; use `explorer export` on your own machine."

# Exports (pictures through Chromium, GIF frames) take seconds of CPU: at most this many run at
# once in a process, and a click that finds them all busy is refused at once rather than queued.
_slots = threading.BoundedSemaphore(1)


def set_export_slots(n: int) -> None:
    """Allow ``n`` exports at once in this process (the server sets it from ``--export-slots``)."""
    global _slots
    _slots = threading.BoundedSemaphore(max(1, int(n)))


def _items() -> list:
    items: list = []
    group = None
    for f in FORMATS.values():
        if f.group != group:
            if group is not None:
                items.append(dbc.DropdownMenuItem(divider=True))
            items.append(dbc.DropdownMenuItem(f.group, header=True))
            group = f.group
        reason = unavailable_reason(f)
        label = f.label + (f" — {reason}" if reason else "")
        items.append(
            dbc.DropdownMenuItem(
                html.Span(label, title=f.description),
                id={"type": ITEM_TYPE, "format": f.id},
                disabled=bool(reason),
                n_clicks=0,
            )
        )
    return items


def menu():
    """The Export menu, its download target and its status line (ids ``export-*``)."""
    return html.Div(
        [
            dbc.DropdownMenu(
                _items(),
                id="export-button",
                label="Export",
                size="sm",
                color="primary",
                align_end=True,
            ),
            dcc.Download(id="export-download"),
            html.Span(id="export-status", className="small ms-2", role="status", **{"aria-live": "polite"}),
        ],
        id="export-menu",
        className="d-flex align-items-center",
    )


def export_download(data: AppData, stored: dict | None, fmt: str) -> tuple[dict | None, str]:
    """The ``dcc.Download`` payload and a status line for exporting the stored view state as ``fmt``.

    Errors a user can meet (no browser for pictures, too many frames) become
    the status line, never a broken page. When every export slot of the
    process is taken, the status line says so (:data:`BUSY`) and nothing runs.
    """
    if not isinstance(fmt, str) or fmt not in FORMATS:
        return None, f"Export failed: unknown format {str(fmt)[:40]!r}"
    state = ViewState.from_dict(stored or {})
    slots = _slots
    if not slots.acquire(blocking=False):
        return None, BUSY
    try:
        name, content = export_bytes(data, state, fmt)
    except ExplorerError as exc:
        return None, f"Export failed: {exc}"
    finally:
        slots.release()
    payload = {
        "content": base64.b64encode(content).decode("ascii"),
        "filename": name,
        "base64": True,
        "type": FORMATS[fmt].media_type,
    }
    return payload, f"Downloaded {name}"


def register(app: dash.Dash, data: AppData) -> None:
    """The menu's callback: a click on a format downloads the current view in it."""

    @app.callback(
        Output("export-download", "data"),
        Output("export-status", "children"),
        Input({"type": ITEM_TYPE, "format": ALL}, "n_clicks"),
        State("view-state", "data"),
        prevent_initial_call=True,
        running=[
            (Output("export-button", "disabled"), True, False),
            (Output("export-button", "label"), "Exporting…", "Export"),
        ],
    )
    def download(clicks, stored):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or ()):
            return no_update, no_update
        if not app.server.config.get("EXPLORER_EXPORTS", True):
            return no_update, DISABLED
        payload, status = export_download(data, stored, trigger["format"])
        return (payload if payload is not None else no_update), status
