"""WSGI entry point for running the dashboard under a WSGI server of your choice.

    EXPLORER_DATA=/path/to/data waitress-serve --host 127.0.0.1 --port 8050 --threads 16 explorer.wsgi:server
    EXPLORER_DATA=/path/to/data gunicorn --preload -k gthread -w 2 --threads 16 -b 127.0.0.1:8050 explorer.wsgi:server

``explorer serve --workers N`` does the same with the settings chosen for you.
The data folder is ``$EXPLORER_DATA`` (several folders, opened as one, separated by
``os.pathsep``: ``:`` on Linux and macOS, ``;`` on Windows; default: the bundled
dataset); it is validated at import, so an invalid folder stops the server with one message
(exit code 4, gunicorn's "App failed to load"). ``--preload`` loads it once
and lets the workers share it and the response cache. ``$EXPLORER_ALLOWED_HOSTS``
(comma-separated) lists host names to answer besides localhost;
:class:`explorer.server.ServerSettings` lists the other variables.
"""

from __future__ import annotations

import atexit
import os
import sys

from .errors import DataError, ExplorerError
from .paths import default_data_dir


def _data_folders():
    """``$EXPLORER_DATA``'s folder, or its folders (``os.pathsep``-separated); else the bundled data."""
    folders = [p for p in os.environ.get("EXPLORER_DATA", "").split(os.pathsep) if p.strip()]
    if len(folders) > 1:
        return folders
    return folders[0] if folders else default_data_dir()


def _load():
    from .app.server import make_server_app
    from .server import ServerSettings

    source = "$EXPLORER_DATA" if os.environ.get("EXPLORER_DATA") else "the bundled data"
    try:
        served = make_server_app(_data_folders(), ServerSettings.from_env())
    except DataError as exc:
        only = exc.problems[0] if len(exc.problems) == 1 else None
        text = f"{only} ({source})" if only else exc.report()
        sys.stderr.write(f"explorer.wsgi: {text}\n")
        sys.stderr.flush()
        raise SystemExit(4) from None
    except ExplorerError as exc:
        sys.stderr.write(f"explorer.wsgi: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(4) from None
    atexit.register(served.cleanup)
    return served


_served = _load()
app = _served.app
server = _served.wsgi
