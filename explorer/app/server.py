"""The dashboard as a production WSGI application: compressed, cached, gated, with security headers.

:func:`make_server_app` loads the data once, builds the Dash app and wraps its
Flask server's ``wsgi_app`` in the middleware of :mod:`explorer.server`, so
``app.server`` is the hardened entry point under any WSGI server (and under
``app.run`` too). The Content-Security-Policy allows only this origin, the
hashes of Dash's own inline scripts (:meth:`dash.Dash.csp_hashes`, computed
after every callback is registered) and inline styles, which Plotly needs.
"""

from __future__ import annotations

import functools
import hashlib
import html
import importlib.metadata
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dash
from dash import dcc

from ..presenter import AppData, prepare_app_data
from ..server import (
    CACHED_GET_PREFIXES,
    DiskStore,
    RequestGate,
    ResponseCache,
    SecurityHeaders,
    ServerSettings,
    accepted_encodings,
    checked_cache_dir,
    private_cache_dir,
)
from ..viewstate import ViewState
from . import create_app

_TEXT_TYPES = frozenset(
    {"text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml", "text/plain"}
)

__all__ = [
    "ServedApp",
    "make_server_app",
    "content_security_policy",
    "uncacheable_outputs",
    "code_version",
    "compressed_with",
    "fast_callback_json",
]


@dataclass
class ServedApp:
    """The hardened dashboard: the Dash app, its WSGI entry point and the parts a server drives."""

    app: dash.Dash
    data: AppData
    wsgi: object
    gate: RequestGate
    cache: ResponseCache | None
    cleanup: object  # callable: removes a private cache folder (in the process that made it)


def content_security_policy(app: dash.Dash) -> str:
    """The Content-Security-Policy the dashboard runs under with an empty console."""
    # 'unsafe-eval': Plotly's WebGL traces (views above WEBGL_ABOVE nodes) compile their shaders
    # with regl, which builds functions from strings; without it they show "WebGL is not supported".
    # Inline scripts stay forbidden: only Dash's own, by hash.
    scripts = " ".join(["'self'", "'unsafe-eval'", *app.csp_hashes()])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            # Plotly and AG Grid set styles on elements and inject <style> sheets.
            "style-src 'self' 'unsafe-inline'",
            # Plotly's modebar icons and image export use data: and blob: URLs.
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def uncacheable_outputs(app: dash.Dash) -> frozenset[str]:
    """The ids (as :class:`~explorer.server.ResponseCache` compares them) of the components whose
    callbacks must run every time: downloads (a file is made on request, in a bounded pool)."""
    from ..server import _canonical_id

    layout = app.layout() if callable(app.layout) else app.layout
    return frozenset(_canonical_id(c.id) for c in layout._traverse() if isinstance(c, dcc.Download))


def code_version() -> str:
    """A digest of the code that computes responses: explorer's modules and the versions of Dash
    and Plotly. Part of the cache key, so a cache folder kept across upgrades never answers stale."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    for dist in ("dash", "plotly", "dash-ag-grid", "dash-bootstrap-components"):
        try:
            h.update(f"{dist}={importlib.metadata.version(dist)}".encode())
        except importlib.metadata.PackageNotFoundError:
            pass
    return h.hexdigest()[:16]


COMPRESSION = ("br", "gzip")  # what the responses are compressed with, by preference
WARM_UP_SECONDS = 5.0  # at most this long (then one view more) is spent computing views before the fork


STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/")
"""Where the page's files are served from: the same bytes for a path and query, for the process's life
(Dash puts each file's version or modification time in its query)."""


def _static_key(request) -> str:
    """flask-compress's cache key: the path and query of a page file, ``""`` for any other answer."""
    if request.method == "GET" and request.path.startswith(STATIC_PREFIXES):
        return request.full_path
    return ""


class StaticCompressed:
    """flask-compress's cache backend, holding the compressed page files only (``_static_key``).

    Callbacks, the layout and exports are never kept here (their key is empty): their answers
    depend on the request's body or the data, and the response cache (:mod:`explorer.server`)
    is the place for them.  At most ``limit`` files are kept (the page loads about 20, in two
    encodings at most): queries a visitor makes up are not a way to fill the memory.
    """

    def __init__(self, limit: int = 128) -> None:
        self._kept: dict[str, bytes] = {}
        self._limit = limit

    def get(self, key: str) -> bytes | None:
        return self._kept.get(key)

    def set(self, key: str, value: bytes) -> None:
        # "<algorithm>;" and an empty key: not a page file.
        if not key.endswith(";") and (key in self._kept or len(self._kept) < self._limit):
            self._kept[key] = value


def compressed_with(algorithms: tuple[str, ...] = COMPRESSION) -> Callable[[str], str]:
    """The function from an ``Accept-Encoding`` header to the encoding flask-compress answers it
    with (``identity`` when none), so that the response cache keeps one entry per encoding, not
    one per browser's way of writing the header."""
    try:
        from flask_compress.flask_compress import _choose_algorithm
    except ImportError:  # another flask-compress: one entry per header is still right, only larger
        return accepted_encodings

    @functools.lru_cache(maxsize=256)
    def choose(header: str) -> str:
        try:
            return _choose_algorithm(algorithms, header) or "identity"
        except Exception:  # a header it cannot read: keyed by the header itself
            return "header:" + accepted_encodings(header)

    return choose


def _component_json(obj):
    to_json = getattr(type(obj), "to_plotly_json", None)  # on the type: a Patch answers any attribute
    if to_json is None:
        raise TypeError(type(obj).__name__)
    return to_json(obj)


def fast_callback_json() -> Callable | None:
    """Make Dash encode callback answers in one orjson pass; returns the encoder it replaced
    (``None`` when orjson is missing or the encoder is already installed).

    Dash encodes every answer with Plotly's ``to_json_plotly``, which tries orjson first but,
    when the answer holds a Dash component or a :class:`dash.Patch` (the details panel, the
    notices, a selection patch: most answers), walks the whole answer to clean it and encodes
    it again: a tenth of a request's CPU. Here orjson asks the components for their JSON as
    it meets them, so the answer is encoded once, to the same text (the same options and the
    same escaping of ``<``, ``>`` and ``/``); anything else it cannot encode goes to the
    original encoder, unchanged.
    """
    import dash._callback as dash_callback

    current = dash_callback.to_json
    if getattr(current, "explorer_fast", False):
        return None
    try:
        import orjson
        from plotly.io._json import _safe, _swap_orjson
    except ImportError:
        return None
    options = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY

    def to_json(value):
        try:
            text = orjson.dumps(value, default=_component_json, option=options).decode("utf8")
        except TypeError:
            return current(value)
        return _safe(text, _swap_orjson)

    to_json.explorer_fast = True
    dash_callback.to_json = to_json
    return current


def make_server_app(data: str | Path | AppData, settings: ServerSettings | None = None) -> ServedApp:
    """Load and validate the data folder once, build the dashboard and harden it.

    Raises :class:`~explorer.errors.DataError` when the folder does not validate.
    """
    settings = settings or ServerSettings.from_env()
    app_data = data if isinstance(data, AppData) else prepare_app_data(data)
    app = create_app(app_data)
    fast_callback_json()
    server = app.server
    server.config["EXPLORER_EXPORTS"] = settings.exports
    server.config["EXPLORER_EXPORT_SLOTS"] = settings.export_slots
    server.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    server.config["COMPRESS_ALGORITHM"] = list(COMPRESSION)
    server.config["COMPRESS_BR_LEVEL"] = 5
    # The page's scripts and styles are compressed once per process, not once per visitor (plotly.js
    # alone takes 0.27 s): a first visit with no response cache, or before it holds them, is quicker.
    server.config["COMPRESS_CACHE_KEY"] = _static_key
    server.config["COMPRESS_CACHE_BACKEND"] = StaticCompressed
    from flask_compress import Compress

    Compress(server)

    @server.after_request
    def _compress_static_files(response):
        # Flask streams asset files, which flask-compress leaves alone; this hook runs before
        # flask-compress's (hooks run in reverse order) and reads them in, so they are compressed.
        if response.direct_passthrough and response.status_code == 200 and response.mimetype in _TEXT_TYPES:
            response.direct_passthrough = False
            response.set_data(response.get_data())
        return response

    from .exports_menu import set_export_slots

    set_export_slots(settings.export_slots)

    gate = RequestGate(
        server.wsgi_app,
        slots=settings.slots,
        max_waiting=settings.max_waiting,
        queue_timeout=settings.queue_timeout,
    )
    wsgi = gate
    cache = None
    cleanup = _nothing
    if settings.cache_mb > 0:
        if settings.cache_dir:
            folder = checked_cache_dir(settings.cache_dir)
        else:
            folder, cleanup = private_cache_dir()
        namespace = f"{app_data.graph.graph.get('fingerprint')}:{code_version()}"
        # A layout made per request (a function) may differ between requests: never cached.
        prefixes = tuple(p for p in CACHED_GET_PREFIXES if not (p == "/_dash-layout" and callable(app.layout)))
        cache = ResponseCache(
            gate,
            DiskStore(folder, settings.cache_mb),
            namespace,
            uncacheable_outputs(app),
            get_prefixes=prefixes,
            encoding_of=compressed_with(),
        )
        wsgi = cache
    server.wsgi_app = SecurityHeaders(wsgi, content_security_policy(app), settings.served_hosts())
    return ServedApp(app=app, data=app_data, wsgi=server, gate=gate, cache=cache, cleanup=cleanup)


_PAGE_FILE = re.compile(r'(?:src|href)="((?:' + "|".join(map(re.escape, STATIC_PREFIXES)) + r')[^"]+)"')


def warm_up(served: ServedApp) -> None:
    """Do once, before workers fork, what every worker's first request would otherwise do:
    import the libraries the views use, build the page, the component tree and the
    callback table (and cache them), so the first answer is quick in every worker."""
    import logging

    try:
        from ..presenter import render_timeline, render_view

        end = served.data.span[1].isoformat()
        render_view(served.data, ViewState(date_from=end, date_to=end))
        # The opening view at both levels: every visitor asks for it first, and each worker
        # inherits it computed (its caches are copied from this process at the fork). Bounded:
        # on a large folder the second level is left to the first visitor who asks for it.
        started = time.monotonic()
        story = served.data.story.state if served.data.story is not None else ViewState()
        render_timeline(served.data, story)
        for level in dict.fromkeys((story.level, "countries", "officials")):
            if time.monotonic() - started > WARM_UP_SECONDS:
                break
            render_view(served.data, story.replace(level=level))
    except Exception as exc:  # only a warm-up: the first request will say what is wrong
        logging.getLogger("explorer.server").warning("explorer: warm-up skipped: %s", exc)
    client = served.app.server.test_client()
    # The page (read as text: its files are listed in it), then the files it loads, compressed once
    # (StaticCompressed) before the first visitor asks.
    page = client.get("/", headers={"Accept-Encoding": "identity"})
    files = list(dict.fromkeys(html.unescape(p) for p in _PAGE_FILE.findall(page.get_data(as_text=True))))
    page.close()
    for path in ("/_dash-layout", "/_dash-dependencies", *files):
        client.get(path, headers={"Accept-Encoding": "br, gzip"}).close()


def _nothing() -> None:
    return None
