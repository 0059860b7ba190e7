"""Citizen- and staff-facing words of support, Vietnamese with English (api.kernel.i18n catalog)."""

from __future__ import annotations

from api.kernel.i18n import register_messages

register_messages(
    {
        "article_not_found": {
            "vi": "Không tìm thấy bài hướng dẫn này.",
            "en": "This help article was not found.",
        },
        "article_slug_taken": {
            "vi": "Đã có bài hướng dẫn với mã «{name}».",
            "en": "There is already an article «{name}».",
        },
        "article_bad_transition": {
            "vi": "Bài đang ở trạng thái «{current}», không chuyển sang «{target}» được.",
            "en": "The article is «{current}»; it cannot move to «{target}».",
        },
        "article_not_editable": {
            "vi": "Bài đã đăng hoặc đã lưu trữ; xin chuyển về bản nháp hoặc rà soát trước khi sửa.",
            "en": "Published or archived articles are not edited; move it back to review first.",
        },
        "article_other_unit": {
            "vi": "Bài này thuộc đơn vị khác; chỉ đơn vị chủ quản sửa được.",
            "en": "This article belongs to another unit; only its owner unit can change it.",
        },
        "article_stale": {
            "vi": "Lưu ý: nội dung này đã quá hạn rà soát ({date}), có thể chưa cập nhật. "
            "Xin kiểm tra lại với cơ quan trước khi làm.",
            "en": "Note: this answer is past its review date ({date}) and may be out of date. "
            "Please check with the office before acting on it.",
        },
        "support_no_answer": {
            "vi": "Xin lỗi, hiện chưa có câu trả lời sẵn cho câu hỏi này. Bạn có muốn gửi câu "
            "hỏi cho cán bộ không? Cán bộ sẽ trả lời bạn trong {hours} giờ làm việc.",
            "en": "Sorry, there is no ready answer to this question yet. Would you like to send "
            "it to an officer? They will answer within {hours} working hours.",
        },
        "support_choices": {
            "vi": "Có phải bạn muốn hỏi một trong các điều sau?",
            "en": "Did you mean one of these?",
        },
        "question_not_found": {
            "vi": "Không tìm thấy câu hỏi này.",
            "en": "This question was not found.",
        },
        "question_contact_needed": {
            "vi": "Xin để lại số điện thoại hoặc thư điện tử để cán bộ trả lời bạn.",
            "en": "Please leave a phone number or an e-mail so the officer can answer you.",
        },
        "question_bad_transition": {
            "vi": "Câu hỏi đang ở trạng thái «{current}», không làm việc này được.",
            "en": "The question is «{current}»; this cannot be done now.",
        },
        "question_personal_data": {
            "vi": "Bản công khai vẫn còn thông tin cá nhân ({kinds}); xin xóa trước khi đăng.",
            "en": "The public version still holds personal data ({kinds}); remove it first.",
        },
        "question_other_unit": {
            "vi": "Câu hỏi này được giao cho đơn vị khác.",
            "en": "This question is assigned to another unit.",
        },
        "support_no_unit": {
            "vi": "Tài khoản cán bộ này chưa được gán đơn vị; xin liên hệ quản trị.",
            "en": "This officer account has no unit yet; please ask an administrator.",
        },
        "survey_not_found": {
            "vi": "Không tìm thấy phiếu khảo sát này.",
            "en": "This survey was not found.",
        },
        "survey_closed": {
            "vi": "Phiếu khảo sát này chưa mở hoặc đã đóng.",
            "en": "This survey is not open.",
        },
        "survey_already_answered": {
            "vi": "Bạn đã trả lời phiếu khảo sát này rồi. Cảm ơn bạn!",
            "en": "You have already answered this survey. Thank you!",
        },
        "survey_invalid_answers": {
            "vi": "Một số câu trả lời chưa hợp lệ; xin xem lại.",
            "en": "Some answers are not valid; please check them.",
        },
        "survey_dossier_not_yours": {
            "vi": "Phiếu này dành cho người đứng tên một hồ sơ đã xong.",
            "en": "This survey is for the applicant of a finished dossier.",
        },
        "survey_respondent_needed": {
            "vi": "Xin đăng nhập, hoặc gửi kèm mã thiết bị để trả lời ẩn danh.",
            "en": "Please sign in, or send a device token to answer anonymously.",
        },
    }
)
