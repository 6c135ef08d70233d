"""`check --external` against HTTP servers in this process, on 127.0.0.1: what each answer becomes, where it
is reported, the 24-hour memory, the limits on concurrency, and no request at all without --external."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import FILES, run_build, write_site
from sitegen.commands import probe
from sitegen.commands.check import check_site
from sitegen.commands.probe import MEMORY_FILE, Settings
from sitegen.speed.cache import FOLDER

TIMEOUT = 0.3  # seconds: the server that never answers in time keeps the suite waiting this long
HINT = "correct the address, link to the page's new home, or remove the link"


class LinkServer:
    """Answers by path: /ok 200, /moved 301 to /ok, /temporary 302 to /ok, /missing and /gone 404, /no-head 405
    to HEAD and 200 to GET, /slow nothing until the test ends, /busy... 200 after a moment, /bad-location a
    301 to an address no URL parser takes. Counts every request, and the most answered at once, in all and
    per host name."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.active: Counter[str] = Counter()
        self.most = 0
        self.most_per_host: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                server.answer(self, "HEAD")

            def do_GET(self) -> None:
                server.answer(self, "GET")

        return Handler

    def answer(self, request: BaseHTTPRequestHandler, method: str) -> None:
        host = (request.headers.get("Host") or "").rsplit(":", 1)[0]
        with self.lock:
            self.requests[(method, request.path)] += 1
            self.active[host] += 1
            self.most = max(self.most, sum(self.active.values()))
            self.most_per_host[host] = max(self.most_per_host[host], self.active[host])
        try:
            status, location = self.route(request.path.split("?")[0], method)
            request.send_response(status)
            if location:
                request.send_header("Location", location if "//" in location else self.url(location))
            request.send_header("Content-Length", "0")
            request.end_headers()
        finally:
            with self.lock:
                self.active[host] -= 1

    def route(self, path: str, method: str) -> tuple[int, str]:
        if path == "/slow":
            self.released.wait(10)
        if path.startswith("/busy"):
            time.sleep(0.15)
        routes = {
            "/bad-location": (301, "http://[no-such-address"),
            "/moved": (301, "/ok"),
            "/temporary": (302, "/ok"),
            "/missing": (404, ""),
            "/gone": (404, ""),
        }
        if path == "/no-head":
            return (405, "") if method == "HEAD" else (200, "")
        return routes.get(path, (200, ""))

    def asked(self, path: str) -> int:
        return sum(count for (_, asked), count in self.requests.items() if asked == path)


@pytest.fixture
def server():
    running = LinkServer()
    running.thread.start()
    yield running
    running.released.set()
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """urllib would send requests for 127.0.0.1 to a proxy named in the environment."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def refused_port() -> int:
    """A port on which nothing listens (it did, a moment ago)."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def clean_files() -> dict[str, str]:
    """The fixture site without its deliberate problems (as test_check's clean_root)."""
    files = {name: text for name, text in FILES.items() if name != "templates/plurals.html"}
    files["content/projects/beta.en.md"] = "---\ntitle: Project Beta\n---\nIn English.\n"
    for lang in ("pl", "en"):
        name = f"locales/{lang}/LC_MESSAGES/messages.po"
        files[name] = files[name][: files[name].index('msgid "%(num)d partner"')]
    files["locales/en/LC_MESSAGES/messages.po"] += (
        'msgid "This page is not yet available in English."\nmsgstr "This page is not yet available in English."\n'
    )
    return files


def site_with_links(root: Path, body_links: list[str], website: str = "", template_link: str = "") -> Path:
    """The fixture site, with no problem of its own, with the links in about.en.md's body (the first on line 7,
    one a line), a partner's website (partners.yaml line 9) and a link written in partner.html (its line 2)."""
    files = clean_files()
    files["content/about.en.md"] = "---\ntitle: About\nslug: about\n---\nIntro.\n\n" + "".join(
        f"[link {number}]({href})\n" for number, href in enumerate(body_links)
    )
    files["content/data/partners.yaml"] = (
        "- id: lodz\n  name: Uniwersytet Łódzki\n  country: PL\n  projects: [{project: alpha}]\n"
        "- id: lublin\n  name: Lubelska Fundacja\n  country: PL\n  projects: [{project: alpha}]\n"
        + (f"  website: {website}\n" if website else "")
    )
    files["templates/partner.html"] = (
        "{% extends 'base.html' %}{% block main %}<p>{{ page.record.country|country }}</p>\n"
        + (f'<a href="{template_link}">Programme</a>\n' if template_link else "")
        + '{% if page.record.website is defined %}<a href="{{ page.record.website }}">Website</a>{% endif %}'
        + "{% endblock %}"
    )
    return write_site(root, files)


def link_lines(output: str) -> list[str]:
    """The lines about external links, by file and line number."""
    return by_place(line for line in output.splitlines() if "the link to http" in line)


def by_place(lines) -> list[str]:
    return sorted(lines, key=lambda line: (line.split(":")[0], int(line.split(":")[1])))


def test_each_answer_is_reported_where_the_link_is_written(tmp_path, server):
    refused = f"http://127.0.0.1:{refused_port()}/"
    body = ["/ok", "/moved", "/temporary", "/missing", "/no-head", "/slow"]
    root = site_with_links(
        tmp_path / "site",
        [*map(server.url, body), refused],
        website=server.url("/gone"),
        template_link=server.url("/missing") + "?from=template",
    )
    result = run_build(root, "check", "--external", "--timeout", str(TIMEOUT))
    assert result.returncode == 1, result.stderr
    assert link_lines(result.stdout) == by_place(
        [
            f"content/about.en.md:8: warning: the link to {server.url('/moved')} has moved for good (a permanent redirect); link to the new address: {server.url('/ok')}",
            f"content/about.en.md:10: the link to {server.url('/missing')} is dead: the server answers 404 Not Found; {HINT}",
            f"content/about.en.md:12: the link to {server.url('/slow')} is dead: no answer within {TIMEOUT} s; {HINT}",
            f"content/about.en.md:13: the link to {refused} is dead: the server refuses the connection; {HINT}",
            f"content/data/partners.yaml:9: the link to {server.url('/gone')} is dead: the server answers 404 Not Found; {HINT}",
            f"templates/partner.html:2: the link to {server.url('/missing')}?from=template is dead: the server answers 404 Not Found; {HINT}",
        ]
    )
    # HEAD first; GET only where HEAD was refused, and the redirects followed to where they lead.
    assert server.requests[("HEAD", "/no-head")] == 1 and server.requests[("GET", "/no-head")] == 1
    assert server.requests[("GET", "/ok")] == 0 and server.requests[("HEAD", "/ok")] == 3  # itself, 301, 302
    assert server.requests[("GET", "/missing")] == 0


def test_permanent_redirects_only_warn(tmp_path, server):
    hrefs = [server.url("/moved#goals"), server.url("/temporary"), server.url("/ok")]
    root = site_with_links(tmp_path / "site", hrefs)
    result = run_build(root, "check", "--external")
    assert result.returncode == 0, result.stdout + result.stderr
    assert link_lines(result.stdout) == [
        f"content/about.en.md:7: warning: the link to {hrefs[0]} has moved for good (a permanent redirect); link to the new address: {server.url('/ok#goals')}"
    ]


def test_no_request_without_external(tmp_path, server, monkeypatch):
    root = site_with_links(tmp_path / "site", [server.url("/missing")], website=server.url("/gone"))
    connections = []

    def refuse(*args, **kwargs):
        connections.append(args)
        raise OSError("no network in this test")

    with monkeypatch.context() as patched:
        for name in ("getaddrinfo", "create_connection"):
            patched.setattr(socket, name, refuse)
        patched.setattr(socket.socket, "connect", refuse)
        plain = run_build(root, "check")
    assert connections == [] and sum(server.requests.values()) == 0
    assert link_lines(plain.stdout) == []
    # The same site with --external does ask: the links above are real, not unseen.
    assert len(link_lines(run_build(root, "check", "--external").stdout)) == 2
    assert server.asked("/missing") == 1 and server.asked("/gone") == 1


def test_links_found_alive_are_asked_again_only_after_a_day(tmp_path, server):
    root = site_with_links(tmp_path / "site", [server.url("/ok"), server.url("/moved"), server.url("/missing")])
    now = [1_800_000_000.0]
    settings = Settings(timeout=TIMEOUT, clock=lambda: now[0])

    def check() -> list[str]:
        return [str(problem) for problem in check_site(root, settings) if "the link to" in problem.message]

    first = check()
    assert len(first) == 2 and (server.asked("/ok"), server.asked("/moved"), server.asked("/missing")) == (2, 1, 1)
    now[0] += 23 * 3600
    assert check() == first  # the memory gives the same problems: the moved link's new address too
    assert (server.asked("/ok"), server.asked("/moved")) == (2, 1)
    assert server.asked("/missing") == 2  # a dead link is asked every time: a server back up shows at once
    now[0] += 3600 + 1
    assert check() == first
    assert (server.asked("/ok"), server.asked("/moved"), server.asked("/missing")) == (4, 2, 3)


@pytest.mark.parametrize("damage", ["delete", "garble", "future"])
def test_the_memory_is_never_needed(tmp_path, server, damage):
    root = site_with_links(tmp_path / "site", [server.url("/moved")])
    now = [1_800_000_000.0]
    settings = Settings(timeout=TIMEOUT, clock=lambda: now[0])
    first = check_site(root, settings)
    memory = root / FOLDER / MEMORY_FILE
    assert memory.is_file() and server.asked("/moved") == 1
    if damage == "delete":
        memory.unlink()
    elif damage == "garble":
        memory.write_text('{"version": 1, "links": {"' + server.url("/moved") + '": {"at": "yesterday"}}}')
    else:
        now[0] -= 3600  # the clock went back: a result from the future is not trusted
    assert check_site(root, settings) == first
    assert server.asked("/moved") == 2


def test_memory_that_cannot_be_written_changes_nothing(tmp_path, server):
    root = site_with_links(tmp_path / "site", [server.url("/moved")])
    (root / FOLDER / MEMORY_FILE).mkdir(parents=True)  # neither read nor replaced
    for _ in range(2):
        problems = check_site(root, Settings(timeout=TIMEOUT))
        assert [(p.line, p.warning) for p in problems if "has moved" in p.message] == [(7, True)]
    assert server.asked("/moved") == 2 and (root / FOLDER / MEMORY_FILE).is_dir()
    assert list((root / FOLDER).glob(".*.tmp")) == []


def test_at_most_per_host_requests_to_a_host_and_workers_in_all(tmp_path, server):
    hrefs = [server.url(f"/busy/{n}", host) for host in ("127.0.0.1", "localhost") for n in range(5)]
    root = site_with_links(tmp_path / "site", hrefs)
    assert not [p for p in check_site(root, Settings(timeout=5, per_host=2, workers=3)) if "link to" in p.message]
    assert server.most_per_host == {"127.0.0.1": 2, "localhost": 2}
    assert server.most == 3


def test_failures_are_problems_never_tracebacks(tmp_path, server, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    tls_to_plain = server.url("/ok").replace("http:", "https:")
    hrefs = ["http://no-such-host.invalid/", "http://bad..label.example/", "http://127.0.0.1:99999/"]
    hrefs += [server.url("/bad-location"), tls_to_plain]
    root = site_with_links(tmp_path / "site", hrefs)
    result = run_build(root, "check", "--external", "--timeout", "2")
    assert result.returncode == 1 and "Traceback" not in result.stderr and "internal error" not in result.stderr
    reasons = [line.split(" is dead: ")[1].split(";")[0] for line in link_lines(result.stdout)]
    assert [line.split(":")[1] for line in link_lines(result.stdout)] == ["7", "8", "9", "10", "11"]
    assert reasons[:4] == [
        "its host name is not found (DNS)",
        "its host name is not a valid one",
        "it is not a valid address (Port out of range 0-65535)",
        "it is not a valid address (Invalid IPv6 URL)",
    ]
    assert reasons[4].startswith("the secure connection fails (")


def test_an_unforeseen_failure_is_one_problem(tmp_path, server, monkeypatch):
    def fail(self, url):
        raise RuntimeError("something new")

    monkeypatch.setattr(probe.Asker, "ask_politely", fail)
    root = site_with_links(tmp_path / "site", [server.url("/ok")])
    result = run_build(root, "check", "--external")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert link_lines(result.stdout) == [
        f"content/about.en.md:7: the link to {server.url('/ok')} is dead: it could not be checked (RuntimeError: something new); {HINT}"
    ]


def test_the_user_agent_names_the_tool(tmp_path, server, monkeypatch):
    seen = []
    original = LinkServer.answer

    def answer(self, request, method):
        seen.append(request.headers.get("User-Agent"))
        original(self, request, method)

    monkeypatch.setattr(LinkServer, "answer", answer)
    check_site(site_with_links(tmp_path / "site", [server.url("/ok")]), Settings(timeout=TIMEOUT))
    assert seen and all(agent.startswith("sitegen-linkcheck/") for agent in seen)


@pytest.mark.parametrize("value", ["0", "-1", "soon", "601"])
def test_timeout_must_be_seconds(site_root, value):
    result = run_build(site_root, "check", "--external", "--timeout", value)
    assert result.returncode == 2 and "is not a number of seconds" in result.stderr
