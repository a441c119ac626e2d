"""WSGI entry point for production servers.

    EXPLORER_DATA=/path/to/data waitress-serve --host 127.0.0.1 --port 8050 --threads 8 explorer.wsgi:server
    EXPLORER_DATA=/path/to/data gunicorn -w 4 -b 127.0.0.1:8050 explorer.wsgi:server

The data folder is ``$EXPLORER_DATA`` (default: the bundled dataset); it is
validated at import, so an invalid folder stops the server from starting.
Every worker holds the same read-only data; each user's view lives in their
browser, so workers need no shared state.
"""

from __future__ import annotations

from .app import create_app
from .paths import default_data_dir

app = create_app(default_data_dir())
server = app.server
