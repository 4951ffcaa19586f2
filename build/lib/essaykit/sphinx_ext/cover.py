"""The EPUB's cover, drawn from book.yml: title, subtitle and editors, set in Linux Libertine.

A plain typographic cover, the kind a university press puts on a collection:
generous margins, the title large and ragged-right, a short rule, the subtitle
in italic and the editors at the foot. The same book.yml always gives the same
PNG, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path(__file__).parent.parent / "print" / "fonts"
WIDTH, HEIGHT = 1600, 2560  # 1:1.6, the proportion e-book shops ask for
MARGIN = 170
PAPER = (245, 241, 232)
INK = (28, 34, 43)
MUTED = (78, 84, 92)
ACCENT = (150, 42, 38)


@dataclass(frozen=True)
class CoverText:
    title: str
    subtitle: str = ""
    editors: str = ""  # "Edited by ..." is added here
    publisher: str = ""


def draw_cover(text: CoverText, target: Path) -> Path:
    """Write the cover as a PNG to `target` and return it."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    measure = WIDTH - 2 * MARGIN
    # a band of colour at the head, as on a series cover
    draw.rectangle((0, 0, WIDTH, 120), fill=INK)

    size, lines = _fit(text.title, "LinLibertine_R.otf", measure, start=200, least=90,
                       max_lines=5)
    title_font = _font("LinLibertine_R.otf", size)
    y = 470
    for line in lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += round(size * 1.12)
    y += 80
    draw.rectangle((MARGIN, y, MARGIN + 260, y + 8), fill=ACCENT)
    y += 100
    if text.subtitle:
        sub_size, sub_lines = _fit(text.subtitle, "LinLibertine_RI.otf", measure, start=84,
                                   least=52, max_lines=4)
        sub_font = _font("LinLibertine_RI.otf", sub_size)
        for line in sub_lines:
            draw.text((MARGIN, y), line, font=sub_font, fill=MUTED)
            y += round(sub_size * 1.3)

    foot = HEIGHT - MARGIN
    if text.publisher:
        pub_font = _font("LinBiolinum_R.otf", 44)
        foot -= 44
        draw.text((MARGIN, foot), text.publisher.upper(), font=pub_font, fill=MUTED)
        foot -= 90
    if text.editors:
        ed_size, ed_lines = _fit(f"Edited by {text.editors}", "LinBiolinum_R.otf", measure,
                                 start=64, least=40, max_lines=3)
        ed_font = _font("LinBiolinum_R.otf", ed_size)
        step = round(ed_size * 1.3)
        top = foot - step * len(ed_lines)
        for index, line in enumerate(ed_lines):
            draw.text((MARGIN, top + index * step), line, font=ed_font, fill=INK)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "PNG", optimize=True)
    return target


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size)


def _fit(text: str, font_name: str, width: int, *, start: int, least: int,
         max_lines: int) -> tuple[int, list[str]]:
    """The largest size (from `start` down to `least`) at which `text` wraps into
    `max_lines` lines of `width` pixels; at the least size, however many lines it takes."""
    size = start
    while True:
        font = _font(font_name, size)
        lines = wrap(text, font.getlength, width)
        fits = len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines)
        if fits or size <= least:
            return size, lines
        size = max(least, round(size * 0.9))


def wrap(text: str, measure: Callable[[str], float], width: int) -> list[str]:
    """Greedy line breaking by measured width; a word longer than a line stands alone."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines
