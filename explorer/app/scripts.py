"""The scripts the page loads in its head, ahead of Dash's own, and the plotly.js it gets.

- ``head/natives.js`` keeps the browser's own ``trim``, ``parseInt`` and ``parseFloat`` from
  the polyfill Dash loads first (``assets/explorer.js`` puts them back once it has run): its
  replacements are slow, and plotly.js calls them for every colour it reads.
- plotly.js and ``dcc.Graph``'s code, deferred: ``dcc.Graph`` otherwise asks for them only once
  the layout is drawn, and its first frame waits for their download and for the other controls'
  code that arrives meanwhile.  Deferred, they run while the renderer waits for its layout;
  dcc then finds ``window.Plotly`` set and its chunk installed.

The plotly.js is a partial bundle of the trace types the dashboard draws
(:data:`BUNDLED_TRACES`), built by ``tools/plotly-bundle`` from plotly.js's sources at the
version plotly.py ships: 1.8 MB against the full bundle's 4.8 MB, less for a browser to
download, compile and run on a first visit.  It is served at the address of plotly.py's bundle
(:func:`serve_partial_bundle`), the one ``dcc.Graph`` would fetch itself, as Dash serves it.
When plotly.py ships another version than the partial bundle's, that address serves
plotly.py's full bundle.  Exports (the HTML page) always embed the full bundle.
"""

from __future__ import annotations

import functools
import re

from ..paths import assets_dir

__all__ = [
    "BUNDLED_TRACES",
    "FULL_BUNDLE",
    "HEAD_FOLDER",
    "cache_marked_assets",
    "head_scripts",
    "partial_bundle",
    "partial_bundle_version",
    "serve_partial_bundle",
]

#: The trace types of the partial plotly.js (``TRACES`` in ``tools/plotly-bundle/build.js``).
BUNDLED_TRACES = frozenset({"scatter", "scattergl", "scattergeo", "bar"})
#: The assets subfolder the page loads by hand (Dash does not add these to the page's end).
HEAD_FOLDER = "head"
PARTIAL_BUNDLE = f"{HEAD_FOLDER}/plotly-explorer.min.js"
NATIVES = f"{HEAD_FOLDER}/natives.js"
#: Where Dash serves plotly.py's bundle (after the app's path prefix): the page's plotly.js.
FULL_BUNDLE = "_dash-component-suites/plotly/package_data/plotly.min.js"

_BANNER = re.compile(rb"/\* plotly\.js v(\S+) ")


@functools.cache
def partial_bundle_version() -> str | None:
    """The plotly.js version the partial bundle was built from (its banner), or None without one."""
    try:
        with open(assets_dir() / PARTIAL_BUNDLE, "rb") as f:
            match = _BANNER.match(f.read(200))
    except OSError:
        return None
    return match.group(1).decode() if match else None


@functools.cache
def partial_bundle() -> tuple[bytes, str] | None:
    """The partial bundle's bytes and ETag, when it was built from the plotly.js version plotly.py
    ships; else None (the page then gets plotly.py's full bundle)."""
    import hashlib

    from plotly.offline import get_plotlyjs_version

    if partial_bundle_version() != get_plotlyjs_version():
        return None
    data = (assets_dir() / PARTIAL_BUNDLE).read_bytes()
    return data, hashlib.sha1(data).hexdigest()


def serve_partial_bundle(app) -> None:
    """Answer the address of plotly.py's bundle (the one ``dcc.Graph`` falls back to as well)
    with the partial bundle, as Dash answers it (an ETag, 304 when the browser has it); Dash
    answers it with plotly.py's full bundle when the partial one is of another version."""
    import flask

    path = app.config.requests_pathname_prefix + FULL_BUNDLE

    @app.server.before_request
    def _partial_plotly():
        request = flask.request
        if request.path != path or request.method not in ("GET", "HEAD"):
            return None
        bundle = partial_bundle()
        if bundle is None:
            return None
        data, tag = bundle
        if request.headers.get("If-None-Match") == f'"{tag}"':
            return flask.Response(None, status=304)
        response = flask.Response(data, mimetype="text/javascript")
        response.set_etag(tag)
        return response


def head_scripts(app) -> str:
    """The ``<script>`` tags for the page's head (``app.index_string``'s ``{%css%}``)."""
    prefix = app.config.requests_pathname_prefix
    return "\n".join(
        [
            f'        <script src="{prefix}{_asset(NATIVES)}"></script>',
            *(
                f'        <script defer src="{prefix}{path}"></script>'
                for path in (FULL_BUNDLE, "_dash-component-suites/dash/dcc/async-graph.js")
            ),
        ]
    )


def cache_marked_assets(server) -> None:
    """Let browsers keep an asset asked for with its modification time (``?m=``, as the page asks
    for every asset): the address changes when the file does.  Flask answers assets with
    ``no-cache``, so each visit revalidated every asset, and the page's head waited for
    ``natives.js``'s answer before it went on."""
    import flask

    @server.after_request
    def _keep(response):
        request = flask.request
        if response.status_code == 200 and request.path.startswith("/assets/") and request.args.get("m"):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = 365 * 24 * 3600
            response.cache_control.immutable = True
        return response


def _asset(name: str) -> str:
    """An asset's path with its modification time, as Dash marks the assets it adds itself."""
    return f"assets/{name}?m={(assets_dir() / name).stat().st_mtime}"
