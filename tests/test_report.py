"""`check`'s problems for CI: GitHub Actions' workflow commands, escaped as GitHub's runner decodes them, and GitLab's
Code Quality report, checked against the fields GitLab documents."""

from __future__ import annotations

import io
import json
import re

import pytest

from sitegen.commands.report import report
from sitegen.errors import Problem

ERROR = Problem("content/about.en.md", 6, "the anchor '#nope' does not exist")
WARNING = Problem(
    "content/sign-language.pl.md", 1, "the page has no recording yet", "see README, 'Values to be completed'", True
)


def reported(problems, output_format, root):
    out, log = io.StringIO(), io.StringIO()
    report(problems, output_format, root, out, log)
    return out.getvalue(), log.getvalue()


def test_github_a_problem_and_a_warning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, log = reported([ERROR, WARNING], "github", tmp_path)
    assert out == (
        "::error file=content/about.en.md,line=6,title=build.py check::the anchor '#nope' does not exist\n"
        "::warning file=content/sign-language.pl.md,line=1,title=build.py check%3A to be completed::the page has no "
        "recording yet; see README, 'Values to be completed'\n"
    )
    assert log == "check: 1 problem, 1 warning\n"


def test_github_escaping(tmp_path, monkeypatch):
    """'%', CR and LF everywhere, ':' and ',' in properties too (actions/toolkit, packages/core/src/command.ts)."""
    monkeypatch.chdir(tmp_path)
    odd = Problem("content/50%, or: more.md", 3, "100% sure,\r\nreally: yes", "a hint")
    out, _ = reported([odd], "github", tmp_path)
    assert out == (
        "::error file=content/50%25%2C or%3A more.md,line=3,title=build.py check::100%25 sure,%0D%0Areally: yes; a hint\n"
    )
    command, properties, message = runner_reads(out.strip())
    assert (command, properties["file"], properties["line"]) == ("error", odd.path, "3")
    assert message == "100% sure,\r\nreally: yes; a hint"


def runner_reads(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as GitHub's runner parses it (actions/runner, ActionCommand.TryParseV2): the command up
    to a space, properties split at ',' and the first '=', the message after the next '::'; then unescaped."""
    match = re.fullmatch(r"::(\S+)(?: (.*?))?::(.*)", line, re.S)
    assert match, line
    command, listed, message = match.groups()
    properties = {}
    for pair in (listed or "").split(","):
        key, value = pair.split("=", 1)
        properties[key] = unescape(value, ("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","))
    return command, properties, unescape(message, ("%0D", "\r"), ("%0A", "\n"))


def unescape(value: str, *pairs) -> str:
    for escaped, plain in pairs:
        value = value.replace(escaped, plain)
    return value.replace("%25", "%")


# GitLab's Code Quality report, as its documentation lists the fields it reads (docs.gitlab.com,
# ci/testing/code_quality, "Code Quality report format"): no registry package ships a schema of it.
CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "pattern": "^[^/]"},  # relative to the repository
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}


def test_gitlab_a_problem_and_a_warning(tmp_path, monkeypatch):
    jsonschema = pytest.importorskip("jsonschema", reason="needs jsonschema: pip install -r requirements.txt")
    monkeypatch.chdir(tmp_path)
    out, log = reported([ERROR, WARNING], "gitlab", tmp_path)
    issues = json.loads(out)
    jsonschema.validate(issues, CODE_QUALITY)
    fingerprints = [issue.pop("fingerprint") for issue in issues]
    assert issues == [
        {
            "description": "the anchor '#nope' does not exist",
            "check_name": "build.py check",
            "severity": "major",
            "location": {"path": "content/about.en.md", "lines": {"begin": 6}},
        },
        {
            "description": "the page has no recording yet; see README, 'Values to be completed'",
            "check_name": "build.py check: to be completed",
            "severity": "minor",
            "location": {"path": "content/sign-language.pl.md", "lines": {"begin": 1}},
        },
    ]
    assert all(re.fullmatch(r"[0-9a-f]{64}", fingerprint) for fingerprint in fingerprints)
    assert log == str(ERROR) + "\n" + str(WARNING) + "\ncheck: 1 problem, 1 warning\n"  # for the job's log


def test_gitlab_fingerprints_follow_the_problem_not_its_line(tmp_path, monkeypatch):
    """A merge request shows as new only what its changes brought: a problem keeps its fingerprint when lines
    above it move, and two alike in one file get two."""
    monkeypatch.chdir(tmp_path)

    def fingerprints(*problems):
        return [issue["fingerprint"] for issue in json.loads(reported(list(problems), "gitlab", tmp_path)[0])]

    moved = Problem(ERROR.path, 9, ERROR.message)
    assert fingerprints(ERROR) == fingerprints(moved) == fingerprints(ERROR)
    first, second = fingerprints(ERROR, moved)
    assert first != second
    assert fingerprints(Problem("content/other.md", 6, ERROR.message)) != [first]


def test_paths_are_given_from_the_current_folder(tmp_path, monkeypatch):
    """CI runs at the repository's top, where annotations are placed; the site may be a folder of it."""
    monkeypatch.chdir(tmp_path)
    out, _ = reported([ERROR], "github", tmp_path / "site")
    assert out.startswith("::error file=site/content/about.en.md,line=6,")
    out, _ = reported([ERROR], "gitlab", tmp_path / "site")
    assert json.loads(out)[0]["location"]["path"] == "site/content/about.en.md"


@pytest.mark.slow  # checks a copy of the shipped site
def test_the_readme_example_is_what_check_prints(tmp_path, monkeypatch):
    from conftest import PROJECT, run_build
    from shipped import copy_sources

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    start = readme.index("$ python build.py check --format github\n")
    shown = readme[start : readme.index("```", start)].splitlines()
    root = copy_sources(tmp_path / "site")
    privacy = root / "content/privacy.en.md"
    privacy.write_text(
        privacy.read_text(encoding="utf-8").replace(
            "visit it.", "visit it ([accessibility](accessibility.md#contact)).", 1
        ),
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    result = run_build(root, "check", "--format", "github")
    assert result.returncode == 1
    assert [*result.stdout.splitlines(), *result.stderr.splitlines()] == shown[1:]
