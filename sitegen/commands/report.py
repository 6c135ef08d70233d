"""`check`'s problems as people and tools read them: one line each, JSON, GitHub Actions' workflow commands
(annotations on a pull request's changed lines) or a GitLab Code Quality report (the same on a merge request)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from ..errors import Problem

FORMATS = ("text", "json", "github", "gitlab")
ERROR_CHECK = "build.py check"
WARNING_CHECK = "build.py check: to be completed"  # a warning names what the editors still have to supply


def report(problems: list[Problem], output_format: str, root: Path, out: TextIO, log: TextIO) -> None:
    """Everything a tool reads goes to out; the summary, and for GitLab the lines people read, to log."""
    if output_format == "json":
        print(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2), file=out)
        return
    if output_format == "github":
        for problem in problems:
            print(github_command(problem, shown_path(problem.path, root)), file=out)
    elif output_format == "gitlab":
        print(json.dumps(code_quality(problems, root), ensure_ascii=False, indent=2), file=out)
        for problem in problems:
            print(problem, file=log)
    else:
        for problem in problems:
            print(problem, file=out)
    errors = sum(1 for p in problems if not p.warning)
    print(f"check: {plural(errors, 'problem')}, {plural(len(problems) - errors, 'warning')}", file=log)


def shown_path(path: str, root: Path) -> str:
    """Paths as the current folder sees them: CI runs from the repository's top, where annotations are placed,
    and the site may be a folder of it (--root)."""
    return Path(os.path.relpath(root / path)).as_posix()


def text(problem: Problem) -> str:
    return f"{problem.message}; {problem.hint}" if problem.hint else problem.message


def github_command(problem: Problem, path: str) -> str:
    """`::error file=…,line=…,title=…::message`, escaped as GitHub's runner decodes it (actions/toolkit,
    core/src/command.ts): '%', CR and LF in the message; those and ':' and ',' in a property."""
    properties = {"file": path, "line": str(max(problem.line, 1)), "title": check_name(problem)}
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{'warning' if problem.warning else 'error'} {listed}::{escape_data(text(problem))}"


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def check_name(problem: Problem) -> str:
    return WARNING_CHECK if problem.warning else ERROR_CHECK


def code_quality(problems: Iterable[Problem], root: Path) -> list[dict]:
    """GitLab's Code Quality report (docs.gitlab.com, ci/testing/code_quality): each issue's fingerprint
    stays the same while the problem does, wherever its line moves, so a merge request shows only new ones;
    problems alike in one file are told apart by their order."""
    issues: list[dict] = []
    seen: dict[tuple[str, str, str], int] = {}
    for problem in problems:
        path, name = shown_path(problem.path, root), check_name(problem)
        identity = (name, path, text(problem))
        seen[identity] = seen.get(identity, 0) + 1
        fingerprint = hashlib.sha256("\0".join([*identity, str(seen[identity])]).encode("utf-8")).hexdigest()
        issues.append(
            {
                "description": text(problem),
                "check_name": name,
                "fingerprint": fingerprint,
                "severity": "minor" if problem.warning else "major",
                "location": {"path": path, "lines": {"begin": max(problem.line, 1)}},
            }
        )
    return issues


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"
