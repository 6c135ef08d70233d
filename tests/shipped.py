"""The shipped site, built once per test session into a temporary folder, and a server for it."""

from __future__ import annotations

import os
import re
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
    """copy=False: destination already holds the sources."""
    root = copy_sources(destination) if copy else destination
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


def readme_headers() -> list[tuple[str, list[str]]]:
    """The `_headers` rules README.md recommends (its Security section): (address pattern, lines) each."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"reads a `_headers` file.*?```\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md, Security: the _headers example"
    rules: list[tuple[str, list[str]]] = []
    for line in block[1].splitlines():
        if line.strip() and not line.startswith("    "):
            rules.append((line.strip(), []))
        elif line.strip():
            rules[-1][1].append(line.strip())
    return rules


def with_headers(app, rules: list[tuple[str, list[str]]]):
    """A WSGI application that adds the headers of every rule whose pattern matches the path, in order, as
    Cloudflare Pages reads a `_headers` file: `*` matches anything, a header set twice joins its values, and
    `! Name` removes what earlier rules set."""
    patterns = [(re.compile("^" + re.escape(pattern).replace(r"\*", ".*") + "$"), lines) for pattern, lines in rules]

    def application(environ, start_response):
        added: dict[str, str] = {}
        for pattern, lines in patterns:
            if pattern.match(environ.get("PATH_INFO", "/")):
                for line in lines:
                    if line.startswith("!"):
                        added.pop(line[1:].strip().lower(), None)
                    else:
                        name, _, value = line.partition(":")
                        key = name.strip().lower()
                        added[key] = f"{added[key]}, {value.strip()}" if key in added else value.strip()

        def start(status, headers, exc_info=None):
            return start_response(status, [*headers, *added.items()], exc_info)

        return app(environ, start)

    return application


def serve_folder(root: Path, output: Path, headers: bool = True):
    """Serve a built output folder on a free local port with the preview's safe file server, and the response
    headers README.md recommends (the Content-Security-Policy among them) unless headers=False."""
    preview = Preview(root, output)
    app = with_headers(preview, readme_headers()) if headers else preview
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"
