"""What the identity domain announces (``api.kernel.events``), so the domains above it react
without identity importing them: dossiers record the access a proof grants, notifications
carry a one-time code to the phone. Subscribers register in their own ``init_app``."""

from __future__ import annotations

from api.kernel import events

# account_id=, phone=, origin=: a phone was proven (a code's sign-in, or VNeID giving one).
# Required: the dossiers carrying the phone must note their new contact (audited grants).
PHONE_PROVEN = events.declare("identity.phone_proven", required=True)
# account_id=, personal_id=, origin=: a VNeID sign-in proved whose identity number this is.
IDENTITY_PROVEN = events.declare("identity.identity_proven", required=True)
# phone=, code=, purpose=, language=: a one-time code to deliver to the phone. A subscriber
# stages the message in the session and returns what to run once the caller committed (the
# hand-over to delivery). Required: a code nobody delivers would leave its owner waiting.
# The code travels only in the payload: never log it or write it into an example.
CODE_TO_SEND = events.declare("identity.code_to_send", required=True)
