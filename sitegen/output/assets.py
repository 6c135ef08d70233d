"""Static files: published under static/, minified and fingerprinted for `build` so they can be
cached for a year (a content hash in the name, every reference rewritten). Documents, the files visitors
download and other sites link to, keep their names: an address that lasts, and a file saved under the name
it was given."""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "static/"
DOCUMENTS = "documents/"  # under static/: never fingerprinted
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


@dataclass(frozen=True)
class Assets:
    paths: Mapping[str, str]  # name under static/ -> site-relative output path
    files: Mapping[str, bytes]  # output path -> bytes


def fingerprinted(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{name}.{digest}"


def load_assets(static_dir: Path, names: tuple[str, ...], production: bool) -> Assets:
    paths: dict[str, str] = {}
    files: dict[str, bytes] = {}
    # Images first, so that stylesheets can point at their final names.
    for name in sorted(names, key=lambda n: n.endswith(".css")):
        data = (static_dir / name).read_bytes()
        if name.endswith(".css"):
            data = rewrite_css_urls(data.decode("utf-8"), name, paths).encode("utf-8")
            if production:
                data = minify_css(data)
        published = PREFIX + (fingerprinted(name, data) if production and not name.startswith(DOCUMENTS) else name)
        paths[name] = published
        files[published] = data
    return Assets(paths, files)


def rewrite_css_urls(css: str, name: str, paths: Mapping[str, str]) -> str:
    folder = posixpath.dirname(name)

    def replace(match: re.Match) -> str:
        target = match[2]
        if re.match(r"^[a-z]+:|^/|^#", target):
            return match[0]
        resolved = posixpath.normpath(posixpath.join(folder, target))
        if resolved not in paths:
            return match[0]
        relative = posixpath.relpath(paths[resolved].removeprefix(PREFIX), folder or ".")
        return f"url({relative})"

    return CSS_URL.sub(replace, css)


def minify_css(data: bytes) -> bytes:
    import rcssmin

    return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8") + b"\n"


MAX_MINIFIED_DEPTH = 1000
TAG = re.compile(rb"<(/?)([a-zA-Z][^\s/>]*)[^>]*?(/?)>")
VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())


def nesting_depth(data: bytes) -> int:
    """How deep elements nest, at most (end tags that HTML may leave out are counted as left open)."""
    depth = deepest = 0
    for match in TAG.finditer(data):
        if match[1]:
            depth = max(0, depth - 1)
        elif not match[3] and match[2].lower() not in VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def minify_html(data: bytes) -> bytes:
    """Pages nested deeper than MAX_MINIFIED_DEPTH stay as they are: minify-html recurses on the native stack
    and crashes the process on some 100,000 levels, which raw HTML in Markdown can reach. Only a page with
    that many tags pays for counting them."""
    if data.count(b"<") > MAX_MINIFIED_DEPTH and nesting_depth(data) > MAX_MINIFIED_DEPTH:
        return data
    import minify_html as minifier

    # Opening and closing tags are kept: shorter pages are not worth markup that validators question.
    return minifier.minify(
        data.decode("utf-8"),
        keep_closing_tags=True,
        keep_html_and_head_opening_tags=True,
        minify_css=True,
        minify_js=False,
        keep_comments=False,
    ).encode("utf-8")
