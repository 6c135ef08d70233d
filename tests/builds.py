"""Building a test site and reading back what it wrote, for the rebuild tests."""

from __future__ import annotations

import os
import time
from pathlib import Path

from sitegen.commands.pipeline import build
from sitegen.errors import BuildError
from sitegen.loading.site import load_site
from sitegen.rendering.plain import render_site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(root: Path, drafts: bool = False, production: bool = True) -> dict[str, bytes] | str:
    """The site as the plain path makes it from scratch (no cache, no output/, stock Markdown): what every
    build of the speed layer must equal, byte for byte."""
    try:
        return render_site(load_site(root, drafts=drafts), production=production)
    except BuildError as error:
        return "\n".join(str(p) for p in error.problems).replace(str(root), "")


def built(root: Path, **options) -> dict[str, bytes] | str:
    try:
        build(root, **options)
    except BuildError as error:
        return "\n".join(str(p) for p in error.problems).replace(str(root), "")
    return tree(root / "output")


def backdate_sources(root: Path) -> None:
    """Sources saved within two seconds of a build are never trusted by stat alone (git's 'racy' case)."""
    old = time.time() - 60
    for path in root.rglob("*"):
        if path.is_file() and not {"output", ".cache"} & set(path.relative_to(root).parts):
            os.utime(path, (old, old))


# Templates that show other pages' summaries and HTML, so that a body edit reaches pages besides its own.
SHOWING_OTHERS = {
    "templates/section.html": "{% extends 'base.html' %}{% block main %}{{ page.content }}<ul>{% for c in children %}"
    '<li><a href="{{ c.url }}">{{ c.title }}</a> {{ c.summary }}</li>{% endfor %}</ul>{% endblock %}',
    "templates/home.html": "{% extends 'base.html' %}{% block main %}{{ page.content }}"
    "{% for n in children_of('news/_index.md') %}<article>{{ n.content }}</article>{% endfor %}"
    "<p>{{ page_for('about.md').summary }}</p><p>{{ page_for('projects/alpha.md').description }}</p>"
    "<p>{{ children_of('projects/_index.md') | map(attribute='summary') | join(' ') }}</p>{% endblock %}",
}
