"""site.yaml's `exports`: which collections each build publishes as open data files, with which fields, in
which formats, under which folder and licence. Read and checked here; rendering.exports makes the bytes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ..errors import Problem, did_you_mean
from .schema import Localized, check_keys
from .urls import is_safe_slug
from .yamlsrc import LineList, LineMap

CONFIG_FILE = "site.yaml"
EXPORTS_KEYS = ("folder", "licence", "collections")
LICENCE_KEYS = ("name", "url")
EXPORT_KEYS = ("formats", "fields")
FIELD_KEYS = ("name", "from", "label", "as", "show", "values", "fields")
FORMATS = ("csv", "json")
# How a value is written: as the data gives it (in the file's language), or as a name or an address.
SHOWN_AS = ("text", "country", "language", "page", "record_page")
DEFAULT_FOLDER = "data"
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

NO_TEXT = Localized(MappingProxyType({}))
ReadLocalized = Callable[[str, LineMap, str], Localized]  # (key, parent, where) -> its value per language


@dataclass(frozen=True)
class ExportField:
    """One column of a CSV file, one key of a JSON record."""

    name: str  # the JSON key, and the CSV heading when there is no label
    path: str  # where the value is, dotted, from the record (or from an item of the list its parent names)
    label: Localized  # the CSV heading in each language
    line: int
    shown_as: str = "text"
    show: str = ""  # for a reference: the field of the record it refers to that is written instead of the id
    target: str = ""  # that record's collection
    values: Mapping[str, Localized] = field(default_factory=dict)  # fixed values written as words
    fields: tuple[ExportField, ...] = ()  # for a list of mappings: the fields of each item

    def heading(self, lang: str) -> str:
        return self.label.get(lang) or self.name


@dataclass(frozen=True)
class Export:
    collection: str
    formats: tuple[str, ...]
    fields: tuple[ExportField, ...]
    line: int


@dataclass(frozen=True)
class Exports:
    folder: Localized = NO_TEXT
    licence_name: Localized = NO_TEXT
    licence_url: str = ""
    collections: Mapping[str, Export] = field(default_factory=dict)  # in site.yaml's order
    line: int = 1


def read_exports(
    raw: LineMap, codes: tuple[str, ...], collections: Mapping, localized: ReadLocalized, problems: list[Problem]
) -> Exports:
    """collections: site.yaml's data collections, by name (loading.config.Collection)."""
    section = raw.get("exports")
    if section is None:
        return Exports()
    if not isinstance(section, LineMap):
        problems.append(Problem(CONFIG_FILE, raw.line_of("exports"), "'exports' must be a mapping of keys", ""))
        return Exports()
    check_keys(section, EXPORTS_KEYS, "exports", CONFIG_FILE, problems)
    folder = localized("folder", section, "exports.folder")
    folder_values = dict(folder.values) or dict.fromkeys(codes, DEFAULT_FOLDER)
    for code, slug in folder_values.items():
        if not is_safe_slug(slug):
            problems.append(
                Problem(
                    CONFIG_FILE,
                    section.line_of("folder"),
                    f"'exports.folder' for '{code}' is '{slug}', not a URL segment",
                    "use lower-case letters, digits and hyphens, e.g. {pl: dane, en: data}",
                )
            )
    licence = section.get("licence") or LineMap()
    if not isinstance(licence, LineMap):
        problems.append(Problem(CONFIG_FILE, section.line_of("licence"), "'exports.licence' must be a mapping", ""))
        licence = LineMap()
    check_keys(licence, LICENCE_KEYS, "exports.licence", CONFIG_FILE, problems)
    url = licence.get("url") or ""
    if not isinstance(url, str) or (url and not url.startswith(("https://", "http://"))):
        problems.append(
            Problem(CONFIG_FILE, licence.line_of("url"), "'exports.licence.url' must be an http(s) address", "")
        )
        url = ""
    declared = section.get("collections") or LineMap()
    if not isinstance(declared, LineMap):
        problems.append(
            Problem(CONFIG_FILE, section.line_of("collections"), "'exports.collections' must be a mapping", "")
        )
        declared = LineMap()
    reader = FieldReader(collections, localized, problems)
    exports = {}
    for name, spec in declared.items():
        line = declared.line_of(name)
        if name not in collections:
            problems.append(
                Problem(
                    CONFIG_FILE,
                    line,
                    f"'exports.collections' names '{name}', which is not a collection",
                    did_you_mean(str(name), collections) or "declare it under 'collections' first",
                )
            )
            continue
        export = reader.export(name, spec, line)
        if export is not None:
            exports[name] = export
    return Exports(
        folder=Localized(MappingProxyType(folder_values)),
        licence_name=localized("name", licence, "exports.licence.name"),
        licence_url=url,
        collections=MappingProxyType(exports),
        line=raw.line_of("exports"),
    )


class FieldReader:
    def __init__(self, collections: Mapping, localized: ReadLocalized, problems: list[Problem]):
        self.collections, self.localized, self.problems = collections, localized, problems

    def problem(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(CONFIG_FILE, line, message, hint))

    def export(self, collection: str, spec: object, line: int) -> Export | None:
        if not isinstance(spec, LineMap):
            self.problem(line, f"'exports.collections.{collection}' must be a mapping", "give formats and fields")
            return None
        check_keys(spec, EXPORT_KEYS, f"exports.collections.{collection}", CONFIG_FILE, self.problems)
        formats = spec.get("formats")
        if not isinstance(formats, list) or not formats or not all(f in FORMATS for f in formats):
            wrong = [f for f in formats if f not in FORMATS] if isinstance(formats, list) else []
            self.problem(
                spec.line_of("formats"),
                f"'formats' of '{collection}' must list one or more of: {', '.join(FORMATS)}",
                did_you_mean(str(wrong[0]), FORMATS) if wrong else "e.g. formats: [csv, json]",
            )
            return None
        fields = self.fields(collection, spec.get("fields"), spec.line_of("fields"), prefix="")
        if not fields:
            return None
        return Export(collection, tuple(dict.fromkeys(formats)), fields, line)

    def fields(self, collection: str, specs: object, line: int, prefix: str) -> tuple[ExportField, ...]:
        if not isinstance(specs, LineList) or not specs:
            self.problem(line, f"the export of '{collection}' needs a list of 'fields'", "e.g. fields: [id, name]")
            return ()
        found: list[ExportField] = []
        for index, spec in enumerate(specs):
            made = self.field(collection, spec, specs.line_of(index), prefix)
            if made is None:
                continue
            if any(other.name == made.name for other in found):
                self.problem(made.line, f"two fields of the '{collection}' export are named '{made.name}'")
                continue
            found.append(made)
        return tuple(found)

    def field(self, collection: str, spec: object, line: int, prefix: str) -> ExportField | None:
        if isinstance(spec, str):
            spec = LineMap({"name": spec})
            spec.line = line
        if not isinstance(spec, LineMap):
            self.problem(line, "a field must be a name or a mapping with 'name'", "e.g. - {name: country, as: country}")
            return None
        check_keys(spec, FIELD_KEYS, "an exported field", CONFIG_FILE, self.problems)
        name = spec.get("name")
        if not isinstance(name, str) or not FIELD_NAME.match(name):
            self.problem(
                spec.line_of("name"), f"field name '{name}' must be lower-case letters, digits and _", "e.g. name"
            )
            return None
        path = spec.get("from", name)
        if not isinstance(path, str) or not path:
            self.problem(spec.line_of("from"), f"'from' of field '{name}' must be a field path such as 'budget.amount'")
            return None
        shown_as = spec.get("as", "text")
        if shown_as not in SHOWN_AS:
            self.problem(
                spec.line_of("as"),
                f"field '{name}' cannot be shown as '{shown_as}'",
                did_you_mean(str(shown_as), SHOWN_AS) or f"use one of: {', '.join(SHOWN_AS)}",
            )
            return None
        if shown_as == "record_page" and (prefix or self.collections[collection].pages is None):
            self.problem(spec.line_of("as"), f"the records of '{collection}' have no pages", "declare 'pages' first")
            return None
        show, target = self.reference(collection, spec, prefix + path)
        if show is None:
            return None
        values = self.values(spec)
        subfields: tuple[ExportField, ...] = ()
        if "fields" in spec:
            if prefix:
                self.problem(spec.line_of("fields"), "fields inside fields inside fields are not supported")
                return None
            subfields = self.fields(collection, spec["fields"], spec.line_of("fields"), prefix=f"{path}.")
            if not subfields:
                return None
        return ExportField(
            name=name,
            path=path,
            label=self.localized("label", spec, f"label of field '{name}'"),
            line=spec.line,
            shown_as=shown_as,
            show=show,
            target=target,
            values=values,
            fields=subfields,
        )

    def reference(self, collection: str, spec: LineMap, full_path: str) -> tuple[str | None, str]:
        """A field with `show` must be one site.yaml declares as a reference: (the field shown, its collection)."""
        show = spec.get("show")
        if show is None:
            return "", ""
        target = self.collections[collection].references.get(full_path)
        if not isinstance(show, str) or target is None:
            self.problem(
                spec.line_of("show"),
                f"'{full_path}' of '{collection}' is not a reference, so it has no '{show}' to show",
                f"declare it under collections.{collection}.references, or remove 'show'",
            )
            return None, ""
        return show, target

    def values(self, spec: LineMap) -> Mapping[str, Localized]:
        given = spec.get("values") or LineMap()
        if not isinstance(given, LineMap):
            self.problem(spec.line_of("values"), "'values' must map each value to its words", "e.g. {lead: {pl: …}}")
            return MappingProxyType({})
        return MappingProxyType({str(value): self.localized(value, given, f"values.{value}") for value in given})
