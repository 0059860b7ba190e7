"""Who may read and write a dossier's thread, and as whom.

The applicant (VNeID owner), officers of the handling unit and admins. Other staff get 403
(they know the dossier exists from their work); anyone else gets the same 404 as for an
unknown code, because dossier codes are guessable and their existence is not told.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.auth.guard import Principal
from api.auth.models import ROLE_CITIZEN, ROLE_COMMUNITY, STAFF_ROLES
from api.dossiers.models import Dossier
from api.dossiers.service import find as find_dossier
from api.dossiers.service import is_handling_staff, is_owner
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.messaging.models import CITIZEN, COMMUNITY, OFFICER

CITIZEN_VIEW, STAFF_VIEW = "citizen", "staff"

register_messages(
    {
        "thread_forbidden": {
            "vi": "Hồ sơ này do đơn vị khác giải quyết, bạn không xem được trao đổi của hồ sơ.",
            "en": "Another unit handles this dossier; you cannot see its messages.",
        },
    }
)


@dataclass(frozen=True)
class Author:
    """Who a message is from. ``on_behalf_of_id``: the resident a community member helps."""

    kind: str
    account_id: int | None
    on_behalf_of_id: int | None = None


@dataclass(frozen=True)
class Access:
    dossier: Dossier
    view: str  # CITIZEN_VIEW or STAFF_VIEW
    author: Author


def _not_found(code: str) -> ApiError:
    return ApiError(404, "dossier_not_found", code=code[:64])


def thread_access(principal: Principal, code: str, acting_for: Principal | None = None) -> Access:
    """Decide access to the thread of dossier ``code``.

    ``acting_for``: the resident a community team member acts for. The caller (the assisted-use
    module) must have checked the resident's consent; here the resident must own the dossier.
    """
    dossier = find_dossier(code)
    if dossier is None:
        raise _not_found(code)
    if acting_for is not None:
        # A team member, or a relative holding a mandate.
        if principal.role not in (ROLE_COMMUNITY, ROLE_CITIZEN) or not is_owner(
            acting_for, dossier
        ):
            raise _not_found(code)
        author = Author(COMMUNITY, principal.account_id, acting_for.account_id)
        return Access(dossier, CITIZEN_VIEW, author)
    if is_owner(principal, dossier):
        return Access(dossier, CITIZEN_VIEW, Author(CITIZEN, principal.account_id))
    if is_handling_staff(principal, dossier):
        return Access(dossier, STAFF_VIEW, Author(OFFICER, principal.account_id))
    if principal.role in STAFF_ROLES:
        raise ApiError(403, "thread_forbidden")
    raise _not_found(code)
