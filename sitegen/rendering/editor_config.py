"""The browser editor's configuration (Decap CMS's config.yml), made from the site's own schema: the front
matter keys and their types, the folders of pages as pairs of language files, and each data collection of
site.yaml with the fields its records have, its references, countries and choices as lists to choose from.
Nothing in it is written by hand, so it follows the site."""

from __future__ import annotations

import datetime
import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from babel import Locale, UnknownLocaleError

from ..loading.config import Collection, Config
from ..loading.content import FRONT_MATTER, SECTION_INDEX
from ..loading.data import country_codes
from ..loading.files import relative
from ..loading.schema import is_localized
from ..loading.site import Site
from ..loading.urls import SLUG_PATTERN

RECORDS = "records"  # the list field a data file's records are edited in (the file itself is a list)
COMMENTS = "comments"  # the comment lines above a data file's first record, kept as they are
LONG_TEXT = ("description",)  # front matter text edited in a box of several lines
SAME_IN_EVERY_LANGUAGE = ("date", "weight")  # typed once, written into every language's file
DATE = {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD", "time_format": False}
WIDGETS: Mapping[type, dict[str, Any]] = {
    str: {"widget": "string"},
    int: {"widget": "number", "value_type": "int"},
    bool: {"widget": "boolean"},
    datetime.date: DATE,
    list: {"widget": "list", "field": {"name": "item", "label": "Item", "widget": "string"}},
    dict: {"widget": "hidden"},  # free-form values for templates: kept as they are, not edited here
}


def label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def decap_config(site: Site) -> dict[str, Any]:
    config = site.config
    editor = config.editor
    assert editor is not None, "a configuration is made only for an enabled editor"
    media = relative(config.path("static"), config.root) + "/documents"
    result: dict[str, Any] = {"backend": dict(editor.backend)}
    if editor.local_port:
        result["local_backend"] = {"url": f"http://localhost:{editor.local_port}/api/v1"}
    result.update(
        {
            "locale": editor.locale,
            "site_url": config.origin + config.base_path,
            "display_url": config.origin + config.base_path,
            "media_folder": media,
            "public_folder": "/static/documents",
            "slug": {"encoding": "ascii", "clean_accents": True},
            "i18n": {
                "structure": "multiple_files",
                "locales": list(config.language_codes),
                "default_locale": config.default_language,
            },
            "collections": page_collections(site) + data_collections(site),
        }
    )
    return result


def page_collections(site: Site) -> list[dict[str, Any]]:
    """A collection per folder of pages: each page a pair of files, <name>.<lang>.md, edited side by side."""
    config = site.config
    content = relative(config.path("content"), config.root)
    folders = sorted({posixpath.dirname(key) for key, _ in site.sources})
    feed_folder = posixpath.dirname(config.feeds.get("section", "")) if config.feeds.get("section") else None
    collections = []
    for folder in folders:
        index = site.sources.get((posixpath.join(folder, SECTION_INDEX + ".md"), config.default_language))
        shown = f"/{folder}/" if folder else "/"
        collections.append(
            {
                "name": "pages-" + folder.replace("/", "-") if folder else "pages",
                "label": f"{index.title} ({shown})" if index else shown,
                "folder": posixpath.join(content, folder) if folder else content,
                "extension": "md",
                "format": "site-page",
                "create": True,
                "i18n": True,
                "identifier_field": "title",
                "slug": "{{slug}}",
                "sortable_fields": ["title", "date"],
                "editor": {"preview": False},
                "fields": front_matter_fields(site, dated=folder == feed_folder),
            }
        )
    return collections


def front_matter_fields(site: Site, dated: bool) -> list[dict[str, Any]]:
    """Every front matter key the generator reads, typed as it checks them; then the Markdown body.
    dated: the section with a feed, whose pages need a date to appear in it."""
    fields = []
    for name, kind in FRONT_MATTER.items():
        field: dict[str, Any] = {"name": name, "label": label(name), **WIDGETS[kind]}
        field["required"] = name == "title" or (dated and name == "date")
        field["i18n"] = "duplicate" if name in SAME_IN_EVERY_LANGUAGE else True
        if name in LONG_TEXT:
            field["widget"] = "text"
        if name == "slug":
            field["pattern"] = [SLUG_PATTERN.pattern, "lower-case letters, digits and hyphens"]
            field["hint"] = "The page's address in this language; empty: made from the file name."
        if name == "template":  # the templates pages use (a new one is named in the file by whoever makes it)
            field.update(widget="select", options=sorted({p.template for p in site.pages if not p.missing}))
        fields.append(field)
    fields.append({"name": "body", "label": "Text", "widget": "markdown", "modes": ["raw"], "i18n": True})
    return fields


def data_collections(site: Site) -> list[dict[str, Any]]:
    """A collection per data collection of site.yaml, holding its one file: the records are a list."""
    config = site.config
    data = relative(config.path("content"), config.root) + "/data"
    collections = []
    for name, rules in config.collections.items():
        records = site.data.raw.get(name)
        if not isinstance(records, list):
            continue
        source = site.data.files.get(name, f"{data}/{name}.yaml")
        item = {
            "name": RECORDS,
            "label": label(name),
            "widget": "list",
            "collapsed": True,
            "summary": "{{fields.id}}",
            "fields": record_fields(records, rules, site, required=set(rules.required) | {"id"}),
        }
        collections.append(
            {
                "name": "data-" + name,
                "label": f"{label(name)} ({source.rsplit('/', 1)[-1]})",
                "format": "site-records-" + name,
                "editor": {"preview": False},
                "files": [
                    {
                        "name": name,
                        "label": label(name),
                        "file": source,
                        "fields": [item, {"name": COMMENTS, "widget": "hidden"}],
                    }
                ],
            }
        )
    return collections


def record_fields(
    records: Iterable[Any], rules: Collection, site: Site, required: set[str], prefix: str = ""
) -> list[dict[str, Any]]:
    """The fields of records (mappings) as their values show them, in the order they first appear."""
    mappings = [r for r in records if isinstance(r, Mapping)]
    names = list(dict.fromkeys(key for record in mappings for key in record if isinstance(key, str)))
    fields = []
    for name in names:
        present = [record[name] for record in mappings if name in record]
        path = prefix + name
        field = {
            "name": name,
            "label": label(name),
            **field_for(path, [v for v in present if v is not None], rules, site),
        }
        # A field site.yaml requires, or (inside lists) one every record has, must be filled in.
        field["required"] = name in required or (bool(prefix) and len(present) == len(mappings))
        if name == "id" and not prefix:
            field["pattern"] = [SLUG_PATTERN.pattern, "lower-case letters, digits and hyphens: the page's address"]
        fields.append(field)
    return fields


def field_for(path: str, values: list[Any], rules: Collection, site: Site) -> dict[str, Any]:
    """The widget for the values found at a dotted path of a collection's records; a choice where site.yaml
    names a referenced collection, a country or the allowed values."""
    config = site.config
    options = choices(path, rules, site)
    many = bool(values) and all(isinstance(v, list) for v in values)
    if options is not None:
        return {"widget": "select", "options": options, "multiple": many}
    languages = config.language_codes
    if values and all(isinstance(v, str) or is_localized(v, languages) for v in values):
        text = text_widget(v for value in values for v in (value.values() if isinstance(value, dict) else [value]))
        if any(isinstance(v, dict) for v in values):
            return localized(languages, text)
        return text
    kinds = {kind_of(v) for v in values}
    if len(kinds) == 1:
        kind = kinds.pop()
        if kind in (bool, datetime.date):
            return dict(WIDGETS[kind])
        if kind is int:
            return dict(WIDGETS[int])
        if kind is float:
            return {"widget": "number", "value_type": "float"}
        if kind is dict:
            return {"widget": "object", "fields": record_fields(values, rules, site, set(), path + ".")}
        if kind is list:
            return list_widget(path, [item for value in values for item in value], rules, site)
    if kinds <= {int, float}:
        return {"widget": "number", "value_type": "float"}
    return {"widget": "hidden"}  # no values yet, or values of several kinds: kept as they are


def list_widget(path: str, items: list[Any], rules: Collection, site: Site) -> dict[str, Any]:
    languages = site.config.language_codes
    if items and all(is_localized(item, languages) for item in items):
        text = text_widget(v for item in items for v in item.values())
        return {"widget": "list", "field": {"name": "item", "label": "Item", **localized(languages, text)}}
    if items and all(isinstance(item, Mapping) for item in items):
        return {"widget": "list", "fields": record_fields(items, rules, site, set(), path + ".")}
    if all(isinstance(item, str) for item in items):
        return {"widget": "list", "field": {"name": "item", "label": "Item", **text_widget(items)}}
    return {"widget": "hidden"}


def kind_of(value: Any) -> type:
    if isinstance(value, bool):
        return bool
    if isinstance(value, datetime.datetime):
        return str
    for kind in (int, float, datetime.date, list, dict):
        if isinstance(value, kind):
            return kind
    return str


def text_widget(values: Iterable[Any]) -> dict[str, Any]:
    return {"widget": "text" if any("\n" in str(v) for v in values) else "string"}


def localized(languages: tuple[str, ...], text: dict[str, Any]) -> dict[str, Any]:
    """A value per language: written as {pl: ..., en: ...}, "" where a language has none."""
    return {
        "widget": "object",
        "collapsed": False,
        "fields": [{"name": code, "label": code, "required": False, **text} for code in languages],
    }


def choices(path: str, rules: Collection, site: Site) -> list[Any] | None:
    if path in rules.references:
        target = rules.references[path]
        records = site.data.raw.get(target) or []
        return [
            {"label": record_label(record, site.config), "value": record["id"]}
            for record in records
            if isinstance(record, Mapping) and isinstance(record.get("id"), str)
        ]
    if path in rules.countries:
        return country_options(site.config.editor.locale if site.config.editor else "en")
    if path in rules.choices:
        return list(rules.choices[path])
    return None


def record_label(record: Mapping[str, Any], config: Config) -> str:
    """'Title (id)' in the default language, from the first of a record's usual naming fields."""
    for name in ("acronym", "title", "name", "label"):
        value = record.get(name)
        if isinstance(value, Mapping) and is_localized(value, config.language_codes):
            value = value.get(config.default_language)
        if isinstance(value, str) and value:
            return f"{value} ({record['id']})"
    return str(record["id"])


def country_options(locale: str) -> list[dict[str, str]]:
    """ISO 3166 codes, named in the editor's language, in its alphabetical order of names."""
    try:
        names = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        names = Locale("en").territories
    options = [{"label": f"{names.get(code, code)} ({code})", "value": code} for code in country_codes()]
    return sorted(options, key=lambda option: (option["label"].casefold(), option["value"]))
