"""Stand-ins for ``capabilities.assistant.assistant.Assistant`` so the Telegram adapter can be
tested alone."""

from __future__ import annotations

import asyncio

from core.messages import Button, Document, Incoming, Kind, Reply, Venue

LONG_PARAGRAPH = (
    "Le PRIF (Proch'Info-Formation) vous aide à choisir une formation près de chez vous. " * 12
).strip()
LONG_TEXT = "\n\n".join(f"{index}. {LONG_PARAGRAPH}" for index in range(1, 11))  # ≈ 10,000 chars


class EchoAssistant:
    """Answers every incoming with one text: the benchmark's adapter-only ceiling."""

    def __init__(self) -> None:
        self.closed = False

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Echo the text (or payload) back with a one-button keyboard."""
        said = incoming.text or incoming.payload or incoming.media
        return [Reply(text=f"Vous avez écrit : {said}", buttons=((Button("Menu", "menu"),),))]

    async def aclose(self) -> None:
        """Record that the Application closed us on shutdown."""
        self.closed = True


class ScriptedAssistant:
    """A tiny assistant with the real one's contract: records what it got, dedupes update ids."""

    def __init__(self) -> None:
        self.received: list[Incoming] = []
        self._seen: set[int] = set()
        self.closed = False
        self.yields = 0  # > 0: yield to the loop that many times per message (ordering tests)

    async def aclose(self) -> None:
        """Record that the Application closed us on shutdown."""
        self.closed = True

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer like the real assistant would, in shape if not in wisdom."""
        if incoming.update_id is not None:
            if incoming.update_id in self._seen:
                return []
            self._seen.add(incoming.update_id)
        self.received.append(incoming)
        for _ in range(self.yields * (1 + hash(incoming.text) % 3)):
            await asyncio.sleep(0)
        text = incoming.text
        if incoming.kind is Kind.UNSUPPORTED:
            return [Reply(text="Je ne lis que les messages écrits pour l'instant.")]
        if incoming.kind is Kind.BUTTON:
            return [
                Reply(
                    text=f"Rubrique {incoming.payload}",
                    buttons=((Button("Retour au menu", "menu"),),),
                    notice="C'est noté",
                )
            ]
        if text.startswith("/start"):
            return [
                Reply(text=f"Bonjour {incoming.display_name} !"),
                Reply(
                    text="Acceptez-vous que je garde nos échanges ?",
                    buttons=(
                        (Button("J'accepte", "consent:yes"), Button("Je refuse", "consent:no")),
                        (Button("En savoir plus", url="https://www.cnil.fr/"),),
                    ),
                ),
            ]
        if text == "boom":
            raise RuntimeError("Traceback: secret internals")
        if text == "long":
            return [Reply(text=LONG_TEXT, buttons=((Button("Menu", "menu"),),))]
        if text == "bad buttons":
            return [
                Reply(
                    text="Choix",
                    buttons=((Button("Trop long", "x" * 65), Button("Bon", "ok")),),
                )
            ]
        if text == "venue":
            return [
                Reply(
                    text="L'adresse :",
                    venue=Venue(51.0344, 2.3768, "Mairie de Dunkerque", "Place Charles Valentin"),
                    buttons=((Button("Menu", "menu"),),),
                )
            ]
        if text == "ics":
            return [
                Reply(
                    document=Document(
                        "rendez-vous.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"
                    ),
                )
            ]
        return [Reply(text=f"{incoming.kind.value}: {text}")]
