"""The meeting pack keeps every word, fits its slides, marks sample data, and its
workbook reads in Vietnamese. Files are read back with python-pptx, pypdf and openpyxl.

The long-text database (a month, sample data in scope):
  CDS 2026-09: NV4.1 delayed 20: an obstacle of 150 numbered phrases (kk001..kk150, over
               two paragraphs: taller than a slide), 40 proposals (dx001..), a result of
               60 (kq001..); NV4.2, NV4.3 in progress.
  VPCN 2026-08 and 2026-09 (sample): NV2.3 in progress.
"""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from dashboard import pack
from dashboard.pack import layout
from dashboard.render import SAMPLE_MARK, SAMPLE_MARK_NAME
from dashboard.scope import Scope
from dashboard_db import build_db, row, sub
from etl.catalog import get_catalog
from etl.store import Store

TODAY = date(2026, 11, 27)
OBSTACLE = (" ".join(f"khó khăn thứ kk{i:03d} về kinh phí," for i in range(1, 80)) + "\n"
            + " ".join(f"khó khăn thứ kk{i:03d} về nhân lực," for i in range(80, 151)))
PROPOSAL = " ".join(f"đề xuất dx{i:03d} với Đảng ủy;" for i in range(1, 41))
RESULT = " ".join(f"kết quả kq{i:03d} đã đạt," for i in range(1, 61))
CODES = ("done", "in_progress", "delayed", "not_started", "chu_tri", "thuc_hien")


@pytest.fixture(scope="module")
def long_db(tmp_path_factory):
    return build_db(tmp_path_factory.mktemp("long") / "long.duckdb", [
        sub("VPCN", "2026-08", [row("NV2.3", "in_progress", 30)], report_date=date(2026, 9, 3),
            is_sample=True),
        sub("VPCN", "2026-09", [row("NV2.3", "in_progress", 45)], report_date=date(2026, 10, 3),
            is_sample=True),
        sub("CDS", "2026-09", [row("NV4.1", "delayed", 20, obstacles=OBSTACLE, proposals=PROPOSAL,
                                   result=RESULT, activities=3, participants=1234),
                               row("NV4.2", "in_progress", 50), row("NV4.3", "in_progress", 60)],
            report_date=date(2026, 10, 4)),
    ])


@pytest.fixture(scope="module")
def long_pack(long_db):
    return pack.make_pack(Store.at(long_db), Scope.of("2026-09"), today=TODAY)


@pytest.fixture(scope="module")
def real_pack(tmp_path_factory):
    db = build_db(tmp_path_factory.mktemp("real") / "real.duckdb", [
        sub("VPCN", "2026-09", [row("NV2.3", "in_progress", 45)], report_date=date(2026, 10, 3)),
    ])
    return pack.make_pack(Store.at(db), Scope.of("2026-09"), today=TODAY)


def deck_of(made) -> Presentation:
    return Presentation(io.BytesIO(made[1].by_suffix(".pptx")[1]))


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for r in shape.table.rows for cell in r.cells]
    return "\n".join(parts)


def pdf_pages(made) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(made[1].by_suffix(".pdf")[1])).pages]


def tokens(text: str, prefix: str) -> list[str]:
    return re.findall(rf"\b{prefix}\d{{3}}\b", text)


def expected(prefix: str, last: int) -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(1, last + 1)]


# -- never a cut word ---------------------------------------------------------------------------

def test_pptx_keeps_every_word_in_order(long_pack):
    text = "\n".join(slide_text(s) for s in deck_of(long_pack).slides)
    assert tokens(text, "kk") == expected("kk", 150)
    assert tokens(text, "dx") == expected("dx", 40)
    assert tokens(text, "kq") == expected("kq", 60)
    assert "…" not in text


def test_pdf_keeps_every_word_in_order(long_pack):
    text = "\n".join(pdf_pages(long_pack))
    assert tokens(text, "kk") == expected("kk", 150)
    assert tokens(text, "dx") == expected("dx", 40)
    assert tokens(text, "kq") == expected("kq", 60)
    assert "…" not in text


def test_a_row_taller_than_a_slide_continues_on_the_next(long_pack):
    content, _ = long_pack
    pages = [p for p in pack.text_sections(content) if p.title.startswith("Khó khăn")]
    assert [p.title for p in pages][:2] == ["Khó khăn, vướng mắc và đề xuất, kiến nghị",
                                            "Khó khăn, vướng mắc và đề xuất, kiến nghị (tiếp)"]
    assert pages[1].rows[0][0] == "Chuyển đổi số (tiếp)"       # the row says whose it is


def test_task_titles_are_whole(long_pack):
    deck = deck_of(long_pack)
    cds = get_catalog().cell("CDS")
    titles = []
    for slide in deck.slides:
        shapes = [s for s in slide.shapes if s.has_text_frame]
        if shapes and shapes[0].text_frame.text.startswith(cds.name):
            table = next(s for s in slide.shapes if s.has_table).table
            titles += [table.cell(i, 1).text for i in range(1, len(table.rows))]
    column = " ".join(" ".join(titles).split())
    for code in cds.tasks:
        assert " ".join(get_catalog().task(code).title.split()) in column


def test_every_table_fits_its_slide_at_a_readable_size(long_pack):
    deck = deck_of(long_pack)
    bottom = int(layout.TABLE_BOTTOM_IN * 914400) + 1
    tables = [s for slide in deck.slides for s in slide.shapes if s.has_table]
    assert tables
    for shape in tables:
        heights = sum(r.height for r in shape.table.rows)
        assert shape.top + heights <= bottom
        sizes = {run.font.size.pt for r in shape.table.rows for c in r.cells
                 for p in c.text_frame.paragraphs for run in p.runs}
        assert min(sizes) >= 11
    content, made = long_pack
    pages = len(PdfReader(io.BytesIO(made.by_suffix(".pdf")[1])).pages)
    assert pages == len(deck.slides) == 2 + len(content.charts) + len(pack.text_sections(content))


# -- the submission slide of a month ----------------------------------------------------------

def test_a_months_submission_slide_shows_the_months_before_it(long_pack):
    content, _ = long_pack
    chart = content.charts[-1]
    assert chart.title == "Tình hình gửi báo cáo hằng tháng - Tháng 8/2026 đến Tháng 9/2026"
    assert sorted(set(chart.data["Kỳ"])) == ["Tháng 8/2026", "Tháng 9/2026"]


def test_one_loaded_month_gets_a_table_not_a_block(real_pack):
    content, _ = real_pack
    assert not [c for c in content.charts if c.sheet == "Gửi báo cáo"]
    assert content.completeness.frame.columns[-1] == "Tháng 9/2026"


# -- sample data is marked everywhere ------------------------------------------------------------

def has_mark_pixels(png: bytes) -> bool:
    """The red sample mark in the bottom strip of a chart image."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    strip = image.crop((image.width // 2, image.height * 9 // 10, image.width, image.height))
    return any(r > 150 and g < 60 and b < 60 for _, (r, g, b) in strip.getcolors(1 << 20))


def test_every_slide_page_image_and_the_workbook_say_sample(long_pack):
    deck = deck_of(long_pack)
    for slide in deck.slides:
        marks = [s for s in slide.shapes if s.name == SAMPLE_MARK_NAME]
        assert len(marks) == 1 and marks[0].text_frame.text.startswith(SAMPLE_MARK)
    pictures = [s for slide in deck.slides for s in slide.shapes
                if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures and all(has_mark_pixels(p.image.blob) for p in pictures)
    assert all(SAMPLE_MARK in page for page in pdf_pages(long_pack))
    book = openpyxl.load_workbook(io.BytesIO(long_pack[1].by_suffix(".xlsx")[1]))
    assert book.worksheets[0]["A1"].value.startswith(SAMPLE_MARK)


def test_real_data_carries_no_mark(real_pack):
    deck = deck_of(real_pack)
    assert not [s for slide in deck.slides for s in slide.shapes if s.name == SAMPLE_MARK_NAME]
    pictures = [s for slide in deck.slides for s in slide.shapes
                if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert pictures and not any(has_mark_pixels(p.image.blob) for p in pictures)
    assert not any(SAMPLE_MARK in page for page in pdf_pages(real_pack))
    book = openpyxl.load_workbook(io.BytesIO(real_pack[1].by_suffix(".xlsx")[1]))
    assert not any(SAMPLE_MARK in str(c.value) for r in book.worksheets[0].iter_rows() for c in r)


# -- the workbook reads in Vietnamese -----------------------------------------------------------

def test_workbook_headers_labels_and_number_formats(long_pack):
    content, made = long_pack
    book = openpyxl.load_workbook(io.BytesIO(made.by_suffix(".xlsx")[1]))
    assert book.sheetnames[-1] == "Dữ liệu gốc (v_progress)"       # the raw contract, last
    formats = {}
    for sheet in book.worksheets[1:-1]:
        header = [c.value for c in sheet[1]]
        assert not [h for h in header if re.fullmatch(r"[a-z_]+", str(h))], (sheet.title, header)
        for r in sheet.iter_rows(min_row=2):
            for head, c in zip(header, r):
                assert c.value not in CODES, (sheet.title, head, c.value)
                if c.value is not None and not isinstance(c.value, str):
                    formats.setdefault(head, set()).add(c.number_format)
    assert formats["Tỷ lệ hoàn thành"] == {"0.0%"}
    assert formats["Lượt nhiệm vụ được giao"] == {"#,##0"}
    assert formats["Số lượt người tham gia"] == {"#,##0"}
    assert formats["Ngày báo cáo"] == {"dd/mm/yyyy"}
    rows = book["Các dòng báo cáo"]
    header = [c.value for c in rows[1]]
    nv41 = next(r for r in rows.iter_rows(min_row=2, values_only=True) if r[2] == "NV4.1")
    assert nv41[header.index("Trạng thái")] == "Chậm tiến độ"
    assert nv41[header.index("Vai trò")] == "Chủ trì"
    assert nv41[header.index("Tỷ lệ hoàn thành")] == pytest.approx(0.2)
    assert nv41[header.index("Khó khăn, vướng mắc")] == OBSTACLE      # whole, line break kept
    info = [str(c.value) for r in book["Thông tin"].iter_rows() for c in r if c.value]
    assert not [v for v in info if "Nguồn: Nguồn" in v]
    assert "Báo cáo của các chi bộ" in info
