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

pytestmark = pytest.mark.slow  # a real preview process per test (the fast tests use Preview in-process)

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
def preview(site_root, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(PROJECT / "build.py"), "--root", str(site_root), "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: fetch(base + "/pl/")[0] == 200, "the server to start")
        yield base, site_root
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def rebuilds(root) -> int:
    return (root.parent / "serve.log").read_text().count("rebuilt:")


def test_edit_shows_up_then_mistake_shows_error_then_fix_restores(preview):
    base, root = preview
    page = root / "content/about.en.md"
    page.write_text("---\ntitle: About\nslug: about\n---\nFreshly edited text.\n")
    wait_for(lambda: "Freshly edited text." in fetch(base + "/en/about/")[1], "the edit to be served")

    page.write_text("---\ntitle: [About\nslug: about\n---\nBroken.\n")
    status, body = wait_for(
        lambda: (lambda r: r if r[0] == 500 else None)(fetch(base + "/en/about/")), "the error page"
    )
    assert "content/about.en.md:2: invalid YAML" in body
    assert "Freshly edited text." in body  # the last good page stays readable under the panel
    assert fetch(base + "/static/logo.svg")[0] == 200  # and the rest is still served

    page.write_text("---\ntitle: About\nslug: about\n---\nFixed text.\n")
    status, body = wait_for(
        lambda: (lambda r: r if r[0] == 200 and "Fixed text." in r[1] else None)(fetch(base + "/en/about/")),
        "the site to come back",
    )
    assert "could not be built" not in body


def test_drafts_are_previewed(preview):
    base, root = preview
    (root / "content/draft.pl.md").write_text("---\ntitle: Szkic\ndraft: true\n---\nRoboczy tekst.\n")
    wait_for(lambda: "Roboczy tekst." in fetch(base + "/pl/draft/")[1], "the draft in preview")


def test_only_files_under_output_are_served(preview):
    base, root = preview
    (root / "secret.txt").write_text("secret")
    for path in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/pl/%2e%2e/%2e%2e/secret.txt",
        "/static/..%2f..%2fsecret.txt",
    ):
        status, body = fetch(base + path)
        assert status == 404 and "secret" not in body, path
    (root / "output/static/link.txt").symlink_to(root / "secret.txt")
    assert fetch(base + "/static/link.txt")[0] == 404
    status, body = fetch(base + "/static/")
    assert status == 404 and "logo.svg" not in body  # no directory listings


def test_a_burst_of_saves_makes_one_rebuild_and_a_save_during_a_rebuild_is_not_lost(preview):
    base, root = preview
    time.sleep(0.5)
    before = rebuilds(root)
    for name, text in (
        ("about.en.md", "First burst edit."),
        ("about.pl.md", "Pierwsza zmiana."),
        ("projects/alpha.en.md", "Second burst edit."),
    ):
        page = root / "content" / name
        page.write_text(page.read_text().split("---\n", 2)[1].join(["---\n", "---\n"]) + text + "\n")
    wait_for(lambda: "Second burst edit." in fetch(base + "/en/projects/alpha/")[1], "the burst to be served")
    time.sleep(0.5)
    assert rebuilds(root) == before + 1
    assert "First burst edit." in fetch(base + "/en/about/")[1]
    # Two saves 20 ms apart, so that the second lands while the first rebuild runs: both are served.
    (root / "content/about.en.md").write_text("---\ntitle: About\nslug: about\n---\nEarly save.\n")
    time.sleep(0.02)
    (root / "content/projects/alpha.en.md").write_text(
        "---\ntitle: Project Alpha\n---\n## Goals {#cele}\n\nLate save.\n"
    )
    wait_for(lambda: "Late save." in fetch(base + "/en/projects/alpha/")[1], "the save made during a rebuild")
    assert "Early save." in fetch(base + "/en/about/")[1]


def test_the_open_page_reloads_by_itself_after_a_save(preview, browser):
    base, root = preview
    tab = browser.new_page()
    try:
        tab.goto(base + "/en/about/")
        tab.wait_for_function("() => window.LiveReload !== undefined || document.readyState === 'complete'")
        time.sleep(1.0)  # let the live-reload socket connect
        (root / "content/about.en.md").write_text("---\ntitle: Reloaded by itself\nslug: about\n---\nText.\n")
        tab.wait_for_function(
            "() => document.querySelector('h1').textContent === 'Reloaded by itself'", timeout=WAIT * 1000
        )
    finally:
        tab.close()
