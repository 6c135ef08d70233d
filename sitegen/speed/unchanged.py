"""The no-change shortcut for `build`: when every input file, every option, the generator itself and the
commit checked out are as the last successful build saw them, and output/ still holds what that build
wrote, nothing is done. A commit changes pages' "Last updated" dates without changing a file.

Inputs are compared by size and modification time in nanoseconds, as git compares its index. A file
changed within the same clock tick as the snapshot could look unchanged ("racy" in git's words), so a
snapshot holding any file modified less than RACY_SECONDS before it was taken is never trusted.
The record lives in the cache folder: safe to delete, and ignored when damaged.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..clock import build_date
from ..digests import CODE, digest
from ..loading.config import CONFIG_FILE, Config
from ..loading.content import RACY_SECONDS
from ..loading.files import FileStatus, list_inputs
from ..loading.history import history_state
from .cache import FOLDER

RECORD = "last-build.marshal"  # marshal: ten times faster than JSON for 50,000 entries


@dataclass(frozen=True)
class Snapshot:
    key: str  # the generator, its libraries and the options
    files: dict[str, tuple[int, int]]  # input path -> (size, mtime_ns)
    taken_ns: int
    listing: dict[str, FileStatus]  # what the build then loads, without listing the folders again
    history_state: str  # the commit checked out (loading.history): the build does not ask git again


def take_snapshot(config: Config, production: bool, drafts: bool) -> Snapshot:
    """List every input before the build reads it: a file saved during the build then differs next time."""
    taken = time.time_ns()
    listing = list_inputs(config)
    files = {path: status[:2] for path, status in listing.items()}
    try:
        status = (config.root / CONFIG_FILE).stat()
        files[CONFIG_FILE] = (status.st_size, status.st_mtime_ns)
    except OSError:
        pass
    state = history_state(config.root)
    key = digest(CODE, production, drafts, config.base_url, build_date(config.root).isoformat(), state)
    return Snapshot(key=key, files=files, taken_ns=taken, listing=listing, history_state=state)


def record_path(root: Path) -> Path:
    return root / FOLDER / RECORD


def up_to_date(snapshot: Snapshot, present: Callable[[], Mapping[str, tuple[int, int]]], root: Path) -> dict | None:
    """The last build's record if nothing changed since: the same inputs, and output/ holding just what that
    build left there (present() lists it, asked only once the inputs are known to be the same). Else None."""
    try:
        record = marshal.loads(record_path(root).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):  # gone, damaged, or from another Python
        return None
    if not isinstance(record, dict) or record.get("key") != snapshot.key or record.get("files") != snapshot.files:
        return None
    newest = max((mtime for _, mtime in snapshot.files.values()), default=0)
    if newest > record.get("taken_ns", 0) - RACY_SECONDS * 10**9:
        return None
    return record if record.get("outputs") == present() else None


def save_record(snapshot: Snapshot, root: Path, outputs: dict[str, tuple[int, int]], messages: list[str]) -> None:
    """outputs: every file of output/ with its (size, mtime_ns), as the writer left it."""
    record = {
        "key": snapshot.key,
        "taken_ns": snapshot.taken_ns,
        "files": snapshot.files,
        "outputs": outputs,
        "messages": messages,
    }
    target = record_path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{RECORD}.{os.getpid()}.tmp")
    temporary.write_bytes(marshal.dumps(record))
    os.replace(temporary, target)


def forget(root: Path) -> None:
    """A failed or different build invalidates the record."""
    with contextlib.suppress(OSError):
        record_path(root).unlink()
