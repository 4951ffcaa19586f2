"""`[tool.essaykit]` in the book root's pyproject.toml: read once, validated once.

    [tool.essaykit]
    select = ["CIT", "REF"]          # code prefixes to report ("ALL" for everything)
    ignore = ["GLO004"]              # code prefixes never to report
    jargon = "book/jargon.txt"       # the jargon watch-list (overrides book.yml)
    autolink-terms = false           # does the build link first uses of terms itself?
    known-acronyms = ["BBC"]         # acronyms readers need no help with
    remote-images = ["https://upload.wikimedia.org/"]  # remote images allowed (URL prefixes)
    contributor-safety = true        # a book essaykit did not write: run the SEC rules too
    book = "docs"                    # in a repository root's pyproject.toml: where the book is

    [tool.essaykit.severity]         # per code or prefix: error, warning or info
    CIT002 = "error"

    [tool.essaykit.per-file-ignores]
    "book/glossary.md" = ["GLO"]

Every problem in this table is a CFG001 diagnostic at its line.

The safety rules (SEC and CHK) are not the repository's to switch off: `select`,
`ignore`, `per-file-ignores` and `severity` do not apply to them, and naming them
there is a CFG001 error. The editor's one lever is book.yml's `trusted:` list.
A book essaykit did not write (Sphinx, Jupyter Book) is another matter: its
authors own it, so the contributor-safety rules (SEC) are off unless the
project sets `contributor-safety = true` (one that takes pages from outside).
`[tool.essaykit]` is read from the book's folder or, failing that, from the
nearest pyproject.toml above it inside the same repository.
Only the command line's own --select and --ignore (a person choosing what to
look at; `essaykit build` passes neither) narrow what `essaykit check` shows.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity

CONFIG_FILE = "pyproject.toml"
# Acronyms so widely known that expanding them would talk down to the reader.
DEFAULT_ACRONYMS = frozenset({"UK", "US", "USA", "EU", "UN", "OK", "TV"})


@dataclass(frozen=True)
class Setting:
    """One key of `[tool.essaykit]`, as the manual's configuration reference shows it."""

    key: str
    kind: str
    default: str
    help: str
    example: str


# The schema of [tool.essaykit]: every key the validator below accepts, with its help.
SETTINGS = (
    Setting("select", "list of rule codes or prefixes", "all rules",
            "Report only these codes or code prefixes; `ALL` selects everything. "
            "`essaykit check --select` replaces it.", 'select = ["CIT", "REF"]'),
    Setting("ignore", "list of rule codes or prefixes", "none",
            "Never report these codes or prefixes. `essaykit check --ignore` adds to it.",
            'ignore = ["GLO004"]'),
    Setting("severity", "table: code or prefix = error, warning or info", "each rule's own",
            "Change how serious a finding is; the longest matching prefix wins. Errors make "
            "`essaykit check` exit 1 and stop `essaykit build`.",
            '[tool.essaykit.severity]\nCIT002 = "error"'),
    Setting("per-file-ignores", "table: file glob = list of codes or prefixes", "none",
            "Codes never reported for the files a glob matches. The only way to waive a "
            "safety finding (SEC, CHK) for a file; an essay cannot waive one itself.",
            '[tool.essaykit.per-file-ignores]\n"book/glossary.md" = ["GLO"]'),
    Setting("jargon", "path", "book.yml's `jargon:`",
            "The jargon watch-list: one term a line, `#` starts a comment.",
            'jargon = "book/jargon.txt"'),
    Setting("autolink-terms", "true or false", "true (essaykit book), unset (other books)",
            "The build links the first use of each glossary term in each essay. When false, "
            "rule GLO002 reports unlinked first uses instead. A book essaykit did not write "
            "gets GLO002 only when this says false (the project asks for first-use links).",
            "autolink-terms = false"),
    Setting("known-acronyms", "list of strings", ", ".join(sorted(DEFAULT_ACRONYMS)),
            "Acronyms readers need no help with (added to the defaults); GLO004 leaves them "
            "alone.", 'known-acronyms = ["BBC", "NHS"]'),
    Setting("remote-images", "list of URL prefixes ending in /", "none",
            "Hosts essays may load images from; any other remote image is SEC003.",
            'remote-images = ["https://upload.wikimedia.org/"]'),
    Setting("contributor-safety", "true or false", "true (essaykit book), false (other books)",
            "Run the contributor-safety rules (SEC: raw HTML, includes, remote images, "
            "directives off the allowlist) on a Sphinx or Jupyter Book project, for one that "
            "takes pages from outside contributors. An essaykit book always runs them; "
            "false there is an error.", "contributor-safety = true"),
    Setting("book", "path", "the folder holding pyproject.toml, or the one book below it",
            "Where the book is, relative to this pyproject.toml: for a repository whose book "
            "sits in a subfolder, so `essaykit check` works from the repository root.",
            'book = "docs"'),
)
KEYS = tuple(setting.key for setting in SETTINGS)
# a remote-images prefix names a scheme, a host and a path that ends in "/"
REMOTE_PREFIX = re.compile(r"^https?://[\w.-]+(:\d+)?/(\S*/)?$", re.IGNORECASE)
SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}
# Codes that are about the set-up rather than the text: never filtered, exit 2.
CONFIGURATION_CODES = ("CFG", "BOOK001")
# The submission gate's codes: [tool.essaykit] can neither filter nor soften them.
SAFETY_CODES = ("SEC", "CHK")


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("",)
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    jargon: str | None = None
    autolink_terms: bool | None = None
    known_acronyms: frozenset[str] = field(default_factory=lambda: DEFAULT_ACRONYMS)
    remote_images: tuple[str, ...] = ()
    contributor_safety: bool | None = None  # None: the profile's default
    book: str | None = None
    source: str = CONFIG_FILE  # where the table was read, relative to the book
    # the command line's --select (replacing `select`) and --ignore (added to `ignore`)
    command_select: tuple[str, ...] | None = None
    command_ignore: tuple[str, ...] = ()

    def remote_image_allowed(self, url: str) -> bool:
        return any(url.lower().startswith(prefix.lower()) for prefix in self.remote_images)

    def enabled(self, code: str) -> bool:
        if code.startswith(CONFIGURATION_CODES):
            return True
        if self.command_select is not None and not any(
                code.startswith(p) for p in self.command_select):
            return False
        if any(code.startswith(p) for p in self.command_ignore):
            return False
        if code.startswith(SAFETY_CODES):
            return True  # whatever the repository's settings say
        select = self.select if self.command_select is None else ("",)
        return any(code.startswith(p) for p in select) and not any(
            code.startswith(p) for p in self.ignore)

    def enabled_for(self, code: str, path: str) -> bool:
        if not self.enabled(code):
            return False
        return code.startswith(SAFETY_CODES) or not any(
            fnmatch.fnmatch(path, pattern) and any(code.startswith(p) for p in prefixes)
            for pattern, prefixes in self.per_file_ignores
        )

    def severity_of(self, code: str, default: Severity) -> Severity:
        if code.startswith(SAFETY_CODES):
            return default  # an error stays an error
        best = ""
        chosen = default
        for prefix, severity in self.severity:
            if code.startswith(prefix) and len(prefix) >= len(best):
                best, chosen = prefix, severity
        return chosen

    def with_overrides(self, select: Iterable[str] | None, ignore: Iterable[str] | None
                       ) -> Config:
        """The command line's --select replaces the table's; --ignore adds to it."""
        chosen = tuple(_prefix(p) for p in select) if select else None
        extra = tuple(_prefix(p) for p in ignore) if ignore else ()
        return dataclasses.replace(self, command_select=chosen, command_ignore=extra)


def _prefix(code: str) -> str:
    code = code.strip().upper()
    return "" if code == "ALL" else code


def validate_prefixes(codes: Iterable[str]) -> list[str]:
    """The codes that name no registered rule (nor a prefix of one)."""
    known = tuple(rules.RULES)
    return [code for code in codes
            if code.strip().upper() != "ALL"
            and not any(k.startswith(code.strip().upper()) for k in known)]


def _line_of(text: str, key: str, table: str = "tool.essaykit") -> int:
    """The line of `key` in `[table]` (pyproject.toml has no line info of its own)."""
    header = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("["):
            inside = bool(header.match(line))
            if inside and not key:
                return number
            continue
        if inside and re.match(r'^\s*"?' + re.escape(key) + r'"?\s*=', line):
            return number
    return _line_of(text, "", table) if key else 1


def config_path(root: Path) -> Path | None:
    """The pyproject.toml whose `[tool.essaykit]` applies to the book at `root`: the
    book's own, or else the nearest one above it, up to the repository's root (the
    folder holding .git), that has a `[tool.essaykit]` table."""
    own = root / CONFIG_FILE
    if own.is_file():
        return own
    top = next((folder for folder in (root, *root.parents) if (folder / ".git").exists()),
               None)
    if top is None:
        return None
    for folder in root.parents:
        candidate = folder / CONFIG_FILE
        if candidate.is_file() and _has_table(candidate):
            return candidate
        if folder == top:
            break
    return None


def _has_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*essaykit\s*[.\]]", text, re.MULTILINE) is not None


def load_config(root: Path) -> tuple[Config, list[Diagnostic]]:
    path = config_path(root)
    if path is None:
        return Config(), []
    shown = CONFIG_FILE if path.parent == root else os.path.relpath(path, root).replace(
        os.sep, "/")
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        return Config(), [rules.make("CFG001", shown, 1, 1, f"cannot read: {err}", "")]
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+), column (\d+)", str(err))
        line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        return Config(), [rules.make("CFG001", shown, line, column,
                                     f"pyproject.toml is not valid TOML: {err}", "fix the TOML")]
    table = data.get("tool", {}).get("essaykit", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(table, dict):
        return Config(), [rules.make("CFG001", shown, _line_of(text, ""), 1,
                                     "[tool.essaykit] must be a table", "")]
    config, problems = _validate(table, text, shown)
    return dataclasses.replace(config, source=shown), problems


def _validate(table: dict[str, Any], text: str, shown: str = CONFIG_FILE
              ) -> tuple[Config, list[Diagnostic]]:
    problems: list[Diagnostic] = []

    def problem(key: str, message: str, hint: str = "", subtable: str = "") -> None:
        where = _line_of(text, key, f"tool.essaykit.{subtable}" if subtable else "tool.essaykit")
        problems.append(rules.make("CFG001", shown, where, 1, message, hint))

    def codes(key: str, value: object, subtable: str = "") -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problem(key, f"{key!r} must be a list of rule codes or prefixes",
                    'write e.g. ["CIT", "REF001"]', subtable)
            return ()
        for unknown in validate_prefixes(value):
            problem(key, f"{unknown!r} is not a rule code or prefix",
                    "see `essaykit rules` for the codes", subtable)
        if key != "select":
            for code in value:
                safety_problem(key, code, subtable)
        return tuple(_prefix(v) for v in value)

    def safety_problem(key: str, code: str, subtable: str = "") -> None:
        if code.strip().upper().startswith(SAFETY_CODES):
            problem(key, f"{code!r}: the safety rules (SEC, CHK) cannot be switched off or "
                    "softened in [tool.essaykit]",
                    "take it out; to relax the rules for a page the editor wrote, list the "
                    "page in book.yml's trusted:", subtable)

    for key in table:
        if key not in KEYS:
            problem(key, f"unknown key {key!r} in [tool.essaykit]",
                    f"known keys: {', '.join(KEYS)}")
    select = codes("select", table["select"]) if "select" in table else ("",)
    ignore = codes("ignore", table["ignore"]) if "ignore" in table else ()
    severity: list[tuple[str, Severity]] = []
    raw_severity = table.get("severity", {})
    if not isinstance(raw_severity, dict):
        problem("severity", "'severity' must be a table of code = level", "")
    else:
        for code, level in raw_severity.items():
            if validate_prefixes([code]):
                problem(code, f"{code!r} is not a rule code or prefix", "", "severity")
            elif code.strip().upper().startswith(SAFETY_CODES):
                safety_problem(code, code, "severity")
            elif level not in SEVERITIES:
                problem(code, f"severity {level!r} for {code} is not error, warning or info",
                        "", "severity")
            else:
                severity.append((_prefix(code), SEVERITIES[level]))
    per_file: list[tuple[str, tuple[str, ...]]] = []
    raw_per_file = table.get("per-file-ignores", {})
    if not isinstance(raw_per_file, dict):
        problem("per-file-ignores", "'per-file-ignores' must be a table of glob = [codes]")
    else:
        for pattern, value in raw_per_file.items():
            per_file.append((pattern, codes(pattern, value, "per-file-ignores")))
    jargon = table.get("jargon")
    if jargon is not None and not isinstance(jargon, str):
        problem("jargon", "'jargon' must be a path to the watch-list", 'e.g. "book/jargon.txt"')
        jargon = None
    autolink = table.get("autolink-terms")
    if autolink is not None and not isinstance(autolink, bool):
        problem("autolink-terms", "'autolink-terms' must be true or false")
        autolink = None
    acronyms = table.get("known-acronyms", [])
    if not isinstance(acronyms, list) or not all(isinstance(a, str) for a in acronyms):
        problem("known-acronyms", "'known-acronyms' must be a list of strings")
        acronyms = []
    remote = table.get("remote-images", [])
    if not isinstance(remote, list) or not all(isinstance(r, str) for r in remote):
        problem("remote-images", "'remote-images' must be a list of URL prefixes",
                'e.g. ["https://upload.wikimedia.org/"]')
        remote = []
    safety = table.get("contributor-safety")
    if safety is not None and not isinstance(safety, bool):
        problem("contributor-safety", "'contributor-safety' must be true or false")
        safety = None
    book = table.get("book")
    if book is not None and (not isinstance(book, str) or not book.strip()):
        problem("book", "'book' must be the path of the book's folder", 'e.g. "docs"')
        book = None
    for prefix in remote:
        if not REMOTE_PREFIX.match(prefix):
            problem("remote-images", f"{prefix!r} is not an http(s) URL prefix ending in '/'",
                    "name the host and path, e.g. \"https://upload.wikimedia.org/\"")
    remote = [prefix for prefix in remote if REMOTE_PREFIX.match(prefix)]
    config = Config(select, ignore, tuple(severity), tuple(per_file), jargon, autolink,
                    DEFAULT_ACRONYMS | frozenset(acronyms), tuple(remote), safety, book)
    return config, problems
