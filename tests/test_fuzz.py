"""Property-based tests: for any input the parsers return a value or the project's own error, nothing else."""
from __future__ import annotations

import posixpath

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sitegen.errors import BuildError
from sitegen.frontmatter import split_front_matter
from sitegen.markdown import ConversionState, MarkdownRenderer, NeedsFirst, TableOfContents, expand_data, toc_slug
from sitegen.urls import is_inside, is_safe_slug, normalize_alias, output_file, page_path, slugify
from sitegen.yamlsrc import load_yaml

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
yaml_like = st.text(alphabet=st.sampled_from(list("ab:- \n'\"[]{}#&*!|>%@`,?.0123456789ąłż\t")), max_size=80)


@SETTINGS
@given(st.one_of(st.text(max_size=200), yaml_like))
def test_yaml_loader_returns_a_value_or_a_build_error(text):
    try:
        load_yaml(text, "x.yaml", first_line=3)
    except BuildError as error:
        assert all(p.path == "x.yaml" and p.line >= 3 for p in error.problems)


@SETTINGS
@given(st.one_of(st.text(max_size=200), yaml_like.map(lambda t: "---\n" + t + "\n---\nbody")))
def test_front_matter_splitter_returns_a_split_or_a_build_error(text):
    try:
        split = split_front_matter(text, "p.md")
    except BuildError as error:
        assert all(p.path == "p.md" and p.line >= 1 for p in error.problems)
    else:
        assert isinstance(split.meta, dict) and split.body_line >= 3


@SETTINGS
@given(st.text(max_size=60))
def test_slugify_gives_a_safe_single_segment_or_nothing(text):
    slug = slugify(text)
    assert slug == "" or is_safe_slug(slug)
    assert "/" not in slug and ".." not in slug and " " not in slug


@SETTINGS
@given(st.lists(st.text(max_size=20), max_size=5))
def test_pages_built_from_safe_slugs_stay_inside_output(parts):
    slugs = tuple(s for s in parts if is_safe_slug(s))
    path = output_file(page_path("pl", slugs))
    assert is_inside(path) and path.startswith("pl/") and path.endswith("index.html")
    assert posixpath.normpath(path) == path


@SETTINGS
@given(st.text(max_size=60))
def test_aliases_are_safe_or_refused(alias):
    normalized = normalize_alias(alias)
    assert normalized is None or (is_inside(normalized) and all(is_safe_slug(p) for p in normalized.strip("/").split("/")))


def resolve(target):
    return ("known.md", "/pl/known/") if target == "known.md" else (None, "no such page")


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.sampled_from(["known.md", "known.md#a", "javascript:x", "http://[", "#",
                                                        "data:text/html,x", " JavaScript:alert(1)", "//evil", "x.md"])))
def test_link_resolver_returns_a_url_or_reports_a_problem(target):
    state = ConversionState("p.md", f"[a]({target})", 5, resolve)
    result = state.rewrite(target)
    assert isinstance(result, str)
    assert not result.lower().lstrip().startswith(("javascript:", "vbscript:", "data:"))
    assert all(p.path == "p.md" and p.line >= 5 for p in state.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_markdown_conversion_never_raises_and_escapes_raw_html(text):
    converted = MarkdownRenderer(allow_html=False).convert("p.md", text, 1, resolve)
    assert "<script" not in converted.html.lower()


@SETTINGS
@given(st.text(max_size=100))
def test_data_placeholders_expand_or_report(text):
    body, problems = expand_data(text, {"s3": {"regions": 145}}, str, "p.md", 1)
    assert isinstance(body, str)


MARKDOWN_TOKENS = ["a", "ż", " ", "  \n", "\n", "\n\n", "*", "**", "_", "__", "`", "``", "\\", "[", "]", "(", ")",
                   "![", "](", "[^1]", "[^1]: note\n", "[x]: http://e.pl\n", "<", ">", "<http://e.pl>",
                   "<a@b.pl>", "&", "&amp;", "&#38;", ";", "#", "# ", "- ", "1. ", "> ", "|", "---", ":", "~~~\n",
                   "    ", "{: #id }", "*[HTML]: Hyper\n", "HTML", "known.md", "<b>", "</b>", "<!-- c -->", "[TOC]",
                   "## ", "===", "+ ", "* ", "\t", "```\n", ": ", "2. ", " \n", "\r\n", "\\<", "\\>",
                   "{: data-toc-label=\"T\" }", "{: title=\"\\>\" }", "\n## a\n"]


def stock_and_skipping(allow_html: bool) -> tuple[MarkdownRenderer, MarkdownRenderer]:
    """Our renderer, and the same with Python-Markdown's own whitespace step, inline stage, block and fence
    patterns, block-level tag test and table of contents."""
    from markdown.extensions.toc import TocTreeprocessor
    from markdown.preprocessors import NormalizeWhitespace
    from markdown.treeprocessors import InlineProcessor
    stock = MarkdownRenderer(allow_html)
    stock.md.preprocessors.register(NormalizeWhitespace(stock.md), "normalize_whitespace", 30)
    stock.md.treeprocessors.register(InlineProcessor(stock.md), "inline", 20)
    config = TableOfContents(slugify=toc_slug, toc_depth="2-3").getConfigs()
    stock.md.treeprocessors.register(TocTreeprocessor(stock.md, config), "toc", 5)   # TocExtension's priority
    stock.md.is_block_level = stock.md.is_block_level.__wrapped__
    del stock.md.parser.parseBlocks                    # the class's own, over its registry
    for processor in [*stock.md.preprocessors, *stock.md.parser.blockprocessors]:
        for name, value in list(vars(processor).items()):
            if isinstance(value, NeedsFirst):
                setattr(processor, name, value.regex)
    return stock, MarkdownRenderer(allow_html)


RENDERERS = {allow: stock_and_skipping(allow) for allow in (False, True)}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(st.sampled_from(MARKDOWN_TOKENS), max_size=40).map("".join), st.text(max_size=120)),
       st.booleans())
@example('## Heading {: data-toc-label="Short" }\n\n## A \\<b\\> & c\n\n## x\n\n## x_1\n\n## x', False)
@example("Text \n  \n \nmore\twith a tab  \n\n## A {: title=\"\\>\" }\n", True)
def test_faster_markdown_gives_python_markdowns_own_html(text, allow_html):
    stock, skipping = RENDERERS[allow_html]
    assert skipping.convert("p.md", text, 1, resolve) == stock.convert("p.md", text, 1, resolve)


def test_faster_markdown_on_the_shipped_pages():
    from conftest import PROJECT
    stock, skipping = RENDERERS[False]
    bodies = [path.read_text(encoding="utf-8").split("---\n", 2)[-1] for path in (PROJECT / "content").rglob("*.md")]
    assert len(bodies) > 30
    for body in bodies:
        assert skipping.convert("p.md", body, 1, resolve) == stock.convert("p.md", body, 1, resolve)


def test_required_text_of_a_pattern():
    import re
    from sitegen.markdown import required_text
    assert required_text(re.compile(r"\!\[")) == ("![",)
    assert required_text(re.compile(r"(?<!\\)`|\\\\")) == ("\\\\", "`")
    assert required_text(re.compile(r"<([a-z]+://[^<>]*)>")) == ("://",)
    assert required_text(re.compile(r"[^a]b?")) == ()            # nothing it must contain
    assert required_text(re.compile(r"abc", re.IGNORECASE)) == ()
    assert required_text(re.compile(r"(?:x|)y*")) == ()         # one branch needs nothing


def test_markdown_without_re_private_parser_tries_every_pattern(monkeypatch):
    """required_text reads re's private parser; if a later Python moves it, patterns are simply always tried."""
    import re
    import sitegen.markdown as markdown_module
    monkeypatch.setattr(markdown_module, "_parser", None)
    monkeypatch.setattr(markdown_module, "required_text", markdown_module.required_text.__wrapped__)
    assert markdown_module.required_text(re.compile(r"\!\[")) == ()
    stock, _ = RENDERERS[False]
    text = "# A *b*\n\n[x](known.md) `c` & d\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    assert MarkdownRenderer(allow_html=False).convert("p.md", text, 1, resolve) == stock.convert("p.md", text, 1, resolve)
