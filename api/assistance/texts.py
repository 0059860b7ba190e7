"""Words of the assisted-use domain (errors and the notices both people receive)."""

from __future__ import annotations

from api.kernel.i18n import register_messages

# What a grant's state means to the people who read it (never the code itself).
STATE_WORDS = {
    "pending": ("đang chờ người dân đồng ý", "waiting for consent"),
    "active": ("đang có hiệu lực", "in force"),
    "rejected": ("đã bị từ chối", "refused"),
    "revoked": ("đã bị dừng", "stopped"),
    "expired": ("đã hết hạn", "expired"),
}


def state_words(state: str) -> dict:
    vi, en = STATE_WORDS.get(state, (state, state))
    return {"state_vi": vi, "state_en": en}


def hours_limit(hours: int) -> dict:
    return {"limit_vi": f"{hours} giờ", "limit_en": f"{hours} hours"}


def days_limit(days: int) -> dict:
    return {"limit_vi": f"{days} ngày", "limit_en": f"{days} days"}


def reason(vi: str, en: str) -> dict:
    """A reason in both languages (each message shows its own)."""
    return {"reason_vi": vi, "reason_en": en}


MESSAGES = {
    "assist_not_helper": {
        "vi": "Chỉ thành viên đang hoạt động của Tổ công nghệ số cộng đồng mới dùng được chức năng này.",
        "en": "Only active members of a community digital technology team can use this.",
    },
    "assist_resident_not_found": {
        "vi": "Không tìm thấy người dân này trong hệ thống. Xin mời người dân ra bộ phận một cửa để được hỗ trợ.",
        "en": "This resident was not found. Please ask them to come to the one-stop desk.",
    },
    "assist_no_phone": {
        "vi": "Người dân chưa có số điện thoại trong hồ sơ nên không gửi được mã đồng ý. Xin mời người dân ra bộ phận một cửa.",
        "en": "The resident has no phone number on record, so no consent code can be sent. Please go to the one-stop desk.",
    },
    "assist_no_zalo": {
        "vi": "Người dân chưa liên kết Zalo với tài khoản. Xin gửi mã bằng tin nhắn SMS.",
        "en": "The resident has not linked Zalo to the account. Please send the code by SMS.",
    },
    "assist_other_commune": {
        "vi": "Người dân không thuộc xã/phường của bạn. Cần có phép ngoại lệ của quản trị viên.",
        "en": "The resident does not live in your commune. An administrator's exception is needed.",
    },
    "assist_action_invalid": {
        "vi": "Việc được nhờ chưa đúng: {reason_vi}.",
        "en": "The actions asked for are not valid: {reason_en}.",
    },
    "assist_forbidden_action": {
        "vi": "Người giúp không được làm việc này thay người dân, dù được đồng ý.",
        "en": "A helper may never do this for a resident, whatever was agreed.",
    },
    "assist_out_of_scope": {
        "vi": "Việc này nằm ngoài phạm vi người dân đã đồng ý.",
        "en": "This is outside what the resident agreed to.",
    },
    "assist_grant_not_found": {
        "vi": "Không tìm thấy sự đồng ý này.",
        "en": "This consent was not found.",
    },
    "assist_grant_inactive": {
        "vi": "Sự đồng ý này không còn hiệu lực (đã hết hạn, bị thu hồi hoặc chưa được chấp nhận).",
        "en": "This consent is not in force (expired, revoked or not accepted yet).",
    },
    "assist_code_invalid": {
        "vi": "Mã đồng ý không đúng hoặc đã hết hạn.",
        "en": "The consent code is wrong or has expired.",
    },
    "assist_code_exhausted": {
        "vi": "Đã nhập sai mã quá số lần cho phép. Yêu cầu giúp đỡ này đã bị từ chối.",
        "en": "Too many wrong codes. This request for help was refused.",
    },
    "assist_state_conflict": {
        "vi": "Không làm được việc này vì sự đồng ý {state_vi}.",
        "en": "This cannot be done: the consent is {state_en}.",
    },
    "assist_too_long": {
        "vi": "Thời hạn quá dài: tối đa {limit_vi}.",
        "en": "Too long: at most {limit_en}.",
    },
    "assist_day_past": {
        "vi": "Ngày kết thúc đã qua. Xin chọn từ hôm nay trở đi.",
        "en": "That last day has passed. Please choose today or later.",
    },
    "assist_only_resident": {
        "vi": "Chỉ chính người dân mới làm được việc này.",
        "en": "Only the resident can do this.",
    },
    "assist_team_not_found": {
        "vi": "Không tìm thấy tổ công nghệ số cộng đồng này.",
        "en": "This community team was not found.",
    },
    "assist_member_invalid": {
        "vi": "Không thêm được thành viên: {reason_vi}.",
        "en": "The member cannot be added: {reason_en}.",
    },
    "assist_usage_not_found": {
        "vi": "Không tìm thấy mục nhật ký này.",
        "en": "This log entry was not found.",
    },
    "assist_commune_scope": {
        "vi": "Bạn chỉ quản lý được các tổ của xã/phường mình.",
        "en": "You can only manage the teams of your own commune.",
    },
    # Notices both people read (in-app inbox, and their usual channel).
    "assist_notice_started": {
        "vi": "{helper} bắt đầu được giúp {resident} ({what}) đến {until}. Không đồng ý? Mở mục «Ai đang giúp tôi?» để dừng ngay.",
        "en": "{helper} may now help {resident} ({what}) until {until}. Not agreed? Open «Who is helping me?» to stop it at once.",
    },
    "assist_notice_requested": {
        "vi": "{helper} xin phép giúp {resident} ({what}). Chỉ đọc mã xác nhận cho người đó nếu họ đang ở cạnh bạn và bạn đồng ý.",
        "en": "{helper} asks to help {resident} ({what}). Only read out the code if they are with you and you agree.",
    },
    "assist_notice_first_use": {
        "vi": "{helper} vừa bắt đầu làm việc thay {resident}.",
        "en": "{helper} has just started acting for {resident}.",
    },
    "assist_notice_ended": {
        "vi": "Sự giúp đỡ của {helper} cho {resident} đã kết thúc ({why}).",
        "en": "{helper}'s help for {resident} has ended ({why}).",
    },
    "assist_notice_mandate": {
        "vi": "{resident} nhờ {helper} làm thay ({what}). Nhập mã người dân đưa cho bạn trong 7 ngày để nhận.",
        "en": "{resident} asks {helper} to act for them ({what}). Enter the code they give you within 7 days to accept.",
    },
}


def register() -> None:
    register_messages(MESSAGES)
