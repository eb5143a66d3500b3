"""Every chart has a visible title and a short summary in words, read by screen readers."""

from __future__ import annotations

import re
from collections.abc import Callable

from starlette.testclient import TestClient

from console.charts import bar_chart, summary
from tests.chat import Chat
from tests.console.conftest import sign_in
from tests.console.test_console_http import waiting_person

FIGURE = re.compile(r"<figure.*?</figure>", re.S)


def _count(n: float) -> str:
    return f"{n:.0f} personne" + ("s" if n > 1 else "")


def test_summary_says_the_last_week_and_the_range() -> None:
    labels = ["S46", "S47", "S48"]
    assert (
        summary(labels, [2, 0, 1], _count)
        == "Semaine S48 : 1 personne. Sur 3 semaines : de 0 personne à 2 personnes."
    )
    assert (
        summary(labels, [3, 3, 3], _count)
        == "Semaine S48 : 3 personnes. Sur 3 semaines : toujours 3 personnes."
    )
    assert summary(labels, [None, None, None], _count) == "Pas encore de donnée sur ces 3 semaines."
    assert summary(labels, [4, None, None], _count).startswith(
        "Semaine S48 : pas encore de donnée."
    )


def test_a_chart_is_a_figure_whose_caption_describes_the_svg() -> None:
    html = str(bar_chart("Délai médian", ["S47", "S48"], [None, 1.0], "min"))
    caption = re.search(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert caption and "Délai médian" in caption.group(1)
    assert "Semaine S48 : 1 minute." in caption.group(1)  # singular through ngettext
    described = re.search(r'aria-describedby="([^"]+)"', html)
    assert described and f'id="{described.group(1)}"' in caption.group(1)


async def test_indicators_page_charts_have_titles_and_summaries(
    client: TestClient, chat: Chat, add_staff: Callable[..., int]
) -> None:
    await waiting_person(chat)
    add_staff("Karim", "karim@example.org")
    assert sign_in(client, "karim@example.org") == 303
    page = client.get("/indicators").text
    figures = FIGURE.findall(page)
    assert len(figures) == 4
    titles = [re.search(r'class="chart-title">([^<]+)<', f).group(1) for f in figures]  # type: ignore[union-attr]
    assert titles[0] == "Conversations par semaine"
    assert "Délai médian avant la 1re réponse humaine" in titles
    assert (
        "1 conversation." in figures[0]
        and "Sur 8 semaines : de 0 conversation à 1 conversation." in figures[0]
    )
    ids = re.findall(r'aria-describedby="([^"]+)"', page)
    assert len(set(ids)) == 4 and all(f'id="{i}"' in page for i in ids)
