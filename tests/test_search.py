"""The site's search: what the Pagefind index holds, the words it adds for Polish, the form on every page, the
search page's strings, and when the index is made again. The search itself, in Chromium: test_search_browser.py."""

from __future__ import annotations

import gzip
import json
import os
import re
from pathlib import Path

import pytest

from conftest import FILES, run_build, write_site
from html_query import Page
from shipped import BUILD_EPOCH, copy_sources
from sitegen.commands.pipeline import build
from sitegen.loading.i18n import Formatter
from sitegen.loading.urls import output_file
from sitegen.output import search
from sitegen.speed import search as speed_search

DRAFT = "---\ntitle: Szkic o Białymstoku\ndraft: true\n---\nSzkic, którego nikt nie powinien znaleźć.\n"
POLISH_ONLY = "---\ntitle: Tylko po polsku\nslug: tylko-po-polsku\n---\nStrona bez tłumaczenia.\n"


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """The shipped site with a draft and a page not yet translated, built with the drafts (as the preview
    has them): its output/, its Site, and the indexed pages' fragments (Pagefind's record of each page)."""
    root = copy_sources(tmp_path_factory.mktemp("search") / "site")
    (root / "content/news/draft.pl.md").write_text(DRAFT, encoding="utf-8")
    (root / "content/news/draft.en.md").write_text(DRAFT.replace("Szkic o", "Draft on"), encoding="utf-8")
    (root / "content/networking/polish-only.pl.md").write_text(POLISH_ONLY, encoding="utf-8")
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = BUILD_EPOCH
    try:
        result = build(root, drafts=True)
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH") if previous is None else os.environ.update(SOURCE_DATE_EPOCH=previous)
    output = root / "output"
    fragments = [fragment(path) for path in (output / "pagefind/fragment").iterdir()]
    return output, result.site, {f["meta"]["url"]: f for f in fragments}


def fragment(path: Path) -> dict:
    data = gzip.decompress(path.read_bytes())
    assert data.startswith(b"pagefind_dcd"), path
    return json.loads(data[len(b"pagefind_dcd") :])


def page_html(output: Path, page) -> str:
    return (output / output_file(page.path)).read_text(encoding="utf-8")


def test_the_index_holds_every_published_page_and_nothing_else(searched):
    output, site, fragments = searched
    left_out = [p for p in site.pages if p.missing or p.draft or p.key in ("404.md", "search.md")]
    assert {p.key for p in left_out if p.draft} == {"news/draft.md"}
    assert [p.lang for p in left_out if p.missing] == ["en"]
    expected = {site.config.base_path + p.path for p in site.pages if p not in left_out}
    assert set(fragments) == expected
    assert len(expected) > 50
    for page in left_out:
        assert "data-pagefind-body" not in page_html(output, page), page.path
    assert "data-pagefind-body" not in (output / "404.html").read_text(encoding="utf-8")


def test_each_language_has_its_own_index(searched):
    output, site, fragments = searched
    entry = json.loads((output / "pagefind/pagefind-entry.json").read_bytes())
    assert sorted(entry["languages"]) == ["en", "pl"]
    for url, record in fragments.items():
        assert record["url"].startswith("/") and url.startswith(("/pl/", "/en/"))
    counts = {lang: sum(url.startswith(f"/{lang}/") for url in fragments) for lang in ("pl", "en")}
    assert {lang: entry["languages"][lang]["page_count"] for lang in counts} == counts


def test_partner_pages_are_indexed_by_name_city_and_country_with_their_kind(searched):
    output, site, fragments = searched
    record = fragments["/pl/partnerzy/politechnika-bialostocka/"]
    assert record["meta"]["title"] == "Politechnika Białostocka"
    assert record["meta"]["kind"] == "Partner"
    visible, _, hidden = record["content"].partition(" ⁂ ")
    assert "Białystok" in visible and "Polska" in visible
    assert "bialystok" in hidden.split()  # the folded form, for "bialystok"
    english = fragments["/en/partners/hwwi/"]
    assert english["meta"]["kind"] == "Partner" and "Germany" in english["content"]
    assert fragments["/pl/projekty/gosmart-bsr/"]["meta"]["kind"] == "Projekt"
    assert fragments["/pl/aktualnosci/"]["meta"]["kind"] == "Dział"


def test_the_index_has_the_form_of_klaster_that_other_forms_begin_with(searched):
    _, _, fragments = searched
    hidden = fragments["/pl/partnerzy/klaster-lifescience-krakow/"]["content"].partition(" ⁂ ")[2]
    assert "klastr" in hidden.split()


def test_hidden_terms_fold_what_pagefind_keeps_and_add_polish_forms():
    assert search.hidden_terms("<p>Miasto: <b>Białystok</b>, Łódź &amp; Ærø.</p>", "pl") == "bialystok lodz aero"
    # "partnr" too, though "partner" keeps its e: a word nobody types, so one that matches nothing.
    assert search.hidden_terms("<h1>Klaster i budynek</h1><p>Kraków, innowacja, partner</p>", "pl") == (
        "klastr budynk partnr"
    )
    assert search.hidden_terms("<p>Klaster, Kraków, Białystok</p>", "en") == "bialystok"
    assert search.hidden_terms('<a href="/x/łódź/">Gdańsk</a>', "pl") == ""


def test_every_page_has_the_search_form_of_its_language_in_its_header(searched):
    output, site, _ = searched
    search_urls = {lang: site.config.base_path + site.page("search.md", lang).path for lang in ("pl", "en")}
    pages = [(p.lang, output / output_file(p.path)) for p in site.pages] + [("pl", output / "404.html")]
    for lang, path in pages:
        page = Page.read(path)
        form = page.find("form", role="search")
        assert "header" in form.parents, path
        # GET (minify-html leaves out the default), so the query is in the search page's address.
        assert form.attrs["action"] == search_urls[lang] and form.attrs.get("method", "get") == "get", path
        field = next(e for e in page.find_all("input", name="q") if "header" in e.parents)
        assert field.attrs["type"] == "search"
        assert page.find("label", for_=field.attrs["id"]).text.strip(), path


def test_only_the_search_pages_and_the_directory_load_a_script(searched):
    output, site, _ = searched
    for page in site.pages:
        scripts = Page(page_html(output, page)).find_all("script")
        code = [tag.attrs for tag in scripts if tag.attrs.get("type") != "application/ld+json"]
        if page.key == "search.md":
            assert len(code) == 1 and code[0]["type"] == "module", code
            assert re.fullmatch(r"/static/js/search\.\w+\.js", code[0]["src"]), code
        elif page.template == "partners.html":  # the partner finder
            assert len(code) == 1 and re.fullmatch(r"/static/js/finder\.\w+\.js", code[0]["src"]), code
        else:
            assert code == [], page.path


def test_the_search_page_has_its_strings_with_every_plural_form(searched):
    output, site, _ = searched
    status = Page.read(output / output_file(site.page("search.md", "pl").path)).find("p", id="search-status")
    assert status.attrs["role"] == "status"
    assert status.attrs["data-bundle"] == "/pagefind/pagefind.js"
    assert status.attrs["data-found-one"] == "%(num)s wynik dla „%(query)s”"
    assert status.attrs["data-found-few"] == "%(num)s wyniki dla „%(query)s”"
    assert status.attrs["data-found-many"] == "%(num)s wyników dla „%(query)s”"
    assert status.attrs["data-none"] == "Brak wyników dla „%(query)s”."
    english = Page.read(output / output_file(site.page("search.md", "en").path)).find("p", id="search-status")
    assert english.attrs["data-found-one"] == "%(num)s result for “%(query)s”"
    assert english.attrs["data-found-other"] == "%(num)s results for “%(query)s”"


def test_the_search_page_offers_links_without_javascript(searched):
    output, site, _ = searched
    page = Page.read(output / output_file(site.page("search.md", "pl").path))
    message = page.find("p", class_="no-script")
    assert "hidden" not in message.attrs and "JavaScript" in message.text
    links = [a.attrs["href"] for a in page.find_all("a") if "search-help" in str(a.parents) or "ul" in a.parents]
    assert {site.config.base_path + site.page(e.page, "pl").path for e in site.config.menus["main"]} <= set(links)


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
    fragments = {p.name: p.stat().st_mtime_ns for p in (indexed_site / "output/pagefind/fragment").iterdir()}
    about = indexed_site / "content/about.en.md"
    about.write_text(about.read_text() + "\nA new sentence.\n")
    assert run_build(indexed_site).returncode == 0
    assert len(runs) == 2
    # Each page's fragment is named by its content: the other pages' are left as they were.
    after = {p.name: p.stat().st_mtime_ns for p in (indexed_site / "output/pagefind/fragment").iterdir()}
    assert len(set(after) - set(fragments)) == 1 and len(set(fragments) - set(after)) == 1
    assert all(after[name] == fragments[name] for name in set(after) & set(fragments))


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


def test_the_preview_makes_the_index_again_after_the_edited_page_is_written(indexed_site, runs, monkeypatch):
    """The preview's builds leave the index as it is, and refresh_search (its search thread) makes it again
    when the pages changed: the edited page is on screen without waiting for Pagefind."""
    from builds import clean_build, tree
    from sitegen.commands.serve import Preview

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    preview = Preview(indexed_site, indexed_site / "output")
    preview.rebuild()
    assert runs == [] and preview.search_wanted.is_set()
    assert preview.refresh_search() and len(runs) == 1
    assert not preview.refresh_search() and len(runs) == 1  # nothing changed since
    entry = indexed_site / "output/pagefind/pagefind-entry.json"
    page = indexed_site / "content/about.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence about Wrocław.\n", encoding="utf-8")
    preview.rebuild({page})
    assert "Wrocław" in (indexed_site / "output/en/about/index.html").read_text(encoding="utf-8")
    assert len(runs) == 1 and entry.is_file()  # written without a new index; the old one still serves
    assert preview.refresh_search() and len(runs) == 2
    template = indexed_site / "templates/section.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n")
    preview.rebuild({template})  # a full build keeps the index as it is
    assert len(runs) == 2 and entry.is_file()
    assert tree(indexed_site / "output") == clean_build(indexed_site, drafts=True, production=False)
