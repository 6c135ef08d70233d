"""What templates see: read-only views of pages, the site and data in one language."""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from markupsafe import Markup

from ..loading.routes import Group, Page
from ..loading.schema import localize
from ..loading.site import Site

SUMMARY_LENGTH = 160
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class PageView:
    title: str
    menu_title: str
    url: str
    abs_url: str
    lang: str
    key: str
    given_description: str  # from the front matter; see description
    date: datetime.date | None
    draft: bool
    weight: int
    extra: Any
    template: str
    is_section: bool
    record: Any
    is_missing_translation: bool
    html: Callable[[], str] = field(repr=False, compare=False, default=lambda: "")
    summary_of: Callable[[], str] = field(repr=False, compare=False, default=lambda: "")
    updated_of: Callable[[], datetime.date | None] = field(repr=False, compare=False, default=lambda: None)
    original_day: datetime.date | None = None  # see original_updated
    group_of: Callable[[], Any] = field(repr=False, compare=False, default=lambda: None)

    # The converted HTML is fetched only when a template prints it: a section listing ten thousand
    # pages needs their titles and summaries, not their bodies. Both depend on the page's conversion, so
    # asking for them is what makes another page's render depend on this page's body.
    @property
    def content(self) -> Markup:
        return Markup(self.html())

    @property
    def summary(self) -> str:
        return self.summary_of()

    @property
    def description(self) -> str:
        return self.given_description or self.summary_of()

    # "Last updated" comes from git's history, which is not in every render key as titles are: showing
    # another page's date is a read of that page, as its HTML is.
    @property
    def updated(self) -> datetime.date | None:
        return self.updated_of()

    @property
    def original_updated(self) -> datetime.date | None:
        """For a translation older than its original, the original's date; comes from history too."""
        self.updated_of()
        return self.original_day

    @property
    def group(self) -> Any:
        """For a page made for one value of a field (group_pages): {collection, field, key, label, records};
        else None. Worked out when asked for: a section lists its children without their records."""
        return self.group_of()


def summarize(content_html: str) -> str:
    """The first paragraph as plain text, cut at a word near 160 characters."""
    match = re.search(r"<p>(.*?)</p>", content_html, re.S)
    text = " ".join(html.unescape(TAG.sub("", match[1])).split()) if match else ""
    if len(text) <= SUMMARY_LENGTH:
        return text
    return text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:–-") + "…"


def page_url(site: Site, page: Page) -> str:
    return site.config.base_path + page.path


def make_view(
    site: Site,
    page: Page,
    html: Callable[[], str],
    summary: Callable[[], str],
    updated: Callable[[], datetime.date | None] = lambda: None,
) -> PageView:
    record = None
    if page.record:
        collection, record_id = page.record
        record = site.data.find(page.lang, collection, record_id)
    group = page.group
    return PageView(
        title=page.title,
        menu_title=page.menu_title,
        url=page_url(site, page),
        abs_url=site.config.origin + page_url(site, page),
        lang=page.lang,
        key=page.key,
        given_description=page.description,
        date=page.date,
        draft=page.draft,
        weight=page.weight,
        extra=page.extra,
        template=page.template,
        is_section=page.is_section,
        record=record,
        is_missing_translation=page.missing,
        html=html,
        summary_of=summary,
        updated_of=updated,
        original_day=page.original_updated,
        group_of=(lambda: group_view(site, page.lang, group)) if group else lambda: None,
    )


def group_view(site: Site, lang: str, group: Group) -> Mapping[str, Any]:
    """The records of a group page in the data file's order, localized."""
    steps = group.field.split(".")
    records = tuple(
        record
        for record in site.data.views[lang].get(group.collection) or ()
        if group.value in values_in(record, steps)
    )
    return MappingProxyType(
        {
            "collection": group.collection,
            "field": group.field,
            "key": group.value,
            "label": group.label,
            "records": records,
        }
    )


def values_in(value: Any, steps: list[str]) -> list[Any]:
    """Every value at a dotted path in localized data, walking into lists: 'events.place' of a record."""
    if isinstance(value, (list, tuple)):
        return [found for item in value for found in values_in(item, steps)]
    if not steps:
        return [] if value is None else [value]
    if isinstance(value, Mapping) and steps[0] in value:
        return values_in(value[steps[0]], steps[1:])
    return []


def site_view(site: Site, lang: str) -> Mapping[str, Any]:
    config = site.config
    codes = config.language_codes
    return MappingProxyType(
        {
            "title": config.title.get(lang) or "",
            "description": config.description.get(lang) or "",
            "base_url": config.base_url,
            "base_path": config.base_path,
            "languages": tuple(
                MappingProxyType({"code": l.code, "name": l.name, "locale": l.locale}) for l in config.languages
            ),
            "default_language": config.default_language,
            "feeds": MappingProxyType(dict(config.feeds)),
            "footer": MappingProxyType(
                {
                    "logos": tuple(
                        MappingProxyType({"src": logo.src, "alt": logo.alt.get(lang) or "", "url": logo.url})
                        for logo in config.footer_logos
                    )
                }
            ),
            "organization": localize(dict_of(config.organization), lang, codes),
            "contact": localize(dict_of(config.contact), lang, codes),
            "exports": MappingProxyType(
                {
                    "licence": MappingProxyType(
                        {"name": config.exports.licence_name.get(lang) or "", "url": config.exports.licence_url}
                    )
                }
            ),
        }
    )


def dict_of(value: Any) -> Any:
    """Back from read-only to plain containers, so localize() can walk them."""
    if isinstance(value, Mapping):
        return {k: dict_of(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [dict_of(v) for v in value]
    return value
