"""The words of quality-figure refusals and of the public report, in Vietnamese and English."""

from __future__ import annotations

from api.kernel.i18n import register_messages

MESSAGES = {
    "quality_bad_period": {
        "vi": "Kỳ báo cáo chưa đúng. Tháng viết dạng 2026-11, tuần viết dạng 2026-W47.",
        "en": "The period is not valid. Write a month as 2026-11 and a week as 2026-W47.",
    },
    "quality_bad_scope": {
        "vi": "Không có phạm vi báo cáo này (tỉnh, đơn vị hoặc xã).",
        "en": "There is no such scope of report (province, unit or commune).",
    },
    "quality_report_not_published": {
        "vi": "Báo cáo của kỳ này chưa được công bố.",
        "en": "The report for this period has not been published yet.",
    },
    "quality_snapshot_not_found": {
        "vi": "Không tìm thấy bản tổng hợp chỉ số này.",
        "en": "We could not find this snapshot of the figures.",
    },
    "quality_figure_not_found": {
        "vi": "Bản tổng hợp không có chỉ số này, hoặc chỉ số này không đo được.",
        "en": "This snapshot has no such figure, or the figure cannot be measured.",
    },
    "quality_scope_forbidden": {
        "vi": "Bạn chỉ xem được số liệu chi tiết của đơn vị mình.",
        "en": "You can only see the detailed figures of your own unit.",
    },
}

register_messages(MESSAGES)
