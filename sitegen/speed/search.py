"""The search index, made again only when a page that asks to be indexed has changed.

Pagefind has no partial update: it reads every indexed page each time, which takes seconds on a big site. So
the bundle in output/ is keyed by a digest of the indexed pages' bytes (and the generator with its libraries,
Pagefind among them). A build whose indexed pages are as they were, and whose output/ still holds the bundle,
leaves it as it is; any other build runs Pagefind over the pages as they will be written, from where they
are: the staging folder for those rendered again, output/ for the others. The preview updates the bundle
after the edited page is on screen (refresh).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from ..digests import CODE, digest
from ..errors import BuildError
from ..loading.urls import output_file
from ..output.search import SearchIndexError, bundle_files, gather_pages, index_folder
from ..output.writer import UNCHANGED, Changes, Staged, write_output
from ..rendering.plain import search_problem
from .cache import BuildCache
from .incremental import IncrementalRenderer, Output

KIND = "search"
LAST = "output"  # the memo's entry for the bundle output/ holds: (key, ((path, digest), ...))


def indexed_pages(renderer: IncrementalRenderer) -> dict[str, str]:
    """The pages that ask to be in the search index, as last rendered: output path -> digest of the bytes."""
    by_key = renderer.site.by_key
    return {
        output_file(by_key[key].path): meta.output
        for key, meta in renderer.rendered.items()
        if meta.indexed and key in by_key
    }


def index_key(pages: Mapping[str, str]) -> str:
    return digest(CODE, sorted(pages.items()))


def last_bundle(cache: BuildCache) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    return cache.memo.get(KIND, LAST)


def keep_bundle(output: Output, renderer: IncrementalRenderer, cache: BuildCache) -> bool:
    """The bundle output/ holds, left there as it is, if it is all there (a preview build indexes later)."""
    last = last_bundle(cache)
    if last is None or not all(renderer.on_disk(path, known, renderer.manifest) for path, known in last[1]):
        return False
    for path, known in last[1]:
        output.files[path], output.digests[path] = UNCHANGED, known
    return True


def add_bundle(output: Output, renderer: IncrementalRenderer, cache: BuildCache) -> None:
    """The bundle for the pages of this build, into output: the one output/ holds when it is still theirs,
    else a new one, staged. No page asks to be indexed: no bundle."""
    pages = indexed_pages(renderer)
    if not pages:
        return
    key = index_key(pages)
    last = last_bundle(cache)
    if last is not None and last[0] == key and keep_bundle(output, renderer, cache):
        return
    sources = [(path, source(output.files[path], path, renderer)) for path in sorted(pages)]
    workspace = search_workspace(cache)
    staged = renderer.staging is not None
    bundle = renderer.staging / "pagefind" if renderer.staging is not None else workspace / "bundle"
    try:
        gather_pages(sources, workspace / "pages")
        index_folder(workspace / "pages", bundle)
        files = []
        for path, file in bundle_files(bundle).items():
            data = file.read_bytes()
            output.digests[path] = digest(data)
            if renderer.on_disk(path, output.digests[path], renderer.manifest):
                output.files[path] = UNCHANGED  # a page's fragment, named by its content: mostly as it was
            else:
                output.files[path] = Staged(str(file)) if staged else data
            files.append((path, output.digests[path]))
    except SearchIndexError as error:
        raise BuildError([search_problem(error)]) from None
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    cache.memo.put(KIND, LAST, (key, tuple(files)))


def source(data: object, path: str, renderer: IncrementalRenderer) -> Path | bytes:
    if data is UNCHANGED:
        assert renderer.output_dir is not None, "a page is reported unchanged only against output/"
        return renderer.output_dir / path
    if isinstance(data, Staged):
        return Path(data.file)
    assert isinstance(data, bytes)
    return data


def search_workspace(cache: BuildCache) -> Path:
    folder = cache.memo.folder
    parent = folder / KIND if folder is not None else Path(os.environ.get("TMPDIR", "/tmp")) / "sitegen-search"
    workspace = parent / str(os.getpid())
    shutil.rmtree(workspace, ignore_errors=True)
    workspace.mkdir(parents=True)
    return workspace


def gather_for_refresh(renderer: IncrementalRenderer, cache: BuildCache) -> tuple[Path, dict[str, str]] | None:
    """The preview's first step, while nothing else writes output/: the indexed pages as output/ holds them,
    linked into a folder of their own, with their digests; None when output/ holds their bundle already."""
    pages = indexed_pages(renderer)
    last = last_bundle(cache)
    if not pages or (last is not None and last[0] == index_key(pages)):
        return None
    assert renderer.output_dir is not None, "the preview writes output/"
    workspace = search_workspace(cache)
    try:
        gather_pages([(path, renderer.output_dir / path) for path in sorted(pages)], workspace / "pages")
    except BaseException:
        shutil.rmtree(workspace, ignore_errors=True)
        raise
    return workspace, pages


def index_gathered(workspace: Path) -> None:
    """The step that takes time, which the preview runs while it goes on serving and rebuilding."""
    try:
        index_folder(workspace / "pages", workspace / "bundle")
    except BaseException:
        shutil.rmtree(workspace, ignore_errors=True)
        raise
    shutil.rmtree(workspace / "pages", ignore_errors=True)


def write_bundle(
    workspace: Path, pages: Mapping[str, str], renderer: IncrementalRenderer, cache: BuildCache, changes: Changes
) -> None:
    """Put a bundle made by index_gathered into output/ (through changes: see pipeline.revertible), remove the
    files of the last one it does not have, and record both in the memo and the manifest (saved with the next
    full build)."""
    assert renderer.output_dir is not None, "the preview writes output/"
    try:
        files = {path: file.read_bytes() for path, file in bundle_files(workspace / "bundle").items()}
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    last = last_bundle(cache)
    report = write_output(files, renderer.output_dir, changes, remove_stale=False)
    for path, _ in last[1] if last is not None else ():
        if path not in files and os.path.lexists(renderer.output_dir / path):
            changes.remove(renderer.output_dir / path)
    for path, data in files.items():
        if path in report.stats:
            cache.memo.put("manifest", path, (digest(data), *report.stats[path]))
    cache.memo.put(KIND, LAST, (index_key(pages), tuple((path, digest(data)) for path, data in files.items())))
