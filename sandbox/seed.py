"""The demo's seeding commands, ``flask dossiers seed-demo``, ``flask staff seed-demo`` and
``flask support seed-demo`` (`make seed`, run by `make run`). They compose several domains, so
they live here, above the domains, and the composition root (api/app.py) adds them to the
domains' command groups under the names they always had."""

from __future__ import annotations

# Commands import what they use when they run (docs/architecture.md, "Late imports").
import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from api.kernel.unit_of_work import unit_of_work


@click.command("seed-demo")
@click.option("--count", default=60, show_default=True)
@with_appcontext
def seed_dossiers_command(count: int) -> None:
    """Load realistic demo dossiers (every status, overdue and on time) from the sandbox
    portal's generator. Idempotent within a day."""
    # Loaded on use: every app (production too) adds these commands at start-up, and the
    # sandbox modules would add ~0.1 s to it.
    from sandbox import demo_people
    from sandbox.demo_dossiers import seed_demo_dossiers
    from sandbox.demo_figures import seed_demo_figures
    from sandbox.demo_support import seed_demo_support

    with unit_of_work():
        created = seed_demo_dossiers(count)
        seed_demo_support()  # FAQ articles and surveys (issue 16)
        demo_people.seed_staff()  # the demo officer and community member
        assistance = demo_people.seed_demo_assistance()
        figures = seed_demo_figures()
    click.echo(
        f"Demo dossiers: {created['dossiers']} records, {created['progress']} progress entries."
    )
    click.echo("\n".join(assistance))
    click.echo(f"Demo quality figures: {figures}")


@click.command("seed-demo")
@with_appcontext
def seed_staff_command() -> None:
    """Demo staff, units and questions for the console (sandbox only)."""
    if not current_app.extensions["settings"].sandbox:
        click.echo("Demo staff are for the sandbox only (SANDBOX=1); nothing done.")
        return
    from sandbox.demo_people import DEMO_PASSWORD, seed_demo_staff  # loaded on use, as above

    with unit_of_work():
        people = seed_demo_staff()
    for username, _role, sees in people:
        click.echo(f"Console demo: {username} / {DEMO_PASSWORD}  ({sees})")


@click.command("seed-demo")
@with_appcontext
def seed_support_command() -> None:
    """Load the demo FAQ articles and surveys (idempotent)."""
    from sandbox.demo_support import seed_demo_support  # loaded on use, as above

    with unit_of_work():
        made = seed_demo_support()
    click.echo(f"Support demo: {made['articles']} articles, {made['surveys']} surveys added.")


def init_app(app: Flask) -> None:
    """Add the seeding commands to the groups the domains registered (call after them)."""
    app.cli.commands["dossiers"].add_command(seed_dossiers_command)
    app.cli.commands["staff"].add_command(seed_staff_command)
    app.cli.commands["support"].add_command(seed_support_command)
