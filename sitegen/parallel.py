"""Map a function over items in forked worker processes, in chunks, results in input order.

Workers are forked, so they share the loaded Site without pickling it; only results travel back.
A serial run gives the same results: each item's work is a pure function of the Site.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any, Callable, Sequence

MIN_ITEMS_PER_WORKER = 200
_task: Callable[[Any], Any] | None = None
_after_chunk: Callable[[], None] = lambda: None
_items: Sequence[Any] = ()


def worker_count() -> int:
    configured = os.environ.get("SITEGEN_WORKERS")
    if configured and configured.isdigit():
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run_chunk(span: range) -> list[Any]:
    results = [_task(_items[index]) for index in span]
    _after_chunk()
    return results


def parallel_map(task: Callable[[Any], Any], items: Sequence[Any],
                 after_chunk: Callable[[], None] = lambda: None) -> list[Any]:
    """after_chunk runs in the worker once a chunk is done, before its results are sent back."""
    global _task, _items, _after_chunk
    workers = min(worker_count(), len(items) // MIN_ITEMS_PER_WORKER)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        results = [task(item) for item in items]
        after_chunk()
        return results
    size = max(1, len(items) // (workers * 8))
    spans = [range(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    _task, _items, _after_chunk = task, items, after_chunk   # inherited by the forked workers
    # Objects that exist before the fork are left out of the workers' garbage collection, which would
    # otherwise write to every one of them and so copy the parent's whole memory into each worker.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [result for chunk in pool.imap(_run_chunk, spans) for result in chunk]
    finally:
        gc.unfreeze()
        _task, _items, _after_chunk = None, (), lambda: None
