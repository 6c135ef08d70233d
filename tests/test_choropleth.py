"""A map of shapes shaded by a value each (rendering/choropleth.py) and the template helpers around it,
choropleth() and the count_by filter. The fixture is a conference with a map of three made-up shapes: nothing
here knows partners or Europe."""

from __future__ import annotations

import re

import pytest

from conftest import FILES, SITE_YAML, write_site
from sitegen.errors import BuildError
from sitegen.loading.i18n import Formatter
from sitegen.loading.site import load_site
from sitegen.rendering.choropleth import MapError, choropleth, classes, spread
from sitegen.rendering.plain import render_site

GEOMETRY = {
    "viewbox": "0 0 30 10",
    "shapes": [
        {"id": "PL", "d": "M0 0l10 0l0 10z"},
        {"id": "DE", "d": "M10 0l10 0l0 10z"},
        {"id": "GB", "d": "M20 0l10 0l0 10z"},
        {"d": "M0 9l1 0l0 1z"},  # a shape with no id: always background
    ],
}


def polish(values, **options):
    formatter = Formatter("pl", "pl_PL")
    return choropleth(GEOMETRY, values, formatter.country, formatter.sort_key, **options)


@pytest.mark.parametrize(
    "values, shades, expected",
    [
        ([1, 3], 5, [(1, 1), (2, 2), (3, 3)]),  # whole numbers: one class each while there are shades enough
        ([2, 2], 5, [(2, 2)]),
        ([1, 40], 5, [(1, 8), (9, 16), (17, 24), (25, 32), (33, 40)]),
        ([1, 7], 5, [(1, 1), (2, 3), (4, 4), (5, 6), (7, 7)]),
        ([0.5, 2.5], 4, [(0.5, 1.0), (1.0, 1.5), (1.5, 2.0), (2.0, 2.5)]),
    ],
)
def test_classes_cover_the_values_from_the_lowest_to_the_highest(values, shades, expected):
    assert classes(values, shades) == expected


def test_shades_are_spread_as_far_apart_as_the_classes_allow():
    assert spread(1, 5) == [3]
    assert spread(2, 5) == [1, 5]
    assert spread(3, 5) == [1, 3, 5]
    assert spread(5, 5) == [1, 2, 3, 4, 5]


def test_shapes_with_a_value_are_named_shaded_and_sorted_the_others_are_background():
    drawn = polish({"PL": 3, "GB": 1, "DE": 0, "FR": 2})
    assert drawn["viewbox"] == "0 0 30 10"
    # Sorted in Polish order of their names: Polska before Wielka Brytania; DE has 0, so it is background.
    assert [(s["id"], s["label"], s["value"], s["shade"], s["d"]) for s in drawn["shapes"]] == [
        ("PL", "Polska", 3, 5, "M0 0l10 0l0 10z"),
        ("GB", "Wielka Brytania", 1, 1, "M20 0l10 0l0 10z"),
    ]
    assert drawn["background"] == "M10 0l10 0l0 10zM0 9l1 0l0 1z"
    assert [(s["id"], s["label"], s["value"], s["shade"]) for s in drawn["missing"]] == [("FR", "Francja", 2, 3)]
    assert [dict(item) for item in drawn["legend"]] == [
        {"shade": 1, "low": 1, "high": 1},
        {"shade": 3, "low": 2, "high": 2},
        {"shade": 5, "low": 3, "high": 3},
    ]


def test_no_values_leave_every_shape_in_the_background():
    drawn = polish({})
    assert drawn["shapes"] == () and drawn["legend"] == () and drawn["missing"] == ()
    assert drawn["background"].count("M") == 4


@pytest.mark.parametrize(
    "geometry, values, message",
    [
        ({"shapes": []}, {}, "the map's geometry must be a mapping with 'viewbox' and 'shapes'"),
        ({"viewbox": "0 0 1 1", "shapes": [{"id": "PL"}]}, {}, "every shape of the map's geometry needs 'd'"),
        (GEOMETRY, ["PL"], "the map's values must be a mapping of shape ids to numbers"),
        (GEOMETRY, {"PL": "many"}, "the map's value for 'PL' is 'many', not a number of 0 or more"),
        (GEOMETRY, {"PL": -1}, "the map's value for 'PL' is -1"),
    ],
)
def test_a_geometry_or_values_that_make_no_map_are_refused(geometry, values, message):
    with pytest.raises(MapError) as error:
        choropleth(geometry, values, str, str)
    assert message in error.value.message


MAP_DATA = """\
viewbox: "0 0 30 10"
shapes:
  - {id: "PL", d: "M0 0l10 0l0 10z"}
  - {id: "DE", d: "M10 0l10 0l0 10z"}
  - {id: "NO", d: "M20 0l10 0l0 10z"}
"""
TEMPLATE = """{% extends 'base.html' %}{% block main %}
{% set counts = data.speakers | count_by('country') %}
<p class=counts>{% for code, n in counts.items() %}{{ code }}={{ n }} {% endfor %}</p>
<p class=rooms>{% for room, n in (data.speakers | count_by('talks.room')).items() %}{{ room }}={{ n }} {% endfor %}</p>
{% set map = choropleth(data.tiny_map, counts, label='country') %}
<svg viewBox="{{ map.viewbox }}"><path class=land d="{{ map.background }}"/>
{% for shape in map.shapes %}<a href="#{{ shape.id }}" class="shade-{{ shape.shade }}"><title>{{ shape.label }}: {{ shape.value }}</title><path d="{{ shape.d }}"/></a>{% endfor %}
</svg>{% endblock %}"""
SPEAKERS = """\
- {id: ola, name: Ola, country: PL, talks: [{room: A1}, {room: A1}]}
- {id: zoe, name: Zoë, country: "NO", talks: [{room: B2}]}
- {id: adam, name: Adam, country: PL, talks: [{room: B2}]}
"""


def conference(tmp_path, template: str = TEMPLATE):
    files = {
        **FILES,
        "site.yaml": SITE_YAML.replace("collections:\n", "collections:\n  speakers:\n    required: [id, country]\n"),
        "content/data/speakers.yaml": SPEAKERS,
        "content/data/tiny_map.yaml": MAP_DATA,
        "templates/map.html": template,
        "content/map.pl.md": "---\ntitle: Mapa\nslug: mapa\ntemplate: map.html\n---\n",
        "content/map.en.md": "---\ntitle: Map\ntemplate: map.html\n---\n",
    }
    return write_site(tmp_path / "site", files)


def test_templates_count_records_by_value_and_draw_the_map_from_data(tmp_path):
    files = render_site(load_site(conference(tmp_path)), production=False)
    pl = " ".join(files["pl/mapa/index.html"].decode().split())
    en = " ".join(files["en/map/index.html"].decode().split())
    # A record counts once per value, however often it holds it; values in the order they first appear.
    assert "<p class=counts>PL=2 NO=1 </p>" in pl
    assert "<p class=rooms>A1=1 B2=2 </p>" in pl
    shapes = re.findall(r'<a href="#(\w+)" class="shade-(\d)"><title>([^<]+)</title>', pl)
    assert shapes == [("NO", "1", "Norwegia: 1"), ("PL", "5", "Polska: 2")]
    assert re.findall(r"<title>([^<]+)</title>", en)[1:] == ["Norway: 1", "Poland: 2"]
    assert '<path class=land d="M10 0l10 0l0 10z"/>' in pl


@pytest.mark.parametrize(
    "call, message",
    [
        ("choropleth(data.speakers, {})", "the map's geometry must be a mapping with 'viewbox' and 'shapes'"),
        ("choropleth(data.tiny_map, {'PL': 'x'})", "the map's value for 'PL' is 'x'"),
        ("choropleth(data.tiny_map, {}, label='colour')", "no filter 'colour' to name the shapes"),
    ],
)
def test_a_wrong_map_names_the_template_line(tmp_path, call, message):
    template = "{% extends 'base.html' %}{% block main %}\n\n{{ " + call + " | length }}{% endblock %}"
    with pytest.raises(BuildError) as error:
        render_site(load_site(conference(tmp_path, template)), production=False)
    problem = error.value.problems[0]
    assert (problem.path, problem.line) == ("templates/map.html", 3)
    assert message in problem.message
