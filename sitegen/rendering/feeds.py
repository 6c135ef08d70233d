"""Machine-readable files: an Atom feed per language, sitemap.xml with hreflang alternates, robots.txt."""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable

from ..loading.routes import NOT_FOUND_KEY, Page
from ..loading.site import Site
from .views import page_url


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def quoteattr(text: str) -> str:
    """An attribute value in double quotes. Not xml.sax.saxutils, whose import pulls in urllib.request,
    http.client and email, which every build would pay for."""
    return f'"{html.escape(text)}"'


def extra_files(
    site: Site,
    contents: Callable[[Page], str],
    feed_path: Callable[[str], str | None],
    site_map: Callable[[Site], bytes],
) -> dict[str, bytes]:
    files = {"sitemap.xml": site_map(site), "robots.txt": robots(site)}
    for lang in site.config.language_codes:
        path = feed_path(lang)
        if path:
            files[path] = atom(site, lang, path, contents)
    return files


def absolute(site: Site, page: Page) -> str:
    return site.config.origin + page_url(site, page)


def listed(page: Page) -> bool:
    return not page.missing and not page.draft and page.key != NOT_FOUND_KEY


def sitemap(site: Site) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    default = site.config.default_language
    for page in site.pages:
        if not listed(page):
            continue
        lines.append(f"<url><loc>{escape(absolute(site, page))}</loc>")
        found = [site.page(page.key, lang) for lang in site.config.language_codes]
        versions = [v for v in found if v is not None and listed(v)]
        if len(versions) > 1:
            for version in versions:
                href = quoteattr(absolute(site, version))
                lines.append(f'<xhtml:link rel="alternate" hreflang="{version.lang}" href={href}/>')
            x_default = next((v for v in versions if v.lang == default), versions[0])
            href = quoteattr(absolute(site, x_default))
            lines.append(f'<xhtml:link rel="alternate" hreflang="x-default" href={href}/>')
        if page.date:
            lines.append(f"<lastmod>{page.date.isoformat()}</lastmod>")
        lines.append("</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    return (f"User-agent: *\nAllow: /\n\nSitemap: {site.config.origin}{site.config.base_path}sitemap.xml\n").encode()


def atom(site: Site, lang: str, path: str, contents: Callable[[Page], str]) -> bytes:
    section_key = site.config.feeds["section"]
    section = site.page(section_key, lang)
    assert section is not None, "the feed's section is a page in every language"
    entries = sorted(
        (p for p in site.children(section_key, lang) if p.date and listed(p)),
        key=lambda p: (p.date, p.key),
        reverse=True,
    )
    feed_url = site.config.origin + site.config.base_path + path
    updated = max((p.date for p in entries if p.date), default=site.build_date)
    title = f"{section.title} – {site.config.title.get(lang)}"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(feed_url)}</id>",
        f'<link rel="self" type="application/atom+xml" href={quoteattr(feed_url)}/>',
        f'<link rel="alternate" type="text/html" href={quoteattr(absolute(site, section))}/>',
        f"<updated>{timestamp(updated)}</updated>",
        f"<author><name>{escape(site.config.title.get(lang) or '')}</name></author>",
    ]
    for page in entries:
        assert page.date is not None, "only dated pages are entries"
        body_html = contents(page)
        lines += [
            "<entry>",
            f"<title>{escape(page.title)}</title>",
            f"<id>{escape(absolute(site, page))}</id>",
            f'<link rel="alternate" type="text/html" href={quoteattr(absolute(site, page))}/>',
            f"<updated>{timestamp(page.date)}</updated>",
            f"<published>{timestamp(page.date)}</published>",
        ]
        if page.description:
            lines.append(f"<summary>{escape(page.description)}</summary>")
        if body_html:
            lines.append(f'<content type="html">{escape(body_html)}</content>')
        lines.append("</entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def timestamp(date: datetime.date) -> str:
    return f"{date.isoformat()}T00:00:00Z"
