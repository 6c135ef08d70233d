"""The plain path (rendering.plain) made fast: Markdown, then templates, each in parallel, each memoised,
with the same bytes as a result.

A conversion is keyed by the digest of the page's body (and the data files, if the body has data
values in it), and re-validated by repeating the link resolutions it made (to pages, and to files under
static/, whose sizes the links show). Workers read the bodies.
A page render is keyed by every input it can read: the generator, the templates, the language's
catalogue, site.yaml, the data files, the titles and URLs of all pages, the build date, the asset
names, the page itself, its content, its "Last updated" date and its children's summaries and dates;
plus the pages whose HTML, summary or date it showed and the files under static/ it described, as
SiteRenderer.read and SiteRenderer.document recorded them, checked again on reuse. When the key matches
and output/ still holds the bytes the key produced, the page is neither rendered nor written.

The preview keeps a renderer between saves: `update` takes new page bodies and redoes only the pages
whose key or reads involve them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..digests import CODE, digest, text_digest
from ..errors import BuildError, Problem
from ..loading.content import read_body
from ..loading.routes import Page
from ..loading.site import Site
from ..loading.urls import output_file
from ..output.search import asks_to_be_indexed
from ..output.writer import UNCHANGED, Staged, Unchanged
from ..rendering.exports import Made
from ..rendering.feeds import sitemap
from ..rendering.markdown import Link
from ..rendering.render import SiteRenderer, element_ids, merged
from ..rendering.views import summarize
from .cache import BuildCache
from .fastmarkdown import speed_up
from .parallel import parallel_map


class ConvertedMeta(NamedTuple):
    """Tuples, not dataclasses: a memo store of one per page unpickles faster."""

    key: str  # also the key of the HTML blob
    links: tuple[Link, ...]
    problems: tuple[Problem, ...]
    targets: tuple  # page paths and (file, hreflang) its links name, resolved again when link_targets change
    resolved: str  # digest of where they led (a digest, not the results: 20,000 pages' worth)
    structure: str = ""  # link_targets when the links were resolved: same -> same results
    summary: str = ""  # the first paragraph as text, so listing a page needs no HTML
    pack: str = ""  # the blob pack holding the HTML


class RenderedMeta(NamedTuple):
    output: str  # digest of the bytes written
    ids: str  # element ids, one per line, for anchor checks without re-reading the page
    reads: tuple  # ((key, lang, read_state), ...): what it showed of other pages; files: (name, None, state)
    indexed: bool = False  # the page asks to be in the search index (output.search.asks_to_be_indexed)


HTML_KEPT = 256
EMPTY = ConvertedMeta(key="", links=(), problems=(), targets=(), resolved="")
# A page's date is in its own render key, and a read for others: a commit that changes it alone is no
# change in the site's structure, which would render every page again.
PAGE_FIELDS = tuple(name for name in Page._fields if name not in ("body", "updated"))


@dataclass
class Output:
    files: dict[str, bytes | Unchanged | Staged] = field(default_factory=dict)  # path -> bytes, Staged or UNCHANGED
    digests: dict[str, str] = field(default_factory=dict)  # path -> digest of its bytes
    problems: list[Problem] = field(default_factory=list)
    missing_translations: list[Page] = field(default_factory=list)
    discard: Callable[[], None] = lambda: None  # removes files staged for the writer
    staging: Path | None = None  # where they are, in the tree of output/


def remove_abandoned(folder: Path) -> None:
    """Staging folders of processes that no longer run (a build that was killed)."""
    for entry in folder.glob("*") if folder.is_dir() else ():
        if entry.name.isdigit() and not process_alive(int(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, run by someone else
    return True


def by_path(page: Page) -> tuple[str, str]:
    return page.path, page.lang


def identity(page: Page) -> tuple:
    return tuple(getattr(page, name) for name in PAGE_FIELDS)


def dated(page: Page) -> str:
    """A page's dates from history: its own, and its original's when the page is an outdated translation."""
    return " ".join(day.isoformat() if day else "" for day in (page.updated, page.original_updated))


class IncrementalRenderer:
    # Set by render_all:
    ids: dict[str, str]  # output path -> the ids of its elements
    rendered: dict[tuple[str, str], RenderedMeta]  # (key, lang) -> its last render

    def __init__(self, site: Site, production: bool, cache: BuildCache, output_dir: Path | None = None):
        self.site, self.cache, self.output_dir = site, cache, output_dir
        compiled = cache.blobs.folder.parent / "templates" if cache.blobs.folder else None
        if compiled is not None:
            compiled.mkdir(parents=True, exist_ok=True)
        self.renderer = SiteRenderer(
            site, self.contents, self.summary, production, compiled, speed_up, self.sitemap, self.export_files
        )
        self.production = production
        self.meta: dict[tuple[str, str], ConvertedMeta] = {}
        self.html: dict[str, str] = {}
        self.manifest: dict = {}  # output path -> (digest, size, mtime_ns) as last written; set by render_all
        self.present: Mapping[str, tuple[int, int]] | None = None  # output/ as listed before render(), if it was
        self._readers: dict | None = None
        self.extra_digests: dict[str, tuple[bytes, str]] = {}
        self.data_digest = site.data.digest
        # Whatever a link or the sitemap can lead to: the site's outline (every page file but its body, site.yaml
        # and the options) and the pages made from data records. Editing a page's body leaves it unchanged.
        self.structure = digest(site.outline, *[identity(page) for page in site.pages if page.from_data])
        # And the files under static/, whose addresses and sizes links to them show. Not part of the structure:
        # a saved stylesheet would otherwise render every page again in the preview.
        assets = self.renderer.assets
        self.link_targets = digest(
            self.structure, sorted((name, path, len(assets.files[path])) for name, path in assets.paths.items())
        )
        # Rendered pages wait here, one file per output path, until the writer moves them into output/.
        # One folder per process, so that a preview and a build of the same site never collide.
        self.staging = (
            cache.blobs.folder.parent / "staging" / str(os.getpid()) if cache.blobs.folder and output_dir else None
        )
        if self.staging is not None:
            remove_abandoned(self.staging.parent)
            self.discard_staging()
            self.staging.mkdir(parents=True)

    def sitemap(self, site: Site) -> bytes:
        key = digest("sitemap", self.structure)
        cached = self.cache.memo.get("sitemap", key)
        if cached is None:
            cached = sitemap(site)
            self.cache.memo.put("sitemap", key, cached)
        return cached

    def export_files(self, make: Callable[[], Made]) -> Made:
        """The open data files depend on the data, site.yaml and the pages' addresses alone: a build that
        changed none of them takes them from the memo."""
        key = digest(CODE, "exports", self.structure, self.data_digest)
        cached = self.cache.memo.get("exports", key)
        if cached is None:
            cached = make()
            self.cache.memo.put("exports", key, cached)
        return cached

    def summary(self, page: Page) -> str:
        return self.meta.get((page.key, page.lang), EMPTY).summary

    def contents(self, page: Page) -> str:
        meta = self.meta.get((page.key, page.lang), EMPTY)
        if not meta.key:
            return ""
        if meta.key not in self.html:
            html = self.cache.blobs.get(meta.key, meta.pack)
            self.html[meta.key] = self.reconvert(page) if html is None else html
            if self.cache.blobs.folder is not None and len(self.html) > HTML_KEPT:
                del self.html[next(iter(self.html))]  # on disk anyway: keep only the latest few in memory
        return self.html[meta.key]

    def reconvert(self, page: Page) -> str:
        """The memo said what the page converts to, but its HTML blob is gone: convert again."""
        return self.renderer.convert(page, self.expanded_body(page)[0])[0].html

    def expanded_body(self, page: Page) -> tuple[str, list[Problem]]:
        """The page's body as its file holds it now, with its data values in."""
        config = self.site.config
        return self.renderer.expand(page, read_body(config.root, page.body, config.max_file_bytes))

    def render(self, present: Mapping[str, tuple[int, int]] | None = None) -> Output:
        """present: every file of output/ -> (size, mtime_ns), listed before this build; without it each
        file that might be left as it is gets a stat."""
        self.present = present
        output = Output()
        output.problems += self.renderer.template_syntax_problems()
        if output.problems:
            return output
        output.problems += self.convert_all()
        output.problems += merged(self.render_all(output))
        self.finish(output)
        output.missing_translations = [p for p in self.site.pages if p.missing]
        return output

    def finish(self, output: Output) -> None:
        """The files beside the pages, and the anchors every page links to."""
        extras, extra_problems = self.renderer.render_extras()
        output.problems += extra_problems
        for path, data in extras.items():
            known = self.extra_digests.get(path)
            if known is None or known[0] is not data:  # the sitemap and assets come back as the same bytes
                known = self.extra_digests[path] = (data, digest(data))
            output.files[path] = data
            output.digests[path] = known[1]
        output.problems += self.anchor_problems()

    def anchor_problems(self) -> list[Problem]:
        """Every '#anchor' a page body links to must exist in the target page as last rendered."""
        return self.renderer.fragment_problems({k: m.links for k, m in self.meta.items() if m.links}, self.ids)

    def update(
        self, site: Site, changed: list[tuple[str, str]], first: Callable[[Output, list[str]], None] | None = None
    ) -> Output:
        """The preview after a save that changed only the bodies of these pages: `site` is the same site
        with the new bodies. Converts them and renders only the pages whose key or reads involve them,
        plus the extra files. The changed pages come first: once they render and their anchors check out,
        `first` gets them and the output paths still to come (without it they join the returned output).
        On problems the renderer is left as it was (output/ may already hold the changed pages, if only the
        others failed: the preview then shows the problems over every page)."""
        before = (self.site, dict(self.meta), dict(self.ids), dict(self.rendered))
        self.present = None  # listed before the last build wrote anything
        summaries = {key: self.meta.get(key, EMPTY).summary for key in changed}
        self.site = site
        self.renderer.rebind(site)
        output, early = Output(), Output()
        try:
            problems = self.convert_pages([site.by_key[key] for key in changed])
            affected = set()
            for key, lang in changed:
                parent = site.by_key[(key, lang)].parent_key
                if parent is not None and self.meta[(key, lang)].summary != summaries[(key, lang)]:
                    affected.add((parent, lang))  # its listing shows the summary
                affected.update(self.readers.get((key, lang), ()))
            if self.staging is not None:
                self.staging.mkdir(parents=True, exist_ok=True)
            problems += self.render_pages(sorted((site.by_key[key] for key in changed), key=by_path), early)
            others = sorted(
                (p for p in (site.page(*key) for key in affected - set(changed)) if p is not None), key=by_path
            )
            if first is not None and not problems and not self.anchor_problems():
                first(early, [output_file(p.path) for p in others] + list(self.extra_digests))
            else:
                output.files.update(early.files)
                output.digests.update(early.digests)
                output.problems += problems
            output.problems += self.render_pages(others, output)
            self.finish(output)
        finally:
            if output.problems:
                self.site, self.meta, self.ids, self.rendered = before
                self.renderer.rebind(self.site)
        return output

    @property
    def readers(self) -> dict[tuple[str, str], set[tuple[str, str]]]:
        """(key, lang) -> the pages whose last render printed that page's HTML."""
        if self._readers is None:
            self._readers = {}
            for reader, meta in self.rendered.items():
                for key, lang, _ in meta.reads:
                    self._readers.setdefault((key, lang), set()).add(reader)
        return self._readers

    # --- Markdown ---------------------------------------------------------------------------------

    def convert_all(self) -> list[Problem]:
        return self.convert_pages(self.site.pages)

    def convert_pages(self, pages) -> list[Problem]:
        memo, todo = self.cache.memo, []
        allow_html = self.site.config.allow_html
        for page in pages:
            if page.missing or page.body.blank:
                self.meta[(page.key, page.lang)] = EMPTY
                continue
            key = text_digest(
                CODE,
                allow_html,
                page.lang,
                page.source,
                page.body_line,
                page.body.digest,
                self.data_digest if page.body.placeholders else "",
            )
            cached = memo.get("convert", key)
            if cached is not None and cached.structure == self.link_targets:
                self.meta[(page.key, page.lang)] = cached
            elif cached is not None and self.still_resolves(page, cached):
                cached = cached._replace(structure=self.link_targets)  # checked once per structure, not per build
                memo.put("convert", key, cached)
                self.meta[(page.key, page.lang)] = cached
            else:
                todo.append((page, key))
        memo.keep_used("convert")
        for (page, key), (meta, html) in zip(
            todo, parallel_map(self.convert_and_store, todo, self.cache.blobs.flush), strict=True
        ):
            if meta.key:
                memo.put("convert", key, meta)
            if html is not None:
                self.cache.blobs.put(meta.key, html)
                self.html[meta.key] = html
            self.meta[(page.key, page.lang)] = meta
        return [p for page in pages for p in self.meta[(page.key, page.lang)].problems]

    def convert_and_store(self, item: tuple) -> tuple[ConvertedMeta, str | None]:
        """In a worker: read one page's body, convert it and store its HTML on disk, so only the small meta
        travels back and the parent never holds every page's body or HTML at once."""
        page, key = item
        try:
            body, problems = self.expanded_body(page)
        except BuildError as error:
            return EMPTY._replace(problems=tuple(error.problems)), None  # not memoised: it has no key
        converted, resolutions = self.renderer.convert(page, body)
        if converted.failed:  # stopped, perhaps only for lack of time: tried again by the next build
            return EMPTY._replace(problems=(*problems, *converted.problems)), None
        resolved = digest(*[result for _, result in resolutions])
        # The HTML depends on the body and on where its links led: its identity covers both.
        meta = ConvertedMeta(
            key=digest(key, resolved),
            links=converted.links,
            problems=(*problems, *converted.problems),
            targets=tuple(target for target, _ in resolutions),
            resolved=resolved,
            structure=self.link_targets,
            summary=summarize(converted.html),
        )
        pack = self.cache.blobs.add(meta.key, converted.html)
        return (meta._replace(pack=pack), None) if pack else (meta, converted.html)

    def still_resolves(self, page: Page, meta: ConvertedMeta) -> bool:
        return digest(*self.renderer.resolve_again(page, meta.targets)) == meta.resolved

    # --- templates --------------------------------------------------------------------------------

    def render_all(self, output: Output) -> list[Problem]:
        self.renderer.open_data.made  # noqa: B018 - made once, here, rather than in each worker a page asks it in
        self.manifest = self.cache.memo.store("manifest")
        self.contexts = self.context_digests()
        self.ids = {}
        self.rendered = {}
        return self.render_pages(self.site.pages, output)

    def render_pages(self, pages, output: Output) -> list[Problem]:
        """Render what the memo does not already hold on disk; the rest is reported unchanged."""
        memo, manifest, todo = self.cache.memo, self.manifest, []
        for page in pages:
            path = output_file(page.path)
            key = self.render_key(page, self.contexts[page.lang])
            cached = memo.get("render", key)
            if cached is not None and self.reads_hold(cached.reads) and self.on_disk(path, cached.output, manifest):
                output.files[path] = UNCHANGED
                output.digests[path] = cached.output
                self.ids[path] = cached.ids
                self.rendered[(page.key, page.lang)] = cached
            else:
                todo.append((page, key))
        memo.keep_used("render")
        problems = []
        staged = parallel_map(self.render_and_stage, todo)
        for (page, key), (data, digest_, ids, page_problems, pages_read, indexed) in zip(todo, staged, strict=True):
            path = output_file(page.path)
            output.files[path] = data
            output.digests[path] = digest_
            if not page_problems:  # a page that did not render has no anchors to check links against
                self.ids[path] = ids
            problems += page_problems
            if not page_problems:
                reads = tuple((k, lang, self.read_state(k, lang)) for k, lang in pages_read)
                self.rendered[(page.key, page.lang)] = RenderedMeta(digest_, ids, reads, indexed)
                if self._readers is not None:  # a reader no longer reading costs a check
                    for read in reads:
                        self._readers.setdefault(read[:2], set()).add((page.key, page.lang))
                memo.put("render", key, self.rendered[(page.key, page.lang)])
        return problems

    def render_and_stage(self, item: tuple) -> tuple:
        """In a worker: render one page and leave its bytes in the staging folder for the writer."""
        page, _ = item
        data, problems, reads = self.renderer.render_page(page)
        ids, data_digest, indexed = element_ids(data), digest(data), asks_to_be_indexed(data)
        if not problems and self.on_disk(output_file(page.path), data_digest, self.manifest):
            return UNCHANGED, data_digest, ids, problems, reads, indexed  # rendered again, to the same bytes
        if self.staging is not None and not problems:
            staged = self.staging / output_file(page.path)  # the tree output/ will have: the writer moves it
            staged.parent.mkdir(parents=True, exist_ok=True)
            staged.write_bytes(data)
            return Staged(str(staged)), data_digest, ids, problems, reads, indexed
        return data, data_digest, ids, problems, reads, indexed

    def remove_unused_html(self) -> None:
        """After a full build that succeeded: the packs this build's conversions name are all the memo keeps."""
        self.cache.blobs.remove_unused({meta.pack for meta in self.meta.values() if meta.pack})

    def discard_staging(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def context_digests(self) -> dict[str, str]:
        """Per language, a digest of everything any page's render may read besides the page itself."""
        site, config = self.site, self.site.config
        templates = [(name, (config.path("templates") / name).read_bytes()) for name in site.templates]
        # site.yaml, the options and the drafts setting are in the structure already.
        shared = digest(
            CODE,
            self.production,
            templates,
            self.data_digest,
            self.structure,
            site.build_date,
            sorted(self.renderer.assets.paths.items()),
        )
        return {lang: digest(shared, lang, catalog.source_digest) for lang, catalog in site.catalogs.items()}

    def render_key(self, page: Page, context: str) -> str:
        """The page's identity is in the context (the structure), its date here; a section lists its
        children's summaries and dates. A render that showed another page's HTML, summary or date names that
        page in its reads, checked on reuse."""
        children = ""
        if page.is_section:
            by_key, lang = self.site.by_key, page.lang
            children = text_digest(
                *[
                    part
                    for key in self.site.child_keys.get((page.key, lang), ())
                    for part in (key, self.meta.get((key, lang), EMPTY).summary, dated(by_key[(key, lang)]))
                ]
            )
        conversion = self.meta.get((page.key, page.lang), EMPTY).key
        return text_digest(context, page.key, page.lang, conversion, dated(page), children)

    def reads_hold(self, reads: tuple) -> bool:
        return not reads or all(self.read_state(key, lang) == state for key, lang, state in reads)

    def read_state(self, key: str, lang: str | None) -> str:
        """What a render read, as it is now: a page's conversion key and date, or a file's address and size."""
        if lang is not None:
            page = self.site.page(key, lang)
            return self.meta.get((key, lang), EMPTY).key + (dated(page) if page is not None else "")
        assets = self.renderer.assets
        path = assets.paths.get(key)
        return f"{path} {len(assets.files[path])}" if path is not None else ""

    def on_disk(self, path: str, expected: str, manifest: dict) -> bool:
        """True when output/ still holds exactly the bytes this render produced last time."""
        if self.output_dir is None:
            return False
        recorded = manifest.get(path)
        if recorded is None or recorded[0] != expected:
            return False
        if self.present is not None:
            return self.present.get(path) == recorded[1:]
        try:
            status = os.stat(f"{self.output_dir}/{path}")
        except OSError:
            return False
        return (status.st_size, status.st_mtime_ns) == recorded[1:]
