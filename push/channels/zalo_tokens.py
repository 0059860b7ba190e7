"""The Zalo OA token pair in the database: one row, optimistic locking on ``version``, so
concurrent workers refresh it once and everyone uses the winner's tokens.

Commits on its own: a refreshed token pair must be stored at once (Zalo refresh tokens are
single-use).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.database import UtcDateTime, db
from push.channels.zalo import ZaloTokens, initial_tokens

ROW_ID = 1


class ZaloTokenRecord(db.Model):
    """The Zalo OA token pair, refreshed from one place with optimistic locking (version)."""

    __tablename__ = "zalo_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    refresh_token: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class DatabaseTokenStore:
    def __init__(self, seed_refresh_token: str) -> None:
        self.seed_refresh_token = seed_refresh_token

    def load(self) -> ZaloTokens:
        row = db.session.get(ZaloTokenRecord, ROW_ID)
        if row is None:
            seed = initial_tokens(self.seed_refresh_token)
            row = ZaloTokenRecord(
                id=ROW_ID,
                access_token=seed.access_token,
                refresh_token=seed.refresh_token,
                expires_at=seed.expires_at,
                version=seed.version,
            )
            db.session.add(row)
            db.session.commit()
        tokens = ZaloTokens(row.access_token, row.refresh_token, row.expires_at, row.version)
        db.session.commit()  # do not keep a transaction open across the provider call
        return tokens

    def save(self, new: ZaloTokens, expected_version: int) -> bool:
        won = db.session.execute(
            update(ZaloTokenRecord)
            .where(ZaloTokenRecord.id == ROW_ID, ZaloTokenRecord.version == expected_version)
            .values(
                access_token=new.access_token,
                refresh_token=new.refresh_token,
                expires_at=new.expires_at,
                version=new.version,
            )
        ).rowcount
        db.session.commit()
        return bool(won)
