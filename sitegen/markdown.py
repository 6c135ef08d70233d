"""Markdown -> HTML with the extensions editors expect, links between pages by source path,
and raw HTML escaped unless site.yaml allows it."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown as python_markdown
from markdown.treeprocessors import Treeprocessor

from .data import lookup
from .errors import Problem
from .urls import slugify

EXTENSIONS = ("tables", "footnotes", "attr_list", "toc", "fenced_code", "sane_lists", "def_list", "abbr")
UNSAFE_SCHEMES = ("javascript", "vbscript", "data")
PLACEHOLDER = re.compile(r"\{\{\s*(?P<expr>[^{}]*?)\s*\}\}")
DATA_EXPRESSION = re.compile(r"^data\.(?P<path>[\w.-]+)\s*(?:\|\s*(?P<filter>length))?$")


@dataclass(frozen=True)
class Link:
    """A link from a page body to an anchor on a page of the site, kept so that it can be checked after rendering."""
    target_key: str | None   # source path of the target page, None for a link to a fragment of the same page
    fragment: str
    line: int


@dataclass(frozen=True)
class Converted:
    html: str
    toc_html: str
    links: tuple[Link, ...]
    problems: tuple[Problem, ...]


# resolve(target path as written) -> (target key, url) or (None, hint)
Resolver = Callable[[str], tuple[str | None, str]]


def toc_slug(value: str, separator: str) -> str:
    return slugify(value) or "section"


class PageLinks(Treeprocessor):
    """Rewrites links written as source paths, refuses unsafe ones and drops event-handler attributes."""

    def run(self, root: ElementTree.Element) -> None:
        state: ConversionState = self.md.state
        for element in root.iter():
            for name in [n for n in element.attrib if n.lower().startswith("on") or n.lower() == "style"]:
                del element.attrib[name]
                state.problem(name, f"the attribute '{name}' is not allowed in content",
                              "remove it: pages must work with a strict Content-Security-Policy")
            for attribute in ("href", "src"):
                if attribute in element.attrib:
                    element.set(attribute, state.rewrite(element.get(attribute)))
            if element.get("target"):
                # A new tab must not be able to reach back into this one.
                element.set("rel", " ".join(sorted(set(element.get("rel", "").split()) | {"noopener"})))


class ConversionState:
    def __init__(self, source: str, body: str, body_line: int, resolve: Resolver):
        self.source, self.body, self.body_line, self.resolve = source, body, body_line, resolve
        self.links: list[Link] = []
        self.problems: list[Problem] = []

    def line_of(self, needle: str) -> int:
        index = self.body.find(needle)
        return self.body_line + (self.body[:index].count("\n") if index >= 0 else 0)

    def problem(self, needle: str, message: str, hint: str) -> None:
        self.problems.append(Problem(self.source, self.line_of(needle), message, hint))

    def rewrite(self, target: str) -> str:
        try:
            parts = urlsplit(target.strip())
        except ValueError:
            self.problem(target, f"the link target '{target[:40]}' is not a valid address", "check the brackets")
            return "#"
        scheme = parts.scheme.lower()
        if scheme in UNSAFE_SCHEMES or re.match(r"^\s*(javascript|vbscript|data)\s*:", target, re.I):
            self.problem(target, f"the link target '{target[:40]}' is not allowed",
                         "link to a page or an http(s) address; script and data links are refused")
            return "#"
        if scheme or parts.netloc:
            return target
        if not parts.path:
            if parts.fragment:
                self.links.append(Link(None, parts.fragment, self.line_of(target)))
            return target
        if not parts.path.endswith(".md"):
            return target
        key, result = self.resolve(parts.path)
        if key is None:
            self.problem(target, f"the link '{parts.path}' leads to no page", result)
            return "#"
        if parts.fragment:
            self.links.append(Link(key, parts.fragment, self.line_of(target)))
        return result + (f"#{parts.fragment}" if parts.fragment else "")


class MarkdownRenderer:
    """One Python-Markdown instance, reset between pages (building one costs more than a small page)."""

    def __init__(self, allow_html: bool):
        self.md = python_markdown.Markdown(extensions=list(EXTENSIONS), extension_configs={
            "toc": {"slugify": toc_slug, "toc_depth": "2-3"},
            "footnotes": {"BACKLINK_TITLE": "%d"},
        }, output_format="html")
        if not allow_html:
            self.md.preprocessors.deregister("html_block")
            self.md.inlinePatterns.deregister("html")
        self.md.treeprocessors.register(PageLinks(self.md), "page_links", 1)

    def convert(self, source: str, body: str, body_line: int, resolve: Resolver) -> Converted:
        state = ConversionState(source, body, body_line, resolve)
        self.md.state = state
        self.md.reset()
        html_text = self.md.convert(body)
        return Converted(html_text, getattr(self.md, "toc", ""), tuple(state.links), tuple(state.problems))


def expand_data(body: str, view: Mapping[str, Any], number: Callable[[Any], str], source: str,
                body_line: int) -> tuple[str, list[Problem]]:
    """Replace '{{ data.file.key }}' with the value from data, so a figure is typed once."""
    problems: list[Problem] = []

    def replace(match: re.Match) -> str:
        line = body_line + body[:match.start()].count("\n")
        expression = DATA_EXPRESSION.match(match["expr"])
        if not expression:
            problems.append(Problem(source, line, f"'{match[0]}' is not a data value",
                                    "write {{ data.<file>.<key> }} or {{ data.<file> | length }}"))
            return match[0]
        try:
            value = lookup(view, expression["path"])
        except KeyError as error:
            step, hint = error.args
            problems.append(Problem(source, line, f"'{expression['path']}' is not in content/data ('{step}' not found)",
                                    hint or "check the file name and the keys"))
            return match[0]
        if expression["filter"]:
            value = len(value) if hasattr(value, "__len__") else 0
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.append(Problem(source, line, f"'{expression['path']}' is not a single text or number",
                                    "point at one value, or add '| length' to count a list"))
            return match[0]
        return number(value) if isinstance(value, (int, float)) else html.escape(value)

    return PLACEHOLDER.sub(replace, body), problems
