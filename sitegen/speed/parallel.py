"""Map a function over items on every core, in chunks, results in input order.

The calling process does a share of the chunks itself, beside workers forked from it. Forked workers
share the loaded Site without pickling it; only results travel back. Not forking one worker per core
matters for memory: a forked worker's resident memory counts every page of the parent it maps, so each
extra process adds a copy of the parent to the sum that the memory target counts.
A serial run gives the same results: each item's work is a pure function of the Site.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

MIN_ITEMS_PER_WORKER = 200


def _nothing() -> None:
    """after_chunk's default: nothing to do once a chunk is done."""


_task: Callable[[Any], Any] | None = None
_after_chunk: Callable[[], None] = _nothing
_items: Sequence[Any] = ()
_spans: list[range] = []


def worker_count() -> int:
    """Processes that do the work, the calling one included."""
    configured = os.environ.get("SITEGEN_WORKERS")
    if configured and configured.isdigit():
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def shrinking_spans(count: int, processes: int) -> list[range]:
    """Chunks of the items that shrink as the work runs out: big ones first, for little overhead, and small
    ones last, so that no process waits long for another's last chunk at the end of a stage."""
    spans, start = [], 0
    smallest = max(1, count // (processes * 64))
    while start < count:
        size = max(smallest, (count - start) // (processes * 4))
        spans.append(range(start, min(start + size, count)))
        start += size
    return spans


def _run_chunk(span: range) -> list[Any]:
    task = _task
    assert task is not None, "a chunk runs only while parallel_map does"
    results = [task(_items[index]) for index in span]
    _after_chunk()
    return results


def _take(counter) -> int | None:
    """The next chunk nobody has taken yet: chunks go to whichever process is free first."""
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    return index if index < len(_spans) else None


def as_worker() -> None:
    """Ctrl+C is the build process's to handle: it stops the workers. SIGTERM ends a worker at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def failure() -> tuple:
    """The exception being handled, to raise again in the build process: the same exception where it can
    travel (an OSError from a full disk stays an OSError), with the worker's traceback as a note."""
    error, text = sys.exc_info()[1], traceback.format_exc()
    try:
        pickle.dumps(error)
    except Exception:  # noqa: BLE001 - not picklable: the traceback text alone travels
        error = RuntimeError(f"a worker process failed: {error!r}")
    return error, text


def raise_failure(error: BaseException, text: str) -> None:
    error.add_note(f"in a worker process:\n{text}")
    raise error


def _work(counter, results: multiprocessing.Queue) -> None:
    """A forked worker: take chunks until none are left, send each chunk's results, then None."""
    as_worker()
    try:
        while (index := _take(counter)) is not None:
            results.put((index, _run_chunk(_spans[index])))
    except BaseException:  # noqa: BLE001 - the build process raises it again
        results.put((-1, failure()))
    results.put(None)


def parallel_map(
    task: Callable[[Any], Any], items: Sequence[Any], after_chunk: Callable[[], None] = _nothing
) -> list[Any]:
    """after_chunk runs in the process that did a chunk, once it is done and before its results are used."""
    global _task, _items, _after_chunk, _spans  # noqa: PLW0603 - the forked workers inherit these globals
    processes = min(worker_count(), len(items) // MIN_ITEMS_PER_WORKER)
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        mapped = [task(item) for item in items]
        after_chunk()
        return mapped
    _spans = shrinking_spans(len(items), processes)
    _task, _items, _after_chunk = task, items, after_chunk  # inherited by the forked workers
    context = multiprocessing.get_context("fork")
    counter, results = context.Value("i", 0), context.Queue()
    chunks: list[Any] = [None] * len(_spans)  # each chunk's results, by index, as they are done
    # Objects that exist before the fork are left out of the workers' garbage collection, which would
    # otherwise write to every one of them and so copy the parent's whole memory into each worker.
    # They stay frozen in this process too, until the build ends (pipeline.long_lived_objects).
    gc.freeze()
    workers = [context.Process(target=_work, args=(counter, results), daemon=True) for _ in range(processes - 1)]
    try:
        for worker in workers:
            worker.start()
        while (index := _take(counter)) is not None:
            chunks[index] = _run_chunk(_spans[index])
        collect(results, workers, chunks)
        return [result for chunk in chunks for result in chunk]
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
        results.close()
        _task, _items, _after_chunk, _spans = None, (), _nothing, []


def collect(results: multiprocessing.Queue, workers: list, chunks: list) -> None:
    """Receive the workers' chunks until each has said it is done; a worker that died is an error, not a hang."""
    done = 0
    while done < len(workers):
        try:
            message = results.get(timeout=1)
        except queue.Empty:
            if any(worker.exitcode not in (None, 0) for worker in workers):
                if any(worker.exitcode == -signal.SIGTERM for worker in workers) and callable(
                    signal.getsignal(signal.SIGTERM)
                ):
                    signal.raise_signal(signal.SIGTERM)  # the build was told to stop, with its workers
                raise RuntimeError("a worker process stopped unexpectedly") from None
            continue
        if message is None:
            done += 1
        elif message[0] < 0:
            raise_failure(*message[1])
        else:
            chunks[message[0]] = message[1]


class Background:
    """One function's result, worked out in a forked process while this one goes on; result() waits for
    it. With a single core it is worked out at once, in this process."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self._process = None
        if worker_count() < 2 or "fork" not in multiprocessing.get_all_start_methods():
            self._value = function(*args)
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_result, args=(send, function, args), daemon=True)
        self._process.start()
        send.close()

    def result(self) -> Any:
        if self._process is None:
            return self._value
        try:
            succeeded, value = self._receive.recv()
            self._process.join()  # it leaves once it has sent
        except EOFError:
            raise RuntimeError("a worker process stopped unexpectedly") from None
        finally:
            self.close()
        if not succeeded:
            raise_failure(*value)
        self._value = value
        return value

    def close(self) -> None:
        """Stop the process if its result is no longer wanted."""
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join()
            self._receive.close()
            self._process = None


def _send_result(send, function: Callable[..., Any], args: tuple) -> None:
    as_worker()
    try:
        message = (True, function(*args))
    except BaseException:  # noqa: BLE001 - the parent raises it again
        message = (False, failure())
    send.send(message)
    send.close()
