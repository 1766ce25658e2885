"""Sizes, texts and table layout shared by the slides and the PDF pages (both 16:9).

A table is laid out once, here, for both files: column widths, a font size, each cell's
lines (wrapped at spaces with the DejaVu Sans metrics the PDF embeds, wider than the
fonts PowerPoint uses, so a slide's text takes no more room than measured), and the
pages it runs over. A person's words are never shortened: a table that does not fit one
slide at a readable size continues on the next, and a row taller than a slide continues
with its words on the next one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.pack.content import PackContent, TablePart

SLIDE_W_EMU, SLIDE_H_EMU = 12192000, 6858000   # PowerPoint's own 16:9 (13.333 x 7.5 in)
SLIDE_W_IN, SLIDE_H_IN = SLIDE_W_EMU / 914400, SLIDE_H_EMU / 914400

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# Where a table sits on a slide or page (inches), and how its cells are padded.
TABLE_LEFT_IN, TABLE_TOP_IN, TABLE_WIDTH_IN = 0.4, 1.6, 12.5
TABLE_BOTTOM_IN = SLIDE_H_IN - 0.55           # above the footer strip (sample mark)
PAD_X_IN, PAD_Y_IN = 0.1, 0.05
LINE_SPACING = 1.25                           # line height / font size
FIT_SIZES = (14, 13, 12, 11)                  # a table on one slide: the largest that fits
CONTINUED_SIZE = 12                           # a table over several slides
MEASURE_SLACK = 0.97                          # wrap a little early: renderers differ
CONTINUED = " (tiếp)"
MIN_SPLIT_LINES = 3                           # a row split over slides keeps this many here

# The sample-data strip at the bottom right of every slide and page (inches).
MARK_LEFT_IN, MARK_TOP_IN = SLIDE_W_IN - 4.9, SLIDE_H_IN - 0.5
MARK_WIDTH_IN, MARK_HEIGHT_IN = 4.8, 0.46


def cover_lines(content: PackContent) -> list[str]:
    from dashboard.fmt import date_vn
    return [f"Phạm vi: {content.scope_text}", f"Ngày lập: {date_vn(content.made_on)}",
            footer(content)]


def footer(content: PackContent) -> str:
    from dashboard.render import footer_text
    return footer_text(content.data_date)


def shown(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


# -- measuring text ------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _font(size: float, bold: bool):
    from PIL import ImageFont
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of `text` set at `size` points."""
    return _font(size, bold).getlength(text)


def wrap(text: str, width_in: float, size: float, bold: bool = False) -> list[str]:
    """`text` as the lines it takes in a column `width_in` wide (padding included): words
    whole (a word wider than the column alone is broken), and the writer's line breaks
    kept: the last line of a paragraph followed by another ends with "\n"."""
    room = (width_in - 2 * PAD_X_IN) * 72 * MEASURE_SLACK
    lines: list[str] = []
    for p, paragraph in enumerate(shown(text).split("\n")):
        if p:
            lines[-1] += "\n"
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold) > room:
                lines.append(line)
                candidate = word
            while text_width(candidate, size, bold) > room and len(candidate) > 1:
                cut = _longest_fit(candidate, room, size, bold)
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            line = candidate
        lines.append(line)
    return lines


def _longest_fit(word: str, room: float, size: float, bold: bool) -> int:
    cut = len(word) - 1
    while cut > 1 and text_width(word[:cut], size, bold) > room:
        cut -= 1
    return cut


def fit_size(text: str, width_in: float, largest: int, smallest: int,
             bold: bool = False) -> int:
    """The largest size (points) at which `text` takes one line of `width_in`; the
    smallest when none does (it then wraps)."""
    for size in range(largest, smallest - 1, -1):
        if text_width(text, size, bold) <= width_in * 72 * MEASURE_SLACK:
            return size
    return smallest


def line_height_in(size: float) -> float:
    return size * LINE_SPACING / 72


def row_height_in(lines: list[list[str]], size: float) -> float:
    return max(len(cell) for cell in lines) * line_height_in(size) + 2 * PAD_Y_IN


# -- laying a table out ----------------------------------------------------------------------

@dataclass(frozen=True)
class TablePage:
    """One slide's (and one PDF page's) share of a table, laid out."""
    title: str
    header: list[str]
    rows: list[list[str]]           # the texts of each row, as shown (whole words)
    header_lines: list[list[str]]
    row_lines: list[list[list[str]]]
    widths: list[float]             # inches
    size: float                     # points
    empty_text: str = ""

    @property
    def header_height(self) -> float:
        return row_height_in(self.header_lines, self.size)

    @property
    def row_heights(self) -> list[float]:
        return [row_height_in(lines, self.size) for lines in self.row_lines]

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=self.header)


def text_sections(content: PackContent) -> list[TablePage]:
    """The table slides/pages in deck order: one per cell, obstacles, completeness, each
    continued over as many slides as its text needs."""
    parts = [*content.cell_tables, content.issues, content.completeness]
    return [page for part in parts for page in lay_out(part)]


def lay_out(part: TablePart) -> list[TablePage]:
    """The table on one slide at the largest size that fits, else over several slides."""
    header = [str(c) for c in part.frame.columns]
    rows = [[shown(v) for v in r] for r in part.frame.itertuples(index=False)]
    if not rows:
        return [TablePage(part.title, header, [], [], [], [], FIT_SIZES[0], part.empty_text)]
    for size in FIT_SIZES:
        pages = _paginate(part, header, rows, size)
        if len(pages) == 1:
            return pages
    return _paginate(part, header, rows, CONTINUED_SIZE)


def _paginate(part: TablePart, header: list[str], rows: list[list[str]],
              size: float) -> list[TablePage]:
    widths = column_widths(header, rows, TABLE_WIDTH_IN, size)
    header_lines = [wrap(h, w, size, bold=True) for h, w in zip(header, widths)]
    room = TABLE_BOTTOM_IN - TABLE_TOP_IN - row_height_in(header_lines, size)
    pages: list[list[list[str]]] = [[]]
    used = 0.0
    queue = [[wrap(v, w, size) for v, w in zip(row, widths)] for row in rows]
    while queue:
        lines = queue.pop(0)
        height = row_height_in(lines, size)
        if used + height <= room:
            pages[-1].append(lines)
            used += height
            continue
        free_lines = int((room - used - 2 * PAD_Y_IN) / line_height_in(size))
        if height <= room or (pages[-1] and free_lines < MIN_SPLIT_LINES):
            pages.append([])                # the row fits a slide of its own: start one
            used = 0.0
            queue.insert(0, lines)
            continue
        # A row taller than a slide: as many of its lines as fit here, the rest next.
        first, rest = _split(lines, max(free_lines, MIN_SPLIT_LINES), part.key_columns)
        pages[-1].append(first)
        queue.insert(0, rest)
        used = room
    return [TablePage(part.title if i == 0 else part.title + CONTINUED, header,
                      [[_join(cell) for cell in row] for row in page], header_lines, page,
                      widths, size) for i, page in enumerate(pages)]


def _split(lines: list[list[str]], keep: int, key_columns: int
           ) -> tuple[list[list[str]], list[list[str]]]:
    """A row's first `keep` lines, and the rest as a continuation row that names the row
    again (its key columns, "(tiếp)")."""
    first = [cell[:keep] for cell in lines]
    rest = []
    for i, cell in enumerate(lines):
        remaining = cell[keep:]
        if i < key_columns and not remaining:
            remaining = [*cell, CONTINUED.strip()] if i == 0 else list(cell)
        rest.append(remaining or [""])
    return first, rest


def _join(lines: list[str]) -> str:
    """A cell's lines as one text again (the slide wraps it anew), words whole and the
    writer's line breaks kept."""
    text = "".join(line if line.endswith("\n") else line + " " for line in lines if line)
    return text.strip()


def column_widths(header: list[str], rows: list[list[str]], total: float,
                  size: float) -> list[float]:
    """Share the width by how long each column's text runs (capped), never narrower
    than its longest word (a word is not split) nor 0.8 in."""
    weights, floors = [], []
    for j, head in enumerate(header):
        texts = [head] + [r[j] for r in rows]
        weights.append(min(max(max(len(t) for t in texts), 6), 60))
        longest_word = max((text_width(w, size, bold=True) for t in texts for w in t.split()),
                           default=0)
        floors.append(max(0.8, longest_word / 72 / MEASURE_SLACK + 2 * PAD_X_IN + 0.02))
    widths = [total * w / sum(weights) for w in weights]
    for _ in range(len(widths)):                 # raise the narrow ones, take from the wide
        short = [j for j, w in enumerate(widths) if w < floors[j]]
        if not short:
            break
        for j in short:
            widths[j] = floors[j]
        free = [j for j in range(len(widths)) if j not in short and widths[j] > floors[j]]
        excess = sum(widths) - total
        pool = sum(widths[j] - floors[j] for j in free)
        for j in free:
            widths[j] -= excess * (widths[j] - floors[j]) / pool if pool else 0
    return widths
