"""The built site is valid: the Nu HTML Checker finds no error in any HTML file, feeds are Atom as
RFC 4287 requires, sitemap.xml follows the sitemaps protocol with reciprocal hreflang alternates."""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from conftest import TOOLS, require, require_npm_tool

VNU = TOOLS / "vnu-jar/build/dist/vnu.jar"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


# Every Markdown construct the site offers, on an extra page pair of a copy of the shipped site.
SAMPLER = """\
## Spis treści {: #spis }

[TOC]

| Pozycja | Kwota (EUR) | Uwagi |
|:--------|------------:|:-----:|
| Budżet  | 1 760 000   | tak   |
| Wkład   | 264 000     | —     |

Tekst z przypisem[^1] i skrótem EFRR, [link](https://example.org){: target=_blank } i `kodem`.

*[EFRR]: Europejski Fundusz Rozwoju Regionalnego

[^1]: Przypis.

Termin
:   Definicja.

## Nagłówek z atrybutami {: .wazny data-search-exclude }

```python
print("zażółć")
```
"""


@pytest.fixture(scope="module")
def sampled(tmp_path_factory):
    from shipped import build_copy, copy_sources

    root = copy_sources(tmp_path_factory.mktemp("sampler") / "site")
    for lang in ("pl", "en"):
        (root / f"content/markdown.{lang}.md").write_text(
            f"---\ntitle: Markdown ({lang})\n---\n{SAMPLER}", encoding="utf-8"
        )
    return build_copy(root, copy=False), root / "output"


@pytest.mark.slow  # Java
def test_nu_html_checker_finds_no_errors(sampled):
    _, output = sampled
    require(shutil.which("java") is not None, "the Nu HTML Checker needs Java: apt-get install default-jre-headless")
    require_npm_tool(VNU, "the Nu HTML Checker")
    sampler = (output / "pl/markdown/index.html").read_text(encoding="utf-8")
    assert (
        re.search(r'<td class="?align-right', sampler) and re.search(r'rel="?noopener', sampler) and "<dl>" in sampler
    )
    pages = sorted(str(p) for p in output.rglob("*.html"))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "gnu", *pages],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[:5000]


def test_feeds_are_atom(shipped):
    output, site = shipped
    for lang in site.config.language_codes:
        section = site.page(site.config.feeds["section"], lang)
        feed = ElementTree.parse(output / section.path / "atom.xml").getroot()
        assert feed.tag == f"{ATOM}feed" and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        for tag in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{tag}") is not None, tag
        assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
        assert feed.find(f"{ATOM}link[@rel='self']").get("href").startswith("http")
        entries = feed.findall(f"{ATOM}entry")
        assert entries
        for entry in entries:
            for tag in ("id", "title", "updated"):
                assert (entry.findtext(f"{ATOM}{tag}") or "").strip(), tag
            assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
            assert urlsplit(entry.findtext(f"{ATOM}id")).scheme in ("http", "https")
        ids = [e.findtext(f"{ATOM}id") for e in entries]
        assert len(ids) == len(set(ids))


def test_sitemap_follows_the_protocol_with_reciprocal_alternates(shipped):
    output, site = shipped
    root = ElementTree.parse(output / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    assert 0 < len(urls) <= 50_000 and (output / "sitemap.xml").stat().st_size < 50 * 2**20
    alternates = {}
    for url in urls:
        loc = url.findtext(f"{SITEMAP}loc")
        assert urlsplit(loc).scheme == "https" and loc.startswith(site.config.base_url)
        links = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert set(links) == {"pl", "en", "x-default"}, loc
        assert links["x-default"] == links["pl"]
        alternates[loc] = links
    for loc, links in alternates.items():
        for lang in ("pl", "en"):
            assert alternates[links[lang]] == links, f"{loc} and {links[lang]} do not point at each other"
    listed = set(alternates)
    published = {
        site.config.origin + site.config.base_path + p.path for p in site.pages if not p.missing and p.key != "404.md"
    }
    assert listed == published
    robots = (output / "robots.txt").read_text()
    assert f"Sitemap: {site.config.base_url}sitemap.xml" in robots


def test_no_request_leaves_the_site(shipped):
    output, site = shipped
    external = re.compile(
        r"""(?:src|href)=["']?(?:https?:)?//(?!%s)""" % re.escape(urlsplit(site.config.base_url).netloc)
    )
    for path in output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<(?:link|script|img|iframe|source)[^>]*>", text):
            assert (
                not external.search(match[0])
                or 'rel="alternate"' in match[0]
                or "rel=alternate" in match[0]
                or "rel=canonical" in match[0]
                or 'rel="canonical"' in match[0]
            ), (path, match[0])


def test_pages_carry_no_inline_scripts_styles_or_handlers(sampled):
    _, output = sampled
    for path in output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # Structured data (JSON-LD) is not executed; any other script must come from a file.
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=[\"']?application/ld\+json))[^>]*>", text), path
        assert not re.search(r"<style", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert not re.search(r"\sstyle=", text), path


def test_every_page_weighs_under_100_kb_with_its_css_and_images(shipped):
    output, _ = shipped
    for path in output.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        total = len(text.encode("utf-8"))
        for reference in set(re.findall(r"""(?:src|href)=["']?(/static/[^"'\s>]+)""", text)):
            total += (output / reference.lstrip("/")).stat().st_size
        assert total < 100 * 1024, (path, total)


def test_structured_data_and_locales_describe_the_page(shipped):
    """Every page's schema.org graph names the organization and website of its language and its breadcrumb
    trail, in order, ending at the page; og:locale and x-default point at the right language versions."""
    import json

    output, site = shipped
    pages = [p for p in site.pages if p.parent_key not in (None, "_index.md") and not p.missing and not p.record]
    assert len(pages) >= 10
    for page in pages:
        text = (output / page.path / "index.html").read_text(encoding="utf-8")
        graph = json.loads(re.search(r'<script type="?application/ld\+json"?>(.*?)</script>', text, re.S)[1])
        assert graph["@context"] == "https://schema.org"
        organization, website, trail = graph["@graph"]
        home = site.config.origin + site.config.base_path + f"{page.lang}/"
        assert organization["@id"] == home + "#organization" and organization["name"]
        assert website["@id"] == home + "#website" and website["inLanguage"] == page.lang
        items = trail["itemListElement"]
        assert [item["position"] for item in items] == list(range(1, len(items) + 1))
        assert items[0]["item"] == home and len(items) >= 3
        assert items[-1]["item"] == site.config.origin + site.config.base_path + page.path
        assert items[-1]["name"] == page.menu_title
        parent = site.page(page.parent_key, page.lang)
        assert items[-2]["item"].endswith("/" + parent.path) and items[-2]["name"] == parent.menu_title
        tags = [
            dict((name, value.strip('"')) for name, value in re.findall(r'([\w:-]+)=("[^"]*"|[^\s>]+)', tag))
            for tag in re.findall(r"<(?:meta|link) [^>]*>", text)
        ]
        locales = {
            tag.get("property"): tag.get("content") for tag in tags if tag.get("property", "").startswith("og:loc")
        }
        other = "en" if page.lang == "pl" else "pl"
        translated = site.page(page.key, other) is not None and not site.page(page.key, other).missing
        expected = {"pl": "pl_PL", "en": "en_GB"}
        assert locales == {
            "og:locale": expected[page.lang],
            **({"og:locale:alternate": expected[other]} if translated else {}),
        }
        x_default = next(tag["href"] for tag in tags if tag.get("hreflang") == "x-default")
        assert x_default == site.config.origin + site.config.base_path + site.page(page.key, "pl").path
