"""content/**/<name>.<lang>.md -> SourcePage values: front matter checked, nothing rendered yet."""

from __future__ import annotations

import datetime
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from ..digests import CODE, Recall, digest
from ..errors import BuildError, Problem, did_you_mean
from .files import FileStatus, read_text, relative
from .frontmatter import split_front_matter
from .schema import check_keys, check_type, freeze
from .urls import is_safe_slug, slugify

SECTION_INDEX = "_index"
RACY_SECONDS = 2
FILE_NAME = re.compile(r"^(?P<name>[^.]+)\.(?P<lang>[^.]+)\.md$")
FRONT_MATTER: Mapping[str, type] = MappingProxyType(
    {
        "title": str,
        "slug": str,
        "description": str,
        "date": datetime.date,
        "updated": datetime.date,
        "draft": bool,
        "template": str,
        "menu": str,
        "weight": int,
        "aliases": list,
        "extra": dict,
    }
)


class Body(NamedTuple):
    """Where a page's Markdown is, and its digest; the text itself is read only when the page is converted,
    so that a big site's bodies are never all in memory. A tuple: 20,000 of them unpickle and compare fast."""

    file: str  # path relative to the site's folder
    offset: int  # where the body starts in the file's text
    digest: str  # of the body text: part of the conversion's key
    blank: bool  # nothing but white space: nothing to convert
    placeholders: bool  # has '{{ data... }}' values: the data files are part of the conversion's key


NO_BODY = Body(file="", offset=0, digest="", blank=True, placeholders=False)


def body_of(text: str, shown: str, offset: int) -> Body:
    body = text[offset:]
    return Body(
        file=shown,
        offset=offset,
        digest=digest(body.encode("utf-8")),
        blank=not body.strip(),
        placeholders="{{" in body,
    )


def read_body(root: Path, body: Body, max_bytes: int) -> str:
    """The body's text, as long as the file still holds what the build loaded."""
    text = read_text(root / body.file, root, max_bytes)[body.offset :]
    if digest(text.encode("utf-8")) != body.digest:
        raise BuildError(
            [
                Problem(
                    body.file,
                    1,
                    "the file changed while the site was being built",
                    "build again once you have saved it",
                )
            ]
        )
    return text


class SourcePage(NamedTuple):
    """One language version of one page, as its file says. A tuple, as one per page is unpickled on every
    build, and tuples unpickle faster than dataclasses."""

    source: str  # path relative to the site's folder, for messages
    key: str  # language-neutral source path: 'about/team.md'
    lang: str
    is_section: bool
    title: str
    slug: str
    slug_line: int
    description: str
    date: datetime.date | None
    updated: datetime.date | None  # the front matter's "last updated" date, which wins over git's
    draft: bool
    template: str | None
    template_line: int
    menu_title: str
    weight: int
    aliases: tuple[tuple[str, int], ...]
    extra: Any
    body: Body
    body_line: int
    identity: str = ""  # digest of every field but the body: the page's part in the site's structure


def parse_file_name(path: Path, content_dir: Path, languages: tuple[str, ...], root: Path) -> tuple[str, str]:
    """(key, lang) for a page file, or a BuildError naming the file."""
    shown = relative(path, root)
    match = FILE_NAME.match(path.name)
    if path.suffix != ".md":
        raise BuildError(
            [
                Problem(
                    shown,
                    1,
                    "only Markdown pages (.md) belong in content/",
                    "put images and documents in static/, data in content/data/",
                )
            ]
        )
    if not match:
        raise BuildError(
            [
                Problem(
                    shown,
                    1,
                    "a page file must be named <name>.<language>.md",
                    f"rename it, e.g. to {path.stem}.{languages[0]}.md",
                )
            ]
        )
    lang = match["lang"]
    if lang not in languages:
        hint = did_you_mean(lang, languages) or f"use one of: {', '.join(languages)}"
        raise BuildError([Problem(shown, 1, f"unknown language '{lang}' in the file name", hint)])
    folder = relative(path.parent, content_dir) if path.parent != content_dir else "."
    name = match["name"] + ".md"
    # macOS may hand over a name's letters decomposed (NFD); links and menus name pages as typed (NFC).
    return unicodedata.normalize("NFC", f"{folder}/{name}" if folder != "." else name), lang


def load_page(path: Path, content_dir: Path, languages: tuple[str, ...], root: Path, max_bytes: int) -> SourcePage:
    text = read_text(path, root, max_bytes)  # first: a link leading outside the site's folder is refused by name
    key, lang = parse_file_name(path, content_dir, languages, root)
    shown = relative(path, root)
    split = split_front_matter(text, shown)
    meta, body, body_line = split.meta, body_of(text, shown, split.body_offset), split.body_line
    problems: list[Problem] = []
    check_keys(meta, FRONT_MATTER, "front matter", shown, problems)
    for name, kind in FRONT_MATTER.items():
        if name in meta and meta[name] is not None:
            check_type(meta[name], kind, name, shown, meta.line_of(name), problems)
    title = meta.get("title")
    if (not isinstance(title, str) or not title.strip()) and ("title" not in meta or title is None):
        problems.append(Problem(shown, meta.line, "the page has no title", "add 'title: ...' to the front matter"))
    aliases = meta.get("aliases") or []
    if isinstance(aliases, list) and not all(isinstance(a, str) for a in aliases):
        problems.append(
            Problem(
                shown, meta.line_of("aliases"), "'aliases' must be a list of URL paths", "write e.g. '- /pl/old-page/'"
            )
        )
    is_section = path.name.startswith(SECTION_INDEX + ".")
    slug = meta.get("slug") or default_slug(key, is_section)
    if isinstance(slug, str) and not is_safe_slug(slug) and not (is_section and key == f"{SECTION_INDEX}.md"):
        problems.append(
            Problem(
                shown,
                meta.line_of("slug"),
                f"the slug '{slug}' is not a single safe URL segment",
                f"use lower-case letters, digits and hyphens, e.g. '{slugify(slug) or 'page'}'",
            )
        )
    if problems:
        raise BuildError(problems)
    assert isinstance(title, str), "a missing title, or one that is not text, is one of the problems"
    fields = dict(
        source=shown,
        key=key,
        lang=lang,
        is_section=is_section,
        title=title.strip(),
        slug=slug,
        slug_line=meta.line_of("slug"),
        description=(meta.get("description") or "").strip(),
        date=meta.get("date"),
        updated=meta.get("updated"),
        draft=bool(meta.get("draft")),
        template=meta.get("template"),
        template_line=meta.line_of("template"),
        menu_title=(meta.get("menu") or title).strip(),
        weight=meta.get("weight") or 0,
        aliases=tuple((alias, alias_line(meta, i)) for i, alias in enumerate(aliases)),
        extra=freeze(meta.get("extra") or {}),
        body_line=body_line,
    )
    return SourcePage(**fields, body=body, identity=digest(*fields.items()))


def alias_line(meta, index: int) -> int:
    aliases = meta.get("aliases")
    return aliases.line_of(index) if hasattr(aliases, "line_of") else meta.line_of("aliases")


def default_slug(key: str, is_section: bool) -> str:
    """The file name (or, for a section index, the folder name) made URL-safe."""
    parts = key.split("/")
    name = parts[-2] if is_section and len(parts) > 1 else parts[-1].removesuffix(".md")
    return slugify(name) if is_section or not is_safe_slug(name) else name


def load_pages(
    files: Mapping[str, FileStatus],
    content_dir: Path,
    languages: tuple[str, ...],
    root: Path,
    max_bytes: int,
    memo: Recall | None = None,
    map_all: Callable = map,
) -> tuple[list[SourcePage], list[Problem]]:
    """files: path from root -> status, as listed. Pages memoised under their file's status come from the
    memo; the others are read with map_all (the speed layer's runs on every core)."""
    settled = time.time_ns() - RACY_SECONDS * 10**9
    options = digest(CODE, languages, max_bytes)
    pages: list[SourcePage | None] = []
    todo = []
    for path in sorted(files):  # file-system order never matters
        key = stat_key(path, files[path], settled, options) if memo else None
        pages.append(memo.get("page", key) if memo and key else None)
        if pages[-1] is None:
            todo.append((len(pages) - 1, root / path, key))
    if memo:
        memo.keep_used("page")

    def attempt(item: tuple) -> SourcePage | tuple[Problem, ...]:
        try:
            return load_page(item[1], content_dir, languages, root, max_bytes)
        except BuildError as error:
            return tuple(error.problems)

    problems: list[Problem] = []
    for (index, _, key), loaded in zip(todo, map_all(attempt, todo), strict=True):
        if isinstance(loaded, SourcePage):
            pages[index] = loaded
            if memo and key:
                memo.put("page", key, loaded)
        else:
            problems.extend(loaded)
    return [page for page in pages if page is not None], problems


def stat_key(path: str, status: FileStatus, settled: int, options: str) -> str | None:
    """A loaded page is memoised under its file's size and modification time, as git's index does, so an
    unchanged file is not even read. A file modified within RACY_SECONDS could change again within the same
    clock tick unnoticed, and a link could lead anywhere: those are always read. options: a digest of the
    generator and the settings a page is loaded with; the key is plain text, not hashed again."""
    if status.link or status.mtime_ns > settled:
        return None
    return f"{options}\0{path}\0{status.size}\0{status.mtime_ns}\0{status.inode}"
