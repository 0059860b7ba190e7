from __future__ import annotations

from flask.views import MethodView

from api.audit.origin import request_origin
from api.auth.guard import current_principal, role
from api.auth.models import ROLE_ADMIN
from api.kernel.pagination import Page, PageArgsSchema, page_envelope
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.staff import service, units
from api.staff.area import area_of
from api.staff.schemas import (
    AuditPageSchema,
    HandlingUnitSchema,
    PasswordSchema,
    StaffListArgs,
    StaffPageSchema,
    StaffSchema,
    StaffUpdateSchema,
    UnitPageSchema,
)

blp = Blueprint(
    "staff",
    __name__,
    url_prefix="/api/v1/admin",
    description="Staff accounts and units of the admin's area (admins only)",
)
ADMIN = (ROLE_ADMIN,)
OUTSIDE = "Outside the admin's area"


def _actor() -> dict:
    principal = current_principal()
    return {
        "actor_id": principal.account_id,
        "origin": request_origin(),
        "area": area_of(principal),
    }


@blp.route("/staff")
class StaffList(MethodView):
    @blp.access(role(*ADMIN))
    @blp.paged(StaffListArgs, StaffPageSchema)
    def get(self, args):
        """Staff accounts of the admin's area, by username."""
        page = Page(args["page"], args["page_size"])
        items, total = service.list_staff(page, args.get("role"), area_of(current_principal()))
        return page_envelope(items, total, page)

    @blp.access(role(*ADMIN))
    @blp.arguments(StaffSchema)
    @blp.response(201, StaffSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=OUTSIDE)
    @blp.alt_response(409, schema=ErrorSchema, description="Username taken")
    def post(self, body):
        """Create an officer (with unit_code), community team member (with commune_code) or
        admin (with a commune_code or province_code, or neither for the whole country).
        A unit_code close to a known unit but not equal to it (a likely typo) is refused with
        the close matches, unless new_unit is true."""
        return service.create_staff(**body, **_actor())


@blp.route("/staff/<string:staff_id>")
class StaffDetail(MethodView):
    @blp.access(role(*ADMIN))
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such staff account in the area")
    def get(self, staff_id: str):
        """One staff account of the admin's area."""
        return service.get_staff(staff_id, area_of(current_principal()))

    @blp.access(role(*ADMIN))
    @blp.arguments(StaffUpdateSchema)
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such staff account in the area")
    @blp.alt_response(409, schema=ErrorSchema, description="Retired, or yourself")
    def patch(self, body, staff_id: str):
        """Change role, scope or active state (false suspends); a role change or a suspension
        ends the person's sessions."""
        return service.update_staff(staff_id, **_actor(), **body)


@blp.route("/staff/<string:staff_id>/retire")
class StaffRetire(MethodView):
    @blp.access(role(*ADMIN))
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such staff account in the area")
    @blp.alt_response(409, schema=ErrorSchema, description="Already retired, or yourself")
    def post(self, staff_id: str):
        """Retire someone who left: signed out everywhere, never reopened."""
        return service.retire_staff(staff_id, **_actor())


@blp.route("/staff/<string:staff_id>/password")
class StaffPassword(MethodView):
    @blp.access(role(*ADMIN))
    @blp.arguments(PasswordSchema)
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such staff account in the area")
    def post(self, body, staff_id: str):
        """Set a new password (the staff rules apply); the person's sessions end."""
        return service.reset_password(staff_id, body["password"], **_actor())


@blp.route("/staff/<string:staff_id>/audit")
class StaffAudit(MethodView):
    @blp.access(role(*ADMIN))
    @blp.paged(PageArgsSchema, AuditPageSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such staff account in the area")
    def get(self, args, staff_id: str):
        """What this person did and what was done to their account, newest first."""
        area = area_of(current_principal())
        page = Page(args["page"], args["page_size"])
        items, total = units.area_audit(area, page, service.get_staff(staff_id, area))
        return page_envelope(items, total, page)


@blp.route("/audit")
class AreaAudit(MethodView):
    @blp.access(role(*ADMIN))
    @blp.paged(PageArgsSchema, AuditPageSchema)
    def get(self, args):
        """Who did what among the area's staff, newest first."""
        page = Page(args["page"], args["page_size"])
        items, total = units.area_audit(area_of(current_principal()), page)
        return page_envelope(items, total, page)


@blp.route("/units")
class Units(MethodView):
    @blp.access(role(*ADMIN))
    @blp.paged(PageArgsSchema, UnitPageSchema)
    def get(self, args):
        """The area's handling units with their codes (as the portal writes DonViXuLy)."""
        page = Page(args["page"], args["page_size"])
        items, total = units.list_units(area_of(current_principal()), page)
        return page_envelope(items, total, page)

    @blp.access(role(*ADMIN))
    @blp.arguments(HandlingUnitSchema)
    @blp.response(201, HandlingUnitSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=OUTSIDE)
    @blp.alt_response(409, schema=ErrorSchema, description="Code already listed")
    def post(self, body):
        """List a unit in a commune (or a province-level one) of the admin's area."""
        return units.create_unit(
            body["code"],
            body["name"],
            commune_code=body["commune_code"],
            province_code=body["province_code"],
            **_actor(),
        )
