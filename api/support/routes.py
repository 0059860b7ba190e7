"""Citizen-facing support API: ask, articles, guidance, questions to the agency, public Q&A,
surveys. Anonymous use is allowed where the issue allows it; a bearer token, when sent, is
checked and used."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from api.auth.guard import (
    OPTIONAL_SIGN_IN,
    SIGNED_IN,
    current_principal,
    current_principal_if_any,
)
from api.auth.models import ROLE_COMMUNITY
from api.kernel.errors import ApiError, request_language
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import PUBLIC, Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.support import articles, ask, guidance, questions, schemas, surveys
from api.support.questions import Asker
from api.support.surveys import Respondent

blp = Blueprint(
    "support",
    __name__,
    url_prefix="/api/v1/support",
    description="User support: answers, guidance, questions to the agency, surveys",
)


def _page(args: dict) -> Page:
    return Page(args["page"], args["page_size"])


@blp.route("/ask")
class Ask(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.AskSchema)
    @blp.response(200, schemas.AskResultSchema)
    def post(self, body):
        """Ask in plain words: an answer when confident, a few choices when unsure, else
        "no ready answer" with the offer to ask an officer. Every question is logged."""
        return ask.ask(body["question"], body["channel"], request_language()).__dict__


@blp.route("/articles")
class Articles(MethodView):
    @blp.access(PUBLIC)
    @blp.paged(schemas.ArticleListArgs, schemas.ArticleViewPage)
    def get(self, args):
        """Published help articles."""
        page = _page(args)
        items, total = articles.listing(page, status="published", q=args.get("q"))
        lang = request_language()
        return page_envelope([articles.localised(a, lang) for a in items], total, page)


@blp.route("/articles/<string:slug>")
class ArticleView(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.ArticleViewSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such published article")
    def get(self, slug: str):
        """One article, short and full answer; a stale one says so. Counts a view."""
        return articles.localised(articles.view(slug), request_language())


@blp.route("/articles/<string:slug>/vote")
class ArticleVote(MethodView):
    @blp.access(OPTIONAL_SIGN_IN)
    @blp.arguments(schemas.VoteSchema)
    @blp.response(200, schemas.ArticleViewSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such published article")
    def post(self, body, slug: str):
        """Helpful or not: one vote per account (or device token); voting again changes it."""
        principal = current_principal_if_any()
        if principal is not None:
            voter = f"account:{principal.account_id}"
        elif body.get("device"):
            voter = f"device:{body['device']}"
        else:
            raise ApiError(
                422, "validation_failed", errors={"device": ["Missing data for required field."]}
            )
        result = articles.vote(slug, voter, body["helpful"])
        return articles.localised(result.article, request_language())


@blp.route("/guidance/<string:code>")
class Guidance(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.GuidanceSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown procedure")
    def get(self, code: str):
        """Step by step for one procedure, from its catalog record: a checklist of papers,
        where and how to file, cost, time, what happens next."""
        return guidance.for_code(code, request_language())


@blp.route("/questions")
class Questions(MethodView):
    @blp.access(OPTIONAL_SIGN_IN)
    @blp.arguments(schemas.QuestionInputSchema)
    @blp.response(201, schemas.MyQuestionSchema)
    @blp.alt_response(200, schema=schemas.MyQuestionSchema, description="Sent moments ago")
    @blp.alt_response(422, schema=ErrorSchema, description="Anonymous without a contact")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many questions in an hour")
    def post(self, body):
        """Ask the agency. Signed in, or anonymous with a phone or e-mail for the answer. The
        same text sent again within 5 minutes is the same question (200)."""
        asker = Asker(
            principal=current_principal_if_any(),
            channel="app",
            name=body.get("contact_name", ""),
            phone=body.get("contact_phone"),
            email=body.get("contact_email"),
            language=request_language(),
            ip=request.remote_addr or "",
        )
        question, created = questions.ask_agency(
            body["text"], asker, body.get("procedure_code"), body.get("field_code")
        )
        return question, 201 if created else 200


@blp.route("/questions/mine")
class MyQuestions(MethodView):
    @blp.access(SIGNED_IN)
    @blp.paged(schemas.ArticleListArgs, schemas.MyQuestionPage)
    def get(self, args):
        """Questions I asked, with their answers."""
        page = _page(args)
        items, total = questions.mine(current_principal(), page)
        return page_envelope(items, total, page)


@blp.route("/qa")
class PublicQa(MethodView):
    @blp.access(PUBLIC)
    @blp.paged(schemas.PublicQaArgs, schemas.PublicQaPage)
    def get(self, args):
        """Published questions and answers: redacted, reviewed, never the asker's contact."""
        page = _page(args)
        items, total = questions.public_listing(page, args.get("q"), args.get("field"))
        return page_envelope([questions.public_view(q) for q in items], total, page)


@blp.route("/surveys")
class Surveys(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.SurveySchema(many=True))
    def get(self):
        """Open surveys."""
        return surveys.active()


@blp.route("/surveys/<string:slug>")
class SurveyView(MethodView):
    @blp.access(PUBLIC)
    @blp.response(200, schemas.SurveySchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such survey")
    def get(self, slug: str):
        """A survey's questions, with their display conditions."""
        return surveys.get(slug)


@blp.route("/surveys/<string:slug>/responses")
class SurveyResponses(MethodView):
    @blp.access(OPTIONAL_SIGN_IN)
    @blp.arguments(schemas.ResponseInputSchema)
    @blp.response(201, schemas.ResponseSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Already answered, or closed")
    def post(self, body, slug: str):
        """Answer a survey: once per person and period (and per dossier after a dossier).
        Anonymous answers need a device token and are reported apart from verified ones."""
        principal = current_principal_if_any()
        respondent = Respondent(
            principal=principal,
            device=body.get("device"),
            channel="app",
            # A community digital team member answering with a resident: flagged as assisted.
            assisted=principal is not None and principal.role == ROLE_COMMUNITY,
        )
        return surveys.submit(
            slug, body["answers"], respondent, body.get("dossier_code"), body["comment"]
        )
