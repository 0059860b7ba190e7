"""Surveys defined by an agency and their responses (one per respondent and period, one per
dossier for post-dossier surveys, held by unique constraints)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

POST_DOSSIER, PERIODIC, GENERAL = "post_dossier", "periodic", "general"
SURVEY_KINDS = (POST_DOSSIER, PERIODIC, GENERAL)
SINGLE, MULTIPLE, SCALE, SHORT_TEXT, LONG_TEXT = "single", "multiple", "scale", "short", "long"
QUESTION_TYPES = (SINGLE, MULTIPLE, SCALE, SHORT_TEXT, LONG_TEXT)
S_DRAFT, S_ACTIVE, S_CLOSED = "draft", "active", "closed"


class Survey(db.Model):
    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=S_DRAFT)
    title_vi: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(Text, default="")
    intro_vi: Mapped[str] = mapped_column(Text, default="")
    intro_en: Mapped[str] = mapped_column(Text, default="")
    unit_code: Mapped[str] = mapped_column(String(300), default="")  # "" = every unit
    # [{key, type, text_vi, text_en, required, options: [{value, label_vi, label_en}],
    #   show_if: {question, equals | any_of}}]
    questions: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("survey_id", "respondent", "period", name="uq_survey_once_per_period"),
        UniqueConstraint("survey_id", "dossier_id", name="uq_survey_once_per_dossier"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    # account:<id> | chat:<channel>:<id> | anon:<device token>: never shown.
    respondent: Mapped[str] = mapped_column(String(96))
    period: Mapped[str] = mapped_column(String(16))  # "2026-Q4", or "-" (once ever)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), nullable=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)  # identity checked (VNeID)
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)  # a helper entered it
    channel: Mapped[str] = mapped_column(String(16), default="app")
    unit_code: Mapped[str] = mapped_column(String(300), default="", index=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
