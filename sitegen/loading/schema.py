"""Small, explicit checks of YAML values against the types the generator expects."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeGuard, TypeVar

from ..errors import Problem, did_you_mean
from .yamlsrc import LineList, LineMap

T = TypeVar("T")

TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    datetime.date: "a date (YYYY-MM-DD)",
    list: "a list",
    dict: "a mapping",
}


@dataclass(frozen=True)
class Localized:
    """A value per language; a plain value in YAML serves every language."""

    values: Mapping[str, Any]

    def get(self, lang: str) -> Any:
        return self.values.get(lang)


def is_type(value: Any, kind: type[T]) -> TypeGuard[T]:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is datetime.date:
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    return isinstance(value, kind)


def check_type(value: Any, kind: type[T], where: str, path: str, line: int, problems: list[Problem]) -> TypeGuard[T]:
    if is_type(value, kind):
        return True
    problems.append(
        Problem(
            path, line, f"'{where}' must be {TYPE_NAMES[kind]}, not {describe(value)}", f"write it as {example(kind)}"
        )
    )
    return False


def describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, (LineMap, dict)):
        return "a mapping"
    if isinstance(value, (LineList, list)):
        return "a list"
    return f"'{value}'"


def example(kind: type) -> str:
    return {
        str: "a quoted string",
        int: "a number such as 10",
        bool: "true or false",
        datetime.date: "2026-11-22",
        list: "a list of '- item' lines",
        dict: "'key: value' lines",
    }[kind]


def check_keys(mapping: LineMap, known: Any, where: str, path: str, problems: list[Problem]) -> None:
    """Unknown keys are errors, with the closest known key as a hint."""
    for key in mapping:
        if key not in known:
            hint = did_you_mean(str(key), known) or f"known keys: {', '.join(sorted(known))}"
            problems.append(Problem(path, mapping.line_of(key), f"unknown key '{key}' in {where}", hint))


class ReadOnlyDict(dict):
    """A dict that refuses changes; unlike MappingProxyType it can be pickled, so loaded pages can be memoised."""

    def _refuse(self, *args, **kwargs):
        raise TypeError("this mapping is read-only")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):
        return ReadOnlyDict, (dict(self),)


def freeze(value: Any) -> Any:
    """A read-only deep copy: mappings become ReadOnlyDict, lists become tuples."""
    if isinstance(value, dict):
        return ReadOnlyDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


def line_of(mapping: Any, key: Any, default: int = 1) -> int:
    return mapping.line_of(key) if isinstance(mapping, (LineMap, LineList)) else default


def language_problems(value: Any, languages: tuple[str, ...], path: str, line: int = 1) -> list[Problem]:
    """A mapping with a language code among its keys gives one value per language. It must name every
    language of the site and nothing else, each with text or a number, or an empty value ("") where a
    language has none. YAML turns an unquoted comma into another key ({pl: a, b, en: c}) and an unquoted
    yes or no into true or false: a page would print either as Python."""
    if isinstance(value, LineList):
        return [
            p
            for index, item in enumerate(value)
            for p in language_problems(item, languages, path, value.line_of(index))
        ]
    if not isinstance(value, LineMap):
        return []
    if not any(key in languages for key in value):
        return [p for key, item in value.items() for p in language_problems(item, languages, path, value.line_of(key))]
    problems, misspelt = [], set()
    for key in value:
        if key not in languages:
            misspelt.add(did_you_mean(str(key), languages))
            hint = (
                did_you_mean(str(key), languages)
                or 'put the text in quotes if it has a comma or a colon in it: {pl: "a, b", en: "c, d"}'
            )
            problems.append(
                Problem(
                    path,
                    value.line_of(key),
                    f"'{key}' is not a language of the site in this "
                    f"language mapping (languages: {', '.join(languages)})",
                    hint,
                )
            )
        elif not is_text(value[key]):
            problems.append(
                Problem(
                    path,
                    value.line_of(key),
                    f"the '{key}' value must be text, not {describe(value[key])}",
                    'put it in quotes, e.g. "Yes" or "No"'
                    if isinstance(value[key], bool)
                    else "write one text per language",
                )
            )
    for code in languages:
        if code not in value and did_you_mean(code, [code]) not in misspelt:  # 'eng' for 'en' is one problem
            problems.append(
                Problem(
                    path,
                    value.line,
                    f"this language mapping has no '{code}' value",
                    f'add {code}: ... (or {code}: "" where there is none in that language)',
                )
            )
    return problems


def is_text(value: Any) -> bool:
    """Text, a number or a date, or empty: what a page can print."""
    return value is None or (isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool))


def is_localized(value: Any, languages: tuple[str, ...]) -> bool:
    """A bilingual value is a mapping whose keys are all language codes."""
    return isinstance(value, dict) and bool(value) and all(key in languages for key in value)


def localize(value: Any, lang: str, languages: tuple[str, ...]) -> Any:
    """Resolve every bilingual mapping inside value to one language, read-only."""
    if is_localized(value, languages):
        return localize(value.get(lang), lang, languages)
    if isinstance(value, dict):
        return MappingProxyType({k: localize(v, lang, languages) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(localize(v, lang, languages) for v in value)
    return value
