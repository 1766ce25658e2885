"""The same content as the deck, as a PDF (fpdf2, DejaVu fonts for Vietnamese).

Tables are drawn line by line from the layout (layout.py), so every page holds exactly
what its slide holds and no text runs past the page.
"""
from __future__ import annotations

import io

from dashboard.pack.content import PackContent
from dashboard.pack.layout import (FONT_DIR, LINE_SPACING, MARK_HEIGHT_IN, MARK_LEFT_IN,
                                   MARK_TOP_IN, MARK_WIDTH_IN, PAD_X_IN, PAD_Y_IN, SLIDE_H_IN,
                                   SLIDE_W_IN, TABLE_LEFT_IN, TABLE_TOP_IN, TablePage,
                                   cover_lines, fit_size, text_sections)

MM = 25.4   # per inch
PT = MM / 72


class PdfDoc:
    """The PDF with its text pages written and a blank page reserved for each chart."""

    def __init__(self, content: PackContent, sections: list[TablePage] | None = None) -> None:
        from fpdf import FPDF

        self.pdf = pdf = FPDF(orientation="L", unit="mm",
                              format=(SLIDE_H_IN * MM, SLIDE_W_IN * MM))
        self.sample = content.is_sample
        pdf.set_auto_page_break(False)
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(f"Báo cáo họp {content.period_label}")
        self._page(_pdf_title_page, content)
        self._page(_pdf_kpi_page, content)
        self._first_chart_page = pdf.page + 1
        for _ in content.charts:
            pdf.add_page()
        for section in text_sections(content) if sections is None else sections:
            self._page(_pdf_table_page, section, content.scope_text)

    def _page(self, draw, *args) -> None:
        draw(self.pdf, *args)
        if self.sample:
            _sample_mark(self.pdf)

    def put_chart(self, index: int, image: bytes) -> None:
        pdf, last = self.pdf, self.pdf.page
        pdf.page = self._first_chart_page + index   # fpdf2 draws on any page already made
        pdf.current_font_is_set_on_page = False     # that page has not selected the font yet
        pdf.image(io.BytesIO(image), x=0, y=0, w=pdf.w, h=pdf.h)
        if self.sample:
            _sample_mark(pdf)       # over the picture's own mark, as text
        pdf.page = last

    def to_bytes(self) -> bytes:
        return bytes(self.pdf.output())


def _sample_mark(pdf) -> None:
    from dashboard.render import SAMPLE_MARK_COLOR, SAMPLE_MARK_TEXT
    color = tuple(int(SAMPLE_MARK_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(MARK_LEFT_IN * MM, MARK_TOP_IN * MM, MARK_WIDTH_IN * MM, MARK_HEIGHT_IN * MM,
             style="F")
    pdf.set_xy(MARK_LEFT_IN * MM, MARK_TOP_IN * MM)
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_text_color(*color)
    pdf.cell(MARK_WIDTH_IN * MM, MARK_HEIGHT_IN * MM, SAMPLE_MARK_TEXT, align="R")
    pdf.set_text_color(0, 0, 0)


def _pdf_heading(pdf, title: str, subtitle: str = "") -> None:
    """Title and scope on one line each where they can, above the table's top."""
    pdf.add_page()
    pdf.set_xy(12, 8)
    size = fit_size(title, (pdf.w - 24) / MM, 22, 16, bold=True)
    pdf.set_font("DejaVu", "B", size)
    pdf.set_text_color(31, 56, 100)
    pdf.multi_cell(pdf.w - 24, size * 1.3 * PT, title, align="L")
    if subtitle:
        pdf.set_x(12)
        size = fit_size(subtitle, (pdf.w - 24) / MM, 12, 10)
        pdf.set_font("DejaVu", "", size)
        pdf.set_text_color(85, 85, 85)
        pdf.multi_cell(pdf.w - 24, size * 1.4 * PT, subtitle, align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)


def _pdf_title_page(pdf, content: PackContent) -> None:
    pdf.add_page()
    pdf.set_xy(20, 18)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_text_color(176, 0, 0)
    pdf.multi_cell(pdf.w - 40, 8, content.organization.upper(), align="L")
    pdf.set_xy(20, 40)
    pdf.set_font("DejaVu", "B", 24)
    pdf.set_text_color(31, 56, 100)
    pdf.multi_cell(pdf.w - 40, 11, content.plan_title, align="L")
    pdf.set_x(20)
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(pdf.w - 40, 10, f"Báo cáo tiến độ {content.period_label}", align="L")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_text_color(68, 68, 68)
    for line in cover_lines(content):
        pdf.set_x(20)
        pdf.multi_cell(pdf.w - 40, 8, line, align="L")


def _pdf_kpi_page(pdf, content: PackContent) -> None:
    _pdf_heading(pdf, f"Tổng quan {content.period_label}", content.scope_text)
    top, width, height, gap = pdf.get_y() + 2, 100, 50, 6
    for i, tile in enumerate(content.kpis):
        x = 12 + (i % 3) * (width + gap)
        y = top + (i // 3) * (height + gap)
        pdf.set_fill_color(238, 243, 250)
        pdf.set_draw_color(157, 179, 214)
        pdf.rect(x, y, width, height, style="DF")
        pdf.set_xy(x + 5, y + 4)
        pdf.set_font("DejaVu", "B", 30)
        pdf.set_text_color(31, 56, 100)
        pdf.cell(width - 10, 16, tile.value)
        pdf.set_xy(x + 5, y + 23)
        pdf.set_font("DejaVu", "", 13)
        pdf.set_text_color(51, 51, 51)
        pdf.multi_cell(width - 10, 6, tile.label, align="L")
        if tile.note:
            pdf.set_x(x + 5)
            pdf.set_font("DejaVu", "", 10)
            pdf.set_text_color(102, 102, 102)
            pdf.multi_cell(width - 10, 5, tile.note, align="L")
    rows = -(-len(content.kpis) // 3)
    pdf.set_xy(12, top + rows * (height + gap))
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(68, 68, 68)
    for line in content.kpi_notes:
        pdf.set_x(12)
        pdf.multi_cell(pdf.w - 24, 5, line, align="L")
    pdf.set_text_color(0, 0, 0)


def _pdf_table_page(pdf, page: TablePage, scope_text: str) -> None:
    _pdf_heading(pdf, page.title, scope_text)
    if not page.rows:
        pdf.set_font("DejaVu", "", 14)
        pdf.set_x(12)
        pdf.cell(0, 10, page.empty_text)
        return
    y = TABLE_TOP_IN * MM
    y = _pdf_row(pdf, y, page.header_lines, page.widths, page.header_height, page.size, True)
    for lines, height in zip(page.row_lines, page.row_heights):
        y = _pdf_row(pdf, y, lines, page.widths, height, page.size)


def _pdf_row(pdf, y: float, lines: list[list[str]], widths: list[float], height: float,
             size: float, header: bool = False) -> float:
    """One table row at `y` (mm), its cells' lines as laid out; the next row's y."""
    pdf.set_font("DejaVu", "B" if header else "", size)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_fill_color(221, 230, 244)
    x = TABLE_LEFT_IN * MM
    for cell, width in zip(lines, widths):
        pdf.rect(x, y, width * MM, height * MM, style="DF" if header else "D")
        for k, line in enumerate(cell):
            pdf.set_xy(x + PAD_X_IN * MM, y + PAD_Y_IN * MM + k * size * LINE_SPACING * PT)
            pdf.cell((width - 2 * PAD_X_IN) * MM, size * LINE_SPACING * PT, line.rstrip("\n"))
        x += width * MM
    return y + height * MM
