"""Reading dossiers: the owner's list, full and reduced views, second-factor look-up,
following, and QR verification of results. Authorization is decided here, per dossier."""

from __future__ import annotations

import hmac
import io
from functools import lru_cache

import qrcode
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathImage
from sqlalchemy import func, select, union

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_CITIZEN, ROLE_OFFICER
from api.dossiers import applicant
from api.dossiers.models import Dossier, DossierFollow, DossierStatus, TimelineEntry
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.digits import only_digits
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from api.kernel.ratelimit import Limit, blocked_for, hit

LOOKUPS_PER_IP = Limit("dossier_lookup_ip", 20, 600)  # per requester: address or chat
# Wrong second factors per dossier code, whichever route, account, chat or address tried.
WRONG_FACTOR_PER_CODE = Limit("dossier_lookup_code", 10, 600)
FOLLOWS_PER_ACCOUNT = Limit("dossier_follow_account", 20, 3600)
STATUS_GROUPS = (
    "in_progress",
    "supplement_requested",
    "payment_requested",
    "done",
    "refused",
    "withdrawn",
)

register_messages(
    {
        "dossier_not_found": {
            "vi": "Không tìm thấy hồ sơ {code}, hoặc bạn không có quyền xem hồ sơ này.",
            "en": "Dossier {code} was not found, or you may not see it.",
        },
        "dossier_lookup_failed": {
            "vi": "Không tìm thấy hồ sơ khớp với mã và 4 số cuối bạn nhập. Xin kiểm tra lại mã hồ sơ trên giấy biên nhận.",
            "en": "No dossier matches that code and those last 4 digits. Please check the code on your receipt.",
        },
        "identity_required": {
            "vi": "Để xem hồ sơ theo số định danh, xin đăng nhập bằng VNeID.",
            "en": "To see dossiers by your identity number, please sign in with VNeID.",
        },
        "qr_invalid": {
            "vi": "Mã QR này không hợp lệ: kết quả không được xác nhận là do cơ quan nhà nước cấp.",
            "en": "This QR code is not valid: the result cannot be confirmed as genuine.",
        },
    }
)


# ---- access ----------------------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """A code as people type it (lower case, spaces around) in the portal's form."""
    return "".join(code.split()).upper()


def find(code: str) -> Dossier | None:
    """The dossier of ``code`` as stored, or as typed in lower case or with spaces."""
    wanted = {code, normalise_code(code)}
    return db.session.scalar(select(Dossier).where(Dossier.code.in_(wanted)).limit(1))


def is_owner(principal: Principal | None, dossier: Dossier) -> bool:
    """The applicant side: VNeID owner or the contact whose proven phone is on the record."""
    return applicant.basis(principal, dossier) is not None


def is_verified_owner(principal: Principal | None, dossier: Dossier) -> bool:
    """The applicant proven by VNeID: what only the identity number opens."""
    return applicant.basis(principal, dossier) == applicant.VNEID


def is_handling_staff(principal: Principal | None, dossier: Dossier) -> bool:
    if principal is None:
        return False
    if principal.role == ROLE_ADMIN:
        return True
    return (
        principal.role == ROLE_OFFICER
        and bool(principal.unit_code)
        and principal.unit_code == dossier.handling_unit
    )


def _get(code: str) -> Dossier:
    dossier = find(code)
    if dossier is None:
        raise ApiError(404, "dossier_not_found", code=code[:64])
    return dossier


def get_for_full_view(principal: Principal, code: str) -> Dossier:
    """The VNeID owner or handling staff (the result's QR code and papers)."""
    dossier = find(code)
    # Unknown and not-yours look the same: codes are guessable, existence is not told.
    if dossier is None or not (
        is_verified_owner(principal, dossier) or is_handling_staff(principal, dossier)
    ):
        raise ApiError(404, "dossier_not_found", code=code[:64])
    return dossier


FULL, CONTACT_VIEW, REDUCED = "full", "contact", "reduced"


def open_dossier(principal: Principal, code: str) -> tuple[Dossier, str]:
    """The dossier and the view its caller gets: ``full`` (VNeID owner, handling staff),
    ``contact`` (the record's proven phone: full, identity number masked, result papers by
    name), ``reduced`` (a follower: what the code and 4 digits show). Whatever "my dossiers"
    lists opens; anything else is the same 404 as an unknown code."""
    dossier = find(code)
    if dossier is not None:
        proof = applicant.basis(principal, dossier)
        if proof == applicant.VNEID or is_handling_staff(principal, dossier):
            return dossier, FULL
        if proof == applicant.CONTACT:
            return dossier, CONTACT_VIEW
        if is_following(principal, dossier):
            return dossier, REDUCED
    raise ApiError(404, "dossier_not_found", code=code[:64])


def timeline(dossier: Dossier) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.dossier_id == dossier.id)
            .order_by(TimelineEntry.occurred_at, TimelineEntry.id)
        )
    )


@lru_cache(maxsize=1)
def _status_labels() -> dict[int, tuple[str, str]]:
    # Seeded by migration (law-defined): read once per process.
    return {s.code: (s.label_vi, s.label_en) for s in db.session.scalars(select(DossierStatus))}


def timeline_label(entry: TimelineEntry, lang: str = "vi") -> str:
    """A plain label for a timeline entry: the status it reached, or a progress step."""
    index = 0 if lang == "vi" else 1
    status = _status_labels().get(entry.status_code or 0)
    if entry.kind == "status":
        return status[index] if status else ""
    step = ("Cập nhật xử lý", "Processing update")[index]
    return f"{step}: {status[index]}" if status else step


def stop_reason(dossier: Dossier, entries: list[TimelineEntry] | None = None) -> str:
    """Why a dossier was refused or stopped (3, 8): the officer's words on the progress entry
    that brought the status, else the record's note. "" for other statuses."""
    if dossier.status.group != "refused":
        return ""
    for entry in reversed(entries if entries is not None else timeline(dossier)):
        if entry.kind == "progress" and entry.status_code == dossier.status_code and entry.content:
            return entry.content
    return dossier.note or ""


def is_overdue(dossier: Dossier) -> bool:
    if dossier.due_at is None:
        return False
    finished_at = dossier.returned_at or dossier.finished_processing_at
    if finished_at is not None:
        return as_utc(finished_at) > as_utc(dossier.due_at)
    return not dossier.finished and as_utc(dossier.due_at) < utcnow()


# ---- lists -------------------------------------------------------------------------------------


def my_dossiers(principal: Principal, group: str | None, page: Page) -> tuple[list[Dossier], int]:
    """Dossiers where the citizen is the applicant (VNeID sign-in), the contact (the record's
    phone, proven by a one-time code) or that they follow."""
    # A UNION of indexed look-ups: "followed OR applicant" as one condition would make
    # PostgreSQL scan every dossier.
    parts = [
        select(DossierFollow.dossier_id).where(DossierFollow.account_id == principal.account_id)
    ]
    if principal.identity_verified:
        parts.append(select(Dossier.id).where(Dossier.applicant_id_number == principal.personal_id))
    if principal.phone and principal.role == ROLE_CITIZEN:
        parts.append(select(Dossier.id).where(Dossier.contact_phone == principal.phone))
    ids = union(*parts) if len(parts) > 1 else parts[0]
    query = select(Dossier).where(Dossier.id.in_(ids.scalar_subquery()))
    if group:
        query = query.join(DossierStatus).where(DossierStatus.group == group)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Dossier.updated_at.desc(), Dossier.id.desc())
        .offset(page.offset)
        .limit(page.page_size)
    )
    return list(items), total


# ---- second factor --------------------------------------------------------------------------------


def factor_matches(dossier: Dossier, verify: str) -> bool:
    """The last 4 digits of the applicant's phone or ID number, compared in constant time."""
    digits = only_digits(verify)  # "١٢٣٤" is 1234; "²" is no digit
    if len(digits) != 4:
        return False
    phone_ok = hmac.compare_digest(digits, (dossier.phone or "")[-4:].rjust(4, "x"))
    id_ok = hmac.compare_digest(digits, (dossier.applicant_id_number or "")[-4:].rjust(4, "x"))
    return phone_ok or id_ok


def checked_by_factor(code: str, verify: str, requester: str) -> Dossier:
    """The dossier if ``verify`` is its second factor. Every route that checks the factor
    (look-up, follow, the bots) comes here, so a code has one budget of wrong guesses
    however it is asked or spelled; a right answer does not use it up."""
    hit(LOOKUPS_PER_IP, requester)
    key = normalise_code(code)
    seconds = blocked_for(WRONG_FACTOR_PER_CODE, key)
    if seconds:
        raise ApiError(429, "too_many_requests", headers={"Retry-After": str(seconds)})
    dossier = find(code)
    if dossier is None or not factor_matches(dossier, verify):
        hit(WRONG_FACTOR_PER_CODE, key)
        raise ApiError(404, "dossier_lookup_failed")
    return dossier


def lookup(code: str, verify: str, ip: str) -> Dossier:
    return checked_by_factor(code, verify, ip)


def follow(principal: Principal, code: str, verify: str | None, origin: Origin) -> Dossier:
    hit(FOLLOWS_PER_ACCOUNT, str(principal.account_id))
    dossier = find(code)
    if dossier is None or not is_owner(principal, dossier):
        dossier = checked_by_factor(code, verify or "", origin.ip)
    exists = db.session.scalar(
        select(DossierFollow.id).where(
            DossierFollow.dossier_id == dossier.id, DossierFollow.account_id == principal.account_id
        )
    )
    if not exists:
        start_following(dossier, origin, account_id=principal.account_id)
        db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return dossier


def start_following(
    dossier: Dossier,
    origin: Origin,
    *,
    account_id: int | None = None,
    chat: tuple[str, str] | None = None,
) -> None:
    """Add a follower (an account, or a chat without one), start pulling the dossier soon and
    audit it. The caller has checked the follower may see the dossier, and commits."""
    channel, chat_id = chat or (None, None)
    db.session.add(
        DossierFollow(
            dossier_id=dossier.id, account_id=account_id, chat_channel=channel, chat_id=chat_id
        )
    )
    if not dossier.finished and dossier.next_sync_at is None:
        dossier.next_sync_at = utcnow()
    details = {"chat": channel} if channel else {}
    record(
        "dossier_followed",
        origin,
        actor_id=account_id,
        object_type="dossier",
        object_id=dossier.code,
        **details,
    )


def unfollow(principal: Principal, code: str, origin: Origin) -> None:
    dossier = find(code)
    row = dossier and db.session.scalar(
        select(DossierFollow).where(
            DossierFollow.dossier_id == dossier.id, DossierFollow.account_id == principal.account_id
        )
    )
    if not row:
        raise ApiError(404, "dossier_not_found", code=code[:64])
    db.session.delete(row)
    record(
        "dossier_unfollowed",
        origin,
        actor_id=principal.account_id,
        object_type="dossier",
        object_id=dossier.code,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)


def is_following(principal: Principal, dossier: Dossier) -> bool:
    return bool(
        db.session.scalar(
            select(DossierFollow.id).where(
                DossierFollow.dossier_id == dossier.id,
                DossierFollow.account_id == principal.account_id,
            )
        )
    )


# ---- QR verification ------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(
        current_app.extensions["settings"].secret_key, salt="dossier-result-qr"
    )


def verification_url(dossier: Dossier) -> str:
    base = current_app.extensions["settings"].app_base_url.rstrip("/")
    return f"{base}/verify/{_serializer().dumps({'c': dossier.code})}"


def qr_image(principal: Principal, code: str, fmt: str) -> tuple[bytes, str]:
    dossier = get_for_full_view(principal, code)
    url = verification_url(dossier)
    if fmt == "svg":
        return qrcode.make(url, image_factory=SvgPathImage).to_string(), "image/svg+xml"
    buffer = io.BytesIO()
    qrcode.make(url, image_factory=PyPNGImage, box_size=8).save(buffer)
    return buffer.getvalue(), "image/png"


def verify_token(token: str) -> Dossier:
    try:
        data = _serializer().loads(token)
    except BadSignature as exc:
        raise ApiError(404, "qr_invalid") from exc
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == data.get("c")))
    if dossier is None:
        raise ApiError(404, "qr_invalid")
    return dossier
