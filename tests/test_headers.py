"""The response headers of site.yaml's `server` section as the build writes them (output/_headers) and as
`build.py server-config` prints them for nginx and Apache, checked against the built site: the
Content-Security-Policy lets scripts run on exactly the pages that load one and forbids them everywhere else,
documents are revalidated while every other static file is cached for a year, pages get no Cache-Control, and a
missing page gets the 404 page of its language. The _headers file is read as Cloudflare Pages and as Netlify
read it, the nginx and Apache snippets by real servers; under the policy the directory's filters work in
Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import require, run_build

STRICT, RELAXED = "script-src 'none'", "script-src 'self'"
YEAR = "public, max-age=31536000, immutable"


def header_rules(text: str) -> list[tuple[str, list[str]]]:
    rules: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            rules.append((line.strip(), []))
        else:
            rules[-1][1].append(line.strip())
    return rules


def cloudflare_headers(rules, path: str) -> dict[str, str]:
    """Every matching rule in order (`*` matches anything); `! Name` drops what earlier rules gave; a header that
    two rules give is joined with a comma."""
    found: dict[str, str] = {}
    for pattern, lines in rules:
        if re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), path):
            for line in lines:
                if line.startswith("!"):
                    found.pop(line[1:].strip(), None)
                else:
                    name, value = line.split(":", 1)
                    found[name] = f"{found[name]}, {value.strip()}" if name in found else value.strip()
    return found


def netlify_pattern(pattern: str) -> str:
    """As Netlify's headers parser reads a path (@netlify/headers-parser, for_regexp.ts)."""
    parts = []
    for part in filter(None, (part.rstrip() for part in pattern.split("/"))):
        if part.startswith(":"):
            parts.append("([^/]+)")
        elif part == "*":
            parts.append("?(.*)")
        else:
            parts.append("(.*)".join(re.escape(piece) for piece in part.split("*")))
    return "^/" + "/".join(parts) + "/?$"


def netlify_headers(rules, path: str) -> dict[str, str]:
    """Lines without a colon (`! Name`) are skipped; each later matching rule's value of a header replaces the
    earlier one (headersForPath: Object.assign over the matching rules)."""
    found: dict[str, str] = {}
    for pattern, lines in rules:
        if re.match(netlify_pattern(pattern), path, re.IGNORECASE):
            found.update({name.strip(): value.strip() for name, value in (l.split(":", 1) for l in lines if ":" in l)})
    return found


def expected_policy(output: Path, path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    return RELAXED if re.search(r"<script[^>]*\bsrc=", html) else STRICT


def pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_the_headers_file_relaxes_the_policy_on_exactly_the_pages_that_load_a_script(shipped):
    output, site = shipped
    rules = header_rules((output / "_headers").read_text(encoding="utf-8"))
    with_script = set()
    for path in pages(output):
        uri = "/" + path.relative_to(output).as_posix()
        expected = expected_policy(output, path)
        if expected == RELAXED:
            with_script.add(uri)
        for asked in {uri, uri.removesuffix("index.html")}:
            for headers in (cloudflare_headers(rules, asked), netlify_headers(rules, asked)):
                policy = headers["Content-Security-Policy"]
                assert "," not in policy and expected in policy, (asked, policy)
                assert headers["X-Content-Type-Options"] == "nosniff"
                assert "Cache-Control" not in headers, asked
    directory = {"/" + site.page("partners/_index.md", lang).path + "index.html" for lang in ("pl", "en")}
    assert directory <= with_script  # the test sees the pages that load a script
    for model in (cloudflare_headers, netlify_headers):
        assert model(rules, static_file(output, "css/"))["Cache-Control"] == YEAR
        assert model(rules, static_file(output, "documents/"))["Cache-Control"] == "no-cache"


def static_file(output: Path, folder: str) -> str:
    return "/" + next((output / "static" / folder).iterdir()).relative_to(output).as_posix()


def test_a_sub_path_prefixes_every_rule(site_root):
    site_root.joinpath("site.yaml").write_text(site_root.joinpath("site.yaml").read_text() + SERVER)
    result = run_build(site_root, "--base-url", "https://example.org/sub/", "build")
    assert result.returncode == 0, result.stderr
    rules = header_rules((site_root / "output/_headers").read_text())
    patterns = [pattern for pattern, _ in rules]
    assert patterns[:2] == ["/sub/*", "/sub/static/*"]
    assert {"/sub/en/about/", "/sub/en/about/index.html", "/sub/pl/o-programie/", "/sub/assets/*"} <= set(patterns)
    assert all(pattern.startswith("/sub/") for pattern in patterns)
    assert "form-action 'self'" in cloudflare_headers(rules, "/sub/en/about/")["Content-Security-Policy"]
    assert "form-action 'none'" in cloudflare_headers(rules, "/sub/en/")["Content-Security-Policy"]
    nginx = run_build(site_root, "--base-url", "/sub/", "server-config", "nginx").stdout
    assert re.search(r'if \(\$uri ~ "\^\(/sub/en/about/\$\|/sub/en/about/index\\.html\$\|', nginx), nginx
    assert 'if ($uri ~ "^(/sub/static/)") { set $cache_control "max-age=60"; }' in nginx


SERVER = """
server:
  headers: {X-Content-Type-Options: nosniff}
  csp: {default-src: "'self'", form-action: "'none'"}
  csp_exceptions:
    - {templates: [page.html], paths: [/assets/], csp: {form-action: "'self'"}}
  cache:
    - {path: /static/, value: "max-age=60"}
"""


# --- real servers -----------------------------------------------------------------------------------------


def readable_copy(output: Path) -> Path:
    """A copy of output/ that a server's worker, running as nobody when started as root, can read."""
    folder = Path(tempfile.mkdtemp(prefix="sitegen-served-"))
    shutil.copytree(output, folder / "output")
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


def check_served(base: str, output: Path) -> None:
    """Every page, at its folder's address and as index.html; static files; missing pages in each language."""
    for path in pages(output):
        uri = "/" + path.relative_to(output).as_posix()
        for asked in {uri, uri.removesuffix("index.html")}:
            status, headers, _ = fetch(base + asked)
            assert status == 200, asked
            assert expected_policy(output, path) in headers["Content-Security-Policy"], asked
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert "Cache-Control" not in headers, asked
    assert fetch(base + static_file(output, "css/"))[1]["Cache-Control"] == YEAR
    assert fetch(base + static_file(output, "documents/"))[1]["Cache-Control"] == "no-cache"
    for asked, not_found in (("/en/no-such-page/", "en/404.html"), ("/no-such-page", "404.html")):
        status, headers, body = fetch(base + asked)
        assert (status, body) == (404, (output / not_found).read_bytes()), asked
        assert STRICT in headers["Content-Security-Policy"]
        assert "Cache-Control" not in headers
    status, headers, _ = fetch(base + "/static/no-such-file.css")
    assert status == 404 and "Cache-Control" not in headers  # a missing file is not cached for a year


NGINX = """daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}; proxy_temp_path {folder}; fastcgi_temp_path {folder};
    uwsgi_temp_path {folder}; scgi_temp_path {folder};
    server {{
        listen 127.0.0.1:{port};
        root {folder}/output;
        include {folder}/site.conf;
    }}
}}
"""


@pytest.mark.slow  # a real nginx
def test_nginx_sends_them(shipped):
    require(
        shutil.which("nginx") is not None and Path("/etc/nginx/mime.types").exists(),
        "needs nginx: apt-get install nginx",
    )
    output, _ = shipped
    snippet = run_build(output.parent, "server-config", "nginx")
    assert snippet.returncode == 0, snippet.stderr
    folder, port = readable_copy(output), free_port()
    (folder / "site.conf").write_text(snippet.stdout)
    (folder / "nginx.conf").write_text(NGINX.format(folder=folder, port=port))
    process = subprocess.Popen(["nginx", "-c", str(folder / "nginx.conf"), "-p", str(folder)], stderr=subprocess.PIPE)
    try:
        wait_for(port, process)
        check_served(f"http://127.0.0.1:{port}", output)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder)


APACHE_MODULES = Path("/usr/lib/apache2/modules")
APACHE = """ServerRoot {folder}
Listen 127.0.0.1:{port}
ServerName localhost
PidFile {folder}/httpd.pid
ErrorLog {folder}/error.log
{user}
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule headers_module {modules}/mod_headers.so
TypesConfig /etc/mime.types
DocumentRoot {folder}/output
DirectoryIndex index.html
<Directory {folder}/output>
    Require all granted
    AllowOverride {override}
    {include}
</Directory>
"""


@pytest.mark.slow  # a real Apache
@pytest.mark.parametrize("place", ["directory", ".htaccess"])
def test_apache_sends_them(shipped, place):
    require(
        shutil.which("apache2") is not None and (APACHE_MODULES / "mod_headers.so").exists(),
        "needs Apache: apt-get install apache2-bin",
    )
    output, _ = shipped
    snippet = run_build(output.parent, "server-config", "apache")
    assert snippet.returncode == 0, snippet.stderr
    folder, port = readable_copy(output), free_port()
    (folder / "site.conf").write_text(snippet.stdout)
    if place == ".htaccess":
        shutil.copy(folder / "site.conf", folder / "output/.htaccess")
        os.chmod(folder / "output/.htaccess", stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)
    config = APACHE.format(
        folder=folder,
        port=port,
        modules=APACHE_MODULES,
        user="User #65534\nGroup #65534" if os.geteuid() == 0 else "",  # Apache refuses to serve as root
        override="FileInfo" if place == ".htaccess" else "None",
        include="" if place == ".htaccess" else f"Include {folder}/site.conf",
    )
    (folder / "httpd.conf").write_text(config)
    process = subprocess.Popen(["apache2", "-f", str(folder / "httpd.conf"), "-DFOREGROUND"], stderr=subprocess.PIPE)
    try:
        wait_for(port, process)
        check_served(f"http://127.0.0.1:{port}", output)
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(folder)


@pytest.mark.slow  # Chromium
def test_the_filters_work_under_the_policy(browser, shipped):
    from shipped import serve_folder

    output, site = shipped
    rules = header_rules((output / "_headers").read_text(encoding="utf-8"))
    server, base = serve_folder(output.parent, output, headers=lambda path: cloudflare_headers(rules, path))
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
