"""Officers: the unit's inbox, a thread with the dossier beside it, reply (canned replies,
attachments), assign, close and reopen. Every action is a service the JSON API also calls
(``/api/v1/officer/...`` and ``/api/v1/dossiers/{code}/messages``)."""

from __future__ import annotations

import io

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from api.auth.guard import Principal
from api.auth.models import ROLE_OFFICER, Account
from api.console.forms import page_number
from api.console.pages import inbox_questions
from api.console.sections import Section
from api.console.session import origin, staff_page
from api.console.views import api_error_text, t
from api.dossiers import service as dossiers
from api.dossiers.models import DossierStatus
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.messaging import attachments, canned, inbox, reading, service
from api.messaging.attachments import Upload
from api.messaging.models import CITIZEN_SIDE, OPEN

SECTION = Section(
    "inbox", "console_inbox.index", "Hộp thư hồ sơ", "Dossier inbox", (ROLE_OFFICER,), 10
)
blp = Blueprint("console_inbox", __name__, url_prefix="/console/inbox")
VIEWS = {
    "all": inbox.InboxFilter(),
    "unread": inbox.InboxFilter(unread=True),
    "awaiting": inbox.InboxFilter(awaiting_reply=True),
    "overdue": inbox.InboxFilter(overdue=True),
    "closed": inbox.InboxFilter(status="closed"),
}
PAGE_SIZE = 20


def _filter(view: str, mine: bool) -> inbox.InboxFilter:
    base = VIEWS[view]
    return inbox.InboxFilter(
        unread=base.unread,
        awaiting_reply=base.awaiting_reply,
        overdue=base.overdue,
        status=base.status,
        assigned="me" if mine else None,
    )


@blp.get("/")
@staff_page(SECTION)
def index(principal: Principal):
    view = request.args.get("view", "all")
    view = view if view in VIEWS else "all"
    mine = request.args.get("mine") == "1"
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = inbox.inbox(principal, _filter(view, mine), page)
    counts = {
        key: inbox.inbox(principal, _filter(key, mine), Page(1, 1))[1]
        for key in VIEWS
        if key != view
    }
    counts[view] = total
    hours = int(inbox.reply_target().total_seconds() // 3600)
    return render_template(
        "console/inbox.html",
        items=items,
        view=view,
        mine=mine,
        counts=counts,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        hours=hours,
        questions_open=inbox_questions.open_count(principal),
    )


def _thread_page(principal: Principal, code: str, status: int = 200, error=None, draft=""):  # noqa: ANN001
    dossier = dossiers.get_for_full_view(principal, code)
    cursor = request.args.get("before", "")
    page = reading.list_messages(
        principal, code, int(cursor) if cursor.isdigit() and len(cursor) < 10 else None, None, 50
    )
    fresh = {m.id for m in page.items if m.author_kind in CITIZEN_SIDE and m.read_at is None}
    if fresh:
        reading.mark_read(principal, code)  # opening the thread reads it (as the API's /read)
    labels = {s.code: s for s in db.session.scalars(select(DossierStatus))}
    replies, _ = canned.list_replies(principal, None, Page(1, 100))
    chosen = request.args.get("canned", "")
    if chosen and not draft:
        draft = next((r.body for r in replies if str(r.id) == chosen), "")
    thread = page.thread
    people = inbox.assignees(principal, code) if thread is not None else []
    error_text, field_errors = api_error_text(error) if error else ("", {})
    return render_template(
        "console/thread.html",
        dossier=dossier,
        overdue=dossiers.is_overdue(dossier),
        timeline=dossiers.timeline(dossier),
        labels=labels,
        page=page,
        fresh=fresh,
        thread=thread,
        is_open=thread is None or thread.status == OPEN,
        assigned_id=_assigned_public_id(thread),
        people=people,
        replies=replies,
        draft=draft,
        error=error_text,
        field_errors=field_errors,
    ), status


def _assigned_public_id(thread) -> str:  # noqa: ANN001
    if thread is None or thread.assigned_to_id is None:
        return ""

    return db.session.get(Account, thread.assigned_to_id).public_id


@blp.get("/threads/<string:code>")
@staff_page(SECTION)
def thread(principal: Principal, code: str):
    return _thread_page(principal, code)


def _back(code: str, note: str):  # noqa: ANN202
    flash(t(note))
    return redirect(url_for("console_inbox.thread", code=code), 303)


@blp.post("/threads/<string:code>/reply")
@staff_page(SECTION)
def reply(principal: Principal, code: str):
    text = request.form.get("text", "")
    uploads = [Upload(f.filename, f.read()) for f in request.files.getlist("files") if f.filename]
    try:
        service.post_message(
            principal,
            code,
            text,
            channel="web",
            uploads=uploads,
            external_message_id=_client_id(),
            origin=origin(),
        )
    except ApiError as error:
        db.session.rollback()
        return _thread_page(principal, code, error.status, error, draft=text)
    return _back(code, "sent")


def _client_id() -> str | None:
    """The form's one-time id: a reply sent twice (double click, retried post) stores once."""
    sent = request.form.get("client_message_id", "")
    return f"console:{sent}" if sent.isalnum() and len(sent) <= 64 else None


@blp.post("/threads/<string:code>/assign")
@staff_page(SECTION)
def assign(principal: Principal, code: str):
    chosen = request.form.get("assignee_id", "")[:32] or None
    inbox.assign(principal, code, chosen, origin())
    return _back(code, "assigned")


@blp.post("/threads/<string:code>/close")
@staff_page(SECTION)
def close(principal: Principal, code: str):
    inbox.set_closed(principal, code, True, origin())
    return _back(code, "closed_done")


@blp.post("/threads/<string:code>/reopen")
@staff_page(SECTION)
def reopen(principal: Principal, code: str):
    inbox.set_closed(principal, code, False, origin())
    return _back(code, "reopened")


@blp.get("/threads/<string:code>/files/<string:attachment_id>")
@staff_page(SECTION)
def download(principal: Principal, code: str, attachment_id: str):
    attachment, data = attachments.download(principal, code, attachment_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blp.route("/canned", methods=["GET", "POST"])
@staff_page(SECTION)
def canned_replies(principal: Principal):
    error_text, field_errors = "", {}
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("delete"):
                canned.delete_reply(principal, request.form["delete"][:12])
                flash(t("deleted"))
            else:
                canned.create_reply(
                    principal,
                    request.form.get("title", "")[:200],
                    request.form.get("body", ""),
                    None,
                )
                flash(t("saved"))
            return redirect(url_for("console_inbox.canned_replies"), 303)
        except ApiError as error:
            db.session.rollback()
            (error_text, field_errors), status = api_error_text(error), error.status
    replies, _ = canned.list_replies(principal, None, Page(1, 100))
    return render_template(
        "console/canned.html", replies=replies, error=error_text, field_errors=field_errors
    ), status


# The questions to the agency: a tab of this inbox.
inbox_questions.pages.attach(blp, SECTION)
