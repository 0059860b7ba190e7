"""Admins: the handling units of their area with their codes; adding one. The same services
as ``/api/v1/admin/units``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.console.forms import int_or_none, page_number
from api.console.pages.staff import area_choices
from api.console.sections import Section
from api.console.session import origin, staff_page
from api.console.views import api_error_text, t
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.staff import units
from api.staff.area import area_of

SECTION = Section("units", "console_units.index", "Đơn vị", "Units", (ROLE_ADMIN,), 30)
blp = Blueprint("console_units", __name__, url_prefix="/console/units")
PAGE_SIZE = 50


@blp.route("/", methods=["GET", "POST"])
@staff_page(SECTION)
def index(principal: Principal):
    area = area_of(principal)
    error_text, field_errors, status = "", {}, 200
    form = request.form
    if request.method == "POST":
        commune = int_or_none(form.get("commune_code"))
        province = None if commune is not None else int_or_none(form.get("province_code"))
        if area.province_code is not None and commune is None:
            province = area.province_code
        try:
            made = units.create_unit(
                form.get("code", "")[:300],
                form.get("name", "")[:300],
                commune_code=commune,
                province_code=province,
                actor_id=principal.account_id,
                origin=origin(),
                area=area,
            )
            flash(t("unit_created", code=made["code"]))
            return redirect(url_for("console_units.index"), 303)
        except ApiError as error:
            db.session.rollback()
            (error_text, field_errors), status = api_error_text(error), error.status
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = units.list_units(area, page)
    return render_template(
        "console/units.html",
        items=items,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        error=error_text,
        field_errors=field_errors,
        form=form,
        **{k: v for k, v in area_choices(principal).items() if k != "unit_rows"},
    ), status
