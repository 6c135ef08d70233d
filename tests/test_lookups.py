"""Generic look-ups over data collections: relations declared in site.yaml, read both ways by templates.

The fixture is a conference, not the programme, to show that nothing here knows partners or projects.
"""

from __future__ import annotations

import re

import pytest

from conftest import FILES, SITE_YAML, write_site
from sitegen.errors import BuildError
from sitegen.loading.site import load_site
from sitegen.rendering.plain import render_site

CONFERENCE = SITE_YAML.replace(
    "collections:\n",
    """collections:
  talks:
    required: [id, title]
  speakers:
    required: [id, name, country]
    countries: [country]
    references: {talks.talk: talks, mentor: speakers}
    choices: {talks.role: [chair, speaker]}
""",
)
SPEAKERS = """\
- {id: ola, name: Łucja Nowak, country: PL, talks: [{talk: t1, role: speaker}]}
- {id: zoe, name: Zoë Abbott, country: GB, mentor: ola, talks: [{talk: t1, role: chair}, {talk: t2, role: speaker}]}
- {id: adam, name: Adam Lis, country: PL, talks: [{talk: t2, role: speaker}]}
- {id: lena, name: Lena Ernst, country: DE, mentor: ola, talks: []}
- {id: marek, name: Marek Zieliński, country: PL, talks: []}
"""
TALKS = "- {id: t1, title: Open data}\n- {id: t2, title: Łódź tomorrow}\n"
TEMPLATE = """{% extends 'base.html' %}{% block main %}
{% for talk in data.talks %}<p class="talk">{{ talk.id }}:
{% for ref in referrers('speakers', 'talks', talk.id) | collate('record.name') | sort(attribute='via.role') %}
[{{ ref.record.id }} {{ ref.via.role }}]{% endfor %}</p>{% endfor %}
<p class="mentees">{% for ref in referrers('speakers', 'speakers', 'ola') %}[{{ ref.record.id }}]{% endfor %}</p>
{% for group in data.speakers | group_by('country', label='country') %}<p class="group">{{ group.key }} {{ group.label }}:
{% for speaker in group.records %}[{{ speaker.id }}]{% endfor %}</p>{% endfor %}
{% for group in data.speakers | group_by('name') %}<p class="by-name">{{ group.label }}</p>{% endfor %}
{% endblock %}"""


def conference(tmp_path, template: str = TEMPLATE):
    files = {
        **FILES,
        "site.yaml": CONFERENCE,
        "content/data/speakers.yaml": SPEAKERS,
        "content/data/talks.yaml": TALKS,
        "templates/programme.html": template,
        "content/programme.pl.md": "---\ntitle: Program\nslug: program\ntemplate: programme.html\n---\n",
        "content/programme.en.md": "---\ntitle: Programme\ntemplate: programme.html\n---\n",
    }
    return write_site(tmp_path / "site", files)


def rendered(tmp_path, lang: str, template: str = TEMPLATE) -> str:
    files = render_site(load_site(conference(tmp_path, template)), production=False)
    path = "pl/program/index.html" if lang == "pl" else "en/programme/index.html"
    return re.sub(r"\s+", " ", files[path].decode("utf-8"))


def paragraphs(html: str, name: str) -> list[str]:
    return [text.strip() for text in re.findall(rf'<p class="{name}">(.*?)</p>', html)]


def test_referrers_follow_the_declared_relation_both_through_lists_and_fields(tmp_path):
    html = rendered(tmp_path, "pl")
    # t1: Zoë chairs (chair sorts first), Ola speaks; t2: Adam and Zoë speak, in Polish alphabetical order.
    assert paragraphs(html, "talk") == ["t1: [zoe chair][ola speaker]", "t2: [adam speaker][zoe speaker]"]
    assert paragraphs(html, "mentees") == ["[zoe][lena]"]  # a plain field, in the data file's order


def test_groups_follow_the_collation_of_their_labels_in_each_language(tmp_path):
    pl = rendered(tmp_path / "pl", "pl")
    en = rendered(tmp_path / "en", "en")
    # Countries by their names: Niemcy, Polska, Wielka Brytania; Germany, Poland, United Kingdom.
    assert paragraphs(pl, "group") == [
        "DE Niemcy: [lena]",
        "PL Polska: [ola][adam][marek]",
        "GB Wielka Brytania: [zoe]",
    ]
    assert paragraphs(en, "group") == [
        "DE Germany: [lena]",
        "PL Poland: [ola][adam][marek]",
        "GB United Kingdom: [zoe]",
    ]
    # Ł between L and M, as a Polish reader looks for it (by code point it would come after Z).
    assert paragraphs(pl, "by-name") == ["Adam Lis", "Lena Ernst", "Łucja Nowak", "Marek Zieliński", "Zoë Abbott"]


@pytest.mark.parametrize(
    "call, message",
    [
        ("referrers('speakers', 'rooms', 1)", "no collection 'rooms' in site.yaml"),
        ("referrers('talks', 'speakers', 1)", "collection 'talks' declares no reference to 'speakers'"),
        ("data.speakers | group_by('country', label='colour')", "no filter 'colour' to label the groups"),
    ],
)
def test_a_wrong_look_up_names_the_template_line(tmp_path, call, message):
    template = "{% extends 'base.html' %}{% block main %}\n\n{{ " + call + " | length }}{% endblock %}"
    with pytest.raises(BuildError) as error:
        rendered(tmp_path, "pl", template)
    problem = error.value.problems[0]
    assert (problem.path, problem.line) == ("templates/programme.html", 3)
    assert message in problem.message
