"""The book model: book/book.yml, read once, validated once.

Everything that needs to know what the book is called, who edited it, which
essays it holds and in what order asks this module; nothing else parses
book.yml.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from essaykit.core import rules
from essaykit.core.allowlist import LANGUAGE_TAG
from essaykit.core.diagnostics import Diagnostic, EssaykitError
from essaykit.core.frontmatter import EssayMeta, parse_meta
from essaykit.core.settings import Setting
from essaykit.core.text import join_names
from essaykit.core.trust import escapes, trusted_entry_problem
from essaykit.core.yamlsafe import Located, StrictYamlError, load

BOOK_FILE = PurePosixPath("book/book.yml")
ROOT_DOC = "book/index"
COVER_SUFFIXES = (".png", ".jpg", ".jpeg")

# The schema of book.yml as the manual's configuration reference shows it: every key
# read_book() reads (a test keeps the two in step).
BOOK_KEYS = (
    Setting("title", "text", "required", "The book's title.", "title: Beyond the Quick Win"),
    Setting("subtitle", "text", "none", "A second line under the title.",
            "subtitle: Essays on innovation in public services"),
    Setting("editors", "list of people: name, affiliation", "required",
            "The book's editors, in the order their names appear. Each essay's authors are "
            "listed in the essay's own front matter.",
            "editors:\n  - name: Ada Editor\n    affiliation: University of Somewhere"),
    Setting("year", "whole number", "required", "The year of publication.", "year: 2026"),
    Setting("publisher", "text", "none", "Printed on the title page and in the imprint.",
            "publisher: Published with essaykit"),
    Setting("licence", "text", "none", "The licence, printed in the imprint.",
            "licence: Creative Commons Attribution 4.0 International (CC BY 4.0)"),
    Setting("licence_url", "URL", "none", "Where the licence can be read.",
            "licence_url: https://creativecommons.org/licenses/by/4.0/"),
    Setting("language", "BCP 47 tag", "en",
            "The book's language: hyphenation, the web book's lang, the EPUB's metadata.",
            "language: en-GB"),
    Setting("description", "text", "none",
            "A sentence or two for search engines and link previews, for pages without an "
            "abstract.", "description: An edited collection on ..."),
    Setting("front", "list of .md files", "none", "Pages before the essays, in order.",
            "front: [book/introduction.md]"),
    Setting("taster", ".md file", "none",
            "A short piece sent out ahead of the book; also built as a PDF of its own.",
            "taster: essays/taster.md"),
    Setting("parts", "list of parts: title, essays", "none",
            "The essays in reading order, grouped into parts.",
            "parts:\n  - title: Part one\n    essays: [essays/a.md, essays/b.md]"),
    Setting("essays", "list of .md files", "none",
            "The essays in reading order, for a book without parts.",
            "essays: [essays/a.md, essays/b.md]"),
    Setting("back", "list of .md files", "none",
            "Pages after the essays, in order: glossary, bibliography, contributors.",
            "back: [book/glossary.md, book/bibliography.md, book/contributors.md]"),
    Setting("bibliography", ".bib file", "book/references.bib", "The book's BibTeX file.",
            "bibliography: book/references.bib"),
    Setting("jargon", "text file", "none", "The jargon watch-list, one term a line.",
            "jargon: book/jargon.txt"),
    Setting("trusted", "list of files or folders", "none",
            "Pages the editors wrote, allowed raw HTML, raw, eval-rst, meta and includes "
            "inside the book (see the safety model).", "trusted: [book/colophon.md]"),
    Setting("date", "YYYY-MM-DD in the book's year", "1 January of `year`",
            "The publication date, the same in the PDF's metadata and the EPUB's.",
            "date: 2026-11-25"),
    Setting("citation_order", "as-written, year or name", "as-written",
            "The order of the works in a citation of several: as the writer gave them, "
            "by year, or by name; the same on the web, in print and in the EPUB.",
            "citation_order: as-written"),
    Setting("isbn", "text", "none", "The ISBN; the EPUB's identifier when set.",
            "isbn: 978-0-00-000000-0"),
    Setting("cover", "PNG or JPEG file in the book", "drawn from the title",
            "The EPUB's cover, ideally 1600 x 2560 pixels.", "cover: book/cover.png"),
    Setting("url", "http(s) URL", "none",
            "Where the web book is published: canonical links, og:url and sitemap.xml. "
            "`--site-url` and ESSAYKIT_SITE_URL override it.",
            "url: https://example.org/book/"),
    Setting("target_words", "range: min, max", "none",
            "Each essay's length target in words, as `essaykit status` counts them.",
            "target_words: {min: 3000, max: 4000}"),
    Setting("taster_target_words", "range: min, max", "none",
            "The taster's own length target.", "taster_target_words: {min: 1800, max: 2500}"),
    Setting("status_page", "private or public", "private",
            "public: the editors' dashboard is also copied into the web book (linked from "
            "nowhere).", "status_page: public"),
)


@dataclass(frozen=True)
class Person:
    name: str
    affiliation: str = ""


@dataclass(frozen=True)
class Part:
    title: str
    essays: tuple[str, ...]  # posix paths relative to the book root


@dataclass(frozen=True)
class WordTarget:
    """A length target in words, inclusive at both ends (book.yml's `target_words`)."""

    min: int
    max: int

    def judge(self, words: int) -> str:
        """'under', 'within' or 'over'."""
        return "under" if words < self.min else "over" if words > self.max else "within"


STATUS_PAGE_CHOICES = ("private", "public")
# how a citation of several works orders them: as the writer wrote them, by year, by name
CITATION_ORDERS = ("as-written", "year", "name")


@dataclass(frozen=True)
class Book:
    root: Path
    title: str
    subtitle: str
    editors: tuple[Person, ...]
    year: int
    publisher: str
    licence: str
    licence_url: str
    language: str
    description: str
    front: tuple[str, ...]
    taster: str | None
    parts: tuple[Part, ...]
    back: tuple[str, ...]
    bibliography: str
    jargon: str | None
    trusted: tuple[str, ...] = ()
    isbn: str = ""
    cover: str = ""  # the editor's own cover image for the EPUB, relative to the root
    url: str = ""  # where the web book is published, ending in "/"
    target_words: WordTarget | None = None  # each essay's length
    taster_target_words: WordTarget | None = None  # the taster's own
    status_page: str = "private"  # "public": the editors' dashboard also goes in the web book
    citation_order: str = "as-written"  # one of CITATION_ORDERS
    date: str = ""  # book.yml's publication date (YYYY-MM-DD), if given
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    # ---- order ---------------------------------------------------------
    @property
    def essays(self) -> tuple[str, ...]:
        """Essays in reading order (the taster first when there is one)."""
        body = tuple(path for part in self.parts for path in part.essays)
        return ((self.taster,) if self.taster else ()) + body

    @property
    def pages(self) -> tuple[str, ...]:
        """Every page of the book in reading order, front page first."""
        return (f"{ROOT_DOC}.md",) + self.front + self.essays + self.back

    @property
    def editor_names(self) -> str:
        return join_names([editor.name for editor in self.editors])

    def path(self, relative: str) -> Path:
        return self.root / relative

    def is_essay(self, relative: str) -> bool:
        return relative in self.essays

    @cached_property
    def docnames(self) -> dict[str, str]:
        """Sphinx docname for each page path."""
        return {page: docname(page) for page in self.pages}

    def target_for(self, relative: str) -> WordTarget | None:
        """The length target a page is judged against (None: no target)."""
        if relative == self.taster:
            return self.taster_target_words
        return self.target_words if self.is_essay(relative) else None

    def part_of(self, relative: str) -> Part | None:
        for part in self.parts:
            if relative in part.essays:
                return part
        return None

    @property
    def publication_date(self) -> str:
        """The one date every edition carries: book.yml's `date:`, else 1 January of `year`."""
        return self.date or f"{self.year:04d}-01-01"

    # ---- drafts ----------------------------------------------------------
    def drafts(self) -> tuple[str, ...]:
        """Pages whose front matter says `status: draft`, in reading order."""
        held = []
        for relative in self.pages:
            if not self.is_essay(relative):
                continue
            meta = self.essay_meta(relative)
            if meta is not None and meta.status == "draft" and meta.status_declared:
                held.append(relative)
        return tuple(held)

    def without(self, pages: tuple[str, ...]) -> Book:
        """The book with these pages left out of its order (drafts held back); a part
        left with no essay goes too (a part page with nothing after it, and a contents
        entry pointing at it, would be a broken book)."""
        if not pages:
            return self
        gone = set(pages)
        kept = (replace(part, essays=tuple(e for e in part.essays if e not in gone))
                for part in self.parts)
        return replace(
            self,
            front=tuple(p for p in self.front if p not in gone),
            taster=None if self.taster in gone else self.taster,
            parts=tuple(part for part in kept if part.essays),
            back=tuple(p for p in self.back if p not in gone),
        )

    # ---- essays' metadata ---------------------------------------------
    def essay_meta(self, relative: str) -> EssayMeta | None:
        meta, _ = self.read_meta(relative)
        return meta

    def read_meta(self, relative: str) -> tuple[EssayMeta | None, list[Diagnostic]]:
        schema = "essay" if self.is_essay(relative) else "page"
        path = self.path(relative)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            return None, [rules.make("BOOK002", relative, 1, 1, f"cannot read: {err}",
                                     "check the file exists and is UTF-8 text")]
        return parse_meta(text, relative, schema=schema)


def docname(relative: str) -> str:
    return str(PurePosixPath(relative).with_suffix(""))


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding book/book.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / BOOK_FILE).is_file():
            return folder
    raise EssaykitError([rules.make(
        "BOOK001", str(BOOK_FILE), 1, 1,
        f"no {BOOK_FILE} found in {start} or any folder above it",
        "run essaykit inside a book, or pass --root",
    )])


def load_book(root: Path) -> Book:
    """Read and validate book/book.yml; raise EssaykitError listing every problem."""
    book, problems = read_book(root)
    if problems or book is None:
        raise EssaykitError(problems)
    return book


def read_book(root: Path) -> tuple[Book | None, list[Diagnostic]]:
    """Read and validate book/book.yml without raising.

    Returns the book (None only when book.yml cannot be read or parsed at all)
    and every problem found. `essaykit check` uses this so that a book whose
    order names essays not yet written can still be checked.
    """
    book_path = root / BOOK_FILE
    where = str(BOOK_FILE)
    try:
        text = book_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, [rules.make("BOOK001", where, 1, 1, f"cannot read: {err}",
                                 "create book/book.yml (see the README)")]
    try:
        located = load(text)
    except StrictYamlError as err:
        return None, [rules.make("BOOK001", where, err.line, err.column, err.message,
                                 "fix the YAML")]
    data = located.value if isinstance(located.value, dict) else {}
    problems: list[Diagnostic] = []

    def need_str(key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, (str, int)) or str(value).strip() == "":
            problems.append(rules.make("BOOK001", where, located.line_of(key), 1,
                                       f"{key!r} must be a non-empty string",
                                       f"add '{key}:' to book.yml"))
            return ""
        return " ".join(str(value).split())

    def path_list(key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(rules.make("BOOK001", where, located.line_of(key), 1,
                                       f"{key!r} must be a list of file paths", ""))
            return ()
        return tuple(check_path(v, (key, i)) for i, v in enumerate(value))

    def check_path(value: str, at: tuple[object, ...]) -> str:
        clean = PurePosixPath(value)
        if clean.is_absolute() or ".." in clean.parts or clean.suffix != ".md":
            problems.append(rules.make("BOOK001", where, located.line_of(*at), 1,
                                       f"{value!r} must be a relative path to a .md file "
                                       "inside the book", ""))
        elif not (root / clean).is_file():
            problems.append(rules.make("BOOK002", where, located.line_of(*at), 1,
                                       f"{value!r} does not exist",
                                       "create the file or remove it from book.yml"))
        return clean.as_posix()

    editors: list[Person] = []
    raw_editors = data.get("editors")
    if not isinstance(raw_editors, list) or not raw_editors:
        problems.append(rules.make("BOOK001", where, located.line_of("editors"), 1,
                                   "'editors' must be a list of people with a 'name'",
                                   "add '- name: ...' under editors"))
    else:
        for index, item in enumerate(raw_editors):
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                problems.append(rules.make("BOOK001", where, located.line_of("editors", index), 1,
                                           "each editor needs a 'name'", ""))
                continue
            editors.append(Person(item["name"].strip(), str(item.get("affiliation") or "")))

    parts: list[Part] = []
    raw_parts = data.get("parts", [])
    if not isinstance(raw_parts, list):
        raw_parts = []
        problems.append(rules.make("BOOK001", where, located.line_of("parts"), 1,
                                   "'parts' must be a list of {title, essays}", ""))
    for index, part in enumerate(raw_parts):
        if not isinstance(part, dict) or not isinstance(part.get("title"), str) \
                or not isinstance(part.get("essays"), list):
            problems.append(rules.make("BOOK001", where, located.line_of("parts", index), 1,
                                       "each part needs a 'title' and a list of 'essays'", ""))
            continue
        essays = tuple(
            check_path(str(e), ("parts", index, "essays", j)) for j, e in enumerate(part["essays"])
        )
        parts.append(Part(part["title"], essays))
    if "essays" in data and not parts:  # a book without parts
        parts.append(Part("", path_list("essays")))

    taster = data.get("taster")
    taster_path = check_path(taster, ("taster",)) if isinstance(taster, str) else None
    bibliography = data.get("bibliography", "book/references.bib")
    jargon = data.get("jargon")
    year = data.get("year")
    if not isinstance(year, int):
        problems.append(rules.make("BOOK001", where, located.line_of("year"), 1,
                                   "'year' must be a number such as 2026", ""))
        year = 0
    trusted = _trusted(data.get("trusted", []), located, root, problems)
    language = str(data.get("language", "en"))
    if not LANGUAGE_TAG.match(language):
        # docutils and Sphinx import a module named after it
        problems.append(rules.make("BOOK001", where, located.line_of("language"), 1,
                                   f"'language' must be a language tag such as en or de, "
                                   f"not {language[:40]!r}", "write e.g. 'language: en-GB'"))
        language = "en"
    status_page = data.get("status_page", "private")
    if status_page not in STATUS_PAGE_CHOICES:
        problems.append(rules.make("BOOK001", where, located.line_of("status_page"), 1,
                                   f"'status_page' must be private or public, not {status_page!r}",
                                   "write 'status_page: public' to publish the editors' "
                                   "dashboard in the web book, or leave it out"))
        status_page = "private"
    citation_order = data.get("citation_order", "as-written")
    if citation_order not in CITATION_ORDERS:
        problems.append(rules.make("BOOK001", where, located.line_of("citation_order"), 1,
                                   "'citation_order' must be as-written, year or name, "
                                   f"not {citation_order!r}",
                                   "leave it out to keep each citation's works as written"))
        citation_order = "as-written"
    date = data.get("date", "")
    if isinstance(date, dt.date):
        date = date.isoformat()
    if date and not (isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date)
                     and date.startswith(f"{year:04d}-")):
        problems.append(rules.make("BOOK001", where, located.line_of("date"), 1,
                                   f"'date' must be YYYY-MM-DD in the book's year, not {date!r}",
                                   "write e.g. date: 2026-11-25, or leave it out"))
        date = ""
    book = Book(
        root=root.resolve(),
        title=need_str("title"),
        subtitle=" ".join(str(data.get("subtitle", "")).split()),
        editors=tuple(editors),
        year=year,
        publisher=str(data.get("publisher", "")),
        licence=str(data.get("licence", "")),
        licence_url=str(data.get("licence_url", "")),
        language=language,
        description=" ".join(str(data.get("description", "")).split()),
        front=path_list("front"),
        taster=taster_path,
        parts=tuple(parts),
        back=path_list("back"),
        bibliography=str(bibliography),
        jargon=str(jargon) if jargon else None,
        trusted=trusted,
        isbn=str(data.get("isbn", "")),
        cover=_cover(data.get("cover"), located, root, problems),
        url=_url(data.get("url"), located, problems),
        target_words=_word_target(data, "target_words", located, problems),
        taster_target_words=_word_target(data, "taster_target_words", located, problems),
        status_page=str(status_page),
        citation_order=str(citation_order),
        date=str(date),
    )
    seen: dict[str, int] = {}
    for page in book.pages:
        seen[page] = seen.get(page, 0) + 1
    for page, count in seen.items():
        if count > 1:
            problems.append(rules.make("BOOK001", where, 1, 1,
                                       f"{page!r} appears {count} times in the book's order",
                                       "list each file once"))
    if not (root / f"{ROOT_DOC}.md").is_file():
        problems.append(rules.make("BOOK002", f"{ROOT_DOC}.md", 1, 1,
                                   "the book has no front page", "create book/index.md"))
    return book, problems


def _word_target(data: dict[str, Any], key: str, located: Located,
                 problems: list[Diagnostic]) -> WordTarget | None:
    """`key: {min: 3000, max: 4000}`: whole numbers of words, min <= max; absent is None."""
    if key not in data:
        return None
    where = str(BOOK_FILE)
    value = data[key]
    example = f"write '{key}: {{min: 3000, max: 4000}}'"
    if not isinstance(value, dict):
        problems.append(rules.make("BOOK001", where, located.line_of(key), 1,
                                   f"{key!r} must be a range of words with 'min' and 'max'",
                                   example))
        return None
    bad = False
    for name in value:
        if name not in ("min", "max"):
            problems.append(rules.make("BOOK001", where, located.line_of(key, name), 1,
                                       f"{key!r} has an unknown key {name!r}",
                                       "only 'min' and 'max' are allowed"))
            bad = True
    numbers: dict[str, int] = {}
    for name in ("min", "max"):
        number = value.get(name)
        if isinstance(number, int) and not isinstance(number, bool) and number > 0:
            numbers[name] = number
            continue
        shown = "is missing" if name not in value else f"is {number!r}"
        problems.append(rules.make("BOOK001", where, located.line_of(key, name), 1,
                                   f"{key}.{name} must be a whole number of words above 0; "
                                   f"it {shown}", example))
        bad = True
    if bad:
        return None
    if numbers["min"] > numbers["max"]:
        problems.append(rules.make("BOOK001", where, located.line_of(key, "min"), 1,
                                   f"{key}.min ({numbers['min']}) is above its max "
                                   f"({numbers['max']})", "swap them"))
        return None
    return WordTarget(numbers["min"], numbers["max"])


def _trusted(value: object, located: Located, root: Path, problems: list[Diagnostic]
             ) -> tuple[str, ...]:
    """book.yml's `trusted:` allow-list: relative paths of files or folders in the book."""
    where = str(BOOK_FILE)
    if not isinstance(value, list):
        problems.append(rules.make("BOOK001", where, located.line_of("trusted"), 1,
                                   "'trusted' must be a list of files or folders",
                                   "write '- essays/a.md' lines under trusted:"))
        return ()
    kept: list[str] = []
    for index, entry in enumerate(value):
        problem, path = trusted_entry_problem(entry)
        line = located.line_of("trusted", index)
        if problem is not None:
            problems.append(rules.make("BOOK001", where, line, 1, problem, ""))
        elif not (root / path).exists():
            problems.append(rules.make("BOOK002", where, line, 1,
                                       f"trusted path {path!r} does not exist",
                                       "correct the path or remove it from trusted:"))
        else:
            kept.append(path)
    return tuple(kept)


def site_url_problem(value: object) -> str | None:
    """Why `value` cannot be the web book's address (None when it can)."""
    if not isinstance(value, str) or not value.strip():
        return "the site URL must be a non-empty http:// or https:// address"
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value.strip():
        return f"the site URL {value!r} must be an http:// or https:// address"
    if parts.query or parts.fragment:
        return f"the site URL {value!r} must not have a ?query or #fragment"
    return None


def normal_site_url(value: str) -> str:
    """The address with exactly one trailing "/", so page paths can be appended."""
    return value.strip().rstrip("/") + "/"


def _url(value: object, located: Located, problems: list[Diagnostic]) -> str:
    if value is None:
        return ""
    problem = site_url_problem(value)
    if problem is not None:
        problems.append(rules.make("BOOK001", str(BOOK_FILE), located.line_of("url"), 1,
                                   problem.replace("the site URL", "'url'", 1),
                                   "write the published address, e.g. "
                                   "'url: https://example.org/book/', or remove 'url:'"))
        return ""
    return normal_site_url(str(value))


def _cover(value: object, located: Located, root: Path, problems: list[Diagnostic]) -> str:
    """book.yml's `cover:`: a PNG or JPEG inside the book, used as the EPUB's cover."""
    if value is None:
        return ""
    where, line = str(BOOK_FILE), located.line_of("cover")
    if not isinstance(value, str) or not value.strip():
        problems.append(rules.make("BOOK001", where, line, 1,
                                   "'cover' must be the path of a PNG or JPEG image",
                                   "write e.g. 'cover: book/cover.png', or remove 'cover:'"))
        return ""
    text = value.strip().replace("\\", "/")
    path = PurePosixPath(text)
    if path.is_absolute() or ".." in path.parts or path.suffix.lower() not in COVER_SUFFIXES:
        problems.append(rules.make("BOOK001", where, line, 1,
                                   f"cover {value!r} must be a relative path to a .png or .jpg "
                                   "file inside the book",
                                   "put the image in book/ and write e.g. 'cover: book/cover.png'"))
        return ""
    if not (root / path).is_file():
        problems.append(rules.make("BOOK002", where, line, 1,
                                   f"cover image {value!r} does not exist",
                                   "add the image, correct the path, or remove 'cover:' "
                                   "to have essaykit draw a cover from the title"))
        return ""
    if escapes(root, path.as_posix()):
        problems.append(rules.make("BOOK001", where, line, 1,
                                   f"cover {value!r} is a symbolic link leading outside the book",
                                   "copy the image into the book"))
        return ""
    return path.as_posix()
