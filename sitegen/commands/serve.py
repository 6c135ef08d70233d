"""Preview: build with drafts, serve output/ on 127.0.0.1, reload the browser after every save.

A failed build never stops the server: every page is then served as it last built, under a panel
listing the problems in the same words as the command line, until a save fixes them.
"""

from __future__ import annotations

import gc
import html
import mimetypes
import re
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import unquote

from ..errors import BuildError, Problem
from ..loading.config import CONFIG_FILE, load_config
from ..loading.site import reload_bodies
from ..speed.cache import BuildCache
from ..speed.search import gather_for_refresh, index_gathered, write_bundle
from .pipeline import BuildResult, build, commit, one_build_at_a_time, revertible, update_bodies

WATCHED = ("content", "templates", "locales", "static")
EVERYTHING = frozenset({"*"})  # while a full build runs, every request waits for it


class Preview:
    """The state of the preview: the output folder and the problems of the last build, if any."""

    def __init__(self, root: Path, output_dir: Path):
        self.root, self.output_dir = root, output_dir
        self.problems: tuple[Problem, ...] = ()
        self.lock = threading.Lock()
        self.cache = BuildCache(root)  # kept in memory between saves: only what changed is redone
        self.last: BuildResult | None = None  # the site as output/ holds it, after a successful build
        self.pending: set[Path] = set()  # saved files a failed update could not take in yet
        self.updating: frozenset[str] | None = None  # output paths a rebuild may still change; EVERYTHING
        self.ready = threading.Condition()
        self.reload: Callable[[], None] = lambda: None  # tells the open pages to load again
        self.search_wanted = threading.Event()  # the pages changed since the search index was last made

    def rebuild(self, changed: Iterable[Path] = ()) -> None:
        """A full build, or, when the saves changed only page bodies, an update of the pages showing them.
        Open pages reload as soon as the saved pages are written; a request for a page that may still change
        waits for it."""
        with self.lock:
            self.hold(EVERYTHING)
            reloaded_early = False

            def saved_pages_written(remaining: list[str]) -> None:
                nonlocal reloaded_early
                self.hold(frozenset(remaining))
                self.reload()
                reloaded_early = True

            pending = self.pending | set(changed)
            last = self.last if pending else None  # the build that these saves may only update
            fast = last is not None
            try:
                reloaded = reload_bodies(last.site, pending) if last is not None else None
                fast = reloaded is not None
                if reloaded and not reloaded[1]:
                    self.pending = set()  # only files the site never reads: nothing to do
                    return
                if reloaded and last is not None:
                    result = update_bodies(last, *reloaded, first_written=saved_pages_written)
                else:
                    result = build(self.root, drafts=True, production=False, cache=self.cache, search=False)
                    if result.renderer is not None:
                        _ = result.renderer.readers  # indexed now rather than on the first save
                    # Collected now, as part of a build the editor waits for anyway: else the first save
                    # after it pays for a full collection of the new site.
                    gc.collect()
                self.last, self.pending, self.problems = result, set(), ()
                self.search_wanted.set()
                print(f"rebuilt: {result.report.written} files written", file=sys.stderr, flush=True)
            except BuildError as error:
                self.fail(error.problems, pending if fast else None)
            except Exception as error:  # noqa: BLE001 - the preview must survive anything
                self.fail(
                    (
                        Problem(
                            "(generator)",
                            1,
                            f"internal error: {type(error).__name__}: {error}",
                            "run 'python build.py --debug' to see the traceback",
                        ),
                    ),
                    None,
                )
            finally:
                self.hold(None)
            if not reloaded_early or self.problems:
                self.reload()

    def refresh_search(self) -> bool:
        """The search index made again for the pages as the last build wrote them, if they changed: after the
        edited page is on screen, and without holding the preview up while Pagefind runs (seconds on a big
        site): only gathering the pages and writing the index wait for rebuilds, and rebuilds for them.
        True when output/ has a new index."""
        with self.lock:
            last = self.last
            if last is None or last.renderer is None or self.problems:
                return False
            gathered = gather_for_refresh(last.renderer, self.cache)
        if gathered is None:
            return False
        workspace, pages = gathered
        index_gathered(workspace)
        with self.lock, one_build_at_a_time(self.root), revertible(self.root) as changes:
            write_bundle(workspace, pages, last.renderer, self.cache, changes)
            commit(changes, lambda: None)
        print("search index updated", file=sys.stderr, flush=True)
        return True

    def keep_search_fresh(self) -> None:
        """The preview's search thread: the index is made again after each build that changed pages, one run
        at a time; saves made meanwhile are taken in by the next run."""
        while True:
            self.search_wanted.wait()
            self.search_wanted.clear()
            try:
                self.refresh_search()
            except Exception as error:  # noqa: BLE001 - the preview must survive anything
                print(f"(search index):1: {error}", file=sys.stderr, flush=True)

    def hold(self, paths: frozenset[str] | None) -> None:
        with self.ready:
            self.updating = paths
            self.ready.notify_all()

    def waits(self, url_path: str) -> bool:
        if self.updating is None:
            return False
        if self.updating is EVERYTHING:
            return True
        file = self.resolve(url_path)
        return file is not None and file.relative_to(self.output_dir.resolve()).as_posix() in self.updating

    def fail(self, problems: Iterable[Problem], pending: set[Path] | None) -> None:
        """After a failed update the site in memory is still what output/ holds; the files it could not take
        in are tried again with the next save. After a failed full build, the next save builds in full."""
        self.problems = tuple(problems)
        if pending is None:
            self.last, self.pending = None, set()
        else:
            self.pending = pending
        for problem in self.problems:
            print(problem, file=sys.stderr, flush=True)

    def resolve(self, url_path: str) -> Path | None:
        """The file under output/ for a URL path, or None. Nothing outside output/ is ever served."""
        parts = [part for part in unquote(url_path).split("/") if part not in ("", ".")]
        if any(part == ".." or "\\" in part or "\x00" in part for part in parts):
            return None
        candidate = self.output_dir.joinpath(*parts)
        if candidate.is_dir():
            candidate = candidate / "index.html"
        try:
            real = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not real.is_relative_to(self.output_dir.resolve()) or not real.is_file():
            return None
        return real

    def not_found(self, url_path: str) -> Path | None:
        language = url_path.strip("/").split("/")[0]
        return self.resolve(f"{language}/404.html") or self.resolve("404.html")

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """A WSGI application: livereload wraps it and adds its reload script to HTML pages. A request for a
        page a rebuild may still change waits for it, so no page is served half-way between two versions."""
        path = environ.get("PATH_INFO", "/")
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return respond(start_response, "405 Method Not Allowed", b"", "text/plain")
        with self.ready:
            while self.waits(path):
                self.ready.wait()
        return self.answer(path, start_response)

    def answer(self, path: str, start_response: Callable) -> Iterable[bytes]:
        file = self.resolve(path)
        is_page = file is None or file.suffix == ".html"
        if self.problems and is_page:
            last_good = file.read_bytes() if file else b""
            return respond(
                start_response, "500 Build Failed", error_page(self.problems, last_good), "text/html; charset=utf-8"
            )
        if file is None:
            page = self.not_found(path)
            return respond(
                start_response,
                "404 Not Found",
                page.read_bytes() if page else b"Not found",
                "text/html; charset=utf-8" if page else "text/plain",
            )
        if path.endswith("/") is False and file.name == "index.html" and not path.endswith("index.html"):
            return respond(start_response, "301 Moved Permanently", b"", "text/plain", [("Location", path + "/")])
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/xml", "image/svg+xml"):
            content_type += "; charset=utf-8"
        return respond(start_response, "200 OK", file.read_bytes(), content_type)


def respond(
    start_response: Callable, status: str, body: bytes, content_type: str, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *(headers or []),
        ],
    )
    return [body]


ERROR_PANEL = """<div id="build-error" role="alert" lang="en" style="background:#fff0f0;color:#600;
border:3px solid #a00;padding:1rem;margin:0;font:1rem/1.4 system-ui,sans-serif">
<h2 style="margin:0 0 .5rem">The site could not be built</h2>
<p>Fix the problems below and save; this page reloads by itself. Below is the page as it last built.</p>
<ul class="problems">{items}</ul></div>
"""


def error_page(problems: Iterable[Problem], last_good: bytes) -> bytes:
    """The last good page with the problems on top, or a page of its own when there is none."""
    items = "\n".join(f"<li><code>{html.escape(str(p))}</code></li>" for p in problems)
    panel = ERROR_PANEL.format(items=items).encode("utf-8")
    match = re.search(rb"<body[^>]*>", last_good)
    if match:
        return last_good[: match.end()] + panel + last_good[match.end() :]
    return (
        b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Build failed</title>'
        b"</head><body>" + panel + b"</body></html>\n"
    )


def serve(root: Path, host: str, port: int) -> int:
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado.ioloop import IOLoop

    class NoPolling(Watcher):
        """livereload polls every 0.8 s and drops reloads within 3 s of the last one; we watch ourselves."""

        def start(self, callback) -> bool:
            return True

    config = load_config(root)
    preview = Preview(root, config.path("output"))
    preview.rebuild()
    threading.Thread(target=preview.keep_search_fresh, daemon=True, name="search").start()
    loop = IOLoop.current()
    preview.reload = lambda: loop.add_callback(LiveReloadHandler.reload_waiters)

    folders = [config.path(name) for name in WATCHED if config.path(name).is_dir()]
    start_watching(folders, recursive=True, on_change=preview.rebuild)
    start_watching([root], recursive=False, on_change=preview.rebuild, only=(root / CONFIG_FILE,))
    server = Server(app=preview, watcher=NoPolling())
    print(f"serving http://{host}:{port}/ (Ctrl+C stops)", file=sys.stderr, flush=True)
    server.serve(host=host, port=port, debug=False, open_url_delay=None, restart_delay=0)
    return 0


def start_watching(
    paths: list[Path], recursive: bool, on_change: Callable[[set[Path]], None], only: tuple[Path, ...] = ()
) -> None:
    """Rebuild once per burst of saves (watchfiles, on inotify, groups changes within 30 ms); a save made
    during a rebuild is queued by the watcher and starts the next one, so none is lost."""
    import watchfiles

    wanted = {str(path) for path in only}

    def accept(change: watchfiles.Change, path: str) -> bool:
        return (not wanted or path in wanted) and not path.endswith(("~", ".swp", ".swx"))

    def loop() -> None:
        for changes in watchfiles.watch(
            *paths, watch_filter=accept, recursive=recursive, debounce=30, step=10, raise_interrupt=False
        ):
            on_change({Path(path) for _, path in changes})

    threading.Thread(target=loop, daemon=True, name="watch").start()
