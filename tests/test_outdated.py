"""A translation older than its original tells its readers so, in their language, with a link to the
original; the notice goes when the translation is updated. Both through the speed layer and the plain path."""

from __future__ import annotations

import pytest

from gitrepo import append, commit, needs_git
from html_query import Page
from shipped import BUILD_EPOCH, copy_sources
from sitegen.commands.pipeline import build, build_plain
from sitegen.loading.urls import output_file

MARCH = "2025-03-03T12:00:00+01:00"
MAY = "2025-05-20T12:00:00+02:00"
JUNE = "2025-06-09T12:00:00+02:00"


@pytest.fixture(autouse=True)
def fixed_build_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    monkeypatch.setenv("SITEGEN_WORKERS", "1")


def notice(root, site, key, lang):
    html = Page.read(root / "output" / output_file(site.page(key, lang).path))
    found = html.find_all("p", class_="notice outdated")
    if not found:
        return None
    link = next(e for e in html.elements if e.tag == "a" and "p" in e.parents and e.attrs.get("hreflang"))
    return " ".join(found[0].text.split()), link.attrs["href"]


@needs_git
@pytest.mark.parametrize("builder", [build, build_plain], ids=["speed", "plain"])
def test_the_notice_comes_with_a_newer_original_and_goes_with_a_newer_translation(tmp_path, builder):
    root = copy_sources(tmp_path / "site")
    commit(root, MARCH)
    site = builder(root).site
    assert notice(root, site, "privacy.md", "en") is None

    append(root / "content/privacy.pl.md", "\nNowy akapit.\n")
    commit(root, MAY)
    site = builder(root).site
    assert notice(root, site, "privacy.md", "en") == (
        "The Polish original of this page was updated on 20 May 2025, after this translation. Read the original",
        site.config.base_path + site.page("privacy.md", "pl").path,
    )
    assert notice(root, site, "privacy.md", "pl") is None  # the original itself
    assert notice(root, site, "networking/_index.md", "en") is None  # another page

    append(root / "content/privacy.en.md", "\nA new paragraph.\n")
    commit(root, JUNE)
    site = builder(root).site
    assert notice(root, site, "privacy.md", "en") is None
