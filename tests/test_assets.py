"""`build` minifies HTML and CSS and fingerprints assets; the preview keeps files as written."""

from __future__ import annotations

import re

from conftest import run_build
from html_query import Page
from sitegen.output.assets import fingerprinted, load_assets, rewrite_css_urls


def test_build_fingerprints_and_rewrites_references(site_root):
    (site_root / "static/css").mkdir()
    (site_root / "static/css/site.css").write_text("body {\n  background: url(../logo.svg);\n}\n/* note */\n")
    base = site_root / "templates/base.html"
    base.write_text(
        base.read_text().replace("</title>", '</title><link rel="stylesheet" href="{{ static(\'css/site.css\') }}">')
    )
    assert run_build(site_root).returncode == 0
    out = site_root / "output"
    page = Page.read(out / "pl/index.html")
    css_href = page.find("link", rel="stylesheet").attrs["href"]
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{10}\.css", css_href)
    css = (out / css_href.lstrip("/")).read_text()
    logo = re.fullmatch(r"/static/(logo\.[0-9a-f]{10}\.svg)", page.find("img").attrs["src"])[1]
    assert css == f"body{{background:url(../{logo})}}\n"
    assert not (out / "static/css/site.css").exists()


def test_build_minifies_html(site_root):
    assert run_build(site_root).returncode == 0
    html = (site_root / "output/pl/o-programie/index.html").read_text()
    assert "\n<" not in html and html.startswith("<!doctype html><html lang=pl>")


def test_fingerprint_changes_with_content():
    assert fingerprinted("css/site.css", b"a") != fingerprinted("css/site.css", b"b")
    assert fingerprinted("css/site.css", b"a").startswith("css/site.")


def test_css_urls_outside_static_are_left_alone():
    assert rewrite_css_urls("a{b:url(https://x/y.png)}", "css/a.css", {}) == "a{b:url(https://x/y.png)}"
    assert (
        rewrite_css_urls("a{b:url('../i.svg')}", "css/a.css", {"i.svg": "static/i.1234.svg"})
        == "a{b:url(../i.1234.svg)}"
    )


def test_preview_assets_keep_their_names(tmp_path):
    (tmp_path / "a.css").write_text("a {  color: red; }")
    assets = load_assets(tmp_path, ("a.css",), production=False)
    assert assets.paths == {"a.css": "static/a.css"} and assets.files["static/a.css"] == b"a {  color: red; }"


def test_documents_keep_their_names_in_a_build(tmp_path):
    """Files under static/documents/ are linked to from elsewhere and saved by visitors: no hash in the name."""
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents/raport roczny.pdf").write_bytes(b"%PDF-1.7")
    (tmp_path / "a.css").write_text("a { color: red; }")
    assets = load_assets(tmp_path, ("a.css", "documents/raport roczny.pdf"), production=True)
    assert assets.paths["documents/raport roczny.pdf"] == "static/documents/raport roczny.pdf"
    assert assets.files["static/documents/raport roczny.pdf"] == b"%PDF-1.7"
    assert re.fullmatch(r"static/a\.[0-9a-f]{10}\.css", assets.paths["a.css"])
