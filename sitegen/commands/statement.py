"""The Polish accessibility statement (deklaracja dostępności), checked as published.

The Minister of Digital Affairs' technical conditions, version 2.0 (2024), fix the statement's element ids,
some of its headings and its dates' form; a statement is any rendered page with the id `a11y-wstep`. Its
values are in the data file `accessibility` (content/data/accessibility.yaml), which says which of the
conditional sections must be there.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..errors import Problem

MARKER = "a11y-wstep"
DATA = "accessibility"
MANDATORY = (
    "a11y-wstep",
    "a11y-podmiot",
    "a11y-zakres",
    "a11y-url",
    "a11y-data-publikacja",
    "a11y-data-aktualizacja",
    "a11y-status",
    "a11y-data-sporzadzenie",
    "a11y-kontakt",
    "a11y-email",
    "a11y-telefon",
    "a11y-procedura",
    "a11y-architektura",
    "a11y-komunikacja",
)
# Present exactly when the data file gives the value.
CONDITIONAL = {
    "a11y-data-przeglad": "reviewed",
    "a11y-aplikacje": "apps",
    "a11y-architektura-url": "architecture_url",
    "a11y-ocena": "disproportionate_burden",
}
DATES = ("a11y-data-publikacja", "a11y-data-aktualizacja", "a11y-data-sporzadzenie", "a11y-data-przeglad")
# Headings the conditions fix word for word, in the Polish statement.
HEADINGS_PL = (
    "Stan dostępności cyfrowej",
    "Przygotowanie deklaracji dostępności",
    "Informacje zwrotne i dane kontaktowe",
    "Obsługa wniosków i skarg związanych z dostępnością",
    "Pozostałe informacje",
    "Dostępność architektoniczna",
    "Dostępność komunikacyjno-informacyjna",
)
REVIEW_DAYS = 366
HINT = "the statement's ids are fixed by the technical conditions v2.0: see README, 'Accessibility statement'"


class StatementScanner(HTMLParser):
    """Every element id with its tag and datetime, and the text of every heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[tuple[str, str, str | None]] = []
        self.headings: list[str] = []
        self.heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append((attributes["id"], tag, attributes.get("datetime")))
        if re.fullmatch(r"h[1-6]", tag):
            self.heading = []

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self.heading is not None:
            self.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None


def is_statement(html_text: str) -> bool:
    return f'id="{MARKER}"' in html_text or f"id={MARKER}" in html_text


@dataclass(frozen=True)
class Statement:
    """Where a rendered statement came from: its page, its template and its values."""

    source: str  # the page's source file
    template: str  # the template's path, where missing or doubled ids are to be fixed
    lang: str
    values: Mapping[str, Any] | None  # the data file in the page's language
    data_path: str  # the data file, where values are to be fixed
    lines: Mapping[str, int]  # the data file's keys and their lines


DATE_KEYS = {
    "a11y-data-publikacja": "published",
    "a11y-data-aktualizacja": "updated",
    "a11y-data-sporzadzenie": "prepared",
    "a11y-data-przeglad": "reviewed",
}


def statement_problems(statement: Statement, html_text: str, today: datetime.date) -> list[Problem]:
    """Problems and warnings of one rendered statement."""
    scanner = StatementScanner()
    scanner.feed(html_text)
    counts = Counter(name for name, _tag, _when in scanner.ids)
    template, values = statement.template, statement.values
    problems = []
    for name in MANDATORY:
        if counts[name] != 1:
            problems.append(
                Problem(template, 1, f"the accessibility statement has '{name}' {counts[name]} times", HINT)
            )
    if values is None:
        hint = f"copy content/data/{DATA}.yaml from the shipped site and fill it in"
        return [*problems, Problem(statement.source, 1, f"the accessibility statement has no {DATA}.yaml data", hint)]
    for name, key in CONDITIONAL.items():
        wanted = 1 if values.get(key) else 0
        if counts[name] != wanted:
            because = f"'{key}' is given" if wanted else f"'{key}' is empty"
            message = f"the {statement.lang} accessibility statement has '{name}' {counts[name]} times, but {because}"
            problems.append(Problem(template, 1, message, f"show '{name}' exactly when {DATA}.yaml gives '{key}'"))
    dates = {}
    for name, tag, when in scanner.ids:
        if name in DATE_KEYS and tag == "time":
            key = DATE_KEYS[name]
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", when or ""):
                    raise ValueError(when)
                dates[name] = datetime.date.fromisoformat(when or "")
            except ValueError:
                line = statement.lines.get(key, 1)
                message = f"'{key}' is '{when}', not a date"
                problems.append(Problem(statement.data_path, line, message, "write the date as YYYY-MM-DD"))
    latest = "a11y-data-przeglad" if "a11y-data-przeglad" in dates else "a11y-data-sporzadzenie"
    if latest in dates and (today - dates[latest]).days > REVIEW_DAYS:
        key = DATE_KEYS[latest]
        problems.append(
            Problem(
                statement.data_path,
                statement.lines.get(key, 1),
                f"the accessibility statement was last reviewed on {dates[latest].isoformat()}, over a year ago",
                "review it (the law asks for one by 31 March every year) and set 'reviewed' to that day",
                warning=True,
            )
        )
    if statement.lang == "pl":
        for heading in HEADINGS_PL:
            if heading not in scanner.headings:
                problems.append(
                    Problem(
                        template, 1, f"the accessibility statement has no heading '{heading}'", "write it word for word"
                    )
                )
    return problems
