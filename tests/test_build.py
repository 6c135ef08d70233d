"""End-to-end: build the tiny fixture site with the command line's main() and read the HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_build, run_process, write_site
from html_query import Page


def built(root: Path, *args: str) -> Path:
    result = run_build(root, *args)
    assert result.returncode == 0, result.stderr
    return root / "output"


@pytest.fixture(scope="module")
def fixture_output(tmp_path_factory) -> Path:
    """The fixture site as written, built once for the tests that only read its output."""
    return built(write_site(tmp_path_factory.mktemp("fixture") / "site"))


def test_urls_use_language_prefixes_and_per_language_slugs(fixture_output):
    out = fixture_output
    assert (out / "pl/o-programie/index.html").is_file()
    assert (out / "en/about/index.html").is_file()
    assert (out / "pl/projekty/alfa/index.html").is_file()
    assert (out / "en/projects/alpha/index.html").is_file()
    assert not (out / "pl/about").exists()


def test_language_switcher_hreflang_and_html_lang(fixture_output):
    out = fixture_output
    polish = Page.read(out / "pl/o-programie/index.html")
    english = Page.read(out / "en/about/index.html")
    assert polish.find("html").attrs["lang"] == "pl"
    assert english.find("html").attrs["lang"] == "en"
    assert polish.find("a", class_="switch").attrs["href"] == "/en/about/"
    assert english.find("a", class_="switch").attrs["href"] == "/pl/o-programie/"
    assert {(l.attrs["hreflang"], l.attrs["href"]) for l in polish.find_all("link", rel="alternate")} == {
        ("pl", "/pl/o-programie/"),
        ("en", "/en/about/"),
    }


def test_interface_strings_come_from_the_po_files(fixture_output):
    out = fixture_output
    assert Page.read(out / "pl/index.html").text("p", class_="ui") == "Przejdź do treści"
    assert Page.read(out / "en/index.html").text("p", class_="ui") == "Skip to content"


def test_polish_plural_forms(site_root):
    (site_root / "content/plurals.pl.md").write_text("---\ntitle: Liczby\ntemplate: plurals.html\n---\n")
    (site_root / "content/plurals.en.md").write_text("---\ntitle: Numbers\ntemplate: plurals.html\n---\n")
    out = built(site_root)
    polish = Page.read(out / "pl/plurals/index.html")
    english = Page.read(out / "en/plurals/index.html")
    expected = {
        1: "1 partner",
        2: "2 partnerzy",
        5: "5 partnerów",
        12: "12 partnerów",
        22: "22 partnerzy",
        25: "25 partnerów",
    }
    for n, text in expected.items():
        assert polish.text("p", class_=f"n{n}") == text
    assert english.text("p", class_="n1") == "1 partner"
    assert english.text("p", class_="n22") == "22 partners"


def test_dates_and_country_names_are_localized(fixture_output):
    out = fixture_output
    assert Page.read(out / "pl/aktualnosci/first/index.html").text("time") == "2 czerwca 2011"
    assert Page.read(out / "en/news/first/index.html").text("time") == "2 June 2011"
    assert Page.read(out / "pl/partnerzy/aragon/index.html").text("p", class_="country") == "Hiszpania"
    assert Page.read(out / "en/partners/aragon/index.html").text("p", class_="country") == "Spain"


def test_data_collection_generates_a_page_per_record_and_language(fixture_output):
    out = fixture_output
    for record in ("lodz", "lublin", "aragon"):
        assert Page.read(out / f"pl/partnerzy/{record}/index.html").find("html").attrs["lang"] == "pl"
        assert Page.read(out / f"en/partners/{record}/index.html").find("html").attrs["lang"] == "en"
    assert Page.read(out / "pl/partnerzy/lodz/index.html").text("h1") == "Uniwersytet Łódzki"


def test_links_by_source_path_resolve_per_language(fixture_output):
    out = fixture_output
    links = {a.attrs["href"] for a in Page.read(out / "pl/o-programie/index.html").find_all("a")}
    assert "/pl/projekty/alfa/#cele" in links
    assert "#kto-moze-wziac-udzial" in links
    assert "/en/about/" in {a.attrs["href"] for a in Page.read(out / "en/index.html").find_all("a")}


def test_data_values_are_inserted_and_formatted(site_root):
    """Numbers in each language's own way: 1 760 000 (with no-break spaces) and 2,5 in Polish."""
    (site_root / "content/data/figures.yaml").write_text("regions: 145\nbudget: 1760000\nshare: 2.5\n")
    for lang in ("pl", "en"):
        page = site_root / f"content/about.{lang}.md"
        page.write_text(page.read_text() + "\nBudget {{ data.figures.budget }}, share {{ data.figures.share }}.\n")
    out = built(site_root)
    polish = Page.read(out / "pl/o-programie/index.html").html
    assert "Mamy 145 regionów." in polish and "Budget 1\u00a0760\u00a0000, share 2,5." in polish
    assert "Budget 1,760,000, share 2.5." in Page.read(out / "en/about/index.html").html


def test_aliases_redirect_to_the_page(fixture_output):
    out = fixture_output
    redirect = Page.read(out / "pl/stare-o-nas/index.html")
    assert redirect.find("link", rel="canonical").attrs["href"] == "https://example.org/pl/o-programie/"
    assert "url=https://example.org/pl/o-programie/" in redirect.find("meta").attrs["content"]


def test_missing_translation_gets_a_notice_page_and_is_reported(site_root):
    result = run_process(site_root)  # the real command line: exit 0, its report on stderr
    assert result.returncode == 0, result.stderr
    assert "not yet translated: /en/projects/beta/" in result.stderr
    notice = Page.read(site_root / "output/en/projects/beta/index.html")
    assert notice.find("html").attrs["lang"] == "en"
    assert notice.find("a", class_="original").attrs["href"] == "/pl/projekty/beta/"
    assert notice.find("a", class_="fallback").attrs["href"] == "/en/projects/"
    assert (
        Page.read(site_root / "output/pl/projekty/beta/index.html").find("a", class_="switch").attrs["href"]
        == "/en/projects/beta/"
    )
    assert "/en/projects/beta/" not in (site_root / "output/sitemap.xml").read_text()


def test_root_is_a_language_chooser_that_leads_to_polish(fixture_output):
    out = fixture_output
    chooser = Page.read(out / "index.html")
    assert {a.attrs["href"] for a in chooser.find_all("a")} == {"/pl/", "/en/"}
    assert chooser.find("meta", http_equiv="refresh").attrs["content"].endswith("url=/pl/")


def test_base_url_moves_the_site_under_a_sub_path(site_root):
    out = built(site_root, "--base-url", "https://example.org/preview/")
    page = Page.read(out / "pl/o-programie/index.html")
    assert page.find("a", class_="switch").attrs["href"] == "/preview/en/about/"
    assert re.fullmatch(r"/preview/static/logo\.[0-9a-f]{10}\.svg", page.find("img").attrs["src"])


def test_feed_and_sitemap(fixture_output):
    out = fixture_output
    feed = (out / "pl/aktualnosci/atom.xml").read_text()
    assert "<title>Umowa podpisana</title>" in feed and "2011-06-02T00:00:00Z" in feed
    sitemap = (out / "sitemap.xml").read_text()
    assert 'hreflang="x-default" href="https://example.org/pl/o-programie/"' in sitemap


def test_unchanged_files_are_not_rewritten(site_root):
    out = built(site_root)
    page = out / "pl/o-programie/index.html"
    before = page.stat().st_mtime_ns
    (site_root / "content/projects/alpha.en.md").write_text("---\ntitle: Project Alpha 2\n---\n## Goals {#cele}\n")
    built(site_root)
    assert page.stat().st_mtime_ns == before
    assert "Project Alpha 2" in (out / "en/projects/alpha/index.html").read_text()


def test_element_ids_are_the_id_attributes_of_the_page():
    from sitegen.rendering.render import element_ids

    html = "<main id=main><h2 id=\"zażółć-1\">x</h2><p data-id=\"no\" class='id=no'>id=no</p>\n<a\tid='b'>"
    assert element_ids(html.encode()) == "\nb\nmain\nzażółć-1\n"
    assert element_ids(b"id=x <p>") == "\n"


def test_templates_escape_what_pages_and_data_say(site_root):
    """Autoescaping: a title or a data value is text, never markup."""
    page = site_root / "content/about.en.md"
    page.write_text(
        page.read_text().replace("title: About the programme", 'title: "Who <script>alert(1)</script> & co"')
    )
    (site_root / "content/data/partners.yaml").write_text(
        '- id: lodz\n  name: "Łódź <img src=x onerror=alert(1)>"\n  country: PL\n  projects: [{project: alpha}]\n'
    )
    out = built(site_root)
    about = Page.read(out / "en/about/index.html")
    assert about.text("h1") == "Who <script>alert(1)</script> & co"  # as text: the parser saw no element
    # Inside <title> (raw text to a browser) minify-html leaves '<' unescaped, as HTML allows; nowhere else.
    assert not [script for script in about.find_all("script") if "title" not in script.parents]
    partner = Page.read(out / "pl/partnerzy/lodz/index.html")
    assert partner.text("h1") == "Łódź <img src=x onerror=alert(1)>"
    assert not [img for img in partner.find_all("img") if "onerror" in img.attrs and "title" not in img.parents]


def test_the_preview_listens_on_this_machine_only_by_default():
    from sitegen.commands.cli import parser

    assert parser().parse_args(["serve"]).host == "127.0.0.1"


def test_the_writer_refuses_paths_outside_output(tmp_path):
    import pytest

    from sitegen.output.writer import Changes, write_output

    for path in ("../escaped.html", "/etc/escaped.html", "pl/../../escaped.html"):
        with pytest.raises(ValueError, match="refusing to write outside"):
            write_output({path: b"x"}, tmp_path / "output", Changes(tmp_path / "aside"))
    assert not (tmp_path / "escaped.html").exists()
