"""A tiny two-language site written inline into tmp_path, and helpers to build it."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]

SITE_YAML = """\
title: {pl: Strona testowa, en: Test site}
description: {pl: Opis, en: Description}
base_url: https://example.org/
languages:
  pl: {name: Polski, locale: pl_PL}
  en: {name: English, locale: en_GB}
menu:
  main: [about.md, projects/_index.md]
  footer: [about.md]
footer:
  logos:
    - {src: logo.svg, alt: {pl: Logo PL, en: Logo EN}}
collections:
  partners:
    required: [id, name, country]
    countries: [country]
    references: {projects.project: projects}
    pages: {template: partner.html, parent: partners/_index.md, slug: {pl: "{id}", en: "{id}"}}
  projects:
    required: [id, name]
feeds: {section: news/_index.md}
"""

PO_HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: {lang}\\n"
"Plural-Forms: {plural}\\n"
"""

PL_PLURAL = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"

FILES = {
    "site.yaml": SITE_YAML,
    "content/_index.pl.md": "---\ntitle: Strona główna\n---\nWitaj. Zobacz [O nas](about.md).\n",
    "content/_index.en.md": "---\ntitle: Home\n---\nWelcome. See [About](about.md).\n",
    "content/about.pl.md": "---\ntitle: O programie\nslug: o-programie\nmenu: O nas\naliases: [/pl/stare-o-nas/]\n---\n"
    "## Kto może wziąć udział?\n\nMamy {{ data.figures.regions }} regionów. "
    "Zobacz [projekt](projects/alpha.md#cele) i [kto](#kto-moze-wziac-udzial).\n",
    "content/about.en.md": "---\ntitle: About the programme\nslug: about\nmenu: About\n---\n"
    "## Who can take part?\n\nWe have {{ data.figures.regions }} regions.\n",
    "content/projects/_index.pl.md": "---\ntitle: Projekty\nslug: projekty\n---\nLista.\n",
    "content/projects/_index.en.md": "---\ntitle: Projects\n---\nList.\n",
    "content/projects/alpha.pl.md": "---\ntitle: Projekt Alfa\nslug: alfa\nweight: 1\n---\n## Cele {#cele}\n\nTekst.\n",
    "content/projects/alpha.en.md": "---\ntitle: Project Alpha\n---\n## Goals {#cele}\n\nText.\n",
    "content/projects/beta.pl.md": "---\ntitle: Projekt Beta\nslug: beta\nweight: 2\n---\nTylko po polsku.\n",
    "content/partners/_index.pl.md": "---\ntitle: Partnerzy\nslug: partnerzy\n---\n",
    "content/partners/_index.en.md": "---\ntitle: Partners\n---\n",
    "content/news/_index.pl.md": "---\ntitle: Aktualności\nslug: aktualnosci\n---\n",
    "content/news/_index.en.md": "---\ntitle: News\n---\n",
    "content/news/first.pl.md": "---\ntitle: Umowa podpisana\ndate: 2011-06-02\n---\nPodpisano umowę.\n",
    "content/news/first.en.md": "---\ntitle: Agreement signed\ndate: 2011-06-02\n---\nThe agreement was signed.\n",
    "content/data/figures.yaml": "regions: 145\n",
    "content/data/projects.yaml": "- id: alpha\n  name: {pl: Alfa, en: Alpha}\n",
    "content/data/partners.yaml": (
        "- id: lodz\n  name: Uniwersytet Łódzki\n  country: PL\n  projects: [{project: alpha}]\n"
        "- id: lublin\n  name: Lubelska Fundacja\n  country: PL\n  projects: [{project: alpha}]\n"
        "- id: aragon\n  name: Clúster de Aragón\n  country: ES\n  projects: [{project: alpha}]\n"
    ),
    "static/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
    "templates/base.html": textwrap.dedent("""\
        <!DOCTYPE html>
        <html lang="{{ lang }}"><head><title>{{ page.title }}</title>
        {% for t in translations %}<link rel="alternate" hreflang="{{ t.lang }}" href="{{ t.url }}">{% endfor %}
        <link rel="alternate" hreflang="{{ lang }}" href="{{ page.url }}">
        </head><body>
        <nav class="menu">{% for item in menus.main %}<a href="{{ item.url }}"{% if item.active %} aria-current="page"{% endif %}>{{ item.title }}</a>{% endfor %}</nav>
        <nav class="switcher">{% for t in translations %}<a class="switch" hreflang="{{ t.lang }}" lang="{{ t.lang }}" href="{{ t.url }}">{{ t.name }}</a>{% endfor %}</nav>
        <nav class="crumbs">{% for c in breadcrumbs %}<a href="{{ c.url }}">{{ c.title }}</a>{% endfor %}</nav>
        <main><h1>{{ page.title }}</h1>{% block main %}{{ page.content }}{% endblock %}</main>
        <footer>{% for logo in site.footer.logos %}<img src="{{ static(logo.src) }}" alt="{{ logo.alt }}">{% endfor %}
        <p class="ui">{{ _('Skip to content') }}</p></footer>
        </body></html>
        """),
    "templates/home.html": "{% extends 'base.html' %}",
    "templates/page.html": "{% extends 'base.html' %}{% block main %}{% if page.date %}<time datetime=\"{{ page.date.isoformat() }}\">{{ page.date|date }}</time>{% endif %}{{ page.content }}{% endblock %}",
    "templates/section.html": "{% extends 'base.html' %}{% block main %}{{ page.content }}<ul>{% for c in children %}<li><a href=\"{{ c.url }}\">{{ c.title }}</a></li>{% endfor %}</ul>{% endblock %}",
    "templates/partner.html": "{% extends 'base.html' %}{% block main %}<p class=\"country\">{{ page.record.country|country }}</p>{% endblock %}",
    "templates/missing.html": '{% extends \'base.html\' %}{% block main %}<p class="notice">{{ _(\'This page is not yet available in English.\') }}</p><a class="original" href="{{ original.url }}">{{ original.title }}</a>{% if fallback %}<a class="fallback" href="{{ fallback.url }}">{{ fallback.title }}</a>{% endif %}{% endblock %}',
    "templates/404.html": "{% extends 'base.html' %}",
    "templates/chooser.html": '<!DOCTYPE html><html lang="{{ lang }}"><head><meta http-equiv="refresh" content="0; url={{ languages[0].url }}"><title>{{ site.title }}</title></head><body>{% for l in languages %}<a href="{{ l.url }}" lang="{{ l.code }}">{{ l.name }}</a>{% endfor %}</body></html>\n',
    "templates/redirect.html": '<!DOCTYPE html><html lang="{{ lang }}"><head><meta http-equiv="refresh" content="0; url={{ target }}"><link rel="canonical" href="{{ target }}"><title>{{ target }}</title></head><body><a href="{{ target }}">{{ target }}</a></body></html>\n',
    "templates/plurals.html": "{% extends 'base.html' %}{% block main %}{% for n in [1, 2, 5, 12, 22, 25] %}<p class=\"n{{ n }}\">{{ ngettext('%(num)d partner', '%(num)d partners', n) }}</p>{% endfor %}{% endblock %}",
    "locales/pl/LC_MESSAGES/messages.po": PO_HEADER.format(lang="pl", plural=PL_PLURAL)
    + textwrap.dedent("""
        msgid "Skip to content"
        msgstr "Przejdź do treści"

        msgid "This page is not yet available in English."
        msgstr "Ta strona nie jest jeszcze dostępna po polsku."

        msgid "%(num)d partner"
        msgid_plural "%(num)d partners"
        msgstr[0] "%(num)d partner"
        msgstr[1] "%(num)d partnerzy"
        msgstr[2] "%(num)d partnerów"
        """),
    "locales/en/LC_MESSAGES/messages.po": PO_HEADER.format(lang="en", plural="nplurals=2; plural=(n != 1);")
    + textwrap.dedent("""
        msgid "Skip to content"
        msgstr "Skip to content"

        msgid "%(num)d partner"
        msgid_plural "%(num)d partners"
        msgstr[0] "%(num)d partner"
        msgstr[1] "%(num)d partners"
        """),
}


def write_site(root: Path, files: dict[str, str] = FILES) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def signal_handlers_given_back():
    """cli.main() installs a SIGTERM handler; a test that calls it must not leave it to the tests after it,
    whose forked workers would inherit it and could miss a terminate() sent before they reset it."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site")


def run_process(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real command line, `python build.py`, in a process of its own, as an editor would. For what
    only a process shows: exit codes as the shell sees them, output flushed before build.py's os._exit,
    locks between processes, signals, the hash seed, time zone or locale of a fresh interpreter."""
    return subprocess.run(
        [sys.executable, str(PROJECT / "build.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000", **(env or {})},
    )


def run_build(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command line's main() run in this process, with what run_process would give back: the exit code
    (argparse's SystemExit included), stdout and stderr. Five times faster than a process of its own; the
    build and its messages are the same code. The environment (SOURCE_DATE_EPOCH fixed, as for
    run_process) and the SIGTERM handler main() installs are given back afterwards. SITEGEN_WORKERS=1
    unless env says otherwise: a fixture site is too small for workers (under 400 pages nothing is
    forked), and output/ is then listed here rather than in a forked copy of the test process."""
    from sitegen.commands import cli

    overlay = {"SOURCE_DATE_EPOCH": "1795000000", "SITEGEN_WORKERS": "1", **(env or {})}
    saved = {name: os.environ.get(name) for name in overlay}
    handler = signal.getsignal(signal.SIGTERM)
    stdout, stderr = io.StringIO(), io.StringIO()
    arguments = ["--root", str(root), *args]
    os.environ.update(overlay)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = cli.main(arguments)
            except SystemExit as exit:  # argparse's usage errors and --help
                code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    finally:
        signal.signal(signal.SIGTERM, handler)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(["build.py", *arguments], code, stdout.getvalue(), stderr.getvalue())


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """The shipped site built as `build` would (minified, fingerprinted), with its loaded Site."""
    from shipped import build_copy

    root = tmp_path_factory.mktemp("shipped") / "site"
    result = build_copy(root)
    return root / "output", result.site


@pytest.fixture(scope="session")
def shipped_server(shipped):
    """The built shipped site, served with the response headers of its generated _headers file, as Cloudflare
    Pages reads it: the browser tests run under the site's own Content-Security-Policy."""
    from shipped import serve_folder
    from test_headers import cloudflare_headers, header_rules

    output, site = shipped
    rules = header_rules((output / "_headers").read_text(encoding="utf-8"))
    server, base = serve_folder(output.parent, output, headers=lambda path: cloudflare_headers(rules, path))
    yield base, site
    server.shutdown()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


TOOLS = PROJECT / "tests/browser/node_modules"


def require(present: bool, missing: str) -> None:
    """A tool the operating system provides is missing: skip with one line saying what to install, or fail
    where CI demands the browser tests (REQUIRE_BROWSER_TESTS=1, set by .ci/run)."""
    if present:
        return
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        pytest.fail(missing)
    pytest.skip(missing)


def require_npm_tool(path: Path, name: str) -> None:
    """axe-core, the Nu HTML Checker and Lighthouse come from npm; `make test` installs them when npm is there."""
    import shutil

    hint = "make browser-tools" if shutil.which("npm") else "apt-get install npm, then make test"
    require(path.exists(), f"{name} is missing: {hint}")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright. Missing: skipped, unless CI demands browser tests."""
    require(Path(CHROMIUM).exists(), "browser tests need Chromium: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "browser tests need Playwright: make test installs it from requirements.txt")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def tab(browser):
    """A page in a fresh browser context; console_messages collects its errors and warnings."""
    context = browser.new_context()
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.console_messages = messages
    yield page
    context.close()
