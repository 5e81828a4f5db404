"""Charts drawn on the server as SVG (no script, no CDN): horizontal bars, and columns by month.
Right to left, the drawing is mirrored: bars grow from the right, months run from right to left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

ROW, LABEL, GAP = 26, 210, 8
COLOURS = ("#2f6f8f", "#c0713a", "#4d8b4a", "#8a5a9e", "#b0493f", "#6b7b2a")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, where it leads (the list behind it)."""

    label: str
    value: int
    href: str


def _x(x: float, width: int, rtl: bool) -> float:
    return width - x if rtl else x


def bars(title: str, rows: Sequence[Bar], *, rtl: bool, width: int = 640,
         target: int | None = None, colour: str = COLOURS[0]) -> Markup:
    """Horizontal bars, one a row, each a link; an optional target drawn as a dashed line."""
    if not rows:
        return Markup("")
    top = max([r.value for r in rows] + [target or 0, 1])
    area = width - LABEL - 60
    height = ROW * len(rows) + 8
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
           f'direction="{"rtl" if rtl else "ltr"}">']
    for i, row in enumerate(rows):
        y = 4 + i * ROW
        length = area * row.value / top
        start = LABEL
        rect_x = width - start - length if rtl else start
        out.append(f'<a href="{escape(row.href)}" class="bar" data-value="{row.value}">'
                   f"<title>{escape(row.label)}: {row.value}</title>"
                   f'<text x="{_x(LABEL - GAP, width, rtl):.0f}" y="{y + 16}" text-anchor="end">'
                   f"{escape(_short(row.label))}</text>"
                   f'<rect x="{rect_x:.1f}" y="{y + 3}" width="{max(length, 1):.1f}" height="{ROW - 8}" '
                   f'fill="{colour}" rx="2"/>'
                   f'<text x="{_x(start + length + 4, width, rtl):.1f}" y="{y + 16}" text-anchor="start" '
                   f'class="value">{row.value}</text></a>')
    if target:
        x = _x(LABEL + area * target / top, width, rtl)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}" class="target" '
                   'stroke="#333" stroke-dasharray="4 3"/>')
    out.append("</svg>")
    return Markup("".join(out))


def columns(title: str, months: Sequence[str], values: Sequence[int], *, rtl: bool,
            target: int | None = None, width: int = 640, height: int = 170) -> Markup:
    """Columns by month (a result reached at each month's end), the target as a dashed line."""
    if not months:
        return Markup("")
    top = max([*values, target or 0, 1])
    plot = height - 44
    step = (width - 20) / len(months)
    out = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">']
    every = max(1, len(months) // 12)
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        h = plot * value / top
        left = 10 + i * step
        x = width - left - step if rtl else left
        out.append(f'<g data-month="{escape(month)}" data-value="{value}">'
                   f"<title>{escape(month)}: {value}</title>"
                   f'<rect x="{x + step * 0.15:.1f}" y="{16 + plot - h:.1f}" width="{step * 0.7:.1f}" '
                   f'height="{max(h, 0.5):.1f}" fill="{COLOURS[0]}"/></g>')
        out.append(f'<text x="{x + step / 2:.1f}" y="{12 + plot - h:.1f}" text-anchor="middle" '
                   f'class="value">{value}</text>')
        if i % every == 0:
            out.append(f'<text x="{x + step / 2:.1f}" y="{height - 12}" text-anchor="middle" '
                       f'class="month">{escape(month)}</text>')
    if target:
        y = 16 + plot - plot * target / top
        out.append(f'<line x1="10" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" class="target" '
                   f'stroke="#333" stroke-dasharray="4 3"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _short(label: str, size: int = 28) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"
