"""Identity and access: citizens, staff, sessions and the one auth decorator."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.audit import models as audit_models  # noqa: F401
    from api.auth import models  # noqa: F401
    from api.auth.otp import LoggingOtpSender, PipelineOtpSender
    from api.auth.routes import blp

    settings = app.extensions["settings"]
    if settings.sms_gateway_url:
        app.extensions.setdefault("otp_sender", PipelineOtpSender())
    else:
        # No SMS gateway: the demo's console stands in for the phone (codes printed only in
        # the sandbox); elsewhere the attempt is logged without the code.
        app.extensions.setdefault("otp_sender", LoggingOtpSender(show_code=settings.sandbox))
    api.register_blueprint(blp)
