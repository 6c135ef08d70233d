"""The search in Chromium, on the shipped site served with README.md's response headers (its Content-Security-
Policy among them): what a visitor types and reads, hears through the live region, and does with the keyboard
or without JavaScript."""

from __future__ import annotations

import unicodedata

import pytest
import yaml
from babel import Locale

from conftest import PROJECT, TOOLS, require_npm_tool

pytestmark = pytest.mark.slow  # Chromium

AXE = TOOLS / "axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
COUNT = ("%(num)s result for “%(query)s”", "%(num)s results for “%(query)s”")


def search_url(base, site, lang, query=None):
    url = base + site.config.base_path + site.page("search.md", lang).path
    return url + (f"?q={query}" if query else "")


def search(tab, base, site, lang, query) -> dict:
    """Types the query into the search page's field, as a visitor would, and waits for the answer."""
    tab.goto(search_url(base, site, lang))
    tab.click("#search-query")
    tab.keyboard.type(query)
    return answer(tab, query)


def answer(tab, query) -> dict:
    tab.wait_for_function(
        "q => document.getElementById('search-status').textContent.includes(q)", arg=query, timeout=15000
    )
    return tab.evaluate(
        """() => ({
        status: document.getElementById('search-status').textContent,
        results: [...document.querySelectorAll('#search-results > li')].map(li => ({
            title: li.querySelector('h2 a').textContent, url: li.querySelector('h2 a').getAttribute('href'),
            kind: li.querySelector('.kind')?.textContent, marked: [...li.querySelectorAll('mark')].map(m => m.textContent),
        })),
        help: !document.getElementById('search-help').hidden,
    })"""
    )


def folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.replace("ł", "l")) if not unicodedata.combining(c))


def cluster_partner_urls(site, lang) -> set[str]:
    partners = yaml.safe_load((PROJECT / "content/data/partners.yaml").read_text(encoding="utf-8"))
    clusters = [p["id"] for p in partners if p["type"] == "cluster"]
    assert len(clusters) >= 2
    return {site.config.base_path + site.page(f"partners/{id_}", lang).path for id_ in clusters}


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_bialystok_lists_politechnika_bialostocka_first(tab, shipped_server, lang):
    require_npm_tool(AXE, "axe-core")
    base, site = shipped_server
    tab.add_init_script(path=str(AXE))  # as each page is made: an added script tag would break the policy
    found = search(tab, base, site, lang, "bialystok")
    first = found["results"][0]
    assert first["title"] == "Politechnika Białostocka", found
    assert first["url"] == site.config.base_path + site.page("partners/politechnika-bialostocka", lang).path
    assert first["kind"] == "Partner"
    assert first["marked"] and all(folded(word).lower().startswith("bialystok") for word in first["marked"])
    result = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    assert [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]] == []
    assert tab.console_messages == []


@pytest.mark.parametrize("lang, query", [("pl", "klastrów"), ("en", "clusters")])
def test_a_plural_word_finds_the_cluster_partners(tab, shipped_server, lang, query):
    base, site = shipped_server
    found = search(tab, base, site, lang, query)
    assert cluster_partner_urls(site, lang) <= {result["url"] for result in found["results"]}, found
    assert tab.console_messages == []


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_a_word_found_nowhere_gets_a_message_and_links(tab, shipped_server, lang):
    base, site = shipped_server
    found = search(tab, base, site, lang, "qwzxjvq")
    none = site.catalogs[lang].translations.gettext("Nothing found for “%(query)s”.")
    assert found["status"] == none % {"query": "qwzxjvq"}
    assert found["results"] == [] and found["help"]
    assert tab.is_visible("#search-help .no-results") and not tab.is_visible("#search-help .no-script")
    menu = [site.config.base_path + site.page(entry.page, lang).path for entry in site.config.menus["main"]]
    for url in menu:
        assert tab.is_visible(f"#search-help a[href='{url}']"), url
    assert tab.console_messages == []


@pytest.mark.parametrize(
    "lang, queries, categories",
    [
        ("pl", ("administruje", "bialystok", "klastrów"), {"one", "few", "many"}),  # 1 wynik, 4 wyniki, 7 wyników
        ("en", ("jagiellonian", "bialystok"), {"one", "other"}),
    ],
)
def test_the_count_is_announced_with_the_plural_form_of_its_number(tab, shipped_server, lang, queries, categories):
    """A query of each plural category of the language, the words from the catalogue; only pages in the
    language are found."""
    base, site = shipped_server
    translations, rule = site.catalogs[lang].translations, Locale.parse(lang).plural_form
    found_categories = set()
    for query in queries:
        found = search(tab, base, site, lang, query)
        count = len(found["results"])
        found_categories.add(rule(count))
        expected = translations.ngettext(*COUNT, count) % {"num": count, "query": query}
        assert found["status"] == expected
        assert tab.get_attribute("#search-status", "role") == "status"  # a live region: read out when it changes
        assert all(result["url"].startswith(f"{site.config.base_path}{lang}/") for result in found["results"])
    assert found_categories == categories
    assert tab.console_messages == []


def test_the_header_field_on_every_page_takes_the_query_to_the_search_page(tab, shipped_server):
    base, site = shipped_server
    tab.set_viewport_size({"width": 360, "height": 640})
    tab.goto(base + site.config.base_path + site.page("projects/gosmart-bsr.md", "pl").path)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360  # the header fits a phone
    box = tab.locator("#site-search").bounding_box()
    assert box and box["y"] + box["height"] <= 640
    tab.click("#site-search")
    tab.keyboard.type("bialystok")
    tab.keyboard.press("Enter")
    tab.wait_for_url(search_url(base, site, "pl", "bialystok"))
    assert tab.input_value("#search-query") == "bialystok"
    assert answer(tab, "bialystok")["results"][0]["title"] == "Politechnika Białostocka"
    assert tab.console_messages == []


def test_the_search_works_with_the_keyboard_alone(tab, shipped_server):
    base, site = shipped_server
    tab.goto(search_url(base, site, "pl"))
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "search-query":
            break
    else:
        pytest.fail("the search field takes no focus from the keyboard")
    tab.keyboard.type("projektów")
    found = answer(tab, "projektów")
    assert len(found["results"]) == 10 and tab.is_visible("#search-more button")  # more than ten found
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.type") == "submit"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.getAttribute('href')") == found["results"][0]["url"]
    tab.focus("#search-more button")
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => document.querySelectorAll('#search-results > li').length > 10")
    assert tab.evaluate(
        "document.activeElement.closest('li') === document.querySelectorAll('#search-results > li')[10]"
    )
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/szukaj/" not in tab.url
    assert tab.console_messages == []


def test_without_javascript_the_search_page_gives_links_to_every_section(browser, shipped_server):
    base, site = shipped_server
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(search_url(base, site, "pl", "bialystok"))
        assert tab.is_visible("#search-help .no-script")
        assert tab.is_visible("#search-query") and not tab.is_visible("#search-results")
        for entry in site.config.menus["main"]:
            assert tab.is_visible(f"#search-help a[href='{site.config.base_path}{site.page(entry.page, 'pl').path}']")
    finally:
        context.close()


def test_only_the_search_pages_and_pagefind_may_run_scripts(tab, shipped_server):
    """README.md's policy, as the test server sends it: WebAssembly allowed where the search runs, and nowhere
    else."""
    base, site = shipped_server
    home = tab.goto(base + site.config.base_path + "pl/").headers["content-security-policy"]
    found = tab.goto(search_url(base, site, "pl")).headers["content-security-policy"]
    bundle = tab.goto(base + site.config.base_path + "pagefind/pagefind-worker.js").headers["content-security-policy"]
    assert "script-src 'none'" in home and "wasm" not in home
    assert found == bundle and "script-src 'self' 'wasm-unsafe-eval'" in found
    assert "form-action 'self'" in home and "form-action 'self'" in found
