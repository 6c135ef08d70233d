"""Make a synthetic bilingual site in the project's own format: a copy of a base site plus N page pairs
of 400-700 words (Polish diacritics, headings, lists, a table, internal links) and M partner records.

    python benchmarks/make_site.py DEST --pages 1000 --partners 2000 [--base .]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

import yaml

COPIED = ("site.yaml", "content", "templates", "locales", "static")
POLISH = (
    "współpraca innowacja przedsiębiorstwo województwo rozwój gospodarka specjalizacja partnerstwo "
    "łańcuch wartości źródło energii żywność przemysł środowisko uczelnia badań naukowych klaster "
    "wdrożenie zasób wiedzy sieć kontaktów doświadczenie inicjatywa projekt region samorząd"
).split()
ENGLISH = (
    "cooperation innovation enterprise region development economy specialisation partnership value "
    "chain energy source food industry environment university research cluster deployment knowledge "
    "resource network contacts experience initiative project authority platform"
).split()
COUNTRIES = ("PL", "DE", "ES", "RO", "GR", "LV", "LT", "EE", "FI", "DK", "SE", "CZ", "SK", "IT", "FR")


def sentence(rng: random.Random, words: list[str]) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 16))]
    return " ".join(chosen).capitalize() + "."


def body(rng: random.Random, words: list[str], index: int, pages: int, lang: str) -> str:
    parts, count = [], 0
    target = rng.randint(400, 700)
    section = 0
    while count < target:
        section += 1
        parts.append(f"## {sentence(rng, words)[:40].rstrip('.')} {section}\n")
        paragraph = " ".join(sentence(rng, words) for _ in range(rng.randint(3, 6)))
        link = rng.randrange(pages)
        paragraph += f" [{words[0]} {link}](page-{link:05d}.md)."
        parts.append(paragraph + "\n")
        if section == 2:
            parts.append("\n".join(f"- {sentence(rng, words)}" for _ in range(4)) + "\n")
        if section == 3:
            parts.append(
                "| A | B | C |\n|---|---|---|\n"
                + "\n".join(f"| {rng.choice(words)} | {rng.randint(1, 999)} | {rng.choice(words)} |" for _ in range(4))
                + "\n"
            )
        count = sum(len(p.split()) for p in parts)
    return "\n".join(parts)


def make_pages(content: Path, pages: int, seed: int) -> None:
    folder = content / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_index.pl.md").write_text("---\ntitle: Strony testowe\nslug: strony-testowe\n---\nStrony do pomiarów.\n")
    (folder / "_index.en.md").write_text("---\ntitle: Benchmark pages\n---\nPages for measurements.\n")
    for index in range(pages):
        for lang, words in (("pl", POLISH), ("en", ENGLISH)):
            rng = random.Random(f"{seed}-{index}-{lang}")
            title = f"{sentence(rng, words)[:50].rstrip('.')} {index}"
            text = f'---\ntitle: "{title}"\ndescription: "{sentence(rng, words)}"\n---\n\n'
            (folder / f"page-{index:05d}.{lang}.md").write_text(
                text + body(rng, words, index, pages, lang), encoding="utf-8"
            )


def make_partners(content: Path, partners: int, seed: int) -> None:
    path = content / "data" / "partners.yaml"
    existing = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    projects = sorted({p["project"] for record in existing for p in record.get("projects", [])}) or ["alpha"]
    types = sorted({record.get("type") for record in existing if record.get("type")})
    rng = random.Random(seed)
    records = list(existing)
    for index in range(partners):
        record = {
            "id": f"partner-{index:05d}",
            "name": f"{rng.choice(POLISH).capitalize()} {index} Łódź",
            "name_lang": "pl",
            "city": rng.choice(["Łódź", "Kraków", "Gdańsk", "Wrocław"]),
            "country": rng.choice(COUNTRIES),
            "projects": [{"project": rng.choice(projects), "role": "partner"}],
        }
        if types:
            record["type"] = rng.choice(types)
        records.append(record)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_site(destination: Path, base: Path, pages: int, partners: int, seed: int = 1) -> Path:
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in COPIED:
        source = base / name
        if source.is_dir():
            shutil.copytree(source, destination / name)
        elif source.is_file():
            shutil.copy2(source, destination / name)
    make_pages(destination / "content", pages, seed)
    make_partners(destination / "content", partners, seed)
    return destination


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("destination", type=Path)
    parser.add_argument("--pages", type=int, default=1000, help="page pairs")
    parser.add_argument("--partners", type=int, default=2000, help="partner records")
    parser.add_argument("--base", type=Path, default=Path(__file__).resolve().parents[1], help="site to copy")
    arguments = parser.parse_args()
    make_site(arguments.destination, arguments.base, arguments.pages, arguments.partners)


if __name__ == "__main__":
    main()
