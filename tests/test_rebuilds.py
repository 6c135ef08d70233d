"""What a rebuild skips, keeps and removes: the no-change shortcut, stale files, the cache's clean-up and
memory, and the preview's partial updates."""

from __future__ import annotations

from builds import SHOWING_OTHERS, backdate_sources, clean_build, tree
from conftest import FILES, run_build, write_site
from gitrepo import append, commit, needs_git
from shipped import copy_sources
from sitegen.commands.pipeline import build
from sitegen.commands.serve import Preview
from sitegen.digests import installed
from sitegen.errors import BuildError


def test_a_build_with_nothing_changed_is_skipped_and_any_change_builds_again(site_root):
    backdate_sources(site_root)
    assert "built " in run_build(site_root).stderr
    skipped = run_build(site_root)
    assert skipped.returncode == 0 and "nothing changed" in skipped.stderr
    assert "not yet translated: /en/projects/beta/" in skipped.stderr  # the same report as a real build
    output = site_root / "output"
    expected = tree(output)

    (output / "en/index.html").write_text("tampered")  # output/ changed by hand
    assert "built " in run_build(site_root).stderr and tree(output) == expected
    assert "nothing changed" in run_build(site_root).stderr
    (output / "en/stray.html").write_text("left by hand")  # a file no build wrote
    assert "0 written, 29 unchanged, 1 removed" in run_build(site_root).stderr and tree(output) == expected
    assert "nothing changed" in run_build(site_root).stderr

    assert "built " in run_build(site_root, env={"SOURCE_DATE_EPOCH": "1796000000"}).stderr  # another date
    assert "built " in run_build(site_root, "--base-url", "/sub/").stderr  # another option
    assert "built " in run_build(site_root).stderr

    page = site_root / "content/about.en.md"
    page.write_text(page.read_text().replace("We have", "Today we have"))
    assert "built " in run_build(site_root).stderr
    assert "Today we have" in (output / "en/about/index.html").read_text()


@needs_git
def test_a_commit_that_changes_only_dates_renders_the_pages_that_show_them(tmp_path, monkeypatch):
    """Committing files already built changes no file, only "Last updated" dates: the no-change shortcut
    must not skip the build, and the pages showing those dates (their own, a section listing one, a page
    printing another's: the home page, which is not the news item's section, and the translation that is
    now older than its original) must render again, and no others."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # as run_build has it, for clean_build
    root = copy_sources(tmp_path / "site")
    own, home, news = (root / f"templates/{name}.html" for name in ("page", "home", "news"))
    own.write_text(own.read_text().replace("{% block main %}", "{% block main %}<p>{{ page.updated }}</p>"))
    home.write_text(
        home.read_text().replace(
            "{% block main %}", "{% block main %}<p>{{ page_for('news/gosmart-bsr-start.md').updated }}</p>"
        )
    )
    news.write_text(
        news.read_text().replace(
            "<p>{{ item.description }}</p>",
            '<p>{{ item.description }}</p><p class="updated-child">{{ item.updated }}</p>',
        )
    )
    commit(root, "2025-03-03T12:00:00+01:00")
    changed = "content/news/gosmart-bsr-start.pl.md"
    append(root / changed, "\nZmiana.\n")
    backdate_sources(root)
    assert "built " in run_build(root).stderr
    output = root / "output"
    pages = {
        "pl/aktualnosci/start-projektu-gosmart-bsr/index.html": ">2025-03-03<",  # edited since: the commit's
        "pl/index.html": ">2025-03-03<",
        "pl/aktualnosci/index.html": ">2025-03-03<",
    }
    for path, date in pages.items():
        assert date in (output / path).read_text(), path
    assert "nothing changed" in run_build(root).stderr
    before = tree(output)

    commit(root, "2025-11-21T12:00:00+01:00", changed)
    rebuilt = run_build(root)
    assert "nothing changed" not in rebuilt.stderr, rebuilt.stderr
    after = tree(output)
    # The English news item too: its Polish original is now newer, and it says so.
    translation = "en/news/gosmart-bsr-begins/index.html"
    changed = [path for path in after if after.get(path) != before.get(path) and not path.startswith("pagefind/")]
    assert sorted(changed) == sorted([*pages, translation])  # and the search index, made from them
    assert "after this translation" in after[translation].decode()
    for path, date in pages.items():
        assert date.replace("2025-03-03", "2025-11-21") in after[path].decode(), path
    assert clean_build(root) == after  # the plain path sees the same dates


def test_files_no_build_wrote_are_removed(site_root, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    build(site_root)  # the first build moves a staged tree into place
    expected = tree(site_root / "output")
    (site_root / "output/en/projects/stray.html").write_text("left by hand")
    (site_root / "output/en/projects/alpha/old").mkdir()
    (site_root / "output/en/projects/alpha/old/index.html").write_text("an old page")
    result = build(site_root)
    assert (result.report.written, result.report.removed) == (0, 2)
    assert tree(site_root / "output") == expected
    assert not (site_root / "output/en/projects/alpha/old").exists()


def test_html_packs_no_conversion_names_are_deleted_after_a_build(site_root, monkeypatch):
    """Each edited page leaves its old HTML pack behind; a full build that succeeded deletes the packs its
    conversions do not name, so the cache does not grow with every edit. A failed build deletes nothing."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    folder = site_root / ".cache/sitegen/html"

    def packs() -> set[str]:
        return {path.parent.name + path.name for path in folder.glob("*/*")}

    page = site_root / "content/about.en.md"
    build(site_root)
    first = packs()
    page.write_text(page.read_text(encoding="utf-8") + "\nEdit one.\n", encoding="utf-8")
    build(site_root)
    second = packs() - first
    assert len(second) == 1 and first <= packs()  # the other pages' HTML is still in the first
    page.write_text(page.read_text(encoding="utf-8") + "\nEdit two.\n", encoding="utf-8")
    result = build(site_root)
    assert not second & packs() and first <= packs() and len(packs()) == len(first) + 1
    assert packs() == {meta.pack for meta in result.renderer.meta.values() if meta.pack}
    assert "Edit two." in (site_root / "output/en/about/index.html").read_text(encoding="utf-8")

    kept = packs()
    (site_root / "templates/page.html").write_text("{% if %}", encoding="utf-8")
    page.write_text(page.read_text(encoding="utf-8") + "\nEdit three.\n", encoding="utf-8")
    try:
        build(site_root)
    except BuildError:
        pass
    assert packs() == kept


def test_a_preview_update_that_failed_leaves_nothing_behind(tmp_path, monkeypatch):
    """A save the preview refused must not count as taken in: when the next save fixes it, every page
    that shows the page is brought up to date, even if the fix shows the same summary as the refused save."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    root = write_site(tmp_path / "site", {**FILES, **SHOWING_OTHERS})
    preview = Preview(root, root / "output")
    preview.rebuild()
    page = root / "content/projects/alpha.en.md"
    for link, problems in (("/missing.md", 1), ("/about.md", 0)):
        page.write_text(f"---\ntitle: Project Alpha\n---\n[Fresh words]({link})\n", encoding="utf-8")
        preview.rebuild({page})
        assert len(preview.problems) == problems
    assert "Fresh words" in (root / "output/en/projects/index.html").read_text(encoding="utf-8")
    assert tree(root / "output") == clean_build(root, drafts=True, production=False)


def test_the_preview_keeps_the_site_in_memory_while_only_bodies_change(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    root = write_site(tmp_path / "site")
    preview = Preview(root, root / "output")
    preview.rebuild()
    loaded = preview.last.renderer
    page = root / "content/about.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    preview.rebuild({page})
    assert preview.last.renderer is loaded and preview.last.report.written == 1
    assert "One more sentence." in (root / "output/en/about/index.html").read_text(encoding="utf-8")
    page.write_text(
        page.read_text(encoding="utf-8").replace("title: About the programme", "title: About us"), encoding="utf-8"
    )
    preview.rebuild({page})  # a title is shown in menus and listings: everything is worked out again
    assert preview.last.renderer is not loaded
    assert "<title>About us</title>" in (root / "output/en/about/index.html").read_text(encoding="utf-8")


def test_the_saved_page_is_written_and_shown_before_the_pages_that_list_it(tmp_path, monkeypatch):
    """A save that changes a page's summary: the page is written first and the open pages reload then;
    its section, which lists the summary, is still being rendered, so a request for it waits."""
    import threading

    from sitegen.commands.serve import EVERYTHING

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    root = write_site(tmp_path / "site", {**FILES, **SHOWING_OTHERS})
    preview = Preview(root, root / "output")
    preview.rebuild()
    events = []
    real_hold = preview.hold
    preview.hold = lambda paths: events.append(("hold", paths)) or real_hold(paths)
    preview.reload = lambda: events.append(("reload", preview.updating))
    page = root / "content/projects/alpha.en.md"
    page.write_text("---\ntitle: Project Alpha\n---\nA new first paragraph.\n", encoding="utf-8")
    preview.rebuild({page})
    assert events[0] == ("hold", EVERYTHING)
    assert events[1][0] == "hold" and "en/projects/index.html" in events[1][1]
    assert "en/projects/alpha/index.html" not in events[1][1]  # written already: served at once
    assert events[2:] == [("reload", events[1][1]), ("hold", None)]
    assert "A new first paragraph." in (root / "output/en/projects/index.html").read_text(encoding="utf-8")

    # While a path is being updated, a request for it waits; other pages are served.
    preview.hold = real_hold
    preview.hold(frozenset({"en/projects/index.html"}))
    answers = []

    def get(path):
        preview({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, lambda status, headers: answers.append((path, status)))

    waiting = threading.Thread(target=get, args=("/en/projects/",))
    waiting.start()
    get("/en/about/")
    waiting.join(0.3)
    assert answers == [("/en/about/", "200 OK")]
    preview.hold(None)
    waiting.join(5)
    assert answers[1] == ("/en/projects/", "200 OK")


def test_files_the_site_never_reads_do_not_make_the_preview_build(tmp_path, monkeypatch):
    """Editors leave traces beside the files they save: vim probes with a file named 4913 that it deletes
    at once, emacs autosaves to #name#. None of them is content, so none of them costs a build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    root = write_site(tmp_path / "site")
    preview = Preview(root, root / "output")
    preview.rebuild()
    built = preview.last
    probe, autosave = root / "content/4913", root / "content/#about.en.md#"
    probe.write_text("probe", encoding="utf-8")
    probe.unlink()
    autosave.write_text("---\ntitle: half-typed", encoding="utf-8")
    preview.rebuild({probe, autosave})
    assert preview.last is built and preview.problems == ()
    page = root / "content/about.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSaved with vim.\n", encoding="utf-8")
    preview.rebuild({page, probe})
    assert preview.last.renderer is built.renderer and preview.last.report.written == 1
    assert "Saved with vim." in (root / "output/en/about/index.html").read_text(encoding="utf-8")


def test_a_build_forgets_the_memo_entries_it_did_not_use_before_forking(tmp_path):
    from sitegen.speed.cache import Memo

    memo = Memo(tmp_path)
    memo.put("render", "old", 1)
    memo.put("render", "kept", 2)
    memo.save()
    memo = Memo(tmp_path)
    memo.begin()
    assert memo.get("render", "kept") == 2
    memo.keep_used("render")
    assert memo.store("render") == {"kept": 2}
    memo.put("render", "new", 3)
    memo.save()
    assert Memo(tmp_path).store("render") == {"kept": 2, "new": 3}


def test_a_build_hands_its_frozen_objects_back_to_the_collector(site_root, monkeypatch):
    """A build freezes what it loads, out of the cycle collector's way; the preview runs many builds in one
    process, so each must unfreeze at its end, or every old site would stay in memory."""
    import gc

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    frozen = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: real_freeze() or frozen.append(gc.get_freeze_count()))
    build(site_root)
    assert frozen and max(frozen) > 0
    assert gc.get_freeze_count() == 0


def test_an_upgraded_library_is_a_changed_generator(tmp_path, monkeypatch):
    """The generator digest in every memo key covers the libraries: an upgrade rewrites their files."""
    package = tmp_path / "somelibrary"
    package.mkdir()
    (package / "__init__.py").write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = installed("somelibrary")
    assert [name for name, _, _ in before] == ["__init__.py"]
    (package / "__init__.py").write_text("VERSION = 22\n")
    assert installed("somelibrary") != before
    assert installed("no_such_library_here") == []
