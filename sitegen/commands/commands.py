"""The commands besides build and serve: check, new, i18n. Each returns an exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import BuildError, Problem
from ..loading.config import load_config
from ..loading.content import FILE_NAME
from ..loading.files import relative, walk
from ..loading.site import load_site
from ..loading.urls import is_safe_slug, slugify
from .catalogs import catalog_status, change_order, extract, template_path, update, write_catalog
from .check import check_site

SKELETON = '---\ntitle: {title}\ndescription: ""\n---\n\n## {heading}\n\n'
SKELETON_TEXT = {"pl": ("Nowa strona", "Pierwsza sekcja"), "en": ("New page", "First section")}


def check(root: Path, output_format: str) -> int:
    problems = check_site(root)
    if output_format == "json":
        print(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            print(problem)
        print(f"check: {len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
    return 1 if problems else 0


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


def i18n(root: Path, action: str) -> int:
    config = load_config(root)
    if action == "extract":
        catalog = extract(config)
        write_catalog(catalog, template_path(config))
        print(f"{relative(template_path(config), root)}: {len([m for m in catalog if m.id])} strings")
    elif action == "update":
        for path in update(config):
            print(path)
    else:
        print_status(root, config)
    return 0


def print_status(root: Path, config) -> None:
    for language in config.languages:
        status = catalog_status(config, language.code)
        print(
            f"{language.code}: {status.translated} translated ({status.percent(status.translated)}), "
            f"{status.fuzzy} fuzzy ({status.percent(status.fuzzy)}), "
            f"{status.untranslated} untranslated ({status.percent(status.untranslated)}) of {status.total}"
            + (f"; {status.missing} not yet in the catalogue (run 'i18n update')" if status.missing else "")
        )
    try:
        site = load_site(root)
    except BuildError as error:
        print("pages: the site cannot be loaded, so page status is unknown:")
        for problem in error.problems:
            print(f"  {problem}")
        return
    missing = [p for p in site.pages if p.missing]
    print(f"pages without a translation: {len(missing)}")
    for page in missing:
        print(f"  {page.source}: no {page.lang} version")
    outdated = outdated_translations(root, config)
    print(f"translations older than their source: {len(outdated)}")
    for source, translation in outdated:
        print(f"  {translation} was last changed before {source}")


def outdated_translations(root: Path, config) -> list[tuple[str, str]]:
    """Pairs (source, translation) where the source in the default language changed after the translation."""
    files = [p for p in walk(config.path("content"), root) if FILE_NAME.match(p.name)]
    order = change_order(root, files)
    default = config.default_language
    result = []
    for path in files:
        match = FILE_NAME.match(path.name)
        if match is None or match["lang"] != default:  # never None: files holds only names that match
            continue
        for language in config.language_codes[1:]:
            translation = path.with_name(f"{match['name']}.{language}.md")
            if translation in order and order[path] > order[translation]:
                result.append((relative(path, root), relative(translation, root)))
    return result
