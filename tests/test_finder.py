"""The partner finder (static/js/finder.js on the directory page) in headless Chromium, in both languages: the
filters narrow the list in place, the count is said in the live region with the catalogue's plural form, the
address keeps the filters (reload and back/forward restore them), the keyboard alone can use it, and without
JavaScript, or with the script refused by the Content-Security-Policy README recommends elsewhere, the whole
list shows and no form does."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.slow  # Chromium

LANGS = ("pl", "en")
DIRECTORY = "partners/_index.md"


@pytest.fixture
def tab(browser):
    # Playwright's waits evaluate strings, which the site's policy forbids on the directory; the finder under
    # that policy is tested in test_headers.py.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.console_messages = messages
    yield page
    context.close()


def directory_url(base, site, lang, query=""):
    return base + site.config.base_path + site.page(DIRECTORY, lang).path + query


def partners(site):
    return site.data.raw["partners"]


def said(site, lang, partner_count, country_count):
    """The live region's text, as the catalogue words the two counts (the page's own ngettext, not the script's)."""
    translations = site.catalogs[lang].translations
    people = translations.ungettext("%(num)d partner", "%(num)d partners", partner_count) % {"num": partner_count}
    places = translations.ungettext("%(num)d country", "%(num)d countries", country_count) % {"num": country_count}
    return f"{people} · {places}"


def visible_entries(tab) -> int:
    return tab.eval_on_selector_all("#directory [data-facets]", "items => items.filter(i => !i.hidden).length")


def status(tab) -> str:
    return " ".join(tab.get_by_role("status").inner_text().split())


@pytest.mark.parametrize("lang", LANGS)
def test_the_country_filter_narrows_the_list_and_the_count_is_announced(tab, shipped_server, lang):
    base, site = shipped_server
    everyone = partners(site)
    countries = {p["country"] for p in everyone}
    tab.goto(directory_url(base, site, lang))
    form = tab.locator("form.finder")
    assert form.is_visible()
    assert tab.locator("form.finder fieldset legend").is_visible()
    assert status(tab) == said(site, lang, len(everyone), len(countries))  # 'many': 12 partnerów · 10 krajów
    for code in ("PL", "LT"):  # 'few' (3 partnerzy) and 'one' (1 partner) in Polish
        members = [p for p in everyone if p["country"] == code]
        tab.select_option("#finder-country", code)
        assert status(tab) == said(site, lang, len(members), 1)
        assert visible_entries(tab) == len(members)
        assert tab.locator("#directory section.country:visible").count() == 1
        visible = tab.locator("#directory [data-facets]:visible h3").all_inner_texts()
        assert sorted(visible) == sorted(p["name"] for p in members)
        assert parse_qs(urlsplit(tab.url).query) == {"country": [code]}
    # The live region is one, polite, present before any change: a screen reader hears each new count.
    assert tab.locator("[role=status]").count() == 1
    assert tab.locator("#finder-country").evaluate("e => e.labels[0].innerText") == site.catalogs[
        lang
    ].translations.ugettext("Country")
    # Nothing matches: the count says so (0: 'many' in Polish, 'other' in English), and a message shows.
    tab.select_option("#finder-project", "smegonet")
    assert status(tab) == said(site, lang, 0, 0)
    assert tab.locator("[data-finder-empty]").is_visible()
    assert tab.console_messages == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_address_keeps_the_filters_and_reload_back_and_forward_restore_them(tab, shipped_server, lang):
    base, site = shipped_server
    everyone = partners(site)
    match = [p for p in everyone if p["country"] == "PL" and p["type"] == "university"]
    tab.goto(directory_url(base, site, lang, "?country=PL&type=university"))
    assert tab.locator("#finder-country").input_value() == "PL"
    assert tab.locator("#finder-type").input_value() == "university"
    assert visible_entries(tab) == len(match) == 1
    assert status(tab) == said(site, lang, 1, 1)
    tab.reload()
    assert visible_entries(tab) == 1 and tab.locator("#finder-type").input_value() == "university"
    # A role and a project match together, in the same participation.
    tab.select_option("#finder-type", "")
    tab.select_option("#finder-role", "lead")
    leads = [p for p in everyone if p["country"] == "PL" and any(x["role"] == "lead" for x in p["projects"])]
    assert visible_entries(tab) == len(leads) == 2
    assert parse_qs(urlsplit(tab.url).query) == {"country": ["PL"], "role": ["lead"]}
    tab.go_back()
    assert parse_qs(urlsplit(tab.url).query) == {"country": ["PL"]}
    assert tab.locator("#finder-role").input_value() == "" and tab.locator("#finder-type").input_value() == ""
    assert visible_entries(tab) == 3
    tab.go_back()
    assert parse_qs(urlsplit(tab.url).query) == {"country": ["PL"], "type": ["university"]}
    assert visible_entries(tab) == 1
    tab.go_forward()
    tab.go_forward()
    assert tab.locator("#finder-role").input_value() == "lead" and visible_entries(tab) == 2
    # An address with a value no option has shows the whole list rather than nothing.
    tab.goto(directory_url(base, site, lang, "?country=XX"))
    assert tab.locator("#finder-country").input_value() == "" and visible_entries(tab) == len(everyone)
    assert tab.console_messages == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_keyboard_alone_filters_and_clears(tab, shipped_server, lang):
    base, site = shipped_server
    everyone = partners(site)
    tab.goto(directory_url(base, site, lang))
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "finder-country":
            break
    else:
        pytest.fail("Tab never reached the country filter")
    assert tab.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    option = tab.locator("#finder-country option[value=PL]").inner_text()  # Polska, Poland
    tab.keyboard.type(option[:3])  # a closed select picks the option its name starts with
    assert tab.locator("#finder-country").input_value() == "PL"
    members = [p for p in everyone if p["country"] == "PL"]
    assert visible_entries(tab) == len(members)
    assert status(tab) == said(site, lang, len(members), 1)
    tab.keyboard.press("ArrowDown")  # the next country in the list
    assert tab.locator("#finder-country").input_value() != "PL"
    assert visible_entries(tab) < len(everyone)
    for _ in range(10):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.type") == "reset":
            break
    tab.keyboard.press("Enter")
    tab.wait_for_function("document.querySelector('#finder-country').value === ''")
    tab.wait_for_function(
        f"!location.search && document.querySelectorAll('#directory [data-facets]:not([hidden])').length === {len(everyone)}"
    )
    assert status(tab) == said(site, lang, len(everyone), len({p["country"] for p in everyone}))


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_whole_list_shows_and_no_form(browser, shipped_server, lang):
    base, site = shipped_server
    everyone = partners(site)
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(directory_url(base, site, lang, "?country=PL"))  # a shared address, opened without the script
        assert not tab.locator("form.finder").is_visible()
        assert tab.locator("#directory [data-facets]:visible").count() == len(everyone)
        assert not tab.locator("[data-finder-empty]").is_visible()
        assert status(tab) == said(site, lang, len(everyone), len({p["country"] for p in everyone}))
    finally:
        context.close()


def test_a_script_refused_by_the_policy_leaves_the_whole_list(browser, shipped_server):
    """The policy README recommends for every other page (script-src 'none'), applied to the directory by
    mistake: the list stays whole and no form shows, rather than a form that does nothing."""
    from shipped import serve_folder

    _, site = shipped_server
    output = site.config.path("output")
    strict = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'none'; object-src 'none'"
    server, base = serve_folder(output.parent, output, headers=lambda path: {"Content-Security-Policy": strict})
    context = browser.new_context()
    tab = context.new_page()
    refused: list[str] = []
    tab.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        tab.goto(directory_url(base, site, "pl"))
        tab.wait_for_load_state("load")
        assert refused and re.search(r"finder\.[0-9a-f]+\.js", refused[0])
        assert not tab.locator("form.finder").is_visible()
        assert tab.locator("#directory [data-facets]:visible").count() == len(partners(site))
    finally:
        context.close()
        server.shutdown()
