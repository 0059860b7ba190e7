from __future__ import annotations

import hmac

from flask import current_app, request
from flask.views import MethodView

from api.audit.origin import request_origin
from api.auth.guard import SIGNED_IN, current_principal, role
from api.auth.models import ROLE_ADMIN
from api.kernel.errors import ApiError
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import Access, Blueprint
from api.kernel.web.openapi import ErrorSchema
from push.channels.sms import parse_receipt
from push.notifications import admin, preferences, service
from push.notifications.receipts import receive_receipt
from push.notifications.schemas import (
    InboxArgs,
    InboxPageSchema,
    NotificationAdminSchema,
    PreferencesSchema,
    ReadResultSchema,
    StatsArgs,
    StatsSchema,
)

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1",
    description="The in-app inbox, and delivery operations for admins",
)
hooks = Blueprint(
    "delivery_receipts",
    __name__,
    url_prefix="/webhooks",
    description="Delivery receipts from providers",
)


@blp.route("/me/notifications")
class Inbox(MethodView):
    @blp.access(SIGNED_IN)
    @blp.paged(InboxArgs, InboxPageSchema)
    def get(self, args):
        """The in-app inbox, newest first, with the unread count."""
        page = Page(args["page"], args["page_size"])
        items, total, unread = service.inbox(current_principal(), page, args["unread"])
        return page_envelope(items, total, page, unread_count=unread)


@blp.route("/me/notifications/<int:notification_id>/read")
class ReadOne(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, ReadResultSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not yours or unknown")
    def post(self, notification_id: int):
        """Mark one notification read."""
        return {"marked": service.mark_read(current_principal(), notification_id)}


@blp.route("/me/notifications/read-all")
class ReadAll(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, ReadResultSchema)
    def post(self):
        """Mark every notification read."""
        return {"marked": service.mark_read(current_principal())}


@blp.route("/admin/notifications/<int:notification_id>")
class AdminNotification(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.response(200, NotificationAdminSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown")
    def get(self, notification_id: int):
        """A notification with its attempt history."""
        return admin.notification_detail(notification_id)


@blp.route("/admin/notifications/stats")
class AdminStats(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.arguments(StatsArgs, location="query")
    @blp.response(200, StatsSchema)
    def get(self, args):
        """Per channel: attempts, sent, delivered, failed, median seconds from event to delivery."""
        return {"items": admin.delivery_stats(args["days"])}


@blp.route("/admin/jobs/failed")
class FailedJobs(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.response(200, StatsSchema)
    def get(self):
        """Background jobs that failed (from the rq failed-job registries)."""
        return {"items": admin.failed_jobs()}


def _check_receipt_token() -> None:
    # bytes: any header text compares without error
    settings = current_app.extensions["settings"]
    token = request.headers.get("X-Receipt-Token", "")
    if not settings.sms_receipt_token or not hmac.compare_digest(
        token.encode(), settings.sms_receipt_token.encode()
    ):
        raise ApiError(401, "unauthorized")


SMS_RECEIPT_TOKEN = Access(
    "sms-receipt-token", check=_check_receipt_token, refusals=((401, "Wrong token"),)
)


@hooks.route("/sms/receipt")
class SmsReceipt(MethodView):
    @hooks.access(SMS_RECEIPT_TOKEN)
    @hooks.response(200, ReadResultSchema)
    def post(self):
        """Delivery receipt from the SMS gateway (shared token in X-Receipt-Token)."""
        payload = request.get_json(silent=True) or {}
        try:
            parsed = parse_receipt(payload)
        except ValueError as exc:
            raise ApiError(422, "validation_failed", errors={"receipt": [str(exc)]}) from exc
        if parsed is None:
            return {"marked": 0}
        reference, delivered, error_code = parsed
        receive_receipt(reference=reference, delivered=delivered, error_code=error_code)
        return {"marked": 1}


# Same URL as the rest of the citizen's settings (/api/v1/me/...), composed here because the
# catalog and the merge are the notifications domain's.
preferences_blp = Blueprint(
    "notification_preferences",
    __name__,
    url_prefix="/api/v1/me",
    description="The citizen's notification preferences: channel order, events, quiet hours",
)


@preferences_blp.route("/notification-preferences")
class Preferences(MethodView):
    @preferences_blp.access(SIGNED_IN)
    @preferences_blp.response(200, PreferencesSchema)
    def get(self):
        """Channel order, events, quiet hours and language for notifications."""
        return preferences.get_preferences(current_principal())

    @preferences_blp.access(SIGNED_IN)
    @preferences_blp.arguments(PreferencesSchema)
    @preferences_blp.response(200, PreferencesSchema)
    def put(self, body):
        """Replace the notification preferences."""
        return preferences.put_preferences(current_principal(), body, request_origin())
