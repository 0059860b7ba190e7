"""Ratings queued for the portal through the portal outbox (same retry and exactly-once rules
as every portal message): each version of a rating is sent once, in order."""

from __future__ import annotations

from api.dossiers.models import Dossier
from api.kernel import settings
from api.portal import outbox
from api.rating.models import BY_SYSTEM, Rating


def portal_service() -> str:
    # *Unconfirmed*: no public source names the portal's rating service or its fields.
    return settings.current().portal_rating_service


def queue_rating(dossier: Dossier, rating: Rating) -> None:
    """Caller commits (with the rating)."""
    outbox.enqueue(
        portal_service(),
        {
            "MaHoSo": dossier.code,
            "NgayDanhGia": outbox.portal_time(rating.updated_at),
            "KenhDanhGia": rating.channel,
            "ChiSo": [
                {
                    "MaChiSo": str(a.indicator_code),
                    "Diem": a.score,
                    "Nguon": "TU_DONG" if a.source == BY_SYSTEM else "CONG_DAN",
                }
                for a in sorted(rating.answers, key=lambda a: a.indicator_code)
            ],
            "GopY": rating.comment,
        },
        f"rating:{rating.id}:v{rating.version}",
        dossier.id,
    )
