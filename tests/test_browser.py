"""The shipped site in headless Chromium: accessibility (axe-core), keyboard use, language round trips,
menus, the 404 page and a clean console on every page."""

from __future__ import annotations

import pytest

from conftest import TOOLS, require_npm_tool

pytestmark = pytest.mark.slow  # Chromium: about a minute

AXE = TOOLS / "axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def published_pages(site):
    return [p for p in site.pages if not p.missing]


def page_url(base, site, page):
    return base + site.config.base_path + page.path


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.console_messages = messages
    yield page
    context.close()


def test_every_page_passes_axe_and_its_language_switcher_leads_there_and_back(tab, shipped_server):
    """One walk over the site, as a tester would make it: each page in the default language, its switcher to
    the other language (checked there too) and back. axe-core and the console are read on every page."""
    require_npm_tool(AXE, "axe-core")
    base, site = shipped_server
    # Evaluated as each page is created, not read and injected again after each load. Only the violations
    # are read, so axe need not gather every passing node for the other result types.
    tab.add_init_script(path=str(AXE))
    failures: list[str] = []

    def audit(page) -> None:
        result = tab.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
        )
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            failures.append(f"{page.path}: {violation['id']} ({violation['impact']}): {targets}")
        failures.extend(f"{page.path}: {message}" for message in tab.console_messages)
        tab.console_messages.clear()

    def switch(lang: str, target) -> None:
        url = page_url(base, site, target)
        with tab.expect_response(url) as response:
            tab.click(f"a[hreflang='{lang}'][lang='{lang}']")
        assert response.value.status == 200, url
        tab.wait_for_load_state()
        assert tab.url == url
        assert tab.locator("html").get_attribute("lang") == lang

    default, audited = site.config.default_language, set()
    for page in published_pages(site):
        if page.lang != default:
            continue
        other = site.page(page.key, "en")
        response = tab.goto(page_url(base, site, page))
        assert response.status == 200, page.path
        audit(page)
        switch("en", other)
        if not other.missing:
            audit(other)
        switch("pl", page)
        audited |= {(page.key, page.lang), (other.key, other.lang)}
    for page in published_pages(site):
        if (page.key, page.lang) not in audited:
            assert tab.goto(page_url(base, site, page)).status == 200, page.path
            audit(page)
    assert not failures, "\n".join(failures)


def test_main_menu_leads_to_each_section_and_marks_it_current(tab, shipped_server):
    base, site = shipped_server
    for lang in site.config.language_codes:
        for entry in site.config.menus["main"]:
            target = site.page(entry.page, lang)
            tab.goto(base + site.config.base_path + f"{lang}/")
            tab.click(f"nav a[href='{site.config.base_path}{target.path}']")
            assert tab.url == page_url(base, site, target)
            current = tab.locator("nav a[aria-current='page']").first
            assert current.get_attribute("href") == site.config.base_path + target.path


def test_unknown_address_gets_the_404_page_in_its_language(tab, shipped_server):
    base, site = shipped_server
    for lang in site.config.language_codes:
        response = tab.goto(f"{base}/{lang}/no-such-page/")
        assert response.status == 404
        assert tab.locator("html").get_attribute("lang") == lang
        assert tab.locator("h1").inner_text() == site.page("404.md", lang).title


def test_skip_link_is_first_and_moves_focus_to_main(tab, shipped_server):
    base, site = shipped_server
    for lang in site.config.language_codes:
        tab.goto(base + site.config.base_path + f"{lang}/")
        tab.keyboard.press("Tab")
        focused = tab.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        assert tab.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        tab.keyboard.press("Enter")
        assert tab.evaluate("document.activeElement.id") == "main"


def test_menu_and_switcher_are_reachable_by_keyboard(tab, shipped_server):
    base, site = shipped_server
    tab.goto(base + site.config.base_path + "pl/")
    reached = set()
    for _ in range(40):
        tab.keyboard.press("Tab")
        reached.add(tab.evaluate("document.activeElement.getAttribute('href') || ''"))
    menu = {site.config.base_path + site.page(e.page, "pl").path for e in site.config.menus["main"]}
    assert menu <= reached
    assert site.config.base_path + "en/" in reached
