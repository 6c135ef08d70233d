"""Markdown -> HTML with the extensions editors expect, links between pages by source path, and raw
HTML escaped unless site.yaml allows it. Whatever goes wrong while a page is converted (a construct
that makes Python-Markdown raise, nesting too deep, a conversion that runs past its time) becomes a
problem with the page's path and the line of the construct."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit
from xml.etree import ElementTree

import markdown as python_markdown
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

from ..errors import Problem
from ..loading.data import lookup
from ..loading.urls import is_unsafe_link, slugify
from .documents import DETAILS_CLASS, Document, NotFound
from .timelimit import TimeLimitExceeded, time_limit

# And the table of contents, where a line holds just [TOC], with ids on headings (TocExtension).
EXTENSIONS = ("tables", "footnotes", "attr_list", "fenced_code", "sane_lists", "def_list", "abbr")
EXTENSION_CONFIGS: dict[str, dict[str, Any]] = {
    "footnotes": {"BACKLINK_TITLE": "%d"},
    "tables": {"use_align_attribute": True},  # align="right", made a class below
}
NEEDS_VALUE = frozenset({"id", "href", "src", "data-toc-label"})
ALIGNMENTS = frozenset({"left", "center", "right"})
DEFAULT_SECONDS = 10.0
PLACEHOLDER = re.compile(r"\{\{\s*(?P<expr>[^{}]*?)\s*\}\}")
DATA_EXPRESSION = re.compile(r"^data\.(?P<path>[\w.-]+)\s*(?:\|\s*(?P<filter>length))?$")
LONG_RUN = re.compile(r"([^\w\s])\1{29,}")
BLOCK_START = re.compile(r"\n[ \t]*\n(?=[ \t]*\S)")
STATIC = "/static/"  # a link to a file under static/, written as the preview's address for it


@dataclass(frozen=True)
class Link:
    """A link from a page body to an anchor on a page of the site, kept so that it can be checked after rendering."""

    target_key: str | None  # source path of the target page, None for a link to a fragment of the same page
    fragment: str
    line: int


@dataclass(frozen=True)
class Converted:
    html: str
    links: tuple[Link, ...]
    problems: tuple[Problem, ...]
    failed: bool = False  # the conversion stopped: nothing to keep for the next build


# resolve(target path as written) -> (target key, url) or (None, hint)
Resolver = Callable[[str], tuple[str | None, str]]
# find_file(name under static/, the language the link declares) -> what the link says of the file
FileFinder = Callable[[str, str | None], Document | NotFound]


class PageMarkdown(python_markdown.Markdown):
    """Python-Markdown, carrying the state of the page it converts for the tree processors below."""

    state: ConversionState


def toc_slug(value: str, separator: str) -> str:
    return slugify(value) or "section"


class AttributeRules(Treeprocessor):
    """What attribute lists ({: ...}) may put on an element, applied before the table of contents reads ids.
    Event handlers and styles would break the strict Content-Security-Policy; an id or a link without a
    value makes Python-Markdown raise. A table column's alignment becomes a class the stylesheet aligns."""

    md: PageMarkdown

    def run(self, root: ElementTree.Element) -> None:
        state: ConversionState = self.md.state
        for element in root.iter():
            for name in [name for name in element.attrib if not_allowed(name, element.attrib[name])]:
                value = element.attrib.pop(name)
                if value is None:
                    state.problem(
                        state.attribute_line(name),
                        f"the attribute '{name}' has no value",
                        f'write {name}="..." in the braces, or remove it',
                    )
                else:
                    state.problem(
                        state.attribute_line(name),
                        f"the attribute '{name}' is not allowed in content",
                        "remove it: pages must work with a strict Content-Security-Policy",
                    )
            if element.tag in ("th", "td") and element.get("align") in ALIGNMENTS:
                classes = element.get("class", "").split()
                element.set("class", " ".join([*classes, "align-" + element.attrib.pop("align")]))


def not_allowed(name: str, value: str | None) -> bool:
    lowered = name.lower()
    return lowered.startswith("on") or lowered == "style" or (value is None and lowered in NEEDS_VALUE)


class PageLinks(Treeprocessor):
    """Rewrites links written as source paths or as /static/ addresses, refuses unsafe ones, and keeps new
    tabs from reaching back."""

    md: PageMarkdown

    def run(self, root: ElementTree.Element) -> None:
        state: ConversionState = self.md.state
        for element in list(root.iter()):  # a link to a file gets a child: iterate over a copy
            for attribute in ("href", "src"):
                link = element.get(attribute)
                if link is not None and not state.link_to_file(element, attribute, link):
                    element.set(attribute, state.rewrite(link))
            if element.get("target"):
                # A new tab must not be able to reach back into this one.
                element.set("rel", " ".join(sorted(set((element.get("rel") or "").split()) | {"noopener"})))


class ConversionState:
    def __init__(self, source: str, body: str, body_line: int, resolve: Resolver, find_file: FileFinder | None = None):
        self.source, self.body, self.body_line, self.resolve = source, body, body_line, resolve
        self.find_file = find_file
        self.links: list[Link] = []
        self.problems: list[Problem] = []
        self.searched: dict[str, int] = {}

    def line_of(self, *needles: str) -> int:
        """The line of the first of these texts to be found. Problems come in the order of the page, so the
        search for a text goes on after its last find: a repeated construct gets its own line."""
        for needle in needles:
            index = self.body.find(needle, self.searched.get(needle, 0))
            if needle and index >= 0:
                self.searched[needle] = index + 1
                return self.body_line + self.body.count("\n", 0, index)
        return self.body_line

    def attribute_line(self, name: str) -> int:
        """The line of the attribute list ({: ...}) that names the attribute."""
        start = self.searched.get("{" + name, 0)
        match = re.compile(r"\{[^{}\n]*?(?<![\w-])" + re.escape(name) + r"(?![\w-])").search(self.body, start)
        if match is None:
            return self.line_of(name)
        self.searched["{" + name] = match.start() + 1
        return self.body_line + self.body.count("\n", 0, match.start())

    def target_line(self, target: str) -> int:
        """The line of a link or image to target: ](target, <target>, a reference, or the text itself."""
        return self.line_of(f"]({target}", f"<{target}>", f"]: {target}", target)

    def problem(self, line: int, message: str, hint: str) -> None:
        self.problems.append(Problem(self.source, line, message, hint))

    def link_to_file(self, element: ElementTree.Element, attribute: str, target: str) -> bool:
        """A link or image whose address is /static/<name>: led to the file as the build publishes it, a link
        (not an image) with the file's format, size and language (see describe). False for other addresses."""
        if self.find_file is None or not target.strip().startswith(STATIC):
            return False
        parts = urlsplit(target.strip())
        line = self.target_line(target)  # for every link, in order: a file linked twice has two lines
        link = element.tag == "a" and attribute == "href"
        found = self.find_file(unquote(parts.path.removeprefix(STATIC)), element.get("hreflang") if link else None)
        if isinstance(found, NotFound):
            self.problem(line, found.message, found.hint)
            element.set(attribute, "#")
        else:
            element.set(attribute, urlunsplit(("", "", found.url, parts.query, parts.fragment)))
            if link:
                describe(element, found)
        return True

    def rewrite(self, target: str) -> str:
        try:
            parts = urlsplit(target.strip())
        except ValueError:
            self.problem(
                self.target_line(target),
                f"the link target '{target[:40]}' is not a valid address",
                "check the brackets",
            )
            return "#"
        scheme = parts.scheme.lower()
        if is_unsafe_link(target, markup=True):
            self.problem(
                self.target_line(target),
                f"the link target '{target[:40]}' is not allowed",
                "link to a page or an http(s) address; script and data links are refused",
            )
            return "#"
        if scheme or parts.netloc:
            return target
        if not parts.path:
            if parts.fragment:
                self.links.append(Link(target_key=None, fragment=parts.fragment, line=self.target_line(target)))
            return target
        if not parts.path.endswith(".md"):
            return target
        key, result = self.resolve(parts.path)
        if key is None:
            self.problem(self.target_line(target), f"the link '{parts.path}' leads to no page", result)
            return "#"
        if parts.fragment:
            self.links.append(Link(target_key=key, fragment=parts.fragment, line=self.target_line(target)))
        return result + (f"#{parts.fragment}" if parts.fragment else "")


def describe(link: ElementTree.Element, document: Document) -> None:
    """The link as documents.link_html makes it for templates: "Report (PDF, 1,2 MB, angielski)", the
    details in a span, hreflang only when the file's language is not the page's."""
    if document.hreflang:
        link.set("hreflang", document.hreflang)
    else:
        link.attrib.pop("hreflang", None)
    if len(link):
        link[-1].tail = (link[-1].tail or "") + " "
    else:
        link.text = (link.text or "") + " "
    ElementTree.SubElement(link, "span", {"class": DETAILS_CLASS}).text = f"({document.details})"


class MarkdownRenderer:
    """Python-Markdown with the site's extensions and rules: one instance, reset between pages (setting one
    up costs more than converting a small page). tune: changes the speed layer makes to each instance
    (fastmarkdown.speed_up); without it, stock Python-Markdown converts."""

    def __init__(
        self,
        allow_html: bool,
        seconds: float = DEFAULT_SECONDS,
        tune: Callable[[python_markdown.Markdown], Any] | None = None,
    ):
        self.allow_html, self.seconds, self.tune = allow_html, seconds, tune
        self.md = self.make()

    def make(self) -> PageMarkdown:
        md = PageMarkdown(
            extensions=[*EXTENSIONS, TocExtension(slugify=toc_slug, toc_depth="2-3")],
            extension_configs=EXTENSION_CONFIGS,
            output_format="html",
        )
        if not self.allow_html:
            md.preprocessors.deregister("html_block")
            md.inlinePatterns.deregister("html")
        md.treeprocessors.register(AttributeRules(md), "attribute_rules", 6)  # after attr_list, before toc
        md.treeprocessors.register(PageLinks(md), "page_links", 1)
        if self.tune is not None:
            self.tune(md)
        return md

    def convert(
        self, source: str, body: str, body_line: int, resolve: Resolver, find_file: FileFinder | None = None
    ) -> Converted:
        """find_file: what links to files under static/ lead to; without it, they are left as written."""
        state = ConversionState(source, body, body_line, resolve, find_file)
        try:
            html_text = self.run(self.md, body, state)
        except Exception as error:  # noqa: BLE001 - any failure is this page's problem, reported with its line
            self.md = self.make()  # the instance may have stopped half-way through the page
            failure = self.failure(error, source, body, body_line, resolve)
            return Converted(html="", links=(), problems=(failure,), failed=True)
        return Converted(html=html_text, links=tuple(state.links), problems=tuple(state.problems))

    def run(self, md: PageMarkdown, body: str, state: ConversionState) -> str:
        md.state = state
        md.reset()
        with time_limit(self.seconds):
            return md.convert(body)

    def failure(self, error: Exception, source: str, body: str, body_line: int, resolve: Resolver) -> Problem:
        if isinstance(error, TimeLimitExceeded):
            line, run = longest_run(body)
            where = (
                (
                    f"the run of {len(run)} '{run[0]}' on this line makes Python-Markdown slow: shorten it or put "
                    f"it in `code`"
                )
                if run
                else "split the page into smaller ones"
            )
            return Problem(
                source,
                body_line + line,
                f"converting this page took longer than {self.seconds:g} s, so it was stopped",
                f"{where}; limits.markdown_seconds in site.yaml sets the time allowed",
            )
        line = body_line + self.failing_block(body, type(error), resolve)
        if isinstance(error, RecursionError):
            return Problem(
                source,
                line,
                "the Markdown here nests too deeply to be converted (lists, quotes or emphasis inside one another)",
                "nest fewer levels",
            )
        return Problem(
            source,
            line,
            f"the Markdown here could not be converted ({type(error).__name__}: {str(error)[:80]})",
            "change this construct (often the options in {...} after a fence "
            "or a heading); if it is ordinary Markdown, please report it with this line",
        )

    def failing_block(self, body: str, kind: type, resolve: Resolver) -> int:
        """The line, from the body's first, of the block that makes the conversion fail: the first block
        whose text, with the blocks before it, fails in the same way. Found by halving, each try on a fresh
        instance; only a page that failed pays for it."""
        starts = [0, *(match.end() for match in BLOCK_START.finditer(body))]
        low, high = 1, len(starts)  # the first `high` blocks fail: all of them do
        while low < high:
            middle = (low + high) // 2
            if self.fails(body[: starts[middle]], kind, resolve):
                high = middle
            else:
                low = middle + 1
        return body.count("\n", 0, starts[high - 1])

    def fails(self, text: str, kind: type, resolve: Resolver) -> bool:
        try:
            self.run(self.make(), text, ConversionState("", text, 1, resolve))
        except Exception as error:  # noqa: BLE001 - the same kind of failure as the whole page's
            return isinstance(error, kind)
        return False


def longest_run(body: str) -> tuple[int, str]:
    """The line (from the body's first) of the longest run of one punctuation character, and the run."""
    found = max(LONG_RUN.finditer(body), key=lambda match: len(match[0]), default=None)
    return (body.count("\n", 0, found.start()), found[0]) if found else (0, "")


def expand_data(
    body: str, view: Mapping[str, Any], number: Callable[[Any], str], source: str, body_line: int
) -> tuple[str, list[Problem]]:
    """Replace '{{ data.file.key }}' with the value from data, so a figure is typed once."""
    problems: list[Problem] = []

    def replace(match: re.Match) -> str:
        line = body_line + body[: match.start()].count("\n")
        expression = DATA_EXPRESSION.match(match["expr"])
        if not expression:
            problems.append(
                Problem(
                    source,
                    line,
                    f"'{match[0]}' is not a data value",
                    "write {{ data.<file>.<key> }} or {{ data.<file> | length }}",
                )
            )
            return match[0]
        try:
            value = lookup(view, expression["path"])
        except KeyError as error:
            step, hint = error.args
            problems.append(
                Problem(
                    source,
                    line,
                    f"'{expression['path']}' is not in content/data ('{step}' not found)",
                    hint or "check the file name and the keys",
                )
            )
            return match[0]
        if expression["filter"]:
            value = len(value) if hasattr(value, "__len__") else 0
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            problems.append(
                Problem(
                    source,
                    line,
                    f"'{expression['path']}' is not a single text or number",
                    "point at one value, or add '| length' to count a list",
                )
            )
            return match[0]
        return number(value) if isinstance(value, (int, float)) else html.escape(value)

    return PLACEHOLDER.sub(replace, body), problems
