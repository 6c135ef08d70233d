"""site.yaml's `server` section: what it may say, each mistake reported at its line, and what the build and
`server-config` make of it (tests/test_headers.py checks the shipped site's headers in servers)."""

from __future__ import annotations

import pytest

from conftest import run_build

SERVER = """
server:
  headers:
    X-Content-Type-Options: nosniff
  csp:
    default-src: "'self'"
    script-src: "'none'"
  csp_exceptions:
    - {templates: [partner.html], paths: [/assets/], csp: {script-src: "'self' 'wasm-unsafe-eval'"}}
  cache:
    - {path: /static/, value: "max-age=60"}
"""


def with_server(root, text=SERVER):
    path = root / "site.yaml"
    path.write_text(path.read_text() + text)
    return len(path.read_text().splitlines()) - len(text.splitlines())  # the line before the section


def test_without_a_server_section_nothing_is_written(site_root):
    assert run_build(site_root, "build").returncode == 0
    assert not (site_root / "output/_headers").exists()
    result = run_build(site_root, "server-config", "nginx")
    assert result.returncode == 1
    assert result.stderr == "site.yaml:1: site.yaml has no 'server' section; see README, 'Publishing'\n"


def test_one_exception_line_covers_a_template_and_a_folder_in_every_syntax(site_root):
    """The change another page kind needs (a search page whose WebAssembly runs in a worker under /assets/)."""
    with_server(site_root)
    assert run_build(site_root, "build").returncode == 0
    relaxed = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
    headers = (site_root / "output/_headers").read_text()
    for pattern in ("/assets/*", "/en/partners/lodz/", "/pl/partnerzy/lodz/"):
        assert f"{pattern}\n  ! Content-Security-Policy\n  Content-Security-Policy: {relaxed}\n" in headers
    nginx = run_build(site_root, "server-config", "nginx").stdout
    assert f'    set $content_security_policy "{relaxed}";' in nginx
    assert '|/pl/partnerzy/lublin/index\\.html$|/assets/)")' in nginx
    apache = run_build(site_root, "server-config", "apache").stdout
    assert f'    Header always set Content-Security-Policy "{relaxed}"' in apache
    assert run_build(site_root, "server-config", "headers").stdout == headers


BAD = {
    "not a mapping": ("server: [a]", 1, "'server' must be a mapping of keys"),
    "unknown key": ("server:\n  header: {}", 2, "unknown key 'header' in server; did you mean 'headers'?"),
    "header name": ("server:\n  headers: {'X Bad': 1}", 2, "'X Bad' is not a header name"),
    "policy among the headers": (
        "server:\n  headers:\n    Content-Security-Policy: x",
        3,
        "Content-Security-Policy goes under 'server.csp'",
    ),
    "quote in a value": (
        "server:\n  headers:\n    X-A: 'say \"hi\"'",
        3,
        "'server.headers.X-A' must be text without quotes, backslashes, dollar signs or line breaks",
    ),
    "dollar in a value": ("server:\n  csp:\n    script-src: $x", 3, "'server.csp.script-src' must be text"),
    "two policies in one": (
        "server:\n  csp:\n    script-src: \"'self', 'none'\"",
        3,
        "'server.csp.script-src' holds ';' or ','",
    ),
    "directive name": (
        "server:\n  csp:\n    Script_Src: x",
        3,
        "'Script_Src' in 'server.csp' is not a policy directive",
    ),
    "exception without where": (
        "server:\n  csp_exceptions:\n    - {csp: {script-src: x}}",
        3,
        "a CSP exception needs 'templates' or 'paths', and 'csp'",
    ),
    "exception's folder": (
        "server:\n  csp_exceptions:\n    - {paths: [assets], csp: {script-src: x}}",
        3,
        "'server.csp_exceptions.paths' holds 'assets', not a folder's address",
    ),
    "unknown template": (
        "server:\n  csp_exceptions:\n    - {templates: [partners.html], csp: {script-src: x}}",
        3,
        "unknown template 'partners.html' in 'server.csp_exceptions'; did you mean 'partner.html'?",
    ),
    "cache path": (
        "server:\n  cache:\n    - {path: static, value: x}",
        3,
        "'server.cache' path 'static' is not a folder's address",
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_each_mistake_is_reported_at_its_line(site_root, name):
    text, offset, expected = BAD[name]
    before = with_server(site_root, "\n" + text + "\n")
    result = run_build(site_root, "build")
    assert result.returncode == 1
    assert f"site.yaml:{before + 1 + offset}: {expected}" in result.stderr, result.stderr


def test_an_exception_whose_templates_make_no_page_relaxes_nothing(site_root):
    """An empty list of addresses must not become a pattern that matches every address."""
    with_server(site_root, SERVER.replace("[partner.html], paths: [/assets/]", "[plurals.html]"))
    assert run_build(site_root, "build").returncode == 0
    assert "wasm" not in (site_root / "output/_headers").read_text()
    for server in ("nginx", "apache"):
        result = run_build(site_root, "server-config", server)
        assert result.returncode == 0 and "wasm" not in result.stdout, result.stdout
