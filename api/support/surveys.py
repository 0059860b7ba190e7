"""Surveys: agency-defined questions (single / multiple choice, 1–5 scale, short and long
text) with simple display conditions; a post-dossier survey when a dossier is finished and
periodic service surveys (the quarterly satisfaction survey); one response per respondent and
period, and per dossier, held by the database under concurrent submissions."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.auth.guard import Principal
from api.auth.models import Account
from api.dossiers.models import Dossier, DossierStatus
from api.kernel.clock import to_local, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.support import texts  # noqa: F401  (messages)
from api.support.survey_models import (
    MULTIPLE,
    PERIODIC,
    POST_DOSSIER,
    QUESTION_TYPES,
    S_ACTIVE,
    S_DRAFT,
    SCALE,
    SHORT_TEXT,
    SINGLE,
    Survey,
    SurveyResponse,
)
from push.notifications.models import Notification
from push.notifications.queueing import deliver_after_commit
from push.notifications.service import notify_account, notify_applicant

SHORT_MAX, LONG_MAX = 200, 2000
OPTION_VALUE = re.compile(r"^[A-Za-z0-9_+-]{1,24}$")
SCALE_VALUES = ("1", "2", "3", "4", "5")
DONE_GROUP = "done"


@dataclass(frozen=True)
class Respondent:
    """Who answers: a signed-in account, a chat, or an anonymous device; ``assisted`` when a
    helper entered the answers with the resident (set by the caller, reported apart)."""

    principal: Principal | None = None
    chat: tuple[str, str] | None = None
    device: str | None = None
    channel: str = "app"
    assisted: bool = False

    def key(self) -> str:
        if self.assisted and self.principal is not None:
            # A helper enters many residents' answers: each is its own, flagged and reported
            # apart (like anonymous ones, they cannot be deduplicated by person).
            return f"assisted:{self.principal.account_id}:{secrets.token_hex(8)}"
        if self.principal is not None:
            return f"account:{self.principal.account_id}"
        if self.chat is not None:
            return f"chat:{self.chat[0]}:{self.chat[1]}"
        if self.device:
            return f"anon:{self.device[:80]}"
        raise ApiError(422, "survey_respondent_needed")

    @property
    def verified(self) -> bool:
        """The resident's own identity checked (not a helper's)."""
        return not self.assisted and self.principal is not None and self.principal.identity_verified


def quarter_of(when: datetime) -> str:
    local = to_local(when)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def get(slug: str) -> Survey:
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise ApiError(404, "survey_not_found")
    return survey


def check_definition(questions: list[dict]) -> list[dict]:
    """Question definitions as stored; 422 naming what is wrong."""
    errors: dict[str, list[str]] = {}
    keys: list[str] = []
    for i, q in enumerate(questions):
        if not isinstance(q, dict):
            errors[f"#{i + 1}"] = ["Each question is an object"]
            continue
        key = str(q.get("key") or "")
        where = key or f"#{i + 1}"
        options = q.get("options") or []
        if not isinstance(options, list) or not all(
            isinstance(o, dict) and str(o.get("value") or "") for o in options
        ):
            errors[where] = ["Options are objects with a value"]
            continue
        if any(not OPTION_VALUE.match(str(o["value"])) for o in options):
            # «ym:<value>» is a chat button's data (64 bytes at most in Telegram).
            errors[where] = ["Option values are 1-24 of A-Z, a-z, 0-9, _ + -"]
            continue
        if not isinstance(q.get("text_vi", ""), str) or not q.get("text_vi"):
            errors[where] = ["text_vi is required"]
        if not key or key in keys:
            errors[where] = ["Each question needs its own key"]
        if q.get("type") not in QUESTION_TYPES:
            errors[where] = [f"type is one of {', '.join(QUESTION_TYPES)}"]
        if q.get("type") in (SINGLE, MULTIPLE) and len(q.get("options") or []) < 2:
            errors[where] = ["Choice questions need at least two options"]
        condition = q.get("show_if")
        if condition and (problem := _condition_problem(condition, questions[:i])):
            errors[where] = [problem]
        keys.append(key)
    if errors:
        raise ApiError(422, "validation_failed", errors={"questions": errors})
    return questions


def _condition_problem(condition: object, earlier: list) -> str | None:
    """What is wrong with a display condition, or None: it names an earlier choice or scale
    question and a value (``equals``) or values (``any_of``) that question can take; anything
    else would hide the question for ever, or show it always."""
    if not isinstance(condition, dict):
        return "show_if is an object"
    target = next(
        (e for e in earlier if isinstance(e, dict) and e.get("key") == condition.get("question")),
        None,
    )
    if target is None:
        return "show_if names an earlier question"
    if target.get("type") not in (SINGLE, MULTIPLE, SCALE):
        return "show_if names a choice or scale question"
    wanted = condition.get("any_of", [condition["equals"]] if "equals" in condition else None)
    if not isinstance(wanted, list) or not wanted:
        return "show_if needs equals or a non-empty any_of"
    allowed = (
        set(SCALE_VALUES)
        if target["type"] == SCALE
        else {str(o.get("value")) for o in target.get("options") or [] if isinstance(o, dict)}
    )
    if any(str(w) not in allowed for w in wanted):
        return "show_if values are among that question's options"
    return None


def create(fields: dict, activate: bool = True) -> Survey:
    """A new survey (admins), its questions checked first; 409 when the slug is taken."""
    check_definition(fields["questions"])
    if db.session.scalar(select(Survey.id).where(Survey.slug == fields["slug"])):
        raise ApiError(409, "article_slug_taken", name=fields["slug"])
    survey = Survey(status=S_ACTIVE if activate else S_DRAFT, **fields)
    db.session.add(survey)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return survey


def shown(question: dict, answers: dict) -> bool:
    """A question's display condition against the answers so far."""
    condition = question.get("show_if")
    if not condition:
        return True
    given = answers.get(condition["question"])
    wanted = condition.get("any_of") or [condition.get("equals")]
    wanted = [str(w) for w in wanted]
    if isinstance(given, list):
        return any(str(g) in wanted for g in given)
    return given is not None and str(given) in wanted


def next_question(survey: Survey, answers: dict, after: str | None = None) -> dict | None:
    """The next question to ask (one at a time, in the chats), skipping hidden ones."""
    passed = after is None
    for question in survey.questions:
        if not passed:
            passed = question["key"] == after
            continue
        if shown(question, answers):
            return question
    return None


def _option_values(question: dict) -> list[str]:
    if question["type"] == SCALE:
        return list(SCALE_VALUES)
    return [str(o["value"]) for o in question.get("options") or []]


def _one_of(question: dict) -> str:
    """marshmallow's wording, which the one error format puts in Vietnamese too."""
    return f"Must be one of: {', '.join(_option_values(question))}."


def clean_answers(survey: Survey, answers: dict) -> dict:
    """Answers kept for the visible questions, checked by type; 422 on anything invalid, in
    marshmallow's words so the one error format gives them in Vietnamese as well."""
    kept: dict = {}
    errors: dict[str, list[str]] = {}
    for question in survey.questions:
        key, kind = question["key"], question["type"]
        if not shown(question, kept):
            continue
        value = answers.get(key)
        if value in (None, "", []):
            if question.get("required"):
                errors[key] = ["Missing data for required field."]
            continue
        if kind in (SINGLE, SCALE):
            if str(value) not in _option_values(question):
                errors[key] = [_one_of(question)]
                continue
            kept[key] = int(value) if kind == SCALE else str(value)
        elif kind == MULTIPLE:
            values = value if isinstance(value, list) else [value]
            if not values or any(str(v) not in _option_values(question) for v in values):
                errors[key] = [_one_of(question)]
                continue
            kept[key] = sorted({str(v) for v in values}, key=_option_values(question).index)
        else:
            limit = SHORT_MAX if kind == SHORT_TEXT else LONG_MAX
            text = " ".join(str(value).split()) if kind == SHORT_TEXT else str(value).strip()
            if len(text) > limit:
                errors[key] = [f"Longer than maximum length {limit}."]
                continue
            kept[key] = text
    unknown = set(answers) - {q["key"] for q in survey.questions}
    if unknown:
        errors.update({key: ["Unknown field."] for key in sorted(unknown)})
    if errors:
        raise ApiError(422, "survey_invalid_answers", errors=errors)
    return kept


def _dossier_for(survey: Survey, respondent: Respondent, code: str | None) -> Dossier | None:
    if survey.kind != POST_DOSSIER:
        return None
    principal = respondent.principal
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == (code or "")))
    if (
        dossier is None
        or principal is None
        or not principal.personal_id
        or dossier.applicant_id_number != principal.personal_id
        or dossier.status.group != DONE_GROUP
    ):
        raise ApiError(403, "survey_dossier_not_yours")
    return dossier


def submit(
    slug: str,
    answers: dict,
    respondent: Respondent,
    dossier_code: str | None = None,
    comment: str = "",
) -> SurveyResponse:
    """Record one response; a second one for the same respondent and period (or dossier) is
    409, even when both arrive at the same moment (unique constraints decide)."""
    survey = get(slug)
    if survey.status != S_ACTIVE:
        raise ApiError(409, "survey_closed")
    dossier = _dossier_for(survey, respondent, dossier_code)
    now = utcnow()
    period = _period(survey, dossier, now)
    response = SurveyResponse(
        survey_id=survey.id,
        respondent=respondent.key(),
        period=period,
        dossier_id=dossier.id if dossier else None,
        account_id=respondent.principal.account_id if respondent.principal else None,
        verified=respondent.verified,
        assisted=respondent.assisted,
        channel=respondent.channel,
        unit_code=(dossier.handling_unit if dossier else survey.unit_code) or "",
        answers=clean_answers(survey, answers),
        comment=(comment or "").strip()[:LONG_MAX],
        submitted_at=now,
    )
    db.session.add(response)
    try:
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, "survey_already_answered") from None
    return response


def _period(survey: Survey, dossier: Dossier | None, now: datetime) -> str:
    """Once a quarter (periodic), once per dossier (post-dossier), else once."""
    if survey.kind == PERIODIC:
        return quarter_of(now)
    if dossier is not None:
        return f"d{dossier.id}"
    return "-"


def answered(slug: str, respondent: Respondent, dossier_code: str | None = None) -> bool:
    survey = get(slug)
    dossier = None
    if survey.kind == POST_DOSSIER:
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == (dossier_code or "")))
        if dossier is None:
            return False
    period = _period(survey, dossier, utcnow())
    return (
        db.session.scalar(
            select(SurveyResponse.id).where(
                SurveyResponse.survey_id == survey.id,
                SurveyResponse.respondent == respondent.key(),
                SurveyResponse.period == period,
            )
        )
        is not None
    )


def pending_after_dossier(principal: Principal | None, limit: int = 3) -> list[tuple]:
    """(survey, dossier) pairs the applicant may still answer: finished dossiers of theirs."""
    if principal is None or not principal.personal_id:
        return []
    found = []
    for survey in active(POST_DOSSIER):
        done = db.session.scalars(
            select(Dossier)
            .where(Dossier.applicant_id_number == principal.personal_id)
            .order_by(Dossier.id.desc())
            .limit(20)
        )
        for dossier in done:
            if dossier.status.group != DONE_GROUP:
                continue
            taken = db.session.scalar(
                select(SurveyResponse.id).where(
                    SurveyResponse.survey_id == survey.id,
                    SurveyResponse.dossier_id == dossier.id,
                )
            )
            if taken is None:
                found.append((survey, dossier))
    return found[:limit]


def listing(limit: int = 200) -> list[Survey]:
    """Every survey, newest first (staff: to read the results)."""
    return list(db.session.scalars(select(Survey).order_by(Survey.id.desc()).limit(limit)))


def active(kind: str | None = None) -> list[Survey]:
    query = select(Survey).where(Survey.status == S_ACTIVE)
    if kind:
        query = query.where(Survey.kind == kind)
    return list(db.session.scalars(query.order_by(Survey.id)))


def invite_after_dossier(dossier: Dossier) -> list[Notification]:
    """At a finished status (9/10, ``on_status_notified``): one invitation per active
    post-dossier survey, dossier and applicant account, ever. Caller commits."""
    if dossier.status.group != DONE_GROUP or not dossier.applicant_id_number:
        return []
    made: list[Notification] = []
    for survey in active(POST_DOSSIER):
        if survey.unit_code and survey.unit_code != dossier.handling_unit:
            continue
        params = {
            "survey": survey.title_vi,
            "survey_slug": survey.slug,
            "code": dossier.code,
            "hint": f"(mã hồ sơ {dossier.code}; trong chat Zalo, Telegram: gõ «khảo sát»)",
        }
        made += notify_applicant(
            dossier, "survey_invitation", params, f"survey:{survey.id}:d{dossier.id}"
        )
    return made


def on_status_notified(
    dossier: Dossier, status: DossierStatus, event_key: str
) -> list[Notification] | None:
    """The fan-out told a status change (``push.notifications.announcements.STATUS_NOTIFIED``):
    a finished dossier invites to the post-dossier surveys, after the rating invitation."""
    if status.group == DONE_GROUP:
        return invite_after_dossier(dossier)
    return None


def invite_periodic(slug: str, account_ids: list[int]) -> int:
    """Invite accounts to a periodic survey for this period (once each per period)."""

    survey = get(slug)
    period = quarter_of(utcnow())
    made = []
    for account in db.session.scalars(select(Account).where(Account.id.in_(account_ids))):
        params = {"survey": survey.title_vi, "survey_slug": survey.slug, "hint": period}
        key = f"survey:{survey.id}:{period}:a{account.id}"
        notification = notify_account(account, "survey_invitation", params, key)
        made += [notification] if notification is not None else []
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    ids = [n.id for n in made if n.status == "pending"]
    if ids:
        deliver_after_commit(ids)  # once the caller's unit of work commits
    return len(made)
