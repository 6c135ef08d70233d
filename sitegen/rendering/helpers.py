"""The functions and filters templates may call, for one language."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

import jinja2
from markupsafe import Markup

from ..errors import did_you_mean
from ..loading.i18n import Formatter
from ..loading.routes import Page
from ..loading.schema import is_text
from ..loading.site import Site
from ..output.assets import Assets
from ..output.search import hidden_terms
from .choropleth import MapError, choropleth
from .documents import Document, NotFound, link_html
from .exports import OpenData
from .views import page_url, values_in


class HelperError(Exception):
    """A template asked for something that does not exist; reported with the template's line."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


def printable(value: Any) -> Any:
    """Jinja's finalize: what a template prints must be text or a number. A mapping, a list, None or
    true/false would reach the page in Python's own notation ({'pl': ...}), so the render stops instead,
    naming the template's line."""
    if isinstance(value, jinja2.Undefined) or (value is not None and is_text(value)):
        return value  # an Undefined: StrictUndefined says itself what is undefined
    shown = repr(dict(value) if isinstance(value, Mapping) else list(value) if isinstance(value, tuple) else value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    if value is None:
        kind, hint = "an empty value", "print it only {% if value %}, or give a default: {{ value or '' }}"
    elif isinstance(value, bool):
        kind, hint = "true or false", "choose a text with {% if value %}...{% else %}...{% endif %}"
    else:
        hint = "print one of its fields, e.g. {{ record.name }}, or loop over it with {% for %}"
        if isinstance(value, Mapping):
            kind = "a mapping"
        elif isinstance(value, (list, tuple)):
            kind = "a list"
        else:
            kind = f"a {type(value).__name__} object"
    raise HelperError(f"the template prints {kind}, which would show on the page as {shown}", hint)


class TemplateHelpers:
    def __init__(
        self,
        site: Site,
        lang: str,
        formatter: Formatter,
        view: Callable[[Page], Any],
        assets: Assets,
        find_document: Callable[[str, str | None], Document | NotFound],
        open_data: OpenData,
    ):
        """view: a page's view, its content and summary recorded as read; find_document: a file under
        static/ as a link describes it, recorded as read (SiteRenderer.view, SiteRenderer.document);
        open_data: the export files, which depend only on what every render key covers."""
        self.site, self.lang, self.formatter, self.make_view, self.assets = site, lang, formatter, view, assets
        self.find_document, self.open_data = find_document, open_data
        self.data = site.data.views[lang]

    def globals(self) -> dict[str, Callable]:
        return {
            "url_for": self.url_for,
            "page_for": self.page_for,
            "static": self.static,
            "document": self.document,
            "document_link": self.document_link,
            "exports": self.exports,
            "plural_forms": self.plural_forms,
            "record_url": self.record_url,
            "group_url": self.group_url,
            "children_of": self.children_of,
            "referrers": self.referrers,
            "choropleth": self.choropleth,
            "plural_samples": self.formatter.plural_samples,
        }

    def filters(self) -> dict[str, Callable]:
        f = self.formatter
        return {
            "date": f.date,
            "number": f.number,
            "money": f.money,
            "country": f.country,
            "language_name": f.language_name,
            "collate": f.collate,
            "by_id": self.by_id,
            "group_by": self.group_by,
            "count_by": self.count_by,
            "search_terms": self.search_terms,
        }

    def search_terms(self, content: str) -> str:
        """The words of an HTML fragment that the site's search would miss in this language, for the index alone
        (output.search.hidden_terms)."""
        return hidden_terms(str(content), self.lang)

    def page(self, key: str) -> Page:
        page = self.site.page(key, self.lang)
        if page is None:
            keys = {p.key for p in self.site.pages}
            raise HelperError(f"no page '{key}'", did_you_mean(key, keys) or "use a source path under content/")
        return page

    def url_for(self, key: str) -> str:
        return page_url(self.site, self.page(key))

    def page_for(self, key: str) -> Any:
        """A page's view; reading its content or summary is recorded by the renderer (SiteRenderer.read)."""
        return self.make_view(self.page(key))

    def children_of(self, key: str) -> list[Any]:
        """The published pages of a section, e.g. the latest news on the home page."""
        section = self.page(key)
        return [self.make_view(child) for child in self.site.children(section.key, self.lang)]

    def static(self, path: str) -> str:
        if path not in self.assets.paths:
            raise HelperError(f"no file '{path}' in static/", did_you_mean(path, self.site.static_files))
        return self.site.config.base_path + self.assets.paths[path]

    def document(self, path: str, lang: str | None = None) -> Document:
        """A file under static/ with its url, format, size and size_text, and, when `lang` is not the page's,
        its hreflang and language (the language's name): everything a link to it says."""
        found = self.find_document(path, lang)
        if isinstance(found, NotFound):
            raise HelperError(found.message, found.hint)
        return found

    def document_link(self, path: str | Document, text: str, lang: str | None = None) -> Markup:
        """<a href="..." hreflang="en">text <span class="file-details">(PDF, 1,2 MB, angielski)</span></a>,
        as a Markdown link to /static/... gives it. path: a file under static/, or a file from exports()."""
        return link_html(path if isinstance(path, Document) else self.document(path, lang), text)

    def exports(self, collection: str) -> list[Document]:
        """The open data files of a collection in this language, one per format site.yaml gives it, each with
        its url, format, size and size_text, as document() describes a file."""
        declared = self.site.config.exports.collections
        if collection not in declared:
            raise HelperError(
                f"site.yaml exports no collection '{collection}'",
                did_you_mean(collection, declared) or "name it under exports.collections in site.yaml",
            )
        return self.open_data.documents(collection, self.lang)

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """A message's plural forms in this language, untranslated placeholders and all, by CLDR plural category
        ('one', 'few', 'many', 'other'), the categories a script's Intl.PluralRules gives: for a count that
        changes in the browser. Each form is the one the catalogue gives a whole number of that category."""
        translations = self.site.catalogs[self.lang].translations
        samples = self.formatter.plural_samples()
        return {category: translations.ungettext(singular, plural, number) for category, number in samples}

    def record_url(self, collection: str, record_id: str) -> str:
        return page_url(self.site, self.page(f"{collection}/{record_id}"))

    def group_url(self, collection: str, field: str, value: Any) -> str:
        """The page of the records whose `field` holds `value` (group_pages in site.yaml)."""
        page = self.site.page(f"{collection}/{field}/{value}", self.lang)
        if page is not None and page.group is not None:
            return page_url(self.site, page)
        declared = self.site.config.collections.get(collection)
        if declared is None or field not in {group.field for group in declared.group_pages}:
            raise HelperError(
                f"collection '{collection}' has no pages per value of '{field}'",
                f"declare collections.{collection}.group_pages.{field} in site.yaml",
            )
        raise HelperError(f"no record of {collection} has '{field}: {value}', so it has no page", "")

    def by_id(self, record_id: str, collection: str) -> Any:
        record = self.site.data.find(self.lang, collection, record_id)
        if record is None:
            ids = [str(r.get("id")) for r in self.data.get(collection) or () if isinstance(r, Mapping)]
            raise HelperError(f"no record '{record_id}' in {collection}", did_you_mean(str(record_id), ids))
        return record

    def referrers(self, collection: str, target: str, target_id: Any) -> list[Mapping[str, Any]]:
        """The records of `collection` that refer to the record `target_id` of `target`, through the fields
        site.yaml declares under `references`, in the data file's order. Each comes as {record, via}: via is
        the mapping that holds the reference (the record itself, or an item of a list inside it)."""
        declared = self.site.config.collections.get(collection)
        if declared is None or target not in self.site.config.collections:
            known = self.site.config.collections
            wrong = collection if declared is None else target
            raise HelperError(f"no collection '{wrong}' in site.yaml", did_you_mean(wrong, known))
        fields = [field for field, to in declared.references.items() if to == target]
        if not fields:
            raise HelperError(
                f"collection '{collection}' declares no reference to '{target}'",
                f"add one under collections.{collection}.references in site.yaml",
            )
        found: list[Mapping[str, Any]] = []
        for record in self.data.get(collection) or ():
            for field in fields:
                *steps, last = field.split(".")
                for holder in holders(record, steps):
                    if holder.get(last) == target_id:
                        found.append(MappingProxyType({"record": record, "via": holder}))
        return found

    def group_by(self, records: Iterable[Any], attribute: str, label: str | None = None) -> list[Mapping[str, Any]]:
        """Records grouped by one attribute, each group as {key, label, records}, the records in their order.
        Groups are in this language's alphabetical order of their label: the key, or the key through the
        filter named by `label` (e.g. 'country': countries by their names in this language)."""
        groups: dict[Any, list[Any]] = {}
        for record in records:
            groups.setdefault(
                record.get(attribute) if isinstance(record, Mapping) else getattr(record, attribute), []
            ).append(record)
        name = self.filters().get(label) if label else str
        if name is None:
            raise HelperError(f"no filter '{label}' to label the groups", did_you_mean(str(label), self.filters()))
        labelled = [
            MappingProxyType({"key": key, "label": name(key), "records": tuple(found)}) for key, found in groups.items()
        ]
        return sorted(labelled, key=lambda group: self.formatter.sort_key(group["label"]))

    def count_by(self, records: Iterable[Any], attribute: str) -> Mapping[Any, int]:
        """How many records hold each value of an attribute (a dotted path, walking into lists), in the order
        the values first appear: e.g. people by 'country', {'PL': 3, 'DE': 1}."""
        counts: dict[Any, int] = {}
        for record in records:
            for value in dict.fromkeys(values_in(record, attribute.split("."))):
                counts[value] = counts.get(value, 0) + 1
        return MappingProxyType(counts)

    def choropleth(self, geometry: Any, values: Any, label: str | None = None, shades: int = 5) -> Mapping[str, Any]:
        """A map of shapes shaded by value (see rendering/choropleth.py), the shapes named through the filter
        `label` (e.g. 'country') and sorted in this language's alphabetical order of those names."""
        name = self.filters().get(label) if label else str
        if name is None:
            raise HelperError(f"no filter '{label}' to name the shapes", did_you_mean(str(label), self.filters()))
        try:
            return choropleth(geometry, values, name, self.formatter.sort_key, shades)
        except MapError as error:
            raise HelperError(error.message, error.hint) from None


def holders(value: Any, steps: list[str]) -> Iterator[Mapping[str, Any]]:
    """The mappings a dotted path leads to, walking into lists: 'events' of a record gives each item."""
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from holders(item, steps)
    elif isinstance(value, Mapping):
        if not steps:
            yield value
        else:
            yield from holders(value.get(steps[0]), steps[1:])
