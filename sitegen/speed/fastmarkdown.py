"""The Markdown speed-ups: Python-Markdown's own stages, with shortcuts that leave its HTML as it is.

They override methods and attributes that Python-Markdown does not promise to keep (a name-mangled
method of the inline stage, the block parser's loop, compiled patterns read through re's private
parser), so they are applied only to the versions they were verified with. Any other version
converts with stock Python-Markdown, and the build says so in one line. tests/test_markdown.py
compares both on foreign Markdown, on generated attribute lists and on random recombinations.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import markdown as python_markdown
from markdown.extensions.footnotes import FootnoteInlineProcessor
from markdown.extensions.toc import (
    TocExtension,
    TocTreeprocessor,
    remove_fnrefs,
    render_inner_html,
    run_postprocessors,
    strip_tags,
    unique,
)
from markdown.inlinepatterns import ReferenceInlineProcessor
from markdown.preprocessors import NormalizeWhitespace
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

try:
    # The parsed form of a pattern, private to re (so not in typeshed): see required_text.
    from re import _constants, _parser  # type: ignore[attr-defined]
except ImportError:  # a Python that moved them: every pattern is then always tried, slower but the same
    _constants = _parser = None

VERIFIED = ("3.11.3",)  # Python-Markdown versions whose HTML the speed-ups were compared with
# How often each shortcut was taken in this process. An upgrade that renames what a speed-up overrides
# leaves the HTML as it was and only the speed lost; tests/test_markdown.py sees it here as a zero.
RAN = dict.fromkeys(("inline", "toc", "whitespace", "needs-first", "blocks"), 0)


def unverified_version() -> str:
    """A line for the build's output when the installed Python-Markdown is not a verified one, else ''."""
    if python_markdown.__version__ in VERIFIED:
        return ""
    return (
        f"Python-Markdown {python_markdown.__version__} is not a version the Markdown speed-ups were verified "
        f"with ({', '.join(VERIFIED)}): pages are converted by stock Python-Markdown, more slowly"
    )


def speed_up(md: python_markdown.Markdown) -> bool:
    """Apply the shortcuts to a Markdown instance set up by markdown.MarkdownRenderer; False where the
    installed version is not a verified one, and the instance is left as it is."""
    if unverified_version():
        return False
    toc = next(extension for extension in md.registeredExtensions if isinstance(extension, TocExtension))
    md.treeprocessors.register(MarkerCheckingToc(md, toc.getConfigs()), "toc", 5)
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)
    md.preprocessors.register(QuickNormalizeWhitespace(md), "normalize_whitespace", 30)
    needs_first(md.preprocessors)
    needs_first(md.parser.blockprocessors)
    # Asked for every element, against a list of 40 tag names that no longer changes once the extensions
    # are set up. Both lines replace a method of this one instance, on purpose.
    md.is_block_level = functools.cache(md.is_block_level)  # type: ignore[method-assign]
    md.parser.parseBlocks = parse_blocks(tuple(md.parser.blockprocessors))  # type: ignore[method-assign,assignment]
    return True


class SkippingInlineProcessor(InlineProcessor):
    """Python-Markdown's inline stage, which tries each of its 14 patterns on every run of text, in Python.
    Most runs have no '`', '*', '<' or '&' in them, so most patterns cannot match; this one skips a pattern
    when the text lacks everything its regular expression needs. A pattern that cannot match leaves the text
    as it was, so the HTML is the same (tests/test_fuzz.py compares it with Python-Markdown's own)."""

    def run(self, tree: ElementTree.Element, ancestors: list[str] | None = None) -> ElementTree.Element:
        patterns = tuple(self.inlinePatterns)
        self.needs, self.anything = pattern_finders(patterns, tuple(can_change(p, self.md) for p in patterns))
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, pattern_index: int = 0) -> str:  # noqa: N802 - overrides
        RAN["inline"] += 1
        if isinstance(data, AtomicString) or (self.anything is not None and not self.anything(data)):
            return data
        # InlineProcessor.__applyPattern, by its mangled name, which mypy does not know it by.
        apply, needs, start = self._InlineProcessor__applyPattern, self.needs, 0  # type: ignore[attr-defined]
        while pattern_index < len(needs):
            pattern, may_match = needs[pattern_index]
            if may_match is not None and not may_match(data):
                matched, start = False, 0  # what applying it would return
            else:
                data, matched, start = apply(pattern, data, pattern_index, start)
            if not matched:
                pattern_index += 1
        return data


class MarkerCheckingToc(TocTreeprocessor):
    """Heading ids, and the table of contents where a page has the '[TOC]' marker. Python-Markdown builds the
    table for every page, and looks for the marker by joining the text of every element, one element at a
    time: together a quarter of the extension's time. Only a page with the marker in one of its elements'
    text can have it replaced, so only those pages get a table; the others only need their heading ids."""

    def run(self, doc: ElementTree.Element) -> None:
        RAN["toc"] += 1
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
        # An attribute list may leave an attribute without a value ({: data-x }): None, not text.
        if (
            len(heading)
            or any(value and "\x02" in value for value in (text, heading.tail, *heading.attrib.values()))
            or "&" in text
            or "<" in text
            or ">" in text
        ):
            return render_inner_html(remove_fnrefs(heading), self.md)
        return run_postprocessors(text.strip(), self.md)


class QuickNormalizeWhitespace(NormalizeWhitespace):
    """Python-Markdown's, with its blank-line pattern applied only to text that has a space before a line
    end: the pattern starts with a lookbehind, so the engine tries it at every character."""

    def run(self, lines: list[str]) -> list[str]:
        RAN["whitespace"] += 1
        source = "\n".join(lines).replace("\x02", "").replace("\x03", "")
        source = source.replace("\r\n", "\n").replace("\r", "\n") + "\n\n"
        source = source.expandtabs(self.md.tab_length)
        if " \n" in source:
            source = re.sub(r"(?<=\n) +\n", "\n", source)
        return source.split("\n")


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
    needs = [
        required_text(pattern.getCompiledRegExp()) if alive else None
        for pattern, alive in zip(patterns, live, strict=True)
    ]
    anything = (
        finder(tuple(sorted({text for texts in needs if texts for text in texts})))
        if all(texts or texts is None for texts in needs)
        else None
    )
    return [
        (pattern, finder(texts) if texts is not None else never) for pattern, texts in zip(patterns, needs, strict=True)
    ], anything


@functools.cache
def finder(texts: tuple[str, ...]) -> Callable[[str], bool] | None:
    """A test for whether a string holds any of the texts; None for no texts. A text that holds another is
    left out: the shorter one is found wherever the longer is. `in` is a fast scan for one text; the regular
    expression engine tries an alternative such as '-|=' at each character, thirty times slower."""
    if not texts:
        return None
    texts = tuple(text for text in texts if not any(other in text for other in texts if other != text))

    def holds_any(string: str) -> bool:
        for text in texts:  # noqa: SIM110 - faster than any() over a generator, on every text node
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
    return max(
        candidates, default=None, key=lambda texts: (min(map(len, texts)), not all(text.isspace() for text in texts))
    )


def _needed_by(op, argument) -> frozenset[str] | None:
    if op is _constants.IN:  # a character class: one of its characters
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
        needed = [_needed(branch) for branch in argument[1]]
        branches = [texts for texts in needed if texts is not None]
        return frozenset().union(*branches) if len(branches) == len(needed) else None
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
        may_match = finder(texts)
        assert may_match is not None, "a pattern that needs nothing is left as it is"
        self.regex, self.may_match = regex, may_match

    def search(self, string: str, *args):
        if self.may_match(string):
            return self.regex.search(string, *args)
        RAN["needs-first"] += 1
        return None

    def match(self, string: str, *args):
        if self.may_match(string):
            return self.regex.match(string, *args)
        RAN["needs-first"] += 1
        return None

    def __getattr__(self, name: str):
        return getattr(self.regex, name)


def needs_first(processors) -> None:
    """Each processor's compiled patterns answer at once for text that cannot match them."""
    for processor in processors:
        for name in dir(processor):
            regex = getattr(processor, name, None)
            if isinstance(regex, re.Pattern) and (texts := required_text(regex)):
                setattr(processor, name, NeedsFirst(regex, texts))


def parse_blocks(processors: tuple) -> Callable[[ElementTree.Element, list[str]], None]:
    """BlockParser.parseBlocks over a fixed tuple of the processors: the parser's registry builds a new list of
    them for every block."""

    def parse(parent: ElementTree.Element, blocks: list[str]) -> None:
        RAN["blocks"] += 1
        while blocks:
            for processor in processors:
                if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                    break

    return parse
