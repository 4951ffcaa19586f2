"""The dashboard's picture: words per essay against its target range, as an SVG.

Drawn with matplotlib's object API and its SVG backend: no pyplot, no display,
no global state changed. Text stays text in the SVG (escaped by matplotlib's
XML writer), so the page's fonts draw it and titles from essays cannot become
markup.
"""

from __future__ import annotations

import bisect
import io
import logging
import os
import sys
from pathlib import Path
from typing import Any

from essaykit.core.cachekey import cache_key
from essaykit.dashboard.status import CollectionStatus, PieceStatus

WITHIN = "#2f6f62"  # the page's "accepted" green
OUTSIDE = "#b5651d"  # amber: too short or too long
NO_TARGET = "#6b7280"
BAND = "#dcebe6"
LABEL_LENGTH = 42
# one bar per essay up to this many; beyond, a histogram: a 500-bar chart is
# unreadable, and drawing it took seven seconds of every build
MOST_BARS = 60
BIN_WIDTH = 250  # words

# typed loosely: matplotlib types rc_context with a Literal of every rcParam
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",  # text as <text>, drawn by the browser's fonts
    "svg.hashsalt": "essaykit",  # the same SVG for the same numbers
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.edgecolor": "#9ca3af",
    "axes.labelcolor": "#374151",
    "xtick.color": "#4b5563",
    "ytick.color": "#1f2937",
    "text.usetex": False,
    "text.parse_math": False,  # a "$" in an essay's title is a dollar, not mathematics
}


def load_matplotlib(cache: Path) -> None:
    """Import matplotlib with its configuration and font cache in `cache` (unless the
    user chose MPLCONFIGDIR), never in the home folder, which may be read-only."""
    if "matplotlib" in sys.modules:
        return
    chosen = os.environ.get("MPLCONFIGDIR")
    if chosen is None:
        cache.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(cache)
    # building the font cache logs at INFO; the build's own output is what counts
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    try:
        import matplotlib
        import matplotlib.font_manager  # noqa: F401 - reads (or builds) the font cache now

        matplotlib.use("Agg")
    finally:
        if chosen is None:
            del os.environ["MPLCONFIGDIR"]  # matplotlib has remembered it


def short_label(piece: PieceStatus) -> str:
    title = piece.title if len(piece.title) <= LABEL_LENGTH else \
        piece.title[:LABEL_LENGTH - 1].rstrip() + "\u2026"
    return f"Taster: {title}" if piece.kind == "taster" else title


def words_chart(status: CollectionStatus, cache: Path) -> str:
    """An SVG (as text, without the XML prologue) of each piece's words and target.

    The SVG is kept in `cache` under a digest of what it shows: most edits leave
    the picture as it was (a 500-essay histogram rarely changes), and importing
    matplotlib alone takes about a second of every build.
    """
    if not status.pieces:
        return ""
    kept = cache / f"chart-{_chart_digest(status)}.svg"
    try:
        return kept.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    svg = _draw_chart(status, cache)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("chart-*.svg"):
            old.unlink(missing_ok=True)
        partial = kept.with_suffix(".partial")
        partial.write_text(svg, encoding="utf-8")
        os.replace(partial, kept)
    except OSError:
        pass  # not kept: drawn again next time
    return svg


def _chart_digest(status: CollectionStatus) -> str:
    """A digest of everything the chart draws, of this module, and of matplotlib's version."""
    pieces = status.pieces
    if len(pieces) > MOST_BARS:
        edges, groups, targets = _bands(status)
        drawn: object = ("bands", edges, [(colour, label, _counts(words, edges))
                                          for words, colour, label in groups], targets)
    else:
        drawn = ("bars", [(short_label(p), p.words, p.kind, p.length,
                           (p.target.min, p.target.max) if p.target else None) for p in pieces])
    # the shared key holds essaykit's files and matplotlib's release
    return cache_key("chart", drawn, status.words_per_minute)[:32]


def _counts(words: list[int], edges: list[int]) -> list[int]:
    """How many of `words` fall in each band [edge, next edge)."""
    counts = [0] * (len(edges) - 1)
    for count in words:
        counts[min(bisect.bisect_right(edges, count) - 1, len(counts) - 1)] += 1
    return counts


def _draw_chart(status: CollectionStatus, cache: Path) -> str:
    load_matplotlib(cache)
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import StrMethodFormatter

    pieces = status.pieces
    if len(pieces) > MOST_BARS:
        return _distribution_chart(status)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(10, 0.4 * len(pieces) + 1.3), layout="constrained")
        axes = figure.add_subplot()
        rows = list(range(len(pieces)))[::-1]  # reading order, top to bottom
        widest = max([p.words for p in pieces] + [p.target.max for p in pieces if p.target] + [1])
        for row, piece in zip(rows, pieces, strict=True):
            if piece.target:
                axes.barh(row, piece.target.max - piece.target.min, left=piece.target.min,
                          height=0.82, color=BAND, zorder=1)
            colour = NO_TARGET if piece.target is None else \
                WITHIN if piece.length == "within" else OUTSIDE
            axes.barh(row, piece.words, height=0.42, color=colour, zorder=2)
            axes.text(piece.words + widest * 0.008, row, f"{piece.words:,}", va="center",
                      fontsize=9, color="#1f2937", zorder=3, parse_math=False)
        axes.set_yticks(rows, [short_label(p) for p in pieces], parse_math=False)
        axes.set_xlim(0, widest * 1.1)
        axes.set_xlabel(f"words of body text (reading time at {status.words_per_minute} words "
                        "a minute)", parse_math=False)
        axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.grid(axis="x", color="#e5e7eb", zorder=0)
        axes.set_axisbelow(True)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
        axes.tick_params(axis="y", length=0)
        handles = [Patch(color=BAND, label="target range"),
                   Patch(color=WITHIN, label="within its target"),
                   Patch(color=OUTSIDE, label="outside its target")]
        if any(p.target is None for p in pieces):
            handles.append(Patch(color=NO_TARGET, label="no target set"))
        return _svg_with_legend(figure, handles)


def _distribution_chart(status: CollectionStatus) -> str:
    """How many pieces fall in each 250-word band, against the essays' target."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    edges, groups, targets = _bands(status)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(10, 4.2), layout="constrained")
        axes = figure.add_subplot()
        for low, high in targets:
            axes.axvspan(low, high, color=BAND, zorder=0)
        axes.hist([words for words, _, _ in groups], bins=edges, stacked=True,
                  color=[colour for _, colour, _ in groups], zorder=2, rwidth=0.9)
        axes.set_xlabel(f"words of body text, in bands of {BIN_WIDTH} "
                        f"(reading time at {status.words_per_minute} words a minute)",
                        parse_math=False)
        axes.set_ylabel("pieces", parse_math=False)
        axes.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color="#e5e7eb", zorder=0)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        handles = ([Patch(color=BAND, label="the essays' target range")] if targets else []) + [
            Patch(color=colour, label=label) for _, colour, label in groups]
        return _svg_with_legend(figure, handles)


def _bands(status: CollectionStatus) -> tuple[
        list[int], list[tuple[list[int], str, str]], list[tuple[int, int]]]:
    """The histogram's band edges, its groups (words, colour, label), the target ranges."""
    pieces = status.pieces
    widest = max([p.words for p in pieces] + [p.target.max for p in pieces if p.target] + [1])
    edges = list(range(0, widest + 2 * BIN_WIDTH, BIN_WIDTH))
    groups = [
        ([p.words for p in pieces if p.target is not None and p.length == "within"], WITHIN,
         "within its target"),
        ([p.words for p in pieces if p.target is not None and p.length != "within"], OUTSIDE,
         "outside its target"),
        ([p.words for p in pieces if p.target is None], NO_TARGET, "no target set"),
    ]
    groups = [group for group in groups if group[0]]
    targets = sorted({(p.target.min, p.target.max) for p in pieces
                      if p.target is not None and p.kind != "taster"})
    return edges, groups, targets


def _svg_with_legend(figure: Any, handles: list[Any]) -> str:
    """The legend across the top, then the figure as SVG text without its prologue."""
    figure.legend(handles=handles, loc="outside upper left", ncols=len(handles),
                  frameon=False, fontsize=9)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]
