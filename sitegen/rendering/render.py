"""The pages of a Site, and the files beside them, as bytes, from HTML converted by whoever calls (plain.py, or
the speed layer). One Jinja environment per language; nothing here touches the disk."""

from __future__ import annotations

import datetime
import posixpath
import re
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, cast

import jinja2
from jinja2.loaders import split_template_path

from ..errors import Problem, did_you_mean
from ..loading.data import Lazy
from ..loading.files import decode, relative
from ..loading.i18n import Formatter
from ..loading.routes import NOT_FOUND_KEY, Page
from ..loading.site import Site
from ..loading.urls import output_file
from ..output.assets import load_assets, minify_html
from . import editor, feeds, navigation
from .documents import Document, Documents, NotFound
from .exports import Made, OpenData
from .helpers import HelperError, TemplateHelpers, printable
from .markdown import STATIC, Converted, FileFinder, MarkdownRenderer, expand_data
from .server import HEADERS_FILE, header_plan, headers_file
from .views import PageView, make_view, page_url, site_view

VIEW_NAMES = (
    *[
        name
        for name in PageView.__dataclass_fields__
        if name not in ("html", "summary_of", "updated_of", "original_day", "group_of", "given_description")
    ],
    "content",
    "summary",
    "description",
    "updated",
    "original_updated",
    "group",
)
ID_ATTRIBUTE = re.compile(rb"""id=["']?([^"'\s>]+)""")
HTML_SPACE = frozenset(b" \t\n\r\f")


class TemplateLoader(jinja2.BaseLoader):
    """Templates read as every source file is (files.decode): as any common editor saves them."""

    def __init__(self, folder: Path, root: Path):
        self.folder, self.root = folder, root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        try:
            data = path.read_bytes()
        except OSError:
            raise jinja2.TemplateNotFound(template) from None
        return decode(data, relative(path, self.root), empty=True), str(path), lambda: True


class SiteRenderer:
    """Renders pages, and the files beside them, of one loaded Site. The converted HTML of pages comes from
    whoever converted them: contents(page) and summary(page). Every render records the other pages whose
    HTML or summary it showed (see read): nothing else can hand a template another page's body."""

    def __init__(
        self,
        site: Site,
        contents: Callable[[Page], str],
        summary: Callable[[Page], str],
        production: bool = False,
        compiled: Path | None = None,
        tune_markdown: Callable[[Any], Any] | None = None,
        sitemap: Callable[[Site], bytes] = feeds.sitemap,
        recall_exports: Callable[[Callable[[], Made]], Made] | None = None,
    ):
        """production: minify HTML and CSS and fingerprint assets (build); preview keeps them readable.
        compiled: a folder where Jinja keeps compiled templates between builds. tune_markdown: see
        MarkdownRenderer. sitemap: makes sitemap.xml; recall_exports: gives the open data files, from the
        function that makes them (the speed layer memoises both)."""
        self.site = site
        self.contents, self.summary, self.sitemap = contents, summary, sitemap
        self.bytecode = jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None
        self.production = production
        self.assets = load_assets(site.config.path("static"), site.static_files, production)
        self.markdown = MarkdownRenderer(site.config.allow_html, site.config.markdown_seconds, tune_markdown)
        self.formatters = {l.code: Formatter(l.code, l.locale) for l in site.config.languages}
        self.documents = {
            code: Documents(self.assets, site.config.base_path, formatter)
            for code, formatter in self.formatters.items()
        }
        # Open data files depend on data, site.yaml and URLs alone, all in every render key: their sizes need no
        # recording as reads.
        self.open_data = OpenData(site, self.formatters, recall_exports)
        self.rendering: Page | None = None  # the page being rendered, and what it read of others
        self.reads: list[tuple[str, str | None]] = []  # (key, lang) of a page, (name, None) of a file under static/
        self.site_views = {l.code: site_view(site, l.code) for l in site.config.languages}
        self.helpers: dict[str, TemplateHelpers] = {}
        self.environments = {l.code: self.environment(l.code) for l in site.config.languages}

    # --- stages -----------------------------------------------------------------------------------

    def convert(self, page: Page, body: str) -> tuple[Converted, tuple]:
        """Markdown (with data values already in) to HTML; pure in the page and the site, so it may run in
        any worker. Returns every link resolution it made, so a memoised result can be re-validated: a page
        by its path, or a file under static/ as (name, language)."""
        resolutions: list[tuple[Any, Any]] = []
        resolve, find = self.resolver(page), self.file_finder(page)

        def recording(target: str) -> tuple[str | None, str]:
            result = resolve(target)
            resolutions.append((target, result))
            return result

        def recording_file(name: str, lang: str | None) -> Document | NotFound:
            result = find(name, lang)
            resolutions.append(((name, lang), result))
            return result

        converted = self.markdown.convert(page.source, body, page.body_line, recording, recording_file)
        return converted, tuple(resolutions)

    def resolve_again(self, page: Page, targets: tuple) -> list:
        """The resolutions convert() made for these targets, as they come out now."""
        resolve, find = self.resolver(page), self.file_finder(page)
        return [find(target[0], target[1]) if isinstance(target, tuple) else resolve(target) for target in targets]

    def file_finder(self, page: Page) -> FileFinder:
        """What a link to /static/<name> in the page's Markdown leads to."""
        documents = self.documents[page.lang]
        return lambda name, lang: documents.find(name, lang, STATIC)

    def expand(self, page: Page, body: str) -> tuple[str, list[Problem]]:
        if not page.body.placeholders:
            return body, []
        return expand_data(
            body, self.site.data.views[page.lang], self.formatters[page.lang].number, page.source, page.body_line
        )

    def render_page(self, page: Page) -> tuple[bytes, list[Problem], tuple[tuple[str, str | None], ...]]:
        """One page's HTML, its problems, and what it read beyond its key: the other pages whose HTML or
        summary it showed, as (key, lang), and the files under static/ it described, as (name, None)."""
        problems: list[Problem] = []
        self.rendering, self.reads = page, []
        try:
            data = self.render_template(page.template, self.page_context(page), page, problems)
        finally:
            self.rendering = None
        return data, problems, tuple(dict.fromkeys(self.reads))

    def render_template(self, name: str, context: dict, page: Page | None, problems: list[Problem]) -> bytes:
        lang = context["lang"]
        try:
            rendered = self.environments[lang].get_template(name).render(context).encode("utf-8")
            return minify_html(rendered) if self.production else rendered
        except Exception as error:  # noqa: BLE001 - whatever a template does wrong is reported with its line
            problems.append(self.template_problem(error, name, page))
            return b""

    def render_extras(self) -> tuple[dict[str, bytes], list[Problem]]:
        """The root chooser, the default-language 404, alias redirects, feeds, sitemap and assets."""
        files: dict[str, bytes] = {}
        problems: list[Problem] = []
        site, config = self.site, self.site.config
        default = config.default_language
        context = {
            "lang": default,
            "site": self.site_views[default],
            "languages": [
                {"code": l.code, "name": l.name, "url": config.base_path + f"{l.code}/"} for l in config.languages
            ],
        }
        files["index.html"] = self.render_template("chooser.html", context, None, problems)
        not_found = site.page(NOT_FOUND_KEY, default)
        if not_found is not None:
            files["404.html"] = self.render_page(not_found)[0]
        for alias in site.aliases:
            target = config.origin + page_url(site, alias.target)
            files[output_file(alias.path)] = self.render_template(
                "redirect.html",
                {"lang": alias.target.lang, "target": target, "site": self.site_views[alias.target.lang]},
                None,
                problems,
            )
        files.update(
            feeds.extra_files(site, self.contents, lambda lang: navigation.feed_path(site, lang), self.sitemap)
        )
        files.update(self.assets.files)
        exports, export_problems = self.open_data.made
        files.update(exports)
        problems += export_problems
        if config.editor is not None:
            problems += editor.collisions([*files, *(output_file(page.path) for page in site.pages)])
            admin, admin_problems = editor.editor_files(site)
            files.update(admin)
            problems += admin_problems
        if config.server.declared:  # the response headers, for hosts that read them from a file
            files[HEADERS_FILE] = headers_file(header_plan(site), config.base_path).encode("utf-8")
        return files, problems

    # --- context ----------------------------------------------------------------------------------

    def view(self, page: Page) -> PageView:
        """What templates and helpers see of a page. Its HTML, summary and "Last updated" date are fetched
        when asked for, and the asking is recorded: see read."""
        return make_view(
            self.site,
            page,
            lambda: self.read(page, summary=False),
            lambda: self.read(page, summary=True),
            lambda: self.read_updated(page),
        )

    def read(self, page: Page, summary: bool) -> str:
        """Every read of a page's HTML or summary passes here, and is recorded when the render being made
        depends on it beyond its key: the key covers the page's own conversion and date and, for a section,
        its children's summaries and dates (see speed.incremental.render_key); titles, URLs and data are in
        it whole."""
        self.record(page, listed=summary)
        return self.summary(page) if summary else self.contents(page)

    def read_updated(self, page: Page) -> datetime.date | None:
        self.record(page, listed=True)
        return page.updated

    def record(self, page: Page, listed: bool) -> None:
        """listed: a summary or a date, which a section's key holds for each of its children."""
        current = self.rendering
        if (
            current is not None
            and (page.key, page.lang) != (current.key, current.lang)
            and not (
                listed
                and current.is_section
                and (page.parent_key, page.lang) == (current.key, current.lang)
                and not page.missing
            )
        ):
            self.reads.append((page.key, page.lang))

    def document(self, lang: str, name: str, declared: str | None) -> Document | NotFound:
        """A file under static/ as a template describes it. The render key covers the files' names and
        addresses, not their sizes: the file is recorded as read, as a page would be (see read)."""
        found = self.documents[lang].find(name, declared)
        if self.rendering is not None and isinstance(found, Document):
            self.reads.append((name, None))
        return found

    def rebind(self, site: Site) -> None:
        """The same site with new page bodies (the preview after a save): everything else stays."""
        self.site = site
        for helpers in self.helpers.values():
            helpers.site = site

    def page_context(self, page: Page) -> dict[str, Any]:
        site = self.site
        lang = page.lang
        translations, breadcrumbs = navigation.translations(site, page), navigation.breadcrumbs(site, page)
        context = {
            "lang": lang,
            "page": self.view(page),
            "translations": translations,
            "default_version_url": navigation.default_version_url(site, page, translations),
            "breadcrumbs": breadcrumbs,
            "structured_data": navigation.structured_data(
                site, page, breadcrumbs, self.site_views[lang]["organization"]
            ),
            "children": [self.view(child) for child in site.children(page.key, lang)] if page.is_section else [],
            "menus": Lazy(site.config.menus, lambda name: navigation.menu(site, name, page)),  # site.yaml's, by name
            "feed_url": navigation.feed_url(site, lang),
            "original": None,
            "fallback": None,
        }
        if page.missing:
            original = next(
                p
                for p in (site.page(page.key, l) for l in site.config.language_codes)
                if p is not None and not p.missing
            )
            context["original"] = {"title": original.title, "url": page_url(site, original), "lang": original.lang}
            parent = navigation.nearest_translated_parent(site, page)
            context["fallback"] = {"title": parent.menu_title, "url": page_url(site, parent)} if parent else None
        return context

    def resolver(self, page: Page) -> Callable[[str], tuple[str | None, str]]:
        site = self.site

        def resolve(target: str) -> tuple[str | None, str]:
            folder = page.key.rpartition("/")[0]
            candidates = [posixpath.normpath(posixpath.join(folder, target)), posixpath.normpath(target.lstrip("/"))]
            for key in candidates:
                found = site.page(key, page.lang)
                if found is not None:
                    return key, page_url(site, found)
                if key in self.draft_keys():
                    return None, "that page is a draft and is not published; publish it or remove the link"
            keys = sorted({p.key for p in site.pages})
            return None, (
                did_you_mean(candidates[0], keys) or "link to a page by its path under content/, e.g. about/team.md"
            )

        return resolve

    def draft_keys(self) -> frozenset[str]:
        return self.site.draft_keys

    # --- environment ------------------------------------------------------------------------------

    def environment(self, lang: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=TemplateLoader(self.site.config.path("templates"), self.site.config.root),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=self.bytecode,
            finalize=printable,
            auto_reload=False,
        )  # a renderer lives for one build: no need to stat each template for every page
        # The i18n extension adds this method, and the gettext global it installs.
        env.install_gettext_translations(self.site.catalogs[lang].translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals["_"] = env.globals["gettext"] = remembered(cast("Callable[..., str]", env.globals["gettext"]))
        helpers = self.helpers[lang] = TemplateHelpers(
            self.site, lang, self.formatters[lang], self.view, self.assets, partial(self.document, lang), self.open_data
        )
        env.globals.update(helpers.globals())
        locale = next(l.locale for l in self.site.config.languages if l.code == lang)
        env.globals.update(
            lang=lang,
            locale=locale,
            site=self.site_views[lang],
            data=self.site.data.views[lang],
            build_date=self.site.build_date,
            other_langs=[l for l in self.site.config.language_codes if l != lang],
        )
        env.filters.update(helpers.filters())
        return env

    def template_syntax_problems(self) -> list[Problem]:
        env = next(iter(self.environments.values()))
        problems = []
        for name in self.site.templates:
            if not name.endswith((".html", ".xml", ".txt")):
                continue
            try:
                env.get_template(name)
            except jinja2.TemplateSyntaxError as error:
                problems.append(
                    Problem(
                        self.template_source(error.name or name),
                        error.lineno or 1,
                        f"template syntax error: {error.message}",
                        "check the matching {% ... %} tags and quotes",
                    )
                )
        return problems

    def template_source(self, name: str) -> str:
        return relative(self.site.config.path("templates") / name, self.site.config.root)

    def template_problem(self, error: Exception, name: str, page: Page | None) -> Problem:
        templates_dir = str(self.site.config.path("templates"))
        path, line = self.template_source(name), 1
        if isinstance(error, jinja2.TemplateSyntaxError):
            return Problem(
                self.template_source(error.name or name),
                error.lineno or 1,
                f"template syntax error: {error.message}",
                "check the matching {% ... %} tags",
            )
        if isinstance(error, jinja2.TemplateNotFound):
            return Problem(
                path,
                1,
                f"the template '{error.name}' does not exist",
                did_you_mean(str(error.name), self.site.templates),
            )
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename and frame.filename.startswith(templates_dir):
                path = relative(Path(frame.filename), self.site.config.root)
                line = frame.lineno or 1
        where = f" while rendering {page.source} ({page.lang})" if page else ""
        message = error.message if isinstance(error, HelperError) else readable(str(error))
        hint = error.hint if isinstance(error, HelperError) else undefined_hint(error)
        return Problem(path, line, f"{message}{where}", hint)

    def fragment_problems(self, links: dict[tuple[str, str], tuple], ids: dict[str, str]) -> list[Problem]:
        """Every '#anchor' a page body links to must exist in the rendered target page."""
        problems = []
        for (key, lang), page_links in sorted(links.items()):
            page = self.site.page(key, lang)
            assert page is not None, "the links are those of rendered pages"
            for link in page_links:
                target = page if link.target_key is None else self.site.page(link.target_key, page.lang)
                assert target is not None, "a link's target was a page when the link was resolved"
                found = ids.get(output_file(target.path))
                if found is None:  # the target failed to render: its own problem says why
                    continue
                if "\n" in link.fragment or f"\n{link.fragment}\n" not in found:
                    problems.append(
                        Problem(
                            page.source,
                            link.line,
                            f"the anchor '#{link.fragment}' does not exist on {target.source} ({target.lang})",
                            did_you_mean(link.fragment, found.split()) or "link to a heading's id",
                        )
                    )
        return problems


def merged(problems: list[Problem]) -> list[Problem]:
    """A template line that fails for many pages is one problem, naming the first page and how many more."""
    pages: dict[tuple, list[str]] = {}
    others = []
    for problem in problems:
        stem, separator, page = problem.message.partition(" while rendering ")
        if separator:
            pages.setdefault((problem.path, problem.line, stem, problem.hint), []).append(page)
        else:
            others.append(problem)
    for (path, line, stem, hint), found in pages.items():
        found.sort()
        more = f" and {len(found) - 1} other page{'s' if len(found) > 2 else ''}" if len(found) > 1 else ""
        others.append(Problem(path, line, f"{stem} while rendering {found[0]}{more}", hint))
    return others


def remembered(gettext: Callable[..., str]) -> Callable[..., str]:
    """Jinja's gettext for one language, remembering each message without variables: a page asks for about
    ten, each through five Python calls, and they come out the same on every page."""
    known: dict[str, str] = {}

    @jinja2.pass_context
    def translate(context: jinja2.runtime.Context, message: str, **variables: Any) -> str:
        if variables or not context.eval_ctx.autoescape:
            return gettext(context, message, **variables)
        if message not in known:
            known[message] = gettext(context, message)
        return known[message]

    return translate


def element_ids(data: bytes) -> str:
    """The ids as one string, "\n" before and after each: one object per page in the memo instead of a set.
    Found as bytes, by the literal 'id=' (a fast search) with white space before it: a fifth of the time
    of a pattern that starts with the white space, over the decoded page."""
    names = {
        match[1].decode("utf-8", "replace")
        for match in ID_ATTRIBUTE.finditer(data)
        if match.start() and data[match.start() - 1] in HTML_SPACE
    }
    return "\n" + "".join(f"{name}\n" for name in sorted(names))


def readable(message: str) -> str:
    """Jinja names a page as 'sitegen.views.PageView object'; templates call it 'page'."""
    return message.replace("'sitegen.views.PageView object'", "'page'")


def undefined_hint(error: Exception) -> str:
    attribute = re.search(r"PageView object' has no attribute '(\w+)'", str(error))
    if attribute:
        return did_you_mean(attribute[1], VIEW_NAMES) or "see README, 'Templates', for what 'page' holds"
    if isinstance(error, jinja2.UndefinedError):
        return "check the spelling of the variable, or test it with 'is defined'; see README, 'Templates'"
    return "check the template expression on that line"
