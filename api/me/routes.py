from __future__ import annotations

from flask.views import MethodView

from api.auth import service
from api.auth.guard import SIGNED_IN, current_principal
from api.kernel.web.blueprint import Blueprint
from api.me import schemas
from api.messaging.reading import unread_message_count
from push.notifications.service import unread_count

blp = Blueprint(
    "me",
    __name__,
    url_prefix="/api/v1",
    description="The signed-in account with what waits for it (the /me/... lists are per domain)",
)


@blp.route("/me")
class Me(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, schemas.MeSchema)
    def get(self):
        """The signed-in account."""
        principal = current_principal()
        account = service.account_of(principal)
        return {
            "public_id": account.public_id,
            "role": account.role,
            "assurance": account.assurance,
            "session_assurance": principal.assurance,
            "identity_verified": principal.identity_verified,
            "full_name": account.full_name,
            "personal_id_masked": (
                "********" + account.personal_id[-4:] if account.personal_id else None
            ),
            "phone": account.phone,
            "email": account.email,
            "unit_code": account.unit_code,
            "commune_code": account.commune_code,
            "unread_messages": unread_message_count(account.id),
            "unread_notifications": unread_count(account.id),
        }
