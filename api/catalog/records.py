"""The shape of one catalog record as imported (procedures.json), and its validation.

A record that fails here is reported with its position and reason; the others still import.
"""

from __future__ import annotations

import hashlib
import json
import re

import marshmallow as ma

PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Za-z]+)*$")
NATIONAL_CODE = re.compile(r"^\d\.\d{6}")


class FeeRecord(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
    amount_vnd = ma.fields.Integer(
        required=True, allow_none=True, validate=ma.validate.Range(min=0, max=10**13)
    )
    note = ma.fields.String(load_default="")

    @ma.validates_schema
    def _variable_amount_explained(self, data: dict, **_: object) -> None:
        if data.get("amount_vnd") is None and not data.get("note", "").strip():
            raise ma.ValidationError("A fee without a fixed amount needs a note.", "note")


class ChannelRecord(ma.Schema):
    channel = ma.fields.String(required=True)
    duration_text = ma.fields.String(load_default="")
    duration_days = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=0, max=3650)
    )
    fees = ma.fields.List(ma.fields.Nested(FeeRecord), load_default=list)


class DocumentRecord(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1))
    copies = ma.fields.String(load_default="")
    required = ma.fields.Boolean(load_default=True)
    note = ma.fields.String(load_default="")


class LegalBasisRecord(ma.Schema):
    number = ma.fields.String(load_default="")
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1))


class ProcedureRecord(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    code = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(PROCEDURE_CODE, error="Not a procedure code (d.dddddd)."),
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=2000))
    field_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    levels = ma.fields.List(ma.fields.String(), load_default=list)
    agencies = ma.fields.List(ma.fields.String(validate=ma.validate.Length(min=1, max=400)))
    issuing_agency = ma.fields.String(load_default="")
    subjects = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=400)), load_default=list
    )
    online_level = ma.fields.String(required=True)
    channels = ma.fields.List(ma.fields.Nested(ChannelRecord), load_default=list)
    steps = ma.fields.List(ma.fields.String(), load_default=list)
    documents = ma.fields.List(ma.fields.Nested(DocumentRecord), load_default=list)
    requirements = ma.fields.String(load_default="")
    results = ma.fields.List(ma.fields.String(), load_default=list)
    legal_basis = ma.fields.List(ma.fields.Nested(LegalBasisRecord), load_default=list)
    description = ma.fields.String(load_default="")


class FieldRecord(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))


def content_hash(record: dict) -> str:
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def national_code(code: str) -> str:
    match = NATIONAL_CODE.match(code)
    return match.group(0) if match else code


def first_error(messages: dict | list | str) -> str:
    """A short one-line reason from a marshmallow error structure, naming the field path."""
    if isinstance(messages, str):
        return messages
    if isinstance(messages, list):
        return first_error(messages[0]) if messages else "invalid"
    key, value = next(iter(messages.items()))
    inner = first_error(value)
    return f"{key}: {inner}" if not isinstance(key, int) else f"[{key}] {inner}"
