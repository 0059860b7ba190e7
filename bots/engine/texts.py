"""Words of the menu, help and the answers shared by every flow, in Vietnamese and English.

Bot texts live in the one message catalog (api.kernel.i18n) under "bot_" slugs; each flow module
registers its own. Short lines: most citizens read them on a small phone.
"""

from __future__ import annotations

from api.kernel.i18n import register_messages

register_messages(
    {
        "bot_greeting": {
            "vi": "Xin chào! Tôi là trợ lý Dịch vụ công. Tôi có thể giúp bạn:",
            "en": "Hello! I am the public services assistant. I can help you:",
        },
        "bot_menu": {
            "vi": (
                "• Tìm thủ tục: cần giấy tờ gì, lệ phí, bao lâu\n"
                "• Tra cứu và theo dõi hồ sơ đã nộp\n"
                "• Nhắn tin cho cán bộ xử lý hồ sơ\n"
                "• Đánh giá mức độ hài lòng\n"
                "Bạn chỉ cần gõ điều bạn cần, ví dụ: «làm căn cước cần gì» "
                "hoặc gửi mã hồ sơ trên giấy biên nhận."
            ),
            "en": (
                "• Find a procedure: papers needed, fees, how long\n"
                "• Check and follow a dossier you filed\n"
                "• Write to the officer handling your dossier\n"
                "• Rate the service\n"
                "Just type what you need, e.g. «ID card papers», or send the dossier code "
                "from your receipt."
            ),
        },
        "bot_not_understood": {
            "vi": "Xin lỗi, tôi chưa hiểu ý bạn. Bạn có thể chọn một việc dưới đây, "
            "hoặc gõ tên thủ tục (ví dụ: «đăng ký khai sinh»), hoặc gửi mã hồ sơ.",
            "en": "Sorry, I did not understand. Please pick one of the options below, type a "
            "procedure (e.g. «birth registration»), or send a dossier code.",
        },
        "bot_thanks": {
            "vi": "Dạ, rất vui được giúp bạn. Bạn cần gì thêm cứ nhắn cho tôi nhé.",
            "en": "You are welcome. Write to me any time you need something.",
        },
        "bot_cancelled": {
            "vi": "Đã dừng. Bạn cần gì khác không?",
            "en": "Stopped. Is there anything else you need?",
        },
        "bot_language_set": {
            "vi": "Tôi sẽ trả lời bằng tiếng Việt.",
            "en": "I will answer in English from now on.",
        },
        "bot_busy": {
            "vi": "Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút.",
            "en": "Sorry, the system is busy. Please try again in a few minutes.",
        },
        "bot_photo_not_expected": {
            "vi": "Tôi đã nhận ảnh. Nếu muốn gửi ảnh giấy tờ cho cán bộ, "
            "xin chọn «Nhắn cán bộ» trước rồi gửi lại ảnh.",
            "en": "I got your photo. To send papers to the officer, "
            "please choose «Write to the officer» first, then send the photo again.",
        },
        "bot_not_on_this_channel": {
            "vi": "Việc này chỉ làm được trong Zalo hoặc Telegram.",
            "en": "This can only be done in Zalo or Telegram.",
        },
        "bot_btn_find": {"vi": "🔎 Tìm thủ tục", "en": "🔎 Find a procedure"},
        "bot_btn_check": {"vi": "📄 Tra cứu hồ sơ", "en": "📄 Check a dossier"},
        "bot_btn_follow": {"vi": "🔔 Theo dõi hồ sơ", "en": "🔔 Follow a dossier"},
        "bot_btn_thread": {"vi": "💬 Nhắn cán bộ", "en": "💬 Write to the officer"},
        "bot_btn_rate": {"vi": "⭐ Đánh giá", "en": "⭐ Rate the service"},
        "bot_btn_link": {"vi": "🔗 Liên kết tài khoản", "en": "🔗 Link my account"},
        "bot_btn_menu": {"vi": "☰ Menu", "en": "☰ Menu"},
        "bot_btn_cancel": {"vi": "✖ Dừng", "en": "✖ Stop"},
        "bot_btn_english": {"vi": "English", "en": "English"},
        "bot_btn_vietnamese": {"vi": "Tiếng Việt", "en": "Tiếng Việt"},
    }
)
