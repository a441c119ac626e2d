"""``explorer serve``: the dashboard, in one process or as a multi-process production server."""

from __future__ import annotations

import click

from . import cli
from .common import data_option, data_paths


@cli.command()
@data_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind; 0.0.0.0 exposes it to the network."
)
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes: 1 serves from this process (waitress); more start gunicorn (Linux, macOS), "
    "which loads the data once and forks the workers.",
)
@click.option("--threads", default=32, show_default=True, type=click.IntRange(1, 256), help="Threads per process.")
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds a request may run; under gunicorn, a worker running one longer is restarted.",
)
@click.option(
    "--max-waiting",
    default=32,
    show_default=True,
    type=click.IntRange(0, 10_000),
    help="Requests that may wait for a free slot in each process; more get 503 with Retry-After.",
)
@click.option(
    "--queue-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds a request may wait for a free slot before it gets 503.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name users type in the address bar (repeatable); localhost, 127.0.0.1 and --host "
    "are always allowed, other Host headers get 400. '*' allows any.",
)
@click.option(
    "--cache-dir",
    default=None,
    metavar="DIR",
    help="Folder of the response cache shared by the workers (default: a private temporary folder, removed at exit).",
)
@click.option(
    "--cache-size",
    "cache_mb",
    default=512,
    show_default=True,
    type=click.IntRange(0, 1_000_000),
    help="Megabytes of responses kept (least recently used go first); 0 turns the cache off.",
)
@click.option("--no-exports", is_flag=True, help="Turn the dashboard's Export menu off (the CLI still exports).")
@click.option("--debug", is_flag=True, help="Dash debug mode (reloader, error pages). Never on a shared server.")
def serve(
    data: tuple[str, ...],
    host: str,
    port: int,
    workers: int,
    threads: int,
    timeout: float,
    max_waiting: int,
    queue_timeout: float,
    allowed_hosts: tuple[str, ...],
    cache_dir: str | None,
    cache_mb: int,
    no_exports: bool,
    debug: bool,
) -> None:
    """Start the dashboard on http://HOST:PORT (validates the data first; exits 1 if invalid).

    Every response carries security headers; a Host header other than this
    server's names gets 400; a view computed once is cached for every worker;
    overload gets 503 with Retry-After.
    """
    from ..errors import ArgumentError
    from ..server import ServerSettings, check_port, run_gunicorn, run_waitress

    if debug and workers > 1:
        raise ArgumentError("--debug runs one process: leave out --workers")
    settings = ServerSettings.from_env(
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        request_timeout=timeout,
        max_waiting=max_waiting,
        queue_timeout=queue_timeout,
        allowed_hosts=allowed_hosts or None,
        cache_dir=cache_dir,
        cache_mb=0 if debug else cache_mb,  # the reloader runs changing code: nothing to keep
        exports=False if no_exports else None,
    )
    from ..app.server import make_server_app, warm_up

    folders = data_paths(data)  # $EXPLORER_DATA's folders without --data, each checked
    folder = folders if len(folders) > 1 else folders[0]
    if not debug:  # the debug reloader binds twice, by design
        check_port(host, port)
    served = make_server_app(folder, settings)
    serving = " + ".join(map(str, folders)) if len(folders) > 1 else served.app.server.config["EXPLORER_DATA"]
    shown = f"[{host}]" if ":" in host else host
    how = (
        "Dash debug server"
        if debug
        else (f"waitress, {threads} threads" if workers == 1 else f"gunicorn, {workers} workers of {threads} threads")
    )
    message = f"explorer: serving {serving} on http://{shown}:{port}/ ({how}; Ctrl+C to stop)"
    if host in ("0.0.0.0", "::") and not settings.allowed_hosts:
        message += (
            "\nexplorer: note: only localhost names are allowed; add --allowed-host NAME for each name users type"
        )
    try:
        if debug:
            click.echo(message, err=True)
            served.app.run(host=host, port=port, debug=True, dev_tools_disable_version_check=True)
        elif workers == 1:
            warm_up(served)
            run_waitress(served.wsgi, settings, ready=lambda: click.echo(message, err=True))
        else:
            warm_up(served)
            run_gunicorn(served.wsgi, settings, gate=served.gate, ready=lambda: click.echo(message, err=True))
    finally:
        served.cleanup()
