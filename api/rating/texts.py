"""The words of rating refusals, in plain Vietnamese and English."""

from __future__ import annotations

from api.kernel.i18n import register_messages

MESSAGES = {
    "rating_not_open": {
        "vi": "Hồ sơ chưa có kết quả nên chưa đánh giá được. Bạn có thể đánh giá khi hồ sơ đã "
        "xử lý xong hoặc đã trả kết quả.",
        "en": "The dossier has no result yet, so it cannot be rated. You can rate it once the "
        "result is ready or returned.",
    },
    "rating_already_given": {
        "vi": "Bạn đã đánh giá hồ sơ này rồi. Bạn có thể sửa đánh giá trong vòng {days} ngày "
        "kể từ khi đánh giá.",
        "en": "You have already rated this dossier. You can change your rating within {days} "
        "days of giving it.",
    },
    "rating_edit_window_closed": {
        "vi": "Đã quá {days} ngày kể từ khi bạn đánh giá nên không sửa được nữa.",
        "en": "More than {days} days have passed since you rated, so it can no longer be changed.",
    },
    "rating_not_found": {
        "vi": "Hồ sơ này chưa được đánh giá.",
        "en": "This dossier has not been rated yet.",
    },
    "rating_invalid": {
        "vi": "Câu trả lời đánh giá chưa hợp lệ. Xin xem chi tiết ở từng chỉ số.",
        "en": "Some rating answers are not valid. See the details for each indicator.",
    },
    "rating_owner_only": {
        "vi": "Chỉ người đứng tên hồ sơ mới đánh giá được.",
        "en": "Only the applicant can rate this dossier.",
    },
    "rating_forbidden": {
        "vi": "Hồ sơ này do đơn vị khác giải quyết, bạn không xem được đánh giá.",
        "en": "Another unit handles this dossier; you cannot see its rating.",
    },
    "stats_unit_forbidden": {
        "vi": "Bạn chỉ xem được số liệu của đơn vị mình.",
        "en": "You can only see your own unit's figures.",
    },
    "unknown_channel": {
        "vi": "Kênh gửi tin nhắn không được hỗ trợ.",
        "en": "This message channel is not supported.",
    },
}


def register() -> None:
    register_messages(MESSAGES)
