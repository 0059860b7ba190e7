from __future__ import annotations

import marshmallow as ma


class MeSchema(ma.Schema):
    id = ma.fields.String(attribute="public_id")
    role = ma.fields.String()
    assurance = ma.fields.String(
        metadata={"description": "vneid (identity proven), phone (phone only) or password (staff)"}
    )
    session_assurance = ma.fields.String(
        metadata={"description": "What this sign-in proved; phone sessions see less"}
    )
    identity_verified = ma.fields.Boolean()
    full_name = ma.fields.String()
    personal_id_masked = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    unit_code = ma.fields.String(allow_none=True)
    commune_code = ma.fields.Integer(allow_none=True)
    unread_messages = ma.fields.Integer(
        metadata={"description": "Unread messages in dossier threads"}
    )
    unread_notifications = ma.fields.Integer(
        metadata={"description": "Unread in-app notifications"}
    )
