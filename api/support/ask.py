"""Asking the support: the answering over articles and procedure guidance, each question
logged with its outcome (redacted), and the weekly gaps editors look at."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from api.catalog.models import Procedure
from api.catalog.service import search_index
from api.kernel.clock import VN_TZ, to_local, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import message
from api.kernel.text import fold
from api.support import articles as article_service
from api.support import guidance
from api.support.answering import ARTICLE, Candidate, decide, merge, procedure_candidates
from api.support.models import ANSWER, FALLBACK, PUBLISHED, Article, AskedQuestion
from api.support.privacy import redact
from api.support.retrieval import retrieve_articles
from api.support.routing import default_reply_hours
from api.support.words import aspect_of

MAX_QUESTION = 500


@dataclass
class AskResult:
    outcome: str
    answer: dict | None = None
    choices: list[dict] = field(default_factory=list)
    message: str = ""
    log_id: int | None = None


def _article_procedures() -> dict[str, list[str]]:
    rows = db.session.execute(
        select(Article.slug, Article.procedure_codes).where(Article.status == PUBLISHED)
    )
    return {slug: list(codes or []) for slug, codes in rows}


def candidates(text: str) -> list[Candidate]:
    """Articles and procedures that may answer ``text``, best first (also for benchmarks)."""
    linked = _article_procedures()
    return merge(
        retrieve_articles(text, 5),
        procedure_candidates(search_index(), text),
        lambda slug: linked.get(slug, []),
    )


def _describe(candidate: Candidate, lang: str, full: bool, question: str) -> dict:
    if candidate.kind == ARTICLE:
        article = article_service.get(candidate.key, published_only=True)
        shown = article_service.localised(article, lang)
        return {
            "kind": ARTICLE,
            "key": candidate.key,
            "title": shown["title"],
            "short_answer": shown["short_answer"] if full else "",
            "stale": shown["stale"],
            "stale_note": shown["stale_note"],
            "procedure_code": candidate.procedure_code,
            "score": candidate.score,
        }
    guide = guidance.for_code(candidate.key, lang)
    return {
        "kind": "procedure",
        "key": candidate.key,
        "title": guide["name"],
        "short_answer": guidance.short_text(guide, lang, aspect_of(question)) if full else "",
        "stale": False,
        "stale_note": None,
        "procedure_code": candidate.key,
        "score": candidate.score,
    }


def ask(text: str, channel: str = "app", lang: str = "vi") -> AskResult:
    text = " ".join((text or "").split())[:MAX_QUESTION]
    decision = decide(candidates(text))
    result = AskResult(decision.outcome)
    if decision.outcome == ANSWER:
        result.answer = _describe(decision.candidates[0], lang, True, text)
    elif decision.outcome == FALLBACK:
        result.message = message("support_no_answer", lang, hours=default_reply_hours())
    else:
        result.message = message("support_choices", lang)
        result.choices = [_describe(c, lang, False, text) for c in decision.candidates]
    top = decision.top
    safe = redact(text)
    row = AskedQuestion(
        text=safe,
        folded=fold(safe)[:300],
        channel=channel,
        language=lang,
        outcome=decision.outcome,
        top_kind=top.kind if top else "",
        top_key=top.key if top else "",
        score=top.score if top else 0.0,
        choices=[f"{c.kind}:{c.key}" for c in decision.candidates],
    )
    db.session.add(row)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    result.log_id = row.id
    return result


def likely_field(text: str) -> str | None:
    """The field a question is about when the answering's candidates all agree on one, so a
    question typed in a chat (no procedure picked) still reaches the unit that answers it."""
    decision = decide(candidates(" ".join((text or "").split())[:MAX_QUESTION]))
    if decision.outcome == FALLBACK:
        return None
    codes = {c.procedure_code for c in decision.candidates}
    if not codes or None in codes:
        return None  # a general article (OTP, payment...): the default unit
    fields = set(db.session.scalars(select(Procedure.field_code).where(Procedure.code.in_(codes))))
    return fields.pop() if len(fields) == 1 else None


def week_bounds(week: str | None) -> tuple[datetime, datetime]:
    """An ISO week ("2026-W49", Vietnam time) as a UTC range; the current week by default."""
    if week:
        year, number = week.split("-W")
        try:
            start = datetime.fromisocalendar(int(year), int(number), 1)
        except ValueError:  # week 53 of a year that has 52
            raise ApiError(
                422, "validation_failed", errors={"week": ["Not a week of that year."]}
            ) from None
        start_local = start.replace(tzinfo=VN_TZ)
    else:
        now = to_local(utcnow())
        start_local = datetime(now.year, now.month, now.day, tzinfo=VN_TZ) - timedelta(
            days=now.weekday()
        )
    return start_local, start_local + timedelta(days=7)


def top_unanswered(week: str | None = None, limit: int = 20) -> dict:
    """The questions most often left without an answer (choices or none) in a week."""
    start, end = week_bounds(week)
    rows = db.session.execute(
        select(
            AskedQuestion.folded,
            func.count(),
            func.max(AskedQuestion.text),
            func.sum((AskedQuestion.outcome == FALLBACK).cast(db.Integer)),
        )
        .where(
            AskedQuestion.asked_at >= start,
            AskedQuestion.asked_at < end,
            AskedQuestion.outcome != ANSWER,
        )
        .group_by(AskedQuestion.folded)
        .order_by(func.count().desc(), AskedQuestion.folded)
        .limit(limit)
    ).all()
    totals = dict(
        db.session.execute(
            select(AskedQuestion.outcome, func.count())
            .where(AskedQuestion.asked_at >= start, AskedQuestion.asked_at < end)
            .group_by(AskedQuestion.outcome)
        ).all()
    )
    iso = start.isocalendar()
    return {
        "week": f"{iso[0]}-W{iso[1]:02d}",
        "totals": {k: int(v) for k, v in totals.items()},
        "items": [
            {"question": text, "count": int(count), "no_answer": int(none or 0)}
            for _, count, text, none in rows
        ],
    }
