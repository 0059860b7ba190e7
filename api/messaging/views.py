"""What the message answers show beyond the rows, as view objects (the rows are never written
on for an answer): the authors' display names and each attachment's download address."""

from __future__ import annotations

from dataclasses import dataclass, replace

from api.messaging.models import Attachment, Message


@dataclass(frozen=True)
class AttachmentView:
    attachment: Attachment
    url: str

    def __getattr__(self, name: str) -> object:
        return getattr(self.attachment, name)


@dataclass(frozen=True)
class MessageView:
    """A message with who wrote it, in words, and its attachments (with their addresses once
    ``with_urls`` has given them); the rest is read through from the row."""

    message: Message
    attachments: list[AttachmentView]
    author_name: str = ""
    on_behalf_of_name: str | None = None  # a helper wrote it for this applicant

    def __getattr__(self, name: str) -> object:
        return getattr(self.message, name)


def named(message: Message, author_name: str, on_behalf_of_name: str | None) -> MessageView:
    return MessageView(
        message,
        [AttachmentView(a, "") for a in message.attachments],
        author_name,
        on_behalf_of_name,
    )


def with_urls(views: list[MessageView], code: str) -> list[MessageView]:
    """The views with each attachment's download address (same sign-in as the thread)."""
    return [
        replace(
            view,
            attachments=[
                AttachmentView(a.attachment, f"/api/v1/dossiers/{code}/attachments/{a.public_id}")
                for a in view.attachments
            ],
        )
        for view in views
    ]
