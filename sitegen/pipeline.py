"""The whole build in one readable function: load -> render -> check -> write."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError
from .render import SiteRenderer
from .site import Page, Site, load_site
from .writer import WriteReport, write_output


@dataclass(frozen=True)
class BuildResult:
    site: Site
    report: WriteReport
    missing_translations: tuple[Page, ...]


def render_site(root: Path, base_url: str | None = None, drafts: bool = False,
                production: bool = True) -> tuple[Site, dict[str, bytes], list[Page]]:
    """Everything is rendered and checked in memory; a BuildError means nothing may be written."""
    site = load_site(root, base_url, drafts)
    output = SiteRenderer(site, production).render()
    if output.problems:
        raise BuildError(output.problems)
    return site, output.files, output.missing_translations


def build(root: Path, base_url: str | None = None, drafts: bool = False, production: bool = True) -> BuildResult:
    """`build` minifies and fingerprints; the preview (drafts=True, production=False) keeps files readable."""
    site, files, missing = render_site(root, base_url, drafts, production)
    report = write_output(files, site.config.path("output"))
    return BuildResult(site, report, tuple(missing))
