"""Digests of what a piece of work read: the keys of the speed layer's memo and of the loaded site's
outline. Every key includes CODE, a digest of the generator's own source and its installed libraries, so a
changed generator starts afresh."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any, Protocol


def digest(*parts: Any) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8")
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def text_digest(*parts: str | int | bool) -> str:
    """digest() for the per-page keys a build computes 20,000 times: parts are short text or numbers with no
    NUL character in them, so one joined string hashed once says the same, for less."""
    return hashlib.blake2b("\0".join(map(str, parts)).encode("utf-8"), digest_size=16).hexdigest()


LIBRARIES = ("jinja2", "markdown", "babel", "yaml", "minify_html", "rcssmin", "pagefind", "pagefind_bin")


def _code_digest() -> str:
    """The generator's source and the installed libraries whose output it keeps."""
    package = Path(__file__).resolve().parent
    return digest(
        *[(str(p.relative_to(package)), p.read_bytes()) for p in sorted(package.rglob("*.py"))],
        *[installed(name) for name in LIBRARIES],
    )


def installed(module: str) -> list[tuple[str, int, int]]:
    """A library as installed: the names, sizes and times of its files, which an upgrade or a reinstall
    changes. Not its version from importlib.metadata, which takes longer to import than a rebuild with
    nothing changed takes to check its 20,000 inputs."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return []
    origin = Path(spec.origin)
    files = sorted(origin.parent.iterdir()) if spec.submodule_search_locations else [origin]
    return [(path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in files if path.is_file()]


CODE = _code_digest()


class Recall(Protocol):
    """A memo of earlier results, which the speed layer may lend the loaders (speed.cache.Memo is one). Given
    none, they compute everything: the plain path."""

    def get(self, kind: str, key: str) -> Any: ...

    def put(self, kind: str, key: str, value: Any) -> None: ...

    def keep_used(self, kind: str) -> None: ...
