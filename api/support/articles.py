"""FAQ articles: draft → in review → published → archived, review dates (a stale answer says
so), helpful / not helpful votes and views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.kernel import settings
from api.kernel.clock import to_local, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import message
from api.kernel.pagination import Page
from api.support import texts  # noqa: F401  (messages)
from api.support.models import (
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    PUBLISHED,
    Article,
    ArticleVote,
)
from api.support.search import matches

TRANSITIONS = {
    DRAFT: (IN_REVIEW,),
    IN_REVIEW: (PUBLISHED, DRAFT),
    PUBLISHED: (ARCHIVED, IN_REVIEW),
    ARCHIVED: (DRAFT,),
}
EDITABLE = ("slug", "title_vi", "title_en", "short_vi", "short_en", "body_vi", "body_en")
EDITABLE += ("variants", "procedure_codes", "field_codes", "owner_unit", "review_due_on")


def today() -> date:
    return to_local(utcnow()).date()


def is_stale(article: Article, on: date | None = None) -> bool:
    return article.review_due_on is not None and article.review_due_on < (on or today())


def stale_note(article: Article, lang: str) -> str | None:
    if not is_stale(article):
        return None
    return message("article_stale", lang, date=article.review_due_on.strftime("%d/%m/%Y"))


def _check_owner(principal: Principal, article: Article) -> None:
    if principal.role == ROLE_ADMIN:
        return
    if not principal.unit_code or article.owner_unit not in ("", principal.unit_code):
        raise ApiError(403, "article_other_unit")


def may_edit(principal: Principal, article: Article) -> bool:
    """Whether ``principal`` may change the article (its owner unit's officers, or admins)."""
    try:
        _check_owner(principal, article)
    except ApiError:
        return False
    return True


def next_states(article: Article) -> tuple[str, ...]:
    return TRANSITIONS.get(article.status, ())


def get(slug: str, published_only: bool = False) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None or (published_only and article.status != PUBLISHED):
        raise ApiError(404, "article_not_found")
    return article


def create(principal: Principal | None, fields: dict) -> Article:
    if db.session.scalar(select(Article.id).where(Article.slug == fields["slug"])):
        raise ApiError(409, "article_slug_taken", name=fields["slug"])
    article = Article(**{k: v for k, v in fields.items() if k in EDITABLE})
    if principal is not None and principal.role != ROLE_ADMIN and not article.owner_unit:
        article.owner_unit = principal.unit_code or ""
    if principal is not None:
        _check_owner(principal, article)
    db.session.add(article)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return article


def update(principal: Principal, slug: str, fields: dict) -> Article:
    article = get(slug)
    _check_owner(principal, article)
    if article.status not in (DRAFT, IN_REVIEW):
        raise ApiError(409, "article_not_editable")
    if (
        "slug" in fields
        and fields["slug"] != slug
        and db.session.scalar(select(Article.id).where(Article.slug == fields["slug"]))
    ):
        raise ApiError(409, "article_slug_taken", name=fields["slug"])
    for key, value in fields.items():
        if key in EDITABLE:
            setattr(article, key, value)
    article.version += 1
    article.updated_at = utcnow()
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return article


def transition(principal: Principal | None, slug: str, target: str) -> Article:
    """Move an article along its lifecycle; publishing stamps the review dates."""
    article = get(slug)
    if principal is not None:
        _check_owner(principal, article)
    if target not in TRANSITIONS.get(article.status, ()):
        raise ApiError(409, "article_bad_transition", current=article.status, target=target)
    now = utcnow()
    article.status = target
    if target == PUBLISHED:
        article.published_at = now
        article.reviewed_on = today()
        due = article.review_due_on
        if due is None or due <= today():
            article.review_due_on = today() + timedelta(days=settings.current().support_review_days)
    elif target == ARCHIVED:
        article.archived_at = now
    record(
        "support_article_" + target,
        Origin(),
        actor_id=principal.account_id if principal else None,
        object_type="support_article",
        object_id=article.slug,
    )
    article.version += 1
    article.updated_at = now
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return article


def listing(
    page: Page, status: str | None = None, stale: bool | None = None, q: str | None = None
) -> tuple[list[Article], int]:
    query = select(Article)
    if status:
        query = query.where(Article.status == status)
    if stale is True:
        query = query.where(Article.review_due_on < today())
    elif stale is False:
        query = query.where((Article.review_due_on.is_(None)) | (Article.review_due_on >= today()))
    found = matches(q, Article.title_vi, Article.title_en, Article.short_vi, Article.slug)
    if found is not None:  # as citizens type: without marks, any case, any word order
        query = query.where(found)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Article.slug).offset(page.offset).limit(page.page_size)
    )
    return list(items), total


def view(slug: str) -> Article:
    """A citizen reads an article: counted once per read."""
    article = get(slug, published_only=True)
    db.session.execute(
        Article.__table__.update()
        .where(Article.id == article.id)
        .values(views=Article.__table__.c.views + 1)
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    db.session.refresh(article)
    return article


@dataclass
class VoteResult:
    article: Article
    helpful: bool


def vote(slug: str, voter: str, helpful: bool) -> VoteResult:
    """One vote per voter and article; voting again changes the vote, it does not add one."""
    article = get(slug, published_only=True)
    existing = db.session.scalar(
        select(ArticleVote).where(ArticleVote.article_id == article.id, ArticleVote.voter == voter)
    )
    if existing is None:
        db.session.add(ArticleVote(article_id=article.id, voter=voter, helpful=helpful))
    elif existing.helpful != helpful:
        existing.helpful = helpful
    try:
        db.session.flush()
    except IntegrityError:  # the same voter's double tap, at the same moment: one vote
        db.session.rollback()
        return vote(slug, voter, helpful)
    counts = dict(
        db.session.execute(
            select(ArticleVote.helpful, func.count())
            .where(ArticleVote.article_id == article.id)
            .group_by(ArticleVote.helpful)
        ).all()
    )
    article.helpful, article.not_helpful = counts.get(True, 0), counts.get(False, 0)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return VoteResult(article, helpful)


def localised(article: Article, lang: str) -> dict:
    """What a citizen sees of an article, in their language (Vietnamese when no English)."""
    en = lang == "en"
    return {
        "slug": article.slug,
        "title": (article.title_en if en and article.title_en else article.title_vi),
        "short_answer": (article.short_en if en and article.short_en else article.short_vi),
        "full_answer": (article.body_en if en and article.body_en else article.body_vi),
        "procedure_codes": article.procedure_codes or [],
        "field_codes": article.field_codes or [],
        "owner_unit": article.owner_unit,
        "reviewed_on": article.reviewed_on,
        "review_due_on": article.review_due_on,
        "stale": is_stale(article),
        "stale_note": stale_note(article, lang),
        "helpful": article.helpful,
        "not_helpful": article.not_helpful,
        "views": article.views,
    }
