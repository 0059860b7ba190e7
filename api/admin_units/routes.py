from __future__ import annotations

from flask.views import MethodView

from api.admin_units import service
from api.admin_units.schemas import CommuneArgs, UnitListSchema
from api.kernel.web.blueprint import PUBLIC, Blueprint
from api.kernel.web.openapi import ErrorSchema

blp = Blueprint("units", __name__, url_prefix="/api/v1", description="Administrative units")


def _version() -> str:
    info = service.dataset_info()
    return info.version if info else ""


@blp.route("/provinces")
class Provinces(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, UnitListSchema)
    def get(self):
        """The 34 provinces and centrally-run cities."""
        return {"items": service.list_provinces(), "version": _version()}


@blp.route("/provinces/<int:code>/communes")
class Communes(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(CommuneArgs, location="query")
    @blp.response(200, UnitListSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown province")
    def get(self, args, code: int):
        """Communes and wards of a province, optionally filtered by name (diacritics optional)."""
        return {"items": service.communes_of(code, args["q"]), "version": _version()}
