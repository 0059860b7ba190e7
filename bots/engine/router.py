"""The conversation engine's entry point: one incoming event in, the replies out.

State decides first (a chat waiting for 4 digits takes "5987" as the digits; a chat talking
to the officer sends everything there except "thoát"), then the understood intent. A
clearly different request always gets through: nobody is trapped in a half-done step.
"""

from __future__ import annotations

from collections.abc import Callable

from api.kernel.digits import is_digits
from api.profile.service import LINK_CODE_LENGTH, normalise_link_code
from bots import thread_chats
from bots.engine import identity, meaning, nlu
from bots.engine import state as states
from bots.engine.context import Turn
from bots.engine.flows import (
    assistance,
    dossiers,
    linking,
    mandates,
    menu,
    procedures,
    rating,
    support,
    thread,
)
from bots.engine.types import BUTTON, CONTACT, PHOTO, START, Incoming, Reply

ACTIONS: dict[str, Callable] = {
    "check": dossiers.show_status,
    "follow": dossiers.follow,
    "thread": thread.start,
    "rate": rating.start,
}
OWNER_ONLY = ("thread", "rate")
INTENT_ACTIONS = {nlu.CHECK: "check", nlu.FOLLOW: "follow", nlu.THREAD: "thread", nlu.RATE: "rate"}
BUTTON_ACTIONS = {"c": "check", "w": "follow", "t": "thread", "r": "rate", "u": "unfollow"}


def handle(incoming: Incoming) -> list[Reply]:
    chat = (incoming.channel, incoming.chat_id)
    state = states.load(*chat) or states.ChatState(lang=identity.saved_language(*chat))
    turn = Turn(incoming, state)
    was_talking = state.mode == states.THREAD
    if incoming.kind == BUTTON:
        _button(turn, incoming.data)
    elif incoming.kind == CONTACT:
        linking.contact_shared(turn, incoming.phone, own=incoming.data != "not_own")
    elif incoming.kind == PHOTO:
        _photo(turn)
    elif incoming.kind == START:
        linking.redeem(turn, incoming.data) if incoming.data else menu.greet(turn)
    else:
        _text(turn, incoming.text)
    if state.mode != states.THREAD and was_talking:
        thread_chats.end(*chat)  # left the conversation some other way (menu, another request)
    states.save(*chat, turn.state)
    return turn.replies


def run_action(turn: Turn, action: str, code: str | None) -> None:
    if action == "unfollow":
        dossiers.unfollow(turn, code) if code else dossiers.ask_code(turn, action)
    elif not code:
        dossiers.ask_code(turn, action)
    elif action in OWNER_ONLY:
        # Talking and rating are the applicant's alone: no second factor opens them.
        dossier = dossiers.owned(turn, code)
        ACTIONS[action](turn, dossier, dossier is not None)
    elif got := dossiers.access(turn, code, action):
        ACTIONS[action](turn, *got)


def _photo(turn: Turn) -> None:
    if turn.state.mode == states.THREAD:
        thread.send_photo(turn)
    else:
        turn.say(turn.t("bot_photo_not_expected"), turn.menu_buttons())


def _button(turn: Turn, data: str) -> None:
    head, _, rest = data.partition(":")
    mode = turn.state.mode
    if head == "x":
        (
            thread.leave
            if mode == states.THREAD
            else rating.stop
            if mode == states.RATE
            else menu.cancel
        )(turn)
    elif head in ("m", "h"):
        menu.show_menu(turn)
    elif head == "f":
        procedures.ask(turn)
    elif head == "p" and rest:
        procedures.show(turn, rest)
    elif head in BUTTON_ACTIONS:
        run_action(turn, BUTTON_ACTIONS[head], rest or None)
    elif head == "l":
        linking.start(turn)
    elif head == "lc":
        linking.ask_code(turn)
    elif head == "lp":
        linking.ask_phone(turn)
    elif head == "ag":
        assistance.show(turn)
    elif head == "ar" and rest:
        assistance.stop(turn, rest)
    elif head == "lang" and rest in ("vi", "en"):
        menu.set_language(turn, rest)
    elif head == "ra" and mode == states.RATE:
        indicator, _, score = rest.partition(":")
        if is_digits(indicator) and is_digits(score):
            rating.answer(turn, int(indicator), int(score))
    elif head == "rn" and mode == states.RATE:
        rating.skip(turn)
    elif support.handles(head):
        support.button(turn, head, rest)
    elif mandates.handles(head):
        mandates.button(turn, head, rest)
    else:  # an old or unknown button: show where we are
        menu.show_menu(turn)


# Said alone, these stop whatever step the chat is in. Checked on the raw text: folded,
# "dừng" is "dung" and would also be "đúng" (right) or "dùng" (use).
STOP_WORDS = frozenset({"dừng", "dừng lại", "ngừng", "ngưng", "thôi", "menu", "stop"})
# In the officer's thread or a rating every other message is content, so only a short, clear request for
# something else leaves them: the menu, stopping, another language.
ESCAPE_INTENTS = (nlu.CANCEL, nlu.HELP, nlu.LANGUAGE)
SUPPORT_MODES = (states.SUPPORT, states.ASK_AGENCY, states.SURVEY)


def _text(turn: Turn, text: str) -> None:
    if turn.state.mode != states.THREAD and assistance.asks_who_helps(text):
        assistance.show(turn)
        return
    if turn.state.mode != states.THREAD and mandates.asks_for_mandate(text):
        mandates.start(turn)
        return
    u = nlu.understand(text, procedures.top_names, meaning.nearest_intent)
    if text.strip().strip(".!?").lower() in STOP_WORDS:
        u.intent = nlu.HELP if "menu" in text.lower() else nlu.CANCEL
    if _in_step(turn, text, u):
        return
    stripped = text.strip().rstrip(".")
    if is_digits(stripped) and len(stripped) <= 2 and procedures.pick(turn, int(stripped)):
        return
    _route(turn, u)


def _in_step(turn: Turn, text: str, u: nlu.Understanding) -> bool:
    """Let the step the chat is in take the message; False when it is about something else."""
    state, mode = turn.state, turn.state.mode
    escape = u.intent in ESCAPE_INTENTS and len(u.words) <= 4 and not u.dossier_code
    if mode == states.THREAD:
        if u.intent == nlu.CANCEL and len(u.words) <= 4:
            thread.leave(turn)
        elif escape:
            state.reset()  # handle() leaves the thread when the mode changes
            return False  # the menu or the language, answered below
        else:
            thread.send(turn, text)
            if _asks_procedure(u) and turn.state.mode == states.THREAD:
                # Delivered AND answered, and the chat stays in the thread: an elderly citizen may have
                # meant the question for the officer, so nothing typed is lost, later messages
                # still reach the officer as they expect, and the answer comes at once with one
                # plain button to leave (leaving silently would send the next words nowhere).
                procedures.offer(
                    turn,
                    u.topic,
                    turn.t("bot_find_while_in_thread"),
                    [[turn.button("bot_btn_leave_thread", "x")]],
                )
        return True
    if mode == states.RATE:
        comment_step = (state.rating or {}).get("step") == rating.COMMENT
        other = u.intent not in (nlu.UNKNOWN, nlu.RATE, nlu.THANKS)
        leaves = escape or (not comment_step and other)
        if u.intent == nlu.CANCEL and len(u.words) <= 4:
            rating.stop(turn)
        elif comment_step and _asks_procedure(u):
            rating.text(turn, text)  # kept as the comment it may be; the rating is done
            procedures.offer(turn, u.topic, turn.t("bot_find_maybe"), turn.back_buttons())
        elif leaves and not (u.digits and not u.dossier_code):
            state.reset()
            return False  # another request: leave the rating, answer it
        else:
            rating.text(turn, text)
        return True
    # A procedure question, the menu, another language, stopping: all leave a waiting step.
    off_topic = u.intent not in (nlu.UNKNOWN, nlu.CHECK) or bool(u.dossier_code)
    if mode == states.MANDATE:
        return mandates.in_step(turn, text, off_topic or escape)
    # In a survey «bỏ qua» (skip) reads as stopping: the survey step takes it (and «thoát»).
    leaves = escape and not (mode == states.SURVEY and u.intent == nlu.CANCEL)
    if mode in SUPPORT_MODES and (leaves or (mode == states.SUPPORT and _asks_procedure(u))):
        # The menu, a language, stopping; or, asked «what is your question?», a procedure
        # question: answered as anywhere else (a general article, else the procedures). Other
        # words stay a question («đăng nhập vneid lỗi» reads as linking but is not).
        state.reset()
        return False
    if mode == states.ASK_AGENCY and u.intent != nlu.CANCEL and _asks_procedure(u):
        support.in_step(turn, text, False)  # asked for a question to the officer: it is sent
        procedures.offer(turn, u.topic, turn.t("bot_find_after_question"), turn.back_buttons())
        return True
    if support.in_step(turn, text, u.intent == nlu.CANCEL, off_topic, u.intent):
        return True
    other_code = bool(u.dossier_code and u.dossier_code != state.code)
    if mode == states.AWAIT_DIGITS and not other_code and (u.digits or not off_topic):
        if got := dossiers.check_digits(turn, u.digits):
            ACTIONS[state.action](turn, *got)
        return True
    if mode == states.AWAIT_CODE:
        if u.dossier_code:
            run_action(turn, state.action, u.dossier_code)
            return True
        if not off_topic:
            turn.say(turn.t("bot_code_not_recognised"), [[turn.button("bot_btn_cancel", "x")]])
            return True
    if mode == states.AWAIT_LINK_CODE:
        code = normalise_link_code(text)
        if len(code) == LINK_CODE_LENGTH and code.isalnum():
            linking.redeem(turn, code)
            return True
        if not off_topic:
            linking.ask_code(turn)
            return True
    if mode == states.AWAIT_OTP and (u.digits or not off_topic):
        linking.check_otp(turn, u.digits)
        return True
    if mode:
        state.reset()  # something else was asked: leave the step
    return False


def _asks_procedure(u: nlu.Understanding) -> bool:
    """A clear procedure question: the catalog knows its topic and it is worded as a question
    about a procedure ("làm hộ chiếu cần giấy tờ gì"), not just a word that names one."""
    return u.intent == nlu.FIND and bool(u.scores.get(nlu.FIND)) and bool(u.topic.strip())


def _route(turn: Turn, u: nlu.Understanding) -> None:
    intent = u.intent
    if intent in INTENT_ACTIONS:
        run_action(turn, INTENT_ACTIONS[intent], u.dossier_code)
    elif intent == nlu.UNFOLLOW:
        run_action(turn, "unfollow", u.dossier_code)
    elif intent == nlu.FIND:
        if not support.general_answer(turn, turn.incoming.text):
            procedures.find(turn, u.topic)
    elif intent == nlu.LINK:
        linking.redeem(turn, u.link_code) if u.link_code else linking.start(turn)
    elif intent == nlu.LANGUAGE:
        menu.set_language(turn, u.language or turn.other_lang)
    elif intent == nlu.CANCEL:
        menu.cancel(turn)
    elif intent == nlu.HELP:
        menu.show_menu(turn)
    elif intent == nlu.GREETING:
        menu.greet(turn)
    elif intent == nlu.THANKS:
        menu.thanks(turn)
    elif support.general_answer(turn, turn.incoming.text):
        pass  # a general article (OTP, VNeID, payment...) answers it
    elif not procedures.offer_nearest(turn, u.topic):
        # Not even a near procedure: say plainly there is no ready answer, offer an officer.
        support.answer(turn, turn.incoming.text, fallback_prefix=turn.t("bot_not_understood"))
