"""Small text helpers shared by the web and print editions."""

from __future__ import annotations


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def roman(number: int) -> str:
    """Upper-case roman numeral, for part numbers."""
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def curly(text: str) -> str:
    """Typographer's quotes for straight ones, as MyST's smartquotes sets the body:
    an apostrophe (don't, O'Hara, the 1990s' ) is ’; a quote opening after a space,
    a bracket or a dash, or at the start, is ‘ or “; any other is ’ or ”."""
    out = []
    for index, char in enumerate(text):
        if char not in "'\"":
            out.append(char)
            continue
        before = text[index - 1] if index else " "
        opens = before.isspace() or before in "([{\u2018\u201c\u2014\u2013-/"
        if char == "'":
            out.append("\u2018" if opens and not _digit_after(text, index) else "\u2019")
        else:
            out.append("\u201c" if opens else "\u201d")
    return "".join(out)


def _digit_after(text: str, index: int) -> bool:
    """'90s, '07: an apostrophe for missing figures, not an opening quote."""
    return index + 1 < len(text) and text[index + 1].isdigit()
