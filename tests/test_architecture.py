"""The package's shape, as ARCHITECTURE.md describes it: the rules a change could break unnoticed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sitegen"
# Layers that must work without the speed layer and never reach up to the commands.
FORBIDDEN = {
    "loading": ("speed", "commands", "rendering", "output"),
    "rendering": ("speed", "commands"),
    "output": ("speed", "commands", "rendering"),
}


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every sitegen module a file imports, as a dotted name, with the line; at any depth (imports inside
    functions count: they run)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names = [f"{module}.{alias.name}" for alias in node.names] if not node.module else [module]
            found += [(name, node.lineno) for name in names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return [(name, line) for name, line in found if name.split(".")[0] == "sitegen"]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_nothing_from_the_speed_layer_or_above(layer: str) -> None:
    crossings = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name, line in imported_modules(path)
        if name.split(".")[1] in FORBIDDEN[layer]
    ]
    assert crossings == []


def test_the_import_check_sees_relative_imports(tmp_path: Path) -> None:
    """The check above would pass on a package it cannot read: show that it finds a crossing."""
    module = PACKAGE / "rendering" / "views.py"
    names = [name for name, _ in imported_modules(module)]
    assert "sitegen.loading.site" in names
    source = module.read_text(encoding="utf-8")
    assert "from ..loading.site import" in source


def test_every_module_is_in_a_layer() -> None:
    """New modules go into a sub-package by concern; only shared basics stay at the top."""
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "clock.py", "digests.py", "errors.py"]


def test_the_generator_knows_nothing_of_the_programme() -> None:
    """Partners, projects and programmes are the site's data and templates, never the generator's words."""
    words = re.compile(r"partner|project|programme|smegonet|gosmart", re.IGNORECASE)
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if words.search(line.replace("project=", ""))
    ]  # Babel's Catalog(project=...) is its own word
    assert found == []
