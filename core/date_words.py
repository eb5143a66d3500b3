"""The French words and patterns of dates and times, as read in the plain form of core.text."""

from __future__ import annotations

import re

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6,
}  # fmt: skip
NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "huit": 8, "quinze": 15}
WEEK_KINDS = frozenset({"next_week", "this_week"})  # a week, not a day

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(WEEKDAYS)
_DAY = r"(?P<day>[12]\d|3[01]|0?[1-9]|1er|premier)"

# Earlier patterns win where two overlap.
DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<![\d/])(?P<y>20\d\d)/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![\d/])")),
    ("numeric", re.compile(
        r"(?<![\d/])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])"
    )),
    (
        "day_month",
        re.compile(
            rf"\b(?:(?:{_WEEKDAY_RE})\s+)?(?:le\s+)?{_DAY}\s+(?P<month>{_MONTH_RE})\b"
            r"(?:\s+(?P<year>20\d\d))?"
        ),
    ),
    ("after_tomorrow", re.compile(r"\bapr(?:es|e)?\s*demain\b")),
    ("tomorrow", re.compile(r"\bdemain\b")),
    ("today", re.compile(r"\b(?:aujourd\s*hui|aujourdhui|auj|ajd|ce\s+jour)\b")),
    ("before_yesterday", re.compile(r"\bavant\s*hier\b")),
    ("yesterday", re.compile(r"\bhier\b")),
    ("this_part", re.compile(
        r"\b(?:ce\s+matin|cet\s+aprem|cet\s+apres\s*midi|cette\s+apres\s*midi|ce\s+soir)\b"
    )),
    ("in_days", re.compile(
        r"\bdans\s+(?P<n>\d{1,2}|un|une|deux|trois|quinze|huit)\s+(?P<unit>jours?|semaines?)\b"
    )),
    ("next_week", re.compile(r"\b(?:la\s+)?semaine\s+(?:prochaine|pro)\b")),
    ("this_week", re.compile(r"\bcette\s+semaine\b")),
    (
        "weekday",
        re.compile(
            rf"\b(?:ce\s+)?(?P<wd>{_WEEKDAY_RE})(?:\s+(?:le\s+)?{_DAY}\b)?"
            r"(?P<mod>\s+(?:prochain|qui\s+vient|en\s+huit))?\b"
        ),
    ),
    ("day_only", re.compile(
        rf"\b(?:le|du|au)\s+{_DAY}\b(?!\s*(?:h\b|h\d|heures?|:|/|ans|euros?|km|%))"
    )),
]  # fmt: skip

# (pattern, time, from, to); from == to is a clock time ("midi")
PERIODS: list[tuple[re.Pattern[str], str, str, str]] = [
    (re.compile(r"\b(?:en\s+)?fin\s+de\s+matin(?:ee)?\b"), "11:00", "10:30", "12:00"),
    (re.compile(r"\b(?:en\s+)?debut\s+de\s+matin(?:ee)?\b|\btot\s+le\s+matin\b"),
     "09:00", "08:30", "10:00"),
    (re.compile(r"\b(?:en\s+)?debut\s+d\s*(?:apres\s*midi|aprem)\b"), "14:00", "13:30", "15:00"),
    (re.compile(r"\b(?:en\s+)?fin\s+d\s*(?:apres\s*midi|aprem)\b"), "17:00", "16:00", "18:00"),
    (re.compile(r"\b(?:(?:le|ce|dans\s+la)\s+)?(?:matin|matinee)\b"), "10:00", "09:00", "12:00"),
    (re.compile(r"\b(?:(?:l|cet|cette|dans\s+l|en)\s+)?(?:apres\s*midi|aprem|aprm)\b"),
     "14:00", "13:30", "17:30"),
    (re.compile(r"\b(?:(?:le|ce)\s+soir|en\s+soiree)\b"), "18:00", "17:00", "19:00"),
    (re.compile(r"(?<!apres )(?<!apres)\bmidi\b"), "12:00", "12:00", "12:00"),
]  # fmt: skip

CLOCK = re.compile(
    r"\b(?P<pre>(?:a|vers|avant|apres|aux\s+alentours\s+de|pour|des|entre)\s+)?"
    r"(?P<h>[01]?\d|2[0-3])\s*(?:heures?|h|:)\s*(?P<m>[0-5]\d)?(?![\d])"
    r"(?P<post>\s*(?:du\s+matin|de\s+l\s*apres\s*midi|de\s+l\s*aprem|du\s+soir))?"
)
# "pendant 2h", "dans 3 heures", "2h de trajet", "35 heures par semaine": durations
NOT_A_CLOCK_BEFORE = re.compile(
    r"(?:pendant|dans|en|depuis|toutes\s+les|de|fait|faut|plus\s+de)\s+$"
)
NOT_A_CLOCK_AFTER = re.compile(
    r"^\s*(?:de\s+(?:trajet|route|bus|train|voiture|formation|cours|travail|conduite)|par\s|/|d\s*activite)"
)
