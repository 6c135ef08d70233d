"""`new`: a page pair with front matter in every language, for editors who start from a command."""

from __future__ import annotations

from pathlib import Path

from ..errors import BuildError, Problem
from ..loading.config import load_config
from ..loading.files import relative
from ..loading.urls import is_safe_slug, slugify

SKELETON = '---\ntitle: {title}\ndescription: ""\n---\n\n## {heading}\n\n'
SKELETON_TEXT = {"pl": ("Nowa strona", "Pierwsza sekcja"), "en": ("New page", "First section")}


def new_page(root: Path, name: str) -> int:
    config = load_config(root)
    parts = [part for part in name.strip("/").split("/") if part]
    if not parts or not all(is_safe_slug(part) or part == "_index" for part in parts):
        raise BuildError(
            [
                Problem(
                    "(command line)",
                    1,
                    f"'{name}' is not a usable page path",
                    f"use lower-case words and hyphens, e.g. news/{slugify(name) or 'my-page'}",
                )
            ]
        )
    folder = config.path("content").joinpath(*parts[:-1])
    created = []
    for language in config.languages:
        path = folder / f"{parts[-1]}.{language.code}.md"
        if path.exists():
            raise BuildError([Problem(relative(path, root), 1, "this page already exists", "choose another name")])
    folder.mkdir(parents=True, exist_ok=True)
    for language in config.languages:
        path = folder / f"{parts[-1]}.{language.code}.md"
        title, heading = SKELETON_TEXT.get(language.code, ("New page", "First section"))
        path.write_text(SKELETON.format(title=title, heading=heading), encoding="utf-8")
        created.append(relative(path, root))
    for shown in created:
        print(shown)
    return 0
