"""Load everything into one immutable Site: config, pages with their URLs, data, catalogues.

Nothing here renders or writes; every problem found is collected and raised together.
"""

from __future__ import annotations

import bisect
import datetime
import os
import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar

from ..clock import build_date
from ..digests import CODE, Recall, digest
from ..errors import BuildError, Problem, did_you_mean
from .config import CONFIG_FILE, Config, load_config
from .content import NO_BODY, SECTION_INDEX, Body, SourcePage, load_page, load_pages
from .data import Data, data_folder, load_data
from .files import FileStatus, is_ignored, list_inputs, relative, under
from .i18n import LanguageCatalog, load_catalog
from .schema import ReadOnlyDict
from .urls import is_safe_slug, normalize_alias, page_path

HOME_KEY = f"{SECTION_INDEX}.md"
NOT_FOUND_KEY = "404.md"  # rendered to <lang>/404.html, where static hosts look for it
REQUIRED_TEMPLATES = ("base.html", "missing.html", "404.html", "chooser.html", "redirect.html")


class Page(NamedTuple):
    """One page in one language, with everything the renderer needs to know about it. A tuple, as every
    build makes 24,000 of them: a tuple is quicker to make than a frozen dataclass."""

    key: str
    lang: str
    source: str
    title: str
    menu_title: str
    description: str
    date: datetime.date | None
    draft: bool
    template: str
    weight: int
    extra: Any
    body: Body  # read from the file only when the page is converted
    body_line: int
    path: str  # site-relative URL path: 'pl/o-nas/zespol/'
    line: int  # where the URL is decided: the slug line, or the data record
    is_section: bool
    parent_key: str | None
    record: tuple[str, str] | None = None  # (collection, id) for pages generated from data
    missing: bool = False  # a notice standing in for a translation not written yet


@dataclass(frozen=True)
class Alias:
    path: str
    target: Page
    source: str
    line: int


@dataclass(frozen=True)
class Site:
    config: Config
    pages: tuple[Page, ...]
    aliases: tuple[Alias, ...]
    data: Data
    catalogs: Mapping[str, LanguageCatalog]
    templates: tuple[str, ...]
    static_files: tuple[str, ...]
    build_date: datetime.date
    drafts: bool
    draft_keys: frozenset[str]
    by_key: Mapping[tuple[str, str], Page] = field(default_factory=dict)
    sources: Mapping[tuple[str, str], SourcePage] = field(default_factory=dict)  # as the files say
    child_keys: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # in listing order
    outline: str = ""  # digest of site.yaml, the options and every page file but the bodies (see load_site)

    def page(self, key: str, lang: str) -> Page | None:
        return self.by_key.get((key, lang))

    def children(self, key: str, lang: str) -> list[Page]:
        return [self.by_key[(child, lang)] for child in self.child_keys.get((key, lang), ())]


def child_index(pages: Iterable[Page]) -> Mapping[tuple[str, str], tuple[str, ...]]:
    """Each section's published children, by weight, then title; built once, since sections ask often."""
    children: dict[tuple[str, str], list[Page]] = {}
    for page in pages:
        if page.parent_key is not None and not page.missing:
            children.setdefault((page.parent_key, page.lang), []).append(page)
    return ReadOnlyDict(
        {
            section: tuple(p.key for p in sorted(found, key=lambda p: (p.weight, p.title.casefold())))
            for section, found in children.items()
        }
    )


def load_site(
    root: Path,
    base_url: str | None = None,
    drafts: bool = False,
    memo: Recall | None = None,
    listing: Mapping[str, FileStatus] | None = None,
    map_all: Callable = map,
) -> Site:
    """listing: the site's files as list_inputs() gives them, if the caller has already listed them.
    memo and map_all: what the speed layer lends to skip and spread work; without them all is done here."""
    config = load_config(root, base_url)
    listing = list_inputs(config) if listing is None else listing
    problems: list[Problem] = []
    content_dir, data_dir = config.path("content"), data_folder(config)
    data_files = under(listing, data_dir, root)
    page_files = {path: status for path, status in under(listing, content_dir, root).items() if path not in data_files}
    sources, page_problems = load_pages(
        page_files, content_dir, config.language_codes, root, config.max_file_bytes, memo, map_all
    )
    data, data_problems = load_data(config, [root / path for path in sorted(data_files)], memo)
    catalogs = {}
    for language in config.languages:
        try:
            catalogs[language.code] = load_catalog(config.path("locales"), language.code, language.locale, root)
        except BuildError as error:
            problems.extend(error.problems)
    templates, static_files = (
        tuple(relative(root / path, config.path(name)) for path in sorted(under(listing, config.path(name), root)))
        for name in ("templates", "static")
    )
    problems += page_problems + data_problems
    problems += check_templates(templates, sources, config)
    if problems:
        raise BuildError(problems)
    # Editing a page's body leaves the outline as it was, and with it every page's URL, title and place.
    outline = digest(
        CODE, (root / CONFIG_FILE).read_bytes(), config.base_url, drafts, sorted(source.identity for source in sources)
    )
    by_source = MappingProxyType({(s.key, s.lang): s for s in sources})
    pages, aliases, child_keys = route(config, sources, by_source, data, drafts, memo, digest(outline, data.digest))
    by_key = MappingProxyType({(p.key, p.lang): p for p in pages})
    draft_keys = frozenset() if drafts else frozenset(p.key for p in sources if p.draft)
    return Site(
        config,
        pages,
        aliases,
        data,
        MappingProxyType(catalogs),
        templates,
        static_files,
        build_date(root),
        drafts,
        draft_keys,
        by_key,
        by_source,
        child_keys,
        outline,
    )


def route(
    config: Config,
    sources: list[SourcePage],
    by_source: Mapping[tuple[str, str], SourcePage],
    data: Data,
    drafts: bool,
    memo: Recall | None,
    key: str,
) -> tuple[tuple[Page, ...], tuple[Alias, ...], Mapping]:
    """Every page with its URL, the aliases and each section's children. Where each page is (its URL, and
    the file it comes from) is memoised under the outline and the data files; the pages are then made
    again from the loaded files, so they have their bodies as the files have them now, and share their
    strings instead of holding a second copy of every title in memory."""
    routed = memo.get("routes", key) if memo else None
    if memo:
        memo.keep_used("routes")  # the last outline's routes, no longer of use, leave memory now
    if routed is not None:
        places, aliases, child_keys = routed
        remade = tuple(
            place if isinstance(place, Page) else make_page(by_source[place[:2]], lang=place[2], path=place[3])
            for place in places
        )
        by_key = {(page.key, page.lang): page for page in remade}
        return (
            remade,
            tuple(
                Alias(path=path, target=by_key[target], source=source, line=line)
                for path, target, source, line in aliases
            ),
            child_keys,
        )
    pages, problems = Router(config, sources, data, drafts).pages()
    aliases, alias_problems = collect_aliases(pages, sources, config)
    problems += alias_problems + check_menus(config, pages)
    if problems:
        raise BuildError(problems)
    child_keys = child_index(pages)
    if memo:
        places = tuple(
            page if page.record else (page.key, original_lang(page, by_source, config), page.lang, page.path)
            for page in pages
        )
        memo.put(
            "routes",
            key,
            (places, tuple((a.path, (a.target.key, a.target.lang), a.source, a.line) for a in aliases), child_keys),
        )
    return tuple(pages), tuple(aliases), child_keys


def original_lang(page: Page, by_source: Mapping[tuple[str, str], SourcePage], config: Config) -> str:
    """The language of the file a page comes from: its own, or for a missing translation the original's."""
    if not page.missing:
        return page.lang
    return next(lang for lang in config.language_codes if (page.key, lang) in by_source)


def reload_bodies(site: Site, paths: Iterable[Path]) -> tuple[Site, list[tuple[str, str]]] | None:
    """The site after these files were saved, if they are existing pages whose bodies alone changed, with
    the (key, lang) of each (none, when no file was the site's); else None. A file that is no longer valid
    raises BuildError as a build would."""
    config = site.config
    content_dir, data_dir = config.path("content"), data_folder(config)
    sources = []
    for path in paths:
        if never_content(path, config):
            continue
        if (
            path.suffix != ".md"
            or not path.is_relative_to(content_dir)
            or path.is_relative_to(data_dir)
            or not path.is_file()
        ):
            return None
        sources.append(load_page(path, content_dir, config.language_codes, config.root, config.max_file_bytes))
    changed = with_bodies(site, sources)
    return (changed, [(source.key, source.lang) for source in sources]) if changed else None


def never_content(path: Path, config: Config) -> bool:
    """Editors' backups, lock files and probes (vim writes and deletes a file named 4913 next to the file
    it saves): names the build never reads, or a file gone from content/ that a page could not have been."""
    try:
        parts = path.relative_to(config.root).parts
    except ValueError:
        return False
    if any(is_ignored(part) for part in parts):
        return True
    return (
        not os.path.lexists(path)
        and path.suffix != ".md"
        and path.is_relative_to(config.path("content"))
        and not path.is_relative_to(data_folder(config))
    )


def with_bodies(site: Site, sources: list[SourcePage]) -> Site | None:
    """The site with these files' new bodies, or None when anything else in them changed (a title, a
    slug, a date...): then the pages, their URLs and everything listing them must be worked out again."""
    pages, by_key, known = list(site.pages), copy_of(site.by_key), copy_of(site.sources)
    for source in sources:
        key = (source.key, source.lang)
        old, page = known.get(key), by_key.get(key)
        if old is None or page is None or page.missing or old.identity != source.identity:
            return None
        known[key] = source
        by_key[key] = page._replace(body=source.body)
        pages[bisect.bisect_left(pages, (page.path, page.lang), key=lambda p: (p.path, p.lang))] = by_key[key]
    return replace(site, pages=tuple(pages), by_key=MappingProxyType(by_key), sources=MappingProxyType(known))


K = TypeVar("K")
V = TypeVar("V")


def copy_of(mapping: Mapping[K, V]) -> dict[K, V]:
    """A dict copy. MappingProxyType.copy() copies the dict behind it in one go, where dict() goes key by key."""
    return mapping.copy() if isinstance(mapping, (dict, MappingProxyType)) else dict(mapping)


def check_templates(templates: tuple[str, ...], sources: list[SourcePage], config: Config) -> list[Problem]:
    problems = []
    for name in REQUIRED_TEMPLATES:
        if name not in templates:
            problems.append(
                Problem(
                    relative(config.path("templates"), config.root) + "/" + name,
                    1,
                    f"the template '{name}' is missing",
                    "every site needs it; see README, 'Templates'",
                )
            )
    for page in sources:
        if page.template and page.template not in templates:
            problems.append(
                Problem(
                    page.source,
                    page.template_line,
                    f"unknown template '{page.template}'",
                    did_you_mean(page.template, templates) or f"choose one of: {', '.join(templates)}",
                )
            )
    for collection in config.collections.values():
        if collection.pages and collection.pages.template not in templates:
            problems.append(
                Problem(
                    "site.yaml",
                    1,
                    f"unknown template '{collection.pages.template}' for collection '{collection.name}'",
                    did_you_mean(collection.pages.template, templates),
                )
            )
    return problems


class Router:
    """Gives every page its URL path, adds generated pages and notices for missing translations."""

    def __init__(self, config: Config, sources: list[SourcePage], data: Data, drafts: bool):
        self.config = config
        self.languages = config.language_codes
        self.drafts = drafts
        self.sources = {(p.key, p.lang): p for p in sources}
        self.keys = sorted({p.key for p in sources})
        self.data = data
        self.problems: list[Problem] = []
        self.known_slugs: dict[tuple[str, str], tuple[str, ...]] = {}

    def pages(self) -> tuple[list[Page], list[Problem]]:
        pages = [self.page_for(key, lang) for key in self.keys for lang in self.languages]
        pages += self.generated_pages()
        pages = [p for p in pages if self.drafts or not p.draft]
        self.problems += path_collisions(pages)
        return sorted(pages, key=lambda p: (p.path, p.lang)), self.problems

    def any_source(self, key: str, lang: str) -> SourcePage | None:
        """The page in this language, else its original in the first language that has it."""
        found = self.sources.get((key, lang))
        return found or next(
            (self.sources[(key, other)] for other in self.languages if (key, other) in self.sources), None
        )

    def slugs(self, key: str, lang: str) -> tuple[str, ...]:
        """The URL segments from the home page down to this page (a section's are worked out once)."""
        if key == HOME_KEY:
            return ()
        known = self.known_slugs.get((key, lang))
        if known is not None:
            return known
        source = self.any_source(key, lang)
        is_section = key.endswith("/" + HOME_KEY)
        folder = key.rpartition("/")[0]
        own = source.slug if source else posixpath.basename(folder)
        parent_folder = folder.rpartition("/")[0] if is_section else folder
        parent = f"{parent_folder}/{HOME_KEY}" if parent_folder else HOME_KEY
        self.known_slugs[(key, lang)] = (*self.slugs(parent, lang), own)
        return self.known_slugs[(key, lang)]

    def page_for(self, key: str, lang: str) -> Page:
        path = f"{lang}/404.html" if key == NOT_FOUND_KEY else page_path(lang, self.slugs(key, lang))
        source = self.any_source(key, lang)
        assert source is not None, "every page's key comes from a file in some language"
        return make_page(source, lang, path)

    def generated_pages(self) -> list[Page]:
        pages = []
        for collection in self.config.collections.values():
            route = collection.pages
            if route is None:
                continue
            records = self.data.raw.get(collection.name) or []
            source = self.data.files.get(collection.name, "site.yaml")
            if (route.parent, self.languages[0]) not in self.sources:
                self.problems.append(
                    Problem(
                        "site.yaml",
                        1,
                        f"collection '{collection.name}' generates pages under '{route.parent}', which does not exist",
                        did_you_mean(route.parent, self.keys) or "create that section page",
                    )
                )
                continue
            for record in records:
                if isinstance(record, dict) and is_safe_slug(record.get("id")):
                    pages += [self.record_page(collection.name, route, record, lang, source) for lang in self.languages]
        return [p for p in pages if p is not None]

    def record_page(self, collection: str, route, record, lang: str, source: str) -> Page | None:
        slug = str(route.slug.get(lang) or "{id}").format_map(FormatFields(record))
        title = record.get(route.title_field)
        title = title.get(lang) if isinstance(title, dict) else title
        if not is_safe_slug(slug) or not isinstance(title, str):
            self.problems.append(
                Problem(
                    source,
                    record.line,
                    f"record '{record.get('id')}' gives no usable slug ('{slug}') or title ('{route.title_field}')",
                    "check the record and 'pages.slug' in site.yaml",
                )
            )
            return None
        return Page(
            key=f"{collection}/{record['id']}",
            lang=lang,
            source=source,
            title=title,
            menu_title=title,
            description="",
            date=None,
            draft=False,
            template=route.template,
            weight=0,
            extra=ReadOnlyDict(),
            body=NO_BODY,
            body_line=record.line,
            path=page_path(lang, (*self.slugs(route.parent, lang), slug)),
            line=record.line,
            is_section=False,
            parent_key=route.parent,
            record=(collection, record["id"]),
        )


def make_page(source: SourcePage, lang: str, path: str) -> Page:
    """The page at path in lang, from its file; a missing translation is a notice with the original's fields."""
    missing = source.lang != lang
    return Page(
        key=source.key,
        lang=lang,
        source=source.source,
        title=source.title,
        menu_title=source.menu_title,
        description=source.description,
        date=source.date,
        draft=source.draft,
        template="missing.html" if missing else source.template or default_template(source.key),
        weight=source.weight,
        extra=source.extra,
        body=NO_BODY if missing else source.body,
        body_line=source.body_line,
        path=path,
        line=source.slug_line,
        is_section=source.is_section,
        parent_key=parent_key(source.key),
        record=None,
        missing=missing,
    )


def parent_key(key: str) -> str | None:
    if key == HOME_KEY:
        return None
    folder = key.rpartition("/")[0]
    if key.endswith("/" + HOME_KEY):
        folder = folder.rpartition("/")[0]
    return f"{folder}/{HOME_KEY}" if folder else HOME_KEY


class FormatFields(dict):
    """Slug patterns may name any plain field of the record: '{id}'."""

    def __init__(self, record: Mapping[str, Any]):
        super().__init__({k: v for k, v in record.items() if isinstance(v, (str, int))})

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def default_template(key: str) -> str:
    if key == HOME_KEY:
        return "home.html"
    return "section.html" if key.endswith("/" + HOME_KEY) else "page.html"


def path_collisions(pages: list[Page]) -> list[Problem]:
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        other = seen.setdefault(page.path, page)
        if other is not page:
            problems.append(
                Problem(
                    page.source,
                    page.line,
                    f"this page and {other.source} both want the URL /{page.path}",
                    "give one of them another 'slug'",
                )
            )
    return problems


def collect_aliases(pages: list[Page], sources: list[SourcePage], config: Config) -> tuple[list[Alias], list[Problem]]:
    by_key = {(p.key, p.lang): p for p in pages}
    taken = {p.path for p in pages}
    aliases, problems = [], []
    for source in sources:
        target = by_key.get((source.key, source.lang))
        for alias, line in source.aliases:
            path = normalize_alias(alias)
            if path is None:
                problems.append(
                    Problem(
                        source.source,
                        line,
                        f"the alias '{alias}' is not a safe URL path",
                        "write it like /pl/old-page/ with lower-case letters, digits and hyphens",
                    )
                )
            elif path in taken:
                problems.append(
                    Problem(
                        source.source,
                        line,
                        f"the alias '{alias}' is already the URL of a page",
                        "remove the alias or change the other page's slug",
                    )
                )
            elif target is not None:
                taken.add(path)
                aliases.append(Alias(path=path, target=target, source=source.source, line=line))
    return aliases, problems


def check_menus(config: Config, pages: list[Page]) -> list[Problem]:
    keys = {p.key for p in pages}
    problems = []
    for name, entries in config.menus.items():
        for entry in entries:
            if entry.page not in keys:
                problems.append(
                    Problem(
                        "site.yaml",
                        entry.line,
                        f"menu '{name}' names '{entry.page}', which is not a page",
                        did_you_mean(entry.page, keys) or "use a source path such as 'networking/_index.md'",
                    )
                )
    return problems
