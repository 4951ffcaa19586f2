"""Who may do what: the editor's allow-list, and where a path written in a page leads.

Essays are untrusted by default. The editor names files or folders in book.yml's
`trusted:` list; only those get the relaxed rules (raw HTML, `include`,
`eval-rst`). The allow-list is exact: trusting `essays/a.md` does not trust
`essays/a.md.bak` or `essays/b.md`, and trusting `essays/` trusts what is in
that folder, not its neighbours.

Whatever the trust, a path a page names must stay inside the book: this module
says where it leads, lexically and then on the disk (a symlink on the way may
lead out). Both layers, the checker and the Sphinx extension, ask here, so
they cannot disagree.
"""

from __future__ import annotations

import enum
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

# Schemes that run script or smuggle a document into the page, however written.
SCRIPT_SCHEME = re.compile(r"^[\s\x00-\x20]*(?:javascript|vbscript|data)[\s\x00-\x20]*:",
                           re.IGNORECASE)
REMOTE = re.compile(r"^(?:https?|ftp)://", re.IGNORECASE)
ANY_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def trusted_entries(entries: Iterable[str]) -> tuple[str, ...]:
    """book.yml's `trusted:` as clean posix paths (invalid entries are dropped;
    `essaykit.core.book` reports them)."""
    clean: list[str] = []
    for entry in entries:
        problem, path = trusted_entry_problem(entry)
        if problem is None:
            clean.append(path)
    return tuple(clean)


def trusted_entry_problem(entry: object) -> tuple[str | None, str]:
    """Why a `trusted:` entry is refused (None when it is fine), and its clean form."""
    if not isinstance(entry, str) or not entry.strip():
        return "each trusted entry must be a file or folder path", ""
    text = entry.strip().replace("\\", "/")
    path = posixpath.normpath(text)
    if PurePosixPath(text).is_absolute() or path == ".." or path.startswith("../"):
        return f"trusted path {entry!r} must be relative and inside the book", path
    if path in (".", ""):
        return ("trusting the whole book switches the submission checks off; "
                "name the files or folders you trust"), path
    return None, path


def is_trusted(page: str, trusted: Iterable[str]) -> bool:
    """Whether `page` (posix, relative to the book root) is on the allow-list."""
    for entry in trusted:
        if page == entry or page.startswith(entry.rstrip("/") + "/"):
            return True
    return False


class Where(enum.Enum):
    INSIDE = "inside"  # a file of the book
    OUTSIDE = "outside"  # `..`, an absolute path: outside the book's folder
    HIDDEN = "hidden"  # inside the folder but hidden (.git, .env): never part of the book
    SYMLINK = "symlink"  # inside on paper, outside on the disk
    REMOTE = "remote"  # http(s) or ftp
    SCRIPT = "script"  # javascript:, vbscript:, data:
    OTHER = "other"  # another scheme (mailto:, doi:): not a file


@dataclass(frozen=True)
class Target:
    where: Where
    relative: str = ""  # posix, relative to the book root, when INSIDE/HIDDEN/SYMLINK
    real: str = ""  # where a symlink leads


def locate(root: Path, folder: str, target: str, *, rooted: bool = True,
           cache: dict[str, str] | None = None) -> Target:
    """Where `target`, written in a page in `folder`, leads.

    `rooted`: a leading "/" means the book's root, as for Sphinx's images and
    includes; docutils' `:file:` options take it as an absolute path instead.
    `cache` keeps folders' real paths between calls (one dict per run).
    """
    text = target.strip()
    if text[:8].lower().startswith(("https://", "http://")):
        return Target(Where.REMOTE)
    if SCRIPT_SCHEME.match(text) or ("%" in text and SCRIPT_SCHEME.match(unquote(text))):
        return Target(Where.SCRIPT)
    if REMOTE.match(text):
        return Target(Where.REMOTE)
    if ANY_SCHEME.match(text) and not re.match(r"^[a-zA-Z]:[\\/]", text):
        return Target(Where.OTHER)
    # percent-escapes and backslashes are read the way the most lenient reader would
    text = text.split("#", 1)[0].split("?", 1)[0]
    text = (unquote(text) if "%" in text else text).replace("\\", "/")
    if text.startswith("~") or re.match(r"^[a-zA-Z]:/", text):
        return Target(Where.OUTSIDE)
    if text.startswith("/"):
        if not rooted:
            return Target(Where.OUTSIDE)
        joined = text[1:]
        if joined.startswith("/"):  # `//etc/passwd`: still absolute after one "/" is dropped
            return Target(Where.OUTSIDE)
    else:
        joined = posixpath.join(folder, text)
    relative = posixpath.normpath(joined) if joined else "."
    if relative == ".." or relative.startswith("../") or posixpath.isabs(relative):
        return Target(Where.OUTSIDE)
    if any(part.startswith(".") and part not in (".", "..")
           for part in relative.split("/")):
        return Target(Where.HIDDEN, relative)
    real = escapes(root, relative, cache)
    if real:
        return Target(Where.SYMLINK, relative, real)
    return Target(Where.INSIDE, relative)


def escapes(root: Path, relative: str, cache: dict[str, str] | None = None) -> str:
    """Where `relative` really leads when a symlink on the way takes it out of
    `root` ("" when it stays inside)."""
    cache = {} if cache is None else cache
    base = _real(str(root), cache)
    folder, name = os.path.split(os.path.join(base, relative))
    real = os.path.join(_real(folder, cache), name)
    if os.path.islink(real):
        real = os.path.realpath(real)
    if real == base or real.startswith(base.rstrip(os.sep) + os.sep):
        return ""
    return real


def _real(folder: str, cache: dict[str, str]) -> str:
    found = cache.get(folder)
    if found is None:
        found = cache[folder] = os.path.realpath(folder)
    return found


__all__ = ["Target", "Where", "escapes", "is_trusted", "locate", "trusted_entries",
           "trusted_entry_problem"]
