"""What makes a URL malformed, in the ways essays actually get them wrong."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

DOUBLED = re.compile(r"^(https?|ftp)://+(https?|ftp)(:|//|/)", re.IGNORECASE)
BAD_SEPARATOR = re.compile(r"^(https?|ftp)(//|:/(?!/)|:(?!/))", re.IGNORECASE)
HOST = re.compile(r"^[\w-]+(\.[\w-]+)*\.?$")
IN_PROSE = re.compile(r"(?<![\w/])(?:https?|ftp)(?::/{0,3}|//)[^\s\ufffc<>\"]*", re.IGNORECASE)
TRAILING = ".,;:!?'\"’”"


def url_problem(url: str) -> str | None:
    """Why `url` is malformed, or None when it looks well-formed."""
    if DOUBLED.match(url):
        return "the scheme is written twice"
    if BAD_SEPARATOR.match(url):
        return "the scheme should be followed by '://'"
    text = unquote(url)
    if text.count("(") != text.count(")"):
        return "its parentheses are unbalanced"
    if text.count("[") != text.count("]") and not text.startswith(("http://[", "https://[")):
        return "its square brackets are unbalanced"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as err:
        return f"it cannot be read as a URL ({err})"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ftp"):
        host = parts.hostname or ""
        if not host:
            return "it has no host"
        if host.startswith("[") or ":" in host:
            return None  # an IPv6 literal
        if not HOST.match(host):
            return f"its host {host!r} is not a domain name"
        if "." not in host and host != "localhost":
            return f"its host {host!r} has no domain (such as .org)"
    if scheme == "mailto" and "@" not in parts.path:
        return "a mailto: link needs an address with '@'"
    return None


def urls_in_prose(text: str) -> list[tuple[int, str]]:
    """Bare URLs in running text, trimmed of the punctuation that ends a sentence."""
    found: list[tuple[int, str]] = []
    for match in IN_PROSE.finditer(text):
        url = match.group().rstrip(TRAILING)
        while url and url[-1] in ")]" and url.count(url[-1]) > url.count("(" if url[-1] == ")"
                                                                           else "["):
            url = url[:-1].rstrip(TRAILING)
        if url:
            found.append((match.start(), url))
    return found
