"""Officers: the questions to the agency routed to their unit, a tab of the inbox beside the
dossier threads; answer (the asker hears of it on their channel), publish the redacted version
as public Q&A, close. The same services as ``/api/v1/admin/support/questions``."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from api.auth.guard import Principal
from api.console.forms import checked, page_number
from api.console.session import SectionPages
from api.console.views import api_error_text, t
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.support import questions
from api.support import schemas as support_schemas
from api.support.models import ANSWERED, CLOSED, PUBLIC, RECEIVED

VIEWS = {"received": RECEIVED, "answered": ANSWERED, "published": PUBLIC, "closed": CLOSED}
PAGE_SIZE = 20
pages = SectionPages()


def open_count(principal: Principal) -> int:
    """The unit's questions still waiting for an answer (the inbox tab's count)."""
    return questions.queue(principal, Page(1, 1), RECEIVED)[1]


@pages.get("/questions/")
def questions_index(principal: Principal):
    view = request.args.get("view", "received")
    view = view if view in VIEWS else "received"
    overdue = request.args.get("overdue") == "1"
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = questions.queue(principal, page, VIEWS[view], overdue and view == "received")
    counts = {key: questions.queue(principal, Page(1, 1), state)[1] for key, state in VIEWS.items()}
    return render_template(
        "console/questions.html",
        items=items,
        view=view,
        overdue=overdue,
        counts=counts,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _question_page(principal: Principal, question_id: int, error=None, status=200, draft=None):  # noqa: ANN001, ANN202
    question = questions.for_officer(principal, question_id)
    text, fields = api_error_text(error) if error else ("", {})
    return render_template(
        "console/question.html",
        q=question,
        error=text,
        field_errors=fields,
        draft=draft or {},
    ), status


@pages.get("/questions/<int:question_id>")
def question(principal: Principal, question_id: int):
    return _question_page(principal, question_id)


@pages.post("/questions/<int:question_id>/answer")
def question_answer(principal: Principal, question_id: int):
    form = {"answer": request.form.get("answer", ""), "title": request.form.get("title", "")}
    try:
        body = checked(support_schemas.AnswerInputSchema(), form)
        questions.answer(principal, question_id, body["answer"], body["title"])
    except ApiError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        return _question_page(principal, question_id, error, error.status, form)
    flash(t("q_answered"))
    return redirect(url_for("console_inbox.question", question_id=question_id), 303)


@pages.post("/questions/<int:question_id>/publish")
def question_publish(principal: Principal, question_id: int):
    form = {
        "public_question": request.form.get("public_question", ""),
        "public_answer": request.form.get("public_answer", ""),
    }
    try:
        body = checked(support_schemas.PublishInputSchema(), form)
        questions.publish(
            principal, question_id, body.get("public_question"), body.get("public_answer")
        )
    except ApiError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        return _question_page(principal, question_id, error, error.status, form)
    flash(t("q_published"))
    return redirect(url_for("console_inbox.question", question_id=question_id), 303)


@pages.post("/questions/<int:question_id>/close")
def question_close(principal: Principal, question_id: int):
    questions.close(principal, question_id)
    flash(t("q_closed"))
    return redirect(url_for("console_inbox.questions_index"), 303)
