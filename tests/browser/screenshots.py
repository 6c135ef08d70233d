"""`make screenshots`: the home page, a project page, the partner directory, a country's partners, a partner
page and the easy-to-read and sign-language pages, and the views in FILTERED (the directory narrowed by its
finder) and the search page with the results of a query (SEARCHES), at 375 px and 1280 px, in both languages, rendered by headless Chromium into screenshots/; the
directory's map on its own at both widths (ELEMENTS); and the first
screen of the pages in FIRST_SCREENS at a phone's 360×640, as a visitor lands on them."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parents[1])]

from conftest import CHROMIUM, CHROMIUM_ARGS, PROJECT  # noqa: E402
from shipped import build_copy, serve_folder  # noqa: E402

KEYS = {
    "home": "_index.md",
    "project": "projects/gosmart-bsr.md",
    "partners": "partners/_index.md",
    "country": "partners/country/PL",
    "partner": "partners/politechnika-bialostocka",
    "easy-read": "easy-read.md",
    "sign-language": "sign-language.md",
}
# A page with its address's query: the partner directory as its finder shows Polish partners only.
FILTERED = {"partners-filtered": ("partners/_index.md", "?country=PL")}
# The search page with its results: the query in its address, as the header's field sends it.
SEARCHES = {"search": ("search.md", {"pl": "klastrów", "en": "clusters"})}
WIDTHS = (375, 1280)
# Parts of a page on their own, as (page, CSS selector): the partner directory's map with its legend.
ELEMENTS = {"partners-map": ("partners/_index.md", "figure.map")}
# The GoSmart BSR page must show the EU emblem on landing (README, "EU funding marks").
FIRST_SCREENS = {"project-first-screen": "projects/gosmart-bsr.md"}
PHONE = {"width": 360, "height": 640}


def main() -> None:
    from playwright.sync_api import sync_playwright

    destination = PROJECT / "screenshots"
    destination.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        result = build_copy(Path(folder) / "site")
        site = result.site
        server, base = serve_folder(Path(folder) / "site", Path(folder) / "site/output")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, key in KEYS.items():
                for lang in site.config.language_codes:
                    page = site.page(key, lang) or next(
                        p for p in site.pages if p.key.startswith("partners/") and p.record and p.lang == lang
                    )
                    for width in WIDTHS:
                        tab = browser.new_page(viewport={"width": width, "height": 900})
                        tab.goto(base + site.config.base_path + page.path)
                        target = destination / f"{name}-{lang}-{width}.png"
                        tab.screenshot(path=str(target), full_page=True)
                        tab.close()
                        print(target.relative_to(PROJECT))
            for name, (key, query) in FILTERED.items():
                for lang in site.config.language_codes:
                    for width in WIDTHS:
                        tab = browser.new_page(viewport={"width": width, "height": 900})
                        tab.goto(base + site.config.base_path + site.page(key, lang).path + query)
                        tab.wait_for_selector("form[data-finder]:not([hidden])")
                        target = destination / f"{name}-{lang}-{width}.png"
                        tab.screenshot(path=str(target), full_page=True)
                        tab.close()
                        print(target.relative_to(PROJECT))
            for name, (key, queries) in SEARCHES.items():
                for lang, query in queries.items():
                    for width in WIDTHS:
                        tab = browser.new_page(viewport={"width": width, "height": 900})
                        tab.goto(base + site.config.base_path + site.page(key, lang).path + "?q=" + query)
                        tab.wait_for_selector("#search-results > li")
                        target = destination / f"{name}-{lang}-{width}.png"
                        tab.screenshot(path=str(target), full_page=True)
                        tab.close()
                        print(target.relative_to(PROJECT))
            for name, (key, selector) in ELEMENTS.items():
                for lang in site.config.language_codes:
                    for width in WIDTHS:
                        tab = browser.new_page(viewport={"width": width, "height": 900})
                        tab.goto(base + site.config.base_path + site.page(key, lang).path)
                        target = destination / f"{name}-{lang}-{width}.png"
                        tab.locator(selector).first.screenshot(path=str(target))
                        tab.close()
                        print(target.relative_to(PROJECT))
            for name, key in FIRST_SCREENS.items():
                for lang in site.config.language_codes:
                    tab = browser.new_page(viewport=PHONE)
                    tab.goto(base + site.config.base_path + site.page(key, lang).path)
                    target = destination / f"{name}-{lang}-360x640.png"
                    tab.screenshot(path=str(target))
                    tab.close()
                    print(target.relative_to(PROJECT))
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
