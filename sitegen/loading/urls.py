"""Pure functions from language and slugs to URLs and output paths."""

from __future__ import annotations

import html
import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
# Letters that Unicode decomposition does not reduce to ASCII.
TRANSLITERATION = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
    }
)


def slugify(text: str) -> str:
    """'Współpraca – Łódź' -> 'wspolpraca-lodz'."""
    ascii_text = unicodedata.normalize("NFKD", str(text).translate(TRANSLITERATION))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def is_safe_slug(slug: object) -> bool:
    """A slug is one path segment: no '/', no '..', no spaces, no upper case."""
    return isinstance(slug, str) and bool(SLUG_PATTERN.match(slug))


def page_path(lang: str, slugs: tuple[str, ...]) -> str:
    """The site-relative URL path of a page: 'pl/o-nas/zespol/'."""
    return "/".join((lang, *slugs)) + "/"


def output_file(site_path: str) -> str:
    """Pretty URLs: 'pl/projekty/' -> 'pl/projekty/index.html'."""
    if site_path == "" or site_path.endswith("/"):
        return site_path + "index.html"
    return site_path


def normalize_alias(alias: str) -> str | None:
    """An alias as a site-relative folder path ('/pl/stara/' -> 'pl/stara/'), or None if unsafe."""
    parts = [part for part in alias.strip().split("/") if part]
    if not parts or any(not is_safe_slug(part) for part in parts):
        return None
    return "/".join(parts) + "/"


UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data"})
URL_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
CONTROLS_AND_SPACE = "".join(map(chr, range(0x21)))


def is_unsafe_link(target: str, markup: bool = False) -> bool:
    """Whether a browser would run the link as a script or data URL. It decodes character references in
    markup (Markdown leaves '&#106;avascript:' as it is), drops tabs and line ends anywhere in a URL, and
    leading controls and spaces, before it reads the scheme. Templates escape '&', so data values are
    read without decoding."""
    seen = html.unescape(target) if markup else target
    seen = re.sub(r"[\t\n\r]", "", seen).lstrip(CONTROLS_AND_SPACE)
    scheme = URL_SCHEME.match(seen)
    return scheme is not None and scheme[1].lower() in UNSAFE_SCHEMES


def is_inside(site_path: str) -> bool:
    """True when a site-relative path cannot leave the output folder."""
    return not site_path.startswith("/") and ".." not in site_path.split("/")
