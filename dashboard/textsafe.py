"""Report text shown exactly as typed when it passes through Streamlit's Markdown.

Text from a report ("Khó khăn, vướng mắc", "Kết quả") is written by whoever fills the
spreadsheet. Streamlit draws `st.markdown` bodies with remark: a line of `===` under
a sentence becomes a heading, a URL a link, `:smile:` an emoji, `:material/warning:`
an icon, `$x$` a formula, `->` an arrow. `plain(text)` returns Markdown whose
rendering is the text itself, in two steps:

1. Every ASCII punctuation character is backslash-escaped (CommonMark allows it for
   all of them), so no block or inline construct can start: headings (ATX and
   setext), lists, block quotes, code fences, tables, thematic breaks, HTML,
   links, images, emphasis, math, directives (`:red[...]`), entities.
2. Some rewrites run on the parsed text, where escapes are already gone: Streamlit's
   emoji and icon shortcodes and its logo (`:streamlit:`), GFM's bare URLs, `www.`
   and e-mail addresses, and Streamlit's typographic arrows and dashes. An invisible
   WORD JOINER (U+2060) inside each of those sequences breaks them.

Lines stay lines (each newline becomes a hard line break, so a blank line never
starts a new block) and leading spaces stay visible (no-break spaces after a joiner:
four spaces would otherwise start a code block, and st.markdown strips the body).
"""
from __future__ import annotations

import re

WORD_JOINER = "\u2060"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")     # every ASCII punctuation character
_BREAKS = (
    re.compile(r":(?=\S)"),              # :smile:, :material/…:, :streamlit:, https://
    re.compile(r"(?<=www)(?=\.)", re.I),  # www.example.com
    re.compile(r"@(?=\S)"),              # name@example.com
    re.compile(r"[<>=~-](?=[<>=~-])"),   # -> <- <-> -- >= <= ~=
)
_INDENT = re.compile(r"^[ \t]+")


def plain(text: object) -> str:
    """`text` as Markdown that Streamlit renders as exactly that text."""
    if text is None:
        return ""
    lines = re.split(r"\r\n|\r|\n", str(text).strip("\r\n"))
    return "\\\n".join(_line(line) for line in lines)


def _line(line: str) -> str:
    for pattern in _BREAKS:
        line = pattern.sub(lambda m: m[0] + WORD_JOINER, line)
    line = _PUNCTUATION.sub(r"\\\1", line)
    # st.markdown strips the body's ends (no-break spaces too): a joiner holds the indent.
    return _INDENT.sub(lambda m: WORD_JOINER + m[0].replace("\t", "    ").replace(" ", "\u00a0"),
                       line)
