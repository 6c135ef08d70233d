"""The one place that writes output/: only files whose bytes changed, each renamed into place."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .urls import is_inside


class Unchanged:
    """Stands for a file the renderer knows output/ already holds, byte for byte."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int
    stats: dict = None   # path -> (size, mtime_ns) of every file now in output/ that this build owns


def existing_files(output_dir: Path) -> set[str]:
    if not output_dir.is_dir():
        return set()
    return {p.relative_to(output_dir).as_posix() for p in output_dir.rglob("*") if p.is_file() or p.is_symlink()}


def same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_output(files: Mapping[str, bytes | Unchanged], output_dir: Path) -> WriteReport:
    """Apply the differences between output_dir and files. Unchanged files keep their modification time,
    so rsync-style deploys copy only what changed."""
    for path in files:
        if not is_inside(path):
            raise ValueError(f"refusing to write outside the output folder: {path}")
    output_dir.mkdir(parents=True, exist_ok=True)
    before = existing_files(output_dir)
    written = unchanged = 0
    stats = {}
    for path in sorted(files):
        target = output_dir / path
        data = files[path]
        if data is UNCHANGED or same_bytes(target, data):
            unchanged += 1
        else:
            replace_file(target, data)
            written += 1
        status = os.stat(target)
        stats[path] = (status.st_size, status.st_mtime_ns)
    stale = sorted(before - set(files))
    for path in stale:
        (output_dir / path).unlink(missing_ok=True)
    remove_empty_folders(output_dir)
    return WriteReport(written, unchanged, len(stale), stats)


def replace_file(target: Path, data: bytes) -> None:
    for parent in reversed(target.parents):
        if parent.is_symlink() or parent.is_file():
            parent.unlink()
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def remove_empty_folders(output_dir: Path) -> None:
    for folder in sorted((p for p in output_dir.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
