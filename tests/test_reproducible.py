"""Two builds of the same sources are byte-identical, whatever the discovery order, hash seed, locale or zone."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from conftest import run_build, run_process
from sitegen.commands.pipeline import build
from sitegen.loading import files


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow  # two processes
def test_builds_in_different_environments_are_identical(site_root, tmp_path):
    """A process each: the hash seed, time zone and locale are a fresh interpreter's."""
    first = run_process(site_root, env={"PYTHONHASHSEED": "1", "TZ": "Pacific/Kiritimati", "LC_ALL": "C"})
    assert first.returncode == 0, first.stderr
    expected = tree(site_root / "output")
    shutil.rmtree(site_root / "output")
    second = run_process(site_root, env={"PYTHONHASHSEED": "999", "TZ": "America/Adak", "LC_ALL": "pl_PL.UTF-8"})
    assert second.returncode == 0, second.stderr
    assert tree(site_root / "output") == expected


def test_discovery_order_does_not_matter(site_root, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    build(site_root)
    expected = tree(site_root / "output")
    shutil.rmtree(site_root / "output")
    real_scandir, listed = os.scandir, []

    class Shuffled(list):  # what os.scandir gives: entries to iterate, in a with block
        def __enter__(self):
            return self

        def __exit__(self, *exception):
            return False

    def shuffled_scandir(folder):
        with real_scandir(folder) as entries:
            found = Shuffled(entries)
        random.Random(str(folder)).shuffle(found)
        listed.append(str(folder))
        return Shuffled(found[::-1])

    monkeypatch.setattr(files.os, "scandir", shuffled_scandir)
    build(site_root)
    assert str(site_root / "content") in listed
    assert tree(site_root / "output") == expected


def test_source_date_epoch_is_the_only_clock(site_root):
    (site_root / "templates/home.html").write_text(
        "{% extends 'base.html' %}{% block main %}<p id=\"d\">{{ build_date|date }}</p>{% endblock %}"
    )
    assert run_build(site_root, env={"SOURCE_DATE_EPOCH": "1306972800"}).returncode == 0
    assert "2 czerwca 2011" in (site_root / "output/pl/index.html").read_text()


def test_unchanged_files_keep_their_modification_time(site_root):
    assert run_build(site_root).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in (site_root / "output").rglob("*") if p.is_file()}
    assert run_build(site_root).returncode == 0
    after = {p: p.stat().st_mtime_ns for p in (site_root / "output").rglob("*") if p.is_file()}
    assert before == after


def test_parallel_rendering_gives_the_serial_output(site_root, monkeypatch):
    from sitegen.speed import parallel

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.setenv("SITEGEN_WORKERS", "1")
    build(site_root)
    serial = tree(site_root / "output")
    shutil.rmtree(site_root / "output")
    shutil.rmtree(site_root / ".cache")
    monkeypatch.setenv("SITEGEN_WORKERS", "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
    calls, real_collect = [], parallel.collect
    monkeypatch.setattr(
        parallel,
        "collect",
        lambda results, workers, chunks: calls.append(len(workers)) or real_collect(results, workers, chunks),
    )
    build(site_root)
    assert calls == [1, 1, 1]  # loading, converting and rendering really ran beside a forked worker
    assert tree(site_root / "output") == serial
    # A rebuild in workers, where most pages render again to the same bytes, still equals a clean build.
    page = site_root / "content/projects/alpha.en.md"
    page.write_text(page.read_text().replace("title: Project Alpha", "title: Project Alpha renamed"))
    build(site_root)
    assert len(calls) == 5  # loading (files this fresh are always read) and rendering; no conversion
    rebuilt = tree(site_root / "output")
    shutil.rmtree(site_root / "output")
    shutil.rmtree(site_root / ".cache")
    monkeypatch.setenv("SITEGEN_WORKERS", "1")
    build(site_root)
    assert (
        rebuilt == tree(site_root / "output")
        and "Project Alpha renamed" in rebuilt["en/projects/alpha/index.html"].decode()
    )
