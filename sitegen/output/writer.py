"""The one place that writes output/: only files whose bytes changed, each renamed into place."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ..loading.files import file_entries
from ..loading.urls import is_inside


class Unchanged:
    """Stands for a file the renderer knows output/ already holds, byte for byte."""

    def __repr__(self) -> str:
        return "UNCHANGED"

    def __reduce__(self) -> str:
        return "UNCHANGED"  # back from a worker process as the one UNCHANGED, so 'is UNCHANGED' holds


UNCHANGED = Unchanged()


@dataclass(frozen=True)
class Staged:
    """A rendered file waiting in the staging folder, so that a big site is never held in memory."""

    file: str

    def read(self) -> bytes:
        return Path(self.file).read_bytes()


def content(data: bytes | Staged) -> bytes:
    return data.read() if isinstance(data, Staged) else data


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    stats: dict = field(default_factory=dict)  # path -> (size, mtime_ns) of each file this build wrote or compared


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


def same_bytes(path: Path, data: bytes | Staged) -> bool:
    try:
        if not path.is_file() or path.is_symlink():
            return False
        size = os.stat(data.file).st_size if isinstance(data, Staged) else len(data)
        return path.stat().st_size == size and path.read_bytes() == content(data)
    except OSError:
        return False


class Changes:
    """What a build does to output/, kept revertible until commit(): a file it replaces or removes is first
    moved aside into a folder of its own (a rename, so it keeps its bytes and time), a file or folder it
    creates is noted. revert() puts output/ back as it was, byte for byte, after an interrupt or a failed
    write (a full disk). A build killed outright leaves a mixture, which the next build repairs: it checks
    every file against what it should hold, and removes what it did not write."""

    def __init__(self, aside: Path):
        self.aside = aside
        self.done: list[tuple[str, Path, Path | None]] = []  # (what, path in output/, where the old one went)

    def move_aside(self, target: Path) -> Path:
        if not self.done or not self.aside.exists():
            self.aside.mkdir(parents=True, exist_ok=True)
        kept = self.aside / str(len(self.done))
        os.rename(target, kept)
        return kept

    def replace(self, target: Path, source: str) -> None:
        """Put the file at source (a staged page, a temporary file) at target."""
        existed = os.path.lexists(target)
        kept = self.move_aside(target) if existed else None
        self.done.append(("file", target, kept))
        os.replace(source, target)

    def write(self, target: Path, data: bytes) -> None:
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        self.done.append(("temporary", temporary, None))
        temporary.write_bytes(data)
        self.replace(target, str(temporary))

    def remove(self, target: Path) -> None:
        self.done.append(("removed", target, self.move_aside(target)))

    def make_folders(self, folder: Path) -> None:
        missing = []
        while not os.path.lexists(folder):
            missing.append(folder)
            folder = folder.parent
        for made in reversed(missing):
            os.mkdir(made)
            self.done.append(("folder", made, None))

    def remove_folder(self, folder: Path) -> None:
        folder.rmdir()
        self.done.append(("removed folder", folder, None))

    def move_tree(self, source: Path, target: Path) -> None:
        os.rename(source, target)
        self.done.append(("tree", target, source))

    def revert(self) -> None:
        for what, path, kept in reversed(self.done):
            if what == "temporary":
                path.unlink(missing_ok=True)
            elif what == "file":
                path.unlink(missing_ok=True)
                if kept is not None:
                    os.rename(kept, path)
            elif what == "removed":
                assert kept is not None, "a removed file is always kept aside"
                os.rename(kept, path)
            elif what == "folder":
                shutil.rmtree(path, ignore_errors=True)
            elif what == "removed folder":
                path.mkdir()
            elif what == "tree":
                shutil.rmtree(path, ignore_errors=True)
        self.done = []
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.aside, ignore_errors=True)


def write_output(
    files: Mapping[str, bytes | Unchanged | Staged],
    output_dir: Path,
    changes: Changes,
    remove_stale: bool = True,
    staging: Path | None = None,
    present: Mapping[str, tuple[int, int]] | None = None,
) -> WriteReport:
    """Apply the differences between output_dir and files. Unchanged files keep their modification time,
    so rsync-style deploys copy only what changed. remove_stale=False: files is only part of the site
    (the preview after a body edit), so nothing else is removed and output/ need not be listed.
    staging: the folder where rendered pages wait, each at its path in the tree of output/.
    present: output_dir as list_output() saw it before the build, if the caller has listed it."""
    for path in files:
        if not is_inside(path):
            raise ValueError(f"refusing to write outside the output folder: {path}")
    if (
        staging is not None
        and remove_stale
        and not os.path.lexists(output_dir)
        and not any(data is UNCHANGED for data in files.values())
    ):
        return move_tree(cast("Mapping[str, bytes | Staged]", files), output_dir, staging, changes)  # no UNCHANGED
    if not output_dir.is_dir() or output_dir.is_symlink():
        if os.path.lexists(output_dir):
            changes.remove(output_dir)  # a file or a link where output/ belongs
        changes.make_folders(output_dir)
    before = set(list_output(output_dir) if present is None else present) if remove_stale else set()
    written = unchanged = 0
    stats = {}
    for path in sorted(files):
        data = files[path]
        if isinstance(data, Unchanged):  # UNCHANGED, the only one
            unchanged += 1
            continue
        target = output_dir / path
        if same_bytes(target, data):
            unchanged += 1
        else:
            prepare_place(target, output_dir, changes)
            if isinstance(data, Staged):
                changes.replace(target, data.file)  # the staging folder is inside the site's folder: a rename, no copy
            else:
                changes.write(target, data)
            written += 1
        status = os.stat(target)
        stats[path] = (status.st_size, status.st_mtime_ns)
    stale = sorted(before - set(files)) if remove_stale else []
    for path in stale:
        if os.path.lexists(output_dir / path):
            changes.remove(output_dir / path)
    remove_empty_folders(output_dir, {posixpath_parent(path) for path in stale}, changes)
    return WriteReport(written=written, unchanged=unchanged, removed=len(stale), stats=stats)


def move_tree(files: Mapping[str, bytes | Staged], output_dir: Path, staging: Path, changes: Changes) -> WriteReport:
    """A first build: there is no output/ yet, so the staging tree, completed with the files rendered in
    memory, becomes output/ in one rename instead of one folder and one rename per page."""
    for path, data in files.items():
        target = staging / path
        if isinstance(data, Staged) and data.file == str(target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content(data))
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    changes.move_tree(staging, output_dir)
    stats = {}
    for path in files:
        status = os.stat(f"{output_dir}/{path}")
        stats[path] = (status.st_size, status.st_mtime_ns)
    return WriteReport(written=len(files), unchanged=0, removed=0, stats=stats)


def posixpath_parent(path: str) -> str:
    return path.rpartition("/")[0]


def prepare_place(target: Path, output_dir: Path, changes: Changes) -> None:
    """Make room for a file at target: files or links in the way of its folders, or a folder where the file
    goes, are moved aside; missing folders are made."""
    for parent in reversed(target.parents):
        if parent.is_relative_to(output_dir) and parent != output_dir and (parent.is_symlink() or parent.is_file()):
            changes.remove(parent)
    changes.make_folders(target.parent)
    if target.is_dir() and not target.is_symlink():
        changes.remove(target)


def remove_empty_folders(output_dir: Path, folders: set[str], changes: Changes) -> None:
    """Folders emptied by removed pages go too, deepest first, up to output/ itself."""
    candidates = set()
    for emptied in folders:
        folder = emptied
        while folder:
            candidates.add(folder)
            folder = posixpath_parent(folder)
    for folder in sorted(candidates, key=lambda f: f.count("/"), reverse=True):
        path = output_dir / folder
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            changes.remove_folder(path)
