"""Fold Vietnamese text so that what people type matches what we expect.

Headers, labels, statuses and task titles arrive with any case, spacing, line
breaks, diacritics or none, NFC or NFD, `Tỉ`/`Tỷ`, `hoà`/`hòa`, `-`/`–`. We compare
folded forms only; the original text is always what we show and store.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_SPACES = re.compile(r"\s+")


def fold(text: object) -> str:
    return _fold(text) if isinstance(text, str) else _fold(str(text)) if text is not None else ""


@lru_cache(maxsize=8192)  # the same headers, labels and titles come back in every file
def _fold(text: str) -> str:
    """Lower-case ASCII skeleton: no diacritics, one space, plain dashes.

    `Tỷ lệ hoàn thành (%)` -> `ty le hoan thanh (%)`; `TỈ LỆ` -> `ti le`. Since i and y
    are interchangeable in Vietnamese spelling variants (tỉ/tỷ, kĩ/kỹ), `fold_loose`
    goes one step further for matching.
    """
    s = unicodedata.normalize("NFD", text)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.replace("đ", "d").replace("Đ", "D").translate(_DASHES)
    s = s.replace("\u00a0", " ")
    return _SPACES.sub(" ", s).strip().lower()


def fold_loose(text: object) -> str:
    """`fold`, then y->i and punctuation dropped: for matching labels and titles."""
    return _fold_loose(fold(text))


@lru_cache(maxsize=8192)
def _fold_loose(folded: str) -> str:
    s = folded.replace("y", "i")
    s = re.sub(r"[^0-9a-z%]+", " ", s)
    return _SPACES.sub(" ", s).strip()


def nfc(text: object) -> str:
    """Text as stored and shown: NFC, trimmed, inner whitespace kept."""
    if text is None:
        return ""
    return unicodedata.normalize("NFC", str(text)).strip()
