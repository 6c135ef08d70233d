"""The shipped site in headless Chromium: accessibility (axe-core), keyboard use, language round trips,
menus, the 404 page and a clean console on every page."""

from __future__ import annotations

import pytest

from conftest import TOOLS, require_npm_tool

pytestmark = pytest.mark.slow  # Chromium: about a minute

AXE = TOOLS / "axe-core/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def published_pages(site):
    return [p for p in site.pages if not p.missing]


def page_url(base, site, page):
    return base + site.config.base_path + page.path


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


# WCAG 2.2 AA, 2.4.11 Focus Not Obscured (Minimum): a focused element is not entirely hidden by the page's
# own content (a sticky header, a banner). Checked where the browser scrolled it to, at three points.
FOCUS_HIDDEN = """() => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return null;
    const points = [[box.left + box.width / 2, box.top + box.height / 2], [box.left + 1, box.top + 1],
                    [box.right - 1, box.bottom - 1]];
    const seen = points.some(([x, y]) => {
        if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
        const top = document.elementFromPoint(x, y);
        return top !== null && (top === element || element.contains(top) || top.contains(element));
    });
    return seen ? null : element.outerHTML.slice(0, 100);
}"""


def hidden_focus(tab, limit: int = 300) -> tuple[list[str], int]:
    """Tab through the page once: every focused element that the page's content hides entirely, and how many
    elements took the focus."""
    hidden, first, count = [], None, 0
    for count in range(limit):  # noqa: B007 - the count is returned
        tab.keyboard.press("Tab")
        current = tab.evaluate("document.activeElement.outerHTML.slice(0, 100)")
        if current == first or tab.evaluate("document.activeElement === document.body"):
            break
        first = first or current
        found = tab.evaluate(FOCUS_HIDDEN)
        if found:
            hidden.append(found)
    return hidden, count


def page_kinds(site, lang: str):
    """One published page per template in a language: every page kind the site has."""
    kinds = {}
    for page in published_pages(site):
        if page.lang == lang:
            kinds.setdefault(page.template, page)
    return list(kinds.values())


@pytest.mark.parametrize(
    "viewport, lang",
    [({"width": 360, "height": 640}, "pl"), ({"width": 1280, "height": 800}, "en")],
    ids=["phone-pl", "desktop-en"],
)
def test_focus_is_never_hidden_on_any_page_kind(tab, shipped_server, viewport, lang):
    """Each page kind at a phone's size in one language and a desktop's in the other: the layouts differ by
    size, the languages only by their words."""
    base, site = shipped_server
    tab.set_viewport_size(viewport)
    hidden = []
    for page in page_kinds(site, lang):
        tab.goto(page_url(base, site, page))
        found, focused = hidden_focus(tab)
        assert focused >= 5, page.path  # the skip link, the menu, the language switcher at least
        hidden += [f"{page.path}: {element}" for element in found]
    assert hidden == []


def test_the_checks_find_a_hidden_focus_and_a_small_target(tab):
    """The two WCAG 2.2 checks above, on a page made to fail them: they can fail."""
    require_npm_tool(AXE, "axe-core")
    tab.set_content(
        "<!doctype html><html lang=en><head><title>t</title></head><body>"
        "<div style='position:fixed;top:0;left:0;right:0;height:200px;background:#fff'>Header</div>"
        "<main style='padding-top:10px'><a href='#a'>hidden under the header</a>"
        "<p style='margin-top:400px'><a href='#x' style='display:inline-block;width:8px;height:8px'>x</a>"
        "<a href='#y' style='display:inline-block;width:8px;height:8px'>y</a></p></main></body></html>"
    )
    assert any("hidden under the header" in element for element in hidden_focus(tab)[0])
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    assert "target-size" in {violation["id"] for violation in result["violations"]}


# Regulation (EU) No 821/2014, art. 4: the emblem and the reference to the Union visible on landing, without
# scrolling, and at least as large as any other logo. The pages it applies to are those of the projects whose
# `funding.placement` is top: data, as the rules follow the programming period.
MARKS = """() => {
    const box = e => e.getBoundingClientRect();
    const emblem = document.querySelector('.funding-top .emblem');
    if (!emblem) return null;
    const reference = emblem.closest('.funding-reference');
    const logos = [...document.querySelectorAll('.funding-top img:not(.emblem)')].map(img => box(img).height);
    return {emblem: box(emblem).toJSON(), reference: box(reference).toJSON(), text: reference.innerText,
            logos: logos, height: innerHeight, width: innerWidth};
}"""


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 640}, {"width": 1280, "height": 800}], ids=str)
def test_eu_emblem_is_in_the_first_screen_and_no_smaller_than_any_logo(tab, shipped_server, viewport):
    base, site = shipped_server
    tab.set_viewport_size(viewport)
    keys = [p["page"] for p in site.data.raw["projects"] if (p.get("funding") or {}).get("placement") == "top"]
    assert keys, "the shipped site has a project under the 2014–2020 rules (GoSmart BSR)"
    for key in keys:
        for lang in site.config.language_codes:
            page = site.page(key, lang)
            tab.goto(page_url(base, site, page))
            marks = tab.evaluate(MARKS)
            assert marks, f"{page.path}: no EU emblem at the top"
            for name in ("emblem", "reference"):
                box = marks[name]
                assert 0 <= box["top"] and box["bottom"] <= marks["height"], f"{page.path}: {name} below the fold"
                assert 0 <= box["left"] and box["right"] <= marks["width"], f"{page.path}: {name} off screen"
            assert marks["logos"] and all(marks["emblem"]["height"] >= h for h in marks["logos"]), marks
            union = {"pl": "Unia Europejska", "en": "European Union"}[lang]
            assert union in marks["text"], marks["text"]


def test_map_shapes_carry_country_names_and_counts_as_links_in_the_accessibility_tree(tab, shipped_server):
    """What a screen reader is given of the partner maps: each shaded country a link named with its count, in
    the page's language, leading to the country's page; the other countries nothing at all."""
    base, site = shipped_server
    expected = {
        "pl": {"Polska: 3 partnerzy": "polska", "Niemcy: 1 partner": "niemcy", "Łotwa: 1 partner": "lotwa"},
        "en": {"Poland: 3 partners": "poland", "Germany: 1 partner": "germany", "Latvia: 1 partner": "latvia"},
    }
    for lang, links in expected.items():
        directory = site.page("partners/_index.md", lang)
        tab.goto(page_url(base, site, directory))
        figure = tab.get_by_role("figure", name={"pl": "Partnerzy według państw", "en": "Partners by country"}[lang])
        for name, slug in links.items():
            link = figure.get_by_role("link", name=name, exact=True)
            assert link.count() == 1, (lang, name)
            assert link.get_attribute("href") == f"{site.config.base_path}{directory.path}{slug}/"
        assert figure.get_by_role("link").count() == 10  # one per country with partners, and nothing else
        assert "img" not in figure.aria_snapshot()  # no unnamed picture: the background is hidden
        link = figure.get_by_role("link", name=next(iter(links)), exact=True)
        link.focus()
        link.press("Enter")
        tab.wait_for_load_state()
        assert tab.url == base + site.config.base_path + directory.path + next(iter(links.values())) + "/"
        # A project's map: only its own partners' countries.
        project = site.page("projects/smegonet.md", lang)
        tab.goto(page_url(base, site, project))
        figure = tab.locator("figure.map")
        poland = {"pl": "Polska: 1 partner", "en": "Poland: 1 partner"}[lang]
        assert figure.get_by_role("link").count() == 4
        assert figure.get_by_role("link", name=poland, exact=True).count() == 1
