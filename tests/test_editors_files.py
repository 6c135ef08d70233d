"""Files as the common editors save them on Windows, macOS and Linux build exactly as plain UTF-8 files do:
byte order marks, UTF-16, CRLF and CR line ends, decomposed letters (NFD) in text and in file names, and no
final newline. Every source kind is rewritten: site.yaml, pages, data, templates and catalogues."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from builds import tree
from conftest import FILES, run_build, write_site

# A page whose file name has Polish letters, linked by that name from another page.
EXTRA = {
    "content/news/łódź.pl.md": "---\ntitle: Spotkanie w Łodzi\ndate: 2012-03-01\n---\nZażółć gęślą jaźń.\n",
    "content/news/łódź.en.md": "---\ntitle: Meeting in Łódź\ndate: 2012-03-01\n---\nA meeting in Łódź.\n",
}
SITE = {
    **FILES,
    **EXTRA,
    "content/about.pl.md": FILES["content/about.pl.md"] + "\nZobacz też [spotkanie](news/łódź.md).\n",
}
TEXT_FILES = [name for name in SITE if not name.startswith("static/")]


def windows(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def windows_unicode(text: str) -> bytes:
    return b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le")


def utf16_big_endian(text: str) -> bytes:
    return b"\xfe\xff" + text.encode("utf-16-be")


def classic_mac(text: str) -> bytes:
    return text.replace("\n", "\r").encode("utf-8")


def decomposed(text: str) -> bytes:
    return unicodedata.normalize("NFD", text).encode("utf-8")


def no_final_newline(text: str) -> bytes:
    return text.rstrip("\n").encode("utf-8")


SAVES = {
    "UTF-8 with BOM and CRLF": windows,
    "UTF-16 LE with BOM and CRLF": windows_unicode,
    "UTF-16 BE with BOM": utf16_big_endian,
    "CR line ends": classic_mac,
    "NFD letters": decomposed,
    "no final newline": no_final_newline,
}


def built(root: Path) -> dict[str, bytes]:
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return tree(root / "output")


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> dict[str, bytes]:
    return built(write_site(tmp_path_factory.mktemp("plain") / "site", SITE))


@pytest.mark.parametrize("save", SAVES)
def test_saved_by_another_editor_builds_the_same(plain, tmp_path, save):
    root = write_site(tmp_path / "site", SITE)
    for name in TEXT_FILES:
        target = root / name
        if save == "NFD letters":  # macOS: decomposed file names too
            target.unlink()
            target = root / unicodedata.normalize("NFD", name)
        target.write_bytes(SAVES[save](SITE[name]))
    assert "pl/aktualnosci/lodz/index.html" in plain
    assert built(root) == plain


def test_a_file_that_claims_utf16_and_is_not_says_so(tmp_path):
    root = write_site(tmp_path / "site", SITE)
    (root / "content/about.en.md").write_bytes(b"\xff\xfe---\ntitle: About\n---\nx")
    result = run_build(root)
    assert (
        result.returncode == 1
        and "content/about.en.md:1: the file starts as UTF-16-LE text but is not" in result.stderr
    )
