"""The BibTeX macro bomb, defused before pybtex sees the file.

`@string{a = "xxxxxxxx"}`, `@string{b = a # a}`, `@string{c = b # b}`… doubles
at every line: forty lines ask pybtex for terabytes, and it tries. This module
reads the `@string` definitions and the macro references in every entry
without expanding anything, adds up the lengths they would expand to, and
blanks (with spaces, so that line numbers hold) each command that would take
the file past the limit. pybtex then reads a file that cannot explode: a
blanked macro is simply undefined, which it reports as it would any other.

Used by the checker (`bib.read_bib_text`) and by the Sphinx extension before
sphinxcontrib-bibtex parses the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from essaykit.core import rules
from essaykit.core.diagnostics import Severity
from essaykit.core.limits import MAX_MACRO_EXPANSION

rules.rule(
    "SEC012", "bibtex-macro-expansion", Severity.ERROR,
    "BibTeX @string macros would expand past the limit (a macro \"bomb\").",
    "Each macro can repeat others: forty lines that double a string ask for terabytes and "
    "exhaust the editor's memory. The offending definition is left out.",
    bad='@string{a = "xxxxxxxxxx"}\n@string{b = a # a}\n@string{c = b # b}\n...',
    good='@string{jpe = "Journal of Political Economy"}',
)

COMMAND = re.compile(r"@[ \t]*([A-Za-z]+)[ \t\r\n]*([{(])")
HAS_STRING = re.compile(r"@[ \t]*string[ \t\r\n]*[{(]", re.IGNORECASE)
TOKEN = re.compile(r"""[ \t\r\n]*(?:(?P<brace>\{)|(?P<quote>")|(?P<word>[^\s"#%'(),={}]+)"""
                   r"""|(?P<other>.))""", re.DOTALL)
BRACES = re.compile(r"[{}]")
CLOSE_BRACE = BRACES
CLOSE_PAREN = re.compile(r"[{})]")
NEXT_CHAR = re.compile(r"[ \t\r\n]*(.?)", re.DOTALL)
QUOTE_END = re.compile(r'[{}"]')
# pybtex predefines the month macros (jan -> "January")
MONTHS = {name: len(full) for name, full in (
    ("jan", "January"), ("feb", "February"), ("mar", "March"), ("apr", "April"),
    ("may", "May"), ("jun", "June"), ("jul", "July"), ("aug", "August"),
    ("sep", "September"), ("oct", "October"), ("nov", "November"), ("dec", "December"))}


@dataclass(frozen=True)
class Bomb:
    line: int
    what: str  # "@string{name}" or "@book{key}"
    length: int  # what it would expand to


@dataclass
class Guarded:
    text: str  # safe to hand to pybtex
    bombs: list[Bomb] = field(default_factory=list)


def guard_macros(text: str, limit: int = MAX_MACRO_EXPANSION) -> Guarded:
    """`text` with every command that would expand past `limit` blanked out."""
    if HAS_STRING.search(text) is None:
        return Guarded(text)  # month macros alone cannot grow past a few times the file
    macros = dict(MONTHS)
    total = 0
    bombs: list[Bomb] = []
    blanks: list[tuple[int, int]] = []  # commands left out
    defused: set[str] = set()  # macros left out: each use becomes the number 0
    position = 0
    for match in COMMAND.finditer(text):
        if match.start() < position:
            continue  # an "@" inside a command already read
        kind = match.group(1).lower()
        end = _closing(text, match.end(), "}" if match.group(2) == "{" else ")")
        position = end
        if kind == "comment":
            continue
        name, literal, expanded, uses = _measure(text, match.end(), end - 1, macros, defused)
        cost = literal + expanded if kind == "string" else expanded
        if total + cost > limit:
            line = text.count("\n", 0, match.start()) + 1
            label = name if kind == "string" else (name or "?")
            bombs.append(Bomb(line, f"@{kind}{{{label}}}", cost))
            blanks.append((match.start(), end))
            if kind == "string" and name:
                macros[name.lower()] = 1
                defused.add(name.lower())
            continue
        if kind == "string" and name and uses:
            # built from a left-out macro: left out too (reported once, at the first)
            blanks.append((match.start(), end))
            macros[name.lower()] = 1
            defused.add(name.lower())
            continue
        blanks.extend(uses)
        total += cost
        if kind == "string" and name:
            macros[name.lower()] = literal + expanded
    if not blanks:
        return Guarded(text, bombs)
    pieces: list[str] = []
    last = 0
    for start, end in sorted(blanks):
        pieces.append(text[last:start])
        replaced = re.sub(r"[^\n]", " ", text[start:end])
        if uses_zero(text, start, end):
            replaced = "0" + replaced[1:]
        pieces.append(replaced)
        last = end
    pieces.append(text[last:])
    return Guarded("".join(pieces), bombs)


def _closing(text: str, start: int, close: str) -> int:
    """The offset just after the delimiter closing a command opened before `start`
    (braces nest inside it; the end of the file when it is never closed)."""
    depth = 0
    for match in (CLOSE_BRACE if close == "}" else CLOSE_PAREN).finditer(text, start):
        char = match.group()
        if char == "{":
            depth += 1
        elif depth == 0 and char == close:
            return match.end()
        elif char == "}":
            depth = max(depth - 1, 0)
    return len(text)


def uses_zero(text: str, start: int, end: int) -> bool:
    """Whether the span is a use of a left-out macro (not a whole command)."""
    return text[start] != "@"


def _measure(text: str, start: int, end: int, macros: dict[str, int], defused: set[str]
             ) -> tuple[str, int, int, list[tuple[int, int]]]:
    """(name or key, literal characters, characters from macros, uses of left-out macros)
    of one command's body."""
    name = ""
    literal = expanded = 0
    uses: list[tuple[int, int]] = []
    position = start
    while position < end:
        match = TOKEN.match(text, position, end)
        if match is None:
            break
        position = match.end()
        if match.group("brace"):
            close = _balanced(text, position, end)
            literal += close - position
            position = close + 1
        elif match.group("quote"):
            close = _quoted(text, position, end)
            literal += close - position
            position = close + 1
        elif match.group("word"):
            word = match.group("word")
            ahead = NEXT_CHAR.match(text, position, end)
            following = ahead.group(1) if ahead else ""
            if not name and following in ("=", ","):
                name = word  # the @string's name, or the entry's key
            elif following == "=":
                continue  # a field's name
            elif word.isdigit():
                literal += len(word)
            else:
                expanded += macros.get(word.lower(), 0)
                if word.lower() in defused:
                    uses.append((match.start("word"), match.end("word")))
    return name, literal, expanded, uses


def _balanced(text: str, start: int, end: int) -> int:
    """The offset of the "}" closing a "{" just before `start` (or `end`)."""
    depth = 1
    for match in BRACES.finditer(text, start, end):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start()
    return end


def _quoted(text: str, start: int, end: int) -> int:
    """The offset of the '"' closing a quoted value (braces inside it protect quotes)."""
    depth = 0
    for match in QUOTE_END.finditer(text, start, end):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return match.start()
    return end
