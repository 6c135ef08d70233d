"""Routing: every page in every language gets its URL path; pages made from data records and notices for
translations not written yet join them; aliases and menus are checked against the result."""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..errors import Problem, did_you_mean
from .config import Config, GroupRoute
from .content import NO_BODY, SECTION_INDEX, Body, SourcePage
from .data import Data, values_at
from .i18n import Formatter
from .schema import ReadOnlyDict
from .urls import is_safe_slug, normalize_alias, page_path, slugify

HOME_KEY = f"{SECTION_INDEX}.md"
NOT_FOUND_KEY = "404.md"  # rendered to <lang>/404.html, where static hosts look for it


class Group(NamedTuple):
    """What a page made for one value of a field stands for: the records of `collection` whose `field` holds
    `value`; `label` names the value in the page's language."""

    collection: str
    field: str
    value: str | int
    label: str


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
    updated: datetime.date | None = None  # "Last updated": see page_updated
    # A translation whose original (in the default language) was updated after it: the original's date.
    original_updated: datetime.date | None = None
    group: Group | None = None  # for a page generated for one value of a field (group_pages)

    @property
    def from_data(self) -> bool:
        """Made from data records rather than from a file: a record's page or a group's."""
        return self.record is not None or self.group is not None


@dataclass(frozen=True)
class Alias:
    path: str
    target: Page
    source: str
    line: int


class Router:
    """Gives every page its URL path, adds generated pages and notices for missing translations."""

    def __init__(
        self,
        config: Config,
        sources: list[SourcePage],
        data: Data,
        drafts: bool,
        dates: Mapping[str, datetime.date],
    ):
        """dates: each file's last commit (loading.history)."""
        self.config = config
        self.dates = dates
        self.languages = config.language_codes
        self.drafts = drafts
        self.sources = {(p.key, p.lang): p for p in sources}
        self.keys = sorted({p.key for p in sources})
        self.data = data
        self.problems: list[Problem] = []
        self.known_slugs: dict[tuple[str, str], tuple[str, ...]] = {}
        self.formatters: dict[str, Formatter] = {}

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
        return make_page(source, lang, path, self.dates)

    def generated_pages(self) -> list[Page]:
        pages: list[Page | None] = []
        for collection in self.config.collections.values():
            records = self.data.raw.get(collection.name) or []
            source = self.data.files.get(collection.name, "site.yaml")
            route = collection.pages
            if route is not None and self.parent_exists(collection.name, route.parent, 1):
                for record in records:
                    if isinstance(record, dict) and is_safe_slug(record.get("id")):
                        pages += [
                            self.record_page(collection.name, route, record, lang, source) for lang in self.languages
                        ]
            for group in collection.group_pages:
                if self.parent_exists(collection.name, group.parent, group.line):
                    pages += self.group_pages(collection.name, group, records, source)
        return [p for p in pages if p is not None]

    def parent_exists(self, collection: str, parent: str, line: int) -> bool:
        if (parent, self.languages[0]) in self.sources:
            return True
        self.problems.append(
            Problem(
                "site.yaml",
                line,
                f"collection '{collection}' generates pages under '{parent}', which does not exist",
                did_you_mean(parent, self.keys) or "create that section page",
            )
        )
        return False

    def group_pages(self, collection: str, route: GroupRoute, records: list, source: str) -> list[Page | None]:
        """A page per distinct value of the route's field, in every language."""
        first_lines: dict[str | int, int] = {}
        for value, line in values_at(records, route.field.split(".")):
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                first_lines.setdefault(value, line)
            else:
                self.problems.append(
                    Problem(
                        source,
                        line,
                        f"'{route.field}' must be a plain text or number to have a page per value",
                        f"or remove group_pages.{route.field} from collection '{collection}' in site.yaml",
                    )
                )
        return [
            self.group_page(collection, route, value, line, lang, source)
            for value, line in sorted(first_lines.items(), key=lambda item: str(item[0]))
            for lang in self.languages
        ]

    def group_page(
        self, collection: str, route: GroupRoute, value: str | int, line: int, lang: str, source: str
    ) -> Page | None:
        label = self.label(route, value, lang)
        fields = {"label": slugify(label), "value": slugify(str(value))}
        slug = str(route.slug.get(lang) or "{label}").format_map(FormatFields(fields))
        title = str(route.title.get(lang) or "{label}").format_map(FormatFields({"label": label}))
        if not is_safe_slug(slug):
            self.problems.append(
                Problem(
                    source,
                    line,
                    f"the page for '{route.field}: {value}' gives no usable slug ('{slug}')",
                    f"check group_pages.{route.field}.slug in site.yaml: it may use {{label}} and {{value}}",
                )
            )
            return None
        return Page(
            key=f"{collection}/{route.field}/{value}",
            lang=lang,
            source=source,
            title=title,
            menu_title=label,
            description="",
            date=None,
            draft=False,
            template=route.template,
            weight=0,
            extra=ReadOnlyDict(),
            body=NO_BODY,
            body_line=line,
            path=page_path(lang, (*self.slugs(route.parent, lang), slug)),
            line=line,
            is_section=False,
            parent_key=route.parent,
            group=Group(collection, route.field, value, label),
            updated=self.dates.get(source),  # as a record's page: its data file's last commit
        )

    def label(self, route: GroupRoute, value: str | int, lang: str) -> str:
        if route.label is None:
            return str(value)
        if lang not in self.formatters:
            locale = next(language.locale for language in self.config.languages if language.code == lang)
            self.formatters[lang] = Formatter(lang, locale)
        return str(getattr(self.formatters[lang], route.label)(value))

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
            updated=self.dates.get(source),
        )


def make_page(source: SourcePage, lang: str, path: str, dates: Mapping[str, datetime.date]) -> Page:
    """The page at path in lang, from its file; a missing translation is a notice with the original's fields.
    dates: each file's last commit (loading.history)."""
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
        updated=None if missing else page_updated(source, dates),
    )


def mark_outdated(pages: tuple[Page, ...], default: str) -> tuple[Page, ...]:
    """Translations older than their original, by the days their files were last updated: each gets the
    original's date, for a notice to its readers. Pages of one day are taken as current."""
    updated = {page.key: page.updated for page in pages if page.lang == default and not page.missing}
    marked = []
    for page in pages:
        original = updated.get(page.key) if page.lang != default and not page.missing else None
        stale = original is not None and page.updated is not None and original > page.updated
        marked.append(page._replace(original_updated=original) if stale else page)
    return tuple(marked)


def page_updated(source: SourcePage, dates: Mapping[str, datetime.date]) -> datetime.date | None:
    """A page's "Last updated" date: its front matter's `updated`, an editor's explicit word, else the date of
    the last commit that changed its file. A notice for a missing translation has none: the original's
    date is not the notice's. A page made from data records has its data file's date (Router.record_page)."""
    return source.updated or dates.get(source.source)


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
