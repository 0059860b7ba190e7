"""Demo support content for `make run`: the FAQ articles (sandbox/support_articles.json),
the post-dossier survey and the quarterly satisfaction survey. Idempotent."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import select

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.support.models import PUBLISHED, Article
from api.support.survey_models import PERIODIC, POST_DOSSIER, S_ACTIVE, Survey

ARTICLES_FILE = Path(__file__).resolve().with_name("support_articles.json")


def _scale(key: str, vi: str, en: str, required: bool = True) -> dict:
    return {"key": key, "type": "scale", "text_vi": vi, "text_en": en, "required": required}


QUARTERLY = {
    "slug": "quarterly_satisfaction",
    "kind": PERIODIC,
    "title_vi": "Khảo sát mức độ hài lòng với dịch vụ công trực tuyến (hằng quý)",
    "title_en": "Quarterly satisfaction survey of online public services",
    "intro_vi": "Theo Quyết định 1565/QĐ-TTg, mỗi quý cơ quan hỏi ý kiến người dân. 1 = rất "
    "không hài lòng, 5 = rất hài lòng.",
    "intro_en": "Every quarter the office asks for your opinion (Decision 1565). 1 = very "
    "dissatisfied, 5 = very satisfied.",
    "questions": [
        {
            "key": "visits",
            "type": "single",
            "text_vi": "Quý này bạn dùng dịch vụ công trực tuyến mấy lần?",
            "text_en": "How many times did you use online public services this quarter?",
            "required": True,
            "options": [
                {"value": "1", "label_vi": "1 lần", "label_en": "Once"},
                {"value": "2-3", "label_vi": "2–3 lần", "label_en": "2–3 times"},
                {"value": "4+", "label_vi": "4 lần trở lên", "label_en": "4 or more"},
            ],
        },
        _scale(
            "clarity",
            "Thông tin về giấy tờ cần nộp có rõ ràng không?",
            "Were the required papers clearly described?",
        ),
        _scale(
            "status",
            "Theo dõi tình trạng hồ sơ có dễ không?",
            "Was it easy to follow your dossier?",
        ),
        _scale("overall", "Nhìn chung bạn hài lòng thế nào?", "Overall, how satisfied are you?"),
        {
            "key": "problems",
            "type": "multiple",
            "text_vi": "Bạn gặp khó khăn ở đâu?",
            "text_en": "Where did you have trouble?",
            "show_if": {"question": "overall", "any_of": ["1", "2", "3"]},
            "options": [
                {"value": "login", "label_vi": "Đăng nhập", "label_en": "Signing in"},
                {"value": "papers", "label_vi": "Giấy tờ", "label_en": "Papers"},
                {"value": "payment", "label_vi": "Thanh toán", "label_en": "Payment"},
                {"value": "staff", "label_vi": "Thái độ cán bộ", "label_en": "Staff attitude"},
            ],
        },
        {
            "key": "idea",
            "type": "long",
            "text_vi": "Bạn có góp ý gì thêm không?",
            "text_en": "Anything else you would like to tell us?",
        },
    ],
}
POST = {
    "slug": "after_dossier",
    "kind": POST_DOSSIER,
    "title_vi": "Góp ý sau khi hồ sơ hoàn thành",
    "title_en": "Your opinion now your dossier is done",
    "intro_vi": "Ba câu hỏi ngắn về hồ sơ vừa hoàn thành.",
    "intro_en": "Three short questions about the dossier just finished.",
    "questions": [
        _scale("ease", "Làm thủ tục này có dễ không?", "Was this procedure easy to do?"),
        {
            "key": "channel_used",
            "type": "single",
            "text_vi": "Bạn nộp hồ sơ bằng cách nào?",
            "text_en": "How did you file?",
            "required": True,
            "options": [
                {"value": "online", "label_vi": "Trực tuyến", "label_en": "Online"},
                {"value": "desk", "label_vi": "Tại bộ phận một cửa", "label_en": "At the desk"},
                {"value": "post", "label_vi": "Qua bưu điện", "label_en": "By post"},
            ],
        },
        {
            "key": "why_not_online",
            "type": "short",
            "text_vi": "Vì sao bạn chưa nộp trực tuyến?",
            "text_en": "Why did you not file online?",
            "show_if": {"question": "channel_used", "any_of": ["desk", "post"]},
        },
    ],
}


def seed_demo_support() -> dict[str, int]:
    data = json.loads(ARTICLES_FILE.read_text(encoding="utf-8"))
    made = 0
    for item in data["articles"]:
        if db.session.scalar(select(Article.id).where(Article.slug == item["slug"])):
            continue
        db.session.add(
            Article(
                slug=item["slug"],
                status=PUBLISHED,
                title_vi=item["title_vi"],
                title_en=item["title_en"],
                short_vi=item["short_vi"],
                short_en=item["short_en"],
                body_vi=item["body_vi"],
                body_en=item["body_en"],
                variants=item["variants"],
                procedure_codes=item["procedures"],
                field_codes=item["fields"],
                owner_unit=item["owner_unit"],
                reviewed_on=date.fromisoformat(item["reviewed_on"]),
                review_due_on=date.fromisoformat(item["review_due_on"]),
                published_at=utcnow(),
            )
        )
        made += 1
    surveys = 0
    for definition in (QUARTERLY, POST):
        if db.session.scalar(select(Survey.id).where(Survey.slug == definition["slug"])):
            continue
        db.session.add(Survey(status=S_ACTIVE, **definition))
        surveys += 1
    db.session.commit()
    return {"articles": made, "surveys": surveys}
