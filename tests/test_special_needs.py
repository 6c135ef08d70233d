"""What the act of 19 July 2019 on ensuring accessibility for persons with special needs asks of a public
body's website (art. 6 pkt 3 lit. c): information in easy-to-read text (ETR), in Polish sign language (PJM) and
as machine-readable text, all three linked from every page with their signs and text labels."""

from __future__ import annotations

import re

import pytest

from html_query import Page
from shipped import BUILD_EPOCH, build_copy, copy_sources
from sitegen.commands.check import check_site

FORMS = ("easy-read.md", "sign-language.md")


def published(site):
    return [p for p in site.pages if not p.missing]


def test_every_page_links_to_the_three_forms_with_a_sign_and_words(shipped):
    output, site = shipped
    for page in published(site):
        html = Page.read(
            output / page.path.lstrip("/") / "index.html" if page.path.endswith("/") else output / page.path
        )
        nav = [a for a in html.find_all("a") if "nav" in a.parents and "header" in a.parents and a.attrs.get("href")]
        targets = {site.config.base_path + site.page(key, page.lang).path for key in FORMS}
        found = {a.attrs["href"] for a in nav}
        assert targets <= found, page.path
        text_files = [a for a in nav if a.attrs.get("href", "").endswith(".txt")]
        assert len(text_files) == 1, page.path
        for link in [a for a in nav if a.attrs["href"] in targets] + text_files:
            assert link.text.strip(), f"{page.path}: a sign without words"
        signs = [img for img in html.find_all("img") if "nav" in img.parents and "header" in img.parents]
        assert len(signs) >= 3 and all(img.attrs.get("alt", "x") in ("", None) for img in signs[:3])


def test_the_text_files_are_utf8_plain_text_in_each_language(shipped):
    output, site = shipped
    seen = set()
    for lang in site.config.language_codes:
        html = Page.read(output / site.page("_index.md", lang).path.lstrip("/") / "index.html")
        link = next(a for a in html.find_all("a") if a.attrs.get("href", "").endswith(".txt"))
        path = output / link.attrs["href"].removeprefix(site.config.base_path)
        text = path.read_bytes().decode("utf-8")  # fails on anything but UTF-8
        assert not text.startswith("\ufeff") and "<" not in text
        assert {"pl": "ą", "en": "the"}[lang] in text
        # A stable address, and the link says the format and size in the page's language.
        assert link.attrs["href"] == site.config.base_path + "static/documents/" + path.name
        size = f"{path.stat().st_size / 1000:.1f}".replace(".", "," if lang == "pl" else ".")
        assert f"(TXT, {size}\u00a0kB)" in link.text
        seen.add(link.attrs["href"])
    assert len(seen) == len(site.config.language_codes)


def sentences(markdown: str) -> list[str]:
    body = markdown.split("\n---\n", 1)[1]
    prose = [line for line in body.splitlines() if line.strip() and not line.startswith("#")]
    return [s for line in prose for s in re.split(r"(?<=[.?!])\s+", line.lstrip("- ").strip()) if s]


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_easy_read_page_keeps_to_the_rules_we_can_measure(lang):
    """Short sentences, one sentence per line and paragraph, headings that say what follows."""
    from conftest import PROJECT

    source = (PROJECT / f"content/easy-read.{lang}.md").read_text()
    found = sentences(source)
    assert len(found) > 30
    long = [s for s in found if len(s.split()) > 12]
    assert long == []
    body = source.split("\n---\n", 1)[1]
    paragraphs = [p for p in body.split("\n\n") if p.strip() and not p.lstrip().startswith(("#", "-"))]
    assert all(len(re.findall(r"[.?!:](\s|$)", p.strip())) == 1 for p in paragraphs), paragraphs
    assert len(re.findall(r"^## .+\?$", body, re.M)) >= 5  # questions a reader would ask
    # No abbreviations: the projects' names are names, not abbreviations to explain.
    names_aside = body.replace("SMEGoNET", "").replace("GoSmart BSR", "")
    assert re.findall(r"\b[A-ZĄĆĘŁŃÓŚŹŻ]{2,}\b", names_aside) == []


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
    return copy_sources(tmp_path / "site")


def test_without_a_recording_the_sign_language_page_says_so_and_check_warns(root):
    found = [str(p) for p in check_site(root)]
    for lang in ("pl", "en"):
        assert (
            f"content/sign-language.{lang}.md:1: warning: the page has no recording in Polish Sign Language (PJM) yet"
            in "\n".join(found)
        )


def test_a_recording_is_a_native_video_with_captions_and_never_plays_by_itself(root):
    video = root / "static/video"
    video.mkdir()
    for name in ("pjm.webm", "pjm.mp4", "pjm.pl.vtt", "pjm.en.vtt", "pjm.jpg"):
        (video / name).write_bytes(b"WEBVTT\n\n" if name.endswith(".vtt") else b"\0")
    for lang in ("pl", "en"):
        source = root / f"content/sign-language.{lang}.md"
        text = source.read_text()
        for key, value in (
            ("webm", "pjm.webm"),
            ("mp4", "pjm.mp4"),
            ("captions", f"pjm.{lang}.vtt"),
            ("poster", "pjm.jpg"),
        ):
            text = text.replace(f'    {key}: ""', f"    {key}: video/{value}")
        source.write_text(text)
    assert not [p for p in check_site(root) if "recording" in p.message]
    result = build_copy(root, copy=False)
    page = Page.read(root / "output" / result.site.page("sign-language.md", "pl").path.lstrip("/") / "index.html")
    player = page.find("video")
    assert "controls" in player.attrs and "autoplay" not in player.attrs
    assert [s.attrs["type"] for s in page.find_all("source")] == ["video/webm", "video/mp4"]
    track = page.find("track")
    assert track.attrs["kind"] == "captions" and track.attrs["srclang"] == "pl" and "default" in track.attrs
    assert not page.find_all("iframe") and not page.find_all("script", src=None)[1:]
