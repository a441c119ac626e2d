"""``explorer serve``: the dashboard."""

from __future__ import annotations

import click

from . import cli
from .common import data_option, data_path


@cli.command()
@data_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to bind; 0.0.0.0 exposes it to the network."
)
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--debug", is_flag=True, help="Dash debug mode (reloader, error pages). Never on a shared server.")
def serve(data: str | None, host: str, port: int, debug: bool) -> None:
    """Start the dashboard on http://HOST:PORT (validates the data first; exits 1 if invalid)."""
    from ..app import create_app

    app = create_app(data_path(data))
    click.echo(
        f"explorer: serving {app.server.config['EXPLORER_DATA']} on http://{host}:{port}/ (Ctrl+C to stop)", err=True
    )
    app.run(host=host, port=port, debug=debug, dev_tools_disable_version_check=True)
