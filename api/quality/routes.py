"""Quality figures: snapshots and their drill-down (staff), portal values (admin), and the
public monthly report (JSON, CSV and an HTML page)."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import Response, redirect, request
from flask.views import MethodView

from api.audit.origin import request_origin
from api.auth.guard import current_principal, role
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from api.kernel.errors import request_language
from api.kernel.pagination import Page
from api.kernel.web.blueprint import PUBLIC, Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.quality import pages, report, schemas, service
from api.quality.snapshots import province_code

blp = Blueprint(
    "quality",
    __name__,
    url_prefix="/api/v1/quality",
    description="Decision 766 indicators (local estimates), snapshots, the public report",
)
public_pages = FlaskBlueprint("quality_pages", __name__)
STAFF = (ROLE_OFFICER, ROLE_ADMIN)


@blp.route("/snapshots")
class Snapshots(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.SnapshotInputSchema)
    @blp.response(201, schemas.SnapshotSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Another unit, or publishing (admins)")
    @blp.alt_response(404, schema=ErrorSchema, description="No such scope")
    def post(self, body):
        """Compute a new snapshot of a scope and period (a published one is never changed:
        recomputing makes a new one that supersedes it). Admins may publish it at once."""
        snapshot = service.make_snapshot(
            current_principal(),
            body["scope_kind"],
            body["scope_code"],
            body["period_kind"],
            body["period_key"],
            body["publish"],
            request_origin(),
        )
        return service.snapshot_view(snapshot)


@blp.route("/snapshots/<int:snapshot_id>")
class SnapshotOne(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.SnapshotSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Another unit")
    @blp.alt_response(404, schema=ErrorSchema, description="No such snapshot")
    def get(self, snapshot_id: int):
        """A snapshot with the portal's published values beside the local estimates."""
        return service.snapshot_view(service.get_snapshot(current_principal(), snapshot_id))


@blp.route("/snapshots/<int:snapshot_id>/publish")
class SnapshotPublish(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.response(200, schemas.SnapshotSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such snapshot")
    def post(self, snapshot_id: int):
        """Publish a snapshot (idempotent); from then on it is final."""
        return service.snapshot_view(
            service.publish_snapshot(current_principal(), snapshot_id, request_origin())
        )


@blp.route("/snapshots/<int:snapshot_id>/figures/<string:indicator>/<string:part>")
class SnapshotMembers(MethodView):
    @blp.access(role(*STAFF))
    @blp.paged(schemas.MemberArgsSchema, schemas.MemberPageSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Another unit")
    @blp.alt_response(404, schema=ErrorSchema, description="No such snapshot or figure")
    def get(self, args, snapshot_id: int, indicator: str, part: str):
        """The dossiers (procedures for S1, S2) counted in a figure's numerator or
        denominator, paged; ``total`` equals the figure's count."""
        return service.drilldown(
            current_principal(),
            snapshot_id,
            indicator,
            part,
            Page(args["page"], args["page_size"]),
        )


@blp.route("/portal-values")
class PortalValues(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.arguments(schemas.PortalValuesInputSchema)
    @blp.response(200, schemas.PortalValuesResultSchema)
    def post(self, body):
        """Import values the portal published; they are shown beside the local estimates."""
        return {
            "saved": len(
                service.import_values(current_principal(), body["values"], request_origin())
            )
        }


@blp.route("/reports/<any(province,unit):scope_kind>/<string:scope_code>")
class Report(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.ReportArgsSchema, location="query")
    @blp.response(200)
    @blp.alt_response(200, content_type="text/csv", schema={"type": "string"}, description="CSV")
    @blp.alt_response(404, schema=ErrorSchema, description="Not published")
    def get(self, args, scope_kind: str, scope_code: str):
        """The public monthly report (no personal data) for the province's portal, JSON or CSV."""
        result = report.monthly_report(scope_kind, scope_code, args.get("month"))
        if args.get("format") != "csv":
            return result
        return Response(
            report.report_csv(result),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="quality-{result["month"]}.csv"'
            },
        )


@public_pages.get("/quality")
def province_page():
    return redirect(f"/quality/province/{province_code()}", code=302)


@public_pages.get("/quality/<any(province,unit):scope_kind>/<string:scope_code>")
def report_page(scope_kind: str, scope_code: str):
    month = request.args.get("month") or None
    data = report.monthly_report(scope_kind, scope_code, month)
    lang = "en" if request.args.get("lang") == "en" else request_language()
    json_url, csv_url = pages.report_links(scope_kind, scope_code, data["month"])
    return Response(pages.render(data, lang, json_url, csv_url), mimetype="text/html")
