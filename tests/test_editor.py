"""The browser editor under /admin/: shipped only when site.yaml enables it, its configuration made from the
site's schema, its own Content-Security-Policy, and the site's file formats in the browser (editor.js) giving
back what the generator reads. test_editor_browser.py drives it in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import FILES, PROJECT, require, run_build, write_site
from shipped import copy_sources
from sitegen.loading.schema import localize

EDITOR = """
editor:
  enabled: true
  backend: {name: gitlab, repo: body/site, branch: main, auth_type: pkce, app_id: abc}
"""


def fake_modules(root):
    """Decap CMS's and js-yaml's files as npm installs them, with stand-in contents."""
    dist = root / "editor/node_modules/decap-cms/dist"
    dist.mkdir(parents=True)
    for name in ("decap-cms.js", "103.decap-cms.js", "dd5d.wasm", "decap-cms.js.map", "cms.js"):
        (dist / name).write_text(f"/* {name} */", encoding="utf-8")
    browser = root / "editor/node_modules/js-yaml/dist/browser"
    browser.mkdir(parents=True)
    (browser / "js-yaml.umd.min.js").write_text("/* js-yaml */", encoding="utf-8")
    (root / "editor/node_modules/js-yaml/LICENSE").write_text("MIT", encoding="utf-8")


@pytest.fixture
def editor_site(tmp_path):
    root = write_site(tmp_path / "site", {**FILES, "site.yaml": FILES["site.yaml"] + EDITOR})
    fake_modules(root)
    return root


def test_turned_off_there_is_no_admin_folder_and_no_npm_is_needed(editor_site):
    assert run_build(editor_site, "build").returncode == 0
    assert (editor_site / "output/admin/index.html").exists()
    site_yaml = editor_site / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("enabled: true", "enabled: false"))
    shutil.rmtree(editor_site / "editor")
    assert run_build(editor_site, "build").returncode == 0
    assert not (editor_site / "output/admin").exists()


def test_the_editor_is_built_under_admin_with_only_what_a_browser_loads(editor_site):
    assert run_build(editor_site, "build").returncode == 0
    admin = editor_site / "output/admin"
    assert sorted(path.name for path in admin.iterdir()) == [
        "103.decap-cms.js",
        "config.yml",
        "dd5d.wasm",
        "decap-cms.js",
        "editor.js",
        "index.html",
        "js-yaml.LICENSE.txt",
        "js-yaml.min.js",
    ]
    assert (admin / "decap-cms.js").read_text() == "/* decap-cms.js */"
    # Not a page: no sitemap or feed lists it, and search engines are asked not to index it.
    output = editor_site / "output"
    for listing in ("sitemap.xml", "pl/aktualnosci/atom.xml", "en/news/atom.xml"):
        assert "admin" not in (output / listing).read_text(encoding="utf-8")
    page = (admin / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex, nofollow">' in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)[1]
    assert "script-src 'self' 'unsafe-eval';" in policy and "default-src 'none'" in policy
    assert "connect-src 'self' blob: https://gitlab.com;" in policy
    # No inline script: the policy needs no 'unsafe-inline' for scripts. The one data block is JSON.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [attrs for attrs, body in scripts if body] == [' type="application/json" id="site-editor"']


def test_the_configuration_is_made_from_the_front_matter_and_the_collections(editor_site):
    assert run_build(editor_site, "build").returncode == 0
    config = yaml.safe_load((editor_site / "output/admin/config.yml").read_text(encoding="utf-8"))
    assert config["backend"] == {
        "name": "gitlab",
        "repo": "body/site",
        "branch": "main",
        "auth_type": "pkce",
        "app_id": "abc",
    }
    assert "local_backend" not in config
    assert config["i18n"] == {"structure": "multiple_files", "locales": ["pl", "en"], "default_locale": "pl"}
    collections = {c["name"]: c for c in config["collections"]}
    assert sorted(collections) == [
        "data-partners",
        "data-projects",
        "pages",
        "pages-news",
        "pages-partners",
        "pages-projects",
    ]
    news = collections["pages-news"]
    assert (news["folder"], news["extension"], news["format"], news["i18n"]) == (
        "content/news",
        "md",
        "site-page",
        True,
    )
    fields = {f["name"]: f for f in news["fields"]}
    assert list(fields) == [
        "title",
        "slug",
        "description",
        "date",
        "updated",
        "draft",
        "template",
        "menu",
        "weight",
        "aliases",
        "extra",
        "body",
    ]
    assert fields["date"]["required"] is True  # the feed's section: a page without a date is in no feed
    assert collections["pages"]["fields"][3]["required"] is False
    assert (fields["date"]["widget"], fields["date"]["format"], fields["date"]["i18n"]) == (
        "datetime",
        "YYYY-MM-DD",
        "duplicate",
    )
    assert (fields["weight"]["widget"], fields["weight"]["value_type"]) == ("number", "int")
    assert (fields["draft"]["widget"], fields["extra"]["widget"]) == ("boolean", "hidden")
    assert fields["template"]["options"] == ["home.html", "page.html", "partner.html", "section.html"]
    assert fields["slug"]["pattern"][0] == "^[a-z0-9]+(?:[._-][a-z0-9]+)*$" and fields["slug"]["i18n"] is True

    partners = collections["data-partners"]
    assert partners["format"] == "site-records-partners"
    [file] = partners["files"]
    assert file["file"] == "content/data/partners.yaml"
    records = {f["name"]: f for f in file["fields"][0]["fields"]}
    assert list(records) == ["id", "name", "country", "projects"]
    assert [records[name]["required"] for name in records] == [True, True, True, False]
    country = records["country"]
    assert country["widget"] == "select" and {"label": "Polska (PL)", "value": "PL"} in country["options"]
    [project] = records["projects"]["fields"]
    assert project["widget"] == "select" and project["options"] == [{"label": "Alfa (alpha)", "value": "alpha"}]
    name = {f["name"]: f for f in collections["data-projects"]["files"][0]["fields"][0]["fields"]}["name"]
    assert [f["name"] for f in name["fields"]] == ["pl", "en"]  # a value per language


def test_editor_settings_are_checked_with_their_line(tmp_path):
    text = FILES["site.yaml"] + (
        "editor:\n  enabled: true\n  backend: {name: githb}\n  local_backend: yes please\n  theme: dark\n"
    )
    root = write_site(tmp_path / "site", {**FILES, "site.yaml": text})
    result = run_build(root, "build")
    assert result.returncode == 1
    assert "site.yaml:24: unknown editor backend 'githb'; did you mean 'github'?" in result.stderr
    assert "site.yaml:25: 'editor.local_backend' must be true, false or a port number" in result.stderr
    assert "site.yaml:26: unknown key 'theme' in editor" in result.stderr


def test_an_enabled_editor_without_npm_packages_says_what_to_install(tmp_path):
    root = write_site(tmp_path / "site", {**FILES, "site.yaml": FILES["site.yaml"] + EDITOR})
    result = run_build(root, "build")
    assert result.returncode == 1
    assert (
        "site.yaml:23: the editor is enabled, but Decap CMS is not installed in editor/node_modules; install it with"
        " Node.js and npm: npm ci --ignore-scripts --no-audit --no-fund --prefix editor" in result.stderr
    )


def test_an_alias_under_admin_would_hide_the_editor(editor_site):
    about = editor_site / "content/about.en.md"
    about.write_text(about.read_text().replace("menu: About\n", "menu: About\naliases: [/admin/]\n"))
    result = run_build(editor_site, "build")
    assert "/admin/index.html is both a page (or an alias) and part of the editor" in result.stderr


def node_formats(script: str) -> str:
    """Run script in Node.js with `formats` (editor.js) and `jsyaml` (the npm package) in scope."""
    node, yaml_module = shutil.which("node"), PROJECT / "editor/node_modules/js-yaml"
    require(node is not None and yaml_module.exists(), "needs Node.js and js-yaml: npm ci --prefix editor")
    prelude = (
        f"const jsyaml = require({json.dumps(str(yaml_module))});"
        f"const {{ formats }} = require({json.dumps(str(PROJECT / 'sitegen/rendering/editor.js'))});"
    )
    result = subprocess.run([node, "-e", prelude + script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_what_the_editor_saves_of_the_shipped_data_reads_back_the_same(tmp_path):
    """Every data collection of the shipped site through the editor's format, read and written back
    unchanged: PyYAML reads the same values in each language, and `check` passes."""
    root = copy_sources(tmp_path / "site")
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + EDITOR)
    fake_modules(root)
    assert run_build(root, "build").returncode == 0
    page = (root / "output/admin/index.html").read_text(encoding="utf-8")
    hints = json.loads(re.search(r'id="site-editor">(.*?)</script>', page, re.S)[1])
    assert hints["collections"]["partners"]["localized"] == ["city", "name_translated", "note"]
    script = f"""
const fs = require('fs'); const site = {json.dumps(hints)}; const made = formats(jsyaml, site);
for (const [name, collection] of Object.entries(site.collections)) {{
  const path = {json.dumps(str(root))} + '/content/data/' + name + '.yaml';
  const format = made.records(collection);
  fs.writeFileSync(path + '.saved', format.toFile(format.fromFile(fs.readFileSync(path, 'utf8'))));
}}"""
    node_formats(script)
    for name in hints["collections"]:
        path = root / f"content/data/{name}.yaml"
        before, after = yaml.safe_load(path.read_text()), yaml.safe_load(path.with_suffix(".yaml.saved").read_text())
        for lang in ("pl", "en"):
            assert localize(after, lang, ("pl", "en")) == localize(before, lang, ("pl", "en")), name
        saved = path.with_suffix(".yaml.saved").read_text()
        assert saved.startswith(path.read_text().split("\n- ", 1)[0]), "the comments above the first record stay"
        path.with_suffix(".yaml.saved").replace(path)
    (root / "site.yaml").write_text((root / "site.yaml").read_text().replace(EDITOR, ""))
    assert run_build(root, "check").returncode == 0


def test_pages_are_written_as_the_generator_reads_them():
    """Text that YAML 1.1 would read as true, false or a number stays text; a date stays a date; empty
    values go; keys follow the front matter's order."""
    site = {"languages": ["pl", "en"], "frontMatter": ["title", "slug", "date", "draft", "extra"]}
    script = f"""
const made = formats(jsyaml, {json.dumps(site)});
const page = made.page.fromFile('---\\ntitle: "no"\\ndate: 2026-11-20\\n---\\nText.\\n');
process.stdout.write(JSON.stringify(page) + '\\n');
process.stdout.write(made.page.toFile({{extra: {{project: 'alpha'}}, draft: false, slug: '', title: 'On', date: '2026-11-21', body: 'Body'}}));
"""
    first, written = node_formats(script).split("\n", 1)
    assert json.loads(first) == {"title": "no", "date": "2026-11-20", "body": "Text.\n"}
    assert written == "---\ntitle: 'On'\ndate: 2026-11-21\ndraft: false\nextra: {project: alpha}\n---\nBody\n"


def test_the_server_headers_give_admin_the_editors_own_policy(tmp_path):
    """The site's strict policy, sent as a header, would be enforced beside the page's own and block the
    editor: the generated _headers gives /admin/ the editor's policy instead."""
    root = copy_sources(tmp_path / "site")
    (root / "site.yaml").write_text((root / "site.yaml").read_text() + EDITOR)
    fake_modules(root)
    assert run_build(root, "build").returncode == 0
    headers = (root / "output/_headers").read_text()
    rule = headers[headers.index("/admin/*") :].split("\n/", 1)[0]
    assert "! Content-Security-Policy" in rule and "'unsafe-eval'" in rule, rule
    site_wide = headers[headers.index("/*") :].split("\n/", 1)[0]
    assert "'unsafe-eval'" not in site_wide
