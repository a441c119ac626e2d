"""The Dash dashboard: the component tree (:mod:`.layout`) and thin callbacks (:mod:`.callbacks`).

Only this package imports Dash.  :func:`create_app` builds an app over a data
folder; every user shares the read-only :class:`~explorer.presenter.AppData`
and keeps their own view state in the browser (a ``dcc.Store`` mirrored to the URL).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["create_app"]


def create_app(data: str | Path | object):
    """A Dash app over a data folder (or a prepared :class:`~explorer.presenter.AppData`).

    Raises :class:`~explorer.errors.DataError` when the folder does not validate.
    """
    # No request may leave the machine: Dash's dev tools would ask PyPI for a newer version.
    os.environ.setdefault("DASH_DISABLE_VERSION_CHECK", "true")
    import dash

    from ..paths import assets_dir
    from ..presenter import AppData, prepare_app_data
    from . import callbacks, exports_menu, layout

    app_data = data if isinstance(data, AppData) else prepare_app_data(data)
    app = dash.Dash(
        "explorer",
        title="explorer — who meets whom",
        assets_folder=str(assets_dir()),
        serve_locally=True,
        # assets/vendor holds plotly.js for the page to fetch itself (see _graph_scripts), not a script Dash adds.
        assets_path_ignore=["vendor"],
        update_title=None,
        # The grids are made when their tab first opens (callbacks._register_lazy_grids).
        suppress_callback_exceptions=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n" + _graph_scripts(app), 1)
    # The renderer starts once the deferred scripts have run (DOMContentLoaded): a graph that
    # mounted before plotly.js had run would make dcc.Graph fetch and run plotly.js again, and
    # plotly.py's full one (4.8 MB) at that.  Its layout request then starts after plotly.js ran:
    # the page's main thread is busy with it meanwhile anyway.
    app.renderer = (
        "var renderer; document.addEventListener('DOMContentLoaded', function () { renderer = new DashRenderer(); });"
    )
    # Each page is drawn for its link (the view in the URL), so the graph comes with the page;
    # the page's first callback then finds it up to date.
    app.layout = lambda: layout.make_layout(app_data, callbacks.opening_props(app_data, _page_query()))
    callbacks.register(app, app_data)
    exports_menu.register(app, app_data)
    app.server.config["EXPLORER_DATA"] = str(app_data.path)
    return app


PLOTLY_BUNDLE = "vendor/plotly-explorer.min.js"
"""plotly.js with only the trace types the dashboard draws (scatter, scattergl, bar, scattergeo),
built by ``tools/plotly-bundle`` from the plotly.js version the plotly package carries: 1.8 MB
instead of 4.8 MB to download, compile and run on a first visit (``docs/scale.md``)."""


def _graph_scripts(app) -> str:
    """plotly.js and dcc.Graph's code, fetched with the page: ``dcc.Graph`` otherwise asks for
    them only once the layout is drawn, and its first frame waits for their download and for the
    other controls' code that arrives meanwhile.  Deferred, they download with the page's other
    scripts and run before the renderer starts (:func:`create_app`); dcc then finds
    ``window.Plotly`` set (:data:`PLOTLY_BUNDLE`) and its chunk installed."""
    suites = app.config.requests_pathname_prefix + "_dash-component-suites/"
    bundle = app.get_asset_url(PLOTLY_BUNDLE)
    return "\n".join(
        f'        <script defer src="{src}"></script>' for src in (bundle, suites + "dash/dcc/async-graph.js")
    )


def _page_query() -> str:
    """The query string of the page asking for its layout: the ``Referer`` of the renderer's
    request (same-origin, see ``explorer.server.security_headers``); empty outside a request, or
    when the browser sends none, which opens the story (the first callback then draws the link's
    view)."""
    from urllib.parse import urlsplit

    import flask

    if not flask.has_request_context():
        return ""
    referrer = flask.request.referrer or ""
    return "?" + urlsplit(referrer).query if referrer else ""
