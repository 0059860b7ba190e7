from __future__ import annotations

import click
from flask.cli import AppGroup

from api.admin_units.service import DEFAULT_FILE, load_units
from api.kernel.unit_of_work import unit_of_work

units_cli = AppGroup("units", help="Administrative units (provinces, communes).")


@units_cli.command("import")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def import_command(path: str | None) -> None:
    """Load provinces and communes (default: the bundled July-2025 list). Idempotent."""
    with unit_of_work():
        counts = load_units(path or DEFAULT_FILE)
    click.echo(
        f"Administrative units: {counts['provinces']} provinces, {counts['communes']} communes."
    )
