"""Asking web servers whether links still lead somewhere, for `check --external`.

Politely: HEAD first (GET only when a server refuses HEAD), a small pool of threads and at most `per_host`
requests to one host at a time, a time-out on every request, a User-Agent that names the tool, and a
day's memory of the links found alive, so that a second check within 24 hours asks nobody again.
Redirects are followed by hand, so that a permanent one is seen and its new address given. Whatever goes
wrong (no such host, a refused connection, a certificate, an address that is not one) is an `Outcome`,
never an exception.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

USER_AGENT = "sitegen-linkcheck/1.0 (static site generator; python build.py check --external)"
DAY = 24 * 60 * 60
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
REFUSED_HEAD = frozenset({405, 501})
TOO_MANY_REQUESTS = 429
MAX_REDIRECTS = 10
MEMORY_FILE = "links.json"
MEMORY_VERSION = 1
# Characters a URL's path and query may keep as they are; anything else (spaces, Polish letters) is escaped.
URL_SAFE = "/%:@!$&'()*+,;=~?"


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0  # seconds, for each request
    per_host: int = 2  # requests to one host at a time
    workers: int = 6  # requests at a time, all hosts together
    clock: Callable[[], float] = time.time
    user_agent: str = USER_AGENT


@dataclass(frozen=True)
class Outcome:
    """What became of one address. state: alive, moved (a permanent redirect to `location`), dead (`reason`)
    or busy (the server asked us to come back later: 429)."""

    state: str
    reason: str = ""
    location: str = ""


class Answer(NamedTuple):
    status: int
    reason: str
    location: str | None


class EveryAnswer(urllib.request.HTTPErrorProcessor):
    """Hands every response back as it is: no exception for a 404, no redirect followed behind our back."""

    def http_response(self, request: urllib.request.Request, response: Any) -> Any:
        return response

    https_response = http_response


class Asker:
    """Sends the requests, at most settings.per_host to one host at a time."""

    def __init__(self, settings: Settings):
        self.settings = settings
        context = ssl.create_default_context()
        self.opener = urllib.request.build_opener(EveryAnswer(), urllib.request.HTTPSHandler(context=context))
        self.gates: dict[str, threading.BoundedSemaphore] = {}
        self.lock = threading.Lock()

    def gate(self, url: str) -> threading.BoundedSemaphore:
        with self.lock:
            return self.gates.setdefault(host_of(url), threading.BoundedSemaphore(self.settings.per_host))

    def ask(self, url: str, method: str) -> Answer:
        request = urllib.request.Request(
            ascii_url(url), method=method, headers={"User-Agent": self.settings.user_agent, "Accept": "*/*"}
        )
        with self.gate(url), self.opener.open(request, timeout=self.settings.timeout) as response:
            # The body is never read: the status and the headers say all, and closing drops the rest.
            return Answer(response.status, response.reason or "", response.headers.get("Location"))

    def ask_politely(self, url: str) -> Answer:
        """HEAD, and GET when the server does not allow HEAD."""
        answer = self.ask(url, "HEAD")
        return self.ask(url, "GET") if answer.status in REFUSED_HEAD else answer

    def follow(self, url: str) -> Outcome:
        """Where the address leads, through redirects: permanent ones at the start give the new address."""
        current, moved_to, seen, permanent = url, "", {url}, True
        for _ in range(MAX_REDIRECTS + 1):
            try:
                answer = self.ask_politely(current)
            except Exception as error:  # noqa: BLE001 - every failure becomes the link's outcome, in words
                return Outcome("dead", leading_to(url, current) + failure(error, self.settings.timeout))
            if answer.status in REDIRECTS and answer.location:
                following = urljoin(current, answer.location.strip())
                permanent = permanent and answer.status in PERMANENT
                if permanent:  # only a chain of permanent redirects from the start moves the link
                    moved_to = following
                if urlsplit(following).scheme not in ("http", "https"):
                    break  # a redirect to mailto: or ftp: leads somewhere we do not ask
                if following in seen:
                    return Outcome("dead", "it redirects in a loop")
                seen.add(following)
                current = following
                continue
            if answer.status == TOO_MANY_REQUESTS:
                return Outcome("busy", "the server asks for fewer requests (429 Too Many Requests)")
            if answer.status >= 400:
                status = f"{answer.status} {answer.reason}".strip()
                return Outcome("dead", leading_to(url, current) + f"the server answers {status}")
            break
        else:
            return Outcome("dead", f"it redirects more than {MAX_REDIRECTS} times")
        return Outcome("moved", location=moved_to) if moved_to else Outcome("alive")


def leading_to(url: str, current: str) -> str:
    return "" if current == url else f"it redirects to {current}, where "


def failure(error: BaseException, timeout: float) -> str:
    """Why a request got no answer, in the words an editor can act on."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closes the connection without an answer"
    if isinstance(error, socket.gaierror):
        return "its host name is not found (DNS)"
    if isinstance(error, ConnectionRefusedError):
        return "the server refuses the connection"
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"its certificate is not valid ({error.verify_message})"
    if isinstance(error, ssl.SSLError):
        return f"the secure connection fails ({error.reason or error})"
    if isinstance(error, UnicodeError):
        return "its host name is not a valid one"
    if isinstance(error, ValueError):
        return f"it is not a valid address ({error})"
    if isinstance(error, http.client.HTTPException):
        return f"the server's answer is not HTTP ({type(error).__name__})"
    if isinstance(error, urllib.error.URLError):
        return f"it cannot be asked ({error.reason})"
    if isinstance(error, OSError):
        return f"the connection fails ({error.strerror or error})"
    return f"it could not be checked ({type(error).__name__}: {error})"


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def ascii_url(url: str) -> str:
    """The address as a request line needs it: the host name in IDNA, the path and query escaped. Raises
    ValueError (UnicodeError for a host name IDNA refuses) for what is no address at all."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("an http or https address with a host name")
    host = parts.hostname.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme, netloc, quote(parts.path, URL_SAFE), quote(parts.query, URL_SAFE), ""))


@dataclass
class Memory:
    """The outcomes of links found alive or moved, with when they were found so, in .cache/sitegen/links.json.
    Only those: a dead link is asked again at every check, so a server back up shows at once. The file is
    never needed: missing, damaged or not writable, every link is simply asked."""

    path: Path | None
    now: float
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def load(self) -> Memory:
        if self.path is None:
            return self
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("version") == MEMORY_VERSION and isinstance(stored.get("links"), dict):
                self.entries = {url: entry for url, entry in stored["links"].items() if self.fresh(entry)}
        except Exception:  # noqa: BLE001 - no memory, or a damaged one: every link is asked
            self.entries = {}
        return self

    def fresh(self, entry: Any) -> bool:
        return (
            isinstance(entry, dict)
            and isinstance(entry.get("at"), (int, float))
            and 0 <= self.now - entry["at"] < DAY
            and entry.get("state") in ("alive", "moved")
            and isinstance(entry.get("location", ""), str)
        )

    def recall(self, url: str) -> Outcome | None:
        entry = self.entries.get(url)
        return Outcome(entry["state"], location=entry.get("location", "")) if entry else None

    def remember(self, url: str, outcome: Outcome) -> None:
        if outcome.state in ("alive", "moved"):
            self.entries[url] = {"at": self.now, "state": outcome.state, "location": outcome.location}

    def save(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"version": MEMORY_VERSION, "links": self.entries}, indent=0, sort_keys=True)
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:  # a read-only disk: the next check asks again
            temporary.unlink(missing_ok=True)


def check_addresses(
    urls: Iterable[str], settings: Settings, folder: Path | None, say: Callable[[str], None] = lambda _: None
) -> Mapping[str, Outcome]:
    """The outcome of every address, from the memory in folder (if any) or from its server."""
    memory = Memory(folder / MEMORY_FILE if folder else None, settings.clock()).load()
    wanted = sorted(set(urls))
    outcomes = {url: known for url in wanted if (known := memory.recall(url)) is not None}
    asking = [url for url in wanted if url not in outcomes]
    say(
        f"checking {len(asking)} external link{'s' if len(asking) != 1 else ''}"
        f" ({len(outcomes)} more found alive in the last 24 hours)"
    )
    if asking:
        outcomes.update(ask_all(asking, settings))
        for url in asking:
            memory.remember(url, outcomes[url])
        memory.save()
    return outcomes


def ask_all(urls: list[str], settings: Settings) -> dict[str, Outcome]:
    """Each host's addresses in at most settings.per_host lanes, each lane asking one address after the
    other, so that no thread of the pool waits for a host while another host has work."""
    asker, outcomes, stop = Asker(settings), {}, threading.Event()
    queues: dict[str, deque[str]] = {}
    for url in urls:
        queues.setdefault(host_of(url), deque()).append(url)

    def lane(queue: deque[str]) -> None:
        while not stop.is_set():
            try:
                url = queue.popleft()
            except IndexError:
                return
            try:
                outcomes[url] = asker.follow(url)
            except Exception as error:  # noqa: BLE001 - a Location no URL parser takes, or worse: still one line
                outcomes[url] = Outcome("dead", failure(error, settings.timeout))

    lanes = [queue for queue in queues.values() for _ in range(min(settings.per_host, len(queue)))]
    with ThreadPoolExecutor(max_workers=max(1, settings.workers), thread_name_prefix="linkcheck") as pool:
        running = [pool.submit(lane, queue) for queue in lanes]
        try:
            for done in running:
                done.result()
        except BaseException:  # Ctrl+C: the lanes finish the request they are in, and ask nothing more
            stop.set()
            raise
    return outcomes
