"""The PowerPoint deck (16:9): title, KPIs, one picture per chart, the tables."""
from __future__ import annotations

import io

from dashboard.pack.content import PackContent, TablePart, text_sections
from dashboard.pack.layout import SLIDE_H_EMU, SLIDE_W_EMU, column_widths, cover_lines, shown

class PptxDeck:
    """The deck with every text slide made and the chart slides waiting for their
    pictures, which can arrive later (while Chromium still draws the next one)."""

    def __init__(self, content: PackContent) -> None:
        from pptx import Presentation
        from pptx.util import Emu

        self.deck = deck = Presentation()
        deck.slide_width, deck.slide_height = Emu(SLIDE_W_EMU), Emu(SLIDE_H_EMU)
        _pptx_title_slide(deck, content)
        _pptx_kpi_slide(deck, content)
        self._chart_slides = [_blank(deck) for _ in content.charts]
        for section in text_sections(content):
            _pptx_table_slide(deck, section, content.scope_text)

    def put_chart(self, index: int, title: str, png: bytes) -> None:
        _pptx_chart_picture(self.deck, self._chart_slides[index], title, png)

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self.deck.save(out)
        return out.getvalue()


def _blank(deck):
    return deck.slides.add_slide(deck.slide_layouts[6])


def _text_box(slide, left, top, width, height, text, size, bold=False, color=None,
              name=None):
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
        para.font.size, para.font.bold = Pt(size), bold
        if color:
            para.font.color.rgb = RGBColor.from_string(color)
    return box


def _slide_title(slide, title: str, subtitle: str = "") -> None:
    _text_box(slide, 0.5, 0.3, 12.3, 0.8, title, 28, bold=True, color="1F3864",
              name="Tiêu đề")
    if subtitle:
        _text_box(slide, 0.5, 1.05, 12.3, 0.45, subtitle, 16, color="555555")


def _pptx_title_slide(deck, content: PackContent) -> None:
    slide = _blank(deck)
    _text_box(slide, 0.8, 0.7, 11.7, 0.6, content.organization.upper(), 20, bold=True,
              color="B00000")
    _text_box(slide, 0.8, 1.6, 11.7, 2.6, content.plan_title, 30, bold=True, color="1F3864",
              name="Tiêu đề")
    _text_box(slide, 0.8, 4.5, 11.7, 0.7, f"Báo cáo tiến độ {content.period_label}", 26,
              bold=True)
    _text_box(slide, 0.8, 5.3, 11.7, 1.4, "\n".join(cover_lines(content)), 18,
              color="444444")


def _pptx_kpi_slide(deck, content: PackContent) -> None:
    slide = _blank(deck)
    _slide_title(slide, f"Tổng quan {content.period_label}", content.scope_text)
    columns = 3
    width, height, gap = 3.9, 2.2, 0.3
    for i, (label, value) in enumerate(content.kpis):
        left = 0.5 + (i % columns) * (width + gap)
        top = 1.8 + (i // columns) * (height + gap)
        _kpi_tile(slide, left, top, width, height, label, value)


def _kpi_tile(slide, left, top, width, height, label, value) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    tile = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top),
                                  Inches(width), Inches(height))
    tile.fill.solid()
    tile.fill.fore_color.rgb = RGBColor.from_string("EEF3FA")
    tile.line.color.rgb = RGBColor.from_string("9DB3D6")
    _text_box(slide, left + 0.2, top + 0.2, width - 0.4, 1.0, value, 40, bold=True,
              color="1F3864")
    _text_box(slide, left + 0.2, top + 1.25, width - 0.4, 0.8, label, 16, color="333333")


def _pptx_chart_picture(deck, slide, title: str, image: bytes) -> None:
    """The snapshot already carries title, scope and footer, and is 16:9 like the slide."""
    picture = slide.shapes.add_picture(io.BytesIO(image), 0, 0, width=deck.slide_width,
                                       height=deck.slide_height)
    picture.name = title[:250]
    picture._element.nvPicPr.cNvPr.set("descr", title)  # alt text for screen readers


def _pptx_table_slide(deck, section: TablePart, scope_text: str) -> None:
    from pptx.util import Inches, Pt

    slide = _blank(deck)
    _slide_title(slide, section.title, scope_text)
    frame = section.frame
    if frame.empty:
        _text_box(slide, 0.5, 1.8, 12.3, 1.0, "Không có nội dung trong phạm vi đã chọn.", 20)
        return
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(0.4), Inches(1.6), Inches(12.5),
                                   Inches(0.4 * rows))
    table = shape.table
    widths = column_widths(frame, 12.5)
    for j, column in enumerate(frame.columns):
        table.columns[j].width = Inches(widths[j])
        _cell_text(table.cell(0, j), str(column), Pt(13), bold=True)
    size = Pt(12 if rows <= 6 else 11)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            _cell_text(table.cell(i, j), shown(value), size)


def _cell_text(cell, text: str, size, bold: bool = False) -> None:
    cell.text = text
    for para in cell.text_frame.paragraphs:
        para.font.size, para.font.bold = size, bold
