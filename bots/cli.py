"""``flask bot ...``: talk to the engine in the terminal, register the Telegram webhook,
authorise or refresh the Zalo OA token. Tokens and secrets are never printed."""

from __future__ import annotations

# Commands import what they use when they run (docs/architecture.md, "Late imports").
import logging

import click
from flask import current_app
from flask.cli import AppGroup

from api.kernel.clock import to_local
from api.kernel.database import db
from bots.engine.router import handle
from bots.engine.types import BUTTON, TEXT, Incoming, Reply

bot_cli = AppGroup("bot", help="Zalo and Telegram bot commands.")
UPDATES = ["message", "callback_query", "my_chat_member"]


def _show(replies: list[Reply]) -> list[str]:
    """Print the replies; returns the button payloads, numbered from 1."""
    payloads: list[str] = []
    for reply in replies:
        click.echo(click.style("bot › ", fg="green") + reply.text)
        for button in reply.button_list():
            payloads.append(button.data)
            click.echo(f"      [/{len(payloads)}] {button.label}")
        if reply.ask_contact:
            click.echo(f"      [/phone 09xxxxxxxx] {reply.ask_contact}")
    return payloads


class _TerminalOtpSender:
    """The sandbox's phone is the terminal: the one-time code is printed in the conversation."""

    def send_code(self, phone: str, code: str, purpose: str, language: str) -> None:
        click.echo(click.style(f"📱 SMS (sandbox) to …{phone[-3:]}: {code}", fg="yellow"))


@bot_cli.command("chat")
@click.option("--channel", default="telegram", help="Which chat the terminal plays.")
@click.option("--chat-id", default="terminal", help="Chat id (keep one to resume a chat).")
@click.option("--logs", is_flag=True, help="Also print the JSON logs (hidden by default).")
def chat_command(channel: str, chat_id: str, logs: bool) -> None:
    """Talk to the conversation engine. /N presses button N; /phone NUMBER shares a phone;
    Ctrl+D ends. Replies are printed here, not sent to any platform."""
    from api.auth.otp import LoggingOtpSender
    from bots.engine.types import CONTACT

    if not logs:
        logging.getLogger().setLevel(logging.ERROR)  # the conversation, not the JSON logs
    app = current_app._get_current_object()
    sender = app.extensions.get("otp_sender")
    if isinstance(sender, LoggingOtpSender) and app.extensions["settings"].sandbox:
        app.extensions["otp_sender"] = _TerminalOtpSender()
    payloads: list[str] = []
    click.echo("Gõ tin nhắn như trong Zalo/Telegram (Ctrl+D để thoát). Thử: «xin chào».")
    while True:
        try:
            line = input(click.style("bạn › ", fg="cyan"))
        except EOFError:
            click.echo()
            return
        if line.startswith("/phone "):
            incoming = Incoming(channel, chat_id, CONTACT, phone=line[7:].strip())
        elif line[1:].isdigit() and line.startswith("/") and 0 < int(line[1:]) <= len(payloads):
            incoming = Incoming(channel, chat_id, BUTTON, data=payloads[int(line[1:]) - 1])
        else:
            incoming = Incoming(channel, chat_id, TEXT, text=line, message_id=None)
        replies = handle(incoming)
        db.session.commit()
        payloads = _show(replies)


@bot_cli.command("telegram-webhook")
@click.argument("url")
def telegram_webhook_command(url: str) -> None:
    """Point Telegram at URL (…/webhooks/telegram) with TELEGRAM_WEBHOOK_SECRET."""
    from push.senders import channels

    settings = current_app.extensions["settings"]
    client = channels().telegram
    if client is None or not settings.telegram_webhook_secret:
        raise click.ClickException("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.")
    result = client.set_webhook(url, settings.telegram_webhook_secret, allowed_updates=UPDATES)
    if not result.ok:
        raise click.ClickException(f"Telegram refused: {result.error_code} {result.detail}")
    click.echo(f"Telegram webhook set to {url}")


@bot_cli.command("zalo-token")
@click.option("--code", help="Authorization code from the OA's consent page (first time).")
@click.option("--verifier", help="The PKCE code verifier used for that consent page.")
def zalo_token_command(code: str | None, verifier: str | None) -> None:
    """Authorise the OA (--code and --verifier, once) or refresh its token ahead of expiry.

    The token pair lives in the database (push.zalo_tokens.DatabaseTokenStore); only the
    expiry time is printed."""
    from bots.zalo.oauth import authorise
    from push.channels.zalo import ZaloAuthError
    from push.senders import channels

    client = channels().zalo
    if client is None:
        raise click.ClickException("Set ZALO_APP_ID and ZALO_APP_SECRET first.")
    try:
        if code:
            if not verifier:
                raise click.ClickException("--verifier is needed with --code.")
            authorise(client, code, verifier)
        client.access_token()  # refreshes when due
    except ZaloAuthError as exc:
        raise click.ClickException(f"Zalo refused: {exc}") from None
    tokens = client.store.load()
    click.echo(f"Zalo OA token valid until {to_local(tokens.expires_at):%Y-%m-%d %H:%M} (Vietnam)")
