"""Figures: the quality figures and satisfaction of the staff member's area (an officer their
unit, an admin the units of their area and the province), with the public report's pictures
(the same SVG drawing) and the drill-down to the dossiers counted, paged. The same services as
``/api/v1/quality/reports/...`` and ``/api/v1/quality/snapshots/.../figures/...``."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from api.console.forms import page_number
from api.console.sections import Section
from api.console.session import language, staff_page
from api.console.views import api_error_text
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.quality import pages, report, service, staff_scopes

SECTION = Section(
    "figures", "console_figures.index", "Chỉ số", "Figures", (ROLE_OFFICER, ROLE_ADMIN), 50
)
blp = Blueprint("console_figures", __name__, url_prefix="/console/figures")
PAGE_SIZE = 50


def _month(text: str | None) -> str | None:
    text = (text or "").strip()[:7]
    return text or None


@blp.get("/")
@staff_page(SECTION)
def index(principal: Principal):
    scopes = staff_scopes.scopes_for(principal)
    chosen = request.args.get("scope", "")[:80]
    scope = next((s for s in scopes if f"{s['kind']}:{s['code']}" == chosen), None)
    if chosen and scope is None:
        raise ApiError(403, "quality_scope_forbidden")
    scope = scope or (scopes[0] if scopes else None)
    found, error, status = None, "", 200
    if scope is not None:
        staff_scopes.check_scope(principal, scope["kind"], scope["code"])
        try:
            found = report.monthly_report(
                scope["kind"], scope["code"], _month(request.args.get("month"))
            )
        except ApiError as refused:
            error = api_error_text(refused)[0]
            status = refused.status if refused.status == 422 else 200
    drawn = {k: Markup(v) for k, v in pages.pictures(found, language()).items()} if found else {}
    return render_template(
        "console/figures.html",
        scopes=scopes,
        scope=scope,
        report=found,
        drawn=drawn,
        words=pages.WORDS.get(language(), pages.WORDS["vi"]),
        error=error,
        month=request.args.get("month", "")[:7],
    ), status


@blp.get("/<int:snapshot_id>/<string:indicator>/<string:part>")
@staff_page(SECTION)
def drilldown(principal: Principal, snapshot_id: int, indicator: str, part: str):
    snapshot = service.get_snapshot(principal, snapshot_id)
    staff_scopes.check_scope(principal, snapshot.scope_kind, snapshot.scope_code)
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    found = service.drilldown(principal, snapshot_id, indicator[:16], part[:16], page)
    return render_template(
        "console/figure_dossiers.html",
        found=found,
        snapshot=snapshot,
        scope_name=report.scope_name(snapshot.scope_kind, snapshot.scope_code),
        page=page,
        pages=max(1, -(-found["total"] // PAGE_SIZE)),
        officer=principal.role == ROLE_OFFICER,
    )
