"""``flask support ...``: portal Q&A sync, periodic survey invitations (``seed-demo`` is the
sandbox's, sandbox/seed.py)."""

from __future__ import annotations

# Commands import what they use when they run (docs/architecture.md, "Late imports").
import click
from flask.cli import AppGroup
from sqlalchemy import select

support_cli = AppGroup("support", help="User support: articles, Q&A sync, surveys.")


@support_cli.command("sync-portal")
def sync_portal_command() -> None:
    """Pull the portal's Q&A and push ours."""
    from api.portal.client import get_gateway
    from api.support.portal_qa import sync

    click.echo(sync(get_gateway()).as_dict())


@support_cli.command("invite")
@click.argument("slug")
def invite_command(slug: str) -> None:
    """Invite every active citizen account to a periodic survey for this quarter."""
    from api.auth.models import ROLE_CITIZEN, Account
    from api.kernel.database import db
    from api.kernel.unit_of_work import unit_of_work
    from api.support.surveys import invite_periodic

    ids = list(
        db.session.scalars(
            select(Account.id).where(Account.role == ROLE_CITIZEN, Account.active.is_(True))
        )
    )
    with unit_of_work():
        invited = invite_periodic(slug, ids)
    click.echo(f"Invited {invited} accounts.")
