"""Draw the book's figures as SVG.

What it draws
-------------
``core-economy.svg``: the essays' own model of the core economy, as
essays/co-production.md presents it after nef's manifesto
(Stephens, Ryan-Collins and Boyle 2008, ``stephens2008coproduction``): the
unpaid economy of households, families, neighbours and community groups, with
its time, care, knowledge, skills and relationships, drawn as the foundation on
which both the market economy and public services rest. The two upper blocks
are paid for and counted; the foundation is unpaid and largely missing from
the accounts. Arrows between the tiers say what the essays say: the core
economy supports both, and public services can grow it or deplete it.

It is a diagram of an argument, not a chart of data: no quantity in it is
drawn to scale.

How to run it
-------------
From the root of the repository::

    .venv/bin/python book/figures/make_figures.py

It writes ``book/figures/core-economy.svg`` next to this script. The output is
deterministic: text stays text (``svg.fonttype: none``), element ids come from a
fixed hash salt and no date is written, so rerunning the script with the same
matplotlib gives a byte-identical file (``git diff`` shows nothing).

Design notes: the figure is 110 mm wide, just inside the printed text block of
a royal octavo page (about 117 mm), so in print it is shown at its natural size
and no text is smaller than 8 pt. It uses black, white and greys only, so it reads
the same in greyscale, and carries its own white background so that it stays
legible in the web book's dark mode.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: E402

HERE = Path(__file__).resolve().parent
MM = 1 / 25.4  # inches per millimetre

# Biolinum is the print edition's sans-serif; browsers and WeasyPrint fall back
# along the list. Layout is measured with DejaVu Sans, the widest of them.
FONTS = ["Linux Biolinum O", "Linux Biolinum", "Biolinum", "DejaVu Sans", "sans-serif"]

INK = "#1a1a1a"
MID = "#555555"
CORE_FILL = "#d4d4d4"
BLOCK_FILL = "#ffffff"

plt.rcParams.update({
    "svg.fonttype": "none",       # keep text as text, not paths
    "svg.hashsalt": "beyond-the-quick-win",  # stable ids between runs
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 8.5,
    "text.color": INK,
    "axes.unicode_minus": False,
})


def text(ax, x, y, s, size=8.5, weight="normal", style="normal", color=INK, **kw):
    ax.text(x, y, s, fontsize=size, fontweight=weight, fontstyle=style, color=color,
            ha=kw.pop("ha", "center"), va=kw.pop("va", "center"), **kw)


def arrow(ax, start, end, both=False):
    ax.add_patch(FancyArrowPatch(
        start, end, arrowstyle="<|-|>" if both else "-|>", mutation_scale=7,
        linewidth=0.9, color=MID, shrinkA=0, shrinkB=0))


def core_economy(path: Path) -> None:
    width, height = 110, 68  # mm
    fig = plt.figure(figsize=(width * MM, height * MM), facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    left, right = 1, width - 1

    # Upper tier: the two paid economies, side by side.
    top, block_h, gap = height - 1, 22, 4
    block_w = (right - left - gap) / 2
    blocks = [
        (left, "The market economy", "paid work, firms and trade"),
        (left + block_w + gap, "Public services", "councils, the NHS, contractors"),
    ]
    for x, title, gloss in blocks:
        ax.add_patch(Rectangle((x, top - block_h), block_w, block_h,
                               facecolor=BLOCK_FILL, edgecolor=INK, linewidth=0.9))
        text(ax, x + block_w / 2, top - 6, title, size=10, weight="bold")
        text(ax, x + block_w / 2, top - 12, gloss, size=8.5)
        text(ax, x + block_w / 2, top - 17.5, "paid for, and counted", size=8,
             style="italic", color=MID)

    # Foundation: the core economy, as wide as everything it carries.
    base_top, base_bottom = top - block_h - 13, 1
    ax.add_patch(Rectangle((left, base_bottom), right - left, base_top - base_bottom,
                           facecolor=CORE_FILL, edgecolor=INK, linewidth=0.9))
    text(ax, width / 2, base_top - 6.5, "The core economy", size=11, weight="bold")
    text(ax, width / 2, base_top - 13,
         "households \u00b7 families \u00b7 neighbours \u00b7 community groups", size=8.5)
    text(ax, width / 2, base_top - 19,
         "time \u00b7 care \u00b7 knowledge \u00b7 skills \u00b7 relationships", size=8.5)
    text(ax, width / 2, base_top - 25.5, "unpaid, and largely missing from the accounts",
         size=8, style="italic", color="#333333")

    # Between the tiers: the foundation supports both; public services can also
    # grow it or deplete it.
    lo, hi = base_top + 1.2, top - block_h - 1.2
    middle = (lo + hi) / 2
    for x, _, _ in blocks:
        arrow(ax, (x + 9, lo), (x + 9, hi))
        text(ax, x + 11, middle, "supports", size=8, style="italic", color=MID, ha="left")
    x = blocks[1][0] + 33
    arrow(ax, (x, hi), (x, lo))
    text(ax, x + 2, middle, "grows or\ndepletes", size=8, style="italic", color=MID,
         ha="left", linespacing=1.05)

    fig.savefig(path, format="svg", facecolor="white",
                metadata={"Date": None, "Creator": "book/figures/make_figures.py"})
    plt.close(fig)


def main() -> None:
    core_economy(HERE / "core-economy.svg")


if __name__ == "__main__":
    main()
