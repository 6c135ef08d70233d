"""A mistake gives exit 1, one 'path:line: problem' line each, no traceback, and output/ as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_build, run_process


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


CASES = {
    "missing title": (
        "content/about.en.md",
        "---\nslug: about\n---\nText\n",
        "content/about.en.md:2: the page has no title",
    ),
    "broken internal link": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n\nSee [x](projects/gamma.md).\n",
        "content/about.en.md:6: the link 'projects/gamma.md' leads to no page",
    ),
    "malformed front matter": (
        "content/about.en.md",
        "---\ntitle: About\nslug: [about\n---\nText\n",
        "content/about.en.md:3: invalid YAML",
    ),
    "malformed site.yaml": ("site.yaml", "title: {pl: A, en: B\nlanguages: {}\n", "site.yaml:1: invalid YAML"),
    "undefined template variable": (
        "templates/page.html",
        "{% extends 'base.html' %}\n{% block main %}\n{{ pgae.title }}\n{% endblock %}\n",
        "templates/page.html:3: 'pgae' is undefined",
    ),
    "unknown front matter key": (
        "content/about.en.md",
        "---\ntitle: About\nslgu: about\n---\n",
        "content/about.en.md:3: unknown key 'slgu' in front matter; did you mean 'slug'?",
    ),
    "unknown site.yaml key": (
        "site.yaml",
        None,
        "site.yaml:22: unknown key 'footr' in site.yaml; did you mean 'footer'?",
    ),
    "missing anchor": (
        "content/about.en.md",
        "---\ntitle: About\nslug: about\n---\n[x](projects/alpha.md#nowhere)\n",
        "content/about.en.md:5: the anchor '#nowhere' does not exist",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_mistake_is_reported_with_path_and_line_and_output_is_untouched(site_root, name):
    assert run_build(site_root).returncode == 0
    before = snapshot(site_root / "output")
    path, text, expected = CASES[name]
    target = site_root / path
    if text is None:
        target.write_text(target.read_text() + "footr: {}\n")
    else:
        target.write_text(text)
    result = run_build(site_root)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(site_root / "output") == before


def test_every_problem_is_reported_not_only_the_first(site_root):
    """By the real command line: exit 1 and every line on stderr, flushed before build.py's os._exit."""
    (site_root / "content/about.en.md").write_text("---\nslug: about\n---\n")
    (site_root / "content/projects/alpha.en.md").write_text("---\ntitle: [x\n---\n")
    result = run_process(site_root)
    assert result.returncode == 1
    assert "content/about.en.md:2:" in result.stderr
    assert "content/projects/alpha.en.md:2:" in result.stderr


def test_usage_error_exits_2(site_root):
    assert run_process(site_root, "no-such-command").returncode == 2


def test_debug_shows_a_traceback_only_when_asked(site_root, monkeypatch, capsys):
    """A bug in the generator is one line without --debug, and its traceback with it."""
    import signal

    from sitegen.commands import cli, pipeline

    def broken_build(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "build", broken_build)
    handler = signal.getsignal(signal.SIGTERM)
    try:
        assert cli.main(["--root", str(site_root)]) == 1
        quiet = capsys.readouterr().err
        assert cli.main(["--root", str(site_root), "--debug"]) == 1
        loud = capsys.readouterr().err
    finally:
        signal.signal(signal.SIGTERM, handler)
    assert quiet == "internal error: ZeroDivisionError: a bug (run with --debug for details)\n"
    assert "Traceback (most recent call last)" in loud and 'raise ZeroDivisionError("a bug")' in loud
    assert loud.endswith(quiet)
    (site_root / "site.yaml").write_text("title: x\n")  # a content problem has no traceback even with --debug
    result = run_build(site_root, "--debug")
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_page_saved_between_loading_and_converting_fails_the_build_by_name(tmp_path):
    """Bodies are read again when converted; if the file no longer holds what was loaded, the build says so
    instead of converting text that the rest of the build never saw."""
    from conftest import write_site
    from sitegen.loading.site import load_site
    from sitegen.speed.cache import BuildCache
    from sitegen.speed.incremental import IncrementalRenderer

    root = write_site(tmp_path / "site")
    site = load_site(root)
    page = root / "content/about.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSaved meanwhile.\n", encoding="utf-8")
    problems = IncrementalRenderer(site, False, BuildCache(None)).render().problems
    assert [(p.path, p.message) for p in problems] == [
        ("content/about.en.md", "the file changed while the site was being built")
    ]


def test_a_template_line_failing_on_every_page_is_one_problem(site_root):
    base = site_root / "templates/base.html"
    base.write_text(base.read_text().replace("{{ page.title }}</title>", "{{ page.titel }}</title>"))
    result = run_build(site_root)
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and len(lines) == 2, result.stderr
    assert lines[0].startswith("templates/base.html:2: ") and " other pages; " in lines[0]
    assert lines[1] == "build failed: 1 problem; output/ was left as it was"
