"""Links to documents: a file's format, size and language in the page's language, worked out at build time
from the file itself."""

from __future__ import annotations

import re

import pytest

from builds import backdate_sources, clean_build, tree
from conftest import FILES, write_site
from html_query import Page
from sitegen.commands.pipeline import build
from sitegen.errors import BuildError
from sitegen.loading.i18n import Formatter
from sitegen.loading.site import load_site
from sitegen.rendering.documents import file_format
from sitegen.rendering.plain import render_site

POLISH, ENGLISH = Formatter("pl", "pl_PL"), Formatter("en", "en_GB")


@pytest.mark.parametrize(
    "size, polish, english",
    [
        (1_234_567, "1,2 MB", "1.2 MB"),
        (12_345_678, "12,3 MB", "12.3 MB"),
        (1_234, "1,2 kB", "1.2 kB"),
        (345_678, "345,7 kB", "345.7 kB"),
        (1_000, "1,0 kB", "1.0 kB"),
        (999_950, "1,0 MB", "1.0 MB"),  # not "1000,0 kB"
        (1_234_567_890, "1,2 GB", "1.2 GB"),
        (999, "999 bajtów", "999 bytes"),
        (22, "22 bajty", "22 bytes"),
        (1, "1 bajt", "1 byte"),
        (0, "0 bajtów", "0 bytes"),
    ],
)
def test_sizes_are_written_in_the_pages_language_in_decimal_units(size, polish, english):
    nbsp = "\u00a0"  # the number and its unit are never split across lines
    assert POLISH.file_size(size) == polish.replace(" ", nbsp)
    assert ENGLISH.file_size(size) == english.replace(" ", nbsp)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("documents/report.pdf", "PDF"),
        ("documents/Umowa.DOCX", "DOCX"),
        ("a.xlsx", "XLSX"),
        ("a.odt", "ODT"),
        ("a.ods", "ODS"),
        ("dane/a.csv", "CSV"),
        ("a.txt", "TXT"),
        ("archive.tar.gz", "GZ"),
        ("photo.jpg", "JPEG"),
        ("README", ""),
    ],
)
def test_the_format_is_named_by_the_extension(name, expected):
    assert file_format(name) == expected


REPORT = 1_234_567  # bytes
TEMPLATE = """{% extends 'base.html' %}{% block main %}{{ page.content }}
<p class="link">{{ document_link('documents/raport.pdf', 'Raport & co', lang=other) }}</p>
{% set file = document('documents/raport.pdf') %}
<p class="fields">{{ file.url }}|{{ file.format }}|{{ file.size }}|{{ file.size_text }}|{{ file.details }}</p>
{% endblock %}"""


def documents_site(tmp_path, template=TEMPLATE, pl_body="", en_body="", other="'en'"):
    """The fixture site with a report under static/documents/, a text file beside the stylesheet's place,
    and a page in each language that shows them."""
    root = write_site(
        tmp_path / "site",
        {
            **FILES,
            "templates/reports.html": template.replace("other", other),
            "content/reports.pl.md": f"---\ntitle: Raporty\nslug: raporty\ntemplate: reports.html\n---\n{pl_body}",
            "content/reports.en.md": f"---\ntitle: Reports\ntemplate: reports.html\n---\n{en_body}",
        },
    )
    (root / "static/documents").mkdir()
    (root / "static/documents/raport.pdf").write_bytes(b"%" * REPORT)
    (root / "static/dane.txt").write_bytes(b"a;b\n1;2\n")
    return root


def pages(root, production=False, base_url=None) -> tuple[Page, Page]:
    files = render_site(load_site(root, base_url), production=production)
    return Page(files["pl/raporty/index.html"].decode()), Page(files["en/reports/index.html"].decode())


def links(page: Page, within: str) -> list:
    return [e for e in page.elements if e.tag == "a" and within in e.parents]


def test_a_template_describes_a_document_in_the_pages_language(tmp_path):
    pl, en = pages(documents_site(tmp_path))
    assert pl.find("p", class_="fields").text == "/static/documents/raport.pdf|PDF|1234567|1,2\u00a0MB|PDF, 1,2\u00a0MB"
    assert en.find("p", class_="fields").text == "/static/documents/raport.pdf|PDF|1234567|1.2\u00a0MB|PDF, 1.2\u00a0MB"
    # A Polish page links to an English report: hreflang, and the language named in Polish, inside the link.
    [link] = links(pl, "p")
    assert link.attrs == {"href": "/static/documents/raport.pdf", "hreflang": "en"}
    assert link.text == "Raport & co (PDF, 1,2\u00a0MB, angielski)"
    assert '<span class="file-details">(PDF, 1,2\u00a0MB, angielski)</span></a>' in pl.html
    # On the English page the report is in the page's language: neither hreflang nor a language.
    [link] = links(en, "p")
    assert link.attrs == {"href": "/static/documents/raport.pdf"}
    assert link.text == "Raport & co (PDF, 1.2\u00a0MB)"


def test_the_language_is_named_only_when_it_is_not_the_pages(tmp_path):
    pl, en = pages(documents_site(tmp_path, other="'pl'"))
    assert links(pl, "p")[0].attrs == {"href": "/static/documents/raport.pdf"}
    assert links(pl, "p")[0].text == "Raport & co (PDF, 1,2\u00a0MB)"
    assert links(en, "p")[0].attrs == {"href": "/static/documents/raport.pdf", "hreflang": "pl"}
    assert links(en, "p")[0].text == "Raport & co (PDF, 1.2\u00a0MB, Polish)"
    pl, en = pages(documents_site(tmp_path / "regional", other="'en-GB'"))
    assert links(pl, "p")[0].attrs["hreflang"] == "en-GB"
    assert links(pl, "p")[0].text.endswith("(PDF, 1,2\u00a0MB, angielski brytyjski)")
    assert "hreflang" not in links(en, "p")[0].attrs  # English is English


def test_a_markdown_link_to_a_file_under_static_says_the_same_as_the_template(tmp_path):
    body = "Zob. [Raport & co](/static/documents/raport.pdf){hreflang=en} i [dane](/static/dane.txt).\n"
    pl, en = pages(documents_site(tmp_path, pl_body=body, en_body="[Raport & co](/static/documents/raport.pdf)\n"))
    markdown_link = re.search(r"Zob\. (<a .*?</a>)", pl.html)[1]
    template_link = re.search(r'<p class="link">(<a .*?</a>)', pl.html)[1]
    assert markdown_link == template_link
    assert re.search(r"<p>(<a .*?</a>)", en.html)[1] == re.search(r'<p class="link">(<a .*?</a>)', en.html)[1]
    [_, data, _] = links(pl, "main")
    assert data.attrs == {"href": "/static/dane.txt"}
    assert data.text == "dane (TXT, 8\u00a0bajtów)"


def test_markdown_keeps_fragments_and_leads_images_to_their_published_files(tmp_path):
    body = "[Rozdział 2](/static/documents/raport.pdf#page=4) ![Logo](/static/logo.svg)\n"
    root = documents_site(tmp_path, pl_body=body)
    pl, _ = pages(root, production=True)
    link = next(e for e in pl.elements if e.tag == "a" and e.text.startswith("Rozdział"))
    assert link.attrs["href"] == "/static/documents/raport.pdf#page=4"
    image = pl.find("img")
    assert re.fullmatch(r"/static/logo\.[0-9a-f]{10}\.svg", image.attrs["src"]) and "PDF" not in image.attrs["alt"]


def test_in_a_build_documents_keep_their_names_and_a_text_file_anywhere_under_static_works(tmp_path):
    template = TEMPLATE.replace("documents/raport.pdf', 'Raport & co'", "dane.txt', 'Dane'")
    pl, en = pages(documents_site(tmp_path, template=template), production=True, base_url="/sub/")
    [link] = links(pl, "p")
    assert re.fullmatch(
        r"/sub/static/dane\.[0-9a-f]{10}\.txt", link.attrs["href"]
    )  # fingerprinted: a stylesheet's place
    assert link.text == "Dane (TXT, 8\u00a0bajtów, angielski)"
    assert links(en, "p")[0].text == "Dane (TXT, 8\u00a0bytes)"
    assert pl.find("p", class_="fields").text.startswith("/sub/static/documents/raport.pdf|")


@pytest.mark.parametrize(
    "template_line, message, hint",
    [
        (
            "{{ document_link('documents/raport.pfd', 'Raport') }}",
            "no file 'documents/raport.pfd' in static/",
            "did you mean 'documents/raport.pdf'?",
        ),
        (
            "{{ document('nothing/like/it.odt').size_text }}",
            "no file 'nothing/like/it.odt' in static/",
            "put the file in static/documents/ and name it from static/: 'documents/<file name>'",
        ),
        (
            "{{ document_link('documents/raport.pdf', 'Raport', lang='angielski') }}",
            "unknown language 'angielski' for 'documents/raport.pdf'",
            "give a language code such as en, pl, de or uk",
        ),
    ],
)
def test_a_missing_file_in_a_template_is_a_problem_at_its_line(tmp_path, template_line, message, hint):
    template = "{% extends 'base.html' %}{% block main %}\n<p>\n" + template_line + "</p>{% endblock %}"
    with pytest.raises(BuildError) as error:
        pages(documents_site(tmp_path, template=template))
    [problem] = error.value.problems
    assert (problem.path, problem.line) == ("templates/reports.html", 3)
    assert problem.message.startswith(message + " while rendering content/reports.")
    assert problem.hint == hint


def test_a_missing_file_in_markdown_is_a_problem_at_the_links_line(tmp_path):
    body = (
        "Akapit.\n\n[Raport](/static/documents/raport.pdf)\n"
        "i [stary raport](/static/documents/raport-2019.pdf).\n\n"
        "[Raport][r]\n\n![Wykres](/static/img/wykres.png)\n\n"
        "[Po angielsku](/static/documents/raport.pdf){hreflang=english}\n\n"
        "[r]: /static/documents/raport.pfd\n"
    )
    with pytest.raises(BuildError) as error:
        pages(documents_site(tmp_path, template="{% extends 'base.html' %}", pl_body=body))
    closest = "did you mean '/static/documents/raport.pdf'?"
    assert [(p.path, p.line, p.message, p.hint) for p in error.value.problems] == [
        (
            "content/reports.pl.md",
            9,
            "the link '/static/documents/raport-2019.pdf' leads to no file in static/",
            closest,
        ),
        (
            "content/reports.pl.md",
            13,
            "the link '/static/img/wykres.png' leads to no file in static/",
            "put the file in static/documents/ and link to '/static/documents/<file name>'",
        ),
        (
            "content/reports.pl.md",
            15,
            "unknown language 'english' for '/static/documents/raport.pdf'",
            "give a language code such as en, pl, de or uk",
        ),
        ("content/reports.pl.md", 17, "the link '/static/documents/raport.pfd' leads to no file in static/", closest),
    ]


@pytest.mark.parametrize("preview", [False, True], ids=["build", "preview"])
def test_a_rebuild_shows_a_documents_new_size_in_templates_and_markdown(tmp_path, monkeypatch, preview):
    """In a build the URL of a fingerprinted file changes with it, but a document's does not, and in the
    preview no file's does: the size itself must reach the memoised conversions and renders."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    options = {"drafts": True, "production": False} if preview else {}
    body = "[Raport](/static/documents/raport.pdf)\n"
    root = documents_site(tmp_path, en_body=body)
    backdate_sources(root)
    build(root, **options)
    en = Page.read(root / "output/en/reports/index.html")
    assert [link.text for link in links(en, "main")] == ["Raport (PDF, 1.2\u00a0MB)", "Raport & co (PDF, 1.2\u00a0MB)"]

    (root / "static/documents/raport.pdf").write_bytes(b"%" * 345_678)
    result = build(root, **options)
    en = Page.read(root / "output/en/reports/index.html")
    assert [link.text for link in links(en, "main")] == [
        "Raport (PDF, 345.7\u00a0kB)",
        "Raport & co (PDF, 345.7\u00a0kB)",
    ]
    assert "345,7\u00a0kB" in Page.read(root / "output/pl/raporty/index.html").find("p", class_="fields").text
    assert tree(root / "output") == clean_build(root, drafts=preview, production=not preview)
    if preview:  # the two pages that show the report, and the report: nothing else was rendered again
        assert (result.report.written, result.report.removed) == (3, 0)
