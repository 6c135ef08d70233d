"""A map of shapes shaded by a value each (a choropleth), worked out for a template to draw as inline SVG.

The geometry is data (a mapping with `viewbox` and `shapes`, each `{id, d}`: an SVG path); the values map
shape ids to positive numbers. Nothing here knows what the shapes or the numbers are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any


class MapError(ValueError):
    """The geometry or the values cannot make a map; the message says which and why."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


def classes(values: list[float], shades: int) -> list[tuple[float, float]]:
    """The value classes, lowest first, as (low, high), both included. Whole numbers get a class each while
    there are shades enough (1, 2, 3), else equal ranges of whole numbers (1–8, 9–16…); other numbers
    get `shades` equal ranges from the lowest value to the highest."""
    low, high = min(values), max(values)
    if all(isinstance(value, int) for value in values):
        if high - low + 1 <= shades:
            return [(value, value) for value in range(int(low), int(high) + 1)]
        bounds = [int(low) + round(index * (high - low + 1) / shades) for index in range(shades + 1)]
        return [(bounds[index], bounds[index + 1] - 1) for index in range(shades)]
    if low == high:
        return [(low, high)]
    width = (high - low) / shades
    return [
        (low + index * width, high if index == shades - 1 else low + (index + 1) * width) for index in range(shades)
    ]


def class_of(value: float, found: list[tuple[float, float]]) -> int:
    return next((index for index, (_, high) in enumerate(found) if value <= high), len(found) - 1)


def spread(count: int, shades: int) -> list[int]:
    """Shades 1..shades for `count` classes, as far apart as they can be: 3 classes of 5 shades are 1, 3, 5."""
    if count == 1:
        return [(shades + 1) // 2]
    return [1 + round(index * (shades - 1) / (count - 1)) for index in range(count)]


def checked_shapes(geometry: Any) -> list[Mapping[str, Any]]:
    shapes = geometry.get("shapes") if isinstance(geometry, Mapping) else None
    if not isinstance(geometry, Mapping) or not isinstance(geometry.get("viewbox"), str) or shapes is None:
        raise MapError(
            "the map's geometry must be a mapping with 'viewbox' and 'shapes'",
            "pass a data file made for maps, e.g. data.europe_map",
        )
    if not all(isinstance(shape, Mapping) and isinstance(shape.get("d"), str) for shape in shapes):
        raise MapError(
            "every shape of the map's geometry needs 'd', an SVG path", "make the file again with its script"
        )
    return list(shapes)


def checked_values(values: Any) -> dict[Any, float]:
    if not isinstance(values, Mapping):
        raise MapError(
            "the map's values must be a mapping of shape ids to numbers", "e.g. records | count_by('country')"
        )
    numbers = {}
    for key, value in values.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise MapError(f"the map's value for '{key}' is {value!r}, not a number of 0 or more", "")
        if value > 0:
            numbers[key] = value
    return numbers


def choropleth(
    geometry: Any, values: Any, label: Callable[[Any], str], sort_key: Callable[[str], Any], shades: int = 5
) -> Mapping[str, Any]:
    """What a template needs to draw the map: `viewbox`; `background`, one SVG path of every shape without a
    value; `shapes`, those with a value, each {id, d, value, label, shade} (shade 1 the lightest, `shades`
    the darkest), in the order of their labels; `missing`, the values that have no shape ({id, value,
    label, shade}), for the text beside the map; and `legend`, each class as {shade, low, high}."""
    shapes = checked_shapes(geometry)
    numbers = checked_values(values)
    found = classes(list(numbers.values()), shades) if numbers else []
    shade_of = spread(len(found), shades) if found else []

    def entry(key: Any, **more: Any) -> Mapping[str, Any]:
        value = numbers[key]
        return MappingProxyType(
            {"id": key, "value": value, "label": label(key), "shade": shade_of[class_of(value, found)], **more}
        )

    drawn = {shape.get("id") for shape in shapes}
    shaded = [entry(shape["id"], d=shape["d"]) for shape in shapes if shape.get("id") in numbers]
    missing = [entry(key) for key in numbers if key not in drawn]
    return MappingProxyType(
        {
            "viewbox": geometry["viewbox"],
            "background": "".join(shape["d"] for shape in shapes if shape.get("id") not in numbers),
            "shapes": tuple(sorted(shaded, key=lambda shape: sort_key(shape["label"]))),
            "missing": tuple(sorted(missing, key=lambda shape: sort_key(shape["label"]))),
            "legend": tuple(
                MappingProxyType({"shade": shade, "low": low, "high": high})
                for shade, (low, high) in zip(shade_of, found, strict=True)
            ),
        }
    )
