"""The flask-smorest Api with our error schema and security scheme in the spec."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Api


class ErrorSchema(ma.Schema):
    code = ma.fields.Integer(metadata={"description": "HTTP status code"})
    status = ma.fields.String(metadata={"description": "HTTP status name"})
    error = ma.fields.String(
        metadata={"description": "Stable machine-readable reason, e.g. procedure_not_found"}
    )
    message = ma.fields.String(
        metadata={"description": "Plain explanation for the citizen (vi, or en on request)"}
    )
    errors = ma.fields.Dict(metadata={"description": "Per-field details for invalid input"})


class DvcApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        # api.kernel.errors registers the one error format for the whole app instead.
        return None


OPENAPI_CONFIG = {
    "API_TITLE": "dvc-connect",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    # Assets from the swagger-ui-bundle package (docs_assets.py here): /docs needs no internet.
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Backend of the shared public-service mobile app and its Zalo/Telegram bots: "
                "procedure look-up, dossier status, messages with the officer, rating. "
                "Errors share one body: code, status, error (slug), message, errors. "
                "Messages are Vietnamese by default; send Accept-Language: en for English."
            )
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
        },
    },
}
