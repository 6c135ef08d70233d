"""site.yaml -> one typed, immutable Config. Every problem is reported, each with its line."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from ..errors import BuildError, Problem, did_you_mean
from .exports import Exports, read_exports
from .files import decode
from .schema import Localized, check_keys, check_type, freeze, is_localized, is_type, language_problems, line_of
from .server import ServerConfig, read_server
from .yamlsrc import LineList, LineMap, load_yaml

CONFIG_FILE = "site.yaml"
TOP_KEYS = (
    "title",
    "description",
    "base_url",
    "languages",
    "paths",
    "menu",
    "footer",
    "collections",
    "markdown",
    "limits",
    "feeds",
    "organization",
    "contact",
    "exports",
    "editor",
    "server",
)
PATH_KEYS = ("content", "templates", "locales", "output", "static")
LANGUAGE_KEYS = ("name", "locale", "default")
COLLECTION_KEYS = ("required", "references", "countries", "choices", "pages", "group_pages")
PAGES_KEYS = ("template", "parent", "slug", "title")
GROUP_PAGES_KEYS = ("template", "parent", "slug", "title", "label")
# How a group page may name its value: through Babel, as the template filters of the same names do.
GROUP_LABELS = ("country", "language_name")
EDITOR_KEYS = ("enabled", "backend", "local_backend", "locale")
# Decap CMS's git backends (decapcms.org/docs/backends-overview); `proxy` and `test-repo` are for development.
EDITOR_BACKENDS = ("github", "gitlab", "gitea", "bitbucket", "azure", "git-gateway", "aws-cognito-github-proxy")
BACKENDS_WITH_REPO = ("github", "gitlab", "gitea", "bitbucket", "azure")
DECAP_SERVER_PORT = 8081  # decap-server's own default
DEFAULT_MAX_FILE_BYTES = 2_000_000
DEFAULT_MARKDOWN_SECONDS = 10


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    locale: str


@dataclass(frozen=True)
class MenuEntry:
    page: str
    line: int


@dataclass(frozen=True)
class PagesRoute:
    template: str
    parent: str
    slug: Localized
    title_field: str


@dataclass(frozen=True)
class GroupRoute:
    """One page per distinct value of a field of a collection's records (group_pages in site.yaml)."""

    field: str  # a field path, e.g. 'country' or 'events.place'
    template: str
    parent: str
    slug: Localized  # patterns with {label} and {value}, slugified
    title: Localized  # patterns with {label}
    label: str | None  # a name in GROUP_LABELS, or None: the value itself
    line: int


@dataclass(frozen=True)
class Collection:
    name: str
    required: tuple[str, ...] = ()
    references: Mapping[str, str] = field(default_factory=dict)
    countries: tuple[str, ...] = ()
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    pages: PagesRoute | None = None
    group_pages: tuple[GroupRoute, ...] = ()


@dataclass(frozen=True)
class Logo:
    src: str
    alt: Localized
    url: str | None = None


@dataclass(frozen=True)
class Editor:
    """The browser editor under /admin/ (README, "The browser editor")."""

    backend: Mapping[str, Any]  # Decap CMS's `backend` settings, as site.yaml gives them
    local_port: int | None  # decap-server on the editor's own machine, for editing a clone; None: not offered
    locale: str  # the language of the editor's own interface
    line: int  # of `editor:` in site.yaml, for messages


@dataclass(frozen=True)
class Config:
    root: Path
    title: Localized
    description: Localized
    base_url: str
    languages: tuple[Language, ...]
    paths: Mapping[str, Path]
    menus: Mapping[str, tuple[MenuEntry, ...]]
    footer_logos: tuple[Logo, ...]
    collections: Mapping[str, Collection]
    allow_html: bool
    max_file_bytes: int
    feeds: Mapping[str, str]
    organization: Any
    contact: Any  # where a visitor finds help, in the same place on every page
    markdown_seconds: float = DEFAULT_MARKDOWN_SECONDS
    exports: Exports = field(default_factory=Exports)  # the collections published as open data files
    editor: Editor | None = None  # None: no editor is shipped
    server: ServerConfig = field(default_factory=ServerConfig)  # the response headers the web server sends

    @functools.cached_property  # asked for on every page
    def default_language(self) -> str:
        return self.languages[0].code

    @functools.cached_property  # asked for on every page
    def language_codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    @functools.cached_property  # asked for on every page
    def base_path(self) -> str:
        """The URL path the site lives under, always starting and ending with '/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @functools.cached_property  # asked for on every page
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""

    def path(self, name: str) -> Path:
        return self.paths[name]


def load_config(root: Path, base_url: str | None = None) -> Config:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise BuildError(
            [
                Problem(
                    CONFIG_FILE, 1, "site.yaml not found", f"run the command from the site's folder (looked in {root})"
                )
            ]
        )
    raw = load_yaml(decode(path.read_bytes(), CONFIG_FILE), CONFIG_FILE)
    if not isinstance(raw, LineMap):
        raise BuildError([Problem(CONFIG_FILE, 1, "site.yaml must be a mapping of keys", "see README, 'site.yaml'")])
    return ConfigReader(root, raw).read(base_url)


class ConfigReader:
    """Reads every section, collecting problems instead of stopping at the first."""

    def __init__(self, root: Path, raw: LineMap):
        self.root = root
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(CONFIG_FILE, line, message, hint))

    def read(self, base_url_override: str | None) -> Config:
        check_keys(self.raw, TOP_KEYS, "site.yaml", CONFIG_FILE, self.problems)
        for key in ("title", "languages", "base_url"):
            if key not in self.raw:
                self.problem(1, f"missing required key '{key}'", "see README, 'site.yaml'")
        languages = self.read_languages()
        limits = self.section("limits")
        check_keys(limits, ("max_file_bytes", "markdown_seconds"), "limits", CONFIG_FILE, self.problems)
        codes = tuple(language.code for language in languages)
        collections = self.read_collections(codes)
        config = Config(
            root=self.root,
            title=self.localized("title", codes, required=True),
            description=self.localized("description", codes),
            base_url=self.read_base_url(base_url_override),
            languages=languages,
            paths=self.read_paths(),
            menus=self.read_menus(),
            footer_logos=self.read_logos(codes),
            collections=collections,
            allow_html=self.read_markdown(),
            max_file_bytes=self.read_limit(limits, "max_file_bytes", DEFAULT_MAX_FILE_BYTES),
            markdown_seconds=self.read_limit(limits, "markdown_seconds", DEFAULT_MARKDOWN_SECONDS),
            feeds=self.read_feeds(),
            organization=freeze(self.raw.get("organization") or {}),
            contact=freeze(self.raw.get("contact") or {}),
            exports=read_exports(
                self.raw,
                codes,
                collections,
                lambda key, parent, where: self.localized(key, codes, parent=parent, where=where),
                self.problems,
            ),
            editor=self.read_editor(codes),
            server=read_server(self.raw, self.problems),
        )
        for key in ("organization", "contact"):
            self.problems += language_problems(self.raw.get(key), codes, CONFIG_FILE)
        if self.problems:
            raise BuildError(self.problems)
        return config

    def section(self, key: str) -> LineMap:
        value = self.raw.get(key)
        if value is None:
            return LineMap()
        if not isinstance(value, LineMap):
            self.problem(self.raw.line_of(key), f"'{key}' must be a mapping of keys", "see README, 'site.yaml'")
            return LineMap()
        return value

    def localized(
        self,
        key: str,
        codes: tuple[str, ...],
        required: bool = False,
        parent: LineMap | None = None,
        where: str | None = None,
    ) -> Localized:
        parent = self.raw if parent is None else parent
        value = parent.get(key)
        line = parent.line_of(key)
        where = where or key
        if value is None:
            if required:
                self.problem(line, f"'{where}' is empty", "give a text per language: {pl: ..., en: ...}")
            return Localized(MappingProxyType({}))
        if isinstance(value, str):
            return Localized(MappingProxyType(dict.fromkeys(codes, value)))
        if is_localized(value, codes) and all(isinstance(v, str) for v in value.values()):
            if required:
                for code in codes:
                    if code not in value:
                        self.problem(line, f"'{where}' has no '{code}' text", f"add '{code}: ...' under '{where}'")
            return Localized(MappingProxyType(dict(value)))
        unknown = [k for k in value if k not in codes] if isinstance(value, dict) else []
        hint = did_you_mean(unknown[0], codes) if unknown else ""
        self.problem(
            line,
            f"'{where}' must be a text or a mapping of language codes ({', '.join(codes)})",
            hint or "write e.g. {pl: Tekst, en: Text}",
        )
        return Localized(MappingProxyType({}))

    def read_languages(self) -> tuple[Language, ...]:
        section = self.section("languages")
        languages: list[Language] = []
        defaults = []
        for code, spec in section.items():
            line = section.line_of(code)
            if not isinstance(code, str) or not code.isalpha() or not code.islower():
                self.problem(line, f"language code '{code}' must be lower-case letters", "use ISO 639-1, e.g. 'pl'")
                continue
            if not isinstance(spec, LineMap):
                self.problem(
                    line,
                    f"language '{code}' must be a mapping with 'name' and 'locale'",
                    "write e.g. 'pl: {name: Polski, locale: pl_PL}'",
                )
                continue
            check_keys(spec, LANGUAGE_KEYS, f"language '{code}'", CONFIG_FILE, self.problems)
            name, locale = spec.get("name"), spec.get("locale", code)
            if not check_type(name, str, f"languages.{code}.name", CONFIG_FILE, spec.line_of("name"), self.problems):
                continue
            if not check_type(
                locale, str, f"languages.{code}.locale", CONFIG_FILE, spec.line_of("locale"), self.problems
            ) or not self.known_locale(locale, spec.line_of("locale")):
                continue
            if spec.get("default"):
                defaults.append(code)
            languages.append(Language(code=code, name=name, locale=locale))
        if section and len(languages) < 2 and not self.problems:
            self.problem(section.line, "a bilingual site needs at least two languages", "add both 'pl' and 'en'")
        if len(defaults) > 1:
            self.problem(section.line, "more than one language is marked 'default: true'", "keep one")
        if defaults:
            languages.sort(key=lambda language: language.code != defaults[0])
        return tuple(languages)

    def known_locale(self, locale: str, line: int) -> bool:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(locale)
            return True
        except (UnknownLocaleError, ValueError):
            self.problem(line, f"unknown locale '{locale}'", "use a locale such as pl_PL or en_GB")
            return False

    def read_base_url(self, override: str | None) -> str:
        value = override if override is not None else self.raw.get("base_url", "/")
        line = 1 if override is not None else self.raw.line_of("base_url")
        if not isinstance(value, str):
            self.problem(line, "'base_url' must be a URL", "write e.g. https://example.gov.pl/")
            return "/"
        parts = urlsplit(value)
        if parts.scheme not in ("", "http", "https") or parts.query or parts.fragment:
            self.problem(
                line,
                f"'base_url' '{value}' is not an http(s) URL or a path",
                "write e.g. https://example.gov.pl/ or /sub/path/",
            )
        return value if value.endswith("/") else value + "/"

    def read_paths(self) -> Mapping[str, Path]:
        section = self.section("paths")
        check_keys(section, PATH_KEYS, "paths", CONFIG_FILE, self.problems)
        paths = {}
        for name in PATH_KEYS:
            value = section.get(name, name)
            if not check_type(value, str, f"paths.{name}", CONFIG_FILE, section.line_of(name), self.problems):
                value = name
            resolved = (self.root / value).resolve()
            if not resolved.is_relative_to(self.root.resolve()) or resolved == self.root.resolve():
                self.problem(
                    section.line_of(name),
                    f"'paths.{name}' must be a folder inside the site's folder",
                    f"use a relative path such as '{name}'",
                )
                resolved = self.root / name
            paths[name] = resolved
        return MappingProxyType(paths)

    def read_menus(self) -> Mapping[str, tuple[MenuEntry, ...]]:
        section = self.section("menu")
        menus = {}
        for name, entries in section.items():
            if not isinstance(entries, LineList) or not all(isinstance(e, str) for e in entries):
                self.problem(
                    section.line_of(name),
                    f"menu '{name}' must be a list of page source paths",
                    "write e.g. '- networking/_index.md'",
                )
                continue
            menus[name] = tuple(MenuEntry(page=entry, line=entries.line_of(i)) for i, entry in enumerate(entries))
        return MappingProxyType(menus)

    def read_logos(self, codes: tuple[str, ...]) -> tuple[Logo, ...]:
        footer = self.section("footer")
        check_keys(footer, ("logos", "max_logos"), "footer", CONFIG_FILE, self.problems)
        logos = footer.get("logos") or LineList()
        if not isinstance(logos, LineList):
            self.problem(footer.line_of("logos"), "'footer.logos' must be a list", "see README, 'site.yaml'")
            return ()
        result = []
        for index, logo in enumerate(logos):
            if not isinstance(logo, LineMap):
                self.problem(logos.line_of(index), "a logo must be a mapping with 'src' and 'alt'", "")
                continue
            check_keys(logo, ("src", "alt", "url"), "a footer logo", CONFIG_FILE, self.problems)
            src = logo.get("src")
            if check_type(src, str, "footer.logos.src", CONFIG_FILE, logo.line_of("src"), self.problems):
                alt = self.localized("alt", codes, required=True, parent=logo, where="footer.logos.alt")
                result.append(Logo(src=src, alt=alt, url=logo.get("url")))
        limit = footer.get("max_logos")
        if limit is not None and not (isinstance(limit, int) and not isinstance(limit, bool) and limit > 0):
            self.problem(footer.line_of("max_logos"), "'footer.max_logos' must be a whole number above 0", "e.g. 4")
        elif limit is not None and len(result) > limit:
            self.problem(
                logos.line,
                f"the footer may show at most {limit} logos (footer.max_logos)",
                "remove a logo, or raise footer.max_logos if the rules you follow allow it",
            )
        return tuple(result)

    def read_collections(self, codes: tuple[str, ...]) -> Mapping[str, Collection]:
        section = self.section("collections")
        collections = {}
        for name, spec in section.items():
            if not isinstance(spec, LineMap):
                self.problem(section.line_of(name), f"collection '{name}' must be a mapping", "")
                continue
            check_keys(spec, COLLECTION_KEYS, f"collection '{name}'", CONFIG_FILE, self.problems)
            collections[name] = Collection(
                name=name,
                required=tuple(self.string_list(spec, "required")),
                references=MappingProxyType(dict(self.string_map(spec, "references"))),
                countries=tuple(self.string_list(spec, "countries")),
                choices=MappingProxyType({k: tuple(v) for k, v in (spec.get("choices") or {}).items()}),
                pages=self.read_pages_route(spec, codes),
                group_pages=self.read_group_routes(spec, codes),
            )
        for name, collection in collections.items():
            for target in collection.references.values():
                if target not in collections:
                    self.problem(
                        line_of(section[name], "references"),
                        f"collection '{name}' refers to unknown collection '{target}'",
                        did_you_mean(target, collections) or "declare it under 'collections'",
                    )
        return MappingProxyType(collections)

    def read_pages_route(self, spec: LineMap, codes: tuple[str, ...]) -> PagesRoute | None:
        pages = spec.get("pages")
        if pages is None:
            return None
        if not isinstance(pages, LineMap):
            self.problem(spec.line_of("pages"), "'pages' must be a mapping", "give template, parent and slug")
            return None
        check_keys(pages, PAGES_KEYS, "pages", CONFIG_FILE, self.problems)
        for key in ("template", "parent"):
            check_type(pages.get(key), str, f"pages.{key}", CONFIG_FILE, pages.line_of(key), self.problems)
        slug = self.localized("slug", codes, parent=pages, where="pages.slug")
        if not slug.values:
            slug = Localized(MappingProxyType(dict.fromkeys(codes, "{id}")))
        return PagesRoute(
            template=str(pages.get("template")),
            parent=str(pages.get("parent")),
            slug=slug,
            title_field=str(pages.get("title", "name")),
        )

    def read_group_routes(self, spec: LineMap, codes: tuple[str, ...]) -> tuple[GroupRoute, ...]:
        groups = spec.get("group_pages")
        if groups is None:
            return ()
        if not isinstance(groups, LineMap):
            self.problem(
                spec.line_of("group_pages"),
                "'group_pages' must map field names to page settings",
                "write e.g. 'country: {template: group.html, parent: section/_index.md}'",
            )
            return ()
        routes = []
        for field_path, pages in groups.items():
            where = f"group_pages.{field_path}"
            if not isinstance(pages, LineMap):
                self.problem(groups.line_of(field_path), f"'{where}' must be a mapping", "give template and parent")
                continue
            check_keys(pages, GROUP_PAGES_KEYS, where, CONFIG_FILE, self.problems)
            for key in ("template", "parent"):
                check_type(pages.get(key), str, f"{where}.{key}", CONFIG_FILE, pages.line_of(key), self.problems)
            label = pages.get("label")
            if label is not None and label not in GROUP_LABELS:
                self.problem(
                    pages.line_of("label"),
                    f"'{where}.label' is '{label}', not one of: {', '.join(GROUP_LABELS)}",
                    did_you_mean(str(label), GROUP_LABELS) or "leave it out to show the value itself",
                )
                label = None
            slug = self.localized("slug", codes, parent=pages, where=f"{where}.slug")
            title = self.localized("title", codes, parent=pages, where=f"{where}.title")
            routes.append(
                GroupRoute(
                    field=str(field_path),
                    template=str(pages.get("template")),
                    parent=str(pages.get("parent")),
                    slug=slug if slug.values else Localized(MappingProxyType(dict.fromkeys(codes, "{label}"))),
                    title=title if title.values else Localized(MappingProxyType(dict.fromkeys(codes, "{label}"))),
                    label=label,
                    line=groups.line_of(field_path),
                )
            )
        return tuple(routes)

    def string_list(self, spec: LineMap, key: str) -> list[str]:
        value = spec.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(spec.line_of(key), f"'{key}' must be a list of field names", "")
            return []
        return list(value)

    def string_map(self, spec: LineMap, key: str) -> dict[str, str]:
        value = spec.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.problem(spec.line_of(key), f"'{key}' must map field names to collection names", "")
            return {}
        return dict(value)

    def read_markdown(self) -> bool:
        section = self.section("markdown")
        check_keys(section, ("allow_html",), "markdown", CONFIG_FILE, self.problems)
        value = section.get("allow_html", False)
        check_type(value, bool, "markdown.allow_html", CONFIG_FILE, section.line_of("allow_html"), self.problems)
        return value is True

    def read_limit(self, section: LineMap, key: str, default: int) -> int:
        value = section.get(key, default)
        if not check_type(value, int, f"limits.{key}", CONFIG_FILE, section.line_of(key), self.problems):
            return default
        if value <= 0:
            self.problem(section.line_of(key), f"'limits.{key}' must be more than 0", f"the default is {default}")
            return default
        return value

    def read_editor(self, codes: tuple[str, ...]) -> Editor | None:
        section = self.section("editor")
        check_keys(section, EDITOR_KEYS, "editor", CONFIG_FILE, self.problems)
        enabled = section.get("enabled", False)
        check_type(enabled, bool, "editor.enabled", CONFIG_FILE, section.line_of("enabled"), self.problems)
        backend = section.get("backend")
        if enabled is not True:
            return None
        if not isinstance(backend, LineMap) or not isinstance(backend.get("name"), str):
            self.problem(
                section.line_of("backend") if "backend" in section else section.line,
                "the editor needs 'backend' with the 'name' of a git host",
                "e.g. 'backend: {name: github, repo: owner/name, branch: main}' (README, 'The browser editor')",
            )
            return None
        name = backend["name"]
        if name not in EDITOR_BACKENDS:
            self.problem(
                backend.line_of("name"),
                f"unknown editor backend '{name}'",
                did_you_mean(name, EDITOR_BACKENDS) or f"use one of: {', '.join(EDITOR_BACKENDS)}",
            )
        elif name in BACKENDS_WITH_REPO and not isinstance(backend.get("repo"), str):
            self.problem(backend.line, f"the '{name}' backend needs 'repo'", "write e.g. 'repo: owner/name'")
        local = section.get("local_backend", False)
        if local is True:
            local = DECAP_SERVER_PORT
        if local is not False and not (is_type(local, int) and 0 < local < 65536):
            self.problem(
                section.line_of("local_backend"),
                "'editor.local_backend' must be true, false or a port number",
                f"true uses decap-server's port {DECAP_SERVER_PORT}",
            )
            local = False
        locale = section.get("locale", codes[0] if codes else "en")
        if not isinstance(locale, str) or not locale.replace("_", "").isalpha():
            self.problem(section.line_of("locale"), "'editor.locale' must be a language code", "e.g. pl or en")
            locale = "en"
        return Editor(
            backend=freeze(dict(backend)),
            local_port=local or None,
            locale=locale,
            line=self.raw.line_of("editor"),
        )

    def read_feeds(self) -> Mapping[str, str]:
        section = self.section("feeds")
        check_keys(section, ("section",), "feeds", CONFIG_FILE, self.problems)
        return MappingProxyType({k: v for k, v in section.items() if isinstance(v, str)})
