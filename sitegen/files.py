"""Reading source files safely: size limit, UTF-8, no escape from the project through symlinks."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import BuildError, Problem

IGNORED_PREFIXES = (".", "#", "_tmp")
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".bak")


def is_ignored(name: str) -> bool:
    """Editor backups and hidden files are never content."""
    return name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES)


def walk(folder: Path, root: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every file under folder, sorted, so that file-system order never matters."""
    found: list[tuple[tuple[str, ...], Path, str]] = []   # sorted by path parts, as Path sorts, but cheaper
    if not folder.is_dir():
        return []
    skipped = {str(path) for path in skip}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        current = Path(dirpath)
        parts = current.parts
        dirnames[:] = sorted(d for d in dirnames if not is_ignored(d) and os.path.join(dirpath, d) not in skipped)
        for directory in list(dirnames):
            if os.path.islink(os.path.join(dirpath, directory)):
                found.append(((*parts, directory), current, directory))
                dirnames.remove(directory)
        found.extend(((*parts, name), current, name) for name in filenames if not is_ignored(name))
    found.sort(key=lambda entry: entry[0])
    return [folder_path / name for _, folder_path, name in found]


def relative(path: Path, root: Path) -> str:
    text, prefix = str(path), str(root) + os.sep
    if text.startswith(prefix):
        return text[len(prefix):].replace(os.sep, "/")
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def read_text(path: Path, root: Path, max_bytes: int) -> str:
    """The file's text, or a BuildError that says what is wrong with the file itself."""
    shown = relative(path, root)
    try:
        # walk() never enters linked folders, so only a link at the file itself can lead elsewhere.
        real = path.resolve(strict=True) if path.is_symlink() else path
        if real is not path and not real.is_relative_to(root.resolve()):
            raise BuildError([Problem(shown, 1, "this is a link to a file outside the project",
                                      "copy the file into the project instead of linking to it")])
        status = real.stat()
        if not stat.S_ISREG(status.st_mode):
            raise BuildError([Problem(shown, 1, "this is not a regular file", "remove it or replace it with a file")])
        size = status.st_size
        if size > max_bytes:
            raise BuildError([Problem(shown, 1, f"the file is {size:,} bytes, over the limit of {max_bytes:,}",
                                      "split it into smaller pages, or raise limits.max_file_bytes in site.yaml")])
        data = real.read_bytes()
    except FileNotFoundError:
        raise BuildError([Problem(shown, 1, "the file disappeared while the site was being built",
                                  "build again once the file is back or its removal is complete")]) from None
    except OSError as error:
        raise BuildError([Problem(shown, 1, f"the file cannot be read ({error.strerror})",
                                  "check its permissions")]) from None
    return decode(data, shown)


def decode(data: bytes, shown: str) -> str:
    if not data.strip():
        raise BuildError([Problem(shown, 1, "the file is empty", "add front matter with a title, or delete the file")])
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise BuildError([Problem(shown, line, "the file is binary, not text",
                                  "only UTF-8 text files belong here; put images and documents in static/")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BuildError([Problem(shown, line, "the file is not UTF-8 text",
                                  "save it as UTF-8 in your editor (for example 'Save with encoding: UTF-8')")]) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")
