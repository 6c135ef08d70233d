"""The response headers README recommends ("Security") fit the built site: its Content-Security-Policy lets
scripts run on exactly the pages that load one (the partner directory) and forbids them everywhere else, in
the nginx example and in the _headers example alike, read both as Cloudflare Pages and as Netlify read it;
and under that policy the directory's filters work in Chromium."""

from __future__ import annotations

import re

import pytest

from conftest import PROJECT

README = (PROJECT / "README.md").read_text(encoding="utf-8")
STRICT, RELAXED = "script-src 'none'", "script-src 'self'"


def code_block(after: str, language: str = "") -> str:
    start = README.index(f"```{language}\n", README.index(after)) + len(language) + 4
    return README[start : README.index("```", start)]


def nginx_policy(uri: str) -> str:
    """The Content-Security-Policy the nginx example sends for a request to uri."""
    block = code_block("Recommended response headers (nginx", "nginx")
    script_map = re.search(r"map \$uri \$script_src \{(.*?)\}", block, re.S)[1]
    value = re.search(r'default\s+"([^"]*)"', script_map)[1]
    for pattern, mapped in re.findall(r'"~([^"]+)"\s+"([^"]*)"', script_map):
        if re.search(pattern, uri):
            value = mapped
            break
    header = re.search(r'add_header Content-Security-Policy "([^"]*)"', block)[1]
    return header.replace("$script_src", value)


def header_rules() -> list[tuple[str, list[str]]]:
    rules: list[tuple[str, list[str]]] = []
    for line in code_block("a `_headers` file").splitlines():
        if line.strip() and not line.startswith("    "):
            rules.append((line.strip(), []))
        elif line.strip():
            rules[-1][1].append(line.strip())
    return rules


def matches(pattern: str, path: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), path) is not None


def cloudflare_headers(path: str) -> dict[str, str]:
    """Every matching rule in order; `! Name` drops what earlier rules gave; a repeated header is joined."""
    found: dict[str, str] = {}
    for pattern, lines in header_rules():
        if matches(pattern, path):
            for line in lines:
                if line.startswith("!"):
                    found.pop(line[1:].strip(), None)
                else:
                    name, value = line.split(":", 1)
                    found[name] = f"{found[name]}, {value.strip()}" if name in found else value.strip()
    return found


def netlify_headers(path: str) -> dict[str, str]:
    """Without the `!` lines: the last matching rule's value of a header wins."""
    found: dict[str, str] = {}
    for pattern, lines in header_rules():
        if matches(pattern, path):
            found.update(line.split(":", 1) for line in lines if not line.startswith("!"))
    return {name: value.strip() for name, value in found.items()}


def test_the_examples_relax_the_policy_on_exactly_the_pages_that_load_a_script(shipped):
    output, site = shipped
    pages = sorted(output.rglob("*.html"))
    with_script = set()
    for path in pages:
        html = path.read_text(encoding="utf-8")
        uri = "/" + path.relative_to(output).as_posix()
        if re.search(r"<script[^>]*\bsrc=", html):
            with_script.add(uri)
        expected = RELAXED if uri in with_script else STRICT
        folder = uri.removesuffix("index.html")
        for asked in {uri, folder}:
            assert expected in nginx_policy(asked), asked
        for headers in (cloudflare_headers(folder), netlify_headers(folder)):
            policy = headers["Content-Security-Policy"]
            assert "," not in policy and expected in policy, (folder, policy)
            assert headers["X-Content-Type-Options"] == "nosniff"
    directory = {"/" + site.page("partners/_index.md", lang).path + "index.html" for lang in ("pl", "en")}
    assert directory <= with_script  # any other page with a script needs its own rule in README, as above
    assert "max-age=31536000" in re.search(r'"~\^/static/"\s+"([^"]*)"', code_block("(nginx", "nginx"))[1]


@pytest.mark.slow  # Chromium
def test_the_filters_work_under_the_recommended_policy(browser, shipped):
    from shipped import serve_folder

    output, site = shipped
    server, base = serve_folder(output.parent, output, headers=cloudflare_headers)
    context = browser.new_context()
    tab = context.new_page()
    messages: list[str] = []
    tab.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    try:
        for lang in ("pl", "en"):
            response = tab.goto(base + "/" + site.page("partners/_index.md", lang).path)
            assert RELAXED in response.headers["content-security-policy"]
            tab.select_option("#finder-country", "PL")
            assert tab.locator("#directory [data-facets]:visible").count() == 3
            response = tab.goto(base + "/" + site.page("_index.md", lang).path)
            assert STRICT in response.headers["content-security-policy"]
        assert messages == []
    finally:
        context.close()
        server.shutdown()
