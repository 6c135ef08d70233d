"""Stateful property test: after any sequence of edits, the incremental build (cache and previous
output kept) equals a clean build from scratch, byte for byte."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from markupsafe import Markup

from builds import SHOWING_OTHERS, backdate_sources, built, clean_build, tree
from conftest import write_site
from sitegen.commands.serve import Preview
from sitegen.rendering.helpers import TemplateHelpers

pytestmark = pytest.mark.slow  # two builds per step, some hundred steps

WORDS = st.sampled_from(["Łódź", "współpraca", "klaster", "energy", "region", "żółw", "partner", "ąę"])
TEXT = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
SLUGS = st.sampled_from(["alfa", "alfa-2", "beta-x", "gamma", "o-nas"])
PAGES = [
    "content/projects/alpha.pl.md",
    "content/projects/alpha.en.md",
    "content/about.en.md",
    "content/news/first.pl.md",
    "content/projects/beta.pl.md",
]


@pytest.fixture(autouse=True)
def helper_written_for_the_test(monkeypatch):
    """A template helper as a maintainer might add one, reading other pages in its own way, with no
    bookkeeping of its own: the renderer must record what it read, or an edit to those pages leaves the
    pages that show them stale, and incremental builds stop equalling clean ones."""

    def excerpt(helpers: TemplateHelpers, key: str) -> Markup:
        page = helpers.site.page(key, helpers.lang)
        shown = helpers.make_view(page) if page is not None else None
        return Markup(f"<p>{shown.content.striptags()[:40]}</p><p>{shown.description}</p>") if shown else Markup()

    plain = TemplateHelpers.globals
    monkeypatch.setattr(
        TemplateHelpers, "globals", lambda helpers: {**plain(helpers), "excerpt": lambda key: excerpt(helpers, key)}
    )


PAGE_TEMPLATE = (
    "{% extends 'base.html' %}{% block main %}{{ page.content }}"
    "<aside>{{ excerpt('projects/alpha.md') }}{{ excerpt('news/first.md') }}</aside>"
    "<p>{{ document_link('documents/report.pdf', 'Report', lang='en') }}</p>{% endblock %}"
)
DOCUMENT_SIZES = st.sampled_from([0, 999, 1_000, 123_456, 1_234_567])
GROUP_PAGES = {
    "site.yaml": lambda text: text.replace(
        "    pages: {template: partner.html,",
        "    group_pages: {country: {template: country.html, parent: partners/_index.md, label: country}}\n"
        "    pages: {template: partner.html,",
    ),
    "templates/country.html": "{% extends 'base.html' %}{% block main %}{% for p in page.group.records %}"
    "<a href=\"{{ record_url('partners', p.id) }}\">{{ p.name }}</a>{% endfor %}{% endblock %}",
    "templates/partner.html": '{% extends \'base.html\' %}{% block main %}<a class="country" href="'
    "{{ group_url('partners', 'country', page.record.country) }}\">{{ page.record.country|country }}</a>{% endblock %}",
}


class Edits(RuleBasedStateMachine):
    @initialize()
    def make_site(self):
        self.epoch = os.environ.get("SOURCE_DATE_EPOCH")  # given back in teardown
        os.environ["SOURCE_DATE_EPOCH"] = "1795000000"
        self.folder = tempfile.mkdtemp()
        self.root = write_site(Path(self.folder) / "site")
        (self.root / "templates/page.html").write_text(PAGE_TEMPLATE, encoding="utf-8")
        # A page per partners' country, which edit_partner adds and removes, linked from each partner's page.
        for name, text in GROUP_PAGES.items():
            path = self.root / name
            path.write_text(text(path.read_text(encoding="utf-8")) if callable(text) else text, encoding="utf-8")
        (self.root / "static/documents").mkdir()
        (self.root / "static/documents/report.pdf").write_bytes(b"%" * 2_000)
        self.counter = 0
        # Every save gets its own modification time, long enough ago that loaded pages are memoised by
        # their file's status: unchanged files are then not read at all, and a changed one must be.
        self.clock = time.time() - 3600
        backdate_sources(self.root)

    def teardown(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = self.epoch

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        self.clock += 1
        os.utime(target, (self.clock, self.clock))

    @rule(page=st.sampled_from(PAGES), text=TEXT)
    def edit_body(self, page, text):
        path = self.root / page
        if path.exists():
            head, _, body = path.read_text().partition("\n---\n")
            self.write(page, f"{head}\n---\n{body}\n{text}\n")

    @rule(
        page=st.sampled_from(PAGES),
        text=TEXT,
        link=st.sampled_from(["/about.md", "/missing.md", "/static/documents/report.pdf", "/static/missing.pdf"]),
    )
    def replace_body_with_link(self, page, text, link):
        path = self.root / page
        if path.exists():
            head = path.read_text().partition("\n---\n")[0]
            self.write(page, f"{head}\n---\n[{text}]({link})\n")

    @rule(page=st.sampled_from(PAGES), title=TEXT)
    def edit_title(self, page, title):
        path = self.root / page
        if path.exists():
            lines = [f"title: {title}" if l.startswith("title:") else l for l in path.read_text().splitlines()]
            self.write(page, "\n".join(lines) + "\n")

    @rule(slug=SLUGS)
    def change_slug(self, slug):
        self.write(
            "content/projects/alpha.en.md",
            f"---\ntitle: Project Alpha\nslug: {slug}\n---\n## Goals {{#cele}}\n\nText.\n",
        )

    @rule(name=TEXT, country=st.sampled_from(["PL", "ES", "DE"]))
    def edit_partner(self, name, country):
        data = self.root / "content/data/partners.yaml"
        text = data.read_text().replace("Uniwersytet Łódzki", name, 1)
        self.write("content/data/partners.yaml", text.replace("country: ES", f"country: {country}", 1))

    @rule(regions=st.integers(0, 10_000))
    def edit_figure(self, regions):
        self.write("content/data/figures.yaml", f"regions: {regions}\n")

    @rule(size=DOCUMENT_SIZES)
    def replace_document(self, size):
        """Its name and address stay; the size its links show changes."""
        self.write("static/documents/report.pdf", "%" * size)

    @rule(text=TEXT)
    def edit_template(self, text):
        base = (self.root / "templates/base.html").read_text()
        self.write("templates/base.html", base.replace("</footer>", f"<p>{text}</p></footer>", 1))

    @rule(text=TEXT)
    def edit_catalogue(self, text):
        po = self.root / "locales/pl/LC_MESSAGES/messages.po"
        self.write(
            "locales/pl/LC_MESSAGES/messages.po",
            po.read_text().replace('msgstr "Przejdź do treści"', f'msgstr "{text}"'),
        )

    @rule(title=TEXT, lang=st.sampled_from(["pl", "en"]))
    def add_page(self, title, lang):
        self.counter += 1
        self.write(
            f"content/projects/new-{self.counter}.{lang}.md", f"---\ntitle: {title}\n---\n[O nas](../about.md)\n"
        )

    @rule(page=st.sampled_from(PAGES[2:] + ["content/projects/new-1.pl.md", "content/projects/new-1.en.md"]))
    def delete_page(self, page):
        (self.root / page).unlink(missing_ok=True)

    @invariant()
    def incremental_equals_clean(self):
        if not hasattr(self, "root"):
            return
        assert built(self.root) == clean_build(self.root)


Edits.TestCase.settings = settings(
    max_examples=12, stateful_step_count=6, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestIncrementalBuilds = Edits.TestCase


class PreviewEdits(Edits):
    """The preview keeps the site in memory and, after a save that changed only page bodies, re-renders
    just the pages that show them. After every step its output/ equals a clean preview build."""

    @initialize()
    def make_site(self):
        super().make_site()
        for path, text in SHOWING_OTHERS.items():
            self.write(path, text)
        self.preview = Preview(self.root, self.root / "output")
        self.saved: set[Path] = set()

    def write(self, path: str, text: str) -> None:
        super().write(path, text)
        if hasattr(self, "saved"):
            self.saved.add(self.root / path)

    @rule(page=st.sampled_from(PAGES + ["content/_index.en.md", "content/news/first.en.md"]), text=TEXT)
    def edit_first_paragraph(self, page, text):
        path = self.root / page
        if path.exists():
            head, _, body = path.read_text().partition("\n---\n")
            self.write(page, f"{head}\n---\n{text}\n\n{body}")

    @rule(page=st.sampled_from(PAGES[2:] + ["content/projects/new-1.pl.md", "content/projects/new-1.en.md"]))
    def delete_page(self, page):
        (self.root / page).unlink(missing_ok=True)
        self.saved.add(self.root / page)

    @invariant()
    def incremental_equals_clean(self):
        if not hasattr(self, "preview"):
            return
        self.preview.rebuild(self.saved)
        self.saved = set()
        expected = clean_build(self.root, drafts=True, production=False)
        if isinstance(expected, str):
            assert {str(p) for p in self.preview.problems} == set(expected.splitlines())
        else:
            assert self.preview.problems == ()
            assert tree(self.root / "output") == expected


# Half the examples of the builds above: each step of the preview's is dearer (a partial update, a clean
# preview build, and a full collection of the test process's heap by every Preview.rebuild).
PreviewEdits.TestCase.settings = settings(Edits.TestCase.settings, max_examples=6)
TestPreviewUpdates = PreviewEdits.TestCase
