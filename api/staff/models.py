"""The registry of handling units (the portal's DonViXuLy) with the area each belongs to, so an
area's admins manage the officers of their own units only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db


class Unit(db.Model):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(300), primary_key=True)  # as in DonViXuLy
    name: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    # None: a province-level unit (a department); else the commune's own unit.
    commune_code: Mapped[int | None] = mapped_column(
        ForeignKey("communes.code"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
