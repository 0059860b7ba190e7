"""The rarer statuses do more than notify, through the domains that subscribe to the fan-out
(push.notifications.announcements): 5 opens the thread with what is missing, 9/10 invite to rate
and to the post-dossier survey, all handed to delivery in the same run after the status
notification."""

from __future__ import annotations

from sqlalchemy import select

from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.kernel.database import db
from api.messaging.models import SYSTEM, Message
from push.notifications import fanout
from push.notifications.models import Notification
from tests.helpers.dossiers import CODE, OWNER_ID, hoso, push
from tests.helpers.support import seeded_fixture  # noqa: F401
from tests.notifications.test_notifications import prefer


def _events(ids: list[int]) -> list[str]:
    return [db.session.get(Notification, i).event for i in ids]


def test_supplement_and_done_yield_their_side_effects_in_order(client, app, seeded):
    with app.app_context():
        owner = Account(
            role=ROLE_CITIZEN, assurance=ASSURANCE_VNEID, personal_id=OWNER_ID, phone="84912300001"
        )
        db.session.add(owner)
        db.session.commit()
        owner_id = owner.id
    prefer(app, owner_id, ["sms"])  # in-app only is delivered at once: nothing to enqueue
    request = {"HoSoBoSungId": f"{CODE}-BS1", "NoiDungBoSung": "Bản sao giấy tờ cư trú"}
    push(client, [hoso(status=5, DanhSachHoSoBoSung=[request])])
    with app.app_context():
        relayed = fanout.relay()
        assert _events(relayed.notification_ids) == ["supplement_requested"]
        (message,) = db.session.scalars(select(Message).where(Message.author_kind == SYSTEM))
        assert message.meta["request_id"] == f"{CODE}-BS1"

    push(client, [hoso(status=10, NgayKetThucXuLy="20251121100000")])
    with app.app_context():
        relayed = fanout.relay()
        # "Ready" first, then "please rate", then the survey: the order they are enqueued in.
        assert _events(relayed.notification_ids) == [
            "result_ready",
            "rating_invitation",
            "survey_invitation",
        ]
        assert _events(relayed.urgent_ids) == ["result_ready"]

    from api.kernel.jobs import get_queue
    from workers.tasks.jobs import process_domain_events

    push(client, [hoso(code="000.00.15.H12-251120-0002", status=9)])
    with app.app_context():
        default = get_queue("default")
        default.empty()
        process_domain_events()
        queued = [i for job in default.jobs for i in job.args[0]]
        assert _events(queued) == ["rating_invitation", "survey_invitation"]
        default.empty()
