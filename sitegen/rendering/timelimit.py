"""Stop a call that runs past its time, in any thread: Python-Markdown is quadratic on some inputs
(100 KB of '[' takes minutes), and one page must not hang a build or the preview.

One watchdog thread per process raises TimeLimitExceeded in the thread that overran, through CPython's
PyThreadState_SetAsyncExc. It lands at the next bytecode, so a single long call into C (one regular
expression search) finishes first; Python-Markdown's slow inputs are Python loops over short searches.
Signals would serve only the main thread, and the preview converts pages in its watcher thread.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimitExceeded(Exception):
    pass


class Watchdog:
    """Looks every CHECK_SECONDS: a call's start and end then cost two uncontended lock operations, and the
    watchdog never has to be woken."""

    CHECK_SECONDS = 0.05

    def __init__(self) -> None:
        self.pid = -1
        self.lock = threading.Lock()
        self.active: tuple[object, int, float] | None = None  # (token, thread id, deadline)
        self.fired: object | None = None  # the token whose thread was sent the exception

    def start_here(self) -> None:
        """Threads do not survive fork: a forked worker starts its own watchdog, with a fresh lock (the
        parent's may have been held by its watchdog at the moment of the fork)."""
        if self.pid != os.getpid():
            self.pid = os.getpid()
            self.lock, self.active, self.fired = threading.Lock(), None, None
            threading.Thread(target=self.watch, daemon=True, name="time-limit").start()

    def watch(self) -> None:
        while True:
            time.sleep(self.CHECK_SECONDS)
            with self.lock:
                if self.active is not None and time.monotonic() > self.active[2]:
                    token, thread, _ = self.active
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(thread), ctypes.py_object(TimeLimitExceeded)
                    )
                    self.active, self.fired = None, token

    def begin(self, seconds: float) -> object:
        self.start_here()
        token = object()
        with self.lock:
            self.active = (token, threading.get_ident(), time.monotonic() + seconds)
        return token

    def end(self, token: object) -> None:
        """After this returns, no exception for this call is pending: if the watchdog fired just as the call
        finished, the exception it sent is withdrawn (or it was raised here, which the caller treats as
        having run out of time, as it had)."""
        with self.lock:
            if self.active is not None and self.active[0] is token:
                self.active = None
            if self.fired is token:
                self.fired = None
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)


WATCHDOG = Watchdog()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TimeLimitExceeded in this thread if the block runs longer than seconds."""
    token = WATCHDOG.begin(seconds)
    try:
        yield
    finally:
        WATCHDOG.end(token)
