"""Markdown -> HTML with the extensions editors expect, links between pages by source path,
and raw HTML escaped unless site.yaml allows it."""
from __future__ import annotations

import functools
import html
import re
try:
    from re import _constants, _parser  # the parsed form of a pattern, private to re: see required_text
except ImportError:  # a Python that moved them: every pattern is then always tried, slower but the same
    _constants = _parser = None
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown as python_markdown
from markdown.extensions.footnotes import FootnoteInlineProcessor
from markdown.extensions.toc import (TocExtension, TocTreeprocessor, remove_fnrefs, render_inner_html,
                                     run_postprocessors, strip_tags, unique)
from markdown.inlinepatterns import ReferenceInlineProcessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor, Treeprocessor
from markdown.util import AtomicString

from .data import lookup
from .errors import Problem
from .urls import slugify

# And the table of contents (TableOfContents, below).
EXTENSIONS = ("tables", "footnotes", "attr_list", "fenced_code", "sane_lists", "def_list", "abbr")
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


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline stage, which tries each of its 14 patterns on every run of text, in Python.
    Most runs have no '`', '*', '<' or '&' in them, so most patterns cannot match; this one skips a pattern
    when the text lacks everything its regular expression needs. A pattern that cannot match leaves the text
    as it was, so the HTML is the same (tests/test_fuzz.py compares it with Python-Markdown's own)."""

    def run(self, tree: ElementTree.Element, ancestors: list[str] | None = None) -> ElementTree.Element:
        patterns = tuple(self.inlinePatterns)
        self.needs, self.anything = pattern_finders(patterns, tuple(can_change(p, self.md) for p in patterns))
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802 - overrides
        if isinstance(data, AtomicString) or (self.anything is not None and not self.anything(data)):
            return data
        apply, needs, start = self._InlineProcessor__applyPattern, self.needs, 0
        while patternIndex < len(needs):
            pattern, may_match = needs[patternIndex]
            if may_match is not None and not may_match(data):
                matched, start = False, 0       # what applying it would return
            else:
                data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


class MarkerCheckingToc(TocTreeprocessor):
    """Heading ids, and the table of contents where a page has the '[TOC]' marker. Python-Markdown builds the
    table for every page, and looks for the marker by joining the text of every element, one element at a
    time: together a quarter of the extension's time. Only a page with the marker in one of its elements'
    text can have it replaced, so only those pages get a table; the others only need their heading ids."""

    def run(self, doc: ElementTree.Element) -> None:
        if any(self.marker in element.text for element in doc.iter() if element.text):
            super().run(doc)
        else:
            self.set_heading_ids(doc)

    def set_heading_ids(self, doc: ElementTree.Element) -> None:
        """What Python-Markdown's run does to the page when no table is wanted (TableOfContents is set up
        without anchors or permalinks, which this leaves out)."""
        used_ids = {element.attrib["id"] for element in doc.iter() if "id" in element.attrib}
        counters: dict[str, int] = {}
        for element in doc.iter():
            if isinstance(element.tag, str) and self.header_rgx.match(element.tag):
                self.set_level(element)
                if "id" not in element.attrib:
                    name = strip_tags(self.inner_html(element))
                    element.attrib["id"] = unique(self.slugify(html.unescape(name), self.sep), used_ids, counters)
                element.attrib.pop("data-toc-label", None)

    def inner_html(self, heading: ElementTree.Element) -> str:
        """render_inner_html, without serializing a heading that is plain text: serializing and unescaping
        would give back its text as it is. Placeholders (STX) and the characters the serializer escapes are
        left to Python-Markdown."""
        text = heading.text or ""
        if len(heading) or any("\x02" in value for value in (text, heading.tail or "", *heading.attrib.values())) \
                or "&" in text or "<" in text or ">" in text:
            return render_inner_html(remove_fnrefs(heading), self.md)
        return run_postprocessors(text.strip(), self.md)


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's, with its blank-line pattern applied only to text that has a space before a line
    end: the pattern starts with a lookbehind, so the engine tries it at every character (0.05 ms a page)."""

    def run(self, lines: list[str]) -> list[str]:
        source = "\n".join(lines).replace("\x02", "").replace("\x03", "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


class TableOfContents(TocExtension):
    TreeProcessorClass = MarkerCheckingToc


def can_change(pattern: Any, md: python_markdown.Markdown) -> bool:
    """False for a pattern that leaves every text as it is on this page: a reference where the page defines
    none ('[a]' or '[a][b]', tried on every '['), a footnote mark where it has no footnotes."""
    if isinstance(pattern, ReferenceInlineProcessor):
        return bool(md.references)
    if isinstance(pattern, FootnoteInlineProcessor):
        return bool(pattern.footnotes.footnotes)
    return True


def never(text: str) -> bool:
    return False


@functools.cache
def pattern_finders(patterns: tuple, live: tuple[bool, ...]) -> tuple[list, Callable[[str], Any] | None]:
    """Each inline pattern with a search for what it needs (or `never`, if it cannot change anything), and a
    search for anything any of them needs: text with none of that in it, which is most text, is left as it
    is at once. Worked out once per set of patterns, not for every page."""
    needs = [required_text(pattern.getCompiledRegExp()) if alive else None for pattern, alive in zip(patterns, live)]
    anything = finder(tuple(sorted({text for texts in needs if texts for text in texts}))) \
        if all(texts or texts is None for texts in needs) else None
    return [(pattern, finder(texts) if texts is not None else never) for pattern, texts in zip(patterns, needs)], anything


@functools.cache
def finder(texts: tuple[str, ...]) -> Callable[[str], bool] | None:
    """A test for whether a string holds any of the texts; None for no texts. A text that holds another is
    left out: the shorter one is found wherever the longer is. `in` is a fast scan for one text; the regular
    expression engine tries an alternative such as '-|=' at each character, thirty times slower."""
    if not texts:
        return None
    texts = tuple(text for text in texts if not any(other in text for other in texts if other != text))

    def holds_any(string: str) -> bool:
        for text in texts:
            if text in string:
                return True
        return False

    return holds_any


@functools.cache
def required_text(pattern: re.Pattern) -> tuple[str, ...]:
    """Texts of which every match of the pattern contains at least one; () when that cannot be told."""
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        return tuple(sorted(_needed(_parser.parse(pattern.pattern, pattern.flags)) or ()))
    except Exception:  # noqa: BLE001 - a construct this does not know: the pattern is always tried
        return ()


def _needed(sequence) -> frozenset[str] | None:
    """Of a sequence of regular expression items: the best set of texts one of which a match must contain.
    Consecutive literal characters make one text; longer texts are rarer, so they are preferred."""
    candidates, run = [], ""
    for op, argument in sequence:
        if op is _constants.LITERAL:
            run += chr(argument)
            continue
        if run:
            candidates.append(frozenset([run]))
            run = ""
        found = _needed_by(op, argument)
        if found:
            candidates.append(found)
    if run:
        candidates.append(frozenset([run]))
    return max(candidates, default=None,
               key=lambda texts: (min(map(len, texts)), not all(text.isspace() for text in texts)))


def _needed_by(op, argument) -> frozenset[str] | None:
    if op is _constants.IN:      # a character class: one of its characters
        chars = set()
        for kind, value in argument:
            if kind is _constants.LITERAL:
                chars.add(chr(value))
            elif kind is _constants.RANGE and value[1] - value[0] < 64:
                chars.update(map(chr, range(value[0], value[1] + 1)))
            else:
                return None
        return frozenset(chars)
    if op is _constants.BRANCH:  # an alternative: what either branch needs
        branches = [_needed(branch) for branch in argument[1]]
        return None if None in branches else frozenset().union(*branches)
    if op is _constants.SUBPATTERN:
        return None if argument[1] & re.IGNORECASE else _needed(argument[3])
    if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
        return _needed(argument[2]) if argument[0] >= 1 else None
    if op is _constants.ATOMIC_GROUP:
        return _needed(argument)
    if op is _constants.ASSERT:  # a lookahead or lookbehind that must match: within the text too
        return _needed(argument[1])
    return None


class NeedsFirst:
    """A compiled pattern that finds no match at once in text lacking everything the pattern needs. Python-
    Markdown's block stage tries patterns such as '(^|\\n)[ ]{0,3}>' on every block of a page, and the
    regular expression engine has to try them at each character: a tenth of a conversion."""

    def __init__(self, regex: re.Pattern, texts: tuple[str, ...]):
        self.regex, self.may_match = regex, finder(texts)

    def search(self, string: str, *args):
        return self.regex.search(string, *args) if self.may_match(string) else None

    def match(self, string: str, *args):
        return self.regex.match(string, *args) if self.may_match(string) else None

    def __getattr__(self, name: str):
        return getattr(self.regex, name)


def needs_first(processors) -> None:
    """Each processor's compiled patterns answer at once for text that cannot match them."""
    for processor in processors:
        for name in dir(processor):
            regex = getattr(processor, name, None)
            texts = required_text(regex) if isinstance(regex, re.Pattern) else ()
            if texts:
                setattr(processor, name, NeedsFirst(regex, texts))


def parse_blocks(processors: tuple) -> Callable[[ElementTree.Element, list[str]], None]:
    """BlockParser.parseBlocks over a fixed tuple of the processors: the parser's registry builds a new list of
    them for every block."""
    def parse(parent: ElementTree.Element, blocks: list[str]) -> None:
        while blocks:
            for processor in processors:
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break
    return parse


class MarkdownRenderer:
    """One Python-Markdown instance, reset between pages (building one costs more than a small page)."""

    def __init__(self, allow_html: bool):
        self.md = python_markdown.Markdown(extensions=[
            *EXTENSIONS, TableOfContents(slugify=toc_slug, toc_depth="2-3")],
            extension_configs={"footnotes": {"BACKLINK_TITLE": "%d"}}, output_format="html")
        if not allow_html:
            self.md.preprocessors.deregister("html_block")
            self.md.inlinePatterns.deregister("html")
        self.md.treeprocessors.register(PageLinks(self.md), "page_links", 1)
        self.md.treeprocessors.register(SkippingInlineProcessor(self.md), "inline", 20)
        self.md.preprocessors.register(QuickNormalizeWhitespace(self.md), "normalize_whitespace", 30)
        needs_first(self.md.preprocessors)
        needs_first(self.md.parser.blockprocessors)
        # Asked for every element, against a list of 40 tag names that no longer changes once the extensions
        # are set up.
        self.md.is_block_level = functools.cache(self.md.is_block_level)
        self.md.parser.parseBlocks = parse_blocks(tuple(self.md.parser.blockprocessors))

    def convert(self, source: str, body: str, body_line: int, resolve: Resolver) -> Converted:
        state = ConversionState(source, body, body_line, resolve)
        self.md.state = state
        self.md.reset()
        html_text = self.md.convert(body)
        return Converted(html_text, tuple(state.links), tuple(state.problems))


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
