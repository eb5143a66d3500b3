"""An in-memory channel for flow tests: ``await chat.say("bonjour")``, ``chat.texts``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from capabilities.assistant.assistant import Assistant
from core.messages import Incoming, Kind, Reply

_ids = itertools.count(1)


def fake_parse_table() -> dict[str, tuple[str, float, list[dict[str, Any]]]]:
    """Scripted NLU answers so flow tests do not depend on the classifier's accuracy."""
    return {
        "bonjour": ("greet", 0.95, []),
        "merci": ("thanks", 0.95, []),
        "au revoir": ("goodbye", 0.95, []),
        "oui": ("affirm", 0.95, []),
        "non": ("deny", 0.95, []),
        "aide": ("help", 0.95, []),
        "bus": ("ask_transport", 0.95, []),
        "aide au permis": ("ask_driving_licence", 0.95, []),
        "logement": ("ask_housing", 0.95, []),
        "creche": ("ask_childcare", 0.95, []),
        "formation": ("ask_training", 0.95, []),
        "prif": ("ask_prif", 0.95, []),
        "metiers": ("ask_trades", 0.95, []),
        "soudeur": (
            "ask_trades",
            0.9,
            [{"entity": "trade", "value": "soudeur", "start": 0, "end": 7}],
        ),
        "je veux un conseiller": ("talk_to_human", 0.95, []),
        "je veux un rendez-vous": ("book_appointment", 0.95, []),
        "arretez les messages": ("stop_notifications", 0.95, []),
        "effacez mes donnees": ("delete_my_data", 0.95, []),
        "meteo": ("out_of_scope", 0.9, []),
    }


class FakeNlu:
    """Returns the Rasa parse shape from a table; unknown text is a low-confidence guess."""

    def __init__(self) -> None:
        self.table = fake_parse_table()
        self.calls: list[str] = []

    async def parse(self, text: str) -> dict[str, Any]:
        self.calls.append(text)
        key = text.strip().lower()
        if key in self.table:
            intent, confidence, entities = self.table[key]
            ranking = [{"name": intent, "confidence": confidence}]
        else:
            intent, confidence, entities = "ask_housing", 0.2, []
            ranking = [
                {"name": "ask_housing", "confidence": 0.2},
                {"name": "ask_transport", "confidence": 0.18},
                {"name": "greet", "confidence": 0.1},
            ]
        return {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities,
            "intent_ranking": ranking,
        }


@dataclass
class Chat:
    """One person talking to the assistant through an in-memory channel."""

    assistant: Assistant
    user: str = "u1"
    channel: str = "local"
    language_code: str | None = "fr"
    display_name: str = "Samia"
    last: list[Reply] = field(default_factory=list)

    async def send(self, incoming: Incoming) -> list[Reply]:
        self.last = await self.assistant.handle(incoming)
        return self.last

    def _incoming(self, kind: Kind, **kwargs: Any) -> Incoming:
        kwargs.setdefault("update_id", next(_ids))
        return Incoming(
            self.channel,
            self.user,
            kind,
            language_code=self.language_code,
            display_name=self.display_name,
            **kwargs,
        )

    async def say(self, text: str, **kwargs: Any) -> list[Reply]:
        """Send free text, or a command when it starts with "/"."""
        kind = Kind.COMMAND if text.startswith("/") else Kind.TEXT
        return await self.send(self._incoming(kind, text=text, **kwargs))

    async def press(self, payload: str, **kwargs: Any) -> list[Reply]:
        """Press a button by payload."""
        return await self.send(self._incoming(Kind.BUTTON, payload=payload, **kwargs))

    async def press_label(self, label: str) -> list[Reply]:
        """Press the button of the last replies whose label contains ``label``."""
        for button in self.buttons:
            if label.lower() in button.label.lower():
                return await self.press(button.payload)
        raise AssertionError(f"no button {label!r} in {[b.label for b in self.buttons]}")

    async def media(self, media: str) -> list[Reply]:
        """Send a sticker, photo, voice note…"""
        return await self.send(self._incoming(Kind.UNSUPPORTED, media=media))

    async def consent(self) -> None:
        """Go through the welcome and accept."""
        await self.say("/start")
        await self.press("consent:yes")

    @property
    def text(self) -> str:
        """All texts of the last replies, joined."""
        return "\n".join(reply.text for reply in self.last)

    @property
    def buttons(self) -> list[Any]:
        """All buttons of the last replies."""
        return [button for reply in self.last for button in reply.flat_buttons()]

    @property
    def payloads(self) -> list[str]:
        """Payloads of the last replies' buttons."""
        return [button.payload for button in self.buttons if button.payload]
