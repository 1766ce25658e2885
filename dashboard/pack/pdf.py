"""The same content as the deck, as a PDF (fpdf2, DejaVu fonts for Vietnamese)."""
from __future__ import annotations

import io

from dashboard.pack.content import PackContent, TablePart, text_sections
from dashboard.pack.layout import FONT_DIR, SLIDE_H_IN, SLIDE_W_IN, column_widths, cover_lines, shown

class PdfDoc:
    """The PDF with its text pages written and a blank page reserved for each chart."""

    def __init__(self, content: PackContent) -> None:
        from fpdf import FPDF

        self.pdf = pdf = FPDF(orientation="L", unit="mm",
                              format=(SLIDE_H_IN * 25.4, SLIDE_W_IN * 25.4))
        pdf.set_auto_page_break(False)
        pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        pdf.set_title(f"Báo cáo họp {content.period_label}")
        _pdf_title_page(pdf, content)
        _pdf_kpi_page(pdf, content)
        self._first_chart_page = pdf.page + 1
        for _ in content.charts:
            pdf.add_page()
        for section in text_sections(content):
            _pdf_table_page(pdf, section, content.scope_text)

    def put_chart(self, index: int, image: bytes) -> None:
        pdf, last = self.pdf, self.pdf.page
        pdf.page = self._first_chart_page + index   # fpdf2 draws on any page already made
        pdf.image(io.BytesIO(image), x=0, y=0, w=pdf.w, h=pdf.h)
        pdf.page = last

    def to_bytes(self) -> bytes:
        return bytes(self.pdf.output())


def _pdf_heading(pdf, title: str, subtitle: str = "") -> None:
    pdf.add_page()
    pdf.set_xy(12, 8)
    pdf.set_font("DejaVu", "B", 22)
    pdf.set_text_color(31, 56, 100)
    pdf.multi_cell(pdf.w - 24, 10, title)
    if subtitle:
        pdf.set_x(12)
        pdf.set_font("DejaVu", "", 12)
        pdf.set_text_color(85, 85, 85)
        pdf.multi_cell(pdf.w - 24, 7, subtitle)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(4)


def _pdf_title_page(pdf, content: PackContent) -> None:
    pdf.add_page()
    pdf.set_xy(20, 18)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_text_color(176, 0, 0)
    pdf.multi_cell(pdf.w - 40, 8, content.organization.upper())
    pdf.set_xy(20, 40)
    pdf.set_font("DejaVu", "B", 24)
    pdf.set_text_color(31, 56, 100)
    pdf.multi_cell(pdf.w - 40, 11, content.plan_title)
    pdf.set_x(20)
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_text_color(0, 0, 0)
    pdf.multi_cell(pdf.w - 40, 10, f"Báo cáo tiến độ {content.period_label}")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_text_color(68, 68, 68)
    for line in cover_lines(content):
        pdf.set_x(20)
        pdf.multi_cell(pdf.w - 40, 8, line)


def _pdf_kpi_page(pdf, content: PackContent) -> None:
    _pdf_heading(pdf, f"Tổng quan {content.period_label}", content.scope_text)
    top, width, height, gap = pdf.get_y() + 4, 100, 55, 8
    for i, (label, value) in enumerate(content.kpis):
        x = 12 + (i % 3) * (width + gap)
        y = top + (i // 3) * (height + gap)
        pdf.set_fill_color(238, 243, 250)
        pdf.set_draw_color(157, 179, 214)
        pdf.rect(x, y, width, height, style="DF")
        pdf.set_xy(x + 5, y + 6)
        pdf.set_font("DejaVu", "B", 30)
        pdf.set_text_color(31, 56, 100)
        pdf.cell(width - 10, 16, value)
        pdf.set_xy(x + 5, y + 28)
        pdf.set_font("DejaVu", "", 13)
        pdf.set_text_color(51, 51, 51)
        pdf.multi_cell(width - 10, 7, label)


def _pdf_table_page(pdf, section: TablePart, scope_text: str) -> None:
    _pdf_heading(pdf, section.title, scope_text)
    frame = section.frame
    pdf.set_font("DejaVu", "", 10 if len(frame) <= 8 else 8)
    if frame.empty:
        pdf.set_x(12)
        pdf.cell(0, 10, "Không có nội dung trong phạm vi đã chọn.")
        return
    widths = [w * 25.4 for w in column_widths(frame, (pdf.w - 24) / 25.4)]
    pdf.set_auto_page_break(True, margin=8)  # an unusually long table continues, never overflows
    with pdf.table(col_widths=widths, width=pdf.w - 24, line_height=5,
                   headings_style=_pdf_heading_style()) as table:
        table.row([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            table.row([shown(v) for v in row])
    pdf.set_auto_page_break(False)


def _pdf_heading_style():
    from fpdf.fonts import FontFace
    return FontFace(emphasis="BOLD", fill_color=(221, 230, 244))
