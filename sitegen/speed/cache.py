"""Memoised pure work, keyed by a hash of everything the work read.

If a key covers every input, the cache can be slow to help but never wrong. Every key includes a
hash of the generator's own source and its installed libraries, so a changed generator starts afresh.
The folder is git-ignored and safe to delete at any time; a damaged file is ignored.
"""

from __future__ import annotations

import gc
import os
import pickle
import uuid
import zlib
from pathlib import Path
from typing import Any

FOLDER = ".cache/sitegen"


class Memo:
    """Stores of key -> value, one per kind, loaded on first use. Only entries used by the last build are
    kept, so the cache does not grow without bound. Each store is split in SHARDS files by key, and only
    the files whose entries changed are written again: one edited page rewrites a 64th of a store."""

    SHARDS = 64

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.loaded: dict[str, dict] = {}
        self.used: dict[str, dict] = {}
        self.on_disk: dict[str, list[frozenset]] = {}  # the keys in each shard file
        self.changed: dict[tuple[str, int], set[str]] = {}  # (kind, shard) -> keys added or replaced

    @classmethod
    def shard(cls, key: str) -> int:
        return zlib.crc32(key.encode("utf-8")) % cls.SHARDS

    def store(self, kind: str) -> dict:
        """All entries of a kind, for looking at; only get and put mark an entry as used."""
        if kind not in self.loaded:
            self.loaded[kind], self.on_disk[kind] = {}, []
            for shard in range(self.SHARDS):
                entries = self.read(kind, shard)
                self.loaded[kind].update(entries)
                self.on_disk[kind].append(frozenset(entries))
            gc.freeze()  # it lives as long as the build: see pipeline.long_lived_objects
        return self.loaded[kind]

    def path(self, kind: str, shard: int) -> Path:
        assert self.folder is not None, "only a cache with a folder reads and writes files"
        return self.folder / f"{kind}.{shard:x}.pickle"

    def read(self, kind: str, shard: int) -> dict:
        if self.folder is None:
            return {}
        collecting = gc.isenabled()
        gc.disable()  # unpickling makes no garbage: the collector would only scan what it makes
        try:
            with self.path(kind, shard).open("rb") as handle:
                value = pickle.load(handle)
            return value if isinstance(value, dict) else {}
        except Exception:  # noqa: BLE001 - a damaged or old cache is simply not used
            return {}
        finally:
            if collecting:
                gc.enable()

    def get(self, kind: str, key: str) -> Any:
        value = self.store(kind).get(key)
        if value is not None:
            self.used.setdefault(kind, {})[key] = value
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        store = self.store(kind)
        if store.get(key) != value:
            self.changed.setdefault((kind, self.shard(key)), set()).add(key)
        store[key] = value
        self.used.setdefault(kind, {})[key] = value

    def keep_used(self, kind: str) -> None:
        """Forget, in memory, the entries of a kind that this build has not used: saving drops them anyway.
        Done once a build has looked up what it needs and before it forks workers, which would otherwise
        each map a store that a changed generator or template has made useless."""
        if kind in self.loaded:
            self.loaded[kind] = dict(self.used.get(kind, {}))

    def begin(self) -> None:
        """Start a build: of the kinds it uses, what it does not use is dropped when it saves."""
        self.used = {}

    def save(self) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for kind, entries in self.used.items():
            for shard, keys in enumerate(self.on_disk[kind]):
                # Nothing added or replaced and every entry still used: the very same file, no need to write.
                added = self.changed.get((kind, shard), set())
                if added or not entries.keys() >= keys:
                    self.write(kind, shard, {key: entries[key] for key in keys | added if key in entries})
            self.loaded[kind] = dict(entries)
        self.changed.clear()

    def write(self, kind: str, shard: int, entries: dict) -> None:
        assert self.folder is not None, "only a cache with a folder reads and writes files"
        temporary = self.folder / f".{kind}.{shard:x}.{os.getpid()}.tmp"
        with temporary.open("wb") as handle:
            pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self.path(kind, shard))
        self.on_disk[kind][shard] = frozenset(entries)


class BlobStore:
    """Converted HTML, in pack files of up to PACK_SIZE pages each, read only when a build needs them.
    One file per page would cost a file creation per page, which on some disks is the slowest part of a
    first build; a pack is written once, by the worker that converted its pages."""

    PACK_SIZE = 64
    PACKS_KEPT = 8

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.fresh: dict[str, Any] = {}  # without a folder: everything stays in memory
        self.pending: dict[str, Any] = {}  # converted by this process, to be written as self.pack
        self.pack = ""
        self.packs: dict[str, dict] = {}  # the last few packs read

    def path(self, pack: str) -> Path:
        assert self.folder is not None, "only a store with a folder reads and writes packs"
        return self.folder / pack[:2] / pack[2:]

    def get(self, key: str, pack: str) -> Any:
        if key in self.fresh:
            return self.fresh[key]
        if key in self.pending:
            return self.pending[key]
        if self.folder is None or not pack:
            return None
        if pack not in self.packs:
            try:
                with self.path(pack).open("rb") as handle:
                    self.packs[pack] = pickle.load(handle)
            except Exception:  # noqa: BLE001 - missing or damaged: the work is simply done again
                return None
            if len(self.packs) > self.PACKS_KEPT:
                del self.packs[next(iter(self.packs))]
        return self.packs[pack].get(key)

    def put(self, key: str, value: Any) -> None:
        self.fresh[key] = value

    def add(self, key: str, value: Any) -> str:
        """Queue a value (in a worker) and return the name of the pack it will be written in."""
        if self.folder is None:
            return ""
        if not self.pending:
            self.pack = uuid.uuid4().hex
        self.pending[key] = value
        pack = self.pack
        if len(self.pending) >= self.PACK_SIZE:
            self.flush()
        return pack

    def flush(self) -> None:
        """Write the queued values as one pack (at the end of every chunk of work, and when it is full)."""
        if not self.pending or self.folder is None:
            return
        target = self.path(self.pack)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with temporary.open("wb") as handle:
            pickle.dump(self.pending, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
        self.pending = {}

    def save(self) -> None:
        self.flush()

    def remove_unused(self, named: set[str]) -> None:
        """Delete the packs that no memo entry names any more: each changed page leaves its old pack behind,
        and without this the cache would grow with every edit. A pack deleted while another process still
        wants it is only work done again (get returns None)."""
        if self.folder is None or not self.folder.is_dir():
            return
        self.flush()
        for group in os.scandir(self.folder):
            if not group.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(group.path):
                # A name starting with '.' is a pack another process is still writing.
                if not entry.name.startswith(".") and group.name + entry.name not in named:
                    os.unlink(entry.path)


class BuildCache:
    """Everything memoised for one site: small entries in Memo, converted HTML as blobs."""

    def __init__(self, root: Path | None):
        folder = root / FOLDER if root is not None else None
        self.memo = Memo(folder)
        self.blobs = BlobStore(folder / "html" if folder else None)

    def begin(self) -> None:
        self.memo.begin()

    def save(self) -> None:
        self.memo.save()
        self.blobs.save()
