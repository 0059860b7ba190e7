"""Greeting, help menu, thanks, language, stopping a step, and the polite "not understood"."""

from __future__ import annotations

from bots.engine import identity
from bots.engine.context import Turn


def greet(turn: Turn) -> None:
    turn.state.reset()
    turn.say(f"{turn.t('bot_greeting')}\n{turn.t('bot_menu')}", turn.menu_buttons())


def show_menu(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("bot_menu"), turn.menu_buttons())


def thanks(turn: Turn) -> None:
    turn.say(turn.t("bot_thanks"), turn.back_buttons())


def not_understood(turn: Turn) -> None:
    turn.say(turn.t("bot_not_understood"), turn.menu_buttons())


def cancel(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("bot_cancelled"), turn.menu_buttons())


def set_language(turn: Turn, language: str) -> None:
    turn.state.lang = language
    identity.save_language(turn.channel, turn.chat_id, language)
    turn.say(turn.t("bot_language_set"), turn.menu_buttons())
