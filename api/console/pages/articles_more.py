"""More of the editors' section: the gaps (questions most often left without an answer, per
ISO week) and the surveys with their results (an officer reads their own unit's)."""

from __future__ import annotations

from flask import render_template, request

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.console.forms import checked
from api.console.session import SectionPages
from api.console.views import api_error_text
from api.kernel.errors import ApiError
from api.support import ask, survey_results, surveys
from api.support import schemas as support_schemas

pages = SectionPages()


@pages.get("/gaps")
def gaps(principal: Principal):  # noqa: ARG001
    args = {"week": request.args.get("week", "")[:10]} if request.args.get("week") else {}
    error, status = "", 200
    try:
        chosen = checked(support_schemas.WeekArgs(), args)
    except ApiError as refused:
        (error, _), status, chosen = api_error_text(refused), refused.status, {"limit": 20}
    found = ask.top_unanswered(chosen.get("week"), chosen["limit"])
    return render_template("console/gaps.html", found=found, error=error), status


@pages.get("/surveys/")
def survey_list(principal: Principal):  # noqa: ARG001
    return render_template("console/surveys.html", items=surveys.listing())


@pages.get("/surveys/<string:slug>")
def survey_results_page(principal: Principal, slug: str):
    survey = surveys.get(slug[:64])
    args = {k: request.args[k][:300] for k in ("unit", "period") if request.args.get(k)}
    error, status = "", 200
    try:
        chosen = checked(support_schemas.ResultsArgs(), args)
    except ApiError as refused:
        (error, _), status, chosen = api_error_text(refused), refused.status, {}
    result = survey_results.results_for(principal, survey, chosen.get("unit"), chosen.get("period"))
    return render_template(
        "console/survey_results.html",
        survey=survey,
        result=result,
        error=error,
        is_admin=principal.role == ROLE_ADMIN,
        period=chosen.get("period", ""),
    ), status
