"""Help in the same place on every page (WCAG 2.2, 3.2.6): the contact block from site.yaml."""

from __future__ import annotations

import re

import pytest

from shipped import BUILD_EPOCH, copy_sources
from sitegen.loading.site import load_site
from sitegen.rendering.plain import render_site

BLOCK = re.compile(
    r"<footer class=site-footer>.*?(<section aria-labelledby=contact-heading class=contact>.*?</section>)", re.S
)


@pytest.fixture
def site_root(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    return copy_sources(tmp_path / "site")


def blocks(root) -> dict[str, str]:
    """Each HTML page's contact block, by path; a page without one maps to ''."""
    files = render_site(load_site(root))
    return {
        path: (BLOCK.search(data.decode()) or [None, ""])[1]
        for path, data in files.items()
        if path.endswith(".html") and path != "index.html" and b"http-equiv=refresh" not in data
    }


def test_every_page_has_the_same_block_in_its_language_with_placeholders_until_filled(site_root):
    found = blocks(site_root)
    assert len(found) > 50 and all(found.values()), [path for path, block in found.items() if not block]
    by_lang = {lang: {block for path, block in found.items() if path.startswith(f"{lang}/")} for lang in ("pl", "en")}
    assert len(by_lang["pl"]) == 1 and len(by_lang["en"]) == 1  # the same on every page of a language
    assert "Kontakt i pomoc" in next(iter(by_lang["pl"])) and "Contact and help" in next(iter(by_lang["en"]))
    assert next(iter(by_lang["pl"])).count("(do uzupełnienia przez redakcję)") == 4


def test_filled_in_details_become_links(site_root):
    yaml = site_root / "site.yaml"
    text = yaml.read_text(encoding="utf-8")
    text = text.replace(
        '  name: {pl: "", en: ""}            # EDITORS', '  name: {pl: "Ministerstwo", en: "Ministry"}  # EDITORS'
    )
    text = text.replace(
        '  email: ""                         # EDITORS: fill in\n  phone: ""',
        '  email: "kontakt@example.gov.pl"\n  phone: "+48 22 123 45 67"',
    )
    yaml.write_text(text, encoding="utf-8")
    block = blocks(site_root)["en/index.html"]
    assert "Ministry" in block
    assert "<a href=mailto:kontakt@example.gov.pl>kontakt@example.gov.pl</a>" in block
    assert "<a href=tel:+48221234567>+48 22 123 45 67</a>" in block
    assert block.count("(to be completed by the editors)") == 1  # the address is still missing
