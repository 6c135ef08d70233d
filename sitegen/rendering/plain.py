"""The plain path: a loaded Site to {output path: bytes}, serially, in memory, with stock Python-Markdown.

This is what the site is. The speed layer (sitegen.speed) gives the same bytes faster, by memoising,
spreading work over cores and reusing output/; `build --no-cache` runs this instead, and a test keeps the
two identical.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BuildError, Problem
from ..loading.content import read_body
from ..loading.routes import Page
from ..loading.site import Site
from ..loading.urls import output_file
from ..output.search import SearchIndexError, index_pages
from .markdown import Converted
from .render import SiteRenderer, element_ids, merged
from .views import summarize


def render_site(site: Site, production: bool = True, workspace: Path | None = None) -> dict[str, bytes]:
    """Every file of the site. Raises BuildError with every problem found, and then nothing may be written.
    workspace: a folder for Pagefind's files while it indexes (else the system's temporary folder)."""
    html: dict[tuple[str, str], str] = {}
    renderer = SiteRenderer(
        site,
        contents=lambda page: html.get((page.key, page.lang), ""),
        summary=lambda page: summarize(html.get((page.key, page.lang), "")),
        production=production,
    )
    problems = renderer.template_syntax_problems()
    if problems:
        raise BuildError(problems)

    # 1. Markdown: each page's body, with its data values in, to HTML.
    links = {}
    for page in site.pages:
        if page.missing or page.body.blank:
            continue
        converted, convert_problems = convert(renderer, site, page)
        html[(page.key, page.lang)] = converted.html
        links[(page.key, page.lang)] = converted.links
        problems += convert_problems

    # 2. Templates: each page, then the files beside the pages (feeds, sitemap, redirects, assets).
    files: dict[str, bytes] = {}
    ids: dict[str, str] = {}
    render_problems: list[Problem] = []
    for page in site.pages:
        data, page_problems, _ = renderer.render_page(page)
        files[output_file(page.path)] = data
        if not page_problems:
            ids[output_file(page.path)] = element_ids(data)
        render_problems += page_problems
    problems += merged(render_problems)
    extras, extra_problems = renderer.render_extras()
    files.update(extras)
    problems += extra_problems

    # 3. Links to anchors, now that every page's ids are known.
    problems += renderer.fragment_problems({key: found for key, found in links.items() if found}, ids)
    if problems:
        raise BuildError(problems)

    # 4. The search index (pagefind/), from the pages that ask to be in it.
    try:
        files.update(index_pages(files, workspace))
    except SearchIndexError as error:
        raise BuildError([search_problem(error)]) from None
    return files


def search_problem(error: SearchIndexError) -> Problem:
    return Problem("(search index)", 1, str(error))


def convert(renderer: SiteRenderer, site: Site, page: Page) -> tuple[Converted, list[Problem]]:
    config = site.config
    try:
        body, problems = renderer.expand(page, read_body(config.root, page.body, config.max_file_bytes))
    except BuildError as error:
        return Converted(html="", links=(), problems=()), list(error.problems)
    converted, _ = renderer.convert(page, body)
    return converted, problems + list(converted.problems)
