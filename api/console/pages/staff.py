"""Commune and province admins: the staff of their area (add, suspend, reactivate, retire,
reset password) with each person's audit trail. The same services as ``/api/v1/admin/staff``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from api.admin_units.models import Commune
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, STAFF_ROLES
from api.console.forms import int_or_none, page_number
from api.console.sections import Section
from api.console.session import origin, staff_page
from api.console.views import api_error_text, t
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.staff import service, units
from api.staff.area import area_of

SECTION = Section("staff", "console_staff.index", "Cán bộ", "Staff", (ROLE_ADMIN,), 20)
blp = Blueprint("console_staff", __name__, url_prefix="/console/staff")
PAGE_SIZE = 25


def area_choices(principal: Principal) -> dict:
    """What the add form offers: the area's units and communes (a national admin types codes)."""
    area = area_of(principal)
    unit_rows, _ = units.list_units(area, Page(1, 100))
    communes = []
    if area.commune_code is not None:
        communes = [db.session.get(Commune, area.commune_code)]
    elif area.province_code is not None:
        communes = list(
            db.session.scalars(
                db.select(Commune)
                .where(Commune.province_code == area.province_code)
                .order_by(Commune.name)
            )
        )
    return {"area": area, "unit_rows": unit_rows, "communes": [c for c in communes if c]}


@blp.get("/")
@staff_page(SECTION)
def index(principal: Principal):
    role = request.args.get("role", "")
    role = role if role in STAFF_ROLES else None
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = service.list_staff(page, role, area_of(principal))
    return render_template(
        "console/staff_list.html",
        items=items,
        role=role or "",
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        total=total,
    )


@blp.route("/new", methods=["GET", "POST"])
@staff_page(SECTION)
def new(principal: Principal):
    form = request.form
    if request.method == "POST":
        try:
            account = service.create_staff(
                username=form.get("username", "")[:64],
                password=form.get("password", "")[:256],
                role=form.get("role", ""),
                full_name=form.get("full_name", "")[:200],
                unit_code=form.get("unit_code", "").strip() or None,
                commune_code=int_or_none(form.get("commune_code")),
                province_code=int_or_none(form.get("province_code")),
                email=form.get("email", "").strip()[:254] or None,
                actor_id=principal.account_id,
                origin=origin(),
                area=area_of(principal),
            )
        except ApiError as error:
            db.session.rollback()
            text, errors = api_error_text(error)
            return render_template(
                "console/staff_new.html",
                error=text,
                field_errors=errors,
                form=form,
                **area_choices(principal),
            ), error.status
        flash(t("created", username=account.username))
        return redirect(url_for("console_staff.detail", staff_id=account.public_id), 303)
    return render_template(
        "console/staff_new.html", error="", field_errors={}, form={}, **area_choices(principal)
    )


def _detail_page(principal: Principal, staff_id: str, status: int = 200, error=None):  # noqa: ANN001
    area = area_of(principal)
    account = service.get_staff(staff_id, area)
    trail, _ = units.area_audit(area, Page(1, 30), account)
    text, errors = api_error_text(error) if error else ("", {})
    commune = db.session.get(Commune, account.commune_code) if account.commune_code else None
    return render_template(
        "console/staff_detail.html",
        person=account,
        commune=commune,
        trail=trail,
        is_me=account.id == principal.account_id,
        error=text,
        field_errors=errors,
    ), status


@blp.get("/<string:staff_id>")
@staff_page(SECTION)
def detail(principal: Principal, staff_id: str):
    return _detail_page(principal, staff_id)


@blp.post("/<string:staff_id>/<string:action>")
@staff_page(SECTION)
def act(principal: Principal, staff_id: str, action: str):
    who = {"actor_id": principal.account_id, "origin": origin(), "area": area_of(principal)}
    try:
        if action == "suspend":
            service.update_staff(staff_id, active=False, **who)
            note = "suspended_done"
        elif action == "reactivate":
            service.update_staff(staff_id, active=True, **who)
            note = "reactivated_done"
        elif action == "retire":
            service.retire_staff(staff_id, **who)
            note = "retired_done"
        elif action == "password":
            service.reset_password(staff_id, request.form.get("password", "")[:256], **who)
            note = "password_was_reset"
        else:
            raise ApiError(404, "not_found")
    except ApiError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        return _detail_page(principal, staff_id, error.status, error)
    flash(t(note))
    return redirect(url_for("console_staff.detail", staff_id=staff_id), 303)
