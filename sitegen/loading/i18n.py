"""Catalogues read straight from .po files, Babel formatting and per-language alphabetical order."""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from babel.units import format_unit

from ..errors import BuildError, Problem
from .files import decode, relative
from .urls import TRANSLITERATION

DOMAIN = "messages"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
DATE_FORMATS = {"long": "long", "short": "short", "medium": "medium", "month": "LLLL yyyy", "year": "yyyy"}
# Decimal multiples, as the SI prefixes of kB and MB mean them (1 kB = 1000 bytes): binary ones would be KiB, MiB.
SIZE_UNITS = ("kilobyte", "megabyte", "gigabyte", "terabyte")
# Letters in alphabetical order where a language's order differs from plain Unicode order.
ALPHABETS = {"pl": "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"}


@dataclass(frozen=True)
class LanguageCatalog:
    lang: str
    path: str
    catalog: Catalog
    translations: Translations
    source_digest: str  # of the .po file's bytes: part of every render key of this language


def catalog_path(locales_dir: Path, lang: str) -> Path:
    return locales_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


PO_LINE = re.compile(r'^\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"\s*)?$')


def unquoted_line(text: str) -> int | None:
    """Babel skips some broken lines silently (an unclosed string); msgfmt does not, and neither do we."""
    return next((number for number, line in enumerate(text.splitlines(), 1) if not PO_LINE.match(line)), None)


def load_catalog(locales_dir: Path, lang: str, locale: str, root: Path) -> LanguageCatalog:
    path = catalog_path(locales_dir, lang)
    shown = relative(path, root)
    if not path.is_file():
        raise BuildError(
            [
                Problem(
                    shown,
                    1,
                    f"the '{lang}' catalogue is missing",
                    "run 'python build.py i18n update' to create it from locales/messages.pot",
                )
            ]
        )
    try:
        source = path.read_bytes()
        text = decode(source, shown)  # a byte order mark or CRLF line ends, as some editors save it
        broken_line = unquoted_line(text)
        if broken_line:
            raise BuildError(
                [
                    Problem(
                        shown,
                        broken_line,
                        "the catalogue cannot be read: this line is neither a comment nor a quoted string",
                        "close the quotes of the msgid/msgstr, as 'msgfmt --check' would ask",
                    )
                ]
            )
        catalog = read_po(BytesIO(text.encode("utf-8")), locale=locale, domain=DOMAIN, abort_invalid=True)
    except PoFileError as error:
        raise BuildError(
            [
                Problem(
                    shown,
                    error.lineno or 1,
                    f"the catalogue cannot be read: {error}",
                    "fix the quoting of msgid/msgstr lines, or check it with 'msgfmt --check'",
                )
            ]
        ) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise BuildError([Problem(shown, 1, f"the catalogue cannot be read: {error}", "save it as UTF-8")]) from None
    problems = check_placeholders(catalog, shown)
    if problems:
        raise BuildError(problems)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return LanguageCatalog(
        lang, shown, catalog, Translations(buffer, domain=DOMAIN), hashlib.sha256(source).hexdigest()
    )


def check_placeholders(catalog: Catalog, shown: str) -> list[Problem]:
    """A translation must use exactly the placeholders of its source string."""
    problems = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = tuple(message.id) if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = tuple(message.string) if isinstance(message.string, (tuple, list)) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for translated in strings:
            if translated and set(PLACEHOLDER.findall(translated)) - expected:
                problems.append(
                    Problem(
                        shown,
                        message.lineno or 1,
                        f"the translation of '{ids[0]}' uses placeholders that the source does not",
                        f"use exactly {as_written(ids) or 'no placeholders'}",
                    )
                )
            elif translated and len(strings) == 1 and set(PLACEHOLDER.findall(translated)) != expected:
                problems.append(
                    Problem(
                        shown,
                        message.lineno or 1,
                        f"the translation of '{ids[0]}' drops a placeholder",
                        f"keep {as_written(ids)}",
                    )
                )
    return problems


def as_written(ids: tuple[str, ...]) -> str:
    """The source string's placeholders as they are written there, e.g. '%(num)d'."""
    return ", ".join(sorted({m.group(0) for text in ids for m in PLACEHOLDER.finditer(text)}))


class Formatter:
    """Dates, numbers, money, country names and sorting for one language, all through Babel."""

    def __init__(self, lang: str, locale: str):
        self.lang = lang
        self.locale = Locale.parse(locale)
        alphabet = ALPHABETS.get(lang, "")
        self.order = {letter: index for index, letter in enumerate(alphabet)}
        # A listing of 2,000 records asks for each character's place tens of thousands of times: this
        # instance's method is replaced by a memoised one.
        self.char_key = functools.cache(self.char_key)  # type: ignore[method-assign]

    def date(self, value: Any, fmt: str = "long") -> str:
        if value is None:
            return ""
        if not isinstance(value, datetime.date):
            raise TypeError(f"the date filter needs a date, not {value!r}")
        return babel_format_date(value, DATE_FORMATS.get(fmt, fmt), locale=self.locale)

    def number(self, value: Any) -> str:
        return format_decimal(value, locale=self.locale)

    def plural_samples(self) -> list[tuple[str, int]]:
        """Each plural category (CLDR's names, as JavaScript's Intl.PluralRules gives them) that a whole number
        falls into in this language, with the least such number above 0 (else 0): ngettext of that number is
        the catalogue's form for the category. Polish: one 1, few 2, many 5; English: one 1, other 2."""
        rule, found = self.locale.plural_form, dict[str, int]()
        for number in [*range(1, 1000), 0]:
            found.setdefault(rule(number), number)
        return sorted(found.items(), key=lambda item: item[1] or 1000)

    def money(self, amount: Any, currency: str = "EUR") -> str:
        """Whole amounts without cents: '1 760 000 €' in Polish, '€1,760,000' in English."""
        whole = isinstance(amount, int) or float(amount).is_integer()
        pattern = self.locale.currency_formats["standard"].pattern
        if whole:
            pattern = re.sub(r"0\.0+", "0", pattern)
        return format_currency(amount, currency, format=pattern, locale=self.locale, currency_digits=not whole)

    def file_size(self, size: int) -> str:
        """A file's size as a link to it says it: '512 bajtów', '1,2 MB' in Polish, '512 bytes', '1.2 MB' in
        English; kB and MB with one decimal, a non-breaking space before the unit."""
        if size < 1000:
            text = format_unit(size, "digital-byte", length="long", locale=self.locale)
        else:
            value, unit = Decimal(size) / 1000, 0
            while round(value, 1) >= 1000 and unit < len(SIZE_UNITS) - 1:  # 999,950 bytes: 1.0 MB, not 1,000.0 kB
                value, unit = value / 1000, unit + 1
            text = format_unit(
                value, f"digital-{SIZE_UNITS[unit]}", length="short", format="#,##0.0", locale=self.locale
            )
        return text.replace(" ", "\u00a0")

    def country(self, code: str) -> str:
        return self.locale.territories.get(str(code).upper(), str(code))

    def language_name(self, code: str) -> str:
        return self.locale.languages.get(code, code)

    def sort_key(self, text: Any) -> tuple:
        """Alphabetical order of this language: in Polish Ł follows L and Ś follows S."""
        keys = [self.char_key(char) for char in str(text).casefold()]
        # Letters first decide; accents only break ties, as in a dictionary.
        return tuple(k[:2] for k in keys), tuple(k[2] for k in keys), str(text)

    def char_key(self, char: str) -> tuple[int, int, int]:
        if not char.isalnum():
            return (0, ord(char), 0)
        if char.isdigit():
            return (1, ord(char), 0)
        if char in self.order:
            return (2, self.order[char], 0)
        base = unicodedata.normalize("NFKD", char.translate(TRANSLITERATION))[0].lower()
        return (2, self.order.get(base, ord(base)), 1 + ord(char))

    def collate(self, items: Iterable[Any], attribute: str | None = None) -> list:
        def text(item: Any) -> Any:
            for step in attribute.split(".") if attribute else ():
                item = item[step] if isinstance(item, Mapping) else getattr(item, step)
            return item

        return sorted(items, key=lambda item: self.sort_key(text(item)))
