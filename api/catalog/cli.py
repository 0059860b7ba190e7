"""``flask catalog import [PATH]``: load a procedure catalog file with a progress bar;
``flask portal refresh-catalog``: bring the catalog up to date from the portal."""

from __future__ import annotations

# Commands import what they use when they run (docs/architecture.md, "Late imports").
import json
import sys

import click
from flask.cli import AppGroup
from tqdm import tqdm

from api.catalog.importer import (
    DEFAULT_CATALOG,
    CatalogFileError,
    import_catalog,
    load_catalog_file,
)
from api.catalog.portal_refresh import refresh_catalog
from api.portal.client import get_gateway
from api.portal.gateway import PortalError

catalog_cli = AppGroup("catalog", help="Procedure catalog commands.")


@catalog_cli.command("import")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--json-summary", is_flag=True, help="Print the summary as JSON.")
def import_command(path: str | None, json_summary: bool) -> None:
    """Import (upsert) procedures from PATH, by default the bundled sample catalog.

    Safe to run again: unchanged procedures are skipped, so an interrupted import resumes.
    """
    source = path or str(DEFAULT_CATALOG)
    try:
        data = load_catalog_file(source)
    except CatalogFileError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    with tqdm(
        total=len(data["procedures"]),
        unit="procedure",
        file=sys.stderr,
        disable=None,
        desc="Importing",
    ) as bar:
        summary = import_catalog(data, source=source, progress=bar.update)
    if json_summary:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False, indent=1))
        return
    click.echo(
        f"Catalog {source}: {summary.total} records, {summary.created} created, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.failed} failed."
    )
    for problem in summary.problems:
        where = f"{problem.section}[{problem.position}]"
        code = f" ({problem.code})" if problem.code else ""
        click.echo(f"  {where}{code}: {problem.reason}", err=True)
    _prepare_search()


def _prepare_search() -> None:
    """Build the search index once here, so the meaning path's vectors of any new names are
    computed now and kept on disk (api/catalog/search/vectors.py), not by the first search."""
    from api.catalog.search.loader import holder

    holder.clear()
    index = holder.get()
    state = "with meaning" if index.meaning is not None else "words only"
    click.echo(f"Search index ready ({index.size} procedures, {state}).")


# Registered on the portal's command group by api.catalog.init_app: the command keeps its name.
@click.command("refresh-catalog")
@click.option("--limit", type=int, help="Only the first N procedures (for a trial run).")
def refresh_catalog_command(limit: int | None) -> None:
    """Fetch every procedure (LayDanhSachTTHC + LayThuTuc) and upsert it. Safe to run again."""

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
