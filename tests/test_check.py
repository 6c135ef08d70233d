"""`build.py check` lists every problem as path:line and exits non-zero; a clean site exits 0."""

from __future__ import annotations

import json

import pytest

from conftest import run_build


def add_missing_strings_to_en(root):
    (root / "locales/en/LC_MESSAGES/messages.po").write_text(
        (root / "locales/en/LC_MESSAGES/messages.po").read_text()
        + '\nmsgid "This page is not yet available in English."\nmsgstr "This page is not yet available in English."\n'
    )


@pytest.fixture
def clean_root(site_root):
    (site_root / "content/projects/beta.en.md").write_text("---\ntitle: Project Beta\n---\nIn English.\n")
    (site_root / "templates/plurals.html").unlink()
    for lang in ("pl", "en"):
        path = site_root / f"locales/{lang}/LC_MESSAGES/messages.po"
        text = path.read_text()
        path.write_text(text[: text.index('msgid "%(num)d partner"')])
    add_missing_strings_to_en(site_root)
    return site_root


def test_clean_site_passes(clean_root):
    result = run_build(clean_root, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


PROBLEMS = {
    "missing anchor": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n\n[x](projects/alpha.md#nope)\n",
        "content/about.en.md:6: the anchor '#nope' does not exist",
    ),
    "broken link": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n[x](projects/gama.md)\n",
        "content/about.en.md:5: the link 'projects/gama.md' leads to no page",
    ),
    "no counterpart": (
        "content/projects/gamma.pl.md",
        "---\ntitle: Gamma\n---\nTekst.\n",
        "content/projects/gamma.pl.md:1: this page has no English version",
    ),
    "image without alt": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n\n\n![](/static/logo.svg)\n",
        "content/about.en.md:7: the image '/static/logo.svg' has no alt text",
    ),
    "skipped heading": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n\n#### Deep\n",
        "content/about.en.md:6: a level-4 heading follows a level-1 one",
    ),
    "empty link": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n\n[](https://example.org/)\n",
        "content/about.en.md:6: the link to 'https://example.org/' has no text",
    ),
    "unknown front matter key": (
        "content/about.en.md",
        "---\ntitle: About\ndescripton: x\n---\n",
        "content/about.en.md:3: unknown key 'descripton' in front matter; did you mean 'description'?",
    ),
    "unknown data id": (
        "content/data/partners.yaml",
        "- id: x\n  name: X\n  country: PL\n  projects: [{project: alfa}]\n",
        "content/data/partners.yaml:4: 'projects.project' refers to unknown projects id 'alfa'; did you mean 'alpha'?",
    ),
    "duplicate URL": (
        "content/projects/alpha2.en.md",
        "---\ntitle: Alpha again\nslug: alpha\n---\n",
        "both want the URL /en/projects/alpha/",
    ),
    "untranslated string": ("locales/en/LC_MESSAGES/messages.po", None, "'Extra' is not translated"),
    "fuzzy string": (
        "locales/pl/LC_MESSAGES/messages.po",
        "fuzzy",
        "the translation of 'Skip to content' is marked fuzzy",
    ),
    "unused string": ("locales/pl/LC_MESSAGES/messages.po", "unused", "'Old string' is not used by any template"),
    "string missing from catalogue": (
        "templates/home.html",
        "{% extends 'base.html' %}{% block main %}{{ _('Brand new') }}{% endblock %}",
        "templates/home.html:1: 'Brand new' is missing from locales/pl/LC_MESSAGES/messages.po",
    ),
}


@pytest.mark.parametrize("name", PROBLEMS)
def test_each_problem_is_reported_with_its_place(clean_root, name):
    path, text, expected = PROBLEMS[name]
    target = clean_root / path
    if name == "untranslated string":
        (clean_root / "templates/home.html").write_text(
            "{% extends 'base.html' %}{% block main %}{{ _('Extra') }}{% endblock %}"
        )
        for lang in ("pl", "en"):
            po = clean_root / f"locales/{lang}/LC_MESSAGES/messages.po"
            po.write_text(po.read_text() + '\nmsgid "Extra"\nmsgstr "%s"\n' % ("Dodatkowe" if lang == "pl" else ""))
    elif text == "fuzzy":
        target.write_text(target.read_text().replace('msgid "Skip to content"', '#, fuzzy\nmsgid "Skip to content"'))
    elif text == "unused":
        target.write_text(target.read_text() + '\nmsgid "Old string"\nmsgstr "Stary napis"\n')
    else:
        target.write_text(text)
    result = run_build(clean_root, "check")
    assert result.returncode == 1
    assert expected in result.stdout, result.stdout + result.stderr


def test_json_format_for_tools(clean_root):
    (clean_root / "content/projects/gamma.pl.md").write_text("---\ntitle: Gamma\n---\n")
    result = run_build(clean_root, "check", "--format", "json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert {"path": "content/projects/gamma.pl.md", "line": 1, "severity": "error"}.items() <= problems[0].items()


def test_formats_for_github_and_gitlab(clean_root, monkeypatch):
    """Run from the repository's top with the site in a folder of it, as CI may: paths start at the top."""
    (clean_root / "content/about.en.md").write_text(PROBLEMS["missing anchor"][1])
    (clean_root / "templates/home.html").write_text(
        '{% extends \'base.html\' %}{% block main %}<p class="to-fill" data-missing="welcome">…</p>{% endblock %}'
    )
    monkeypatch.chdir(clean_root.parent)
    result = run_build(clean_root, "check", "--format", "github")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::warning file=site/content/_index.en.md,line=1,title=build.py check%3A to be completed::the page has no welcome yet; see README, 'Values to be completed'",
        "::warning file=site/content/_index.pl.md,line=1,title=build.py check%3A to be completed::the page has no welcome yet; see README, 'Values to be completed'",
        "::error file=site/content/about.en.md,line=6,title=build.py check::the anchor '#nope' does not exist on content/projects/alpha.en.md (en); link to a heading's id",
    ]
    assert result.stderr == "check: 1 problem, 2 warnings\n"
    result = run_build(clean_root, "check", "--format", "gitlab")
    assert result.returncode == 1
    issues = json.loads(result.stdout)
    assert [(i["location"]["path"], i["location"]["lines"]["begin"], i["severity"]) for i in issues] == [
        ("site/content/_index.en.md", 1, "minor"),
        ("site/content/_index.pl.md", 1, "minor"),
        ("site/content/about.en.md", 6, "major"),
    ]
    assert result.stderr.splitlines()[-2:] == [
        "content/about.en.md:6: the anchor '#nope' does not exist on content/projects/alpha.en.md (en); link to a heading's id",
        "check: 1 problem, 2 warnings",
    ]


SCRIPTS = """
server:
  csp:
    default-src: "'self'"
    script-src: "'none'"
  csp_exceptions:
    - {templates: [%s], csp: {script-src: "'self'"}}
"""


def test_scripts_may_run_on_exactly_the_pages_that_load_one(clean_root):
    """README, "Security": the pages made with a template that loads a script need a policy that allows it, and
    no other page may have one."""
    partner = clean_root / "templates/partner.html"
    partner.write_text(
        partner.read_text().replace(
            "{% block main %}", "{% block main %}<script src=\"{{ static('logo.svg') }}\" defer></script>"
        )
    )
    config = clean_root / "site.yaml"
    config.write_text(config.read_text() + SCRIPTS % "partner.html")
    result = run_build(clean_root, "check")
    assert result.returncode == 0, result.stdout
    lines = config.read_text().splitlines()
    config.write_text("\n".join(lines).replace("[partner.html]", "[page.html]") + "\n")
    result = run_build(clean_root, "check")
    assert result.returncode == 1
    server, exception = lines.index("server:") + 1, len(lines)
    assert result.stdout.splitlines() == [
        (
            f"site.yaml:{server}: pages made with 'partner.html' load a script, but their Content-Security-Policy "
            "forbids scripts: /en/partners/aragon/ loads /static/logo.svg, /en/partners/lodz/ loads /static/logo.svg, "
            "/en/partners/lublin/ loads /static/logo.svg, /pl/partnerzy/aragon/ loads /static/logo.svg, "
            "/pl/partnerzy/lodz/ loads /static/logo.svg, /pl/partnerzy/lublin/ loads /static/logo.svg; add "
            "'- {templates: [partner.html], csp: {script-src: \"'self'\"}}' under server.csp_exceptions"
        ),
        (
            f"site.yaml:{exception}: pages made with 'page.html' load no script, but their Content-Security-Policy "
            "allows scripts: /en/about/, /en/news/first/, /en/projects/alpha/, /en/projects/beta/, /pl/aktualnosci/first/, "
            "/pl/o-programie/, /pl/projekty/alfa/, /pl/projekty/beta/; keep script-src as strict as the rest of the site there: remove "
            "the template from this line"
        ),
    ]
