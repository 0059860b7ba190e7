"""The bot webhooks' request and response schemas."""

from __future__ import annotations

import marshmallow as ma


class AckSchema(ma.Schema):
    ok = ma.fields.Boolean()
    duplicate = ma.fields.Boolean()
