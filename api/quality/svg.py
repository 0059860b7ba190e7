"""Pictures of the public report as inline SVG drawn on the server (no script, no CDN): they
scale to the screen through viewBox and carry a <title> and text for screen readers."""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape

GREEN, PALE, GREY, INK, RED, BLUE = "#1b7f3b", "#cfe8d6", "#d9d9d9", "#1f2933", "#b42318", "#1f5fa8"
FONT = 'font-family="system-ui, sans-serif"'


def _svg(width: int, height: int, title: str, body: str, ident: str) -> str:
    return (
        f'<svg class="chart" id="{ident}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-t" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="{ident}-t">{escape(title)}</title>{body}</svg>'
    )


def _num(value: object) -> float:
    return float(Decimal(str(value))) if value not in (None, "") else 0.0


def total_ring(score: str, measured_max: str, official_max: int, title: str, label: str) -> str:
    """A ring out of the official 100: the points won, the points measured but lost, and the
    part that cannot be measured here (grey), so "x/100" never hides what was not measured."""
    got, measured, full = _num(score), _num(measured_max), float(official_max)
    radius, width, cx, cy = 70, 22, 100, 95
    circumference = 2 * math.pi * radius

    def arc(start: float, length: float, colour: str) -> str:
        if length <= 0:
            return ""
        dash = circumference * length / full
        offset = -circumference * start / full
        return (
            f'<circle cx="{cx}" cy="{cy}" r="{radius}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}" stroke-dasharray="{dash:.2f} {circumference:.2f}" '
            f'stroke-dashoffset="{offset:.2f}" transform="rotate(-90 {cx} {cy})"/>'
        )

    body = (
        arc(0, full, GREY)
        + arc(0, measured, PALE)
        + arc(0, got, GREEN)
        + f'<text x="{cx}" y="{cy - 4}" text-anchor="middle" font-size="30" font-weight="700" '
        f'fill="{INK}" {FONT}>{escape(score)}</text>'
        f'<text x="{cx}" y="{cy + 18}" text-anchor="middle" font-size="12" fill="{INK}" {FONT}>'
        f"{escape(label)}</text>"
    )
    return _svg(200, 190, title, body, "chart-total")


def group_bars(groups: list[dict], title: str, unmeasured: str, lang: str = "vi") -> str:
    """One bar per group: its maximum as the track, the measured part, the points won; the
    name on its own line so long Vietnamese names never run off a phone's screen."""
    row, left, width = 58, 6, 320
    scale = width / max(_num(g["max"]) for g in groups)
    parts = []
    for i, g in enumerate(groups):
        y = i * row + 4
        full, measured, got = _num(g["max"]), _num(g["measured_max"]), _num(g["score"])
        missing = f" · {unmeasured} {full - measured:g}" if measured < full else ""
        parts.append(
            f'<text x="{left}" y="{y + 12}" font-size="13" font-weight="600" fill="{INK}" {FONT}>'
            f"{escape(g.get('name_en') if lang == 'en' else g['name_vi'])}</text>"
            f'<text x="{left}" y="{y + 27}" font-size="12" fill="{INK}" {FONT}>'
            f"{escape(g['score'])} / {escape(str(g['max']))}{escape(missing)}</text>"
            f'<rect x="{left}" y="{y + 33}" width="{full * scale:.1f}" height="14" fill="{GREY}" rx="3"/>'
            f'<rect x="{left}" y="{y + 33}" width="{measured * scale:.1f}" height="14" fill="{PALE}" rx="3"/>'
            f'<rect class="bar" x="{left}" y="{y + 33}" width="{got * scale:.1f}" height="14" '
            f'fill="{GREEN}" rx="3"/>'
        )
    return _svg(332, row * len(groups) + 6, title, "".join(parts), "chart-groups")


def trend(points: list[dict], title: str) -> str:
    """Twelve months of the total (measured points); a month not published is left empty."""
    height, base, left, step = 150, 120, 28, 25
    top = max([_num(p["measured_max"]) for p in points if p["score"] is not None] + [100.0])
    parts = [
        f'<line x1="{left}" y1="{base}" x2="{left + step * len(points)}" y2="{base}" stroke="{GREY}"/>',
        f'<text x="2" y="{base - 96}" font-size="10" fill="{INK}" {FONT}>{top:.0f}</text>',
        f'<text x="2" y="{base}" font-size="10" fill="{INK}" {FONT}>0</text>',
    ]
    for i, p in enumerate(points):
        x = left + i * step + 4
        month = p["month"][5:]
        parts.append(
            f'<text x="{x + 8}" y="{base + 14}" text-anchor="middle" font-size="10" fill="{INK}" {FONT}>{month}</text>'
        )
        if p["score"] is None:
            continue
        h = 96 * _num(p["score"]) / top
        parts.append(
            f'<rect class="bar" x="{x}" y="{base - h:.1f}" width="16" height="{h:.1f}" fill="{BLUE}" rx="2">'
            f"<title>{escape(p['month'])}: {escape(p['score'])}</title></rect>"
        )
    return _svg(left + step * len(points) + 4, height, title, "".join(parts), "chart-trend")


def unit_shares(units: list[dict], title: str, on_time: str, online: str) -> str:
    """Per unit: the share handled on time and the share filed online (0–100 %)."""
    row, left, width = 58, 6, 300
    parts = [
        f'<rect x="{left}" y="2" width="10" height="10" fill="{GREEN}"/>'
        f'<text x="{left + 14}" y="11" font-size="11" fill="{INK}" {FONT}>{escape(on_time)}</text>'
        f'<rect x="{left + 150}" y="2" width="10" height="10" fill="{BLUE}"/>'
        f'<text x="{left + 164}" y="11" font-size="11" fill="{INK}" {FONT}>{escape(online)}</text>'
    ]
    for i, u in enumerate(units):
        y = 20 + i * row
        parts.append(
            f'<text x="{left}" y="{y + 12}" font-size="12" fill="{INK}" {FONT}>{escape(u["unit_name"][:48])}</text>'
        )
        for j, (key, colour) in enumerate((("on_time", GREEN), ("online", BLUE))):
            share = u[key]["percent"]
            yy = y + 18 + j * 16
            w = width * _num(share) / 100 if share is not None else 0
            text = f"{share} %" if share is not None else "không áp dụng"
            parts.append(
                f'<rect x="{left}" y="{yy}" width="{width}" height="12" fill="{GREY}" rx="2"/>'
                f'<rect class="bar" x="{left}" y="{yy}" width="{w:.1f}" height="12" fill="{colour}" rx="2"/>'
                f'<text x="{left + width + 2}" y="{yy + 10}" font-size="10" fill="{INK}" {FONT}>'
                f"{escape(text if share is None else share)}</text>"
            )
    return _svg(340, 24 + row * max(len(units), 1), title, "".join(parts), "chart-units")
