"""A test site in a git repository of its own, with commits at fixed dates, for "Last updated"."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from html_query import Page
from sitegen.loading.routes import Page as SitePage
from sitegen.loading.urls import output_file

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs the git binary: apt-get install git")

SOURCES = ("site.yaml", "content", "templates", "locales", "static")


def git(root: Path, *args: str, when: str | None = None) -> None:
    """git in root, without the user's or the system's configuration; when: the commit's date."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when is not None:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def commit(root: Path, when: str, *paths: str) -> None:
    """Commit these paths (by default all the site's sources, never output/ or the cache) at `when`, e.g.
    '2025-03-03T12:00:00+01:00', as author and committer date. The first commit makes the repository."""
    if not (root / ".git").exists():
        git(root, "init", "-q")
    git(root, "add", "--", *(paths or [name for name in SOURCES if (root / name).exists()]))
    git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", f"at {when}", when=when)


def last_updated(output: Path, page: SitePage | None) -> tuple[str, str] | None:
    """What the page shows as its "Last updated" note: (the datetime attribute, the note's text)."""
    assert page is not None
    html = Page.read(output / output_file(page.path))
    notes = html.find_all("p", class_="meta updated")
    if not notes:
        return None
    time = html.elements[html.elements.index(notes[0]) + 1]
    assert time.tag == "time", "the note's date is a <time> element"
    return time.attrs["datetime"], " ".join(notes[0].text.split())


def set_updated(path: Path, value: str) -> None:
    """Give a page file an `updated` line in its front matter."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    path.write_text(f"---\nupdated: {value}\n{text[4:]}", encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
