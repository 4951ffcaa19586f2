"""Generate a synthetic essaykit book of N essays, deterministically.

Each essay has ~2,500 words, valid front matter, citations into one shared
.bib, glossary terms (first use linked), cross-references to other essays'
headings and labels, a figure label, footnotes and a table: the shape of the
real book, at any scale. Used by bench_check.py and usable by build benchmarks.

    python bench/generate.py 100 /tmp/book100
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

WORDS = (
    "council service people care community local change system budget public policy "
    "support family partnership risk value evidence practice staff health housing school "
    "leadership innovation idea project pilot scale spread design user resident officer "
    "outcome demand cost saving money time trust power decision voice rule target "
    "inspection department national government agency provider charity volunteer "
    "neighbour relationship network knowledge experience work effort help need question "
    "answer problem solution approach model method study report review case example place "
    "town city region area street home school hospital clinic centre office meeting table "
    "story account history future present past year month week day morning evening"
).split()
TERMS = [
    "Co-production", "Capabilities approach", "Personal budget", "Social care", "Third sector",
    "Time banking", "Core economy", "Diffusion", "Scale-up", "Silo", "Prevention",
    "Participation", "Service design", "Social innovation", "Whole-system innovation",
    "Invest-to-save", "Informal care", "Long-term condition", "Self-management",
    "Distributed leadership", "Radical innovation", "Incremental innovation",
    "Cost of inaction", "Personalisation", "Co-design", "Charging", "Whitehall",
    "Constructive disruptor", "Participle", "NESTA", "NHS", "SCIE",
]
BIB_TYPES = ("book", "article", "techreport")


def words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def sentence(rng: random.Random) -> str:
    text = words(rng, rng.randint(8, 20))
    return text[0].upper() + text[1:] + "."


def heading_slug(essay: int, section: int) -> str:
    return f"section-{section}-of-essay-{essay}"


def bibliography(count: int) -> str:
    entries = []
    for i in range(count):
        kind = BIB_TYPES[i % len(BIB_TYPES)]
        venue = {"book": "publisher = {Synthetic Press}",
                 "article": "journal = {Journal of Synthetic Studies}",
                 "techreport": "institution = {Institute of Examples}"}[kind]
        entries.append(
            f"@{kind}{{work{i:05d},\n  author = {{Author{i}, Ann and Writer{i}, Bo}},\n"
            f"  title = {{A Study of Things, Number {i}}},\n  {venue},\n"
            f"  year = {{{1990 + i % 35}}}\n}}\n")
    return "\n".join(entries)


def essay(number: int, total: int, keys: int, rng: random.Random) -> str:
    paragraphs: list[str] = []
    cited = 0
    terms_used: set[str] = set()
    for section in range(1, 7):
        if section == 1:
            paragraphs.append(f"(essay-{number}-start)=")
        paragraphs.append(f"## Section {section} of essay {number}")
        for _ in range(5):
            parts = [sentence(rng) for _ in range(rng.randint(4, 6))]
            key = (number * 7 + cited) % keys
            cited += 1
            parts.insert(1, f"As {{cite:t}}`work{key:05d}` shows, {words(rng, 6)}.")
            term = rng.choice(TERMS)
            role = f"{{term}}`{term}`" if term not in terms_used else term.lower()
            terms_used.add(term)
            parts.insert(2, f"This is about {role} and {words(rng, 5)}.")
            if rng.random() < 0.3:
                other = rng.randint(1, total)
                parts.append(f"See [essay {other}](essay-{other:04d}.md#"
                             f"{heading_slug(other, rng.randint(1, 6))}) and "
                             f"{{ref}}`essay-{other}-start`.")
            if rng.random() < 0.2:
                parts.append(f"A note follows.[^n{section}-{len(paragraphs)}]")
                paragraphs.append(" ".join(parts))
                paragraphs.append(f"[^n{section}-{len(paragraphs) - 1}]: {sentence(rng)} "
                                  f"{{cite:p}}`work{(key + 1) % keys:05d}`")
                continue
            paragraphs.append(" ".join(parts))
        if section == 3:
            rows = "\n".join(f"| {words(rng, 2)} | {rng.randint(1, 999)} | "
                             f"{{cite:t}}`work{(number + r) % keys:05d}` |" for r in range(4))
            paragraphs.append(f"| Item | Count | Source |\n| --- | --- | --- |\n{rows}")
    front = (f"---\ntitle: Essay {number}\nsubtitle: {sentence(rng)}\nauthors:\n"
             f"  - name: Writer {number}\n    affiliation: University of Examples\n"
             f"abstract: {sentence(rng)}\nkeywords: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
             f"date: 2026-01-{1 + number % 28:02d}\nstatus: accepted\n---\n\n")
    return front + "\n\n".join(paragraphs) + "\n"


def generate(count: int, target: Path, seed: int = 2026) -> Path:
    """Write a book of `count` essays into `target` (created); returns `target`."""
    rng = random.Random(seed)
    keys = max(30, count // 2)
    (target / "book").mkdir(parents=True, exist_ok=True)
    (target / "essays").mkdir(exist_ok=True)
    order = "\n".join(f"      - essays/essay-{n:04d}.md" for n in range(1, count + 1))
    (target / "book" / "book.yml").write_text(
        "title: A Synthetic Book\neditors:\n  - name: The Generator\nyear: 2026\n"
        f"parts:\n  - title: Everything\n    essays:\n{order}\n"
        "back:\n  - book/glossary.md\nbibliography: book/references.bib\n", encoding="utf-8")
    (target / "book" / "index.md").write_text(
        "---\ntitle: A Synthetic Book\n---\n\n```{essaykit-contents}\n```\n", encoding="utf-8")
    definitions = "\n\n".join(f"{term}\n  {sentence(rng)}" for term in TERMS)
    (target / "book" / "glossary.md").write_text(
        f"---\ntitle: Glossary\n---\n\n:::{{glossary}}\n{definitions}\n:::\n",
        encoding="utf-8")
    (target / "book" / "references.bib").write_text(bibliography(keys), encoding="utf-8")
    for number in range(1, count + 1):
        (target / "essays" / f"essay-{number:04d}.md").write_text(
            essay(number, count, keys, rng), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("essays", type=int)
    parser.add_argument("target", type=Path)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    generate(args.essays, args.target, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
