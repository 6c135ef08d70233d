"""Load everything into one immutable Site: config, pages with their URLs, data, catalogues.

Nothing here renders or writes; every problem found is collected and raised together.
"""

from __future__ import annotations

import bisect
import datetime
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

from ..clock import build_date
from ..digests import CODE, Recall, digest
from ..errors import BuildError, Problem, did_you_mean
from .config import CONFIG_FILE, Config, load_config
from .content import SourcePage, load_page, load_pages
from .data import Data, data_folder, load_data
from .editor import runtime_files
from .files import FileStatus, is_ignored, list_inputs, relative, under
from .history import read_history
from .i18n import LanguageCatalog, load_catalog
from .routes import Alias, Page, Router, check_menus, collect_aliases, make_page, mark_outdated
from .schema import ReadOnlyDict

REQUIRED_TEMPLATES = ("base.html", "missing.html", "404.html", "chooser.html", "redirect.html")


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
    editor_files: Mapping[str, str] = field(default_factory=dict)  # /admin/ file from npm -> its path from root

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
    history_state: str | None = None,
) -> Site:
    """listing: the site's files as list_inputs() gives them, if the caller has already listed them, and
    history_state: the commit checked out, if it has asked git (loading.history). memo and map_all: what
    the speed layer lends to skip and spread work; without them all is done here."""
    config = load_config(root, base_url)
    listing = list_inputs(config) if listing is None else listing
    dates = read_history(root, config.path("content"), memo, history_state)
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
    editor_files, editor_problems = runtime_files(config, listing)
    problems += page_problems + data_problems + editor_problems
    problems += check_templates(templates, sources, config)
    if problems:
        raise BuildError(problems)
    # Editing a page's body leaves the outline as it was, and with it every page's URL, title and place.
    outline = digest(
        CODE, (root / CONFIG_FILE).read_bytes(), config.base_url, drafts, sorted(source.identity for source in sources)
    )
    by_source = MappingProxyType({(s.key, s.lang): s for s in sources})
    pages, aliases, child_keys = route(
        config, sources, by_source, data, drafts, memo, digest(outline, data.digest), dates
    )
    pages = mark_outdated(pages, config.default_language)
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
        MappingProxyType(editor_files),
    )


def route(
    config: Config,
    sources: list[SourcePage],
    by_source: Mapping[tuple[str, str], SourcePage],
    data: Data,
    drafts: bool,
    memo: Recall | None,
    key: str,
    dates: Mapping[str, datetime.date],
) -> tuple[tuple[Page, ...], tuple[Alias, ...], Mapping]:
    """Every page with its URL, the aliases and each section's children. Where each page is (its URL, and
    the file it comes from) is memoised under the outline and the data files; the pages are then made
    again from the loaded files, so they have their bodies as the files have them now, and share their
    strings instead of holding a second copy of every title in memory. dates (each file's last commit)
    are not in the key: a commit changes no page's place, so they are given to the pages afterwards."""
    routed = memo.get("routes", key) if memo else None
    if memo:
        memo.keep_used("routes")  # the last outline's routes, no longer of use, leave memory now
    if routed is not None:
        places, aliases, child_keys = routed
        remade = tuple(
            redated(place, dates)
            if isinstance(place, Page)
            else make_page(by_source[place[:2]], lang=place[2], path=place[3], dates=dates)
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
    pages, problems = Router(config, sources, data, drafts, dates).pages()
    aliases, alias_problems = collect_aliases(pages, sources, config)
    problems += alias_problems + check_menus(config, pages)
    if problems:
        raise BuildError(problems)
    child_keys = child_index(pages)
    if memo:
        places = tuple(
            page if page.from_data else (page.key, original_lang(page, by_source, config), page.lang, page.path)
            for page in pages
        )
        memo.put(
            "routes",
            key,
            (places, tuple((a.path, (a.target.key, a.target.lang), a.source, a.line) for a in aliases), child_keys),
        )
    return tuple(pages), tuple(aliases), child_keys


def redated(page: Page, dates: Mapping[str, datetime.date]) -> Page:
    """A page made from a data record, as the routing memo kept it, with its data file's date now."""
    updated = dates.get(page.source)
    return page if page.updated == updated else page._replace(updated=updated)


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
        routes = [(collection.pages.template, 1)] if collection.pages else []
        routes += [(group.template, group.line) for group in collection.group_pages]
        for template, line in routes:
            if template not in templates:
                problems.append(
                    Problem(
                        "site.yaml",
                        line,
                        f"unknown template '{template}' for collection '{collection.name}'",
                        did_you_mean(template, templates),
                    )
                )
    for exception in config.server.csp_exceptions:
        for template in exception.templates:
            if template not in templates:
                problems.append(
                    Problem(
                        "site.yaml",
                        exception.line,
                        f"unknown template '{template}' in 'server.csp_exceptions'",
                        did_you_mean(template, templates) or f"choose one of: {', '.join(templates)}",
                    )
                )
    return problems
