"""site.yaml's `server`: the response headers a web server sends with the site, declared once. Read and checked
here; rendering.server writes them for hosts that read a _headers file, for nginx and for Apache."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Problem
from .schema import check_keys
from .yamlsrc import LineList, LineMap

CONFIG_FILE = "site.yaml"
SERVER_KEYS = ("headers", "csp", "csp_exceptions", "cache")
EXCEPTION_KEYS = ("templates", "paths", "csp")
CACHE_KEYS = ("path", "value")
CSP = "Content-Security-Policy"
HEADER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")
DIRECTIVE = re.compile(r"^[a-z][a-z-]*$")
# Every server's syntax can carry these; a quote, a backslash or a dollar sign would need escaping that differs
# from one server to the next (nginx reads $name as a variable in any string).
PLAIN_VALUE = re.compile(r'^[^"\\$\x00-\x1f\x7f]+$')
ADDRESS = re.compile(r"^/([A-Za-z0-9._~-]+/)*$")


@dataclass(frozen=True)
class CspException:
    """The pages made with these templates and the files under these addresses: their Content-Security-Policy
    differs from every other page's in these directives."""

    templates: tuple[str, ...]
    paths: tuple[str, ...]  # folders from the site's root, '/pagefind/'
    directives: tuple[tuple[str, str], ...]
    line: int


@dataclass(frozen=True)
class CacheRule:
    path: str  # a folder from the site's root: '/static/'
    value: str  # the Cache-Control header's value
    line: int


@dataclass(frozen=True)
class ServerConfig:
    headers: tuple[tuple[str, str], ...] = ()  # sent with every response
    csp: tuple[tuple[str, str], ...] = ()  # every page's policy, directive by directive
    csp_exceptions: tuple[CspException, ...] = ()  # the first that matches an address applies
    cache: tuple[CacheRule, ...] = ()  # the first that matches an address applies
    line: int = 0  # where site.yaml declares them; 0: it does not, and nothing is written

    @property
    def declared(self) -> bool:
        return self.line > 0


def read_server(raw: LineMap, problems: list[Problem]) -> ServerConfig:
    section = raw.get("server")
    if section is None:
        return ServerConfig()
    reader = Reader(problems)
    if not reader.mapping(section, "server", raw.line_of("server")):
        return ServerConfig()
    check_keys(section, SERVER_KEYS, "server", CONFIG_FILE, problems)
    return ServerConfig(
        headers=reader.headers(section),
        csp=reader.directives(section.get("csp"), "server.csp", section.line_of("csp")),
        csp_exceptions=reader.exceptions(section),
        cache=reader.cache(section),
        line=raw.line_of("server"),
    )


class Reader:
    def __init__(self, problems: list[Problem]):
        self.problems = problems

    def problem(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(CONFIG_FILE, line, message, hint))

    def mapping(self, value: object, where: str, line: int) -> bool:
        if isinstance(value, LineMap):
            return True
        self.problem(line, f"'{where}' must be a mapping of keys", "see README, 'Publishing'")
        return False

    def items(self, value: object, where: str, line: int) -> list[tuple[int, LineMap]]:
        """A list of mappings, each with its line."""
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.problem(line, f"'{where}' must be a list", "write one '- {...}' line per rule")
            return []
        found = []
        for index, item in enumerate(value):
            if self.mapping(item, f"{where}[{index + 1}]", value.line_of(index)):
                found.append((value.line_of(index), item))
        return found

    def value(self, value: object, where: str, line: int) -> str | None:
        if isinstance(value, str) and PLAIN_VALUE.match(value):
            return value
        self.problem(
            line,
            f"'{where}' must be text without quotes, backslashes, dollar signs or line breaks",
            "write the header's value as the server should send it",
        )
        return None

    def headers(self, section: LineMap) -> tuple[tuple[str, str], ...]:
        given = section.get("headers")
        if given is None or not self.mapping(given, "server.headers", section.line_of("headers")):
            return ()
        found = []
        for name, value in given.items():
            line = given.line_of(name)
            if not isinstance(name, str) or not HEADER_NAME.match(name):
                self.problem(line, f"'{name}' is not a header name", "write e.g. X-Content-Type-Options")
            elif name.lower() == CSP.lower():
                self.problem(line, f"{CSP} goes under 'server.csp'", "write it there directive by directive")
            elif name.lower() == "cache-control":
                self.problem(line, "Cache-Control goes under 'server.cache'", "give it per address there")
            elif (text := self.value(value, f"server.headers.{name}", line)) is not None:
                found.append((name, text))
        return tuple(found)

    def directives(self, given: object, where: str, line: int) -> tuple[tuple[str, str], ...]:
        if given is None or not self.mapping(given, where, line):
            return ()
        assert isinstance(given, LineMap)
        found = []
        for name, value in given.items():
            at = given.line_of(name)
            if not isinstance(name, str) or not DIRECTIVE.match(name):
                self.problem(at, f"'{name}' in '{where}' is not a policy directive", "write e.g. script-src")
                continue
            text = self.value(value, f"{where}.{name}", at)
            if text is not None and (";" in text or "," in text):
                # A comma starts a second policy, which browsers enforce as well; a semicolon, another directive.
                self.problem(at, f"'{where}.{name}' holds ';' or ','", "give each directive a key of its own")
            elif text is not None:
                found.append((name, text))
        return tuple(found)

    def addresses(self, given: object, where: str, line: int) -> tuple[str, ...]:
        if given is None:
            return ()
        if not isinstance(given, LineList) or not all(isinstance(item, str) for item in given):
            self.problem(line, f"'{where}' must be a list of texts", "write e.g. [/static/]")
            return ()
        for item in given:
            if where.endswith("paths") and not ADDRESS.match(item):
                self.problem(line, f"'{where}' holds '{item}', not a folder's address", "write e.g. /static/")
        return tuple(given)

    def exceptions(self, section: LineMap) -> tuple[CspException, ...]:
        found = []
        for line, item in self.items(section.get("csp_exceptions"), "server.csp_exceptions", section.line):
            check_keys(item, EXCEPTION_KEYS, "server.csp_exceptions", CONFIG_FILE, self.problems)
            templates = self.addresses(item.get("templates"), "server.csp_exceptions.templates", line)
            paths = self.addresses(item.get("paths"), "server.csp_exceptions.paths", line)
            directives = self.directives(item.get("csp"), "server.csp_exceptions.csp", line)
            if not (templates or paths) or not directives:
                self.problem(
                    line,
                    "a CSP exception needs 'templates' or 'paths', and 'csp'",
                    "write e.g. {templates: [search.html], csp: {script-src: \"'self'\"}}",
                )
                continue
            found.append(CspException(templates, paths, directives, line))
        return tuple(found)

    def cache(self, section: LineMap) -> tuple[CacheRule, ...]:
        found = []
        for line, item in self.items(section.get("cache"), "server.cache", section.line):
            check_keys(item, CACHE_KEYS, "server.cache", CONFIG_FILE, self.problems)
            path = item.get("path")
            if not isinstance(path, str) or not ADDRESS.match(path):
                self.problem(line, f"'server.cache' path '{path}' is not a folder's address", "write e.g. /static/")
                continue
            value = self.value(item.get("value"), "server.cache.value", line)
            if value is not None:
                found.append(CacheRule(path, value, line))
        return tuple(found)
