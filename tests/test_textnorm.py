"""etl/textnorm.py: what people type folds to what we expect."""
from __future__ import annotations

import unicodedata

import pytest

from etl.textnorm import fold, fold_loose, nfc


@pytest.mark.parametrize("text, folded", [
    ("Tỷ lệ hoàn thành (%)", "ty le hoan thanh (%)"),
    ("TỶ LỆ HOÀN THÀNH (%)", "ty le hoan thanh (%)"),
    ("TY LE HOAN THANH", "ty le hoan thanh"),
    ("Đảng ủy", "dang uy"),
    ("ĐẢNG BỘ", "dang bo"),
    ("  Kỳ   báo\ncáo\t", "ky bao cao"),
    ("Khó khăn – vướng mắc", "kho khan - vuong mac"),
    ("Khó khăn — vướng mắc", "kho khan - vuong mac"),
    ("Số\u00a0hoạt động", "so hoat dong"),
    ("hoà", "hoa"),
    ("hòa", "hoa"),
    (80, "80"),
    (None, ""),
    ("", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_ignores_unicode_form():
    text = "Tỷ lệ hoàn thành, Đề xuất, kiến nghị, Chậm tiến độ"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


@pytest.mark.parametrize("a, b", [
    ("Tỉ lệ hoàn thành (%)", "Tỷ lệ hoàn thành (%)"),
    ("kĩ thuật", "kỹ thuật"),
    ("Văn hoá công sở", "văn hóa công sở"),
    ("Khó khăn, vướng mắc", "KHO KHAN - VUONG MAC"),
    ("Số tin, bài", "So tin bai"),
    ("Chi bộ Văn phòng - Công nghệ", "chi bo van phong – cong nghe"),
    ("Trạng\nthái", "trang thai"),
])
def test_fold_loose_matches_variants(a, b):
    assert fold_loose(a) == fold_loose(b)


@pytest.mark.parametrize("a, b", [
    ("Hoàn thành", "Chưa hoàn thành"),
    ("Số hoạt động", "Số lượt người tham gia"),
    ("NV1.1", "NV1.2"),
])
def test_fold_loose_keeps_different_things_apart(a, b):
    assert fold_loose(a) != fold_loose(b)


def test_fold_loose_keeps_percent_and_digits():
    assert fold_loose("Tỷ lệ (%)") == "ti le %"
    assert fold_loose("NV3.2") == "nv3 2"


def test_nfc_trims_and_composes_but_keeps_the_text():
    nfd = unicodedata.normalize("NFD", "  Đã tổ chức hội nghị\nquán triệt  ")
    result = nfc(nfd)
    assert result == "Đã tổ chức hội nghị\nquán triệt"
    assert unicodedata.is_normalized("NFC", result)
    assert nfc(None) == ""
