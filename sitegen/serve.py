"""Preview: build with drafts, serve output/ on 127.0.0.1 and reload the browser after every save."""
from __future__ import annotations

import sys
from pathlib import Path

from .config import CONFIG_FILE, load_config
from .errors import BuildError
from .pipeline import build


def rebuild(root: Path) -> bool:
    try:
        result = build(root, drafts=True)
    except BuildError as error:
        print(str(error), file=sys.stderr, flush=True)
        return False
    print(f"built: {result.report.written} written, {result.report.removed} removed", file=sys.stderr, flush=True)
    return True


def serve(root: Path, host: str, port: int) -> int:
    from livereload import Server

    config = load_config(root)
    rebuild(root)
    server = Server()
    for name in ("content", "templates", "locales", "static"):
        server.watch(str(config.path(name)), lambda: rebuild(root), delay=0.2)
    server.watch(str(root / CONFIG_FILE), lambda: rebuild(root), delay=0.2)
    print(f"serving http://{host}:{port}/ (Ctrl+C stops)", file=sys.stderr, flush=True)
    server.serve(root=str(config.path("output")), host=host, port=port, open_url_delay=None)
    return 0
