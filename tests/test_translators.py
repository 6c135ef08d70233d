"""The translator's workflow: extract, update, status (with git history), and catalogues valid for msgfmt."""

from __future__ import annotations

import shutil
import subprocess

from conftest import require, run_build, run_process


def git(root, *args):
    subprocess.run(
        ["git", *args],
        cwd=root,
        check=True,
        capture_output=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            "HOME": str(root),
            "PATH": "/usr/bin:/bin",
        },
    )


def test_extract_finds_a_new_template_string(site_root):
    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ _('Latest news') }}{% endblock %}"
    )
    result = run_build(site_root, "i18n", "extract")
    assert result.returncode == 0, result.stderr
    pot = (site_root / "locales/messages.pot").read_text()
    assert 'msgid "Latest news"' in pot
    assert "#: templates/home.html:1" in pot


def test_extract_finds_the_plural_forms_a_script_is_given(site_root):
    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}"
        "<p data-plural='{{ plural_forms('%(num)d result', '%(num)d results') | tojson }}'></p>{% endblock %}"
    )
    assert run_build(site_root, "i18n", "extract").returncode == 0
    pot = (site_root / "locales/messages.pot").read_text()
    assert 'msgid "%(num)d result"\nmsgid_plural "%(num)d results"' in pot


def test_plural_forms_give_a_script_each_plural_category_of_the_language(site_root):
    """Keyed by the CLDR categories a browser's Intl.PluralRules gives, each the catalogue's form for a whole
    number of that category, the placeholder left for the script: Polish has one, few and many."""
    import json

    from builds import clean_build

    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}"
        "<p id='forms'>{{ plural_forms('%(num)d partner', '%(num)d partners') | tojson }}</p>{% endblock %}"
    )
    files = clean_build(site_root, production=False)
    assert isinstance(files, dict), files

    def forms(lang):
        html = files[f"{lang}/index.html"].decode("utf-8")
        start = html.index("<p id='forms'>") + len("<p id='forms'>")
        return json.loads(html[start : html.index("</p>", start)])

    assert forms("pl") == {"one": "%(num)d partner", "few": "%(num)d partnerzy", "many": "%(num)d partnerów"}
    assert forms("en") == {"one": "%(num)d partner", "other": "%(num)d partners"}


def test_update_keeps_translations_and_marks_changed_strings_fuzzy(site_root):
    assert run_build(site_root, "i18n", "extract").returncode == 0
    base = site_root / "templates/base.html"
    base.write_text(base.read_text().replace("_('Skip to content')", "_('Skip to main content')"))
    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ _('Latest news') }}{% endblock %}"
    )
    assert run_build(site_root, "i18n", "extract").returncode == 0
    assert run_build(site_root, "i18n", "update").returncode == 0
    polish = (site_root / "locales/pl/LC_MESSAGES/messages.po").read_text()
    assert 'msgstr[2] "%(num)d partnerów"' in polish
    fuzzy_entry = polish[
        polish.index('msgid "Skip to main content"') - 60 : polish.index('msgid "Skip to main content"')
    ]
    assert "#, fuzzy" in fuzzy_entry
    assert 'msgid "Latest news"\nmsgstr ""' in polish
    assert "Plural-Forms: nplurals=3;" in polish


def test_status_counts_and_reports_outdated_translations_from_git(site_root):
    git(site_root, "init", "-q")
    git(site_root, "add", "-A")
    git(site_root, "commit", "-qm", "first")
    result = run_build(site_root, "i18n", "status")
    assert "pl: 3 translated (100%)" in result.stdout
    assert "content/projects/beta.pl.md: no en version" in result.stdout
    assert "translations older than their source: 0" in result.stdout
    about = site_root / "content/about.pl.md"
    about.write_text(about.read_text() + "\nNowy akapit.\n")
    git(site_root, "commit", "-qam", "source changed")
    result = run_build(site_root, "i18n", "status")
    assert "translations older than their source: 1" in result.stdout
    assert "content/about.en.md was last changed before content/about.pl.md" in result.stdout
    english = site_root / "content/about.en.md"
    english.write_text(english.read_text() + "\nNew paragraph.\n")
    git(site_root, "commit", "-qam", "translation caught up")
    assert "translations older than their source: 0" in run_build(site_root, "i18n", "status").stdout


def test_status_outside_git_uses_file_times(site_root):
    import os

    english = site_root / "content/about.en.md"
    os.utime(english, (1_000_000, 1_000_000))
    assert (
        "content/about.en.md was last changed before content/about.pl.md"
        in run_build(site_root, "i18n", "status").stdout
    )


def test_catalogues_written_by_update_pass_msgfmt_check(site_root):
    require(shutil.which("msgfmt") is not None, "msgfmt is missing: apt-get install gettext")
    assert run_build(site_root, "i18n", "extract").returncode == 0
    assert run_build(site_root, "i18n", "update").returncode == 0
    for lang in ("pl", "en"):
        po = site_root / f"locales/{lang}/LC_MESSAGES/messages.po"
        result = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_new_creates_a_page_pair_with_front_matter(site_root):
    result = run_process(site_root, "new", "news/2026-11-22-new-partner")  # stdout flushed before os._exit
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "content/news/2026-11-22-new-partner.pl.md",
        "content/news/2026-11-22-new-partner.en.md",
    ]
    assert (site_root / "content/news/2026-11-22-new-partner.pl.md").read_text().startswith("---\ntitle: Nowa strona\n")
    assert run_build(site_root).returncode == 0
    assert run_build(site_root, "new", "news/2026-11-22-new-partner").returncode == 1
    assert run_build(site_root, "new", "News/Bad Name").returncode == 1


def test_update_keeps_the_previous_source_text_of_a_changed_string(site_root):
    """Poedit and Weblate show what changed from the '#| msgid' line."""
    assert run_build(site_root, "i18n", "extract").returncode == 0
    assert run_build(site_root, "i18n", "update").returncode == 0
    base = site_root / "templates/base.html"
    base.write_text(base.read_text().replace("_('Skip to content')", "_('Skip to main content')"))
    assert run_build(site_root, "i18n", "extract").returncode == 0
    assert run_build(site_root, "i18n", "update").returncode == 0
    polish = (site_root / "locales/pl/LC_MESSAGES/messages.po").read_text()
    assert '#, fuzzy\n#| msgid "Skip to content"\nmsgid "Skip to main content"' in polish


def test_translator_comments_and_contexts_reach_the_catalogue_and_the_page(site_root):
    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}"
        "{# Translators: the kind of organisation, in a table's heading #}\n"
        "<p>{{ pgettext('organisation', 'Type') }}</p><p>{{ _('Type') }}</p>{% endblock %}"
    )
    assert run_build(site_root, "i18n", "extract").returncode == 0
    pot = (site_root / "locales/messages.pot").read_text()
    assert (
        '#. the kind of organisation, in a table\'s heading\n#: templates/home.html:2\nmsgctxt "organisation"\nmsgid "Type"'
        in pot
    )
    assert run_build(site_root, "i18n", "update").returncode == 0
    po = site_root / "locales/pl/LC_MESSAGES/messages.po"
    text = po.read_text()
    text = text.replace(
        'msgctxt "organisation"\nmsgid "Type"\nmsgstr ""', 'msgctxt "organisation"\nmsgid "Type"\nmsgstr "Rodzaj"'
    )
    text = text.replace('msgid "Type"\nmsgstr ""', 'msgid "Type"\nmsgstr "Typ"')
    po.write_text(text)
    result = run_build(site_root, "check")
    polish = [line for line in result.stdout.splitlines() if line.startswith("locales/pl/") and "'Type'" in line]
    assert polish == [], result.stdout  # both translated, each in its context
    assert run_build(site_root).returncode == 0
    home = (site_root / "output/pl/index.html").read_text()
    assert "<p>Rodzaj</p><p>Typ</p>" in home


def test_catalogues_are_written_without_line_wrapping(site_root):
    long = "A sentence long enough to be wrapped at any usual width, as gettext tools would wrap it by default."
    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ _('" + long + "') }}{% endblock %}"
    )
    assert run_build(site_root, "i18n", "extract").returncode == 0
    assert f'msgid "{long}"' in (site_root / "locales/messages.pot").read_text()


def header_edit(site_root, lang, old, new):
    path = site_root / f"locales/{lang}/LC_MESSAGES/messages.po"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return run_build(site_root, "check")


def test_check_fails_on_a_header_without_language_or_with_the_wrong_plural_forms(site_root):
    result = header_edit(site_root, "en", '"Language: en\\n"\n', "")
    assert result.returncode == 1
    assert "locales/en/LC_MESSAGES/messages.po:" in result.stdout and "the header has no 'Language'" in result.stdout


def test_check_fails_on_polish_plural_forms_that_are_not_the_three_forms(site_root):
    polish = site_root / "locales/pl/LC_MESSAGES/messages.po"
    forms = next(line for line in polish.read_text().splitlines() if line.startswith('"Plural-Forms:'))
    # Three forms that forget that 12-14 take the 'many' form ("12 partnerów", not "12 partnery").
    wrong = '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 ? 1 : 2);\\n"'
    result = header_edit(site_root, "pl", forms, wrong)
    assert result.returncode == 1
    assert "Plural-Forms do not give the 3 forms of pl" in result.stdout, result.stdout
    forms = wrong
    header_edit(
        site_root,
        "pl",
        forms,
        '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"',
    )
    assert "Plural-Forms" not in run_build(site_root, "check").stdout
