"""``flask dossiers ...``: pull from the portal, and seed demo dossiers."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from tqdm import tqdm

from api.dossiers.pull import pull_followed, pull_nightly
from api.portal.client import get_gateway
from api.quality.demo import seed_demo_figures

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


@dossiers_cli.command("seed-demo")
@click.option("--count", default=60, show_default=True)
def seed_demo_command(count: int) -> None:
    """Load realistic demo dossiers (every status, overdue and on time) from the sandbox
    portal's generator. Idempotent within a day."""
    from api.dossiers.demo import seed_demo_dossiers

    created = seed_demo_dossiers(count)
    from api.support.demo import seed_demo_support  # FAQ articles and surveys (issue 16)

    seed_demo_support()
    from sandbox.demo_people import seed_staff

    seed_staff()  # the demo officer and community member
    click.echo(
        f"Demo dossiers: {created['dossiers']} records, {created['progress']} progress entries."
    )
    from api.assistance.demo import seed_demo_assistance

    click.echo("\n".join(seed_demo_assistance()))
    click.echo(f"Demo quality figures: {seed_demo_figures()}")
