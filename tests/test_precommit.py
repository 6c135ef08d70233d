"""The pre-commit hook (.pre-commit-config.yaml): pre-commit's own validation accepts it, and in a clone it runs
`check`, letting a clean commit through and stopping one with a problem."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT

CONFIG = PROJECT / ".pre-commit-config.yaml"


def pre_commit() -> str:
    found = shutil.which("pre-commit", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
    if found is None:
        pytest.skip("needs pre-commit: pip install -r requirements.txt")
    return found


def test_a_local_hook_runs_check_on_the_whole_site():
    (repo,) = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local"
    assert (hook["language"], hook["pass_filenames"]) == ("system", False)
    assert hook["entry"] == ".venv/bin/python build.py check"


@pytest.mark.slow  # a process
def test_pre_commit_accepts_the_configuration():
    result = subprocess.run([pre_commit(), "validate-config", str(CONFIG)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # pre-commit, git and check in processes of their own
def test_the_hook_stops_a_commit_with_a_problem_and_lets_the_others_through(tmp_path):
    from gitrepo import commit
    from shipped import COMMITTED, copy_sources

    if shutil.which("git") is None:
        pytest.skip("needs the git binary: apt-get install git")
    root = copy_sources(tmp_path / "repo")
    shutil.copy(PROJECT / "build.py", root)
    shutil.copytree(PROJECT / "sitegen", root / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, root)
    commit(root, COMMITTED)
    venv = root / ".venv/bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # the project's .venv
    (venv / "python").chmod(0o755)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        **{
            f"GIT_{who}_{what}": value
            for who in ("AUTHOR", "COMMITTER")
            for what, value in (("NAME", "t"), ("EMAIL", "t@t"))
        },
    }

    def run(*command: str) -> subprocess.CompletedProcess:
        return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300, env=env)

    def commit_file(path: str, text: str) -> subprocess.CompletedProcess:
        (root / path).write_text(text, encoding="utf-8")
        assert run("git", "add", path).returncode == 0
        return run("git", "commit", "-q", "-m", f"change {path}")

    assert run(pre_commit(), "install").returncode == 0
    assert commit_file(".pre-commit-config.yaml", CONFIG.read_text(encoding="utf-8")).returncode == 0
    page = "content/privacy.en.md"
    text = (root / page).read_text(encoding="utf-8")
    result = commit_file(page, text + "\n[A link](no-such-page.md)\n")
    said = result.stdout + result.stderr  # git shows what the hook printed on stderr
    assert result.returncode == 1, said
    assert re.search(r"build\.py check\.+Failed", said)
    assert f"{page}:" in said and "'no-such-page.md' leads to no page" in said
    assert run("git", "diff", "--cached", "--quiet").returncode == 1  # still staged, not committed
    result = commit_file(page, text + "\nOne more sentence.\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"build\.py check\.+Passed", result.stdout + result.stderr)
    result = commit_file("NOTES.txt", "not part of the site\n")
    assert result.returncode == 0
    assert re.search(r"build\.py check\.+\(no files to check\)Skipped", result.stdout + result.stderr)
