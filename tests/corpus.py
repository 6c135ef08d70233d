"""Markdown that nobody on this project wrote, from tests/fixtures/markdown/ (sources and licences there):
Python-Markdown's own test inputs, the CommonMark specification's examples and real documents."""

from __future__ import annotations

import functools
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "markdown"


@functools.cache
def foreign_markdown() -> dict[str, tuple[tuple[str, str], ...]]:
    """Set name -> ((where it comes from, Markdown), ...)."""
    legacy = FIXTURES / "python-markdown"
    return {
        "python-markdown files": tuple(
            (path.relative_to(FIXTURES).as_posix(), text_of(path))
            for path in sorted([*legacy.rglob("*.txt"), *legacy.rglob("*.text")])
        ),
        "python-markdown test_syntax": tuple(
            (item["source"], item["markdown"])
            for item in json.loads((legacy / "test_syntax.json").read_text(encoding="utf-8"))
        ),
        "commonmark spec": tuple(
            (f"commonmark example {item['example']}", item["markdown"])
            for item in json.loads((FIXTURES / "commonmark/spec.json").read_text(encoding="utf-8"))
        ),
        "real-world": tuple(
            (path.relative_to(FIXTURES).as_posix(), text_of(path))
            for path in sorted((FIXTURES / "real-world").glob("*.md"))
        ),
    }


def text_of(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # a few of Markdown.pl's tests are Latin-1


def all_inputs() -> tuple[str, ...]:
    return tuple(text for inputs in foreign_markdown().values() for _, text in inputs)
