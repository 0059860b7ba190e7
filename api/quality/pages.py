"""The public report as one HTML page readable on a phone: no script, no external file, the
pictures inline (svg.py), the same figures as the JSON and CSV beside it."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from api.quality import svg
from api.quality.report import WHOLE_PROVINCE

WORDS = {
    "vi": {
        "title": "Chỉ số phục vụ người dân, doanh nghiệp",
        "month": "Tháng",
        "estimate": "Ước tính tại chỗ từ dữ liệu hồ sơ của hệ thống này (Quyết định 766/QĐ-TTg); "
        "điểm chính thức do Cổng Dịch vụ công quốc gia công bố.",
        "total": "Tổng điểm",
        "of": "trên {measured} điểm đo được (tối đa 100)",
        "groups": "Điểm từng nhóm so với tối đa",
        "unmeasured": "không đo được:",
        "trend": "Tổng điểm 12 tháng",
        "units": "Theo đơn vị",
        "on_time": "Đúng hạn",
        "online": "Nộp trực tuyến",
        "figures": "Các chỉ số",
        "not_measurable": "Không đo được ở đây",
        "not_applicable": "Không áp dụng (không có hồ sơ)",
        "portal": "Cổng DVCQG công bố",
        "satisfaction": "Mức độ hài lòng",
        "assisted": "Đánh giá có người hỗ trợ (tính riêng)",
        "counts": "Số hồ sơ",
        "received": "Tiếp nhận",
        "early": "Trước hạn",
        "on_time_n": "Đúng hạn",
        "late": "Trễ hạn",
        "overdue": "Đang xử lý quá hạn",
        "paused": "Tạm dừng chờ công dân",
        "handling": "Thời gian giải quyết trung bình (ngày làm việc)",
        "cutoff": "Số liệu đến",
        "formula": "Phiên bản công thức",
        "data": "Tải số liệu",
        "points": "điểm",
        "legend": "Xanh đậm: điểm đạt · xanh nhạt: điểm chưa đạt · xám: phần không đo được ở đây.",
    },
    "en": {
        "title": "Indicators of service to people and businesses",
        "month": "Month",
        "estimate": "Local estimate from this system's dossier data (Decision 766/QĐ-TTg); "
        "the official score is published by the National Public Service Portal.",
        "total": "Total score",
        "of": "of {measured} points measured (maximum 100)",
        "groups": "Each group against its maximum",
        "unmeasured": "not measurable:",
        "trend": "Total score over 12 months",
        "units": "By unit",
        "on_time": "On time",
        "online": "Filed online",
        "figures": "Indicators",
        "not_measurable": "Cannot be measured here",
        "not_applicable": "Not applicable (no dossiers)",
        "portal": "Published by the portal",
        "satisfaction": "Satisfaction",
        "assisted": "Ratings given with a helper (apart)",
        "counts": "Dossiers",
        "received": "Received",
        "early": "Early",
        "on_time_n": "On time",
        "late": "Late",
        "overdue": "In progress, overdue",
        "paused": "Paused, waiting for the applicant",
        "handling": "Average handling time (working days)",
        "cutoff": "Data up to",
        "formula": "Formula version",
        "data": "Download the figures",
        "points": "points",
        "legend": "Dark green: points won · light green: points missed · grey: not measurable here.",
    },
}

STYLE = """
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,sans-serif;color:#1f2933;background:#f6f7f9}
main{max-width:760px;margin:0 auto;padding:12px}h1{font-size:1.3rem;margin:.3em 0}h2{font-size:1.1rem;margin:1.2em 0 .4em}
.card{background:#fff;border-radius:8px;padding:12px;margin:10px 0;box-shadow:0 1px 2px #0002}
.chart{display:block;width:100%;height:auto;max-width:100%}.ring{max-width:240px;margin:0 auto}
.note{font-size:.85rem;color:#52606d}ul.figs{list-style:none;padding:0;margin:0}
ul.figs li{border-top:1px solid #e4e7eb;padding:8px 0;overflow-wrap:anywhere}
.val{font-weight:700}.na{color:#7b8794}dl{display:grid;grid-template-columns:1fr auto;gap:4px 12px;margin:0}
dd{margin:0;text-align:right;font-weight:700}a{color:#1f5fa8;overflow-wrap:anywhere}
"""


def _figure_line(f: dict, w: dict) -> str:
    name = escape(f["name_vi"] if w is WORDS["vi"] else f["name_en"])
    if f["status"] == "not_measurable":
        value = f'<span class="na">{w["not_measurable"]}</span>'
    elif f["status"] == "not_applicable":
        value = f'<span class="na">{w["not_applicable"]}</span>'
    else:
        value = (
            f'<span class="val">{escape(f["score"])} / {escape(f["max"])}</span> '
            f"({escape(f['percent'])} %: {f['numerator']}/{f['denominator']})"
        )
    portal = f.get("portal_value")
    extra = (
        f'<br><span class="note">{w["portal"]}: {escape(portal["value"])}</span>' if portal else ""
    )
    return f"<li>{escape(f['code'])}. {name}<br>{value}{extra}</li>"


def _variant_line(v: dict) -> str:
    value = (
        f"{escape(v['percent'])} % ({v['numerator']}/{v['denominator']})" if v["percent"] else "–"
    )
    return f'<li>{escape(v["label_vi"])}<br><span class="val">{value}</span></li>'


def pictures(report: dict, lang: str) -> dict[str, str]:
    """The report's pictures as inline SVG (the public page and the staff console alike)."""
    w = WORDS.get(lang, WORDS["vi"])
    total = report["total"]
    return {
        "ring": svg.total_ring(
            total["score"],
            total["measured_max"],
            total["official_max"],
            f"{w['total']}: {total['score']} {w['of'].format(measured=total['measured_max'])}",
            w["points"],
        ),
        "groups": svg.group_bars(
            report["groups"], w["groups"], w["unmeasured"], "en" if lang == "en" else "vi"
        ),
        "trend": svg.trend(report["trend"], w["trend"]),
        "units": (
            svg.unit_shares(report["by_unit"], w["units"], w["on_time"], w["online"])
            if report["by_unit"]
            else ""
        ),
    }


def render(report: dict, lang: str, json_url: str, csv_url: str) -> str:
    w = WORDS.get(lang, WORDS["vi"])
    total, counts = report["total"], report["counts"]
    portal_total = total.get("portal_value")
    drawn = pictures(report, lang)
    ring, groups, trend, units = drawn["ring"], drawn["groups"], drawn["trend"], drawn["units"]
    english = w is not WORDS["vi"]
    name = escape(report["scope"]["name"])
    if english and report["scope"]["name"] == WHOLE_PROVINCE:
        name = "Whole province"
    sat = report["satisfaction"]
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{w["title"]} – {name} – {escape(report["month"])}</title>
<style>{STYLE}</style></head>
<body><main>
<h1>{w["title"]}</h1>
<p><strong>{name}</strong> · {w["month"]} {escape(report["month"])}</p>
<p class="note">{w["estimate"]}</p>
<section class="card"><h2>{w["total"]}</h2><div class="ring">{ring}</div>
<p style="text-align:center"><span class="val">{escape(total["score"])}</span>
{w["of"].format(measured=escape(total["measured_max"]))}</p>
<p class="note" style="text-align:center">{w["legend"]}</p>
{f'<p class="note" style="text-align:center">{w["portal"]}: {escape(portal_total["value"])}</p>' if portal_total else ""}
</section>
<section class="card"><h2>{w["groups"]}</h2>{groups}</section>
<section class="card"><h2>{w["trend"]}</h2>{trend}</section>
{f'<section class="card"><h2>{w["units"]}</h2>{units}</section>' if units else ""}
<section class="card"><h2>{w["counts"]}</h2><dl>
<dt>{w["received"]}</dt><dd>{counts["received"]}</dd>
<dt>{w["early"]}</dt><dd>{counts["early"]}</dd><dt>{w["on_time_n"]}</dt><dd>{counts["on_time"]}</dd>
<dt>{w["late"]}</dt><dd>{counts["late"]}</dd><dt>{w["overdue"]}</dt><dd>{counts["in_progress_overdue"] + counts["paused_overdue"]}</dd>
<dt>{w["paused"]}</dt><dd>{counts["paused"]}</dd>
<dt>{w["handling"]}</dt><dd>{escape(report["handling_time"]["mean"] or "–")}</dd></dl></section>
<section class="card"><h2>{w["figures"]}</h2><ul class="figs">
{"".join(_figure_line(f, w) for f in report["figures"])}</ul></section>
<section class="card"><h2>{w["satisfaction"]}</h2><ul class="figs">
{"".join(_variant_line(v) for v in sat["self"])}</ul>
<h2>{w["assisted"]}</h2><ul class="figs">{"".join(_variant_line(v) for v in sat["assisted"])}</ul></section>
<p class="note">{w["cutoff"]}: {escape(report["data_cutoff"])} · {w["formula"]}: {escape(report["formula_version"])}
· {escape(report["legal_basis"])}</p>
<p>{w["data"]}: <a href="{escape(json_url)}">JSON</a> · <a href="{escape(csv_url)}">CSV</a></p>
</main></body></html>"""


def report_links(scope_kind: str, scope_code: str, month: str) -> tuple[str, str]:
    base = f"/api/v1/quality/reports/{scope_kind}/{quote(scope_code)}?month={month}"
    return base, base + "&format=csv"
