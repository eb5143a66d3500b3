"""Replies rendered for the browser: plain JSON the widget turns into DOM (textContent only).

Nothing here is HTML: the widget never parses markup from a message, so a message cannot
inject any. Venues get an OpenStreetMap link, documents travel as base64 for a download.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from core.messages import Reply, Venue


def osm_link(venue: Venue) -> str:
    """The OpenStreetMap page centred on the venue, with a marker."""
    query = urlencode({"mlat": f"{venue.latitude:.6f}", "mlon": f"{venue.longitude:.6f}"})
    return (
        f"https://www.openstreetmap.org/?{query}#map=17/{venue.latitude:.5f}/{venue.longitude:.5f}"
    )


def web_reply(reply: Reply) -> dict[str, Any]:
    """One reply as the widget shows it."""
    item: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        item["buttons"] = [
            [
                {"label": b.label, "url": b.url}
                if b.url and b.url.startswith(("https://", "http://"))
                else {"label": b.label, "payload": b.payload}
                for b in row
                if b.payload or b.url
            ]
            for row in reply.buttons
        ]
    if reply.venue is not None:
        v = reply.venue
        item["venue"] = {"title": v.title, "address": v.address, "map": osm_link(v)}
    if reply.document is not None:
        d = reply.document
        item["document"] = {
            "filename": d.filename,
            "mime": d.mime_type,
            "caption": d.caption,
            "data": base64.b64encode(d.content).decode(),
        }
    if reply.notice:
        item["notice"] = reply.notice
    return item
