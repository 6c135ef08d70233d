"""The shipped site, built once per test session into a temporary folder, and a server for it."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from conftest import PROJECT
from sitegen.commands.pipeline import build
from sitegen.commands.serve import Preview

SOURCES = ("site.yaml", "content", "templates", "locales", "static")
BUILD_EPOCH = "1795305600"  # 2026-11-22: fixes the build date, so project status is stable in tests
COMMITTED = "2026-11-20T12:00:00+01:00"  # the session's copy is committed then: its pages show that date


def copy_sources(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for name in SOURCES:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        else:
            shutil.copy2(source, destination / name)
    return destination


def build_copy(destination: Path, production: bool = True, copy: bool = True):
    """copy=False: destination already holds the sources. They are committed to a repository of their own
    first, when git is there, so that the pages show "Last updated" as they do in the project's clone."""
    root = copy_sources(destination) if copy else destination
    if shutil.which("git") is not None:
        from gitrepo import commit

        commit(root, COMMITTED)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = BUILD_EPOCH
    try:
        return build(root, production=production)
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def with_headers(app, headers):
    """The WSGI app with the response headers headers(path) gives added, as a web server's configuration would."""

    def wrapped(environ, start_response):
        extra = headers(environ.get("PATH_INFO", "/"))

        def start(status, given, exc_info=None):
            kept = [(name, value) for name, value in given if name.lower() not in {k.lower() for k in extra}]
            return start_response(status, kept + list(extra.items()), exc_info)

        return app(environ, start)

    return wrapped


def serve_folder(root: Path, output: Path, headers=None):
    """Serve a built output folder on a free local port with the preview's safe file server; headers(path), if
    given, adds response headers."""
    preview = Preview(root, output)
    app = preview if headers is None else with_headers(preview, headers)
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"
