"""Pages per distinct value of a field (collections.<name>.group_pages in site.yaml): a page for each value in
every language, with a slug and title from the value's name, breadcrumbs, translations and the sitemap, and
the template helper group_url. The fixture is a conference (speakers by country, talks by room), not the
programme: nothing here knows partners."""

from __future__ import annotations

import re

import pytest

from builds import backdate_sources, clean_build, tree
from conftest import FILES, SITE_YAML, write_site
from sitegen.commands.pipeline import build
from sitegen.errors import BuildError
from sitegen.loading.site import load_site
from sitegen.rendering.plain import render_site

COLLECTIONS = """collections:
  speakers:
    required: [id, name, country]
    countries: [country]
    group_pages:
      country:
        template: country.html
        parent: speakers/_index.md
        label: country
        slug: {pl: "{label}", en: "{label}"}
        title: {pl: "Prelegenci: {label}", en: "Speakers: {label}"}
      talks.room:
        template: room.html
        parent: speakers/_index.md
        slug: {pl: "sala-{value}", en: "room-{value}"}
"""
SPEAKERS = """\
- {id: ola, name: Łucja Nowak, country: PL, talks: [{room: A1}]}
- {id: zoe, name: Zoë Abbott, country: GB, talks: [{room: A1}, {room: B2}]}
- {id: adam, name: Adam Lis, country: PL, talks: []}
- {id: lena, name: Lena Ernst, country: DE}
"""
COUNTRY = (
    "{% extends 'base.html' %}{% block main %}<p class=group>{{ page.group.key }} {{ page.group.label }}:"
    "{% for speaker in page.group.records %} {{ speaker.id }}{% endfor %}</p>{% endblock %}"
)
INDEX = (
    "{% extends 'base.html' %}{% block main %}{% for group in data.speakers | group_by('country', label='country') %}"
    "<a class=country href=\"{{ group_url('speakers', 'country', group.key) }}\">{{ group.label }}</a>"
    "{% endfor %}{% endblock %}"
)


def conference(tmp_path, site_yaml: str | None = None, **more: str):
    files = {
        **FILES,
        "site.yaml": site_yaml or SITE_YAML.replace("collections:\n", COLLECTIONS),
        "content/data/speakers.yaml": SPEAKERS,
        "content/speakers/_index.pl.md": "---\ntitle: Prelegenci\nslug: prelegenci\ntemplate: speakers.html\n---\n",
        "content/speakers/_index.en.md": "---\ntitle: Speakers\ntemplate: speakers.html\n---\n",
        "templates/speakers.html": INDEX,
        "templates/country.html": COUNTRY,
        "templates/room.html": COUNTRY,
        **more,
    }
    return write_site(tmp_path / "site", files)


@pytest.fixture
def built(tmp_path):
    root = conference(tmp_path)
    site = load_site(root)
    return site, {path: data.decode("utf-8") for path, data in render_site(site, production=False).items()}


def text(html: str, name: str) -> list[str]:
    return [" ".join(found.split()) for found in re.findall(rf"<p class={name}>(.*?)</p>", html, re.S)]


def test_a_page_per_value_in_each_language_with_the_value_named_in_the_slug_and_title(built):
    site, files = built
    pages = sorted((p.path, p.title, p.menu_title) for p in site.pages if p.group and p.group.field == "country")
    assert pages == [
        ("en/speakers/germany/", "Speakers: Germany", "Germany"),
        ("en/speakers/poland/", "Speakers: Poland", "Poland"),
        ("en/speakers/united-kingdom/", "Speakers: United Kingdom", "United Kingdom"),
        ("pl/prelegenci/niemcy/", "Prelegenci: Niemcy", "Niemcy"),
        ("pl/prelegenci/polska/", "Prelegenci: Polska", "Polska"),
        ("pl/prelegenci/wielka-brytania/", "Prelegenci: Wielka Brytania", "Wielka Brytania"),
    ]
    # Exactly the records with that value, in the data file's order.
    assert text(files["pl/prelegenci/polska/index.html"], "group") == ["PL Polska: ola adam"]
    assert text(files["en/speakers/germany/index.html"], "group") == ["DE Germany: lena"]


def test_values_in_lists_get_pages_too_named_by_the_value_itself(built):
    site, files = built
    rooms = sorted(p.path for p in site.pages if p.group and p.group.field == "talks.room")
    assert rooms == ["en/speakers/room-a1/", "en/speakers/room-b2/", "pl/prelegenci/sala-a1/", "pl/prelegenci/sala-b2/"]
    assert text(files["pl/prelegenci/sala-a1/index.html"], "group") == ["A1 A1: ola zoe"]
    assert text(files["en/speakers/room-b2/index.html"], "group") == ["B2 B2: zoe"]


def test_group_pages_have_breadcrumbs_translations_and_a_place_in_the_sitemap(built):
    _, files = built
    page = files["pl/prelegenci/niemcy/index.html"]
    assert re.search(
        r'<nav class="crumbs"><a href="/pl/">[^<]+</a><a href="/pl/prelegenci/">Prelegenci</a></nav>', page
    )
    assert '<link rel="alternate" hreflang="en" href="/en/speakers/germany/">' in page
    assert 'hreflang="en" lang="en" href="/en/speakers/germany/"' in page  # the language switcher
    sitemap = files["sitemap.xml"]
    assert "<loc>https://example.org/pl/prelegenci/niemcy/</loc>" in sitemap
    assert 'hreflang="en" href="https://example.org/en/speakers/germany/"' in sitemap


def test_group_url_leads_to_each_value_page_in_the_page_language(built):
    _, files = built
    links = re.findall(r'<a class=country href="([^"]+)">([^<]+)</a>', files["pl/prelegenci/index.html"])
    assert links == [
        ("/pl/prelegenci/niemcy/", "Niemcy"),
        ("/pl/prelegenci/polska/", "Polska"),
        ("/pl/prelegenci/wielka-brytania/", "Wielka Brytania"),
    ]
    assert "/en/speakers/united-kingdom/" in files["en/speakers/index.html"]


@pytest.mark.parametrize(
    "call, message",
    [
        ("group_url('speakers', 'name', 'x')", "collection 'speakers' has no pages per value of 'name'"),
        ("group_url('speakers', 'country', 'FR')", "no record of speakers has 'country: FR', so it has no page"),
    ],
)
def test_a_wrong_group_url_names_the_template_line(tmp_path, call, message):
    template = "{% extends 'base.html' %}{% block main %}\n\n{{ " + call + " }}{% endblock %}"
    root = conference(tmp_path, **{"templates/speakers.html": template})
    with pytest.raises(BuildError) as error:
        render_site(load_site(root), production=False)
    problem = error.value.problems[0]
    assert (problem.path, problem.line) == ("templates/speakers.html", 3)
    assert message in problem.message


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("label: country", "label: colour", "site.yaml:21: 'group_pages.country.label' is 'colour', not one of"),
        ("template: country.html", "template: contry.html", "site.yaml:18: unknown template 'contry.html'"),
        (
            "parent: speakers/_index.md\n        label",
            "parent: talks/_index.md\n        label",
            "site.yaml:18: collection 'speakers' generates pages under 'talks/_index.md'",
        ),
        ('slug: {pl: "sala-{value}"', 'slug: {pl: "Sala {value}"', "content/data/speakers.yaml:1: the page for"),
    ],
)
def test_a_wrong_group_pages_setting_is_reported_at_its_line(tmp_path, old, new, expected):
    site_yaml = SITE_YAML.replace("collections:\n", COLLECTIONS)
    assert old in site_yaml
    root = conference(tmp_path, site_yaml.replace(old, new, 1))
    with pytest.raises(BuildError) as error:
        load_site(root)
    assert any(str(problem).startswith(expected) for problem in error.value.problems), error.value.problems


def test_a_value_that_is_not_plain_is_reported_at_its_record(tmp_path):
    root = conference(
        tmp_path,
        **{"content/data/speakers.yaml": SPEAKERS + "- {id: ewa, name: Ewa, country: PL, talks: [{room: {a: 1}}]}\n"},
    )
    with pytest.raises(BuildError) as error:
        load_site(root)
    assert [str(p).split(";")[0] for p in error.value.problems] == [
        "content/data/speakers.yaml:5: 'talks.room' must be a plain text or number to have a page per value"
    ]


def test_a_rebuild_after_a_value_changes_equals_a_clean_build(tmp_path, monkeypatch):
    """A value that changes adds one page and removes another in each language, and the sitemap and every page
    linking to them follow: the speed layer's rebuild gives what the plain path gives from scratch."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    root = conference(tmp_path)
    backdate_sources(root)
    build(root)
    data = root / "content/data/speakers.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("country: DE", "country: FR"), encoding="utf-8")
    build(root)
    output = tree(root / "output")
    assert "pl/prelegenci/francja/index.html" in output and "pl/prelegenci/niemcy/index.html" not in output
    assert output == clean_build(root)
