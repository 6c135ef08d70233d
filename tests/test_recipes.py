"""ARCHITECTURE.md's recipes, followed step by step on a fixture site: if a recipe stops being true,
this fails."""

from __future__ import annotations

from pathlib import Path

from conftest import FILES, SITE_YAML, write_site
from sitegen.commands import cli
from sitegen.loading.site import load_site
from sitegen.rendering.plain import render_site

ARCHITECTURE = Path(__file__).resolve().parents[1] / "ARCHITECTURE.md"


def test_add_a_page_kind(tmp_path, capsys):
    assert "**Add a page kind.** Write `templates/<kind>.html` extending `base.html`" in ARCHITECTURE.read_text()
    root = write_site(tmp_path / "site")
    # 1. The template, extending base.html and filling its main block, with an interface string.
    (root / "templates/event.html").write_text(
        "{% extends 'base.html' %}{% block main %}<article class=\"event\"><p>{{ _('Where') }}: "
        "{{ page.extra.place }}</p>{{ page.content }}</article>{% endblock %}",
        encoding="utf-8",
    )
    # 2. Pages naming it in their front matter.
    for lang, title, place in (("pl", "Spotkanie", "Łódź"), ("en", "Meeting", "Lodz")):
        (root / f"content/meeting.{lang}.md").write_text(
            f"---\ntitle: {title}\ntemplate: event.html\nextra: {{place: {place}}}\n---\nText.\n", encoding="utf-8"
        )
    # 3. The new string into the catalogues, then translated.
    assert cli.main(["--root", str(root), "i18n", "extract"]) == 0
    assert cli.main(["--root", str(root), "i18n", "update"]) == 0
    po = root / "locales/pl/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Where"\nmsgstr ""' in text
    po.write_text(text.replace('msgid "Where"\nmsgstr ""', 'msgid "Where"\nmsgstr "Gdzie"'), encoding="utf-8")

    files = render_site(load_site(root))
    assert "<article class=event><p>Gdzie: Łódź</p><p>Text.</p></article>" in files["pl/meeting/index.html"].decode()
    assert "<article class=event><p>Where: Lodz</p><p>Text.</p></article>" in files["en/meeting/index.html"].decode()
    assert cli.main(["--root", str(root), "build"]) == 0
    assert "Gdzie: Łódź" in (root / "output/pl/meeting/index.html").read_text(encoding="utf-8")


def test_add_a_data_collection_with_a_page_per_record(tmp_path):
    assert "**Add a data collection.** Put `content/data/<name>.yaml`" in ARCHITECTURE.read_text()
    site_yaml = SITE_YAML.replace(
        "collections:\n",
        """collections:
  venues:
    required: [id, name, country]
    countries: [country]
    pages: {template: venue.html, parent: venues/_index.md, slug: {pl: "{id}", en: "{id}"}}
""",
    )
    root = write_site(
        tmp_path / "site",
        {
            **FILES,
            "site.yaml": site_yaml,
            "content/data/venues.yaml": "- {id: hala, name: Hala Stulecia, country: PL}\n",
            "content/venues/_index.pl.md": "---\ntitle: Miejsca\nslug: miejsca\n---\n",
            "content/venues/_index.en.md": "---\ntitle: Venues\n---\n",
            "templates/venue.html": "{% extends 'base.html' %}{% block main %}<p class=venue>{{ page.record.name }}, "
            "{{ page.record.country | country }}</p>{% endblock %}",
        },
    )
    files = render_site(load_site(root))
    assert "<p class=venue>Hala Stulecia, Polska</p>" in files["pl/miejsca/hala/index.html"].decode()
    assert "<p class=venue>Hala Stulecia, Poland</p>" in files["en/venues/hala/index.html"].decode()
