"""Hostile fixture books (tests/hostile/<case>/) and what a test must do to each first.

Some hostile inputs cannot be committed to the repository: a symbolic link to a
file outside it, a 2 MB essay, two names a Mac would check out as one. For
those cases `prepare()` makes them in the test's copy. Every case also gets a
secret file planted beside the book (outside it), which no output may contain.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

from essaykit.core.limits import MAX_PAGE_BYTES

HOSTILE = Path(__file__).parent / "hostile"
SECRET = "TOPSECRET-editor-credentials-7f3a"


def _symlinks(root: Path) -> None:
    (root / "essays" / "figures" / "map.png").symlink_to(root.parent / "secret.png")
    (root / "essays" / "data.csv").symlink_to(root.parent / "secret.txt")


def _too_large(root: Path) -> None:
    essay = root / "essays" / "one.md"
    filler = "Words, words, words.\n" * (MAX_PAGE_BYTES // 21 + 1)
    essay.write_text(essay.read_text(encoding="utf-8") + filler, encoding="utf-8")


def _name_clash(root: Path) -> None:
    text = "---\ntitle: {0}\nauthors:\n  - name: A. Writer\nabstract: An essay.\n---\n\nText.\n"
    (root / "essays" / "One.md").write_text(text.format("Upper case"), encoding="utf-8")
    nfc = unicodedata.normalize("NFC", "café.md")
    nfd = unicodedata.normalize("NFD", "café.md")
    (root / "essays" / nfc).write_text(text.format("Composed"), encoding="utf-8")
    (root / "essays" / nfd).write_text(text.format("Decomposed"), encoding="utf-8")


PREPARE: dict[str, Callable[[Path], None]] = {
    "sec002-symlink-out-of-book": _symlinks,
    "sec010-file-too-large": _too_large,
    "chk009-name-clash": _name_clash,
}


def cases() -> list[str]:
    return sorted(p.name for p in HOSTILE.iterdir() if (p / "expected.txt").exists()
                  or os.environ.get("ESSAYKIT_UPDATE_EXPECTED"))


# Every case is checked in an English and in a German book: docutils reads directive
# and role names in the book's language too (`{einfügen}` is `include` in German).
LANGUAGES = ("en", "de")
# The cases of the gate's second round, which the build's second layer alone
# (`essaykit build --no-check`, a plain sphinx-build) must also defuse.
SECOND_LAYER = ("gate-capitalised-names", "gate-path-options", "gate-remote-images",
                "gate-settings-cannot-waive", "gate-translated-names",
                "gate-unclosed-options", "sec013-markup-not-allowed")


def language_of(case: str) -> str:
    """The language the case's own book.yml names (English when it names none)."""
    for line in (HOSTILE / case / "book" / "book.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("language:"):
            return line.partition(":")[2].strip()
    return "en"


def expected_file(case: str, language: str) -> Path:
    """expected.txt, or expected.<language>.txt where the other language reads it
    differently."""
    specific = HOSTILE / case / f"expected.{language}.txt"
    if language != language_of(case) and (specific.exists()
                                          or os.environ.get("ESSAYKIT_UPDATE_EXPECTED")):
        return specific
    return HOSTILE / case / "expected.txt"


def set_language(root: Path, language: str) -> None:
    book_yml = root / "book" / "book.yml"
    lines = [line for line in book_yml.read_text(encoding="utf-8").splitlines()
             if not line.startswith("language:")]
    book_yml.write_text("\n".join(lines + [f"language: {language}"]) + "\n", encoding="utf-8")


def prepare(case: str, tmp: Path, language: str | None = None) -> Path:
    """A copy of the case at tmp/book, the secret planted at tmp/, ready to check;
    with `language`, its book is in that language."""
    root = tmp / "book"
    shutil.copytree(HOSTILE / case, root, ignore=shutil.ignore_patterns("expected*.txt"))
    plant_secret(tmp)
    if language is not None:
        set_language(root, language)
    if case in PREPARE:
        PREPARE[case](root)
    return root


def plant_secret(folder: Path) -> None:
    (folder / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (folder / "secret.png").write_text(f"{SECRET}\n", encoding="utf-8")


# What must never be in any output: live script, event handlers, script links, a
# refresh that sends the reader elsewhere, an image that tells a tracker who reads.
LIVE_SCRIPT = re.compile(r"<script\b[^>]*>[^<]*(alert|pwned|document\.cookie)", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^<>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_LINK = re.compile(r"""(href|src|action)\s*=\s*["']?\s*(javascript|vbscript|data):""",
                         re.IGNORECASE)
# (the book's own root page refreshes to book/index.html: a refresh away from the
# book names a scheme or a host)
META_REFRESH = re.compile(r"""<meta\b(?=[^>]*http-equiv\s*=\s*["']?refresh)"""
                          r"""(?=[^>]*url\s*=\s*(?:[a-z]+:|//))[^>]*>""", re.IGNORECASE)
REMOTE_IMAGE = re.compile(r"""<img\b[^>]*\ssrc\s*=\s*["']?\s*((?:[a-z]+:)?//[^"'\s>]*)""",
                          re.IGNORECASE)


def leaks(tree: Path, allowed_images: tuple[str, ...] = ()) -> list[str]:
    """Every place in an output tree where a payload got through (`allowed_images`:
    the URL prefixes of remote images the book allows)."""
    found: list[str] = []
    for path in sorted(tree.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        shown = str(path.relative_to(tree))
        if SECRET.encode() in data:
            found.append(f"{shown}: the secret file's content")
        if "_static" in path.parts or path.suffix not in (".html", ".xhtml", ".js", ".txt"):
            continue  # the theme's own assets are not built from the essays
        text = data.decode("utf-8", errors="replace")
        for name, pattern in (("live <script>", LIVE_SCRIPT), ("event handler", EVENT_HANDLER),
                              ("script link", SCRIPT_LINK), ("meta refresh", META_REFRESH)):
            match = pattern.search(text)
            if match:
                found.append(f"{shown}: {name} {match.group()[:60]!r}")
        for match in REMOTE_IMAGE.finditer(text):
            if not match.group(1).lower().startswith(allowed_images):
                found.append(f"{shown}: remote image {match.group(1)[:60]!r}")
    return found
