from __future__ import annotations

import marshmallow as ma

from api.kernel.ids import ID_MAX
from api.profile.models import CHAT_CHANNELS, TARGET_FCM_TOKEN, TARGET_INSTALLATION

# FCM tokens and installation ids are URL-safe base64 with ":" and "-"; nothing else is.
TARGET_ERROR = "Not a push token: letters, digits and - _ : . only."
_TARGET = [
    ma.validate.Length(min=10, max=512),
    ma.validate.Regexp(r"^[A-Za-z0-9_:.\-]+$", error=TARGET_ERROR),
]


class DeviceSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    target = ma.fields.String(
        required=True,
        validate=_TARGET,
        metadata={"description": "FCM registration token or Firebase installation id"},
    )
    target_type = ma.fields.String(
        required=True, validate=ma.validate.OneOf([TARGET_FCM_TOKEN, TARGET_INSTALLATION])
    )
    platform = ma.fields.String(
        required=True, validate=ma.validate.OneOf(["android", "ios", "web"])
    )
    app_version = ma.fields.String(load_default="", validate=ma.validate.Length(max=32))
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(["vi", "en"]))
    updated_at = ma.fields.DateTime(dump_only=True)


class DeviceListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(DeviceSchema))


class DeviceDeleteSchema(ma.Schema):
    id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=ID_MAX))
    target = ma.fields.String(validate=_TARGET)

    @ma.validates_schema
    def _one_of(self, data: dict, **_: object) -> None:
        if bool(data.get("id")) == bool(data.get("target")):
            raise ma.ValidationError("Give either id or target.", "_schema")


class LinkCodeSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "Type this into the Zalo or Telegram bot"})
    expires_in = ma.fields.Integer()


class ChatLinkSchema(ma.Schema):
    channel = ma.fields.String()
    display_name = ma.fields.String()
    linked_at = ma.fields.DateTime()
    blocked = ma.fields.Function(lambda link: link.blocked_at is not None)


class ChatLinkListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(ChatLinkSchema))


CHANNEL_PATH = ma.validate.OneOf(CHAT_CHANNELS)
