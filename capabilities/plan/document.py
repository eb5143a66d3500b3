"""« Votre plan » as a one-page PDF (fpdf2), for the chat or to print."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from capabilities.conversation.turn import Turn
from capabilities.plan.render import plan_text
from capabilities.plan.rules import Agenda, Step
from core.messages import Document

# A Unicode font when the system has one (Debian's fonts-dejavu-core); else the PDF core font.
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def plan_pdf(turn: Turn, steps: tuple[Step, ...], agenda: Agenda) -> Document:
    """The same text as the chat, on an A4 page."""
    text = plan_text(turn, steps, agenda)
    title, _, body = text.partition("\n")
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    if FONT.exists():
        pdf.add_font("plan", fname=str(FONT))
        family = "plan"
    else:  # latin-1 only: replace what the core font cannot draw
        family = "Helvetica"
        title = title.encode("latin-1", "replace").decode("latin-1")
        body = body.encode("latin-1", "replace").decode("latin-1")
    pdf.set_font(family, size=18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=12)
    pdf.multi_cell(0, 7, body.strip(), new_x="LMARGIN", new_y="NEXT")
    return Document(
        filename="mon-plan.pdf",
        content=bytes(pdf.output()),
        mime_type="application/pdf",
        caption=turn._("Votre plan"),
    )
