"""`build.py check`: every strict check, on the site as it would be built, with nothing written."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from ..errors import BuildError, Problem
from ..loading.config import CONFIG_FILE
from ..loading.content import read_body
from ..loading.files import relative
from ..loading.routes import Page
from ..loading.site import Site, load_site
from ..loading.urls import output_file
from ..output.writer import Unchanged, content
from ..rendering.server import header_plan
from ..speed.cache import BuildCache
from ..speed.incremental import IncrementalRenderer
from ..speed.parallel import parallel_map
from .catalogs import catalog_problems
from .links import ExternalLinks
from .probe import Settings
from .report import report
from .statement import DATA as STATEMENT_DATA
from .statement import Statement, is_statement, statement_problems


def check_site(
    root: Path, external: Settings | None = None, say: Callable[[str], None] = lambda _: None
) -> list[Problem]:
    """Every problem of the site; with external settings, the dead and moved links to other sites too (the
    only check that goes on the network)."""
    try:
        site = load_site(root, map_all=parallel_map)
    except BuildError as error:
        return list(error.problems)
    renderer = IncrementalRenderer(site, production=False, cache=BuildCache(root))
    output = renderer.render()
    problems = list(output.problems)
    problems += untranslated_pages(site)
    root, limit = site.config.root, site.config.max_file_bytes
    site_wide = 0  # values to be completed outside <main>: the same on every page
    links = ExternalLinks(site)
    scripts: dict[tuple[str, str], str] = {}  # (key, lang) -> the script a page loads
    for page in site.pages:
        if not page.missing:
            data = output.files[output_file(page.path)]
            assert not isinstance(data, Unchanged), "without output/ to compare with, every page is rendered"
            html_text = content(data).decode("utf-8", "replace")
            if script := SCRIPT.search(html_text):
                scripts[(page.key, page.lang)] = script.group(1)
            problems += markup_problems(page, html_text, MarkupScanner(), root, limit)
            warnings, outside = placeholder_warnings(page, html_text)
            problems += warnings
            site_wide = max(site_wide, outside)
            if is_statement(html_text):
                problems += statement_problems(statement_of(site, page), html_text, site.build_date)
            # An image an editor put in the body always needs words; templates may mark decorative ones alt="".
            images = MarkupScanner(empty_alt_allowed=False)
            images.level = 6
            problems += markup_problems(page, renderer.contents(page), images, root, limit)
            if external is not None:
                links.add(page, html_text)
    problems += catalog_problems(site.config)
    if external is not None:
        problems += links.problems(external, say)
    problems += script_policy_problems(site, scripts)
    if site_wide:
        problems.append(
            Problem(
                CONFIG_FILE,
                1,
                f"every page shows, outside its main content, {site_wide} values to be completed by the editors",
                "fill in the values marked 'EDITORS: fill in' in site.yaml",
                warning=True,
            )
        )
    return sorted(set(problems))


# Templates mark a value the editors have yet to supply with the class to-fill, and may say what it is in
# data-missing: README, "Values to be completed".
PLACEHOLDER = re.compile(r"<[^>]*\bclass=\"?[^\">]*\bto-fill\b[^>]*>")
MISSING = re.compile(r'data-missing="([^"]*)"')


def placeholder_warnings(page: Page, html_text: str) -> tuple[list[Problem], int]:
    """Warnings for what the page's main content still lacks, and how many values to be completed lie outside
    <main>: the header and footer are the same on every page, so the caller reports those once."""
    start, end = html_text.find("<main"), html_text.find("</main>")
    found = [(m.group(0), start <= m.start() < end) for m in PLACEHOLDER.finditer(html_text)]
    inside = [tag for tag, in_main in found if in_main]
    outside = len(found) - len(inside)
    if not inside:
        return [], outside
    named = sorted({m.group(1) for tag in inside for m in MISSING.finditer(tag)})
    warnings = [
        Problem(page.source, 1, f"the page has no {name} yet", "see README, 'Values to be completed'", warning=True)
        for name in named
    ]
    unnamed = sum(1 for tag in inside if not MISSING.search(tag))
    if unnamed:
        warnings.append(
            Problem(
                page.source,
                1,
                f"the page shows {unnamed} value{'s' if unnamed != 1 else ''} to be completed by the editors",
                "see README, 'Values to be completed'",
                warning=True,
            )
        )
    return warnings, outside


SCRIPT = re.compile(r"<script\b[^>]*\bsrc=\"?([^\" >]+)")


def script_policy_problems(site: Site, scripts: dict[tuple[str, str], str]) -> list[Problem]:
    """Scripts run on exactly the pages that load one (README, "Security"): a page that loads a script needs a
    Content-Security-Policy that allows scripts, and a page that loads none keeps the site-wide policy's
    script-src. One problem per template, at its rule in site.yaml."""
    server = site.config.server
    if not server.declared:
        return []
    plan, base = header_plan(site), site.config.base_path
    site_wide = script_sources(plan.site_policy)
    forbidden: dict[str, list[str]] = {}
    needless: dict[tuple[str, int], list[str]] = {}
    for page in site.pages:
        if page.missing:
            continue
        address = base + page.path
        allowed = script_sources(plan.policy(address))
        script = scripts.get((page.key, page.lang))
        if script is not None and allowed == "'none'":
            forbidden.setdefault(page.template, []).append(f"{address} loads {script}")
        elif script is None and allowed != site_wide:
            line = next(where.line for where, _ in plan.policies if where.matches(address))
            needless.setdefault((page.template, line), []).append(address)
    problems = [
        Problem(
            CONFIG_FILE,
            server.line,
            f"pages made with '{template}' load a script, but their Content-Security-Policy forbids scripts: "
            + ", ".join(found),
            f"add '- {{templates: [{template}], csp: {{script-src: \"'self'\"}}}}' under server.csp_exceptions",
        )
        for template, found in forbidden.items()
    ]
    problems += [
        Problem(
            CONFIG_FILE,
            line,
            f"pages made with '{template}' load no script, but their Content-Security-Policy allows scripts: "
            + ", ".join(found),
            "keep script-src as strict as the rest of the site there: remove the template from this line",
        )
        for (template, line), found in needless.items()
    ]
    return problems


def script_sources(policy: str) -> str:
    """A policy's script-src, or its default-src where it has none."""
    directives = {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}
    return directives.get("script-src", directives.get("default-src", ""))


def statement_of(site: Site, page: Page) -> Statement:
    raw = site.data.raw.get(STATEMENT_DATA)
    return Statement(
        source=page.source,
        template=relative(site.config.path("templates") / page.template, site.config.root),
        lang=page.lang,
        values=site.data.views[page.lang].get(STATEMENT_DATA),
        data_path=site.data.files.get(STATEMENT_DATA, ""),
        lines=getattr(raw, "lines", {}),
    )


def untranslated_pages(site: Site) -> list[Problem]:
    problems = []
    names = {language.code: language.name for language in site.config.languages}
    for page in site.pages:
        if page.missing:
            target = re.sub(r"\.[a-z]+\.md$", f".{page.lang}.md", page.source)
            problems.append(
                Problem(page.source, 1, f"this page has no {names[page.lang]} version", f"translate it into {target}")
            )
    return problems


class MarkupScanner(HTMLParser):
    """Finds images without alt text, headings that skip a level and links without text in <main>."""

    def __init__(self, empty_alt_allowed: bool = True):
        super().__init__(convert_charrefs=True)
        self.empty_alt_allowed = empty_alt_allowed
        self.findings: list[tuple[str, str]] = []
        self.level = 0
        self.link: dict | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "img" and (attributes.get("alt") is None or not (attributes["alt"] or self.empty_alt_allowed)):
            self.findings.append((attributes.get("src") or "", f"the image '{attributes.get('src')}' has no alt text"))
        if self.link is not None and tag == "img" and attributes.get("alt"):
            self.link["text"] += attributes["alt"]
        if re.fullmatch(r"h[1-6]", tag):
            level = int(tag[1])
            if self.level and level > self.level + 1:
                self.findings.append(("#" * level + " ", f"a level-{level} heading follows a level-{self.level} one"))
            self.level = level
        if tag == "a" and "href" in attributes:
            self.link = {"href": attributes["href"], "text": attributes.get("aria-label") or ""}

    def handle_data(self, data: str) -> None:
        if self.link is not None:
            self.link["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            if not self.link["text"].strip():
                self.findings.append((self.link["href"], f"the link to '{self.link['href']}' has no text"))
            self.link = None


HINTS = {
    "image": "add a description in the brackets: ![what the image shows](path)",
    "heading": "use the next heading level (## after the title, ### inside a ## section)",
    "link": "give the link words that say where it leads",
}


def markup_problems(page: Page, html_text: str, scanner: MarkupScanner, root: Path, max_bytes: int) -> list[Problem]:
    scanner.feed(html_text)
    body = read_body(root, page.body, max_bytes) if scanner.findings and page.body.file else ""
    problems = []
    for needle, message in scanner.findings:
        index = body.find(needle) if needle else -1
        line = page.body_line + body[:index].count("\n") if index >= 0 else 1
        kind = "image" if "image" in message else "heading" if "heading" in message else "link"
        problems.append(Problem(page.source, line, message, HINTS[kind]))
    return problems


def check(root: Path, output_format: str, external: Settings | None = None) -> int:
    problems = check_site(root, external, say=lambda message: print(message, file=sys.stderr))
    report(problems, output_format, root, sys.stdout, sys.stderr)
    return 1 if any(not p.warning for p in problems) else 0
