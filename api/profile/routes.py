from __future__ import annotations

from flask.views import MethodView

from api.audit.origin import request_origin
from api.auth.guard import SIGNED_IN, current_principal
from api.kernel.errors import ApiError
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.profile import schemas, service
from api.profile.models import CHAT_CHANNELS

blp = Blueprint(
    "profile",
    __name__,
    url_prefix="/api/v1/me",
    description="The citizen's devices and chat links",
)


@blp.route("/devices")
class Devices(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, schemas.DeviceListSchema)
    def get(self):
        """Devices registered for push."""
        return {"items": service.list_devices(current_principal())}

    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.DeviceSchema)
    @blp.response(200, schemas.DeviceSchema)
    def post(self, body):
        """Register this install for push; registering the same target again moves it here."""
        return service.register_device(current_principal(), body, request_origin())

    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.DeviceDeleteSchema)
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="Not one of your devices")
    def delete(self, body):
        """Stop push to a device, by id or target."""
        service.remove_device(
            current_principal(), device_id=body.get("id"), target=body.get("target")
        )


@blp.route("/chat-links")
class ChatLinks(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, schemas.ChatLinkListSchema)
    def get(self):
        """Zalo and Telegram chats linked to this account."""
        return {"items": service.list_links(current_principal())}


@blp.route("/chat-links/code")
class ChatLinkCode(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(201, schemas.LinkCodeSchema)
    @blp.alt_response(429, schema=ErrorSchema, description="Too many codes")
    def post(self):
        """A one-time code (5 minutes) to type into the Zalo or Telegram bot."""
        code, ttl = service.create_link_code(current_principal())
        return {"code": code, "expires_in": ttl}


@blp.route("/chat-links/<string:channel>")
class ChatLink(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="Not linked")
    def delete(self, channel: str):
        """Unlink the Zalo or Telegram chat."""
        if channel not in CHAT_CHANNELS:
            raise ApiError(404, "not_found")
        service.unlink(current_principal(), channel, request_origin())
