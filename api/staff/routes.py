from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth.guard import auth_required, current_principal
from api.auth.models import ROLE_ADMIN, STAFF_ROLES
from api.openapi import ErrorSchema
from api.origin import request_origin
from api.pagination import Page, PageArgsSchema, page_envelope, page_schema
from api.staff import service

blp = Blueprint(
    "staff", __name__, url_prefix="/api/v1/admin", description="Staff accounts (admins only)"
)


class StaffSchema(ma.Schema):
    id = ma.fields.String(attribute="public_id", dump_only=True)
    username = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(STAFF_ROLES))
    unit_code = ma.fields.String(allow_none=True, load_default=None)
    commune_code = ma.fields.Integer(allow_none=True, load_default=None)
    email = ma.fields.Email(allow_none=True, load_default=None)
    active = ma.fields.Boolean(dump_only=True)
    password = ma.fields.String(load_only=True, required=True, validate=ma.validate.Length(max=256))
    new_unit = ma.fields.Boolean(
        load_only=True,
        load_default=False,
        metadata={"description": "The unit is new: take it though close to a known one"},
    )


class StaffUpdateSchema(ma.Schema):
    role = ma.fields.String(validate=ma.validate.OneOf(STAFF_ROLES))
    unit_code = ma.fields.String()
    commune_code = ma.fields.Integer()
    active = ma.fields.Boolean()


class StaffListArgs(PageArgsSchema):
    role = ma.fields.String(validate=ma.validate.OneOf(STAFF_ROLES))


StaffPageSchema = page_schema(StaffSchema, "StaffPage")


@blp.route("/staff")
class StaffList(MethodView):
    @auth_required(blp, roles=(ROLE_ADMIN,))
    @blp.arguments(StaffListArgs, location="query")
    @blp.response(200, StaffPageSchema)
    def get(self, args):
        """Staff accounts, by username."""
        page = Page(args["page"], args["page_size"])
        items, total = service.list_staff(page, args.get("role"))
        return page_envelope(items, total, page)

    @auth_required(blp, roles=(ROLE_ADMIN,))
    @blp.arguments(StaffSchema)
    @blp.response(201, StaffSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Username taken")
    def post(self, body):
        """Create an officer (with unit_code), community team member (with commune_code) or admin.
        A unit_code close to a known unit but not equal to it (a likely typo) is refused with
        the close matches, unless new_unit is true."""
        return service.create_staff(
            **body, actor_id=current_principal().account_id, origin=request_origin()
        )


@blp.route("/staff/<string:staff_id>")
class StaffDetail(MethodView):
    @auth_required(blp, roles=(ROLE_ADMIN,))
    @blp.arguments(StaffUpdateSchema)
    @blp.response(200, StaffSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such staff account")
    def patch(self, body, staff_id: str):
        """Change role, scope or active state; a role change ends the person's sessions."""
        return service.update_staff(
            staff_id, actor_id=current_principal().account_id, origin=request_origin(), **body
        )
