"""Bad input, applied to a copy of the shipped site: exit 1 (2 for a wrong command line), one
'path:line: what is wrong; how to fix it' line per problem naming the right file, no traceback,
and the previous output/ byte for byte unchanged."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_build
from shipped import BUILD_EPOCH

PAGE = "content/networking/_index.en.md"
POLISH_PAGE = "content/networking/_index.pl.md"
PARTNERS = "content/data/partners.yaml"
PLATFORMS = "content/data/platforms.yaml"
MEAL = '"Posiłki w instytucjach publicznych jako motor zrównoważonego rozwoju, zdrowia i innowacji w łańcuchu rolno-spożywczym"'
PROBLEM_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<what>[^;\n]+); (?P<fix>.+)$")


def set_front_matter(root: Path, path: str, front_matter: str, body: str = "Text.\n") -> None:
    (root / path).write_text(f"---\n{front_matter}---\n{body}", encoding="utf-8")


def edit(root: Path, path: str, old: str, new: str, count: int = 1) -> None:
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    target.write_text(text.replace(old, new, count), encoding="utf-8")


def write(root: Path, path: str, text: str) -> None:
    (root / path).write_text(text, encoding="utf-8")


def append(root: Path, path: str, text: str) -> None:
    with (root / path).open("a", encoding="utf-8") as handle:
        handle.write(text)


def first_record(path: Path) -> str:
    return next(chunk for chunk in re.split(r"\n(?=- )", path.read_text(encoding="utf-8")) if chunk.startswith("- "))


# name: (mutation, file the message must name, words the message must contain)
CASES = {
    "front matter not YAML": (lambda r: set_front_matter(r, PAGE, "title: [Networking\n"), PAGE, "invalid YAML"),
    "front matter not a mapping": (
        lambda r: set_front_matter(r, PAGE, "- title\n- slug\n"),
        PAGE,
        "front matter must be",
    ),
    "front matter not closed": (lambda r: (r / PAGE).write_text("---\ntitle: Networking\nText.\n"), PAGE, "not closed"),
    "front matter missing title": (lambda r: set_front_matter(r, PAGE, "slug: networking\n"), PAGE, "no title"),
    "date that is not a date": (
        lambda r: set_front_matter(r, PAGE, "title: N\ndate: yesterday\n"),
        PAGE,
        "'date' must be a date",
    ),
    "date that does not exist": (
        lambda r: set_front_matter(r, PAGE, "title: N\ndate: 2011-13-45\n"),
        PAGE,
        "not a real date",
    ),
    "weight that is not a number": (
        lambda r: set_front_matter(r, PAGE, "title: N\nweight: first\n"),
        PAGE,
        "'weight' must be a whole number",
    ),
    "unknown front matter key": (
        lambda r: set_front_matter(r, PAGE, "title: N\ntitel: N\n"),
        PAGE,
        "did you mean 'title'",
    ),
    "more footer logos than site.yaml allows": (
        lambda r: edit(r, "site.yaml", "max_logos: 4", "max_logos: 2"),
        "site.yaml",
        "at most 2 logos",
    ),
    "footer.max_logos not a number": (
        lambda r: edit(r, "site.yaml", "max_logos: 4", "max_logos: four"),
        "site.yaml",
        "must be a whole number",
    ),
    "unknown language suffix": (
        lambda r: (r / "content/networking/page.de.md").write_text("---\ntitle: X\n---\n"),
        "content/networking/page.de.md",
        "unknown language 'de'",
    ),
    "file not UTF-8": (lambda r: (r / PAGE).write_bytes("---\ntitle: Sieć\n---\n".encode("cp1250")), PAGE, "not UTF-8"),
    "empty file": (lambda r: (r / PAGE).write_text(""), PAGE, "empty"),
    "binary file": (lambda r: (r / PAGE).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), PAGE, "binary"),
    "50 MB file": (
        lambda r: (r / PAGE).write_text("---\ntitle: Big\n---\n" + "słowo " * 8_800_000),
        PAGE,
        "over the limit",
    ),
    "two pages, one URL": (
        lambda r: (
            write(r, "content/networking/copy.en.md", "---\ntitle: Copy\n---\n")
            or write(r, "content/networking/twin.en.md", "---\ntitle: Twin\nslug: copy\n---\n")
        ),
        "content/networking/twin.en.md",
        "both want the URL",
    ),
    "slug with a slash": (
        lambda r: set_front_matter(r, PAGE, "title: N\nslug: a/b\n"),
        PAGE,
        "not a single safe URL segment",
    ),
    "slug with ..": (
        lambda r: set_front_matter(r, PAGE, "title: N\nslug: ..\n"),
        PAGE,
        "not a single safe URL segment",
    ),
    "slug with spaces": (
        lambda r: set_front_matter(r, PAGE, "title: N\nslug: net working\n"),
        PAGE,
        "not a single safe URL segment",
    ),
    "absolute slug": (
        lambda r: set_front_matter(r, PAGE, "title: N\nslug: /etc\n"),
        PAGE,
        "not a single safe URL segment",
    ),
    "unsafe alias": (
        lambda r: set_front_matter(r, PAGE, "title: N\naliases: [/../../etc/]\n"),
        PAGE,
        "not a safe URL path",
    ),
    "link to a missing page": (lambda r: append(r, PAGE, "\n[Gone](../gone.md)\n"), PAGE, "leads to no page"),
    "link to a missing anchor": (
        lambda r: append(r, PAGE, "\n[Gone](../privacy.md#nowhere)\n"),
        PAGE,
        "'#nowhere' does not exist",
    ),
    "draft linked from a published page": (
        lambda r: (
            write(r, "content/draft.en.md", "---\ntitle: D\ndraft: true\n---\n")
            or append(r, PAGE, "\n[Draft](../draft.md)\n")
        ),
        PAGE,
        "draft",
    ),
    "script link": (lambda r: append(r, PAGE, "\n[Click](javascript:alert(1))\n"), PAGE, "not allowed"),
    "script link with a tab in data": (
        lambda r: edit(r, PARTNERS, "  type: cluster\n", '  type: cluster\n  website: "java\\tscript:alert(1)"\n'),
        f"{PARTNERS}:12",
        "is a script or data link",
    ),
    "Markdown that makes Python-Markdown raise": (
        lambda r: append(r, PAGE, "\n``` { .python linenums=True }\nx = 1\n```\n"),
        PAGE,
        "could not be converted (TypeError",
    ),
    "Markdown nesting too deep": (
        lambda r: append(r, PAGE, "\n" + "".join("    " * d + "- item\n" for d in range(400))),
        PAGE,
        "nests too deeply",
    ),
    "Markdown too slow to convert": (
        lambda r: (
            append(r, "site.yaml", "\nlimits: {markdown_seconds: 1}\n")
            or append(r, PAGE, "\n[x]: https://example.org\n\n" + "[" * 100_000 + "\n")
        ),
        PAGE,
        "took longer than 1 s, so it was stopped",
    ),
    "attribute without a value": (
        lambda r: append(r, PAGE, "\n## Contact {: id }\n"),
        PAGE,
        "the attribute 'id' has no value",
    ),
    "unknown data placeholder": (
        lambda r: append(r, PAGE, "\n{{ data.s3.regionz }}\n"),
        PAGE,
        "did you mean 'regions'",
    ),
    "YAML that would construct a Python object": (
        lambda r: append(r, PARTNERS, "\n- !!python/object/apply:os.system [touch pwned]\n"),
        PARTNERS,
        "invalid YAML: could not determine a constructor",
    ),
    "front matter that would construct a Python object": (
        lambda r: set_front_matter(r, PAGE, "title: !!python/name:os.getcwd ''\n"),
        PAGE,
        "invalid YAML",
    ),
    "data file not YAML": (lambda r: append(r, PARTNERS, "\n- id: [broken\n"), PARTNERS, "invalid YAML"),
    "record missing a required field": (
        lambda r: append(
            r,
            PARTNERS,
            "\n- id: nameless\n  name_lang: pl\n  type: cluster\n"
            "  city: Kraków\n  country: PL\n  projects: [{project: smegonet, role: partner}]\n",
        ),
        PARTNERS,
        "has no 'name'",
    ),
    "duplicate id": (lambda r: append(r, PARTNERS, "\n" + first_record(r / PARTNERS) + "\n"), PARTNERS, "duplicate id"),
    "reference to an unknown id": (
        lambda r: edit(r, PARTNERS, "project: smegonet", "project: smegonett"),
        PARTNERS,
        "did you mean 'smegonet'",
    ),
    "unknown country code": (
        lambda r: edit(r, PARTNERS, "country: PL", "country: XX"),
        PARTNERS,
        "not an ISO 3166 country code",
    ),
    "unquoted comma in a language mapping": (
        lambda r: edit(r, PLATFORMS, MEAL, MEAL.strip('"')),
        f"{PLATFORMS}:21",
        "'zdrowia i innowacji w łańcuchu rolno-spożywczym' is not a language",
    ),
    "language mapping without a language": (
        lambda r: edit(r, PARTNERS, '{pl: "", en: LifeScience', "{en: LifeScience"),
        f"{PARTNERS}:10",
        "has no 'pl' value",
    ),
    "unquoted Yes in a language mapping": (
        lambda r: edit(r, PLATFORMS, "en: Energy}", "en: Yes}"),
        f"{PLATFORMS}:4",
        "the 'en' value must be text, not 'true'",
    ),
    "list in a language mapping": (
        lambda r: edit(r, PLATFORMS, "{pl: Energia, en: Energy}", "{pl: Energia, en: [a, b]}"),
        f"{PLATFORMS}:4",
        "the 'en' value must be text, not a list",
    ),
    "site.yaml language mapping with a typo": (
        lambda r: edit(r, "site.yaml", 'name: {pl: "", en: ""}', 'name: {pl: "", eng: ""}'),
        "site.yaml",
        "did you mean 'en'",
    ),
    "template prints a mapping": (
        lambda r: edit(r, "templates/page.html", "</div>\n", "</div>\n{{ data.s3 }}\n"),
        "templates/page.html:11",
        "prints a mapping, which would show on the page as {'regions': 145",
    ),
    "template prints an empty value": (
        lambda r: edit(r, "templates/page.html", '<div class="prose">', '{{ page.date }}<div class="prose">'),
        "templates/page.html:10",
        "prints an empty value",
    ),
    "template prints a list": (
        lambda r: edit(
            r, "templates/page.html", '<div class="prose">', '{{ data.platforms[0].fields }}<div class="prose">'
        ),
        "templates/page.html:10",
        "prints a list, which would show on the page as ['Bioenergia'",
    ),
    "site.yaml syntax error": (
        lambda r: edit(r, "site.yaml", "languages:\n", "languages: [\n"),
        "site.yaml",
        "invalid YAML",
    ),
    "site.yaml unknown key": (
        lambda r: append(r, "site.yaml", "\nbase_ulr: x\n"),
        "site.yaml",
        "did you mean 'base_url'",
    ),
    "site.yaml missing a language": (
        lambda r: edit(r, "site.yaml", "  en: {name: English, locale: en_GB}\n", ""),
        "site.yaml",
        "at least two languages",
    ),
    "template syntax error": (
        lambda r: append(r, "templates/page.html", "\n{% if %}\n"),
        "templates/page.html",
        "syntax error",
    ),
    "unknown template in front matter": (
        lambda r: set_front_matter(r, PAGE, "title: N\ntemplate: sektion.html\n"),
        PAGE,
        "unknown template 'sektion.html'",
    ),
    "undefined template variable": (
        lambda r: edit(r, "templates/base.html", "{{ page.title }}", "{{ page.titel }}"),
        "templates/base.html",
        "titel",
    ),
    ".po syntax error": (
        lambda r: append(r, "locales/pl/LC_MESSAGES/messages.po", '\nmsgid "Broken\nmsgstr "x"\n'),
        "locales/pl/LC_MESSAGES/messages.po",
        "cannot be read",
    ),
    ".po placeholder differs": (
        lambda r: edit(
            r, "locales/pl/LC_MESSAGES/messages.po", 'msgstr[2] "%(num)d partnerów', 'msgstr[2] "%(liczba)d partnerów'
        ),
        "locales/pl/LC_MESSAGES/messages.po",
        "placeholder",
    ),
    "symlink out of the project": (
        lambda r: (r / "content/secret.en.md").symlink_to("/etc/hostname"),
        "content/secret.en.md",
        "outside the site's folder",
    ),
}


@pytest.fixture(scope="module")
def built_copy(shipped):
    """The shipped site with output/ and cache as `build` leaves them: the session's build of it (conftest.py),
    which each test copies before it changes anything."""
    output, _ = shipped
    return output.parent


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The command line's main(), in this process (conftest.run_build)."""
    return run_build(root, *args, env={"SOURCE_DATE_EPOCH": BUILD_EPOCH})


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_there_are_at_least_thirty_kinds():
    assert len(CASES) >= 30 and QUICK < set(CASES)


# The whole matrix builds a copy of the shipped site once per case, some 15 s: the quick loop (pytest -m
# "not slow") takes one case for each place that checks input; test_failures.py and test_check.py cover
# more on the fixture site, and test_markdown.py the Markdown limits.
QUICK = {
    "front matter not YAML",
    "unknown front matter key",
    "file not UTF-8",
    "symlink out of the project",
    "slug with ..",
    "unsafe alias",
    "two pages, one URL",
    "link to a missing anchor",
    "script link with a tab in data",
    "YAML that would construct a Python object",
    "reference to an unknown id",
    "unquoted comma in a language mapping",
    "site.yaml unknown key",
    "template prints a mapping",
    ".po placeholder differs",
}


@pytest.mark.parametrize(
    "name", [name if name in QUICK else pytest.param(name, marks=pytest.mark.slow) for name in CASES]
)
def test_bad_input_is_reported_and_loses_nothing(built_copy, tmp_path, name):
    root = tmp_path / "site"
    shutil.copytree(built_copy, root, symlinks=True)
    before = snapshot(root / "output")
    mutate, path, words = CASES[name]
    mutate(root)
    result = run(root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.startswith("build failed:")]
    assert lines, result.stderr
    for line in lines:
        assert PROBLEM_LINE.match(line), f"not 'path:line: problem; fix': {line}"
    assert any(line.startswith(f"{path}:") and words in line for line in lines), result.stderr
    assert snapshot(root / "output") == before


def test_wrong_command_line_exits_2(built_copy):
    for args in (["no-such-command"], ["serve", "--port", "many"], ["check", "--format", "xml"]):
        result = run(built_copy, *args)
        assert result.returncode == 2 and "usage:" in result.stderr


def test_a_file_that_disappears_during_the_build_is_reported(built_copy, tmp_path, monkeypatch):
    from sitegen.errors import BuildError
    from sitegen.loading import content
    from sitegen.loading.site import load_site

    root = tmp_path / "site"
    shutil.copytree(built_copy, root, symlinks=True)
    real_read = content.read_text

    def vanishing_read(path, *args):
        if path.name == "_index.en.md" and path.parent.name == "networking":
            path.unlink()
        return real_read(path, *args)

    monkeypatch.setattr(content, "read_text", vanishing_read)
    with pytest.raises(BuildError) as error:
        load_site(root)
    assert [str(p) for p in error.value.problems] == [
        (
            f"{PAGE}:1: the file disappeared while the site was being built; "
            "build again once the file is back or its removal is complete"
        )
    ]
