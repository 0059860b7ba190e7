"""Admins: who did what with the staff accounts of their area (``/api/v1/admin/audit``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.console.forms import page_number
from api.console.sections import Section
from api.console.session import staff_page
from api.kernel.pagination import Page
from api.staff import units
from api.staff.area import area_of

SECTION = Section("audit", "console_audit.index", "Nhật ký", "Audit", (ROLE_ADMIN,), 40)
blp = Blueprint("console_audit", __name__, url_prefix="/console/audit")
PAGE_SIZE = 50


@blp.get("/")
@staff_page(SECTION)
def index(principal: Principal):
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = units.area_audit(area_of(principal), page)
    return render_template(
        "console/audit.html", items=items, page=page, pages=max(1, -(-total // PAGE_SIZE))
    )
