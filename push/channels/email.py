"""E-mail over SMTP (integrations.md §6): multipart text + HTML with a stable Message-ID.

The Message-ID is built from our delivery-attempt reference, so a retried send is recognisably
the same message to the recipient's server and to anyone reading the logs.
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, Literal

from .base import Outcome, SendResult, mask_email, permanent, scrub, technical, temporary
from .protocol import Outgoing, Reach, Rendered

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "ssl"]
_MSGID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def sender_domain(mail_from: str) -> str:
    """ "Cổng DVC <thongbao@dvc.gov.vn>" → "dvc.gov.vn" (IDNA-encoded); "localhost" if none."""
    _, addr = email.utils.parseaddr(mail_from)
    local, at, domain = addr.rpartition("@")
    if not (local and at and domain):
        return "localhost"
    return domain.encode("idna").decode("ascii")


def message_id(reference: str, mail_from: str) -> str:
    """``<reference@domain-of-mail_from>``; unsafe characters in the reference become "-"."""
    return f"<{_MSGID_UNSAFE.sub('-', reference)}@{sender_domain(mail_from)}>"


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        security: Security = "starttls",
        mail_from: str = "dvc-connect@localhost",
        *,
        timeout: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"SMTP security must be none, starttls or ssl, not {security!r}")
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.security = security
        self.mail_from = mail_from
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        # EHLO name: the sender's domain; smtplib's default (getfqdn) can stall on DNS.
        self.local_hostname = local_hostname or sender_domain(mail_from)

    def build(
        self, to: str, subject: str, text: str, html: str | None, reference: str
    ) -> EmailMessage:
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = self.mail_from
        msg["To"] = to
        msg["Subject"] = subject  # the policy RFC 2047-encodes Vietnamese as UTF-8
        msg["Date"] = email.utils.formatdate(localtime=False)
        msg["Message-ID"] = message_id(reference, self.mail_from)
        msg["X-DVC-Reference"] = reference
        msg.set_content(text, charset="utf-8")
        if html is not None:
            msg.add_alternative(html, subtype="html", charset="utf-8")
        return msg

    def send(
        self, to: str, subject: str, text: str, html: str | None, reference: str
    ) -> SendResult:
        msg = self.build(to, subject, text, html, reference)
        msg_id = msg["Message-ID"].strip("<>")
        try:
            self._deliver(msg)
        except Exception as exc:  # classified below; anything unexpected is re-raised
            result = self._classify(exc)
            log.warning(
                "email send failed",
                extra={
                    "to": mask_email(to),
                    "reference": reference,
                    "outcome": result.outcome.value,
                    "error_code": result.error_code,
                },
            )
            return result
        return SendResult(Outcome.ACCEPTED, provider_message_id=msg_id)

    def _deliver(self, msg: EmailMessage) -> None:
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host,
                self.port,
                timeout=self.timeout,
                context=self.ssl_context,
                local_hostname=self.local_hostname,
            )
        else:
            smtp = smtplib.SMTP(
                self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname
            )
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=self.ssl_context)
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(msg)

    def _classify(self, exc: Exception) -> SendResult:
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            # One recipient per message: its code decides.
            code, reply = next(iter(exc.recipients.values()), (550, b""))
            return _by_code(code, reply, permanent_code="recipient_refused")
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return technical("SMTP login refused", "auth")
        if isinstance(exc, smtplib.SMTPSenderRefused):
            return _by_code(exc.smtp_code, exc.smtp_error, permanent_code=None)
        if isinstance(exc, smtplib.SMTPDataError):
            # 5xx after DATA: this message to this recipient will not go (mailbox full,
            # rejected content); the next channel should carry it.
            return _by_code(exc.smtp_code, exc.smtp_error, permanent_code="data_refused")
        if isinstance(exc, smtplib.SMTPResponseException):
            return _by_code(exc.smtp_code, exc.smtp_error, permanent_code=None)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return technical(f"server lacks a required extension: {exc}", "not_supported")
        if isinstance(exc, ssl.SSLCertVerificationError):
            return technical(f"TLS certificate rejected: {exc}", "tls")
        if isinstance(exc, smtplib.SMTPException | OSError):
            # Connection refused/reset, timeouts, TLS handshake trouble: try again later.
            return temporary(scrub(f"{type(exc).__name__}: {exc}"), "network")
        raise exc


def _by_code(code: int, reply: Any, permanent_code: str | None) -> SendResult:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    detail = scrub(f"SMTP {code} {text}")
    if 400 <= code < 500:
        return temporary(detail, f"smtp_{code}")
    if permanent_code is not None and 500 <= code < 600:
        return permanent(detail, permanent_code)
    return technical(detail, f"smtp_{code}")


def from_settings(settings: Any) -> SmtpMailer | None:
    """The mailer the settings describe; None when SMTP_HOST is unset."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_username,
        settings.smtp_password,
        settings.smtp_security,
        settings.mail_from,
    )


class EmailChannel:
    name, name_vi, name_en = "email", "Thư điện tử (email)", "Email"

    def build(self, settings: Any) -> SmtpMailer | None:
        return from_settings(settings)

    def address(self, reach: Reach) -> str | None:
        return reach.email

    def render(self, message: Rendered) -> tuple[str, str, str]:
        return message.email_subject, message.text, message.email_html()

    def send(self, client: SmtpMailer, outgoing: Outgoing) -> tuple[str, SendResult]:
        subject, text, html_body = self.render(outgoing.message)
        to = self.address(outgoing.reach)
        return "", client.send(to, subject, text, html_body, outgoing.reference)

    def expects_receipt(self, route: str) -> bool:
        return False
