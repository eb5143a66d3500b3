"""Screenshot of a real Arabic conversation, right to left, as a Telegram-like transcript.

``python scripts/rtl_screenshot.py [out.png]`` runs the assistant in-process on a throw-away
SQLite database (embedded NLU, no network), plays /start → consent (client language: Arabic) →
/menu → /mesdonnees → a voice note with no counsellor, renders the turns as chat bubbles
in a ``dir="rtl" lang="ar"`` page and screenshots it with Chromium (Playwright).
The page is also written next to the image (``.html``). Default output:
``test-artifacts/rtl-arabic-transcript.png``.
"""

from __future__ import annotations

import asyncio
import html
import sys
import tempfile
from pathlib import Path

from app.build import build_context
from core.messages import Attachment, Incoming, Kind, Reply
from core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")

STYLE = """
body { font-family: 'Noto Naskh Arabic', 'DejaVu Sans', sans-serif; background: #e6ebee;
       margin: 0; padding: 16px; width: 420px; }
h1 { font-size: 16px; margin: 0 0 12px; color: #333; }
.msg { max-width: 82%; padding: 8px 12px; border-radius: 12px; margin: 6px 0;
       white-space: pre-wrap; line-height: 1.5; font-size: 15px; }
.me { background: #d9fdd3; margin-inline-start: auto; }
.bot { background: #fff; margin-inline-end: auto; }
.row { display: flex; gap: 4px; flex-wrap: wrap; margin: 2px 0 10px; max-width: 82%; }
.btn { background: #f4f8fb; border: 1px solid #b7cfe0; border-radius: 8px; padding: 4px 8px;
       font-size: 14px; color: #1b6fa8; }
"""


def _bubble(text: str, mine: bool) -> str:
    # dir="auto": each bubble takes the direction of its first strong letter, as Telegram does
    return f'<div class="msg {"me" if mine else "bot"}" dir="auto">{html.escape(text)}</div>'


def _replies(replies: list[Reply]) -> str:
    parts = []
    for reply in replies:
        if reply.text:
            parts.append(_bubble(reply.text, False))
        for row in reply.buttons:
            buttons = "".join(
                f'<span class="btn" dir="auto">{html.escape(b.label)}</span>' for b in row
            )
            parts.append(f'<div class="row">{buttons}</div>')
    return "".join(parts)


async def conversation(database: Path) -> str:
    settings = load_settings(database_url=f"sqlite:///{database}", telegram_bot_token=None)
    context = build_context(settings)
    await context.start()
    assistant = context.assistant
    update = iter(range(1, 100))

    async def send(kind: Kind, shown: str, **fields: object) -> str:
        incoming = Incoming(
            "local", "rtl-demo", kind, update_id=next(update), language_code="ar", **fields
        )  # type: ignore[arg-type]
        replies = await assistant.handle(incoming)
        return _bubble(shown, True) + _replies(replies)

    body = [
        await send(Kind.COMMAND, "/start", text="/start", display_name="سميرة"),
        await send(Kind.BUTTON, "أوافق", payload="consent:yes"),
        await send(Kind.COMMAND, "/menu", text="/menu"),
        await send(Kind.COMMAND, "/mesdonnees", text="/mesdonnees"),
        await send(
            Kind.MEDIA,
            "[رسالة صوتية 0:07]",
            media="voice",
            attachment=Attachment("voice", "audio/ogg", b"OggS", duration_s=7),
        ),
    ]
    await context.aclose()
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<style>{STYLE}</style></head><body><h1>مساعد فضاءات « ‎20 000 emplois‏ »</h1>"
        + "".join(body)
        + "</body></html>"
    )


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "test-artifacts" / "rtl-arabic-transcript.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        page_html = asyncio.run(conversation(Path(folder) / "rtl.db"))
    page_file = out.with_suffix(".html")
    page_file.write_text(page_html, encoding="utf-8")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 452, "height": 800})
        page.goto(page_file.as_uri())
        assert page.evaluate("document.documentElement.dir") == "rtl"
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
