"""Where the browser editor's files come from: Decap CMS and js-yaml, installed from npm into editor/.

The build copies only what a browser loads (Decap's bundle, the chunks it loads on demand, its WebAssembly,
and js-yaml's browser build) and needs none of it, nor npm, unless site.yaml enables the editor.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import Problem
from .config import CONFIG_FILE, Config
from .files import FileStatus, scan

MODULES = "editor/node_modules"  # `npm ci --prefix editor` puts the packages of editor/package-lock.json here
DECAP = f"{MODULES}/decap-cms/dist"
YAML = f"{MODULES}/js-yaml"
INSTALL = "npm ci --ignore-scripts --no-audit --no-fund --prefix editor"


def is_runtime(path: str) -> bool:
    """The files of decap-cms/dist a browser may load: the bundle, its chunks, its WebAssembly, the licence."""
    name = path.rsplit("/", 1)[-1]
    return name == "decap-cms.js" or name.endswith((".decap-cms.js", ".wasm", "decap-cms.js.LICENSE.txt"))


def list_runtime(config: Config) -> dict[str, FileStatus]:
    """The editor's files by their path from the site's folder, as listing them tells (empty without the
    editor): the build copies them, and the no-change check sees an upgrade."""
    if config.editor is None:
        return {}
    found = {path: status for path, status in scan(config.root / DECAP, config.root).items() if is_runtime(path)}
    for name in ("dist/browser/js-yaml.umd.min.js", "LICENSE"):
        path = config.root / YAML / name
        if path.is_file():
            status = path.stat()
            found[f"{YAML}/{name}"] = FileStatus(status.st_size, status.st_mtime_ns, status.st_ino, path.is_symlink())
    return found


def runtime_files(config: Config, listing: Mapping[str, FileStatus]) -> tuple[dict[str, str], list[Problem]]:
    """Each file under /admin/ that comes from npm -> its path from the site's folder; or the problem that the
    packages are not installed."""
    if config.editor is None:
        return {}, []
    files = {}
    for path in sorted(listing):
        if path.startswith(DECAP + "/") and is_runtime(path):
            files["admin/" + Path(path).name] = path
    if f"{YAML}/dist/browser/js-yaml.umd.min.js" in listing:
        files["admin/js-yaml.min.js"] = f"{YAML}/dist/browser/js-yaml.umd.min.js"
        files["admin/js-yaml.LICENSE.txt"] = f"{YAML}/LICENSE"
    if "admin/decap-cms.js" in files and "admin/js-yaml.min.js" in files:
        return files, []
    return {}, [
        Problem(
            CONFIG_FILE,
            config.editor.line,
            f"the editor is enabled, but Decap CMS is not installed in {MODULES}",
            f"install it with Node.js and npm: {INSTALL} (or set 'editor: {{enabled: false}}')",
        )
    ]
