"""The engine's understanding of chat Vietnamese, without a catalog or a database: folding,
shorthand, telex leftovers, typos, dossier and link codes anywhere, and the intents."""

from __future__ import annotations

import pytest

from bots.engine import nlu
from bots.engine.flows.dossiers import data_for
from bots.engine.telex import is_syllable, untelex


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("ddawng", "dang"),
        ("kys", "ky"),
        ("hoof", "ho"),
        ("tieengs", "tieng"),
        ("vieejt", "viet"),
        ("truwowngf", "truong"),
        ("khai", "khai"),  # already a syllable
        ("gplx", "gplx"),  # abbreviations are left alone
        ("thanks", "thanks"),  # and so is English
    ],
)
def test_telex_leftovers(typed, meant):
    assert untelex(typed) == meant


def test_syllable_shapes():
    assert all(is_syllable(w) for w in ["nghieng", "khuyen", "a", "uy", "thuong"])
    assert not any(is_syllable(w) for w in ["gplx", "cccd", "thanks", "status"])


@pytest.mark.parametrize(
    "text, words",
    [
        ("hs lam cccd can j ko", "ho so lam cccd can gi khong"),
        ("dk ket hon", "dang ky ket hon"),
        ("lam dc ko", "lam duoc khong"),
        ("Alooo, cho mình hỏi ntn ạ!!", "alo cho minh hoi nhu the nao a"),
        ("ddawng kys khai sinh", "dang ky khai sinh"),
    ],
)
def test_normalise(text, words):
    assert " ".join(nlu.normalise(text)) == words


@pytest.mark.parametrize(
    "text",
    [
        "000.00.15.H12-251120-0001",
        "hồ sơ 000.00.15.h12-251120-0001 của tôi sao rồi",
        "ma ho so: 000.00.15.H12 - 251120 - 0001 nhé",
        "(000.00.15.H12-251120-0001)",
    ],
)
def test_dossier_codes_anywhere(text):
    assert nlu.find_dossier_code(text) == "000.00.15.H12-251120-0001"


def test_no_dossier_code_in_plain_numbers():
    assert nlu.find_dossier_code("số điện thoại 0912345678, năm 2025-11-20") is None


@pytest.mark.parametrize(
    "text, code",
    [
        ("K7PM3QXA", "K7PM3QXA"),
        ("k7pm-3qxa", "K7PM3QXA"),
        ("mã liên kết của tôi là K7PM 3QXA", "K7PM3QXA"),
        ("HKMNPQRS", "HKMNPQRS"),  # all letters, as copied from the app
        ("ket thuc", None),
        ("hello123", None),  # 1 is not in the code alphabet
        ("khaisinh", None),  # an ordinary word typed in lower case
    ],
)
def test_link_codes(text, code):
    assert nlu.understand(text).link_code == code


@pytest.mark.parametrize(
    "text, intent",
    [
        ("xin chào", nlu.GREETING),
        ("menu", nlu.HELP),
        ("cảm ơn nhiều", nlu.THANKS),
        ("english please", nlu.LANGUAGE),
        ("thôi", nlu.CANCEL),
        ("tra cứu hồ sơ 000.00.15.H12-251120-0001", nlu.CHECK),
        ("000.00.15.H12-251120-0001", nlu.CHECK),
        ("theo doi hs 000.00.15.H12-251120-0001", nlu.FOLLOW),
        ("bỏ theo dõi 000.00.15.H12-251120-0001", nlu.UNFOLLOW),
        ("nhan tin cho can bo", nlu.THREAD),
        ("đánh giá dịch vụ", nlu.RATE),
        ("lien ket tai khoan", nlu.LINK),
        ("lam cccd can giay to gi", nlu.FIND),
    ],
)
def test_intents(text, intent):
    assert nlu.understand(text).intent == intent


def test_thoi_gian_is_not_a_stop():
    """ "thôi" stops; "thời gian" (its folded twin) is a question."""
    assert nlu.understand("thời gian bao lâu").intent == nlu.FIND


def test_typos_in_foreign_words_only():
    assert nlu.understand("englsh").intent == nlu.LANGUAGE
    # Vietnamese syllables one letter apart are different words: "trách" is not "track".
    assert nlu.understand("trách nhiệm hữu hạn").scores.get(nlu.CHECK) is None


def test_callback_data_stays_within_64_bytes():
    code = "000.00.15.H12-251120-0001"
    assert data_for("unfollow", code) == f"u:{code}"
    longest = "A" * 40 + "-251120-000001"  # the longest code the portal format allows
    assert len(data_for("check", longest).encode()) <= 64
    assert data_for("check", "X" * 70) is None  # never a button Telegram would refuse


@pytest.mark.parametrize(
    "text, intent",
    [
        ("bỏ đăng ký nhận tin hồ sơ giúp tôi", nlu.UNFOLLOW),
        ("hủy nhận thông báo hồ sơ", nlu.UNFOLLOW),
        ("dung bao tin cho toi", nlu.UNFOLLOW),
        ("đăng ký nhận tin hồ sơ giúp tôi", nlu.FOLLOW),  # nothing undone
        ("bố tôi muốn nhận thông báo hồ sơ", nlu.FOLLOW),  # "bố" is not right before it
    ],
)
def test_a_negated_follow_asks_to_stop_the_notices(text, intent):
    assert nlu.understand(text, lambda topic: []).intent == intent


@pytest.mark.parametrize(
    "text, intent",
    [
        # Asking to be told about the dossier is following it, though it names its status.
        ("Please notify me when my dossier status changes.", nlu.FOLLOW),
        ("khi nào có kết quả thì nhắn tôi một tiếng", nlu.FOLLOW),
        ("có tin gì về hồ sơ thì báo qua số này nha", nlu.FOLLOW),
        ("hồ sơ của tôi đến đâu rồi", nlu.CHECK),  # a plain status question stays one
        ("khi nào có kết quả", nlu.CHECK),
        ("e muốn nhắn tin cho người phụ trách hồ sơ", nlu.THREAD),
        ("ai là người giải quyết hồ sơ của tôi, tôi muốn hỏi", nlu.THREAD),
        ("ngừng gửi tin cho số này nha", nlu.UNFOLLOW),
        ("thôi khỏi báo nữa", nlu.UNFOLLOW),
        ("tôi muốn góp ý về lần làm hồ sơ vừa rồi", nlu.RATE),
    ],
)
def test_what_is_asked_of_the_dossier_beats_its_mere_mention(text, intent):
    assert nlu.understand(text, lambda topic: []).intent == intent


@pytest.mark.parametrize(
    "text, intent",
    [
        ("ma: w5nz-h8ty", nlu.LINK),  # the code as the app shows it, letters and digits
        ("kết nối zalo này với app giúp em, mã là R3VC-7KPE", nlu.LINK),
        ("noi tieng anh dc ko", nlu.LANGUAGE),
        ("ad trả lời bằng tiếng Anh được không, bạn tôi người nước ngoài", nlu.LANGUAGE),
        ("thủ tục xin giấy phép lao động bằng tiếng Anh", nlu.FIND),  # a procedure, asked
        ("thôi khỏi", nlu.CANCEL),
        ("ko cần nữa đâu", nlu.CANCEL),
        ("thôi để sau, giờ bận", nlu.CANCEL),
        ("e chào ạ", nlu.GREETING),
        ("chuyển câu hỏi này tới cán bộ giúp em: bản sao có cần công chứng không", nlu.THREAD),
        ("gửi câu này đến cán bộ giùm tôi", nlu.THREAD),
        ("bao giờ thì con lên lấy giấy phép xây dựng được ạ", nlu.CHECK),
        ("Is my passport ready to pick up yet?", nlu.CHECK),
        ("hôm nào là ngày hẹn trả kết quả vậy", nlu.CHECK),
        ("ở đây hỗ trợ những gì vậy", nlu.HELP),
        ("đa tạ", nlu.THANKS),
        ("Please turn off the dossier alerts on this chat", nlu.UNFOLLOW),  # "turn" stays
        ("ko can nhan tin bao tien do nua dau ad", nlu.UNFOLLOW),  # "không cần" undoes it
        ("Z8RW-1JDN", nlu.LINK),  # as shown, though 1 is not a letter the app uses
    ],
)
def test_new_ways_to_link_switch_language_stop_greet_and_reach_the_officer(text, intent):
    # A catalog that finds a procedure for any word left over, as the real one often does.
    assert nlu.understand(text, lambda topic: ["Đăng ký khai sinh"]).intent == intent


def test_a_dashed_word_of_letters_alone_in_a_sentence_is_not_a_link_code():
    assert nlu.understand("toi can giay ABCD-EFGH gi do", lambda topic: []).link_code is None


def test_english_words_are_not_taken_for_telex_leftovers():
    assert nlu.normalise("please turn this off") == ["please", "turn", "this", "off"]
    assert nlu.normalise("Please turn off the alerts") == ["please", "turn", "off", "the", "alerts"]
    assert nlu.normalise("ddawng kys khai sinh online") == ["dang", "ky", "khai", "sinh", "online"]


def test_a_word_that_starts_another_is_not_a_slip_of_it():
    """The ward "office" is not the "officer": rating it is not writing to the officer."""
    text = "I want to rate my experience at the ward office"
    assert nlu.understand(text, lambda topic: []).intent == nlu.RATE
    assert nlu.understand("englsh").intent == nlu.LANGUAGE  # a slip inside still counts


def test_a_short_word_one_letter_from_another_is_another_word():
    """Four letters leave little room: "mate" is not a slip of "rate" (nor "mute" of it)."""
    assert nlu.understand("Cheers mate", lambda topic: []).intent == nlu.THANKS
    assert nlu.understand("hellp", lambda topic: []).intent == nlu.GREETING  # five: a slip


def test_asking_to_change_language_without_naming_one():
    understood = nlu.understand("đổi ngôn ngữ", lambda topic: ["Đăng ký khai sinh"])
    assert (understood.intent, understood.language) == (nlu.LANGUAGE, None)
