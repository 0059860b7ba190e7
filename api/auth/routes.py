from __future__ import annotations

from flask.views import MethodView

from api.audit.origin import request_origin
from api.audit.service import events_for
from api.auth import schemas, service
from api.auth.guard import SIGNED_IN, current_principal
from api.kernel.errors import request_language
from api.kernel.web.blueprint import PUBLIC, Blueprint
from api.kernel.web.openapi import ErrorSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Signing in and the account")


@blp.route("/auth/vneid/authorize")
class VneidAuthorize(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.AuthorizeSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="Too many sign-ins started")
    @blp.alt_response(503, schema=ErrorSchema, description="VNeID not configured or unreachable")
    def get(self):
        """Start VNeID single sign-on: open ``url``, then post the code and state back."""
        return service.vneid_authorize(request_origin().ip)


@blp.route("/auth/vneid/callback")
class VneidCallback(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.CallbackSchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Unknown or used state")
    @blp.alt_response(401, schema=ErrorSchema, description="VNeID refused the sign-in")
    def post(self, body):
        """Finish VNeID sign-in with the code and state VNeID returned to the app."""
        return service.vneid_callback(body["code"], body["state"], request_origin()).as_dict()


@blp.route("/auth/otp")
class OtpRequest(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.PhoneSchema)
    @blp.response(200, schemas.CodeSentSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="Too many codes asked for")
    def post(self, body):
        """Send a 6-digit sign-in code by SMS to a Vietnamese mobile number."""
        ttl = service.request_phone_code(body["phone"], request_origin(), request_language())
        return {"sent": True, "expires_in": ttl}


@blp.route("/auth/otp/verify")
class OtpVerify(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.OtpVerifySchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong or expired code")
    @blp.alt_response(429, schema=ErrorSchema, description="Locked after wrong codes")
    def post(self, body):
        """Sign in with the code. A phone-only account has assurance "phone"."""
        return service.sign_in_with_phone(body["phone"], body["code"], request_origin()).as_dict()


@blp.route("/auth/staff/login")
class StaffLogin(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.StaffLoginSchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Wrong username or password")
    @blp.alt_response(429, schema=ErrorSchema, description="Locked after wrong attempts")
    def post(self, body):
        """Staff (officers, community technology teams, admins) sign in with a password."""
        return service.sign_in_staff(body["username"], body["password"], request_origin()).as_dict()


@blp.route("/auth/refresh")
class Refresh(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.RefreshSchema)
    @blp.response(200, schemas.TokenSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Expired, revoked or reused token")
    def post(self, body):
        """Swap a refresh token for a new pair. Each refresh token works once."""
        return service.refresh(body["refresh_token"], request_origin()).as_dict()


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.LogoutSchema)
    @blp.response(200, schemas.LogoutResultSchema)
    def post(self, body):
        """Sign out this device, or every device with ``everywhere``."""
        count = service.logout(current_principal(), body["everywhere"], request_origin())
        return {"sessions_ended": count}


@blp.route("/me/audit")
class MyAudit(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.AuditArgsSchema, location="query")
    @blp.response(200, schemas.AuditListSchema)
    def get(self, args):
        """What was done with this account: sign-ins, sign-outs, links, changes (newest first)."""
        events = events_for(current_principal().account_id, args["limit"], args.get("before_id"))
        return {"items": events}
