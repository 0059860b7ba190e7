"""What the notification fan-out announces (``api.kernel.events``), so the domains above it
add their part without the fan-out importing them. Subscribers register in their own
``init_app``; they write in the fan-out's session and never commit."""

from __future__ import annotations

from api.kernel import events

# dossier=, status= (the DossierStatus it moved to), event_key= (the outbox event's dedupe key):
# after the status notifications of a batch are stored, once per status change, in the batch's
# order. A subscriber returns the notifications it made (None for none); the fan-out hands
# them to delivery after the status notifications, in subscription order (messaging's
# supplement thread, then the rating invitation, then the survey invitation).
STATUS_NOTIFIED = events.declare("notifications.status_notified")
# chat_ids= (set of chat ids following the batch's dossiers): a subscriber that knows the
# language some of them chose returns ((channel, chat_id), language) pairs; a chat nobody
# answers for hears in Vietnamese.
CHAT_LANGUAGES = events.declare("notifications.chat_languages")
