"""Telling both people when a grant starts, is first used and ends (in the caller's
transaction; the notification pipeline delivers after commit)."""

from __future__ import annotations

from api.assistance.models import Grant
from api.assistance.rules import describe
from api.auth.models import Account
from api.kernel.clock import to_local
from api.kernel.database import db
from api.kernel.i18n import message
from push.notifications.models import Notification
from push.notifications.queueing import deliver_after_commit
from push.notifications.service import notify_account

EVENT = "assistance"

_WHY = {
    "vi": {
        "time": "hết thời hạn",
        "not_accepted": "không được nhận kịp",
        "resident": "người dân đã dừng",
        "helper": "người giúp đã kết thúc",
        "rejected": "bị từ chối",
        "code": "nhập sai mã quá số lần",
        "replaced": "đã có yêu cầu mới thay thế",
    },
    "en": {
        "time": "time ran out",
        "not_accepted": "not accepted in time",
        "resident": "the resident stopped it",
        "helper": "the helper ended it",
        "rejected": "refused",
        "code": "too many wrong codes",
        "replaced": "replaced by a new request",
    },
}


def _texts(slug: str, grant: Grant, helper: Account, resident: Account, why: str = "") -> dict:
    params = {}
    for lang in ("vi", "en"):
        until = to_local(grant.expires_at).strftime("%H:%M %d/%m/%Y") if grant.expires_at else ""
        params[f"text_{lang}"] = message(
            slug,
            lang,
            helper=helper.full_name or helper.username or "",
            resident=resident.full_name or "",
            what=describe(grant.actions, lang),
            until=until,
            why=_WHY[lang].get(why, why),
        )
    return params


def tell_both(grant: Grant, what: str, why: str = "") -> list[Notification]:
    """``what``: requested, started, first_use, ended (both people), mandate (the agent),
    requested (the resident). One notification each, once per grant."""
    helper = db.session.get(Account, grant.helper_id)
    resident = db.session.get(Account, grant.resident_id)
    slug = f"assist_notice_{what}"
    params = _texts(slug, grant, helper, resident, why)
    made = []
    people = {"mandate": (helper,), "requested": (resident,)}.get(what, (resident, helper))
    for account in people:
        if account is None or not account.active:
            continue
        key = f"assist:{grant.public_id}:{what}:a{account.id}"
        notification = notify_account(account, EVENT, params, key)
        if notification is not None:
            made.append(notification)
    return made


def hand_over(made: list[Notification], urgent: bool = False) -> None:
    """To the delivery workers when the caller's unit of work commits."""
    db.session.flush()  # the new notifications' ids
    ids = [n.id for n in made if n is not None and n.status == "pending" and n.id]
    if ids:
        deliver_after_commit(ids, urgent=urgent)
