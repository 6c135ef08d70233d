"""Ctrl+C, SIGTERM and SIGKILL at every stage of a build, two builds at once, and a disk that fills up: output/
is either as it was or, after a killed build, as a clean build makes it once the next build has run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from builds import tree
from conftest import PROJECT, run_build, run_process, write_site

# Runs the real command line, stopping the build with a signal the n-th time it reaches a stage.
DRIVER = textwrap.dedent("""\
    import os, signal, sys, time
    sys.path.insert(0, sys.argv[1])
    # As in a terminal, whatever started the tests: a shell's background job starts with Ctrl+C ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from sitegen.commands import cli, pipeline
    from sitegen.rendering import render
    from sitegen.output import writer
    root, stage, number, after = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    targets = {"render": (render.SiteRenderer, "render_page"), "write": (writer.Changes, "replace"),
               "remove": (writer.Changes, "remove"), "save": (pipeline.BuildCache, "save"),
               "committed": (writer.Changes, "discard")}
    owner, name = targets[stage]
    real, calls = getattr(owner, name), []

    def stopping(*args, **kwargs):
        calls.append(1)
        if len(calls) == after:
            if number == 0:
                time.sleep(2)      # hold the lock a while, for the test of two builds at once
            else:
                os.kill(os.getpid(), number)
        return real(*args, **kwargs)

    setattr(owner, name, stopping)
    sys.exit(cli.main(["--root", root]))
""")


def stopped_build(root: Path, stage: str, number: int, after: int, tmp_path: Path) -> subprocess.CompletedProcess:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(driver), str(PROJECT), str(root), stage, str(number), str(after)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000"},
    )


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def edit_everything(root: Path) -> None:
    """A change that rewrites every page, removes one page and adds another."""
    base = root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<main>", '<main class="new">'), encoding="utf-8")
    (root / "content/projects/beta.pl.md").unlink()
    (root / "content/gamma.pl.md").write_text("---\ntitle: Gamma\n---\nNowa strona.\n", encoding="utf-8")
    (root / "content/gamma.en.md").write_text("---\ntitle: Gamma\n---\nA new page.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, bytes]:
    """The output/ a clean build of the edited sources makes."""
    root = write_site(tmp_path_factory.mktemp("clean") / "site")
    edit_everything(root)
    assert run_build(root).returncode == 0
    return tree(root / "output")


@pytest.fixture
def edited(site_root, clean):
    """A built site whose sources have just changed, and the output/ a clean build of them makes."""
    assert run_build(site_root).returncode == 0
    edit_everything(site_root)
    return site_root, clean


STOPS = [
    ("render", 3, signal.SIGINT),
    ("write", 1, signal.SIGINT),
    ("write", 9, signal.SIGINT),
    ("write", 23, signal.SIGINT),
    ("remove", 1, signal.SIGINT),
    ("save", 1, signal.SIGINT),
    ("render", 3, signal.SIGTERM),
    ("write", 9, signal.SIGTERM),
    ("save", 1, signal.SIGTERM),
]


@pytest.mark.slow  # a process per test
@pytest.mark.parametrize(
    "stage, after, number", STOPS, ids=[f"{signal.Signals(n).name} at {stage} {after}" for stage, after, n in STOPS]
)
def test_an_interrupted_build_leaves_output_as_it_was(edited, tmp_path, stage, after, number):
    code = {signal.SIGINT: 130, signal.SIGTERM: 143}[number]
    root, clean = edited
    before = snapshot(root / "output")
    result = stopped_build(root, stage, number, after, tmp_path)
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines()[-1] == "interrupted; output/ was left as it was", result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root / "output") == before
    assert run_build(root).returncode == 0 and tree(root / "output") == clean


@pytest.mark.slow
def test_an_interrupt_after_output_was_written_says_so(edited, tmp_path):
    root, clean = edited
    result = stopped_build(root, "committed", signal.SIGINT, 1, tmp_path)
    assert result.returncode == 130
    assert result.stderr.splitlines()[-1] == "interrupted; output/ holds the new build, written just before"
    assert tree(root / "output") == clean


KILLS = [("render", 3), ("write", 1), ("write", 9), ("write", 23), ("remove", 1), ("save", 1), ("committed", 1)]


@pytest.mark.slow
@pytest.mark.parametrize("stage, after", KILLS, ids=[f"{stage} {after}" for stage, after in KILLS])
def test_after_a_killed_build_the_next_build_restores_a_clean_output(edited, tmp_path, stage, after):
    root, clean = edited
    result = stopped_build(root, stage, signal.SIGKILL, after, tmp_path)
    assert result.returncode == -signal.SIGKILL
    rebuilt = run_build(root)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert tree(root / "output") == clean
    assert not [p for p in (root / ".cache/sitegen/aside").iterdir()]  # what the killed build put aside is gone


@pytest.mark.slow
def test_two_builds_at_once_take_turns(edited, tmp_path):
    root, clean = edited
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    first = subprocess.Popen(
        [sys.executable, str(driver), str(PROJECT), str(root), "write", "0", "3"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1795000000"},
    )
    time.sleep(1.0)  # the first build is now writing, and sleeps there for 2 s
    second = run_process(root)  # two processes, two command lines
    assert first.wait(timeout=60) == 0
    assert second.returncode == 0, second.stderr
    assert "waiting for another build of this site to finish (process" in second.stderr
    assert tree(root / "output") == clean


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MB file system of its own, so that it can be filled up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("filling a disk needs a small tmpfs, which only root can mount: run the tests as root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def fill(disk: Path) -> None:
    # Unbuffered: a buffered file keeps what the full disk refused and fails again when it is closed.
    with (disk / "filler").open("wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass


def test_a_full_disk_fails_with_one_line_and_leaves_output_as_it_was(small_disk):
    root = write_site(small_disk / "site")
    assert run_build(root).returncode == 0
    before = snapshot(root / "output")
    edit_everything(root)
    fill(small_disk)
    result = run_build(root)
    assert result.returncode == 1
    [problem, verdict] = result.stderr.splitlines()
    assert "(No space left on device); free some disk space, then build again" in problem
    assert problem.startswith(
        (
            "output/: cannot write output/",
            ".cache/: cannot write .cache/",
            f"{root}/: cannot write into the site's folder",
        )
    ), problem
    assert verdict == "build failed; output/ was left as it was"
    assert snapshot(root / "output") == before
    (small_disk / "filler").unlink()
    assert run_build(root).returncode == 0


def test_an_output_folder_that_cannot_be_written_fails_with_one_line(site_root):
    assert run_build(site_root).returncode == 0
    before = snapshot(site_root / "output")
    edit_everything(site_root)
    locked = site_root / "output/pl"
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("making a folder unwritable for root needs chattr on ext4 (e2fsprogs)")
    try:
        result = run_build(site_root)
    finally:
        subprocess.run(["chattr", "-i", str(locked)])
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("output/: cannot write output/pl/"), result.stderr
    assert "(Operation not permitted); make it writable" in result.stderr
    assert snapshot(site_root / "output") == before
