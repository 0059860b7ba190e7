"""What the message answers show beyond the rows, as view objects (the rows are never written
on for an answer): each attachment's download address."""

from __future__ import annotations

from dataclasses import dataclass

from api.messaging.models import Attachment, Message


@dataclass(frozen=True)
class AttachmentView:
    attachment: Attachment
    url: str

    def __getattr__(self, name: str) -> object:
        return getattr(self.attachment, name)


@dataclass(frozen=True)
class MessageView:
    """A message with its attachments' addresses; the rest is read through from the row."""

    message: Message
    attachments: list[AttachmentView]

    def __getattr__(self, name: str) -> object:
        return getattr(self.message, name)


def with_urls(messages: list[Message], code: str) -> list[MessageView]:
    return [
        MessageView(
            message,
            [
                AttachmentView(a, f"/api/v1/dossiers/{code}/attachments/{a.public_id}")
                for a in message.attachments
            ],
        )
        for message in messages
    ]
