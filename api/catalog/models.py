"""The procedure catalog: fields (lĩnh vực), procedures and everything a citizen prepares.

Codes that law defines (online levels, submission channels, implementing levels) are seeded
tables, filled by the migration, not literals in the code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db


class OnlineLevel(db.Model):
    """Toàn trình / một phần / chỉ cung cấp thông tin (Decree 42/2022, Art. 11)."""

    __tablename__ = "online_levels"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_vi: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class SubmissionChannel(db.Model):
    """Trực tiếp / trực tuyến / bưu chính công ích."""

    __tablename__ = "submission_channels"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class ImplementingLevel(db.Model):
    """Cấp xã / cấp tỉnh / cấp trung ương."""

    __tablename__ = "implementing_levels"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(100), unique=True)
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Field(db.Model):
    """Lĩnh vực: the area of law a procedure belongs to."""

    __tablename__ = "fields"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))


procedure_levels = Table(
    "procedure_levels",
    db.metadata,
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
    Column("level_code", ForeignKey("implementing_levels.code"), primary_key=True),
)


class Agency(db.Model):
    """An agency that implements procedures (cơ quan thực hiện), by name as the catalog has it."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), unique=True)


class Subject(db.Model):
    """Who may carry out a procedure (đối tượng thực hiện)."""

    __tablename__ = "subjects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(400), unique=True)


procedure_agencies = Table(
    "procedure_agencies",
    db.metadata,
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)

procedure_subjects = Table(
    "procedure_subjects",
    db.metadata,
    Column("procedure_id", ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True),
    Column("subject_id", ForeignKey("subjects.id"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


class Procedure(db.Model):
    __tablename__ = "procedures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # Provincial variants (2.000477.000.00.00.H56) map to a national code (2.000477).
    national_code: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(Text)
    field_code: Mapped[str] = mapped_column(ForeignKey("fields.code"), index=True)
    online_level: Mapped[str] = mapped_column(ForeignKey("online_levels.code"), index=True)
    issuing_agency: Mapped[str] = mapped_column(String(400), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    # Hash of the imported record: an unchanged record is skipped and the ETag is stable.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)

    field: Mapped[Field] = relationship(lazy="joined")
    level: Mapped[OnlineLevel] = relationship(lazy="joined")
    implementing_levels: Mapped[list[ImplementingLevel]] = relationship(
        secondary=procedure_levels, order_by=ImplementingLevel.position
    )
    agencies: Mapped[list[Agency]] = relationship(
        secondary=procedure_agencies, order_by=procedure_agencies.c.position
    )
    subjects: Mapped[list[Subject]] = relationship(
        secondary=procedure_subjects, order_by=procedure_subjects.c.position
    )
    channels: Mapped[list[ProcedureChannel]] = relationship(
        order_by="ProcedureChannel.position", cascade="all, delete-orphan"
    )
    steps: Mapped[list[ProcedureStep]] = relationship(
        order_by="ProcedureStep.position", cascade="all, delete-orphan"
    )
    documents: Mapped[list[RequiredDocument]] = relationship(
        order_by="RequiredDocument.position", cascade="all, delete-orphan"
    )
    results: Mapped[list[ProcedureResult]] = relationship(
        order_by="ProcedureResult.position", cascade="all, delete-orphan"
    )
    legal_bases: Mapped[list[LegalBasis]] = relationship(
        order_by="LegalBasis.position", cascade="all, delete-orphan"
    )


class ProcedureChannel(db.Model):
    """One way to submit (in person, online, by post) with its processing time and fees."""

    __tablename__ = "procedure_channels"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    channel_code: Mapped[str] = mapped_column(ForeignKey("submission_channels.code"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    duration_text: Mapped[str] = mapped_column(Text, default="")
    duration_days: Mapped[int | None] = mapped_column(Integer, nullable=True)

    channel: Mapped[SubmissionChannel] = relationship(lazy="joined")
    fees: Mapped[list[ChannelFee]] = relationship(
        order_by="ChannelFee.position", cascade="all, delete-orphan", lazy="selectin"
    )


class ChannelFee(db.Model):
    """A fee or charge (phí, lệ phí); ``amount_vnd`` is null when it varies, with a note."""

    __tablename__ = "channel_fees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("procedure_channels.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    amount_vnd: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ProcedureStep(db.Model):
    __tablename__ = "procedure_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)


class RequiredDocument(db.Model):
    """A paper to bring (thành phần hồ sơ), with how many copies and in what form."""

    __tablename__ = "required_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    copies: Mapped[str] = mapped_column(String(300), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")


class ProcedureResult(db.Model):
    """What the citizen receives at the end (kết quả thực hiện)."""

    __tablename__ = "procedure_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)


class LegalBasis(db.Model):
    """A legal document the procedure rests on (căn cứ pháp lý); the number may be empty."""

    __tablename__ = "legal_bases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("procedures.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    number: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(Text)


class CatalogRevision(db.Model):
    """One row per import that changed something; search indexes reload when it moves."""

    __tablename__ = "catalog_revisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(500), default="")
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
