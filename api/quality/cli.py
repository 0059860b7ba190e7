"""``flask quality ...``: rebuild facts, publish snapshots, send and reconcile EMC events."""

from __future__ import annotations

# Commands import what they use when they run (docs/architecture.md, "Late imports").
from datetime import date

import click
from flask.cli import AppGroup

quality_cli = AppGroup("quality", help="Service-quality figures and EMC events.")


@quality_cli.command("rebuild-facts")
@click.option("--days", default=45, show_default=True)
def rebuild_command(days: int) -> None:
    """Rebuild the facts of recent and open dossiers from the dossiers themselves."""
    from api.quality.facts import rebuild_recent

    click.echo(f"Facts rebuilt: {rebuild_recent(days)['rebuilt']}")


@quality_cli.command("publish")
@click.argument("period_kind", type=click.Choice(["month", "week"]))
@click.argument("period_key")
def publish_command(period_kind: str, period_key: str) -> None:
    """Compute and publish the snapshots of every scope, e.g. ``publish month 2026-11``."""
    from api.quality.snapshots import publish_period

    click.echo(f"Published {len(publish_period(period_kind, period_key))} snapshots.")


@quality_cli.command("emc-send")
def emc_send_command() -> None:
    """Send the EMC events that are due."""
    from api.quality.emc_sender import flush_emc_outbox

    click.echo(flush_emc_outbox())


@quality_cli.command("emc-reconcile")
@click.option("--day", default=None, help="YYYY-MM-DD (Vietnam time); yesterday by default")
def emc_reconcile_command(day: str | None) -> None:
    """Count one day's status changes against the EMC events, queueing any missing."""
    from api.quality.emc_reconcile import reconcile_day

    click.echo(reconcile_day(date.fromisoformat(day) if day else None))
