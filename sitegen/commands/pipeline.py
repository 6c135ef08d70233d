"""The whole build in one readable function: load -> render -> check -> write."""

from __future__ import annotations

import fcntl
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildError
from ..loading.routes import Page
from ..loading.site import Site, load_site
from ..output.writer import Changes, WriteReport, list_output, write_output
from ..rendering.plain import render_site as render_plain
from ..speed.cache import FOLDER, BuildCache
from ..speed.fastmarkdown import unverified_version
from ..speed.incremental import IncrementalRenderer, Output, remove_abandoned
from ..speed.parallel import parallel_map
from ..speed.search import add_bundle, keep_bundle
from ..speed.unchanged import Snapshot, forget, save_record


@dataclass(frozen=True)
class BuildResult:
    site: Site
    report: WriteReport
    missing_translations: tuple[Page, ...]
    renderer: IncrementalRenderer | None  # holds what it rendered, for the preview; None on the plain path


@contextmanager
def long_lived_objects():
    """Nearly everything a build loads (pages, memo stores) lives until it ends, and Python's cycle
    collector would scan it all again each time the heap grew by a quarter: a big site's rebuild spent much of
    its time in full collections that found nothing. So what a stage has loaded is frozen
    (moved where the collector does not look: after the site, each memo store, and before forking), and
    handed back when the build ends, so that the preview, which runs many builds, still frees old ones."""
    try:
        yield
    finally:
        gc.unfreeze()


def render_fast(
    root: Path,
    base_url: str | None = None,
    drafts: bool = False,
    production: bool = True,
    cache: BuildCache | None = None,
    listing: dict | None = None,
    present: Callable[[], dict] | None = None,
    history_state: str | None = None,
    search: bool = True,
) -> tuple[Site, Output, IncrementalRenderer]:
    """Everything is rendered and checked in memory, and the search index made from the pages as rendered; a
    BuildError means nothing may be written. listing and history_state: the site's files and the commit
    checked out, if the caller has asked; present() lists output/ (see build). search=False: the index
    output/ holds is kept as it is (the preview updates it once the pages are written:
    serve.Preview.refresh_search)."""
    cache = cache or BuildCache(root)
    cache.begin()
    site = load_site(root, base_url, drafts, cache.memo, listing, parallel_map, history_state)
    gc.freeze()
    renderer = IncrementalRenderer(site, production, cache, site.config.path("output"))
    output = renderer.render(list_output(site.config.path("output")) if present is None else present())
    check_output(output, renderer, cache)
    try:
        add_bundle(output, renderer, cache) if search else keep_bundle(output, renderer, cache)
    except BuildError:
        renderer.discard_staging()
        cache.save()
        raise
    return site, output, renderer


def check_output(output: Output, renderer: IncrementalRenderer, cache: BuildCache) -> None:
    output.discard, output.staging = renderer.discard_staging, renderer.staging
    if output.problems:
        renderer.discard_staging()
        cache.save()  # what was converted stays valid even though nothing is written
        raise BuildError(output.problems)


def build(
    root: Path,
    base_url: str | None = None,
    drafts: bool = False,
    production: bool = True,
    cache: BuildCache | None = None,
    snapshot: Snapshot | None = None,
    present: Callable[[], dict] | None = None,
    written: Callable[[], None] = lambda: None,
    search: bool = True,
) -> BuildResult:
    """`build` minifies and fingerprints; the preview (drafts=True, production=False) keeps files readable.
    With a snapshot of the inputs taken before the build, a record lets the next identical build be skipped.
    present: gives output/ as listed before the build; the command line lists it on the other core.
    written: called at the moment output/ holds the new build; before it, an interrupt or an error leaves
    output/ as it was. search: see render_fast."""
    cache = cache or BuildCache(root)
    with one_build_at_a_time(root), long_lived_objects():  # the record too: see long_lived_objects
        site, output, renderer = render_fast(
            root,
            base_url,
            drafts,
            production,
            cache,
            snapshot.listing if snapshot is not None else None,
            present,
            snapshot.history_state if snapshot is not None else None,
            search,
        )
        with revertible(root) as changes:
            report, stats = write(output, site, cache, changes, remove_stale=True, present=renderer.present)
            cache.save()
            renderer.remove_unused_html()
            result = BuildResult(
                site=site, report=report, missing_translations=tuple(output.missing_translations), renderer=renderer
            )
            if snapshot is not None and len(stats) == len(output.files):  # every file accounted for, or no shortcut
                save_record(snapshot, root, stats, result_messages(result))
            commit(changes, written)
    return result


def build_plain(root: Path, base_url: str | None = None, written: Callable[[], None] = lambda: None) -> BuildResult:
    """`build --no-cache`: the plain path (rendering.plain), for users who suspect the cache. No memo, no
    workers, stock Python-Markdown; output/ is replaced as atomically as by build()."""
    with one_build_at_a_time(root):
        site = load_site(root, base_url)
        files = render_plain(site, workspace=root / FOLDER / "search")
        with revertible(root) as changes:
            report = write_output(files, site.config.path("output"), changes, remove_stale=True)
            forget(root)  # the no-change record describes what the last build() left in output/
            commit(changes, written)
    missing = tuple(page for page in site.pages if page.missing)
    return BuildResult(site=site, report=report, missing_translations=missing, renderer=None)


@contextmanager
def one_build_at_a_time(root: Path) -> Iterator[None]:
    """Two builds of one site (an editor's `make build` while `serve` rebuilds) would interleave their
    writes and their cache: the second waits for the first. The lock is the operating system's, so it
    goes with a process that is killed."""
    path = root / FOLDER / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            print(
                f"waiting for another build of this site to finish ({handle.read().strip() or 'unknown'})",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}: {' '.join(sys.argv) or 'python'}")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def revertible(root: Path) -> Iterator[Changes]:
    """The changes to output/, taken back if anything stops them before commit(): Ctrl+C, SIGTERM, a full
    disk. Folders put aside by builds that were killed are deleted first."""
    remove_abandoned(root / FOLDER / "aside")
    changes = Changes(root / FOLDER / "aside" / str(os.getpid()))
    try:
        yield changes
    except BaseException:
        with signals_held():
            if changes.done:
                changes.revert()
                forget(root)  # the no-change record may describe what was just taken back
            changes.discard()
        raise


def commit(changes: Changes, written: Callable[[], None]) -> None:
    with signals_held():  # an interrupt now comes after written(), so it is told output/ is new
        changes.done = []
        written()
    changes.discard()


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl+C and SIGTERM wait until the block is done, then take effect. Python runs signal handlers in the
    main thread only, so elsewhere (the preview's watcher) there is nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {
        number: signal.signal(number, lambda number, frame: received.append(number))
        for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if received:
            signal.raise_signal(received[0])


def update_bodies(
    previous: BuildResult,
    site: Site,
    changed: list[tuple[str, str]],
    first_written: Callable[[list[str]], None] = lambda remaining: None,
) -> BuildResult:
    """The preview after saves that changed only page bodies (`site` has the new ones): convert those pages,
    re-render the pages that show them, write what differs. The saved pages are written first, then
    first_written gets the output paths that may still change. The memo is saved by the next full build;
    until then a later build simply does this work again."""
    renderer = previous.renderer
    assert renderer is not None, "the preview's builds are never plain"
    cache = renderer.cache
    reports = []

    def write_first(early: Output, remaining: list[str]) -> None:
        with revertible(site.config.root) as changes:
            reports.append(write(early, site, cache, changes, remove_stale=False)[0])
            commit(changes, lambda: None)
        first_written(remaining)

    with one_build_at_a_time(site.config.root), long_lived_objects():
        output = renderer.update(site, changed, write_first)
        check_output(output, renderer, cache)
        with revertible(site.config.root) as changes:
            reports.append(write(output, site, cache, changes, remove_stale=False)[0])
            commit(changes, lambda: None)
    report = WriteReport(
        written=sum(r.written for r in reports),
        unchanged=sum(r.unchanged for r in reports),
        removed=0,
        stats={path: stat for r in reports for path, stat in r.stats.items()},
    )
    return BuildResult(site=site, report=report, missing_translations=previous.missing_translations, renderer=renderer)


def write(
    output: Output,
    site: Site,
    cache: BuildCache,
    changes: Changes,
    remove_stale: bool,
    present: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[WriteReport, dict]:
    """Write the differences and record each file in the manifest; returns every output file's
    (size, mtime_ns) as the writer left it, for the no-change record. present: see build."""
    manifest, output_dir = cache.memo.store("manifest"), site.config.path("output")
    try:
        report = write_output(output.files, output_dir, changes, remove_stale, output.staging, present)
    finally:
        output.discard()
    stats = {}
    for path in output.files:
        if path in report.stats:
            cache.memo.put("manifest", path, (output.digests[path], *report.stats[path]))
        elif path in manifest:
            cache.memo.put("manifest", path, manifest[path])  # unchanged and already recorded
        if path in manifest:
            stats[path] = manifest[path][1:]
    return report, stats


def result_messages(result: BuildResult) -> list[str]:
    return [
        f"not yet translated: /{page.path} (notice page; original in {page.source})"
        for page in result.missing_translations
    ] + [line for line in [unverified_version()] if line and result.renderer is not None]
