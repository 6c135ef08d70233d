"""The site's search index: the words it adds for Polish, and when the index is made again."""

from __future__ import annotations

import pytest

from conftest import FILES, run_build, write_site
from sitegen.loading.i18n import Formatter
from sitegen.output import search
from sitegen.speed import search as speed_search


def test_hidden_terms_fold_what_pagefind_keeps_and_add_polish_forms():
    assert search.hidden_terms("<p>Miasto: <b>Białystok</b>, Łódź &amp; Ærø.</p>", "pl") == "bialystok lodz aero"
    # "partnr" too, though "partner" keeps its e: a word nobody types, so one that matches nothing.
    assert search.hidden_terms("<h1>Klaster i budynek</h1><p>Kraków, innowacja, partner</p>", "pl") == (
        "klastr budynk partnr"
    )
    assert search.hidden_terms("<p>Klaster, Kraków, Białystok</p>", "en") == "bialystok"
    assert search.hidden_terms('<a href="/x/łódź/">Gdańsk</a>', "pl") == ""


def test_plural_samples_name_each_category_with_a_number_in_it():
    assert Formatter("pl", "pl_PL").plural_samples() == [("one", 1), ("few", 2), ("many", 5)]
    assert Formatter("en", "en_GB").plural_samples() == [("one", 1), ("other", 2)]


# --- when the index is made again ---------------------------------------------------------------------

INDEXED_BASE = FILES["templates/base.html"].replace("<main>", "<main data-pagefind-body>")


@pytest.fixture
def indexed_site(tmp_path):
    """The small fixture site, its pages asking to be indexed."""
    return write_site(tmp_path / "site", {**FILES, "templates/base.html": INDEXED_BASE})


@pytest.fixture
def runs(monkeypatch):
    """Counts Pagefind's runs in the build."""
    counted = []
    original = speed_search.index_folder

    def counting(site, bundle):
        counted.append(site)
        original(site, bundle)

    monkeypatch.setattr(speed_search, "index_folder", counting)
    return counted


def test_the_index_is_made_again_only_when_an_indexed_page_changed(indexed_site, runs):
    assert run_build(indexed_site).returncode == 0
    assert len(runs) == 1
    bundle = indexed_site / "output/pagefind/pagefind-entry.json"
    written = bundle.stat().st_mtime_ns
    (indexed_site / "static/unused.txt").write_text("a file no page names\n")  # a full build, same pages
    result = run_build(indexed_site)
    assert result.returncode == 0 and "nothing changed" not in result.stderr
    assert len(runs) == 1 and bundle.stat().st_mtime_ns == written
    about = indexed_site / "content/about.en.md"
    about.write_text(about.read_text() + "\nA new sentence.\n")
    assert run_build(indexed_site).returncode == 0
    assert len(runs) == 2


def test_a_lost_index_is_made_again(indexed_site, runs):
    assert run_build(indexed_site).returncode == 0
    (indexed_site / "output/pagefind/pagefind-entry.json").unlink()
    assert run_build(indexed_site).returncode == 0
    assert len(runs) == 2 and (indexed_site / "output/pagefind/pagefind-entry.json").is_file()


def test_a_site_whose_pages_ask_for_no_index_gets_none(site_root, runs):
    assert run_build(site_root).returncode == 0
    assert runs == [] and not (site_root / "output/pagefind").exists()


def test_pagefind_failing_is_one_problem_and_output_stays(indexed_site, monkeypatch):
    assert run_build(indexed_site).returncode == 0
    before = {p: p.read_bytes() for p in (indexed_site / "output").rglob("*") if p.is_file()}

    def failing(site, bundle):
        raise search.SearchIndexError("Pagefind failed: out of memory")

    monkeypatch.setattr(speed_search, "index_folder", failing)
    about = indexed_site / "content/about.en.md"
    about.write_text(about.read_text() + "\nMore.\n")
    result = run_build(indexed_site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "(search index):1: Pagefind failed: out of memory"
    assert {p: p.read_bytes() for p in (indexed_site / "output").rglob("*") if p.is_file()} == before


def test_both_build_paths_make_the_same_index(indexed_site, monkeypatch):
    from builds import clean_build, tree

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    assert run_build(indexed_site).returncode == 0
    fast = tree(indexed_site / "output")
    plain = clean_build(indexed_site)
    assert isinstance(plain, dict)
    assert any(path.startswith("pagefind/fragment/") for path in plain)
    assert sorted(fast) == sorted(plain)
    assert [path for path in fast if fast[path] != plain[path]] == []
