"""Static images (PNG, SVG, PDF) of Plotly figures, through kaleido and the system's Chromium.

kaleido 1.x drives a headless Chromium.  Starting it costs seconds; a warm
one renders an image in well under one.  So the server is started once and
reused: :func:`kaleido_server` keeps one running for a batch (a GIF's frames,
a script's loop), and :func:`render_image` starts one on first use and leaves
it running for the process (the dashboard), kaleido stopping it at exit.

The browser is the system's: ``BROWSER_PATH`` if set, else the first Chromium
or Chrome found on the usual paths.  kaleido's own browser download is never
used (the machine may have no network, and a download is no export's business).
MathJax, which kaleido would fetch from a CDN, is off: no figure here uses LaTeX.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator

from ..errors import ExplorerError

__all__ = ["find_browser", "kaleido_server", "render_image", "stop_renderer", "RENDER_TIMEOUT"]

RENDER_TIMEOUT = 120.0  # seconds for one image, cold start included
_BROWSERS = (
    "/usr/bin/chromium",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
_LOCK = threading.RLock()  # kaleido's sync server answers one request at a time, in order
_STATE = {"running": False}


def find_browser() -> str:
    """The browser kaleido will use; sets ``BROWSER_PATH`` when it was not set.

    Raises :class:`~explorer.errors.ExplorerError` when there is none.
    """
    given = os.environ.get("BROWSER_PATH")
    if given:
        if not (os.path.isfile(given) or shutil.which(given)):
            raise ExplorerError(f"BROWSER_PATH={given!r} is not a browser; picture exports need Chromium or Chrome")
        return given
    for name in _BROWSERS:
        found = name if os.path.isfile(name) else shutil.which(name)
        if found:
            os.environ["BROWSER_PATH"] = found
            return found
    raise ExplorerError(
        "PNG, SVG, PDF, GIF and MP4 exports need Chromium or Chrome "
        "(e.g. apt-get install chromium), or BROWSER_PATH set to one"
    )


def _start() -> bool:
    """Start kaleido's server if this module has not; True if this call started it."""
    import kaleido

    with _LOCK:
        if _STATE["running"]:
            return False
        find_browser()
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _STATE["running"] = True
        return True


def stop_renderer() -> None:
    """Stop the server :func:`render_image` or :func:`kaleido_server` started (no-op if none)."""
    import kaleido

    with _LOCK:
        if _STATE["running"]:
            kaleido.stop_sync_server(silence_warnings=True)
            _STATE["running"] = False


@contextlib.contextmanager
def kaleido_server() -> Iterator[None]:
    """One warm renderer for everything rendered inside the block; stopped after it
    unless it was already running (then whoever started it stops it)."""
    started = _start()
    try:
        yield
    finally:
        if started:
            stop_renderer()


def render_image(fig, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
    """The bytes of ``fig`` as ``fmt`` ('png', 'svg' or 'pdf') at ``width`` x ``height`` CSS pixels.

    Starts the shared renderer on first use.  Raises
    :class:`~explorer.errors.ExplorerError` when there is no browser or the
    renderer does not answer within :data:`RENDER_TIMEOUT` seconds.
    """
    import kaleido

    opts = {"format": fmt, "width": int(width), "height": int(height), "scale": float(scale)}
    box: dict = {}

    def call() -> None:
        try:
            box["value"] = kaleido.calc_fig_sync(fig, opts=opts)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    with _LOCK:
        _start()
        # kaleido waits forever if its browser died; a thread lets us give up and say so.
        worker = threading.Thread(target=call, name="explorer-render", daemon=True)
        worker.start()
        worker.join(RENDER_TIMEOUT)
        if worker.is_alive():
            _STATE["running"] = False  # abandoned: the next call starts afresh
            raise ExplorerError(
                f"the image renderer (kaleido with {os.environ.get('BROWSER_PATH')}) did not "
                f"answer within {RENDER_TIMEOUT:.0f} s"
            )
    if "error" in box:
        raise ExplorerError(f"rendering the {fmt.upper()} failed: {box['error']}") from box["error"]
    return box["value"]
