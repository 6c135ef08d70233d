"""Open data: the collections site.yaml names under `exports`, published by every build as CSV and JSON files
in each language's words, linked from templates with their format and size. On a fixture site: the generic
capability, its checks and the paths of the build; on the shipped site: the files read back, with Python's csv
and json modules, to the records of the YAML data."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml

from builds import built, clean_build
from conftest import FILES, PROJECT, run_build, write_site
from html_query import Page
from sitegen.errors import BuildError
from sitegen.loading.i18n import Formatter
from sitegen.loading.site import load_site

EXPORTS = """
exports:
  folder: {pl: dane, en: data}
  licence:
    name: {pl: Licencja testowa, en: Test licence}
    url: https://example.org/licence
  collections:
    partners:
      formats: [csv, json]
      fields:
        - id
        - {name: name, label: {pl: nazwa, en: name}}
        - {name: country, as: country, label: {pl: kraj, en: country}}
        - {name: country_code, from: country, label: {pl: kod kraju, en: country code}}
        - {name: page, as: record_page, label: {pl: strona, en: page}}
        - name: projects
          fields:
            - {name: project, show: name, label: {pl: projekty, en: projects}}
            - name: role
              label: {pl: role, en: roles}
              values: {lead: {pl: lider, en: leader}, partner: {pl: partner, en: partner}}
"""
PARTNERS = (
    "- id: lodz\n  name: Uniwersytet Łódzki\n  country: PL\n  projects: [{project: alpha, role: lead}]\n"
    "- id: aragon\n  name: Clúster de Aragón\n  country: ES\n"
    "  projects: [{project: alpha, role: partner}, {project: beta, role: lead}]\n"
)
PROJECTS = "- id: alpha\n  name: {pl: Alfa, en: Alpha}\n- id: beta\n  name: Beta\n"
FILES_PAGE = """{% extends 'base.html' %}{% block main %}
<ul>{% for file in exports('partners') %}<li>{{ document_link(file, 'Dane') }}</li>{% endfor %}</ul>
<p class="licence">{{ site.exports.licence.name }}|{{ site.exports.licence.url }}</p>
{% endblock %}"""


def exports_site(tmp_path, exports=EXPORTS, partners=PARTNERS, template=FILES_PAGE):
    return write_site(
        tmp_path / "site",
        {
            **FILES,
            "site.yaml": FILES["site.yaml"] + exports,
            "content/data/partners.yaml": partners,
            "content/data/projects.yaml": PROJECTS,
            "templates/files.html": template,
            "content/files.pl.md": "---\ntitle: Pliki\nslug: pliki\ntemplate: files.html\n---\n",
            "content/files.en.md": "---\ntitle: Files\ntemplate: files.html\n---\n",
        },
    )


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the byte order mark Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_each_language_gets_the_declared_fields_in_its_words(tmp_path):
    files = clean_build(exports_site(tmp_path))
    assert isinstance(files, dict), files
    polish = read_csv(files["pl/dane/partners.csv"])
    assert polish == [
        {
            "id": "lodz",
            "nazwa": "Uniwersytet Łódzki",
            "kraj": "Polska",
            "kod kraju": "PL",
            "strona": "https://example.org/pl/partnerzy/lodz/",
            "projekty": "Alfa",
            "role": "lider",
        },
        {
            "id": "aragon",
            "nazwa": "Clúster de Aragón",
            "kraj": "Hiszpania",
            "kod kraju": "ES",
            "strona": "https://example.org/pl/partnerzy/aragon/",
            "projekty": "Alfa; Beta",
            "role": "partner; lider",
        },
    ]
    assert b"\r\n" in files["pl/dane/partners.csv"]  # RFC 4180 line ends
    english = json.loads(files["en/data/partners.json"].decode("utf-8"))
    assert not files["en/data/partners.json"].startswith(b"\xef\xbb\xbf")  # RFC 8259: no byte order mark
    assert english["language"] == "en"
    assert english["licence"] == {"name": "Test licence", "url": "https://example.org/licence"}
    assert [field["name"] for field in english["fields"]] == [
        "id",
        "name",
        "country",
        "country_code",
        "page",
        "projects",
    ]
    assert english["records"][1] == {
        "id": "aragon",
        "name": "Clúster de Aragón",
        "country": "Spain",
        "country_code": "ES",
        "page": "https://example.org/en/partners/aragon/",
        "projects": [{"project": "Alpha", "role": "partner"}, {"project": "Beta", "role": "leader"}],
    }
    assert sorted(path for path in files if "/dane/" in path or "/data/" in path) == [
        "en/data/partners.csv",
        "en/data/partners.json",
        "pl/dane/partners.csv",
        "pl/dane/partners.json",
    ]


def test_a_template_links_each_file_with_its_format_and_size(tmp_path):
    files = clean_build(exports_site(tmp_path))
    assert isinstance(files, dict), files
    page = Page(files["pl/pliki/index.html"].decode("utf-8"))
    links = [link for link in page.find_all("a") if "li" in link.parents]
    assert [link.attrs["href"] for link in links] == ["/pl/dane/partners.csv", "/pl/dane/partners.json"]
    for link, name in zip(links, ("partners.csv", "partners.json"), strict=True):
        size = Formatter("pl", "pl_PL").file_size(len(files[f"pl/dane/{name}"]))
        assert link.text == f"Dane ({name.split('.')[1].upper()}, {size})"
    assert page.text("p", class_="licence") == "Licencja testowa|https://example.org/licence"


def test_the_speed_layer_and_an_incremental_rebuild_publish_the_same_files(tmp_path):
    root = exports_site(tmp_path)
    first = built(root)
    assert first == clean_build(root)
    (root / "content/data/partners.yaml").write_text(
        PARTNERS.replace("Uniwersytet Łódzki", "Uniwersytet Łódzki w Łodzi"), encoding="utf-8"
    )
    second = built(root)
    assert second == clean_build(root)
    assert isinstance(first, dict) and isinstance(second, dict)
    assert "w Łodzi" in second["pl/dane/partners.csv"].decode("utf-8")
    grown = len(second["pl/dane/partners.json"]) - len(first["pl/dane/partners.json"])
    assert grown == len(" w Łodzi".encode())
    assert second["pl/pliki/index.html"] != first["pl/pliki/index.html"]  # the new sizes
    # A page's body changes nothing in the files, and they are left as they are.
    (root / "content/about.en.md").write_text("---\ntitle: About\nslug: about\n---\nNew text.\n", encoding="utf-8")
    result = run_build(root, "build")
    assert result.returncode == 0, result.stderr
    assert (root / "output/pl/dane/partners.csv").read_bytes() == second["pl/dane/partners.csv"]
    result = run_build(root, "build", "--no-cache")
    assert result.returncode == 0, result.stderr
    assert (root / "output/en/data/partners.json").read_bytes() == second["en/data/partners.json"]


def test_without_a_licence_the_files_say_none_and_templates_see_an_empty_name(tmp_path):
    exports = EXPORTS.replace("name: {pl: Licencja testowa, en: Test licence}", 'name: {pl: "", en: ""}')
    files = clean_build(exports_site(tmp_path, exports=exports.replace("url: https://example.org/licence", 'url: ""')))
    assert isinstance(files, dict), files
    assert json.loads(files["pl/dane/partners.json"])["licence"] is None
    assert Page(files["en/files/index.html"].decode("utf-8")).text("p", class_="licence") == "|"


@pytest.mark.parametrize(
    "change, replacement, message, at_line",
    [
        ("[csv, json]", "[csv, xls]", "'formats' of 'partners' must list one or more of: csv, json", "formats:"),
        ("{name: country, as: country,", "{name: country, as: land,", "field 'country' cannot be shown as", "land"),
        ("- id\n", "- id\n        - {name: id, from: name}\n", "two fields of the 'partners' export", "from: name"),
        ("    partners:\n      formats", "    partnerz:\n      formats", "names 'partnerz', which is not", "partnerz:"),
        ("{pl: dane, en: data}", "{pl: Dane, en: data}", "'exports.folder' for 'pl' is 'Dane'", "folder:"),
        ("  licence:\n", "  licence:\n    kind: open\n", "unknown key 'kind' in exports.licence", "kind: open"),
        ("name: role\n", "name: Role\n", "field name 'Role' must be lower-case", "name: Role"),
    ],
)
def test_a_wrong_declaration_is_named_at_its_line_in_site_yaml(tmp_path, change, replacement, message, at_line):
    exports = EXPORTS.replace(change, replacement)
    assert exports != EXPORTS
    root = exports_site(tmp_path, exports=exports)
    with pytest.raises(BuildError) as error:
        load_site(root)
    found = [p for p in error.value.problems if message in p.message]
    assert len(found) == 1, error.value
    assert found[0].path == "site.yaml"
    assert at_line in (root / "site.yaml").read_text(encoding="utf-8").splitlines()[found[0].line - 1]


def test_a_field_shown_through_a_reference_must_be_one(tmp_path):
    exports = EXPORTS.replace("{name: country, as: country,", "{name: country, show: name,")
    with pytest.raises(BuildError) as error:
        load_site(exports_site(tmp_path, exports=exports))
    assert "'country' of 'partners' is not a reference" in str(error.value)


def test_a_value_without_words_is_named_at_its_record(tmp_path):
    partners = PARTNERS.replace("{project: beta, role: lead}", "{project: beta, role: observer}")
    result = clean_build(exports_site(tmp_path, partners=partners))
    assert isinstance(result, str)
    assert "content/data/partners.yaml:5: record 'aragon' cannot be exported: 'role' is 'observer'" in result


def test_a_template_asking_for_an_undeclared_export_is_told_at_its_line(tmp_path):
    template = FILES_PAGE.replace("exports('partners')", "exports('partner')")
    result = clean_build(exports_site(tmp_path, template=template))
    assert isinstance(result, str)
    assert "templates/files.html:2: site.yaml exports no collection 'partner'" in result
    assert "did you mean 'partners'?" in result


# --- the shipped site -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_files(shipped):
    output, site = shipped
    return output, site, site.config.exports


def declared(site, collection):
    return site.config.exports.collections[collection]


def expected_partner(site, record, lang):
    """A partner of partners.yaml as the exports should give it, from the YAML and Babel alone."""
    names = Formatter(lang, dict(pl="pl_PL", en="en_GB")[lang])
    types = {t["id"]: t for t in yaml.safe_load((PROJECT / "content/data/partner_types.yaml").read_text())}
    projects = {p["id"]: p for p in yaml.safe_load((PROJECT / "content/data/projects.yaml").read_text())}

    def local(value):
        return (value.get(lang) or None) if isinstance(value, dict) else value

    roles = {"lead": {"pl": "partner wiodący", "en": "lead partner"}, "partner": {"pl": "partner", "en": "partner"}}
    return {
        "id": record["id"],
        "name": record["name"],
        "name_lang": record["name_lang"],
        "name_translated": local(record.get("name_translated")),
        "type": types[record["type"]]["label"][lang],
        "city": local(record["city"]),
        "country": names.country(record["country"]),
        "country_code": record["country"],
        "website": record.get("website"),
        "page": f"https://smart.example.gov.pl/{site.page('partners/' + record['id'], lang).path}",
        "projects": [
            {"project": projects[p["project"]]["acronym"], "role": roles[p["role"]][lang]} for p in record["projects"]
        ],
    }


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_shipped_partners_read_back_to_the_yaml_records(shipped_files, lang):
    output, site, exports = shipped_files
    folder = output / lang / exports.folder.get(lang)
    records = yaml.safe_load((PROJECT / "content/data/partners.yaml").read_text(encoding="utf-8"))
    expected = [expected_partner(site, record, lang) for record in records]
    assert "Białystok" in {e["city"] for e in expected}
    # JSON: the records, their keys exactly the fields site.yaml declares.
    data = (folder / "partners.json").read_bytes()
    document = json.loads(data.decode("utf-8"))  # strict UTF-8: a stray byte would raise
    assert document["records"] == expected
    names = [field.name for field in declared(site, "partners").fields]
    assert all(list(record) == names for record in document["records"])
    assert document["language"] == lang and document["licence"] is None  # the editors have not named one yet
    # CSV: a row per record, a column per declared field (a list's items in one cell, "; " between them).
    rows = read_csv((folder / "partners.csv").read_bytes())
    headings = [
        h for f in declared(site, "partners").fields for h in ([s.heading(lang) for s in f.fields] or [f.heading(lang)])
    ]
    assert list(rows[0]) == headings
    for row, record in zip(rows, expected, strict=True):
        flat = dict(zip(headings, [*(record[k] for k in names[:-1]), None, None], strict=True))
        flat[headings[-2]] = "; ".join(p["project"] for p in record["projects"])
        flat[headings[-1]] = "; ".join(p["role"] for p in record["projects"])
        assert row == {k: "" if v is None else v for k, v in flat.items()}
    assert len(rows) == len(records)


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_shipped_projects_read_back_to_the_yaml_records(shipped_files, lang):
    output, site, exports = shipped_files
    projects = yaml.safe_load((PROJECT / "content/data/projects.yaml").read_text(encoding="utf-8"))
    programmes = {p["id"]: p for p in yaml.safe_load((PROJECT / "content/data/programmes.yaml").read_text())}
    document = json.loads((output / lang / exports.folder.get(lang) / "projects.json").read_bytes().decode("utf-8"))
    assert [field["name"] for field in document["fields"]] == [f.name for f in declared(site, "projects").fields]
    assert not (output / lang / exports.folder.get(lang) / "projects.csv").exists()  # JSON only, as declared
    for record, found in zip(projects, document["records"], strict=True):
        assert set(found) == {f.name for f in declared(site, "projects").fields}
        assert found["id"] == record["id"] and found["acronym"] == record["acronym"] and found["name"] == record["name"]
        assert found["programme"] == programmes[record["programme"]]["name"][lang]
        assert found["fund"] == programmes[record["programme"]]["fund"][lang]
        assert found["start"] == (record["start"].isoformat() if "start" in record else None)
        assert found["budget_amount"] == (record.get("budget") or {}).get("amount")
        assert found["page"].endswith("/" + site.page(record["page"], lang).path)
