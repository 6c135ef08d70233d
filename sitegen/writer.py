"""The one place that writes output/: only files whose bytes changed, each renamed into place."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .files import file_entries
from .urls import is_inside


class Unchanged:
    """Stands for a file the renderer knows output/ already holds, byte for byte."""

    def __repr__(self) -> str:
        return "UNCHANGED"

    def __reduce__(self) -> str:
        return "UNCHANGED"   # back from a worker process as the one UNCHANGED, so 'is UNCHANGED' holds


UNCHANGED = Unchanged()


@dataclass(frozen=True)
class Staged:
    """A rendered file waiting in the staging folder, so that a big site is never held in memory."""
    file: str

    def read(self) -> bytes:
        return Path(self.file).read_bytes()


def content(data: "bytes | Staged") -> bytes:
    return data.read() if isinstance(data, Staged) else data


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    stats: dict = field(default_factory=dict)   # path -> (size, mtime_ns) of each file this build wrote or compared


def list_output(output_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file in output_dir (links by their own status) -> (size, mtime_ns). The command line lists it on
    the other core while this one lists the sources and loads the site (see cli.run)."""
    found: dict[str, tuple[int, int]] = {}
    prefix = len(str(output_dir)) + 1
    for entry in file_entries(str(output_dir)):
        try:
            status = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        found[entry.path[prefix:]] = (status.st_size, status.st_mtime_ns)
    return found


def same_bytes(path: Path, data: "bytes | Staged") -> bool:
    try:
        if not path.is_file() or path.is_symlink():
            return False
        size = os.stat(data.file).st_size if isinstance(data, Staged) else len(data)
        return path.stat().st_size == size and path.read_bytes() == content(data)
    except OSError:
        return False


def write_output(files: Mapping[str, "bytes | Unchanged | Staged"], output_dir: Path,
                 remove_stale: bool = True, staging: Path | None = None,
                 present: Mapping[str, tuple[int, int]] | None = None) -> WriteReport:
    """Apply the differences between output_dir and files. Unchanged files keep their modification time,
    so rsync-style deploys copy only what changed. remove_stale=False: files is only part of the site
    (the preview after a body edit), so nothing else is removed and output/ need not be listed.
    staging: the folder where rendered pages wait, each at its path in the tree of output/.
    present: output_dir as list_output() saw it before the build, if the caller has listed it."""
    for path in files:
        if not is_inside(path):
            raise ValueError(f"refusing to write outside the output folder: {path}")
    if staging is not None and remove_stale and not os.path.lexists(output_dir) \
            and not any(data is UNCHANGED for data in files.values()):
        return move_tree(files, output_dir, staging)
    output_dir.mkdir(parents=True, exist_ok=True)
    before = set(list_output(output_dir) if present is None else present) if remove_stale else set()
    written = unchanged = 0
    stats = {}
    for path in sorted(files):
        data = files[path]
        if data is UNCHANGED:
            unchanged += 1
            continue
        target = output_dir / path
        if same_bytes(target, data):
            unchanged += 1
        elif isinstance(data, Staged):
            prepare_place(target)
            os.replace(data.file, target)   # the staging folder is inside the project: a rename, no copy
            written += 1
        else:
            replace_file(target, data)
            written += 1
        status = os.stat(target)
        stats[path] = (status.st_size, status.st_mtime_ns)
    stale = sorted(before - set(files)) if remove_stale else []
    for path in stale:
        (output_dir / path).unlink(missing_ok=True)
    remove_empty_folders(output_dir, {posixpath_parent(path) for path in stale})
    return WriteReport(written, unchanged, len(stale), stats)


def move_tree(files: Mapping[str, "bytes | Staged"], output_dir: Path, staging: Path) -> WriteReport:
    """A first build: there is no output/ yet, so the staging tree, completed with the files rendered in
    memory, becomes output/ in one rename instead of one folder and one rename per page."""
    for path, data in files.items():
        target = staging / path
        if isinstance(data, Staged) and data.file == str(target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content(data))
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, output_dir)
    stats = {}
    for path in files:
        status = os.stat(f"{output_dir}/{path}")
        stats[path] = (status.st_size, status.st_mtime_ns)
    return WriteReport(len(files), 0, 0, stats)


def posixpath_parent(path: str) -> str:
    return path.rpartition("/")[0]


def prepare_place(target: Path) -> None:
    """Make room for a file at target: files or links in the way of its folders go, folders are made."""
    for parent in reversed(target.parents):
        if parent.is_symlink() or parent.is_file():
            parent.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)


def replace_file(target: Path, data: bytes) -> None:
    prepare_place(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def remove_empty_folders(output_dir: Path, folders: set[str]) -> None:
    """Folders emptied by removed pages go too, deepest first, up to output/ itself."""
    candidates = set()
    for folder in folders:
        while folder:
            candidates.add(folder)
            folder = posixpath_parent(folder)
    for folder in sorted(candidates, key=lambda f: f.count("/"), reverse=True):
        path = output_dir / folder
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()
