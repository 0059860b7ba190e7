from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db


class Province(db.Model):
    __tablename__ = "provinces"
    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))


class Commune(db.Model):
    """A commune-level unit (xã, phường, đặc khu) under the two-level local government."""

    __tablename__ = "communes"
    code: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))


class ReferenceDataset(db.Model):
    """Which version of which official list is loaded, and where it came from."""

    __tablename__ = "reference_datasets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(1000))
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
