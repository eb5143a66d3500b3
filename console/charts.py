"""Server-rendered SVG bar charts (no JavaScript), each in a figure with a visible title and a
one- or two-sentence summary that screen readers get too (``aria-describedby``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from html import escape

from markupsafe import Markup

from console.web import gettext, ngettext

WIDTH = 560
HEIGHT = 180
PAD = 28
_ids = itertools.count(1)  # unique summary ids within a page (several charts per page)


def percent(value: float) -> str:
    """A rate as people read it: « 12 % »."""
    return gettext("{n} %").format(n=f"{value:.0f}")


def minutes(value: float) -> str:
    """A duration in whole minutes, with the plural the language needs."""
    n = round(value)
    return ngettext("{n} minute", "{n} minutes", n).format(n=n)


def summary(labels: list[str], values: list[float | None], amount: Callable[[float], str]) -> str:
    """What the chart shows, in words: the last week, then the range over the weeks shown."""
    weeks = len(labels)
    known = [v for v in values if v is not None]
    if not known:
        return ngettext(
            "Pas encore de donnée sur la dernière semaine.",
            "Pas encore de donnée sur ces {n} semaines.",
            weeks,
        ).format(n=weeks)
    last_label, last = labels[-1], values[-1]
    if last is None:
        first = gettext("Semaine {week} : pas encore de donnée.").format(week=last_label)
    else:
        first = gettext("Semaine {week} : {amount}.").format(week=last_label, amount=amount(last))
    low, high = min(known), max(known)
    if weeks <= 1:
        return first
    if low == high:
        second = ngettext(
            "Sur {n} semaine : toujours {amount}.",
            "Sur {n} semaines : toujours {amount}.",
            weeks,
        ).format(n=weeks, amount=amount(low))
    else:
        second = ngettext(
            "Sur {n} semaine : de {low} à {high}.",
            "Sur {n} semaines : de {low} à {high}.",
            weeks,
        ).format(n=weeks, low=amount(low), high=amount(high))
    return f"{first} {second}"


def bar_chart(
    title: str,
    labels: list[str],
    values: list[float | None],
    unit: str = "",
    amount: Callable[[float], str] | None = None,
) -> Markup:
    """A bar per label (missing values drawn as "–"), in a figure: title, chart, summary.

    ``amount`` says a value in words for the summary (``ngettext`` for counts); by default a
    percentage or a duration in minutes after ``unit``.
    """
    words = amount or (percent if unit == "%" else minutes if unit == "min" else _count)
    described = f"chart-summary-{next(_ids)}"
    text = summary(labels, values, words)
    known = [v for v in values if v is not None]
    top = max(known) if known and max(known) > 0 else 1.0
    count = max(len(values), 1)
    slot = (WIDTH - 2 * PAD) / count
    bar = slot * 0.6
    parts = [
        '<figure class="chart-figure">',
        f'<figcaption><strong class="chart-title">{escape(title)}</strong> '
        f'<span class="chart-summary" id="{described}">{escape(text)}</span></figcaption>',
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" aria-describedby="{described}" '
        'xmlns="http://www.w3.org/2000/svg">',
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
    parts.append("</svg></figure>")
    return Markup("".join(parts))


def _count(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "%":
        return f"{value:.0f} %"
    if value == int(value):
        return f"{int(value)}{(' ' + unit) if unit else ''}"
    return f"{value:.1f}{(' ' + unit) if unit else ''}"
