"""The shipped site: every fact in the data shows where it belongs, in both languages."""

from __future__ import annotations

import re

import yaml

from conftest import PROJECT
from html_query import Page

DATA = PROJECT / "content/data"


def load(name):
    return yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))


def html(output, site, key, lang):
    page = site.page(key, lang)
    assert page is not None and not page.missing, f"{key} has no {lang} page"
    return Page.read(output / (page.path + "index.html" if page.path.endswith("/") else page.path))


def text_of(page: Page) -> str:
    return " ".join(page.find("main").text.split())


def test_every_page_has_its_counterpart(shipped):
    output, site = shipped
    assert [p.source for p in site.pages if p.missing] == []
    keys = {p.key for p in site.pages}
    for key in keys:
        assert {p.lang for p in site.pages if p.key == key} == {"pl", "en"}


def test_platform_pages_list_their_fields(shipped):
    output, site = shipped
    counts = {}
    for platform in load("platforms"):
        counts[platform["id"]] = len(platform["fields"])
        for lang in ("pl", "en"):
            main = text_of(html(output, site, platform["page"], lang))
            for field in platform["fields"]:
                assert " ".join(field[lang].split()) in main, (platform["id"], lang, field[lang])
    assert sorted(counts.values()) == [5, 13, 18]


def test_figures_come_from_data(shipped):
    output, site = shipped
    figures = load("s3")
    assert (figures["regions"], figures["partnerships"], figures["partners_more_than"]) == (145, 28, 380)
    for lang in ("pl", "en"):
        main = text_of(html(output, site, "partnerships/_index.md", lang))
        for value in ("145", "28", "380"):
            assert re.search(rf"\b{value}\b", main), (lang, value)


def test_project_pages_show_programme_period_budget_status_and_partners(shipped):
    output, site = shipped
    partners = load("partners")
    expected = {
        "gosmart-bsr": {
            "pl": ["październik 2017", "wrzesień 2020", "1 760 000 €", "Interreg"],
            "en": ["October 2017", "September 2020", "€1,760,000", "Interreg"],
        },
        "smegonet": {
            "pl": ["2 czerwca 2011", "INTERREG IV C", "Hiszpania", "Niemcy", "Bułgaria"],
            "en": ["2 June 2011", "INTERREG IV C", "Spain", "Germany", "Bulgaria"],
        },
    }
    counts = {}
    for project in load("projects"):
        members = [p for p in partners if any(x["project"] == project["id"] for x in p["projects"])]
        counts[project["id"]] = len(members)
        for lang in ("pl", "en"):
            page = html(output, site, project["page"], lang)
            main = text_of(page)
            for fact in expected[project["id"]][lang]:
                assert fact.replace("\u00a0", " ") in main.replace("\u00a0", " "), (project["id"], lang, fact)
            assert {"pl": "zakończony", "en": "completed"}[lang] in main.lower(), (project["id"], lang)
            rows = page.find("table").text
            for partner in members:
                assert partner["name"] in rows, (project["id"], lang, partner["name"])
    assert counts == {"smegonet": 4, "gosmart-bsr": 8}


def test_partner_pages_and_project_pages_link_both_ways(shipped):
    output, site = shipped
    projects = {p["id"]: p for p in load("projects")}
    for partner in load("partners"):
        for lang in ("pl", "en"):
            partner_page = site.page(f"partners/{partner['id']}", lang)
            links = {a.attrs.get("href") for a in html(output, site, partner_page.key, lang).find_all("a")}
            for participation in partner["projects"]:
                project_page = site.page(projects[participation["project"]]["page"], lang)
                assert site.config.base_path + project_page.path in links
                back = {a.attrs.get("href") for a in html(output, site, project_page.key, lang).find_all("a")}
                assert site.config.base_path + partner_page.path in back


def test_partner_directory_is_grouped_by_country_in_each_languages_order(shipped):
    output, site = shipped
    for lang, expected in (
        (
            "pl",
            ["Dania", "Estonia", "Finlandia", "Grecja", "Hiszpania", "Litwa", "Łotwa", "Niemcy", "Polska", "Rumunia"],
        ),
        (
            "en",
            ["Denmark", "Estonia", "Finland", "Germany", "Greece", "Latvia", "Lithuania", "Poland", "Romania", "Spain"],
        ),
    ):
        page = html(output, site, "partners/_index.md", lang)
        headings = [" ".join(h.text.split()) for h in page.find_all("h2")]
        countries = [h for h in headings if any(h.startswith(c) for c in expected)]
        order = [next(c for c in expected if h.startswith(c)) for h in countries]
        assert order == expected, (lang, headings)
    main = text_of(html(output, site, "partners/_index.md", "pl"))
    assert "12 partnerów" in main or "12 organizacji" in main


COUNTRY_PAGES = {
    "PL": ("/pl/partnerzy/polska/", "/en/partners/poland/"),
    "DE": ("/pl/partnerzy/niemcy/", "/en/partners/germany/"),
    "LV": ("/pl/partnerzy/lotwa/", "/en/partners/latvia/"),
    "ES": ("/pl/partnerzy/hiszpania/", "/en/partners/spain/"),
}


def test_each_country_with_partners_has_a_page_of_exactly_its_partners_in_both_languages(shipped):
    """/pl/partnerzy/niemcy/, /en/partners/germany/: the country's name in each language, slugified."""
    output, site = shipped
    partners = load("partners")
    pages = {(p.group.value, p.lang): p for p in site.pages if p.group and p.group.collection == "partners"}
    assert set(pages) == {(partner["country"], lang) for partner in partners for lang in ("pl", "en")}
    for country, paths in COUNTRY_PAGES.items():
        assert tuple(site.config.base_path + pages[(country, lang)].path for lang in ("pl", "en")) == paths
    for (country, lang), page in pages.items():
        shown = html(output, site, page.key, lang)
        by_url = {site.config.base_path + site.page(f"partners/{p['id']}", lang).path: p["id"] for p in partners}
        listed = {
            by_url[a.attrs["href"]] for a in shown.find_all("a") if "main" in a.parents and a.attrs["href"] in by_url
        }
        assert listed == {p["id"] for p in partners if p["country"] == country}, (country, lang)
        assert shown.text("h1") == {"pl": "Partnerzy: ", "en": "Partners: "}[lang] + page.menu_title
    assert (pages[("DE", "pl")].menu_title, pages[("DE", "en")].menu_title) == ("Niemcy", "Germany")


def test_the_directory_links_each_country_heading_to_its_page(shipped):
    output, site = shipped
    for lang in ("pl", "en"):
        directory = html(output, site, "partners/_index.md", lang)
        in_headings = {a.attrs["href"] for a in directory.find_all("a") if "h2" in a.parents}
        country_pages = {site.config.base_path + p.path for p in site.pages if p.group and p.lang == lang}
        assert in_headings == country_pages and len(country_pages) == 10, lang


def test_no_page_contains_the_sources_misspellings(shipped):
    output, _ = shipped
    misspellings = re.compile(r"Cluser|Universytatea|Reaserch|Textile Innovatio\b")
    for path in output.rglob("*.html"):
        assert not misspellings.search(path.read_text(encoding="utf-8")), path


def test_news_feeds_exist_per_language(shipped):
    output, site = shipped
    for lang in ("pl", "en"):
        section = site.page("news/_index.md", lang)
        feed = (output / section.path / "atom.xml").read_text()
        assert feed.count("<entry>") >= 3


def test_shipped_site_builds_without_warnings_and_passes_check(tmp_path):
    from conftest import run_build
    from shipped import BUILD_EPOCH, copy_sources

    root = copy_sources(tmp_path / "site")
    env = {"SOURCE_DATE_EPOCH": BUILD_EPOCH}
    built = run_build(root, env=env)
    warnings = [line for line in built.stderr.splitlines() if not line.startswith("built ")]
    assert built.returncode == 0 and warnings == [], built.stderr
    assert built.stderr.startswith("built ")
    checked = run_build(root, "check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # What the editors must still supply, as warnings: the values the sources do not give.
    found = {line.split(": warning: ")[0] for line in checked.stdout.splitlines()}
    assert all(": warning: " in line for line in checked.stdout.splitlines()), checked.stdout
    assert found == SHIPPED_WARNINGS, checked.stdout


SHIPPED_WARNINGS = {
    "site.yaml:1",  # the contact block in every page's footer
    "content/accessibility.pl.md:1",  # the statement's values (content/data/accessibility.yaml)
    "content/accessibility.en.md:1",
    "content/sign-language.pl.md:1",  # the recording in Polish sign language
    "content/sign-language.en.md:1",
    "content/partners/_index.pl.md:1",  # the licence of the open data (exports.licence in site.yaml)
    "content/partners/_index.en.md:1",
}


PYTHON_FORM = re.compile(
    r"\{\s*'[^']*'\s*:|\[\s*'[^']*'\s*[,\]]|\bmappingproxy\(|\bobject at 0x|\bdatetime\.date\(|"
    r"\bReadOnlyDict\b|\bLineMap\b|\bPageView\(|\bMarkup\("
)
PYTHON_WORD = {"None", "True", "False", "[]", "{}", "()"}


def python_forms(text: str) -> list[str]:
    """Text and attribute values of a page that look like a Python value printed as it is."""
    from html.parser import HTMLParser

    found = []

    class Scanner(HTMLParser):
        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                self.look(f"{tag}[{name}]", value or "")

        def handle_data(self, data):
            self.look("text", data)

        def look(self, where, value):
            if PYTHON_FORM.search(value) or value.strip() in PYTHON_WORD or re.search(r"[(:>]\s*None\b", value):
                found.append(f"{where}: {value.strip()[:100]}")

    Scanner(convert_charrefs=True).feed(text)
    return found


def test_the_python_form_scanner_finds_what_the_agri_food_page_once_showed():
    shown = (
        "<li>{'pl': 'Posiłki w instytucjach publicznych jako motor zrównoważonego rozwoju', "
        "'zdrowia i innowacji w łańcuchu rolno-spożywczym': None, 'en': 'Public Meal'}</li>"
    )
    assert python_forms(shown)
    assert python_forms('<p title="None">x</p>') and python_forms("<td>True</td>") and python_forms("<p>['a', 'b']</p>")
    assert not python_forms("<p>None of the partners left: {a} [b] it's 'quoted': fine.</p>")


def test_no_page_shows_a_python_value(shipped):
    """Every HTML page, feed and the sitemap, in both languages: no mapping, list, None or True printed raw."""
    output, _ = shipped
    files = [*output.rglob("*.html"), *output.rglob("*.xml")]
    assert len(files) > 50
    found = {
        str(path.relative_to(output)): forms
        for path in files
        if (forms := python_forms(path.read_text(encoding="utf-8")))
    }
    assert not found


def polish_partners(count: int) -> str:
    """The catalogue's Polish plural forms: 1 partner, 2–4 (not 12–14) partnerzy, else partnerów."""
    if count == 1:
        return "1 partner"
    few = count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14)
    return f"{count} partnerzy" if few else f"{count} partnerów"


def map_of(page: Page) -> tuple[str, Page]:
    found = re.findall(r"<svg\b.*?</svg>", page.html, re.S)
    assert len(found) == 1, "one map on the page"
    return found[0], Page(found[0])


def test_the_directory_and_each_project_page_map_their_partners_countries(shipped):
    """Every country with partners is a link to its country page named with its count, in the catalogue's plural
    forms; the other countries are one background shape hidden from assistive technology; no map over 60 kB;
    nothing in it comes from another site."""
    from babel import Locale

    output, site = shipped
    partners = load("partners")
    maps = [("partners/_index.md", partners)] + [
        (project["page"], [p for p in partners if any(x["project"] == project["id"] for x in p["projects"])])
        for project in load("projects")
    ]
    for key, members in maps:
        counts = {}
        for partner in members:
            counts[partner["country"]] = counts.get(partner["country"], 0) + 1
        for lang in ("pl", "en"):
            svg, drawn = map_of(html(output, site, key, lang))
            assert len(svg.encode("utf-8")) <= 60_000, (key, lang, len(svg.encode("utf-8")))
            assert not re.search(r"https?:|//|<image|<use|<foreignObject|<script|\sstyle=", svg, re.I), (key, lang)
            names = Locale.parse({"pl": "pl_PL", "en": "en_GB"}[lang]).territories
            words = polish_partners if lang == "pl" else lambda n: f"{n} partner{'s' if n != 1 else ''}"
            expected = {
                site.config.base_path + site.page(f"partners/country/{code}", lang).path: f"{names[code]}: {words(n)}"
                for code, n in counts.items()
            }
            links = {a.attrs["href"]: " ".join(a.text.split()) for a in drawn.find_all("a")}
            assert links == expected, (key, lang)
            assert all(re.fullmatch(r"shade-[1-5]", a.attrs["class"]) for a in drawn.find_all("a"))
            background = [p for p in drawn.find_all("path") if "a" not in p.parents]
            assert [p.attrs.get("aria-hidden") for p in background] == ["true"], (key, lang)
    assert polish_partners(3) == "3 partnerzy" and polish_partners(12) == "12 partnerów"


def test_the_map_shades_more_partners_darker_with_a_legend(shipped):
    output, site = shipped
    for lang in ("pl", "en"):
        page = html(output, site, "partners/_index.md", lang)
        _, drawn = map_of(page)
        shades = {a.attrs["href"].rstrip("/").rpartition("/")[2]: a.attrs["class"] for a in drawn.find_all("a")}
        poland, germany = {"pl": ("polska", "niemcy"), "en": ("poland", "germany")}[lang]
        assert (shades[poland], shades[germany]) == ("shade-5", "shade-1")  # 3 partners, 1 partner
        legend = " ".join(page.find("p", class_="legend").text.split())
        assert legend == {"pl": "Liczba partnerów: 0 1 2 3", "en": "Number of partners: 0 1 2 3"}[lang]
