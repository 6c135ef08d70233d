"""The pre-commit hook (.pre-commit-config.yaml): pre-commit's own validation accepts it, and in a clone it runs
`check`, letting a clean commit through and stopping one with a problem."""

from __future__ import annotations

import os
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


@pytest.mark.slow  # pre-commit and check in processes of their own
def test_the_hook_lets_a_clean_commit_through_and_stops_a_problem(tmp_path):
    from gitrepo import commit, git
    from shipped import COMMITTED, copy_sources

    if shutil.which("git") is None:
        pytest.skip("needs the git binary: apt-get install git")
    root = copy_sources(tmp_path / "repo")
    shutil.copy(PROJECT / "build.py", root)
    shutil.copytree(PROJECT / "sitegen", root / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, root)
    commit(root, COMMITTED)
    git(root, "add", ".pre-commit-config.yaml")  # pre-commit refuses to run an unstaged configuration
    venv = root / ".venv/bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # the project's .venv
    (venv / "python").chmod(0o755)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit"), "GIT_CONFIG_GLOBAL": os.devnull}

    def hook() -> subprocess.CompletedProcess:
        command = [pre_commit(), "run", "--all-files", "--color=never"]
        return subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300, env=env)

    result = hook()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "build.py check" in result.stdout and "Passed" in result.stdout
    page = root / "content/privacy.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[A link](no-such-page.md)\n", encoding="utf-8")
    result = hook()
    assert result.returncode == 1
    assert "Failed" in result.stdout
    assert "content/privacy.en.md:" in result.stdout and "'no-such-page.md' leads to no page" in result.stdout
