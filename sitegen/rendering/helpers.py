"""The functions and filters templates may call, for one language."""
from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from ..errors import did_you_mean
from ..loading.i18n import Formatter
from ..loading.schema import is_text
from ..loading.site import Page, Site
from ..output.assets import Assets
from .views import page_url


class HelperError(Exception):
    """A template asked for something that does not exist; reported with the template's line."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


def printable(value: Any) -> Any:
    """Jinja's finalize: what a template prints must be text or a number. A mapping, a list, None or
    true/false would reach the page in Python's own notation ({'pl': ...}), so the render stops instead,
    naming the template's line."""
    if (value is not None and is_text(value)) \
            or isinstance(value, jinja2.Undefined):   # StrictUndefined says what is undefined itself
        return value
    shown = repr(dict(value) if isinstance(value, Mapping) else list(value) if isinstance(value, tuple) else value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    if value is None:
        kind, hint = "an empty value", "print it only {% if value %}, or give a default: {{ value or '' }}"
    elif isinstance(value, bool):
        kind, hint = "true or false", "choose a text with {% if value %}...{% else %}...{% endif %}"
    else:
        kind = "a mapping" if isinstance(value, Mapping) else "a list" if isinstance(value, (list, tuple)) \
            else f"a {type(value).__name__} object"
        hint = "print one of its fields, e.g. {{ record.name }}, or loop over it with {% for %}"
    raise HelperError(f"the template prints {kind}, which would show on the page as {shown}", hint)


class TemplateHelpers:
    def __init__(self, site: Site, lang: str, formatter: Formatter, view: Callable[[Page], Any], assets: Assets):
        self.site, self.lang, self.formatter, self.make_view, self.assets = site, lang, formatter, view, assets
        self.data = site.data.views[lang]

    def globals(self) -> dict[str, Callable]:
        return {"url_for": self.url_for, "page_for": self.page_for, "static": self.static,
                "record_url": self.record_url, "children_of": self.children_of,
                "partner_url": lambda record_id: self.record_url("partners", record_id),
                "partners_of": self.partners_of, "project_status": self.project_status}

    def filters(self) -> dict[str, Callable]:
        f = self.formatter
        return {"date": f.date, "number": f.number, "money": f.money, "country": f.country,
                "language_name": f.language_name, "collate": f.collate, "by_id": self.by_id,
                "sort_countries": lambda codes: sorted(codes, key=lambda code: f.sort_key(f.country(code)))}

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

    def record_url(self, collection: str, record_id: str) -> str:
        return page_url(self.site, self.page(f"{collection}/{record_id}"))

    def by_id(self, record_id: str, collection: str) -> Any:
        record = self.site.data.find(self.lang, collection, record_id)
        if record is None:
            ids = [str(r.get("id")) for r in self.data.get(collection) or () if isinstance(r, Mapping)]
            raise HelperError(f"no record '{record_id}' in {collection}", did_you_mean(str(record_id), ids))
        return record

    def partners_of(self, project_id: str) -> list[dict[str, Any]]:
        """The partners of a project with their role in it, in this language's alphabetical order."""
        found = []
        for partner in self.data.get("partners") or ():
            for participation in partner.get("projects") or ():
                if participation.get("project") == project_id:
                    found.append({**partner, "role": participation.get("role")})
        roles = {"lead": 0}
        return sorted(found, key=lambda p: (roles.get(p["role"], 1), self.formatter.sort_key(p.get("name", ""))))

    def project_status(self, project: Mapping[str, Any]) -> str:
        """'planned', 'ongoing' or 'completed', from the project's dates (else its programme's period)."""
        start, end = project.get("start"), project.get("end")
        programme = self.site.data.find(self.lang, "programmes", project.get("programme"))
        period = (programme or {}).get("period") or {}
        if end is None and isinstance(period.get("end"), int):
            end = datetime.date(period["end"], 12, 31)
        today = self.site.build_date
        if isinstance(start, datetime.date) and today < start:
            return "planned"
        if isinstance(end, datetime.date) and today > end:
            return "completed"
        return "ongoing"
