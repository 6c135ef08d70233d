"""The preview server in a subprocess: edits show up, mistakes show an error panel, fixes bring the site back."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import PROJECT

WAIT = 15.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            result = condition()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"waited {WAIT} s for {what}")


@pytest.fixture
def preview(site_root):
    port = free_port()
    process = subprocess.Popen([sys.executable, str(PROJECT / "build.py"), "--root", str(site_root), "serve",
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000"})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/pl/")[0] == 200, "the server to start")
        yield base, site_root
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_edit_shows_up_then_mistake_shows_error_then_fix_restores(preview):
    base, root = preview
    page = root / "content/about.en.md"
    page.write_text("---\ntitle: About\nslug: about\n---\nFreshly edited text.\n")
    wait_for(lambda: "Freshly edited text." in fetch(base + "/en/about/")[1], "the edit to be served")

    page.write_text("---\ntitle: [About\nslug: about\n---\nBroken.\n")
    status, body = wait_for(lambda: (lambda r: r if r[0] == 500 else None)(fetch(base + "/en/about/")),
                            "the error page")
    assert "content/about.en.md:2: invalid YAML" in body
    assert "Freshly edited text." in body              # the last good page stays readable under the panel
    assert fetch(base + "/static/logo.svg")[0] == 200  # and the rest is still served

    page.write_text("---\ntitle: About\nslug: about\n---\nFixed text.\n")
    status, body = wait_for(lambda: (lambda r: r if r[0] == 200 and "Fixed text." in r[1] else None)(
        fetch(base + "/en/about/")), "the site to come back")
    assert "could not be built" not in body


def test_drafts_are_previewed(preview):
    base, root = preview
    (root / "content/draft.pl.md").write_text("---\ntitle: Szkic\ndraft: true\n---\nRoboczy tekst.\n")
    wait_for(lambda: "Roboczy tekst." in fetch(base + "/pl/draft/")[1], "the draft in preview")


def test_only_files_under_output_are_served(preview):
    base, root = preview
    (root / "secret.txt").write_text("secret")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/pl/%2e%2e/%2e%2e/secret.txt", "/static/..%2f..%2fsecret.txt"):
        status, body = fetch(base + path)
        assert status == 404 and "secret" not in body, path
    (root / "output/static/link.txt").symlink_to(root / "secret.txt")
    assert fetch(base + "/static/link.txt")[0] == 404
    status, body = fetch(base + "/static/")
    assert status == 404 and "logo.svg" not in body     # no directory listings
