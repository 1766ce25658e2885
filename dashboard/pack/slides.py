"""The PowerPoint deck (16:9): title, KPIs, one picture per chart, the tables."""
from __future__ import annotations

import io

from dashboard.pack.content import PackContent
from dashboard.pack.layout import (MARK_HEIGHT_IN, MARK_LEFT_IN, MARK_TOP_IN, MARK_WIDTH_IN,
                                   PAD_X_IN, PAD_Y_IN, SLIDE_H_EMU, SLIDE_W_EMU, TABLE_LEFT_IN,
                                   TABLE_TOP_IN, TablePage, cover_lines, fit_size,
                                   text_sections)


class PptxDeck:
    """The deck with every text slide made and the chart slides waiting for their
    pictures, which can arrive later (while Chromium still draws the next one)."""

    def __init__(self, content: PackContent, sections: list[TablePage] | None = None) -> None:
        from pptx import Presentation
        from pptx.util import Emu

        self.deck = deck = Presentation()
        self.sample = content.is_sample
        deck.slide_width, deck.slide_height = Emu(SLIDE_W_EMU), Emu(SLIDE_H_EMU)
        self._slide(_pptx_title_slide, content)
        self._slide(_pptx_kpi_slide, content)
        self._chart_slides = [_blank(deck) for _ in content.charts]
        for section in text_sections(content) if sections is None else sections:
            self._slide(_pptx_table_slide, section, content.scope_text)

    def _slide(self, draw, *args) -> None:
        slide = _blank(self.deck)
        draw(slide, *args)
        if self.sample:
            _sample_mark(slide)

    def put_chart(self, index: int, title: str, png: bytes) -> None:
        slide = self._chart_slides[index]
        _pptx_chart_picture(self.deck, slide, title, png)
        if self.sample:
            _sample_mark(slide)    # over the picture's own mark, so the slide says it as text

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.deck.save(out)
        return out.getvalue()


def _blank(deck):
    return deck.slides.add_slide(deck.slide_layouts[6])


def _text_box(slide, left, top, width, height, text, size, bold=False, color=None,
              name=None, align=None):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(str(text).split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        if align is not None:
            para.alignment = align
        for font in _fonts(para):
            font.size, font.bold = Pt(size), bold
            if color:
                font.color.rgb = RGBColor.from_string(color)
    return box


def _fonts(para):
    """The paragraph's own and its runs' fonts: set on the runs too, which every
    presentation program honours."""
    return [para.font, *(run.font for run in para.runs)]


def _sample_mark(slide) -> None:
    """The sample-data mark: bottom right, on white (it covers a chart picture's own)."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN

    from dashboard.render import SAMPLE_MARK_COLOR, SAMPLE_MARK_NAME, SAMPLE_MARK_TEXT
    box = _text_box(slide, MARK_LEFT_IN, MARK_TOP_IN, MARK_WIDTH_IN, MARK_HEIGHT_IN,
                    SAMPLE_MARK_TEXT, 16, bold=True, color=SAMPLE_MARK_COLOR.lstrip("#"),
                    name=SAMPLE_MARK_NAME, align=PP_ALIGN.RIGHT)
    box.fill.solid()
    box.fill.fore_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE


def _slide_title(slide, title: str, subtitle: str = "") -> None:
    # Sized to stay on one line above the table (a long cell name, "(tiếp)").
    _text_box(slide, 0.5, 0.3, 12.3, 0.8, title, fit_size(title, 12.1, 28, 20, bold=True),
              bold=True, color="1F3864", name="Tiêu đề")
    if subtitle:
        _text_box(slide, 0.5, 1.05, 12.3, 0.45, subtitle, fit_size(subtitle, 12.1, 16, 12),
                  color="555555")


def _pptx_title_slide(slide, content: PackContent) -> None:
    _text_box(slide, 0.8, 0.7, 11.7, 0.6, content.organization.upper(), 20, bold=True,
              color="B00000")
    _text_box(slide, 0.8, 1.6, 11.7, 2.6, content.plan_title, 30, bold=True, color="1F3864",
              name="Tiêu đề")
    _text_box(slide, 0.8, 4.5, 11.7, 0.7, f"Báo cáo tiến độ {content.period_label}", 26,
              bold=True)
    _text_box(slide, 0.8, 5.3, 11.7, 1.4, "\n".join(cover_lines(content)), 18,
              color="444444")


KPI_COLUMNS, KPI_WIDTH, KPI_HEIGHT, KPI_GAP, KPI_TOP = 3, 3.9, 2.0, 0.3, 1.7


def _pptx_kpi_slide(slide, content: PackContent) -> None:
    _slide_title(slide, f"Tổng quan {content.period_label}", content.scope_text)
    for i, tile in enumerate(content.kpis):
        left = 0.5 + (i % KPI_COLUMNS) * (KPI_WIDTH + KPI_GAP)
        top = KPI_TOP + (i // KPI_COLUMNS) * (KPI_HEIGHT + KPI_GAP)
        _kpi_tile(slide, left, top, tile)
    rows = -(-len(content.kpis) // KPI_COLUMNS)
    if content.kpi_notes:
        top = KPI_TOP + rows * (KPI_HEIGHT + KPI_GAP)
        _text_box(slide, 0.5, top, 12.3, MARK_TOP_IN - top, "\n".join(content.kpi_notes),
                  12, color="444444", name="Ghi chú số liệu")


def _kpi_tile(slide, left, top, tile) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top),
                                   Inches(KPI_WIDTH), Inches(KPI_HEIGHT))
    shape.fill.solid()
    shape.fill.fore_color.rgb = RGBColor.from_string("EEF3FA")
    shape.line.color.rgb = RGBColor.from_string("9DB3D6")
    _text_box(slide, left + 0.2, top + 0.1, KPI_WIDTH - 0.4, 0.9, tile.value, 40, bold=True,
              color="1F3864")
    _text_box(slide, left + 0.2, top + 1.0, KPI_WIDTH - 0.4, 0.5, tile.label, 16, color="333333")
    if tile.note:
        _text_box(slide, left + 0.2, top + 1.45, KPI_WIDTH - 0.4, 0.45, tile.note, 12,
                  color="666666")


def _pptx_chart_picture(deck, slide, title: str, image: bytes) -> None:
    """The snapshot already carries title, scope and footer, and is 16:9 like the slide."""
    picture = slide.shapes.add_picture(io.BytesIO(image), 0, 0, width=deck.slide_width,
                                       height=deck.slide_height)
    picture.name = title[:250]
    picture._element.nvPicPr.cNvPr.set("descr", title)  # alt text for screen readers


def _pptx_table_slide(slide, page: TablePage, scope_text: str) -> None:
    from pptx.util import Inches, Pt

    _slide_title(slide, page.title, scope_text)
    if not page.rows:
        _text_box(slide, 0.5, 1.8, 12.3, 1.0, page.empty_text, 20)
        return
    heights = [page.header_height, *page.row_heights]
    shape = slide.shapes.add_table(len(heights), len(page.header), Inches(TABLE_LEFT_IN),
                                   Inches(TABLE_TOP_IN), Inches(sum(page.widths)),
                                   Inches(sum(heights)))
    table = shape.table
    size = Pt(page.size)
    for j, width in enumerate(page.widths):
        table.columns[j].width = Inches(width)
    for i, height in enumerate(heights):
        table.rows[i].height = Inches(height)
    for j, column in enumerate(page.header):
        _cell_text(table.cell(0, j), column, size, bold=True)
    for i, row in enumerate(page.rows, start=1):
        for j, value in enumerate(row):
            _cell_text(table.cell(i, j), value, size)


def _cell_text(cell, text: str, size, bold: bool = False) -> None:
    from pptx.util import Inches
    cell.text = text
    cell.margin_left = cell.margin_right = Inches(PAD_X_IN)
    cell.margin_top = cell.margin_bottom = Inches(PAD_Y_IN)
    for para in cell.text_frame.paragraphs:
        for font in _fonts(para):
            font.size, font.bold = size, bold
