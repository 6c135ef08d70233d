"""Open data: the collections site.yaml names under `exports`, as CSV and JSON files in each language's words,
at /<lang>/<folder>/<collection>.<format>. Made from the loaded data alone (nothing here reads a page's body),
before any page renders, so a page can say each file's size; the same bytes on every path of the build.

CSV: RFC 4180 (commas, CRLF line ends, quotes where needed), UTF-8 with a byte order mark, which Excel needs to
read UTF-8 (without it, it takes the system's code page and garbles Polish letters) and LibreOffice, Python's
"utf-8-sig" and CSV on the Web parsers skip. A list is one cell, its items separated by "; ".
JSON: UTF-8 without a byte order mark (RFC 8259 forbids one): {language, licence, fields, records}."""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import Problem
from ..loading.exports import CONFIG_FILE, Export, ExportField
from ..loading.i18n import Formatter
from ..loading.site import Site
from ..loading.urls import output_file
from .documents import Document
from .views import page_url

LIST_SEPARATOR = "; "
BYTE_ORDER_MARK = "\ufeff"


class Unwritable(Exception):
    """A value the export cannot write: reported at the record's line."""


Made = tuple[dict[str, bytes], list[Problem]]  # output path -> bytes, and what could not be exported


class OpenData:
    """The export files of one site, made when first asked for: by a page that links them, or at the latest
    by SiteRenderer.render_extras, which publishes them."""

    def __init__(
        self,
        site: Site,
        formatters: Mapping[str, Formatter],
        recall: Callable[[Callable[[], Made]], Made] | None = None,
    ):
        """recall: given the function that makes the files, gives what it would (the speed layer's memo)."""
        self.site, self.formatters = site, formatters
        self.recall = recall or (lambda make: make())

    @functools.cached_property
    def made(self) -> Made:
        return self.recall(self.make)

    def make(self) -> Made:
        files: dict[str, bytes] = {}
        problems: list[Problem] = []
        exports = self.site.config.exports
        taken = {output_file(page.path) for page in self.site.pages}
        for lang in self.site.config.language_codes:
            for export in exports.collections.values():
                records, record_problems = self.records(export, lang)
                problems += record_problems
                for fmt in export.formats:
                    path = self.path(export.collection, lang, fmt)
                    if path in taken or any(name.startswith(path + "/") for name in taken):
                        problems.append(
                            Problem(CONFIG_FILE, export.line, f"the export /{path} has the address of a page", "")
                        )
                    if fmt == "csv":
                        problems += repeated_headings(export, lang)
                    write = to_csv if fmt == "csv" else to_json
                    files[path] = write(export, records, lang, self.licence(lang))
        return files, problems

    def path(self, collection: str, lang: str, fmt: str) -> str:
        return f"{lang}/{self.site.config.exports.folder.get(lang)}/{collection}.{fmt}"

    def documents(self, collection: str, lang: str) -> list[Document]:
        """The files of one collection in one language, as a link to each describes it."""
        export = self.site.config.exports.collections[collection]
        files, formatter = self.made[0], self.formatters[lang]
        found = []
        for fmt in export.formats:
            path = self.path(collection, lang, fmt)
            size = len(files[path])
            found.append(
                Document(
                    name=path,
                    url=self.site.config.base_path + path,
                    format=fmt.upper(),
                    size=size,
                    size_text=formatter.file_size(size),
                    hreflang="",
                    language="",
                )
            )
        return found

    def licence(self, lang: str) -> dict[str, str | None] | None:
        exports = self.site.config.exports
        name = exports.licence_name.get(lang) or ""
        return {"name": name, "url": exports.licence_url or None} if name else None

    def records(self, export: Export, lang: str) -> tuple[list[dict[str, Any]], list[Problem]]:
        data = self.site.data
        localized = data.views[lang].get(export.collection) or ()
        raw = data.raw.get(export.collection) or ()
        records, problems = [], []
        for index, record in enumerate(localized):
            try:
                records.append({f.name: self.value(export, f, record, record, lang) for f in export.fields})
            except Unwritable as error:
                line = raw[index].line if index < len(raw) and hasattr(raw[index], "line") else 1
                problems.append(
                    Problem(
                        data.files.get(export.collection, CONFIG_FILE),
                        line,
                        f"record '{record.get('id')}' cannot be exported: {error}",
                        "see exports in site.yaml (README, 'Open data')",
                    )
                )
        return records, problems

    def value(self, export: Export, spec: ExportField, holder: Any, record: Any, lang: str) -> Any:
        """The field's value in a record (or in an item of one of its lists), as the file writes it."""
        if spec.shown_as == "record_page":
            return self.page_address(f"{export.collection}/{record['id']}", lang)
        found = walk(holder, spec.path.split("."))
        if spec.fields:
            items = found if isinstance(found, (list, tuple)) else () if found is None else (found,)
            return [{sub.name: self.value(export, sub, item, record, lang) for sub in spec.fields} for item in items]
        if isinstance(found, (list, tuple)):
            return [self.scalar(spec, item, lang) for item in found]
        return self.scalar(spec, found, lang)

    def scalar(self, spec: ExportField, value: Any, lang: str) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, Mapping):
            raise Unwritable(f"'{spec.path}' is a mapping: name one of its fields with 'from', e.g. {spec.path}.…")
        if spec.values:
            words = spec.values.get(str(value))
            if words is None:
                raise Unwritable(f"'{spec.path}' is '{value}', which 'values' of field '{spec.name}' does not name")
            return words.get(lang) or None
        if spec.show:
            target = self.site.data.find(lang, spec.target, value)
            shown = target.get(spec.show) if target is not None else None
            if isinstance(shown, (Mapping, list, tuple)):
                raise Unwritable(f"'{spec.show}' of {spec.target} '{value}' is not a single value")
            return shown if shown not in (None, "") else None
        formatter = self.formatters[lang]
        if spec.shown_as == "country":
            return formatter.country(value)
        if spec.shown_as == "language":
            return formatter.language_name(str(value))
        if spec.shown_as == "page":
            return self.page_address(str(value), lang)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    def page_address(self, key: str, lang: str) -> str:
        page = self.site.page(key, lang)
        if page is None:
            raise Unwritable(f"there is no page '{key}'")
        return self.site.config.origin + page_url(self.site, page)


def walk(value: Any, steps: list[str]) -> Any:
    """The value at a dotted path; through a list, the list of the values in its items."""
    for index, step in enumerate(steps):
        if isinstance(value, (list, tuple)):
            return [walk(item, steps[index:]) for item in value]
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


def columns(export: Export, lang: str) -> list[tuple[str, ExportField, ExportField | None]]:
    """Each CSV column: its heading, the field, and for a list of mappings the item's field it shows."""
    found: list[tuple[str, ExportField, ExportField | None]] = []
    for spec in export.fields:
        if spec.fields:
            found += [(sub.heading(lang), spec, sub) for sub in spec.fields]
        else:
            found.append((spec.heading(lang), spec, None))
    return found


def repeated_headings(export: Export, lang: str) -> list[Problem]:
    headings = [heading for heading, _, _ in columns(export, lang)]
    return [
        Problem(
            CONFIG_FILE,
            export.line,
            f"two columns of {export.collection}.csv ({lang}) are headed '{heading}'",
            "give the fields different labels",
        )
        for heading in sorted({h for h in headings if headings.count(h) > 1})
    ]


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(cell(item) for item in value)
    return str(value)


def to_csv(export: Export, records: list[dict[str, Any]], lang: str, licence: Any) -> bytes:
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\r\n")
    layout = columns(export, lang)
    writer.writerow([heading for heading, _, _ in layout])
    for record in records:
        writer.writerow(
            [
                cell(record[spec.name] if sub is None else [item[sub.name] for item in record[spec.name]])
                for _, spec, sub in layout
            ]
        )
    return buffer.getvalue().encode("utf-8")


def describe(spec: ExportField, lang: str) -> dict[str, Any]:
    described: dict[str, Any] = {"name": spec.name, "label": spec.heading(lang)}
    if spec.fields:
        described["fields"] = [describe(sub, lang) for sub in spec.fields]
    return described


def to_json(export: Export, records: list[dict[str, Any]], lang: str, licence: Any) -> bytes:
    document = {
        "language": lang,
        "licence": licence,
        "fields": [describe(spec, lang) for spec in export.fields],
        "records": records,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
