"""The search index: Pagefind, a well-kept static search library, run over the built pages through its Python API.

A page asks to be indexed by carrying `data-pagefind-body` (the templates decide which pages do). Pagefind
reads their text in each page's language (`<html lang>`), with that language's stemmer, and writes a bundle
under pagefind/: the index in chunks, a fragment per page, and the search script with its WebAssembly. Only
the search page loads them.

Pagefind matches a query without its diacritics ("krakow" finds "Kraków"), but only for letters that are a
base letter and a mark: it keeps ł, ø or ß as they are, so "bialystok" would miss "Białystok". Nor does its
stemmer join every inflected form: Polish "klaster" keeps the e that "klastra", "klastry" and "klastrów" drop.
hidden_terms() gives, for a page's HTML, the words a search would miss for either reason, for templates to
add to the indexed text where no reader sees them (an element with the hidden attribute).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import tempfile
import threading
import time
import unicodedata
import zlib
from collections.abc import Callable, Coroutine, Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

BUNDLE = "pagefind"
MARK = b"data-pagefind-body"
# Pagefind's own result interfaces: the site shows results with its own templates and script.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


class SearchIndexError(Exception):
    """Pagefind could not be run, or failed."""


def asks_to_be_indexed(page: bytes) -> bool:
    return MARK in page


def gather_pages(pages: Sequence[tuple[str, bytes | Path]], folder: Path) -> None:
    """The pages to index, in one new folder, in the order of their output paths (a sorted list): a link to
    each page's file where it has one, else its bytes.

    Pagefind 1.5 numbers pages in the order the file system lists them, and the numbers are in the index's
    bytes. A new folder of files made in the same order lists them in the same order on a given file system,
    so both build paths make the same index; output/ itself, changed by build after build, may not. The
    files are named by their rank, so each page gives its address itself (`data-pagefind-meta` url). Links
    cost no new inode, which matters on a disk slow to reuse freed ones (benchmarks/README.md)."""
    folder.mkdir(parents=True)
    for rank, (_, page) in enumerate(pages):
        target = folder / f"{rank:07d}.html"
        if isinstance(page, Path):
            try:
                os.link(page, target)
            except OSError:  # another file system, or no links there
                target.write_bytes(page.read_bytes())
        else:
            target.write_bytes(page)


def index_folder(site: Path, bundle: Path) -> None:
    """Pagefind over every HTML file under `site` (pages without data-pagefind-body are left out), its bundle
    written into `bundle`."""
    try:
        run_apart(lambda: _index(site, bundle))
    except FileNotFoundError as error:  # the wrapper's words when it finds no binary
        raise SearchIndexError(f"Pagefind is not installed ({error}); pip install -r requirements.txt") from None
    except ImportError:
        raise SearchIndexError("Pagefind is not installed; pip install -r requirements.txt") from None
    except SearchIndexError:
        raise
    except Exception as error:  # noqa: BLE001 - the wrapper raises bare Exceptions with Pagefind's message
        raise SearchIndexError(f"Pagefind failed: {error}") from None
    for unused in bundle.iterdir():
        if unused.name.startswith(UNUSED):
            unused.unlink()
    entry = bundle / "pagefind-entry.json"
    if entry.is_file():
        entry.write_bytes(sorted_entry(entry.read_bytes()))


def run_apart(coroutine: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """asyncio.run, in a thread of its own when this one already runs an event loop (a program that builds
    the site from inside one, such as a test driving a browser)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine())
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(coroutine())
        except BaseException as error:  # noqa: BLE001 - handed to the calling thread
            failed.append(error)

    thread = threading.Thread(target=run, name="pagefind")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


class _Written(Exception):
    """Leaves the Python API's context without its writing the bundle again (it does when none is raised)."""


async def _index(site: Path, bundle: Path) -> None:
    from pagefind.index import IndexConfig, PagefindIndex

    try:
        async with PagefindIndex(config=IndexConfig(write_playground=False)) as index:
            result = await index.add_directory(str(site.resolve()))
            if not result.get("page_count"):
                raise SearchIndexError(f"Pagefind found no page to index in {site}")
            await index.write_files(output_path=str(bundle.resolve()))
            await written(bundle.resolve())
            raise _Written
    except _Written:
        pass


async def written(bundle: Path, timeout: float = 120) -> None:
    """Pagefind 1.5.2 answers that it wrote the bundle while its last writes may still be under way (Tokio's
    files finish writing in the background), and the Python API then ends it: under load, a file was left
    empty. So this waits until no process of ours has a file of the bundle open (Linux's /proc), or, where
    that cannot be seen, until every compressed file is whole and the other files keep their sizes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_files = files_open_in(bundle)
        if open_files == []:
            return
        if open_files is None:
            previous = sizes(bundle)
            if bundle_complete(previous):
                await asyncio.sleep(0.1)
                if sizes(bundle) == previous:
                    return
        await asyncio.sleep(0.02)
    raise SearchIndexError(f"Pagefind did not finish writing {bundle} in {timeout:.0f} s")


def files_open_in(folder: Path) -> list[str] | None:
    """The files under folder that a child process of this one has open; None where /proc does not tell."""
    children = []
    try:
        for task in os.scandir("/proc/self/task"):
            with open(f"{task.path}/children", encoding="ascii") as handle:
                children += handle.read().split()
    except OSError:
        return None
    found = []
    prefix = f"{folder}{os.sep}"
    for pid in children:
        try:
            for fd in os.scandir(f"/proc/{pid}/fd"):
                target = os.readlink(fd.path)
                if target.startswith(prefix):
                    found.append(target)
        except OSError:
            continue  # the process has ended
    return found


def sizes(folder: Path) -> dict[str, int]:
    return {str(path): path.stat().st_size for path in folder.rglob("*") if path.is_file()}


def bundle_complete(found: Mapping[str, int]) -> bool:
    """Every gzip file whole (its trailer read), the entry file valid JSON, nothing empty."""
    for name, size in found.items():
        if not size:
            return False
        if name.endswith((".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind")):
            try:
                gzip.decompress(Path(name).read_bytes())
            except (OSError, EOFError, zlib.error):
                return False
        elif name.endswith(".json"):
            try:
                json.loads(Path(name).read_bytes())
            except ValueError:
                return False
    return True


def sorted_entry(data: bytes) -> bytes:
    """Pagefind 1.5.2 lists the languages of pagefind-entry.json in an order that changes from run to run (a
    hash map's); the script reads them by name, so they can be put in order."""
    entry = json.loads(data)
    entry["languages"] = dict(sorted(entry.get("languages", {}).items()))
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def bundle_files(bundle: Path) -> dict[str, Path]:
    """The files of a bundle, by their paths in output/ (pagefind/...). Strings, not Path operations, for
    the tens of thousands of fragments of a big site."""
    found = {}
    root = str(bundle)
    for folder, _, names in os.walk(root):
        inside = folder[len(root) :].lstrip(os.sep).replace(os.sep, "/")
        prefix = f"{BUNDLE}/{inside}/" if inside else f"{BUNDLE}/"
        for name in names:
            found[prefix + name] = Path(f"{folder}{os.sep}{name}")
    return dict(sorted(found.items()))


def index_pages(pages: Mapping[str, bytes], workspace: Path | None = None) -> dict[str, bytes]:
    """The bundle, by output path, for the pages given by theirs; nothing when none asks to be indexed. The
    plain path's way: Pagefind reads the pages from a temporary folder (in workspace, when given: the same
    file system as the other path's, see gather_pages)."""
    indexed = sorted(
        (path, data) for path, data in pages.items() if path.endswith(".html") and asks_to_be_indexed(data)
    )
    if not indexed:
        return {}
    if workspace is not None:
        workspace.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="search-", dir=workspace) as folder:
        site, bundle = Path(folder) / "pages", Path(folder) / "bundle"
        gather_pages(indexed, site)
        index_folder(site, bundle)
        return {path: file.read_bytes() for path, file in bundle_files(bundle).items()}


# --- words a search would miss ------------------------------------------------------------------------

TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"\w+")
# Letters that are not a base letter with a mark, so that Unicode decomposition (Pagefind's folding) keeps them.
UNFOLDED = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l",
    "Ŀ": "L", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
}  # fmt: skip
FOLD = str.maketrans(UNFOLDED)
HAS_UNFOLDED = re.compile(f"[{''.join(UNFOLDED)}]")
# Polish drops the e of a last syllable -ek, -ec, -er, -el, -eł or -eń in a word's other forms (klaster, klastra,
# klastrów; budynek, budynku): the stem of "klastrów" is then no prefix of "klaster". The form without the e is.
# Where the e stays (kontener, kontenera), the form without it is a word nobody types, and costs nothing.
POLISH_VOWELS = "aąeęioóuy"
FLEETING_E = re.compile(rf"(\w{{2,}}[^\W{POLISH_VOWELS}])e([kcrlłń])", re.IGNORECASE)
VARIANTS = {"pl": lambda word: match[1] + match[2] if (match := FLEETING_E.fullmatch(word)) else None}


def ascii_folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.translate(FOLD))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class IndexedText(HTMLParser):
    """The text Pagefind indexes of a fragment: all of it but what lies inside an element marked
    data-pagefind-ignore (nested elements of the same name included)."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.ignored = 0  # depth inside an ignored element

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.VOID:
            return
        if self.ignored or any(name == "data-pagefind-ignore" for name, _ in attrs):
            self.ignored += 1

    def handle_endtag(self, tag: str) -> None:
        if self.ignored and tag not in self.VOID:
            self.ignored -= 1

    def handle_data(self, data: str) -> None:
        if not self.ignored:
            self.parts.append(data)


def indexed_text(content: str) -> str:
    parser = IndexedText()
    parser.feed(content)
    return " ".join(parser.parts)


def hidden_terms(content: str, lang: str) -> str:
    """The words of an HTML fragment that a search in its language would otherwise miss, lower-case, in order,
    as often as they occur (the index ranks a page by how often a word is in it): the folded form of each word
    with a letter Pagefind does not fold ("bialystok" for "Białystok"), and the forms the language's rules in
    VARIANTS add ("klastr" for "klaster")."""
    variant = VARIANTS.get(lang.split("-")[0].lower())
    found = []
    for word in WORD.findall(indexed_text(content)):
        if HAS_UNFOLDED.search(word):
            found.append(ascii_folded(word).lower())
        if variant is not None and (other := variant(word)) is not None:
            found.append(ascii_folded(other).lower())
    return " ".join(found)
