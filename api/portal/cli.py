"""``flask portal refresh-catalog``: bring the procedure catalog up to date from the portal."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api.portal.client import get_gateway
from api.portal.gateway import PortalError

portal_cli = AppGroup("portal", help="National Public Service Portal commands.")


@portal_cli.command("refresh-catalog")
@click.option("--limit", type=int, help="Only the first N procedures (for a trial run).")
def refresh_catalog_command(limit: int | None) -> None:
    """Fetch every procedure (LayDanhSachTTHC + LayThuTuc) and upsert it. Safe to run again."""
    from api.portal.catalog_refresh import refresh_catalog

    def show(done: int, total: int) -> None:
        click.echo(f"  {done}/{total} procedures fetched", err=True)

    try:
        summary = refresh_catalog(get_gateway(), show, limit)
    except PortalError as exc:
        raise click.ClickException(f"portal unavailable ({exc.code}); run again later") from exc
    click.echo(
        f"Catalog from the portal: {summary.total} records, {summary.created} created, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.failed} failed."
    )
    for problem in summary.problems:
        click.echo(f"  [{problem.position}] {problem.code or ''}: {problem.reason}", err=True)
