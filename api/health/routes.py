from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from api.health.schemas import HealthSchema, ReadySchema
from api.kernel.database import db
from api.kernel.web.blueprint import PUBLIC, Blueprint

blp = Blueprint("health", __name__, description="Liveness and readiness of the service")


@blp.route("/health")
@blp.access(PUBLIC)
@blp.response(200, HealthSchema)
def health():
    """The process is alive."""
    return {"status": "ok"}


@blp.route("/ready")
@blp.access(PUBLIC)
@blp.response(200, ReadySchema)
@blp.alt_response(503, schema=ReadySchema, description="A backend is unreachable")
def ready():
    """The database and Redis answer; 503 with the failing check otherwise."""
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        db.session.rollback()
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        current_app.extensions["redis"].ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {type(exc).__name__}"
    ok = all(v == "ok" for v in checks.values())
    return {"status": "ok" if ok else "unavailable", "checks": checks}, (200 if ok else 503)
