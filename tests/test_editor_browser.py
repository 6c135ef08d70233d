"""The browser editor end to end, as an editor who does not use git would work: Decap CMS in Chromium, from
the site's own build, against decap-server (Decap's local git backend, from npm) on a copy of the shipped
site in a repository of its own. A news item is written in both languages and a partner's record is
changed through the interface; then `check` and `build` pass and the site shows both."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import PROJECT, require, run_build
from gitrepo import git
from html_query import Page
from shipped import copy_sources, serve_folder

pytestmark = pytest.mark.slow  # Chromium and two servers: about 20 s

MODULES = PROJECT / "editor/node_modules"
DECAP_SERVER = MODULES / "decap-server/dist/index.js"
EDITOR_BLOCK = """
editor:
  enabled: true
  backend: {{name: github, repo: example/site, branch: main}}
  local_backend: {port}
  locale: en
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"decap-server stopped: {process.stdout.read() if process.stdout else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail("decap-server did not start")


@pytest.fixture
def repository(tmp_path):
    """The shipped site with the editor on, committed on branch main; decap-server commits to it."""
    require(shutil.which("node") is not None, "the editor test needs Node.js: apt-get install nodejs npm")
    require(
        DECAP_SERVER.exists() and (MODULES / "decap-cms/dist/decap-cms.js").exists(),
        "the editor test needs Decap CMS and decap-server: npm ci --ignore-scripts --prefix editor",
    )
    require(shutil.which("git") is not None, "the editor test needs git: apt-get install git")
    root = copy_sources(tmp_path / "site")
    port = free_port()
    with (root / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write(EDITOR_BLOCK.format(port=port))
    (root / "editor").mkdir()
    (root / "editor/node_modules").symlink_to(MODULES)
    (root / ".gitignore").write_text("/output/\n/.cache/\n/editor/node_modules\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "The shipped site")
    env = {
        **os.environ,
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "MODE": "git",  # each save is a commit, as on a git host
        "GIT_REPO_DIRECTORY": str(root),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Editor",
        "GIT_AUTHOR_EMAIL": "editor@example.org",
        "GIT_COMMITTER_NAME": "Editor",
        "GIT_COMMITTER_EMAIL": "editor@example.org",
    }
    server = subprocess.Popen(
        [shutil.which("node") or "node", str(DECAP_SERVER)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, server)
        yield root
    finally:
        server.terminate()
        server.wait(timeout=10)


def commits(root: Path) -> list[str]:
    log = subprocess.run(["git", "log", "--format=%s"], cwd=root, capture_output=True, text=True, check=True)
    return log.stdout.splitlines()


def wait_for_commits(root: Path, count: int, seconds: float = 15) -> list[str]:
    deadline = time.monotonic() + seconds
    while len(commits(root)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return commits(root)


def publish(tab) -> None:
    tab.get_by_role("button", name="Publish").click()
    tab.get_by_text("Publish now").click()
    tab.get_by_text("Entry saved").wait_for()


def test_an_editor_writes_a_news_item_and_changes_a_partner_in_the_browser(browser, repository):
    root = repository
    assert run_build(root, "build").returncode == 0
    server, base = serve_folder(root, root / "output")
    context = browser.new_context(viewport={"width": 1280, "height": 3000})
    tab = context.new_page()
    outside, errors = [], []

    def only_this_machine(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "http://localhost:", "data:", "blob:")):
            route.continue_()
        else:  # never a CDN, fonts or a status page: the editor runs from the site's own files
            outside.append(url)
            route.abort()

    context.route("**/*", only_this_machine)
    tab.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    try:
        tab.goto(base + "/admin/")
        tab.get_by_role("button", name="Login").click()  # decap-server signs nobody in: one click

        # A news item in both languages, side by side: the Polish file and the English one.
        tab.get_by_text("Aktualności (/news/)").click()
        tab.locator('a[href="#/collections/pages-news/new"]').click()
        bodies = tab.locator(".cms-editor-raw [contenteditable=true]")
        bodies.nth(0).click()
        tab.keyboard.type("Czekamy na **zgłoszenia**.")
        bodies.nth(1).click()
        tab.keyboard.type("We look forward to your *applications*.")
        title, slug = tab.get_by_label("Title", exact=True), tab.get_by_label("Slug (optional)")
        description = tab.get_by_label("Description (optional)")
        title.nth(0).fill("Nowy nabór partnerów")
        slug.nth(0).fill("nowy-nabor")
        description.nth(0).fill("Zapraszamy nowych partnerów do sieci.")
        tab.get_by_label("Date", exact=True).nth(0).fill("2026-11-20")  # typed once, written to both files
        title.nth(1).fill("New call for partners")
        slug.nth(1).fill("new-call")
        description.nth(1).fill("We invite new partners to the network.")
        publish(tab)
        assert len(wait_for_commits(root, 2)) == 2

        # A partner's city in English, in the list of partners' records.
        tab.goto("about:blank")
        tab.goto(base + "/admin/#/collections/data-partners/entries/partners")  # still signed in
        item = tab.locator("[class*=SortableListItem]").filter(
            has=tab.locator("[class*=NestedObjectLabel]", has_text=re.compile("^bioaratec$"))
        )
        item.locator("button").first.click()  # expands the record
        city = item.locator('[id^="city-field-"]').get_by_label(re.compile("^en"))
        assert city.input_value() == "Zaragoza"
        city.fill("Zaragoza (Aragón)")
        publish(tab)
        log = wait_for_commits(root, 3)
    finally:
        context.close()
        server.shutdown()

    assert log[:2] == [
        "Update Partners (partners.yaml) “partners”",
        "Create Aktualności (/news/) “nowy-nabor-partnerow”",
    ]
    assert outside == [] and errors == []
    news = root / "content/news"
    assert (news / "nowy-nabor-partnerow.pl.md").read_text(encoding="utf-8") == (
        "---\ntitle: Nowy nabór partnerów\nslug: nowy-nabor\ndescription: Zapraszamy nowych partnerów do sieci.\n"
        "date: 2026-11-20\n---\nCzekamy na **zgłoszenia**.\n"
    )
    assert "date: 2026-11-20\n" in (news / "nowy-nabor-partnerow.en.md").read_text(encoding="utf-8")

    checked = run_build(root, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run_build(root, "build").returncode == 0
    output = root / "output"
    for lang, section, slug_, title_ in (
        ("pl", "aktualnosci", "nowy-nabor", "Nowy nabór partnerów"),
        ("en", "news", "new-call", "New call for partners"),
    ):
        listing = Page.read(output / lang / section / "index.html")
        assert f"/{lang}/{section}/{slug_}/" in [a.attrs.get("href", "") for a in listing.find_all("a")]
        feed = (output / lang / section / "atom.xml").read_text(encoding="utf-8")
        assert f"<title>{title_}</title>" in feed and f"/{lang}/{section}/{slug_}/" in feed
    assert "Zaragoza (Aragón)" in Page.read(output / "en/partners/bioaratec/index.html").text("main")
    assert "Saragossa" in Page.read(output / "pl/partnerzy/bioaratec/index.html").text("main")
