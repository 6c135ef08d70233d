"""content/data/*.yaml -> Data: loaded once, checked against site.yaml's collections, read-only."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from babel import Locale

from ..digests import CODE, Recall, digest
from ..errors import BuildError, Problem, did_you_mean
from .config import Collection, Config
from .files import read_text, relative
from .schema import language_problems, localize
from .urls import is_safe_slug, is_unsafe_link
from .yamlsrc import LineList, LineMap, load_yaml

DATA_FOLDER = "data"
NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO"}


@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166 codes, looked up only when a record is checked (data checks are memoised): loading Babel's
    English data is slow, and a rebuild after a page edit need not pay for it (it may format no date)."""
    return frozenset(
        code
        for code in Locale("en").territories
        if isinstance(code, str) and code.isalpha() and len(code) == 2 and code not in NOT_COUNTRIES
    )


@dataclass(frozen=True)
class Data:
    files: Mapping[str, str]  # data name -> source path, for messages
    raw: Mapping[str, Any]  # data name -> the YAML value, line-aware
    views: Mapping[str, Mapping[str, Any]]  # language -> data name -> localized, read-only value
    by_id: Mapping[str, Mapping[str, Mapping[str, Any]]]  # language -> collection -> id -> localized record
    digest: str = ""  # of every data file's text: what pages made from data depend on

    def find(self, lang: str, collection: str, record_id: Any) -> Any:
        return self.by_id[lang].get(collection, {}).get(record_id)


def data_folder(config: Config) -> Path:
    return config.path("content") / DATA_FOLDER


def parsed_yaml(text: str, shown: str, memo: Recall | None) -> Any:
    """A data file's YAML with line numbers, memoised by its exact text: parsing is the slow part."""
    key = digest(CODE, shown, text.encode("utf-8")) if memo else ""
    cached = memo.get("yaml", key) if memo else None
    if cached is None:
        cached = load_yaml(text, shown)
        if memo:
            memo.put("yaml", key, cached)
    return cached


def load_data(config: Config, files: list[Path], memo: Recall | None = None) -> tuple[Data, list[Problem]]:
    problems: list[Problem] = []
    sources: dict[str, str] = {}
    raw: dict[str, Any] = {}
    unreadable: set[str] = set()
    texts = []
    for path in files:
        shown = relative(path, config.root)
        if path.suffix not in (".yaml", ".yml"):
            problems.append(
                Problem(shown, 1, "only YAML files (.yaml) belong in content/data/", "move other files to static/")
            )
            continue
        try:
            texts.append((path.stem, read_text(path, config.root, config.max_file_bytes)))
            raw[path.stem] = parsed_yaml(texts[-1][1], shown, memo)
            sources[path.stem] = shown
        except BuildError as error:
            unreadable.add(path.stem)
            problems.extend(error.problems)
    files_digest = digest(*sorted(texts))
    problems += checked(config, raw, sources, unreadable, files_digest, memo)
    codes = config.language_codes
    # lang=lang binds each language; mypy cannot type such a lambda yet (python/mypy#15459).
    views = {
        lang: Lazy(raw, lambda name, lang=lang: localize(raw[name], lang, codes))  # type: ignore[misc]
        for lang in codes
    }
    by_id = {
        lang: Lazy(raw, lambda name, lang=lang: index_records(views[lang][name]))  # type: ignore[misc]
        for lang in codes
    }
    return Data(
        MappingProxyType(sources), MappingProxyType(raw), MappingProxyType(views), MappingProxyType(by_id), files_digest
    ), problems


class Lazy(Mapping):
    """A read-only mapping whose values are worked out when first asked for: a page edit renders one page,
    which should not pay for localizing 2,000 records it never shows."""

    _made: dict[str, Any]

    def __init__(self, keys: Iterable[str], make: Callable[[str], Any]):
        self._keys, self._make, self._made = tuple(keys), make, {}

    def __getitem__(self, key: str) -> Any:
        if key not in self._made:
            if key not in self._keys:
                raise KeyError(key)
            self._made[key] = self._make(key)
        return self._made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def checked(
    config: Config,
    raw: Mapping[str, Any],
    sources: Mapping[str, str],
    unreadable: set[str],
    files_digest: str,
    memo: Recall | None,
) -> list[Problem]:
    """The data files' problems; memoised under the files' text and the collections' rules, as checking
    2,000 records on every build costs more than reading them."""
    key = digest(
        CODE, config.language_codes, repr(config.collections), sorted(sources.items()), sorted(unreadable), files_digest
    )
    found = memo.get("data-checks", key) if memo else None
    if found is None:
        found = [problem for name, value in raw.items() for problem in unsafe_links(value, sources[name])]
        found += [
            problem
            for name, value in raw.items()
            for problem in language_problems(value, config.language_codes, sources[name])
        ]
        for name, collection in config.collections.items():
            if name not in raw:
                if name not in unreadable:
                    found.append(
                        Problem(
                            "site.yaml",
                            1,
                            f"collection '{name}' has no data file",
                            f"create content/data/{name}.yaml or remove it from 'collections'",
                        )
                    )
                continue
            found.extend(check_collection(collection, raw, sources))
        if memo:
            memo.put("data-checks", key, found)
    return list(found)


def index_records(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, tuple):
        return MappingProxyType({})
    return MappingProxyType({r["id"]: r for r in value if isinstance(r, Mapping) and "id" in r})


def check_collection(collection: Collection, raw: Mapping[str, Any], sources: Mapping[str, str]) -> list[Problem]:
    path = sources[collection.name]
    records = raw[collection.name]
    if not isinstance(records, LineList):
        return [
            Problem(
                path,
                getattr(records, "line", 1),
                "this data file must be a list of records",
                "start each record with '- id: ...'",
            )
        ]
    problems: list[Problem] = []
    seen: dict[Any, int] = {}
    for index, record in enumerate(records):
        line = records.line_of(index)
        if not isinstance(record, LineMap):
            problems.append(Problem(path, line, "a record must be a mapping of fields", "write 'field: value' lines"))
            continue
        record_id = record.get("id")
        if not is_safe_slug(record_id):
            problems.append(
                Problem(
                    path,
                    record.line_of("id"),
                    f"record id '{record_id}' is missing or not URL-safe",
                    "use lower-case letters, digits and hyphens",
                )
            )
        elif record_id in seen:
            problems.append(
                Problem(
                    path,
                    record.line_of("id"),
                    f"duplicate id '{record_id}'",
                    f"the same id is used on line {seen[record_id]}; give each record its own id",
                )
            )
        else:
            seen[record_id] = record.line_of("id")
        problems.extend(check_record(collection, record, raw, path))
    return problems


def check_record(collection: Collection, record: LineMap, raw: Mapping[str, Any], path: str) -> list[Problem]:
    problems = []
    name = record.get("id", "?")
    for field in collection.required:
        if record.get(field) in (None, "", [], {}):
            problems.append(Problem(path, record.line, f"record '{name}' has no '{field}'", f"add '{field}: ...'"))
    for field_path, target in collection.references.items():
        known = [r.get("id") for r in raw.get(target) or () if isinstance(r, dict)]
        for value, line in values_at(record, field_path.split(".")):
            if value not in known:
                hint = (
                    did_you_mean(str(value), [str(k) for k in known])
                    or f"ids in {target}: {', '.join(map(str, known))}"
                )
                problems.append(Problem(path, line, f"'{field_path}' refers to unknown {target} id '{value}'", hint))
    for field_path in collection.countries:
        for value, line in values_at(record, field_path.split(".")):
            if value not in country_codes():
                hint = did_you_mean(str(value).upper(), country_codes()) if isinstance(value, str) else ""
                problems.append(
                    Problem(
                        path,
                        line,
                        f"'{value}' is not an ISO 3166 country code",
                        hint or "use two capital letters, e.g. PL, DE, ES",
                    )
                )
    for field, allowed in collection.choices.items():
        for value, line in values_at(record, field.split(".")):
            if value not in allowed:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"'{field}' is '{value}', not one of: {', '.join(allowed)}",
                        did_you_mean(str(value), allowed),
                    )
                )
    return problems


def values_at(value: Any, steps: list[str], line: int = 1) -> Iterator[tuple[Any, int]]:
    """Every value at a dotted path, walking into lists: 'events.place'."""
    if isinstance(value, LineList):
        for index, item in enumerate(value):
            yield from values_at(item, steps, value.line_of(index))
        return
    if not steps:
        if value is not None:
            yield value, line
        return
    if isinstance(value, LineMap) and steps[0] in value:
        yield from values_at(value[steps[0]], steps[1:], value.line_of(steps[0]))


def lookup(view: Mapping[str, Any], dotted: str) -> Any:
    """A value in localized data by 'file.key.0.key' path; KeyError names the step that failed."""
    value: Any = view
    for step in dotted.split("."):
        if isinstance(value, Mapping) and step in value:
            value = value[step]
        elif isinstance(value, tuple) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            known = list(value) if isinstance(value, Mapping) else []
            raise KeyError(step, did_you_mean(step, [str(k) for k in known]))
    return value


def unsafe_links(value: Any, path: str, line: int = 1) -> list[Problem]:
    """Data is rendered into href attributes; script and data URLs are refused wherever they appear."""
    if isinstance(value, str):
        if is_unsafe_link(value):
            return [
                Problem(
                    path,
                    line,
                    f"'{value[:40]}' is a script or data link, which is not allowed",
                    "use an http(s) address",
                )
            ]
        return []
    if isinstance(value, LineMap):
        return [p for key, child in value.items() for p in unsafe_links(child, path, value.line_of(key))]
    if isinstance(value, LineList):
        return [p for index, child in enumerate(value) for p in unsafe_links(child, path, value.line_of(index))]
    return []
