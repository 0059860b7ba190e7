from __future__ import annotations

import click
from flask.cli import AppGroup

from api.audit.service import Origin
from api.auth.models import STAFF_ROLES
from api.kernel.errors import ApiError
from api.kernel.unit_of_work import unit_of_work
from api.staff.service import create_staff

staff_cli = AppGroup("staff", help="Staff accounts.")


@staff_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--name", "full_name", required=True)
@click.option("--unit", "unit_code", help="Agency/unit code (officers)")
@click.option("--commune", "commune_code", type=int, help="Commune/ward code (community team)")
@click.option("--email")
@click.option(
    "--new-unit", is_flag=True, help="The unit is new: take it though close to a known one"
)
@click.password_option(help="Prompted when not given")
def create_command(
    username, role, full_name, unit_code, commune_code, email, new_unit, password
) -> None:  # noqa: ANN001
    """Create a staff account (the first admin is made this way)."""
    try:
        with unit_of_work():
            account = create_staff(
                username=username,
                password=password,
                role=role,
                full_name=full_name,
                unit_code=unit_code,
                commune_code=commune_code,
                email=email,
                new_unit=new_unit,
                actor_id=None,
                origin=Origin(channel="cli"),
            )
    except ApiError as exc:
        raise click.ClickException(f"{exc.slug}: {exc.errors or exc.params}") from exc
    # An officer sees the dossiers whose DonViXuLy equals the unit exactly.
    click.echo(f"Created {role} {account.username} ({account.public_id}).")
