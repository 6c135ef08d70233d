"""`check --external`: every http(s) link of the rendered pages, the place where it was written, and the
problems the servers' answers make (commands/probe.py asks them).

A link is reported where an editor can change it: the line of a page's Markdown body that holds it; else
the field of a data file or of site.yaml that holds it; else the template line that writes it; else the
page's own source (a page made from a data record: the record's line).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ..errors import BuildError, Problem
from ..loading.config import CONFIG_FILE
from ..loading.content import read_body
from ..loading.files import read_text, relative
from ..loading.routes import Page
from ..loading.site import Site
from ..loading.yamlsrc import load_yaml
from ..speed.cache import FOLDER
from .probe import Outcome, Settings, check_addresses

# An address as it stands in text: it ends before white space, quotes, angle brackets and the brackets
# Markdown and Jinja put around it.
ADDRESS = re.compile(r"(?:https?:)?//[^\s\"'<>`()\[\]{}|\\]+", re.IGNORECASE)
# What may follow an address written in a Markdown body: the end of a link, a title or the line.
AFTER_ADDRESS = frozenset(" \t\r\n)>\"']")
TRAILING = ".,;:!?"


@dataclass(frozen=True, order=True)
class Place:
    path: str
    line: int


class LinkFinder(HTMLParser):
    """The href of every <a> and <area> that leads to another site over http or https."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "area"):
            href = (dict(attrs).get("href") or "").strip()
            if is_external(href):
                self.found.append(href)


def is_external(href: str) -> bool:
    lower = href.lower()
    return lower.startswith(("http://", "https://")) or (lower.startswith("//") and len(lower) > 2)


def address_of(href: str) -> str:
    """What is asked: the link without its #fragment, which no server sees; //host/ as https."""
    href = href.split("#", 1)[0]
    return "https:" + href if href.startswith("//") else href


@dataclass
class ExternalLinks:
    """The external links of the pages added, each with the places where it is written."""

    site: Site
    places: dict[str, set[Place]] = field(default_factory=dict)  # href -> where it is written
    written: dict[str, set[Place]] | None = None  # addresses in data, site.yaml and templates, made once

    def add(self, page: Page, html_text: str) -> None:
        finder = LinkFinder()
        finder.feed(html_text)
        own = self.site.config.base_url
        hrefs = [href for href in dict.fromkeys(finder.found) if not (own.startswith("http") and href.startswith(own))]
        if not hrefs:
            return
        config = self.site.config
        body = read_body(config.root, page.body, config.max_file_bytes) if page.body.file else ""
        for href in hrefs:
            self.places.setdefault(href, set()).update(self.where(page, href, body))

    def where(self, page: Page, href: str, body: str) -> set[Place]:
        lines = body_lines(body, href, page.body_line)
        if lines:
            return {Place(page.source, line) for line in lines}
        if self.written is None:
            self.written = written_addresses(self.site)
        return self.written.get(href) or {Place(page.source, page.body_line if page.record else 1)}

    def problems(self, settings: Settings, say: Callable[[str], None]) -> list[Problem]:
        folder = self.site.config.root / FOLDER
        outcomes = check_addresses((address_of(href) for href in self.places), settings, folder, say)
        problems: list[Problem] = []
        for href, places in self.places.items():
            outcome = outcomes[address_of(href)]
            problems += [problem for place in sorted(places) if (problem := problem_for(href, outcome, place))]
        return problems


def problem_for(href: str, outcome: Outcome, place: Place) -> Problem | None:
    if outcome.state == "dead":
        return Problem(place.path, place.line, f"the link to {href} is dead: {outcome.reason}", DEAD_HINT)
    if outcome.state == "moved":
        fragment = href.partition("#")[2]  # no server sees it: it still belongs to the link
        location = outcome.location + (f"#{fragment}" if fragment and "#" not in outcome.location else "")
        return Problem(
            place.path,
            place.line,
            f"the link to {href} has moved for good (a permanent redirect)",
            f"link to the new address: {location}",
            warning=True,
        )
    if outcome.state == "busy":
        message = f"the link to {href} was not checked: {outcome.reason}"
        return Problem(place.path, place.line, message, BUSY_HINT, warning=True)
    return None


DEAD_HINT = "correct the address, link to the page's new home, or remove the link"
BUSY_HINT = "check again later"


def body_lines(body: str, href: str, first_line: int) -> list[int]:
    """The lines of a Markdown body where the address stands whole (not as the start of a longer one)."""
    end = len(href)
    whole = [index for index in occurrences(body, href) if body[index + end : index + end + 1] in ("", *AFTER_ADDRESS)]
    return [first_line + body.count("\n", 0, index) for index in whole]


def occurrences(text: str, needle: str) -> Iterator[int]:
    index = text.find(needle)
    while index >= 0:
        yield index
        index = text.find(needle, index + 1)


def addresses_in(text: str) -> set[str]:
    found = set()
    for match in ADDRESS.findall(text):
        found |= {match, match.rstrip(TRAILING)}
    stripped = text.strip()
    if is_external(stripped):
        found.add(stripped)
    return found


def written_addresses(site: Site) -> dict[str, set[Place]]:
    """Every address written in the data files, site.yaml and the templates, with its lines."""
    written: dict[str, set[Place]] = {}
    for name, value in site.data.raw.items():
        walk_values(value, site.data.files.get(name, ""), 1, written)
    config = site.config
    try:
        text = read_text(config.root / CONFIG_FILE, config.root, config.max_file_bytes)
        walk_values(load_yaml(text, CONFIG_FILE), CONFIG_FILE, 1, written)
    except BuildError:  # the site loaded, so site.yaml is readable; if it changed meanwhile, it is not a source
        pass
    folder = config.path("templates")
    for name in site.templates:
        path = folder / name
        try:
            text = read_text(path, config.root, config.max_file_bytes)
        except BuildError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for address in addresses_in(line):
                written.setdefault(address, set()).add(Place(relative(path, config.root), number))
    return written


def walk_values(value: Any, path: str, line: int, written: dict[str, set[Place]]) -> None:
    """Each text in a YAML value, with the line of its key (LineMap) or item (LineList)."""
    if isinstance(value, dict):
        for key, item in value.items():
            walk_values(item, path, value.line_of(key) if hasattr(value, "line_of") else line, written)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            walk_values(item, path, value.line_of(index) if hasattr(value, "line_of") else line, written)
    elif isinstance(value, str):
        for address in addresses_in(value):
            written.setdefault(address, set()).add(Place(path, line))
