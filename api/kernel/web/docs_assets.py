"""The interactive docs' assets (Swagger UI) served from the swagger-ui-bundle package, so
/docs works with no internet (no CDN)."""

from __future__ import annotations

from flask import Blueprint, Flask, send_from_directory

ASSETS_URL = "/docs/assets/"


def register_docs_assets(app: Flask) -> None:
    from swagger_ui_bundle import swagger_ui_path

    assets = Blueprint("docs_assets", __name__)

    @assets.get(f"{ASSETS_URL}<path:filename>")
    def docs_asset(filename: str):  # noqa: ANN202
        return send_from_directory(swagger_ui_path, filename, max_age=86400)

    app.register_blueprint(assets)
