"""Reading source files safely: size limit, UTF-8, no escape from the site's folder through symlinks."""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..errors import BuildError, Problem

if TYPE_CHECKING:
    from .config import Config

IGNORED_PREFIXES = (".", "#", "_tmp")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")


def is_ignored(name: str) -> bool:
    """Editor backups and hidden files are never content."""
    return name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES)


class FileStatus(NamedTuple):
    """What listing a folder tells of a file without opening it: enough to see that it changed."""

    size: int
    mtime_ns: int
    inode: int
    link: bool  # a link, to a file or a folder: always read, never trusted by its status


def file_entries(folder: str, leave_out: Callable[[os.DirEntry], bool] = lambda entry: False) -> Iterator[os.DirEntry]:
    """Every entry under folder but the folders themselves (links to folders are entries, not entered)."""
    stack = [folder]
    while stack:
        try:
            entries = os.scandir(stack.pop())
        except OSError:
            continue
        with entries:
            for entry in entries:
                if leave_out(entry):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    yield entry


def scan(folder: Path, root: Path) -> dict[str, FileStatus]:
    """Every file under folder by its path from root ('content/news/a.pl.md'), in no particular order.
    Hidden files and editors' backups are left out. Linked folders are listed as files and not entered,
    so reading one fails with a clear message, and nothing outside the site's folder is ever listed."""
    found: dict[str, FileStatus] = {}
    prefix = len(str(root)) + 1
    for entry in file_entries(str(folder), lambda entry: is_ignored(entry.name)):
        try:
            status = entry.stat()
            size, mtime = status.st_size, status.st_mtime_ns
        except OSError:
            size, mtime = -1, -1  # a link to nothing: listed, so that reading it says so
        found[entry.path[prefix:]] = FileStatus(size=size, mtime_ns=mtime, inode=entry.inode(), link=entry.is_symlink())
    return found


def under(listing: Mapping[str, FileStatus], folder: Path, root: Path) -> dict[str, FileStatus]:
    """The part of a listing inside folder."""
    prefix = relative(folder, root) + "/"
    return {path: status for path, status in listing.items() if path.startswith(prefix)}


INPUT_FOLDERS = ("content", "templates", "locales", "static")


def list_inputs(config: Config) -> dict[str, FileStatus]:
    """Every file a build may read besides site.yaml, listed once: the no-change check and the loading of
    the site share this listing."""
    from .editor import list_runtime  # it lists with scan(), from here

    found: dict[str, FileStatus] = {}
    for name in INPUT_FOLDERS:
        found.update(scan(config.path(name), config.root))
    found.update(list_runtime(config))
    return found


def walk(folder: Path, root: Path) -> list[Path]:
    """Every file under folder, sorted, so that file-system order never matters (see scan)."""
    return [root / path for path in sorted(scan(folder, root))]


def relative(path: Path, root: Path) -> str:
    text, prefix = str(path), str(root) + os.sep
    if text.startswith(prefix):
        return text[len(prefix) :].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, root: Path, max_bytes: int) -> str:
    """The file's text, or a BuildError that says what is wrong with the file itself."""
    shown = relative(path, root)
    try:
        # scan() never enters linked folders, so only a link at the file itself can lead elsewhere.
        real = path.resolve(strict=True) if path.is_symlink() else path
        if real is not path and not real.is_relative_to(root.resolve()):
            raise BuildError(
                [
                    Problem(
                        shown,
                        1,
                        "this is a link to a file outside the site's folder",
                        "copy the file into the site's folder instead of linking to it",
                    )
                ]
            )
        status = real.stat()
        if not stat.S_ISREG(status.st_mode):
            raise BuildError([Problem(shown, 1, "this is not a regular file", "remove it or replace it with a file")])
        size = status.st_size
        if size > max_bytes:
            raise BuildError(
                [
                    Problem(
                        shown,
                        1,
                        f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
                        "split it into smaller pages, or raise limits.max_file_bytes in site.yaml",
                    )
                ]
            )
        data = real.read_bytes()
    except FileNotFoundError:
        raise BuildError(
            [
                Problem(
                    shown,
                    1,
                    "the file disappeared while the site was being built",
                    "build again once the file is back or its removal is complete",
                )
            ]
        ) from None
    except OSError as error:
        raise BuildError(
            [Problem(shown, 1, f"the file cannot be read ({error.strerror})", "check its permissions")]
        ) from None
    return decode(data, shown)


BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, shown: str, empty: bool = False) -> str:
    """The text as the build reads it, whichever common editor saved the file: UTF-8 with or without a byte
    order mark, or UTF-16 with one (Windows' "Unicode"); Windows (CRLF) and classic Mac (CR) line ends; and
    letters composed as macOS composes them in file names (NFD): text is NFC throughout. empty: an empty
    file is fine (a template may be)."""
    encoding = next(((bom, name) for bom, name in BOMS if data.startswith(bom)), (b"", "utf-8"))
    data = data[len(encoding[0]) :]
    if encoding[1] != "utf-8":
        try:
            if data and b"\x00" not in data:  # UTF-16 of any Latin text has a zero byte in every letter
                raise UnicodeDecodeError(encoding[1], data, 0, 1, "no zero bytes")
            data = data.decode(encoding[1]).encode("utf-8")
        except UnicodeDecodeError:
            raise BuildError(
                [
                    Problem(
                        shown,
                        1,
                        f"the file starts as {encoding[1].upper()} text but is not",
                        "save it as UTF-8 in your editor",
                    )
                ]
            ) from None
    if not data.strip() and not empty:
        raise BuildError([Problem(shown, 1, "the file is empty", "add front matter with a title, or delete the file")])
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise BuildError(
            [
                Problem(
                    shown,
                    line,
                    "the file is binary, not text",
                    "only UTF-8 text files belong here; put images and documents in static/",
                )
            ]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BuildError(
            [
                Problem(
                    shown,
                    line,
                    "the file is not UTF-8 text",
                    "save it as UTF-8 in your editor (for example 'Save with encoding: UTF-8')",
                )
            ]
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
