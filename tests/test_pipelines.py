"""The CI pipelines (README, "Publishing"): .github/workflows/pages.yml publishes to GitHub Pages, .gitlab-ci.yml to
GitLab Pages. They are checked with the field's tools (SchemaStore's schemas through check-jsonschema, zizmor for
the workflow, shellcheck for every command), and their check and build commands are run on a copy of the site,
as the pipelines would run them, so that they cannot drift from the real commands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT

WORKFLOW = PROJECT / ".github/workflows/pages.yml"
GITLAB = PROJECT / ".gitlab-ci.yml"
PAGES_URL = "https://example.github.io/site"  # what actions/configure-pages gives a project site
GITLAB_PAGES_URL = "https://group.gitlab.io/site"


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def gitlab() -> dict:
    return yaml.safe_load(GITLAB.read_text(encoding="utf-8"))


def steps() -> dict[str, dict]:
    return {step["name"]: step for job in workflow()["jobs"].values() for step in job["steps"]}


def tool(name: str) -> str:
    """A command from a package of requirements.txt, beside this Python or on PATH."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if found is None:
        pytest.skip(f"needs {name}: pip install -r requirements.txt")
    return found


def run(*command: str, cwd: Path = PROJECT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


# --- what the pipelines say ----------------------------------------------------------------------------------


def test_the_whole_history_is_fetched():
    """A shallow clone (both hosts' default) gives every page the date of the oldest commit fetched."""
    assert steps()["Check out"]["with"]["fetch-depth"] == 0
    assert str(gitlab()["variables"]["GIT_DEPTH"]) == "0"


def test_the_workflow_publishes_output_with_the_official_pages_actions_pinned_to_a_commit():
    used = {step["uses"].split("@")[0]: step for step in steps().values() if "uses" in step}
    assert set(used) == {
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    assert used["actions/upload-pages-artifact"]["with"]["path"] == "output/"
    for line in WORKFLOW.read_text(encoding="utf-8").splitlines():
        if "uses:" in line:
            assert re.search(r"uses: [\w-]+/[\w-]+@[0-9a-f]{40}  # v\d+\.\d+\.\d+$", line), line
    deploy = workflow()["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert workflow()["permissions"] == {"contents": "read"}


def test_gitlab_publishes_output_as_public_and_keeps_the_code_quality_report():
    pipeline = gitlab()
    assert pipeline["pages"]["script"][-1] == "mv output public"
    assert pipeline["pages"]["artifacts"]["paths"] == ["public"]
    report = pipeline["check"]["artifacts"]
    assert report["when"] == "always"
    assert pipeline["check"]["script"] == [
        f"python build.py check --format gitlab > {report['reports']['codequality']}"
    ]


@pytest.mark.slow  # a process per tool
def test_the_pipelines_follow_their_schemas():
    checker = tool("check-jsonschema")
    for schema, path in (
        ("vendor.github-workflows", WORKFLOW),
        ("custom.github-workflows-require-timeout", WORKFLOW),  # a job stuck on a network would run six hours
        ("vendor.gitlab-ci", GITLAB),
    ):
        result = run(checker, "--builtin-schema", schema, str(path))
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_zizmor_finds_nothing_in_the_workflow():
    """GitHub Actions' static analysis: permissions, credentials left in the checkout, template injection,
    unpinned actions; every audit, offline."""
    result = run(tool("zizmor"), "--offline", "--persona", "pedantic", "--no-progress", str(WORKFLOW))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_shellcheck_finds_nothing_in_any_command(tmp_path):
    shellcheck = tool("shellcheck")
    scripts = [("bash", step["run"]) for step in steps().values() if "run" in step]  # GitHub's shell on Linux
    pipeline = gitlab()
    scripts += [("sh", line) for line in pipeline["default"]["before_script"]]  # the runner may use sh
    scripts += [("sh", line) for job in pipeline.values() if isinstance(job, dict) for line in job.get("script", [])]
    assert len(scripts) >= 7
    for index, (shell, script) in enumerate(scripts):
        assert "${{" not in script, "expressions in a script are injected as code: pass them through env"
        path = tmp_path / f"{index}.sh"
        path.write_text(script + "\n")
        result = run(shellcheck, f"--shell={shell}", str(path))
        assert result.returncode == 0, result.stdout


# --- their commands, run ----------------------------------------------------------------------------------


@pytest.fixture
def clone(tmp_path):
    """The project as a pipeline's checkout has it: the site and the generator, in a repository with history,
    and this Python as `python` on PATH."""
    from gitrepo import commit
    from shipped import COMMITTED, copy_sources

    if shutil.which("git") is None:
        pytest.skip("needs the git binary: apt-get install git")
    root = copy_sources(tmp_path / "repo")
    shutil.copy(PROJECT / "build.py", root)
    shutil.copytree(PROJECT / "sitegen", root / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    commit(root, COMMITTED)
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    (bin_folder / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (bin_folder / "python").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI", "SOURCE_DATE_EPOCH"))}
    env["PATH"] = f"{bin_folder}{os.pathsep}{env.get('PATH', '')}"
    return root, env


def expand(value: str, known: dict[str, str]) -> str:
    """A workflow's ${{ expression }}, as the runner would give it; an unknown one fails the test."""
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: known[m.group(1)], value)


def run_step(step: dict, root: Path, env: dict, known: dict[str, str]) -> subprocess.CompletedProcess:
    step_env = {**env, **{name: expand(str(value), known) for name, value in step.get("env", {}).items()}}
    return run("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"], cwd=root, env=step_env)


def built_for(root: Path, address: str) -> None:
    """A build of the site for this address, with "Last updated" dates from git."""
    assert (root / "output/index.html").is_file()
    assert f"<loc>{address}/pl/</loc>" in (root / "output/sitemap.xml").read_text(encoding="utf-8")
    assert re.search(r"meta updated", (root / "output/pl/index.html").read_text(encoding="utf-8"))


@pytest.mark.slow  # builds the site twice
def test_the_workflow_s_commands_check_and_build_the_site(clone):
    root, env = clone
    runs = {name: step for name, step in steps().items() if "run" in step}
    assert list(runs) == ["Install", "Check", "Build"]
    assert runs["Install"]["run"] == "python -m pip install -r requirements.txt"  # the project's pins, not run here
    check = run_step(runs["Check"], root, env, {})
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("::warning file=content/") and "::error" not in check.stdout
    for pages_url, address in ((PAGES_URL, PAGES_URL), ("", "https://smart.example.gov.pl")):  # main, pull request
        build = run_step(runs["Build"], root, env, {"steps.pages.outputs.base_url": pages_url})
        assert build.returncode == 0, build.stderr
        built_for(root, address)
    assert (root / steps()["Upload"]["with"]["path"]).is_dir()


@pytest.mark.slow  # builds the site twice
def test_gitlab_s_commands_check_and_build_the_site(clone):
    from test_report import CODE_QUALITY

    root, env = clone
    pipeline = gitlab()
    assert pipeline["default"]["before_script"] == ["python -m pip install -r requirements.txt"]
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    assert list(jobs) == ["check", "build", "pages"]
    env = {**env, "CI_PAGES_URL": GITLAB_PAGES_URL}
    for name, job in jobs.items():
        result = run(
            "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(job["script"]), cwd=root, env=env
        )
        assert result.returncode == 0, name + result.stdout + result.stderr
        if name == "check":
            issues = json.loads((root / job["artifacts"]["reports"]["codequality"]).read_text(encoding="utf-8"))
            assert issues and {issue["severity"] for issue in issues} == {"minor"}  # the shipped site's warnings
            jsonschema = pytest.importorskip("jsonschema", reason="needs jsonschema: pip install -r requirements.txt")
            jsonschema.validate(issues, CODE_QUALITY)
        if name == "build":
            built_for(root, "https://smart.example.gov.pl")
    assert not (root / "output").exists()
    (root / "output").symlink_to("public")
    built_for(root, GITLAB_PAGES_URL)
