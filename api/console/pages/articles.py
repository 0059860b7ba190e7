"""Editors (an officer for their unit's articles, an admin for any): FAQ articles (write, send
to review, publish, archive, review dates), the gaps (the questions most often left without an
answer, per week) and surveys with their results. The same services as
``/api/v1/support/admin/...``; the API's own input schemas check the form's values."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from api.console.forms import checked, page_number
from api.console.pages import articles_more
from api.console.sections import Section
from api.console.session import staff_page
from api.console.views import api_error_text, t
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.support import articles
from api.support import schemas as support_schemas
from api.support.models import ARCHIVED, DRAFT, IN_REVIEW, PUBLISHED

SECTION = Section(
    "articles",
    "console_articles.index",
    "Bài hỏi đáp",
    "FAQ articles",
    (ROLE_OFFICER, ROLE_ADMIN),
    40,
)
blp = Blueprint("console_articles", __name__, url_prefix="/console/articles")
PAGE_SIZE = 30
STATES = (DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED)
LISTS = ("variants", "procedure_codes", "field_codes")
TEXTS = ("slug", "title_vi", "title_en", "short_vi", "short_en", "body_vi", "body_en")


def _fields(form, admin: bool) -> dict:  # noqa: ANN001
    """The article form as the API's JSON body: lists one item a line."""
    data = {key: form.get(key, "")[:9000] for key in TEXTS}
    for key in LISTS:
        data[key] = [
            line.strip() for line in form.get(key, "")[:12000].splitlines() if line.strip()
        ]
    data["review_due_on"] = form.get("review_due_on", "").strip() or None
    if admin:
        data["owner_unit"] = form.get("owner_unit", "")[:300].strip()
    return data


@blp.get("/")
@staff_page(SECTION)
def index(principal: Principal):
    status = request.args.get("status", "")
    status = status if status in STATES else ""
    stale = request.args.get("stale") == "1"
    query = request.args.get("q", "")[:100].strip() or None
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = articles.listing(page, status or None, True if stale else None, query)
    return render_template(
        "console/articles.html",
        items=items,
        status=status,
        stale=stale,
        q=query or "",
        states=STATES,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        is_stale=articles.is_stale,
        may_edit=lambda a: articles.may_edit(principal, a),
    )


def _editor(principal: Principal, article=None, error=None, status=200, form=None):  # noqa: ANN001, ANN202
    text, fields = api_error_text(error) if error else ("", {})
    return render_template(
        "console/article.html",
        article=article,
        form=form,
        editable=article is None
        or (articles.may_edit(principal, article) and article.status in (DRAFT, IN_REVIEW)),
        may_move=article is not None and articles.may_edit(principal, article),
        next_states=articles.next_states(article) if article is not None else (),
        stale=article is not None and articles.is_stale(article),
        is_admin=principal.role == ROLE_ADMIN,
        error=text,
        field_errors=fields,
    ), status


@blp.route("/new", methods=["GET", "POST"])
@staff_page(SECTION)
def new(principal: Principal):
    if request.method == "GET":
        return _editor(principal)
    try:
        body = checked(
            support_schemas.ArticleInputSchema(),
            _fields(request.form, principal.role == ROLE_ADMIN),
        )
        made = articles.create(principal, body)
    except ApiError as error:
        db.session.rollback()
        return _editor(principal, None, error, error.status, request.form)
    flash(t("saved"))
    return redirect(url_for("console_articles.article", slug=made.slug), 303)


@blp.route("/<string:slug>", methods=["GET", "POST"])
@staff_page(SECTION)
def article(principal: Principal, slug: str):
    found = articles.get(slug[:64])
    if request.method == "GET":
        return _editor(principal, found)
    try:
        body = checked(
            support_schemas.ArticleUpdateSchema(partial=True),
            _fields(request.form, principal.role == ROLE_ADMIN),
        )
        changed = articles.update(principal, found.slug, body)
    except ApiError as error:
        db.session.rollback()
        if error.status == 403:
            raise
        return _editor(principal, articles.get(slug[:64]), error, error.status, request.form)
    flash(t("saved"))
    return redirect(url_for("console_articles.article", slug=changed.slug), 303)


@blp.post("/<string:slug>/transition")
@staff_page(SECTION)
def transition(principal: Principal, slug: str):
    target = request.form.get("to", "")[:16]
    try:
        moved = articles.transition(principal, slug[:64], target)
    except ApiError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        return _editor(principal, articles.get(slug[:64]), error, error.status)
    flash(t("art_moved_" + moved.status))
    return redirect(url_for("console_articles.article", slug=moved.slug), 303)


# The gaps and the surveys: more pages of this section.
articles_more.pages.attach(blp, SECTION)
