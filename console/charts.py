"""Server-rendered SVG bar charts (no JavaScript), with a text alternative."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH = 560
HEIGHT = 180
PAD = 28


def bar_chart(title: str, labels: list[str], values: list[float | None], unit: str = "") -> Markup:
    """A bar per label; missing values are drawn as "–"."""
    known = [v for v in values if v is not None]
    top = max(known) if known and max(known) > 0 else 1.0
    count = max(len(values), 1)
    slot = (WIDTH - 2 * PAD) / count
    bar = slot * 0.6
    summary = ", ".join(
        f"{label} : {_fmt(value, unit)}" for label, value in zip(labels, values, strict=True)
    )
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)} — {escape(summary)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#555" stroke-width="1"/>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = PAD + index * slot + (slot - bar) / 2
        height = 0.0 if value is None else (HEIGHT - 2 * PAD - 14) * (value / top)
        y = HEIGHT - PAD - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
            'fill="#1d5fa8"/>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">'
            f"{escape(_fmt(value, unit))}</text>"
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - PAD + 14}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.0f} %"
    if value == int(value):
        return f"{int(value)}{(' ' + unit) if unit else ''}"
    return f"{value:.1f}{(' ' + unit) if unit else ''}"
