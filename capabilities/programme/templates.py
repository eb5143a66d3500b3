"""Programme messages rendered at send time, in the person's language of that moment.

The weekly check-in goes to tens of thousands of people in the same words. Its outbox row
holds what to render, ``[{"template": "checkin", "week": "2026-W49", "reminder": false,
"offer_meeting": true}]`` (about 90 bytes), not the rendered text and buttons (about 700):
the planner writes less (80,000 rows a week), and a person who changed language between the
planning and the sending gets the message in the new one. Rows of other kinds keep their
rendered replies (``store.outbox.dump_replies``); both can be mixed in one row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from capabilities.programme.checkin import checkin_replies
from core.messages import Reply
from store.outbox import load_replies

CHECKIN = "checkin"


def _checkin(locale: str, item: dict[str, Any]) -> list[Reply]:
    return checkin_replies(
        locale,
        str(item["week"]),
        reminder=bool(item.get("reminder", False)),
        offer_meeting=bool(item.get("offer_meeting", False)),
    )


RENDERERS: dict[str, Callable[[str, dict[str, Any]], list[Reply]]] = {CHECKIN: _checkin}


class TemplateError(ValueError):
    """An outbox row names a template this version does not know."""


def checkin_template(week: str, *, reminder: bool, offer_meeting: bool) -> list[dict[str, Any]]:
    """The outbox ``replies`` of a weekly check-in (or its reminder)."""
    return [
        {"template": CHECKIN, "week": week, "reminder": reminder, "offer_meeting": offer_meeting}
    ]


def render(items: Sequence[dict[str, Any]], locale: str) -> list[Reply]:
    """An outbox row's replies: templates rendered in ``locale``, the rest as stored."""
    replies: list[Reply] = []
    for item in items:
        name = item.get("template")
        if name is None:
            replies.extend(load_replies([item]))
            continue
        renderer = RENDERERS.get(str(name))
        if renderer is None:
            raise TemplateError(f"unknown message template {name!r}")
        replies.extend(renderer(locale, item))
    return replies
