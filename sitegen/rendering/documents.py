"""Links to files under static/: what a link says of the file it leads to, in the page's language. Its format
(from the extension), its size and, when it is not the page's, its language, all from the file as the build
publishes it, and all in words from Babel (CLDR), so Markdown and templates say the same without a catalogue
entry: "Raport (PDF, 1,2 MB, angielski)", "Report (PDF, 1.2 MB, Polish)"."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote

from markupsafe import Markup, escape

from ..errors import did_you_mean
from ..loading.i18n import Formatter
from ..output.assets import DOCUMENTS, Assets

# Formats whose usual name is not their extension in capitals; any other is (PDF, DOCX, ODT, CSV, TXT...).
FORMAT_NAMES = {"jpg": "JPEG", "htm": "HTML", "tif": "TIFF", "md": "Markdown"}
DETAILS_CLASS = "file-details"  # the span that holds "(PDF, 1,2 MB)" inside the link


@dataclass(frozen=True)
class Document:
    """A file under static/ as a link in one language shows it."""

    name: str  # its path under static/
    url: str  # where the build publishes it
    format: str  # "PDF"; "" for a name without an extension
    size: int  # bytes, as published
    size_text: str  # "1,2 MB"
    hreflang: str  # the file's language when it differs from the page's, else ""
    language: str  # that language's name in the page's language ("angielski", "Polish"), else ""

    @property
    def details(self) -> str:
        """What the link adds in brackets: "PDF, 1,2 MB" or "PDF, 1,2 MB, angielski"."""
        return ", ".join(part for part in (self.format, self.size_text, self.language) if part)


class NotFound(NamedTuple):
    """Why a link to a file cannot be made."""

    message: str
    hint: str


def file_format(name: str) -> str:
    extension = posixpath.splitext(name)[1].removeprefix(".").lower()
    return FORMAT_NAMES.get(extension, extension.upper())


def link_html(document: Document, text: str) -> Markup:
    """The link as templates get it from document_link(); Markdown's PageLinks makes the same elements."""
    hreflang = Markup(' hreflang="{}"').format(document.hreflang) if document.hreflang else ""
    return Markup('<a href="{}"{}>{} <span class="{}">({})</span></a>').format(
        document.url, hreflang, escape(text), DETAILS_CLASS, document.details
    )


class Documents:
    """The files under static/ as links in one language describe them."""

    def __init__(self, assets: Assets, base_path: str, formatter: Formatter):
        self.assets, self.base_path, self.formatter = assets, base_path, formatter

    def find(self, name: str, lang: str | None = None, prefix: str = "") -> Document | NotFound:
        """The file at `name` under static/; lang: the language it is written in, if it may not be the page's.
        prefix: what a link writes before the name ("/static/" in Markdown), for the problems it may cause."""
        published = self.assets.paths.get(name)
        if published is None:
            closest = did_you_mean(name, self.assets.paths).replace("'", f"'{prefix}", 1)
            where = (
                f"link to '{prefix}{DOCUMENTS}<file name>'"
                if prefix
                else f"name it from static/: '{DOCUMENTS}<file name>'"
            )
            return NotFound(
                f"the link '{prefix}{name}' leads to no file in static/" if prefix else f"no file '{name}' in static/",
                closest or f"put the file in static/{DOCUMENTS} and {where}",
            )
        hreflang = language = ""
        if lang:
            code = str(lang)
            primary = code.split("-")[0].lower()
            names = self.formatter.locale.languages
            if primary not in names:
                return NotFound(
                    f"unknown language '{code}' for '{prefix}{name}'", "give a language code such as en, pl, de or uk"
                )
            if primary != self.formatter.lang:
                hreflang, language = code, names.get(code.replace("-", "_"), names[primary])
        size = len(self.assets.files[published])
        return Document(
            name=name,
            url=self.base_path + quote(published),
            format=file_format(name),
            size=size,
            size_text=self.formatter.file_size(size),
            hreflang=hreflang,
            language=language,
        )
