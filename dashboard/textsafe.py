"""Text from a report, shown literally where Streamlit renders Markdown."""
from __future__ import annotations

import re

_MD_INLINE = re.compile(r"([\\`*_\[\]<>$~|]|:(?=\w))")   # emphasis, links, LaTeX, :directives
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+\.)", re.MULTILINE)  # headings, quotes, lists


def plain(text: object) -> str:
    """Text from a report, escaped so Streamlit's Markdown shows it literally."""
    escaped = _MD_INLINE.sub(r"\\\1", "" if text is None else str(text))
    return _MD_LINE_START.sub(lambda m: m[1] + "\\" + m[2], escaped)
