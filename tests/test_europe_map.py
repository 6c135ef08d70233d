"""The map of Europe's geometry (content/data/europe_map.yaml, made by maps/europe.mjs): what the templates
draw maps from, checked as data."""

from __future__ import annotations

import json
import re

import yaml

from conftest import PROJECT
from sitegen.loading.data import country_codes

# The member states of the EU, the other states of the EEA, and the other states of Europe (the microstates too).
EU = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU"}
EU |= {"MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"}
EUROPE = EU | {"IS", "LI", "NO"} | {"AD", "AL", "BA", "BY", "CH", "GB", "MC", "MD", "ME", "MK", "RS", "SM", "TR"}
EUROPE |= {"UA", "VA", "XK"}
GEOMETRY = PROJECT / "content/data/europe_map.yaml"
# Absolute moves, then relative lines in whole units: "M239 708l-4 1l-1-1z" (a minus sign separates too).
PATH = re.compile(r"(?:M\d+ \d+(?:l-?\d+[ -]\d+)*z)+")


def test_every_shape_is_a_country_under_its_iso_code_drawn_in_whole_units():
    geometry = yaml.safe_load(GEOMETRY.read_text(encoding="utf-8"))
    assert re.fullmatch(r"0 0 1000 \d+", geometry["viewbox"])
    ids = [shape["id"] for shape in geometry["shapes"]]
    assert len(ids) == len(set(ids)) and set(ids) <= country_codes()
    assert len(EU) == 27 and EUROPE <= set(ids)
    for shape in geometry["shapes"]:
        assert PATH.fullmatch(shape["d"]), shape["id"]


def test_the_file_names_its_source_and_the_package_version_the_lock_file_pins():
    header = GEOMETRY.read_text(encoding="utf-8").split("\nviewbox:")[0]
    lock = json.loads((PROJECT / "maps/package-lock.json").read_text(encoding="utf-8"))
    version = lock["packages"]["node_modules/world-atlas"]["version"]
    assert f"world-atlas {version}" in header
    assert "Natural Earth" in header and "public domain" in header
    assert "maps/europe.mjs" in header
