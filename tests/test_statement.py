"""The accessibility statement in the structure of the Polish technical conditions v2.0 (2024), and the
check that validates it as rendered: ids, dates, conditional sections, fixed headings, the yearly review."""

from __future__ import annotations

import re

import pytest

from shipped import BUILD_EPOCH, copy_sources
from sitegen.commands.check import check_site
from sitegen.commands.statement import CONDITIONAL, MANDATORY

DATA = "content/data/accessibility.yaml"
PAGES = {"pl": "pl/deklaracja-dostepnosci/index.html", "en": "en/accessibility-statement/index.html"}
FILLED = {
    "published:  ": "published: 2024-07-31",
    "updated:  ": "updated: 2026-10-05",
    "prepared:  ": "prepared: 2024-09-02",
    "reviewed:  ": "reviewed: 2026-03-20",
    "status: compliant": "status: partially-compliant",
    'disproportionate_burden: {pl: "", en: ""}': "disproportionate_burden: {pl: Archiwalne nagrania., en: Archived recordings.}",
    'architecture_url: ""': "architecture_url: https://example.org/budynek",
    "apps: []": "apps: [{name: Aplikacja, url: 'https://example.org/app'}]",
}


def ids(html: str) -> list[str]:
    return re.findall(r'\bid="?(a11y-[a-z-]+)', html)


def edit(root, path, old, new):
    target = root / path
    text = target.read_text()
    assert old in text, old
    target.write_text(text.replace(old, new))


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)  # 2026-11-22
    return copy_sources(tmp_path / "site")


def problems(root) -> list[str]:
    return [str(p) for p in check_site(root)]


def test_the_shipped_statements_carry_every_mandatory_id_once_and_the_same_ids(shipped):
    output, _site = shipped
    found = {lang: ids((output / path).read_text()) for lang, path in PAGES.items()}
    for lang, names in found.items():
        assert [name for name in MANDATORY if names.count(name) != 1] == [], lang
        # Nothing in the data calls for a conditional section yet.
        assert not set(CONDITIONAL) & set(names), lang
    assert found["pl"] == found["en"]  # the English statement keeps the (untranslated) ids


def test_filled_values_give_dates_in_time_elements_and_the_conditional_sections(root):
    for old, new in FILLED.items():
        edit(root, DATA, old, new)
    assert [p for p in problems(root) if "warning" not in p] == []
    from shipped import build_copy

    result = build_copy(root, copy=False)
    output = root / "output"
    polish = (output / PAGES["pl"]).read_text()
    english = (output / PAGES["en"]).read_text()
    assert "<time datetime=2024-07-31 id=a11y-data-publikacja>31 lipca 2024 r.</time>" in polish
    assert "<time datetime=2024-07-31 id=a11y-data-publikacja>31 July 2024</time>" in english
    for html in (polish, english):
        assert set(CONDITIONAL) <= set(ids(html))
    assert "Niedostępne treści" in polish and "Nadmierne koszty" in polish
    assert result.site is not None


def test_a_review_over_a_year_old_is_a_warning_at_its_line(root):
    edit(root, DATA, "reviewed:  ", "reviewed: 2025-03-30")
    line = next(n for n, l in enumerate((root / DATA).read_text().splitlines(), 1) if l.startswith("reviewed:"))
    found = problems(root)
    assert (
        f"{DATA}:{line}: warning: the accessibility statement was last reviewed on 2025-03-30, over a year ago"
        in "\n".join(found)
    )
    edit(root, DATA, "reviewed: 2025-03-30", "reviewed: 2026-03-30")
    assert "over a year ago" not in "\n".join(problems(root))


def test_a_date_that_is_no_date_is_an_error_at_its_line(root):
    edit(root, DATA, "published:  ", "published: 31.07.2024")
    line = next(n for n, l in enumerate((root / DATA).read_text().splitlines(), 1) if l.startswith("published:"))
    assert f"{DATA}:{line}: 'published' is '31.07.2024', not a date; write the date as YYYY-MM-DD" in problems(root)
    # A date that does not exist is refused when the data file is read.
    edit(root, DATA, "published: 31.07.2024", "published: 2024-13-01")
    assert f"{DATA}:{line}: '2024-13-01' is not a real date; write a date that exists, as YYYY-MM-DD" in problems(root)


def test_a_template_without_a_mandatory_section_fails(root):
    edit(root, "templates/accessibility.html", '<section id="a11y-komunikacja">', "<section>")
    found = problems(root)
    assert "templates/accessibility.html:1: the accessibility statement has 'a11y-komunikacja' 0 times" in "\n".join(
        found
    )


def test_a_conditional_section_is_there_exactly_when_the_data_gives_it(root):
    edit(root, "templates/accessibility.html", "{% if a.apps %}", "{% if true %}")
    found = "\n".join(problems(root))
    assert "has 'a11y-aplikacje' 1 times, but 'apps' is empty" in found
    edit(root, "templates/accessibility.html", "{% if true %}", "{% if false %}")
    edit(root, DATA, "apps: []", "apps: [{name: Aplikacja, url: 'https://example.org/app'}]")
    assert "has 'a11y-aplikacje' 0 times, but 'apps' is given" in "\n".join(problems(root))


def test_the_polish_statement_keeps_the_fixed_headings(root):
    edit(root, "locales/pl/LC_MESSAGES/messages.po", 'msgstr "Stan dostępności cyfrowej"', 'msgstr "Stan dostępności"')
    found = "\n".join(problems(root))
    assert "the accessibility statement has no heading 'Stan dostępności cyfrowej'" in found


def test_a_statement_without_its_data_file_is_reported(root):
    (root / DATA).unlink()
    found = [p for p in problems(root) if "warning" not in p]
    assert found and all("'accessibility'" in p for p in found), found
