"""Rating the service: one rating per dossier, open once the result is ready or returned,
changeable for a few days, queued for the portal. The app's full form and the chat's short
path (only what was answered, never invented) share the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth.guard import Principal
from api.auth.models import STAFF_ROLES
from api.dossiers.models import Dossier
from api.dossiers.service import find as find_dossier
from api.dossiers.service import is_handling_staff, is_owner
from api.kernel import settings
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.digits import is_digits
from api.kernel.errors import ApiError
from api.messaging.content import clean_text
from api.messaging.models import CHANNELS
from api.rating import prefill, sync
from api.rating.models import BY_CITIZEN, BY_SYSTEM, Rating, RatingAnswer, RatingIndicator
from api.rating.texts import register

RATEABLE_GROUP = "done"  # dossier status group of 9 (result ready) and 10 (returned)
MAX_COMMENT = 1000

register()


def edit_window() -> timedelta:
    return timedelta(days=settings.current().rating_edit_window_days)


def indicators() -> list[RatingIndicator]:
    return list(db.session.scalars(select(RatingIndicator).order_by(RatingIndicator.code)))


def _by(answered_by: str) -> dict[int, RatingIndicator]:
    return {i.code: i for i in indicators() if i.answered_by == answered_by}


@dataclass
class RatingState:
    """What the rating screen (or a chat) needs: whether rating is possible and why not."""

    dossier: Dossier
    rating: Rating | None
    can_rate: bool  # the caller is the applicant
    open: bool
    reason: str | None  # slug of why it is not open (or not editable)
    editable_until: datetime | None
    prefilled: dict[int, int] = field(default_factory=dict)


def _dossier(principal: Principal, code: str) -> tuple[Dossier, bool]:
    dossier = find_dossier(code)
    if dossier is None:
        raise ApiError(404, "dossier_not_found", code=code[:64])
    if is_owner(principal, dossier):
        return dossier, True
    if is_handling_staff(principal, dossier):
        return dossier, False
    if principal.role in STAFF_ROLES:
        raise ApiError(403, "rating_forbidden")
    raise ApiError(404, "dossier_not_found", code=code[:64])  # not told it exists


def _rating(dossier: Dossier) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.dossier_id == dossier.id))


def _blocked(dossier: Dossier, rating: Rating | None, creating: bool) -> str | None:
    """Why this rating may not be given (creating) or changed now; None when it may."""
    if dossier.status.group != RATEABLE_GROUP:
        return "rating_not_open"
    if creating and rating is not None:
        return "rating_already_given"
    if not creating and rating is None:
        return "rating_not_found"
    if rating is not None and utcnow() > as_utc(rating.created_at) + edit_window():
        return "rating_edit_window_closed"
    return None


def _refuse(reason: str) -> ApiError:
    status = 404 if reason == "rating_not_found" else 409
    return ApiError(status, reason, days=edit_window().days)


def rating_state(principal: Principal, code: str) -> RatingState:
    dossier, can_rate = _dossier(principal, code)
    rating = _rating(dossier)
    reason = _blocked(dossier, rating, creating=rating is None)
    if reason is None and not can_rate:
        reason = "rating_owner_only"
    system = list(_by(BY_SYSTEM))
    return RatingState(
        dossier=dossier,
        rating=rating,
        can_rate=can_rate,
        open=reason is None,
        reason=reason,
        editable_until=as_utc(rating.created_at) + edit_window() if rating else None,
        prefilled=(
            {a.indicator_code: a.score for a in rating.answers if a.source == BY_SYSTEM}
            if rating
            else prefill.prefilled(dossier, system)
        ),
    )


def _validate(answers: Mapping, require_all: bool) -> dict[int, int]:
    """Answers keyed by indicator code (``{"3": 2}``); each must be one the citizen is asked
    and a score that indicator offers. Messages are marshmallow's, so they translate."""
    asked = _by(BY_CITIZEN)
    errors: dict[str, list[str]] = {}
    parsed: dict[int, int] = {}
    for key, value in answers.items():
        indicator = asked.get(int(key)) if is_digits(str(key)) and len(str(key)) < 4 else None
        if indicator is None:
            errors[str(key)] = ["Unknown field."]
            continue
        allowed = [option["score"] for option in indicator.options]
        if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            errors[str(key)] = [f"Must be one of: {', '.join(map(str, allowed))}."]
            continue
        parsed[indicator.code] = value
    if require_all:
        for code in asked:
            if code not in parsed and str(code) not in errors:
                errors[str(code)] = ["Missing data for required field."]
    if errors:
        raise ApiError(422, "rating_invalid", errors={"answers": errors})
    return parsed


def _clean_comment(comment: str | None) -> str | None:
    if comment is None:
        return None
    cleaned = clean_text(comment)
    if len(cleaned) > MAX_COMMENT:
        raise ApiError(
            422,
            "rating_invalid",
            errors={"comment": [f"Longer than maximum length {MAX_COMMENT}."]},
        )
    return cleaned


def _require_something(parsed: dict[int, int], comment: str | None) -> None:
    if not parsed and not comment:  # nothing answered, nothing said: nothing to record
        raise ApiError(
            422, "rating_invalid", errors={"answers": ["Missing data for required field."]}
        )


def _save(
    principal: Principal,
    dossier: Dossier,
    rating: Rating | None,
    answers: Mapping,
    parsed: dict[int, int],
    comment: str | None,
    channel: str,
    assisted: bool = False,
) -> Rating:
    now = utcnow()
    if rating is None:
        rating = Rating(
            dossier_id=dossier.id,
            account_id=principal.account_id,
            channel=channel,
            comment="",
            raw=[],
            version=1,
            created_at=now,
        )
        db.session.add(rating)
        for code, score in prefill.prefilled(dossier, list(_by(BY_SYSTEM))).items():
            rating.answers.append(RatingAnswer(indicator_code=code, score=score, source=BY_SYSTEM))
    else:
        rating.version += 1
    current = {a.indicator_code: a for a in rating.answers}
    for code, score in parsed.items():
        if code in current:
            current[code].score = score
        else:
            rating.answers.append(RatingAnswer(indicator_code=code, score=score, source=BY_CITIZEN))
    if comment is not None:
        rating.comment = comment
    if assisted:  # given with a helper's assistance: counted apart in the figures
        rating.assisted = True
    submission = {"at": now.isoformat(), "channel": channel, "answers": dict(answers)}
    if assisted:
        submission["assisted"] = True
    if comment is not None:
        submission["comment"] = comment
    rating.raw = [*rating.raw, submission]
    rating.updated_at = now
    db.session.flush()
    sync.queue_rating(dossier, rating)
    try:
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    except IntegrityError as exc:  # rated twice at the same moment: the first one stands
        db.session.rollback()
        raise _refuse("rating_already_given") from exc
    return rating


def _prepare(principal: Principal, code: str, channel: str) -> tuple[Dossier, Rating | None]:
    if channel not in CHANNELS:
        raise ApiError(422, "unknown_channel")
    dossier, can_rate = _dossier(principal, code)
    if not can_rate:
        raise ApiError(403, "rating_owner_only")
    return dossier, _rating(dossier)


def submit_rating(
    principal: Principal,
    code: str,
    answers: Mapping,
    comment: str | None = None,
    channel: str = "app",
    assisted: bool = False,
) -> Rating:
    """The full form: every indicator the citizen is asked (3, 4, 6, 7, 10, 11) answered.
    ``assisted``: given with a helper (api/assistance), recorded as such."""
    dossier, rating = _prepare(principal, code, channel)
    reason = _blocked(dossier, rating, creating=True)
    if reason:
        raise _refuse(reason)
    parsed = _validate(answers, require_all=True)
    return _save(
        principal, dossier, None, answers, parsed, _clean_comment(comment), channel, assisted
    )


def update_rating(
    principal: Principal,
    code: str,
    answers: Mapping,
    comment: str | None = None,
    channel: str = "app",
) -> Rating:
    """Change some answers or the comment, within the edit window."""
    dossier, rating = _prepare(principal, code, channel)
    reason = _blocked(dossier, rating, creating=False)
    if reason:
        raise _refuse(reason)
    parsed = _validate(answers, require_all=False)
    comment = _clean_comment(comment)
    _require_something(parsed, comment)
    return _save(principal, dossier, rating, answers, parsed, comment, channel)


def record_chat_answers(
    principal: Principal, code: str, answers: Mapping, channel: str, comment: str | None = None
) -> Rating:
    """The chat's short path (a few buttons): records exactly the answers given, creating the
    rating or adding to it within the edit window. Unanswered indicators stay unanswered."""
    dossier, rating = _prepare(principal, code, channel)
    reason = _blocked(dossier, rating, creating=rating is None)
    if reason:
        raise _refuse(reason)
    parsed = _validate(answers, require_all=False)
    comment = _clean_comment(comment)
    _require_something(parsed, comment)
    return _save(principal, dossier, rating, answers, parsed, comment, channel)
