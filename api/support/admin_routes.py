"""Staff side of support: editing articles, the weekly gaps, answering and publishing
questions, portal Q&A sync, surveys and their results. Officers act for their own unit."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from api.auth.guard import current_principal, role
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.portal.client import get_gateway
from api.support import articles, ask, portal_qa, questions, schemas, survey_results, surveys

blp = Blueprint(
    "support_admin",
    __name__,
    url_prefix="/api/v1/support/admin",
    description="Support for staff: articles, questions, portal sync, surveys",
)
STAFF = (ROLE_OFFICER, ROLE_ADMIN)


def _page(args: dict) -> Page:
    return Page(args["page"], args["page_size"])


@blp.route("/articles")
class Articles(MethodView):
    @blp.access(role(*STAFF))
    @blp.paged(schemas.AdminArticleArgs, schemas.ArticlePage)
    def get(self, args):
        """Every article by status; ``stale=true`` lists those past their review date."""
        page = _page(args)
        items, total = articles.listing(page, args.get("status"), args.get("stale"), args.get("q"))
        return page_envelope(items, total, page)

    @blp.access(role(*STAFF))
    @blp.arguments(schemas.ArticleInputSchema)
    @blp.response(201, schemas.ArticleSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Slug taken")
    def post(self, body):
        """A new article, as a draft."""
        return articles.create(current_principal(), body)


@blp.route("/articles/<string:slug>")
class Article(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.ArticleSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such article")
    def get(self, slug: str):
        return articles.get(slug)

    @blp.access(role(*STAFF))
    @blp.arguments(schemas.ArticleUpdateSchema(partial=True))
    @blp.response(200, schemas.ArticleSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Published or archived")
    def patch(self, body, slug: str):
        """Change a draft or an article in review (owner unit or admin)."""
        return articles.update(current_principal(), slug, body)


@blp.route("/articles/<string:slug>/transition")
class ArticleTransition(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.TransitionSchema)
    @blp.response(200, schemas.ArticleSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Not allowed from this status")
    def post(self, body, slug: str):
        """draft → in_review → published → archived (in_review → draft, published →
        in_review and archived → draft too). Publishing sets the next review date."""
        return articles.transition(current_principal(), slug, body["to"])


@blp.route("/unanswered")
class Unanswered(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.WeekArgs, location="query")
    @blp.response(200, schemas.UnansweredSchema)
    def get(self, args):
        """The questions most often left without an answer in a week (ISO week, Vietnam time)."""
        return ask.top_unanswered(args.get("week"), args["limit"])


@blp.route("/questions")
class Queue(MethodView):
    @blp.access(role(*STAFF))
    @blp.paged(schemas.QueueArgs, schemas.StaffQuestionPage)
    def get(self, args):
        """The unit's questions, the nearest reply target first."""
        page = _page(args)
        items, total = questions.queue(
            current_principal(), page, args.get("status"), args["overdue"]
        )
        return page_envelope(items, total, page)


@blp.route("/questions/<int:question_id>")
class QuestionView(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.StaffQuestionSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such question")
    def get(self, question_id: int):
        return questions.for_officer(current_principal(), question_id)


@blp.route("/questions/<int:question_id>/answer")
class QuestionAnswer(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.AnswerInputSchema)
    @blp.response(200, schemas.StaffQuestionSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Closed or published")
    def post(self, body, question_id: int):
        """Answer; the asker is told on their channel (app, chat, SMS or e-mail)."""
        return questions.answer(current_principal(), question_id, body["answer"], body["title"])


@blp.route("/questions/<int:question_id>/publish")
class QuestionPublish(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.PublishInputSchema)
    @blp.response(200, schemas.StaffQuestionSchema)
    @blp.alt_response(422, schema=ErrorSchema, description="Personal data left in the text")
    def post(self, body, question_id: int):
        """Publish as public Q&A after review of the redacted texts (edit them here)."""
        return questions.publish(
            current_principal(),
            question_id,
            body.get("public_question"),
            body.get("public_answer"),
        )


@blp.route("/questions/<int:question_id>/close")
class QuestionClose(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.StaffQuestionSchema)
    def post(self, question_id: int):
        return questions.close(current_principal(), question_id)


@blp.route("/portal-sync")
class PortalSync(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.response(200, schemas.SyncReportSchema)
    @blp.alt_response(503, schema=ErrorSchema, description="No portal configured")
    def post(self):
        """Pull the portal's Q&A and push ours now (the worker does it on a schedule)."""
        return portal_qa.sync(get_gateway()).as_dict()


@blp.route("/portal-errors")
class PortalErrors(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.PortalErrorSchema(many=True))
    def get(self):
        """Portal items not taken because a field or unit code has no local mapping."""
        return portal_qa.open_errors()


@blp.route("/surveys")
class AdminSurveys(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.arguments(schemas.SurveyInputSchema)
    @blp.response(201, schemas.SurveySchema)
    def post(self, body):
        """Define a survey (choice, multiple choice, 1–5 scale, short / long text, show_if)."""
        active = body.pop("active")
        return surveys.create(body, active)


@blp.route("/surveys/<string:slug>/results")
class Results(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.ResultsArgs, location="query")
    @blp.response(200, schemas.ResultsSchema)
    @blp.alt_response(
        200, content_type="text/csv", schema={"type": "string"}, description="JSON or CSV"
    )
    def get(self, args, slug: str):
        """Counts and distributions per question, verified and unverified apart, by unit and
        period (quarter or month). Officers: their own unit."""
        survey = surveys.get(slug)
        result = survey_results.results_for(
            current_principal(), survey, args.get("unit"), args.get("period")
        )
        if args.get("format") == "csv" or (
            args.get("format") is None
            and request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
        ):
            return Response(
                # The byte-order mark lets Excel, where officers open it, read the Vietnamese.
                "\ufeff" + survey_results.as_csv(result, survey),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{slug}.csv"'},
            )
        return result


@blp.route("/surveys/<string:slug>/invite")
class Invite(MethodView):
    @blp.access(role(ROLE_ADMIN))
    @blp.arguments(schemas.InviteInputSchema)
    @blp.response(200, schemas.InvitedSchema)
    def post(self, body, slug: str):
        """Invite accounts to a periodic survey for this quarter (each once per quarter)."""
        return {"invited": surveys.invite_periodic(slug, body.get("account_ids") or [])}
