"""Where a page stands: its translations, breadcrumbs, menus, feed and schema.org graph, for its context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..loading.routes import HOME_KEY, Page
from ..loading.site import Site
from .views import page_url


def translations(site: Site, page: Page) -> list[dict[str, Any]]:
    result = []
    for language in site.config.languages:
        other = site.page(page.key, language.code)
        if language.code != page.lang and other is not None:
            result.append(
                {
                    "lang": language.code,
                    "name": language.name,
                    "locale": language.locale,
                    "url": page_url(site, other),
                    "abs_url": site.config.origin + page_url(site, other),
                    "title": other.title,
                    "missing": other.missing,
                }
            )
    return result


def default_version_url(site: Site, page: Page, translations: list[dict[str, Any]]) -> str:
    """The full URL of the page in the default language (hreflang x-default), "" if there is none."""
    default = site.config.default_language
    if page.lang == default:
        return site.config.origin + page_url(site, page)
    return next((t["abs_url"] for t in translations if t["lang"] == default), "")


def structured_data(site: Site, page: Page, breadcrumbs: list[dict[str, str]], organization: Any) -> dict[str, Any]:
    """The schema.org graph of every page: the organization, the website and the page's breadcrumb trail.
    Built here rather than in base.html, where Jinja builds the same dictionaries far more slowly."""
    lang = page.lang
    home = site.page(HOME_KEY, lang)
    home_url = site.config.origin + (page_url(site, home) if home else f"{site.config.base_path}{lang}/")
    organization = organization if isinstance(organization, Mapping) else {}
    trail = [*breadcrumbs, {"title": page.menu_title, "abs_url": site.config.origin + page_url(site, page)}]
    return {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "Organization",
                "@id": home_url + "#organization",
                "name": organization.get("name") or site.config.title.get(lang) or "",
                "url": home_url,
            },
            {
                "@type": "WebSite",
                "@id": home_url + "#website",
                "name": site.config.title.get(lang) or "",
                "url": home_url,
                "inLanguage": lang,
                "publisher": {"@id": home_url + "#organization"},
            },
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": position, "name": crumb["title"], "item": crumb["abs_url"]}
                    for position, crumb in enumerate(trail, 1)
                ],
            },
        ],
    }


def breadcrumbs(site: Site, page: Page) -> list[dict[str, str]]:
    trail = []
    key = page.parent_key
    while key is not None:
        parent = site.page(key, page.lang)
        if parent is not None:
            trail.append(
                {
                    "title": parent.menu_title,
                    "url": page_url(site, parent),
                    "abs_url": site.config.origin + page_url(site, parent),
                }
            )
        key = parent.parent_key if parent else None
    return trail[::-1]


def nearest_translated_parent(site: Site, page: Page) -> Page | None:
    key = page.parent_key
    while key is not None:
        parent = site.page(key, page.lang)
        if parent is not None and not parent.missing:
            return parent
        key = parent.parent_key if parent else None
    return None


def menu(site: Site, name: str, current: Page) -> list[dict[str, Any]]:
    entries = []
    for entry in site.config.menus.get(name, ()):
        page = site.page(entry.page, current.lang)
        if page is None:
            continue
        active = current.key == page.key or (page.key != HOME_KEY and page.is_section and is_below(current, page, site))
        entries.append(
            {
                "title": page.menu_title,
                "url": page_url(site, page),
                "active": active,
                "current": current.key == page.key,
                "key": page.key,
            }
        )
    return entries


def feed_path(site: Site, lang: str) -> str | None:
    section = site.config.feeds.get("section")
    page = site.page(section, lang) if section else None
    return page.path + "atom.xml" if page else None


def feed_url(site: Site, lang: str) -> str | None:
    path = feed_path(site, lang)
    return site.config.base_path + path if path else None


def is_below(page: Page, section: Page, site: Site) -> bool:
    key = page.parent_key
    while key is not None:
        if key == section.key:
            return True
        parent = site.page(key, page.lang)
        key = parent.parent_key if parent else None
    return False
