"""The plain path (rendering.plain.render_site) and the speed layer make the same site, byte for byte.

The stateful tests (test_incremental.py) compare them after random edits on a small site; these compare
whole builds of the shipped site and of a synthetic one, and the command line's `build --no-cache`.
"""

from __future__ import annotations

import shutil
import sys

import pytest

from builds import tree
from conftest import PROJECT
from gitrepo import append, commit
from shipped import BUILD_EPOCH, copy_sources
from sitegen.commands import cli
from sitegen.commands.pipeline import build
from sitegen.loading.site import load_site
from sitegen.rendering.plain import render_site
from sitegen.speed import fastmarkdown

sys.path.insert(0, str(PROJECT / "benchmarks"))
from make_site import make_site


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)


@pytest.fixture(params=["shipped", "synthetic", "committed"])
def site_root(request, tmp_path):
    if request.param == "shipped":
        return copy_sources(tmp_path / "site")
    if request.param == "committed":  # the shipped site in git, its pages last committed on two dates
        if shutil.which("git") is None:
            pytest.skip("needs the git binary: apt-get install git")
        root = copy_sources(tmp_path / "site")
        commit(root, "2025-03-03T12:00:00+01:00")
        append(root / "content/privacy.pl.md", "\nZmiana.\n")
        commit(root, "2025-11-21T12:00:00+01:00")
        return root
    return make_site(tmp_path / "site", PROJECT, pages=25, partners=60)


@pytest.mark.slow  # whole sites, twice each; test_rebuilds.py compares the two paths on the fixture site
@pytest.mark.parametrize("preview", [False, True], ids=["build", "preview"])
def test_the_speed_layer_builds_what_the_plain_path_renders(site_root, preview):
    options = {"drafts": True, "production": False} if preview else {}
    build(site_root, **options)
    fast = tree(site_root / "output")
    plain = render_site(load_site(site_root, drafts=preview), production=not preview)
    assert sorted(fast) == sorted(plain)
    assert [path for path in fast if fast[path] != plain[path]] == []
    assert len(plain) > 60


def test_build_no_cache_writes_the_same_site_with_stock_markdown(tmp_path, capsys):
    root = copy_sources(tmp_path / "site")
    assert cli.main(["--root", str(root), "build"]) == 0
    fast = tree(root / "output")
    ran = dict(fastmarkdown.RAN)
    (root / "content/privacy.en.md").write_text((root / "content/privacy.en.md").read_text() + "\nMore.\n")
    assert cli.main(["--root", str(root), "build", "--no-cache"]) == 0
    assert fastmarkdown.RAN == ran  # no speed-up ran
    plain = tree(root / "output")
    changed = [path for path in fast if fast[path] != plain.get(path)]
    # The page, and the search index, in which its text is.
    assert [path for path in changed if not path.startswith("pagefind/")] == ["en/privacy/index.html"]
    assert "pagefind/pagefind-entry.json" in plain and any(path.startswith("pagefind/") for path in changed)
    assert "built" in capsys.readouterr().err
    # The no-change record of the first build no longer holds: the next build looks again.
    assert cli.main(["--root", str(root), "build"]) == 0
    assert "nothing changed" not in capsys.readouterr().err
    assert tree(root / "output") == plain
