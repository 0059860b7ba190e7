"""Language choice and the catalog of words citizens read in error answers.

Vietnamese is the default; English when the client asks for it (Accept-Language: en).
Domain packages add their own messages with ``register_messages`` so each keeps its words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

SUPPORTED_LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_MESSAGES: dict[str, dict[str, str]] = {
    "bad_request": {
        "vi": "Yêu cầu chưa đúng. Xin vui lòng kiểm tra lại.",
        "en": "The request is not correct. Please check it and try again.",
    },
    "validation_failed": {
        "vi": "Thông tin gửi lên chưa hợp lệ. Xin xem chi tiết ở từng mục bên dưới.",
        "en": "Some of the information sent is not valid. See the details for each item.",
    },
    "unauthorized": {
        "vi": "Bạn cần đăng nhập để dùng chức năng này.",
        "en": "Please sign in to use this feature.",
    },
    "forbidden": {
        "vi": "Bạn không có quyền xem hoặc thay đổi nội dung này.",
        "en": "You are not allowed to see or change this.",
    },
    "not_found": {
        "vi": "Không tìm thấy nội dung bạn cần.",
        "en": "We could not find what you asked for.",
    },
    "method_not_allowed": {
        "vi": "Cách gửi yêu cầu này không được hỗ trợ.",
        "en": "This kind of request is not supported here.",
    },
    "conflict": {
        "vi": "Yêu cầu không thực hiện được vì trạng thái hiện tại không cho phép.",
        "en": "This cannot be done in the current state.",
    },
    "precondition_failed": {
        "vi": "Nội dung đã thay đổi kể từ lần bạn xem. Xin tải lại rồi thử lại.",
        "en": "The content has changed since you last loaded it. Please reload and try again.",
    },
    "payload_too_large": {
        "vi": "Dữ liệu gửi lên quá lớn.",
        "en": "The data sent is too large.",
    },
    "unsupported_media_type": {
        "vi": "Định dạng dữ liệu gửi lên không được hỗ trợ. Xin gửi dữ liệu dạng JSON.",
        "en": "This data format is not supported. Please send JSON.",
    },
    "too_many_requests": {
        "vi": "Bạn đã thử quá nhiều lần. Xin vui lòng đợi một lát rồi thử lại.",
        "en": "Too many attempts. Please wait a moment and try again.",
    },
    "retry_in_seconds": {
        "vi": "Bạn có thể thử lại sau {seconds} giây.",
        "en": "You can try again in {seconds} seconds.",
    },
    "retry_in_minutes": {
        "vi": "Bạn có thể thử lại sau khoảng {minutes} phút.",
        "en": "You can try again in about {minutes} minutes.",
    },
    "internal_error": {
        "vi": "Hệ thống đang gặp sự cố. Xin vui lòng thử lại sau ít phút.",
        "en": "Something went wrong on our side. Please try again in a few minutes.",
    },
    "service_unavailable": {
        "vi": "Hệ thống đang tạm bận. Xin vui lòng thử lại sau ít phút.",
        "en": "The service is busy for the moment. Please try again in a few minutes.",
    },
}

# Field-level messages from marshmallow/webargs, so a 422 reads as plainly as the rest.
_VALIDATION_VI: dict[str, str] = {
    "Missing data for required field.": "Mục này bắt buộc phải có.",
    "Required for officers.": "Bắt buộc với cán bộ xử lý hồ sơ.",
    "Required for community team members.": "Bắt buộc với thành viên tổ công nghệ số cộng đồng.",
    "Unknown unit: see the close matches in the message.": (
        "Đơn vị chưa có trong hệ thống: xem các đơn vị gần giống trong thông báo."
    ),
    "Invalid JSON body.": "Nội dung gửi lên không đúng định dạng JSON.",
    "Not a push token: letters, digits and - _ : . only.": (
        "Mã thông báo của ứng dụng không đúng: chỉ gồm chữ, số và các dấu - _ : ."
    ),
    "A month as YYYY-MM from 2000-01 to 2099-12, for example 2026-11.": (
        "Tháng ghi theo dạng NĂM-THÁNG (từ 2000-01 đến 2099-12), ví dụ 2026-11."
    ),
    "Not a file: send photos and PDFs as multipart form data.": (
        "Đây không phải là tệp: xin gửi ảnh hoặc tệp PDF dưới dạng tải tệp lên (multipart)."
    ),
    "Field may not be null.": "Mục này không được để trống.",
    "Not a valid integer.": "Phải là một số nguyên.",
    "Not a valid string.": "Phải là chữ.",
    "Not a valid boolean.": "Phải là đúng hoặc sai (true/false).",
    "Not a valid number.": "Phải là một số.",
    "Not a valid list.": "Phải là một danh sách.",
    "Not a valid mapping type.": "Phải là một đối tượng JSON.",
    "Not a valid datetime.": "Ngày giờ không đúng định dạng.",
    "Not a valid date.": "Ngày không đúng định dạng (năm-tháng-ngày).",
    "Unknown field.": "Mục này không được hỗ trợ.",
    "Invalid input type.": "Kiểu dữ liệu không đúng.",
    "Invalid value.": "Giá trị không hợp lệ.",
    "Shorter than minimum length {min}.": "Quá ngắn: cần ít nhất {min} ký tự.",
    "Longer than maximum length {max}.": "Quá dài: tối đa {max} ký tự.",
    "Length must be between {min} and {max}.": "Độ dài phải từ {min} đến {max} ký tự.",
    "Must be greater than or equal to {min}.": "Phải lớn hơn hoặc bằng {min}.",
    "Must be less than or equal to {max}.": "Phải nhỏ hơn hoặc bằng {max}.",
    "Must be greater than or equal to {min} and less than or equal to {max}.": (
        "Phải từ {min} đến {max}."
    ),
    "Must be one of: {choices}.": "Phải là một trong các giá trị: {choices}.",
    "String does not match expected pattern.": "Không đúng định dạng.",
    "Not a valid email address.": "Địa chỉ email không đúng.",
    # Our own validators' messages.
    "Not a dossier code like 000.00.15.H12-240101-0001.": (
        "Mã hồ sơ chưa đúng. Mã có dạng như 000.00.15.H12-240101-0001 (in trên giấy biên nhận)."
    ),
    "The last 4 digits of the applicant's phone or ID number.": (
        "Xin nhập 4 số cuối của số điện thoại hoặc số định danh của người nộp hồ sơ."
    ),
    "Must be the 6 digits you received.": "Xin nhập đủ 6 chữ số trong tin nhắn bạn nhận được.",
    "Not a Vietnamese mobile number.": "Không phải số di động Việt Nam.",
    "Give either id or target.": "Xin cho biết mã thiết bị (id) hoặc target, chỉ một trong hai.",
    "Not a procedure code (d.dddddd).": "Mã thủ tục chưa đúng (dạng 1.234567).",
    # Less common field messages and our schemas' own (tests/kernel/test_language_words.py finds them).
    "Number too large.": "Số quá lớn.",
    "Not a valid utf-8 string.": "Chữ gửi lên không đúng bảng mã UTF-8.",
    "Not a valid time.": "Giờ không đúng định dạng (giờ:phút).",
    "Not a valid aware datetime.": "Ngày giờ không đúng định dạng: cần ghi cả múi giờ.",
    "Not a valid naive datetime.": "Ngày giờ không đúng định dạng: không ghi múi giờ.",
    "Invalid type.": "Kiểu dữ liệu không đúng.",
    "Special numeric values (nan or infinity) are not permitted.": (
        "Không nhận các giá trị số đặc biệt (nan, vô cực)."
    ),
    "Length must be {equal}.": "Độ dài phải đúng {equal} ký tự.",
    "2-32 of a-z, 0-9, _": "Từ 2 đến 32 ký tự, chỉ gồm chữ thường không dấu, số và dấu _.",
    "A 12-digit personal identification number.": "Số định danh cá nhân gồm đúng 12 chữ số.",
    "The officer checks the ID card first.": "Cán bộ cần kiểm tra thẻ căn cước trước.",
    "Give exactly one of personal_id or phone.": (
        "Xin ghi số định danh (personal_id) hoặc số điện thoại (phone), chỉ một trong hai."
    ),
    "A fee without a fixed amount needs a note.": (
        "Lệ phí không có số tiền cố định cần ghi chú cách tính."
    ),
}

_TEMPLATE_PATTERNS = [
    (re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(t)) + "$"), vi)
    # Longest first, so "between {min} and {max}" wins over "at least {min}".
    for t, vi in sorted(_VALIDATION_VI.items(), key=lambda item: -len(item[0]))
    if "{" in t
]


def register_validation_messages(messages: Mapping[str, str]) -> None:
    """Add field-level messages (English original → Vietnamese) from a module of their own."""
    _VALIDATION_VI.update(messages)


def register_messages(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add a domain's messages; a slug may be defined only once."""
    for slug, texts in messages.items():
        if slug in _MESSAGES and _MESSAGES[slug] != dict(texts):
            raise ValueError(f"message slug {slug!r} defined twice")
        if set(texts) != set(SUPPORTED_LANGUAGES):
            raise ValueError(f"message slug {slug!r} must have exactly {SUPPORTED_LANGUAGES}")
        _MESSAGES[slug] = dict(texts)


def has_message(slug: str) -> bool:
    return slug in _MESSAGES


def message(slug: str, lang: str = DEFAULT_LANGUAGE, **params: object) -> str:
    texts = _MESSAGES.get(slug) or _MESSAGES["bad_request"]
    text = texts.get(lang) or texts[DEFAULT_LANGUAGE]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def normalise_language(value: str | None) -> str:
    value = (value or "").strip().lower()[:2]
    return value if value in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def translate_validation(text: str, lang: str) -> str:
    """Turn one marshmallow message into the caller's language (English is the original)."""
    if lang == "en":
        return text
    if text in _VALIDATION_VI:
        return _VALIDATION_VI[text]
    # Messages with numbers in them: match against the templates' fixed parts.
    for pattern, vi in _TEMPLATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return vi.format(**match.groupdict())
    return text


def translate_errors(errors: object, lang: str) -> object:
    """Walk a marshmallow error structure and translate every message in it."""
    if isinstance(errors, str):
        return translate_validation(errors, lang)
    if isinstance(errors, list):
        return [translate_errors(e, lang) for e in errors]
    if isinstance(errors, dict):
        return {k: translate_errors(v, lang) for k, v in errors.items()}
    return errors
