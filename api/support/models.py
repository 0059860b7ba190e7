"""Support: FAQ articles and their votes, every question asked (with its outcome), questions
to the agency (with redaction for the public Q&A), and portal Q&A sync errors. Surveys live
in survey_models.py."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

# Article lifecycle: only published articles answer citizens.
DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = "draft", "in_review", "published", "archived"
ARTICLE_STATES = (DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED)
# Question-to-the-agency lifecycle.
RECEIVED, ANSWERED, PUBLIC, CLOSED = "received", "answered", "published", "closed"
QUESTION_STATES = (RECEIVED, ANSWERED, PUBLIC, CLOSED)
# Where a question came from.
FROM_LOCAL, FROM_PORTAL, FROM_AGENCY = "local", "portal", "agency"
# Outcomes of answering a question.
ANSWER, CHOICES, FALLBACK = "answer", "choices", "fallback"


class Article(db.Model):
    """A frequent question with its answer: a short one for a chat bubble and a full one."""

    __tablename__ = "support_articles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    short_vi: Mapped[str] = mapped_column(Text)
    short_en: Mapped[str] = mapped_column(Text, default="")
    body_vi: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    # Other ways people ask the same thing (Vietnamese, with or without marks, and English).
    variants: Mapped[list] = mapped_column(JSON, default=list)
    procedure_codes: Mapped[list] = mapped_column(JSON, default=list)
    field_codes: Mapped[list] = mapped_column(JSON, default=list)
    owner_unit: Mapped[str] = mapped_column(String(300), default="")
    reviewed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    review_due_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ArticleVote(db.Model):
    """One helpful / not helpful vote per voter (account, chat or device) and article."""

    __tablename__ = "support_article_votes"
    __table_args__ = (UniqueConstraint("article_id", "voter"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("support_articles.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(96))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AskedQuestion(db.Model):
    """Every question put to the answering, with its outcome, so editors see the gaps. The
    text is stored redacted (no personal numbers)."""

    __tablename__ = "support_asked"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    folded: Mapped[str] = mapped_column(String(300), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="app")
    language: Mapped[str] = mapped_column(String(2), default="vi")
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    top_kind: Mapped[str] = mapped_column(String(16), default="")  # article | procedure
    top_key: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class AgencyQuestion(db.Model):
    """A question to the agency (from the app, a chat or the portal), its answer, and its
    public Q&A version (redacted and reviewed)."""

    __tablename__ = "support_questions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default=FROM_LOCAL)
    portal_id: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    status: Mapped[str] = mapped_column(String(16), default=RECEIVED, index=True)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    personal_data: Mapped[list] = mapped_column(JSON, default=list)  # kinds found
    procedure_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    field_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    unit_code: Mapped[str] = mapped_column(String(300), index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Who asked and where the answer goes: an account, a chat, or a contact (anonymous).
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), nullable=True, index=True
    )
    asker: Mapped[str] = mapped_column(String(96))  # dedupe scope, never shown
    channel: Mapped[str] = mapped_column(String(16), default="app")
    chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(200), nullable=True)
    language: Mapped[str] = mapped_column(String(2), default="vi")
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answered_by_title: Mapped[str] = mapped_column(String(200), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    public_question: Mapped[str] = mapped_column(Text, default="")
    public_answer: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Portal sync: what was last pushed (a changed answer is pushed again, never the same twice).
    pushed_version: Mapped[str] = mapped_column(String(64), default="")
    answer_pushed_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class PortalQaError(db.Model):
    """A portal Q&A item that could not be taken (no local field or unit), kept until fixed."""

    __tablename__ = "support_portal_errors"
    __table_args__ = (UniqueConstraint("service", "portal_id", "reason"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(64))
    portal_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))  # unknown_field | unknown_unit | invalid
    detail: Mapped[str] = mapped_column(Text, default="")
    seen: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
