"""``flask dossiers ...``: pull from the portal (``seed-demo`` is the sandbox's, sandbox/seed.py)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from tqdm import tqdm

from api.dossiers.pull import pull_followed, pull_nightly
from api.portal.client import get_gateway

dossiers_cli = AppGroup("dossiers", help="Dossier synchronisation with the portal.")


@dossiers_cli.command("pull")
@click.option("--nightly", is_flag=True, help="Re-pull every unfinished dossier (resumable).")
def pull_command(nightly: bool) -> None:
    """Pull dossier updates from the portal now."""
    gateway = get_gateway()
    if not nightly:
        run = pull_followed(gateway)
    else:
        bar = tqdm(unit="dossier", file=sys.stderr, disable=None, desc="Nightly re-pull")

        def show(current) -> None:  # noqa: ANN001
            bar.total = current.total
            bar.n = current.done
            bar.refresh()

        run = pull_nightly(gateway, progress=show)
        bar.close()
    if run is None:
        click.echo("Another pull is running; nothing done.")
        return
    click.echo(
        f"Pulled {run.done}/{run.total} dossiers: {run.changed} changed, {run.failed} failed."
        + (f" Stopped: {run.error}" if run.error else "")
    )
