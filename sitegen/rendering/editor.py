"""The browser editor under /admin/ (README, "The browser editor"): its page, with a Content-Security-Policy
of its own, the configuration made from the site's schema (editor_config.py), the site's file formats for
the editor (editor.js), and Decap CMS's and js-yaml's files as npm installed them. None of it is a page: no
sitemap, feed or menu lists it, and the page asks search engines not to index it."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..errors import Problem
from ..loading.config import CONFIG_FILE, Editor
from ..loading.content import FRONT_MATTER
from ..loading.site import Site
from .editor_config import COMMENTS, RECORDS, decap_config

FOLDER = "admin/"
GLUE = Path(__file__).with_name("editor.js")
# Where each git host's API answers unless `api_root` says otherwise (Decap CMS's defaults).
API_ROOTS = {
    "github": "https://api.github.com",
    "gitlab": "https://gitlab.com",
    "gitea": "https://try.gitea.io",
    "bitbucket": "https://api.bitbucket.org",
    "azure": "https://dev.azure.com",
}
HEADER = "# Made by the build from site.yaml and the site's pages and data: change those, not this file.\n"


class Dumper(yaml.SafeDumper):
    """Every value written out where it stands: no YAML anchors and aliases for shared settings."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def editor_files(site: Site) -> tuple[dict[str, bytes], list[Problem]]:
    editor = site.config.editor
    assert editor is not None, "called only when the editor is enabled"
    config = decap_config(site)
    files = {
        FOLDER + "index.html": index_page(site, editor, config).encode("utf-8"),
        FOLDER + "config.yml": (
            HEADER + yaml.dump(config, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1000)
        ).encode("utf-8"),
        FOLDER + "editor.js": GLUE.read_bytes(),
    }
    problems = []
    for name, path in site.editor_files.items():
        try:
            files[name] = (site.config.root / path).read_bytes()
        except OSError as error:
            problems.append(Problem(path, 1, f"cannot read the editor's file: {error.strerror}", "install it again"))
    return files, problems


def index_page(site: Site, editor: Editor, config: Mapping[str, Any]) -> str:
    config_site = site.config
    hints = {
        "languages": list(config_site.language_codes),
        "frontMatter": list(FRONT_MATTER),
        "records": RECORDS,
        "comments": COMMENTS,
        "collections": {
            collection["name"].removeprefix("data-"): {
                "localized": sorted(localized_paths(records(collection), config_site.language_codes)),
                "order": list(dict.fromkeys(field_names(records(collection)))),
            }
            for collection in config["collections"]
            if "files" in collection
        },
    }
    data = json.dumps(hints, sort_keys=True).replace("</", "<\\/")
    title = html.escape(f"{config_site.title.get(config_site.default_language) or ''} – editor")
    return f"""<!DOCTYPE html>
<html lang="{html.escape(editor.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="same-origin">
<meta http-equiv="Content-Security-Policy" content="{html.escape(content_security_policy(editor), quote=False)}">
<title>{title}</title>
<script type="application/json" id="site-editor">{data}</script>
<script src="editor.js"></script>
<script src="js-yaml.min.js"></script>
<script src="decap-cms.js"></script>
</head>
<body></body>
</html>
"""


def records(collection: Mapping[str, Any]) -> Mapping[str, Any]:
    """The list field of a data collection's one file (editor_config.data_collections)."""
    return collection["files"][0]["fields"][0]


def field_names(field: Mapping[str, Any]) -> Iterator[str]:
    """Every field's name under a field, depth first: the order the editor writes keys in."""
    for child in [*field.get("fields", ()), *([field["field"]] if "field" in field else [])]:
        yield child["name"]
        yield from field_names(child)


def localized_paths(field: Mapping[str, Any], languages: tuple[str, ...], prefix: str = "") -> Iterator[str]:
    """The dotted paths, from a record, of the fields that hold a value per language: objects (or lists of
    them) whose fields are the site's languages (editor_config.localized)."""
    for child in field.get("fields", ()):
        path = prefix + child["name"]
        if any(is_localized_field(f, languages) for f in (child, child.get("field") or {})):
            yield path
        else:
            yield from localized_paths(child, languages, path + ".")


def is_localized_field(field: Mapping[str, Any], languages: tuple[str, ...]) -> bool:
    return field.get("widget") == "object" and tuple(f["name"] for f in field.get("fields", ())) == languages


def content_security_policy(editor: Editor) -> str:
    """The editor's own policy, as strict as Decap CMS allows: its scripts from this folder only, and
    connections to this site, the git host's API and sign-in addresses named in the backend settings, and
    decap-server on this machine when local editing is on. Two allowances Decap CMS 3 cannot do without:
    'unsafe-eval', as it checks its configuration with Ajv, which compiles its checks with new Function();
    and 'unsafe-inline' styles, which its scripts insert (emotion). Avatars come from the git host's image
    servers, which differ by host: any https image."""
    connect = ["'self'", "blob:", *backend_origins(editor.backend)]
    if editor.local_port:
        connect.append(f"http://localhost:{editor.local_port}")
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", "https:"],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": connect,
        "base-uri": ["'self'"],
        "form-action": ["'none'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def backend_origins(backend: Mapping[str, Any]) -> list[str]:
    urls = [API_ROOTS.get(str(backend.get("name")), "")]
    urls += [value for value in backend.values() if isinstance(value, str) and value.startswith(("https:", "http:"))]
    origins = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return list(dict.fromkeys(origins))


def collisions(paths: Iterable[str]) -> list[Problem]:
    """A page or an alias under /admin/ would be overwritten by the editor, or hide it."""
    taken = sorted(path for path in paths if path.startswith(FOLDER))
    return [
        Problem(
            CONFIG_FILE,
            1,
            f"/{path} is both a page (or an alias) and part of the editor under /{FOLDER}",
            "move the page or the alias elsewhere: /admin/ belongs to the editor while it is enabled",
        )
        for path in taken
    ]
