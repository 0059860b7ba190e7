"""Satisfaction ratings: the official indicators (seeded data), one rating per dossier and its
answers, one row per indicator so statistics are plain SQL."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

# Who gives an indicator's score: the citizen, the system from the dossier's dates, or
# nobody per dossier (agency-level indicators, scored elsewhere).
BY_CITIZEN, BY_SYSTEM, BY_AGENCY = "citizen", "prefilled", "agency"


class RatingIndicator(db.Model):
    """Decree 61/2018 (as amended) indicators 1–11, seeded by migration: decrees change them."""

    __tablename__ = "rating_indicators"
    code: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    title_vi: Mapped[str] = mapped_column(Text)  # the official wording
    title_en: Mapped[str] = mapped_column(Text)
    question_vi: Mapped[str] = mapped_column(Text)  # plain question asked of citizens
    question_en: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(16))
    # The indicator whose answer is the overall satisfaction (shares in statistics).
    is_overall: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{"score": 2, "label_vi": ..., "label_en": ...}, ...] best first.
    options: Mapped[list] = mapped_column(JSON, default=list)


class Rating(db.Model):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(16))  # where it was first given
    comment: Mapped[str] = mapped_column(Text, default="")
    # Every submission as received (time, channel, answers, comment): raw answers are kept.
    raw: Mapped[list] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)  # +1 per change; portal sync key
    # Given with a community helper's assistance (api/assistance): counted apart in figures.
    assisted = db.Column(db.Boolean, nullable=False, default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    answers: Mapped[list[RatingAnswer]] = relationship(
        order_by="RatingAnswer.indicator_code",
        lazy="selectin",
        cascade="all, delete-orphan",
        back_populates="rating",
    )


class RatingAnswer(db.Model):
    __tablename__ = "rating_answers"
    __table_args__ = (UniqueConstraint("rating_id", "indicator_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="CASCADE"))
    indicator_code: Mapped[int] = mapped_column(ForeignKey("rating_indicators.code"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(16))  # BY_CITIZEN or BY_SYSTEM

    rating: Mapped[Rating] = relationship(back_populates="answers")
