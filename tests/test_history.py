"""'Last updated': each page shows when its file was last committed (loading/history.py), or the date its
front matter gives, in its language; git is asked once per build, and not at all without it."""

from __future__ import annotations

import datetime
import os
import subprocess

import pytest

from builds import backdate_sources
from conftest import run_build
from gitrepo import append, commit, last_updated, needs_git, set_updated
from shipped import BUILD_EPOCH, copy_sources
from sitegen.commands.pipeline import build
from sitegen.errors import BuildError
from sitegen.loading.history import parse_log, read_history
from sitegen.loading.site import load_site

MARCH = "2025-03-03T12:00:00+01:00"
# Half past midnight in Warsaw: 20 November in UTC, and in the time zone the tests run in.
NOVEMBER = "2025-11-21T00:30:00+01:00"


@pytest.fixture(autouse=True)
def fixed_build_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    monkeypatch.setenv("SITEGEN_WORKERS", "1")


def test_a_files_date_is_that_of_its_newest_commit():
    output = (
        b"\x012025-11-21\0\ncontent/a.pl.md\0content/\xc5\xbc\xc3\xb3\xc5\x82w.pl.md\0"
        b"\x012025-12-01\0\ncontent/with space.en.md\0"  # a commit dated after its child (a clock set wrong)
        b"\x012025-03-03\0\ncontent/a.pl.md\0content/b.pl.md\0"
    )
    assert parse_log(output) == {
        "content/a.pl.md": datetime.date(2025, 11, 21),
        "content/żółw.pl.md": datetime.date(2025, 11, 21),
        "content/with space.en.md": datetime.date(2025, 12, 1),
        "content/b.pl.md": datetime.date(2025, 3, 3),
    }


@needs_git
def test_pages_show_the_day_their_file_was_last_committed_in_their_language(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "America/Adak")  # the committer's day, whatever the zone of the build
    root = copy_sources(tmp_path / "site")
    commit(root, MARCH)
    append(root / "content/privacy.pl.md", "\nZmiana.\n")
    append(root / "content/privacy.en.md", "\nA change.\n")
    (root / "content/news/only-polish.pl.md").write_text("---\ntitle: Tylko po polsku\n---\nTekst.\n")
    commit(root, NOVEMBER)
    site = build(root).site
    output = root / "output"

    def shown(key, lang):
        return last_updated(output, site.page(key, lang))

    assert shown("privacy.md", "pl") == ("2025-11-21", "Ostatnia aktualizacja: 21 listopada 2025")
    assert shown("privacy.md", "en") == ("2025-11-21", "Last updated: 21 November 2025")
    assert shown("networking/_index.md", "pl") == ("2025-03-03", "Ostatnia aktualizacja: 3 marca 2025")
    assert shown("networking/_index.md", "en") == ("2025-03-03", "Last updated: 3 March 2025")
    assert shown("news/only-polish.md", "pl") == ("2025-11-21", "Ostatnia aktualizacja: 21 listopada 2025")
    assert shown("news/only-polish.md", "en") is None  # a notice: the Polish file's date is not its own
    assert shown("404.md", "pl") is None and shown("404.md", "en") is None
    assert 'class="meta updated"' not in (output / "404.html").read_text()
    # A partner's page is made from its record: it has the date of the data file.
    partner = next(page for page in site.pages if page.record and page.lang == "pl")
    assert shown(partner.key, "pl") == ("2025-03-03", "Ostatnia aktualizacja: 3 marca 2025")


@needs_git
def test_a_page_has_its_front_matter_date_else_the_date_its_file_was_last_committed(tmp_path):
    root = copy_sources(tmp_path / "site")
    set_updated(root / "content/privacy.en.md", "2024-05-06")
    commit(root, MARCH)
    append(root / "content/networking/_index.pl.md", "\nNie zatwierdzona zmiana.\n")  # saved today
    (root / "content/news/planned.pl.md").write_text("---\ntitle: Plan\nupdated: 2025-01-02\n---\nTekst.\n")
    (root / "content/news/planned.en.md").write_text("---\ntitle: Plan\n---\nText.\n")
    os.remove(root / "content/news/gosmart-bsr-start.en.md")
    site = load_site(root)

    def updated(key, lang):
        page = site.page(key, lang)
        assert page is not None
        return page.updated

    assert updated("privacy.md", "en") == datetime.date(2024, 5, 6)  # an editor's word wins over git's
    assert updated("privacy.md", "pl") == datetime.date(2025, 3, 3)
    assert updated("networking/_index.md", "pl") == datetime.date(2025, 3, 3)  # not the file's time: today
    assert updated("news/planned.md", "pl") == datetime.date(2025, 1, 2)
    assert updated("news/planned.md", "en") is None  # never committed, no date given
    assert updated("news/gosmart-bsr-start.md", "pl") == datetime.date(2025, 3, 3)
    assert updated("news/gosmart-bsr-start.md", "en") is None  # a notice: the Polish file's date is not its own
    # A partner's page is made from its record: it has the date of the data file.
    partners = [page for page in site.pages if page.record and page.record[0] == "partners"]
    assert partners and {page.updated for page in partners} == {datetime.date(2025, 3, 3)}


@pytest.mark.parametrize("where", ["outside a repository", "without git"])
def test_without_git_history_pages_have_only_their_front_matter_dates(tmp_path, monkeypatch, where):
    root = copy_sources(tmp_path / "site")
    set_updated(root / "content/privacy.en.md", "2024-05-06")
    if where == "without git":
        (tmp_path / "bin").mkdir()
        monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert read_history(root, root / "content") == {}
    site = load_site(root)
    assert {(page.key, page.lang) for page in site.pages if page.updated} == {("privacy.md", "en")}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("last week", "content/privacy.en.md:2: 'updated' must be a date (YYYY-MM-DD), not 'last week'"),
        ("2025-02-30", "content/privacy.en.md:2: '2025-02-30' is not a real date"),
        ("2025-03-03 10:00", "content/privacy.en.md:2: 'updated' must be a date (YYYY-MM-DD)"),
    ],
)
def test_an_updated_value_that_is_not_a_date_is_a_problem_at_its_line(tmp_path, value, message):
    root = copy_sources(tmp_path / "site")
    set_updated(root / "content/privacy.en.md", value)
    with pytest.raises(BuildError) as error:
        load_site(root)
    assert [str(problem) for problem in error.value.problems if message in str(problem)], error.value.problems


@needs_git
def test_git_log_runs_once_per_build_at_most_and_again_only_after_a_commit(tmp_path, monkeypatch):
    root = copy_sources(tmp_path / "site")
    commit(root, MARCH)
    backdate_sources(root)
    calls, real_run = [], subprocess.run

    def counting_run(args, *more, **options):
        if args[0] == "git":
            calls.append("log" if "log" in args else args[1])
        return real_run(args, *more, **options)

    monkeypatch.setattr(subprocess, "run", counting_run)

    def git_asked(*args, says="built "):
        calls.clear()
        result = run_build(root, *args)
        assert says in result.stderr, result.stderr
        return list(calls)

    assert git_asked() == ["rev-parse", "log"]  # the commit checked out, then its history: not once per page
    assert git_asked(says="nothing changed") == ["rev-parse"]
    append(root / "content/privacy.pl.md", "\nZmiana.\n")
    backdate_sources(root)
    assert git_asked() == ["rev-parse"]  # no new commit: its history is in the memo
    commit(root, NOVEMBER, "content/privacy.pl.md")
    assert git_asked() == ["rev-parse", "log"]
    assert git_asked("build", "--no-cache") == ["log"]  # the plain path, without a memo, asks itself
