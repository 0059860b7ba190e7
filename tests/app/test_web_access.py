"""Every API route says who may call it (api.kernel.web.blueprint); the declaration is enforced
(a wrong caller gets the documented 401/403 in the one error format) and documented in the spec."""

from __future__ import annotations

import marshmallow as ma
import pytest
from flask import Flask
from flask.views import MethodView

from api.auth.models import ROLE_OFFICER
from api.kernel.web.blueprint import PUBLIC, Blueprint, UndeclaredAccess, access_of
from tests.helpers.common import bearer, make_staff, sign_in_phone, sign_in_staff
from tests.helpers.support import UNIT

# Pages outside the JSON API, with guards of their own: the staff console (its session cookie,
# api.console.views), the published quality pages, the docs and the spec, static files, and the
# composition root's Prometheus scrape (/metrics, kept off the public network).
NOT_API = ("console", "quality_pages", "docs_assets", "api-docs", "static", "metrics")


def _api_views(app: Flask):
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else rule.endpoint
        if blueprint.startswith(NOT_API) or rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, view


def test_every_api_route_declares_its_access(app):
    views = list(_api_views(app))
    assert len(views) > 100  # the whole API is walked, not a corner of it
    undeclared = [f"{m} {r.rule}" for r, m, v in views if access_of(v, m) is None]
    assert undeclared == []


def test_the_spec_says_who_may_call_each_operation(client):
    spec = client.get("/openapi.json").json
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("x-access"), f"{method} {path}"
            if operation["x-access"] in ("signed-in", "acting") or operation["x-access"].startswith(
                "role:"
            ):
                assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
                assert "401" in operation["responses"], f"{method} {path}"


def test_a_route_without_access_is_refused_when_registered():
    blp = Blueprint("forgetful", __name__)

    with pytest.raises(UndeclaredAccess, match="GET declare no access"):

        @blp.route("/forgot")
        class Forgot(MethodView):
            def get(self):
                return {}

    with pytest.raises(UndeclaredAccess):

        @blp.route("/forgot-function")
        def forgot():
            return {}


def test_one_method_without_access_is_enough_to_refuse():
    blp = Blueprint("half", __name__)

    with pytest.raises(UndeclaredAccess, match="POST"):

        @blp.route("/half")
        class Half(MethodView):
            @blp.access(PUBLIC)
            def get(self):
                return {}

            def post(self):
                return {}


class _Empty(ma.Schema):
    pass


def _assert_error(response, status: int, slug: str) -> None:
    assert response.status_code == status, response.json
    body = response.json
    assert set(body) >= {"code", "status", "error", "message"}
    assert body["code"] == status
    assert body["error"] == slug
    assert body["message"]


def test_signed_in_refuses_an_anonymous_caller(client):
    _assert_error(client.get("/api/v1/me/dossiers"), 401, "unauthorized")
    _assert_error(
        client.get("/api/v1/me/dossiers", headers={"Authorization": "Bearer nonsense"}),
        401,
        "token_invalid",
    )


def test_a_role_refuses_a_resident_and_another_role(client, app):
    resident = bearer(sign_in_phone(client, app))
    _assert_error(
        client.get("/api/v1/admin/notifications/stats", headers=resident), 403, "role_required"
    )
    make_staff(app, "officer1", ROLE_OFFICER, unit_code=UNIT)
    officer = bearer(sign_in_staff(client, "officer1"))
    _assert_error(
        client.get("/api/v1/admin/notifications/stats", headers=officer), 403, "role_required"
    )
    _assert_error(client.get("/api/v1/admin/notifications/stats"), 401, "unauthorized")


def test_optional_sign_in_refuses_a_bad_token_and_lets_anonymous_in(client):
    assert client.get("/api/v1/support/surveys").status_code == 200
    _assert_error(
        client.post(
            "/api/v1/support/articles/none/vote",
            json={"helpful": True},
            headers={"Authorization": "Bearer nonsense"},
        ),
        401,
        "token_invalid",
    )


def test_acting_refuses_a_plain_caller(client):
    _assert_error(client.get("/api/v1/assist/dossiers"), 401, "unauthorized")


def test_portal_signed_refuses_an_unsigned_push(client):
    _assert_error(
        client.post("/api/v1/portal/dossiers", json={"data": []}), 401, "portal_signature_invalid"
    )


def test_bot_webhooks_refuse_unsigned_updates(client):
    _assert_error(
        client.post("/webhooks/telegram", json={"update_id": 1}), 401, "bot_webhook_unauthorized"
    )
    _assert_error(
        client.post("/webhooks/zalo", json={"timestamp": "1"}), 401, "bot_webhook_unauthorized"
    )


def test_sms_receipts_refuse_a_wrong_token(client):
    _assert_error(
        client.post("/webhooks/sms/receipt", json={}, headers={"X-Receipt-Token": "wrong"}),
        401,
        "unauthorized",
    )


def test_paged_routes_document_the_page_parameters_and_envelope(client):
    spec = client.get("/openapi.json").json
    paged = [
        (path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method != "parameters" and op.get("x-paged")
    ]
    assert len(paged) >= 15
    for path, op in paged:
        names = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        assert {"page", "page_size"} <= names, path
        ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        envelope = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
        assert {"items", "page", "page_size", "total", "pages"} <= set(envelope), path


def test_paging_outside_the_one_style_is_refused():
    blp = Blueprint("odd_pages", __name__)
    with pytest.raises(TypeError, match="PageArgsSchema"):
        blp.paged(_Empty, _Empty)
    from api.kernel.pagination import PageArgsSchema

    with pytest.raises(TypeError, match="items"):
        blp.paged(PageArgsSchema, _Empty)
