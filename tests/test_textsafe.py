"""dashboard.textsafe.plain: report text through Streamlit's Markdown shows as itself.

Three views of the same promise:
- AppTest runs `st.markdown(plain(text))` in a tiny script: one Markdown element, whose
  body is exactly `plain(text)` (nothing else reaches the page);
- a CommonMark + GFM parser (markdown-it-py, tables, strikethrough, linkify) reads that
  body: one paragraph of text and line breaks, whose text is the report's text;
- the rewrites Streamlit and remark-gfm make on parsed text (shortcodes, icons, the logo,
  bare URLs and e-mails, arrows) find nothing to rewrite in it.
The browser test (tests/browser/test_textsafe_browser.py) checks the drawn page itself.
"""
from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from dashboard.textsafe import WORD_JOINER, plain
from markdown_texts import TEXTS, shown

GFM = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])

# What Streamlit (StreamlitMarkdown.tsx) and mdast-util-gfm-autolink-literal rewrite in
# text nodes after parsing, where backslash escapes no longer count.
TEXT_REWRITES = {
    "emoji shortcode": re.compile(r":[\w+-][\w+-]*:"),
    "material icon": re.compile(r":material[/_]\w+:"),
    "streamlit logo": re.compile(r":streamlit:"),
    "url": re.compile(r"(https?://|www(?=\.))", re.I),
    "e-mail": re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),
    "typographic symbol": re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
}


def rendered_text(markdown: str) -> tuple[list[str], str]:
    """(the block and inline token types, the text a reader sees) of `markdown`."""
    tokens = GFM.parse(markdown)
    types, text = [], []
    for token in tokens:
        types.append(token.type)
        for child in token.children or []:
            types.append(child.type)
            text.append("\n" if child.type in ("hardbreak", "softbreak") else child.content)
    return types, "".join(text)


@pytest.mark.parametrize("name", TEXTS)
def test_the_parsed_markdown_is_one_paragraph_of_the_text(name):
    types, text = rendered_text(plain(TEXTS[name]))
    assert set(types) <= {"paragraph_open", "inline", "paragraph_close", "text", "hardbreak"}, types
    assert types.count("paragraph_open") == 1
    # A paragraph trims the ends of its lines: compare the lines' words and punctuation.
    assert _trimmed_lines(text.replace(WORD_JOINER, "")) == _trimmed_lines(shown(TEXTS[name]))


def _trimmed_lines(text: str) -> list[str]:
    return [line.strip(" \t\u00a0") for line in text.split("\n")]


@pytest.mark.parametrize("name", TEXTS)
def test_nothing_is_left_for_the_text_rewrites(name):
    _, text = rendered_text(plain(TEXTS[name]))
    for rewrite, pattern in TEXT_REWRITES.items():
        assert not pattern.search(text), (rewrite, text)


@pytest.mark.parametrize("name", TEXTS)
def test_escapes_joiners_and_indents_are_the_only_changes(name):
    """Undo the backslash escapes (a backslash before a newline is the line break), drop
    the joiners, read no-break spaces as spaces: the report's text comes back exactly."""
    unescaped = re.sub(r"\\(.)", r"\1", plain(TEXTS[name]), flags=re.S)
    assert unescaped.replace(WORD_JOINER, "").replace("\u00a0", " ") == shown(TEXTS[name])


def test_nothing_becomes_empty():
    assert plain(None) == "" and plain("") == ""
    assert plain(12.5) == "12\\.5"


def _page(texts: dict[str, str]) -> None:
    import streamlit as st

    from dashboard.textsafe import plain

    for text in texts.values():
        st.markdown(plain(text))


def test_apptest_draws_one_markdown_element_per_text_and_nothing_else():
    at = AppTest.from_function(_page, args=(TEXTS,)).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == [plain(t) for t in TEXTS.values()]
    for kind in ("title", "header", "subheader", "code", "latex", "table", "divider"):
        assert len(at.get(kind)) == 0, kind
