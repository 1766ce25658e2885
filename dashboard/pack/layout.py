"""Sizes and texts shared by the slides and the PDF pages (both 16:9)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from dashboard.pack.content import PackContent

SLIDE_W_EMU, SLIDE_H_EMU = 12192000, 6858000   # PowerPoint's own 16:9 (13.333 x 7.5 in)


SLIDE_W_IN, SLIDE_H_IN = SLIDE_W_EMU / 914400, SLIDE_H_EMU / 914400


FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


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


def column_widths(frame: pd.DataFrame, total: float) -> list[float]:
    """Share the width by how long each column's text runs (capped), at least 0.8 in."""
    weights = []
    for column in frame.columns:
        longest = max([len(str(column))] + [len(shown(v)) for v in frame[column]])
        weights.append(min(max(longest, 6), 60))
    scale = total / sum(weights)
    widths = [max(w * scale, 0.8) for w in weights]
    fix = total / sum(widths)
    return [w * fix for w in widths]
