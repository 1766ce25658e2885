"""The report as a Word document: a `Draft` written into the template with python-docx.

Why python-docx and a style template rather than docxtpl: the report's structure is
data (how many task areas, sentences, obstacles, table rows and charts depends on the
period), so a docxtpl template would carry Jinja loops inside Word paragraphs, which a
secretary editing in Word can split or delete without seeing it, and the failure shows
at the next report. Here the template holds only what the office may change, its named
styles and page setup (template.py), and the code writes the content with those styles:
restyling in Word can change every font, size, spacing, indent and margin and cannot
break generation. No template marker can reach the output, the file is plain WordprocessingML
that python-docx reads back (the tests do), and there is one dependency less.

Layout follows Hướng dẫn 36-HD/VPTW: the header block as a borderless 2 x 2 table
(issuing body and number on the left, the Party's name and the place and date on the
right), the document type and its summary centred over a short rule, the body, then
recipients on the left and the signature on the right; the annex on a new page. Every
table is sized to the template's text width.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu

from dashboard.report import template
from dashboard.report.draft import Draft, Para, Table

log = logging.getLogger(__name__)

S = template.STYLE_NAMES
HEADER_SHARES = (75, 90)        # issuing body | the Party's name, date (the longer lines)
SIGNATURE_SHARES = (80, 85)     # recipients | signature


@dataclass(frozen=True)
class Figure:
    """A chart image for the annex."""
    title: str
    png: bytes


def write(draft: Draft, figures: list[Figure] | tuple = (),
          template_path: Path | str | None = None) -> bytes:
    """The .docx bytes of the draft, with the chart images (if any) in the annex."""
    doc = template.load(template_path)
    _Writer(doc).document(draft, figures)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_width(doc: DocumentObject) -> int:
    """The width between the margins of the first section (EMU)."""
    section = doc.sections[0]
    return int(section.page_width - section.left_margin - section.right_margin)


class _Writer:
    """Writes into one document. Styles are looked up once by name: python-docx looks
    a name up across every style for each paragraph (half a second per report)."""

    def __init__(self, doc: DocumentObject):
        self.doc = doc
        self.width = text_width(doc)
        self.style_ids = {key: doc.styles[name].style_id for key, name in S.items()}

    def document(self, draft: Draft, figures) -> None:
        self._clear_body()
        if draft.sample_mark:
            self._mark_headers(draft.sample_mark)
        self._header_block(draft)
        for text, style in ((draft.title, "title"), (draft.summary, "summary"),
                            ("-----", "rule")):
            self.paragraph(self.doc, text, style)
        if draft.sample_note:
            self.paragraph(self.doc, draft.sample_note, "sample")
        for block in draft.body:
            self.block(block)
        self._signature_block(draft)
        if draft.annex:
            self.doc.add_page_break()
            for block in draft.annex:
                self.block(block)
            if figures:
                self._figures(figures)

    # -- paragraphs and blocks ------------------------------------------------------------

    def paragraph(self, container, text: str, style: str):
        """A paragraph of `text` in the template's style `style` (a key of S)."""
        paragraph = container.add_paragraph(text)
        paragraph._p.style = self.style_ids[style]
        return paragraph

    def cell(self, cell, lines: list[tuple[str, str]]) -> None:
        """Fill a table cell with (text, style key) paragraphs."""
        for i, (text, style) in enumerate(lines):
            if i == 0:
                paragraph = cell.paragraphs[0]
                paragraph.add_run(text)
                paragraph._p.style = self.style_ids[style]
            else:
                self.paragraph(cell, text, style)

    def block(self, block) -> None:
        if isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Para):
            self.paragraph(self.doc, block.text, block.style)
        else:
            raise TypeError(f"unknown block {block!r}")

    def _clear_body(self) -> None:
        """Drop whatever text the template holds; keep its page setup (the last sectPr)."""
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)

    def _mark_headers(self, mark: str) -> None:
        """Sample data says so at the top of every page, the first included."""
        section = self.doc.sections[0]
        for header in (section.header, section.first_page_header):
            first = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
            marked = first.insert_paragraph_before(mark)
            marked._p.style = self.style_ids["page_header"]
            marked.runs[0].bold = True

    # -- tables -----------------------------------------------------------------------------

    def _layout_table(self, rows: int, shares):
        table = self.doc.add_table(rows=rows, cols=len(shares))
        _size(table, _widths(shares, self.width))
        _no_borders(table)
        return table

    def _header_block(self, draft: Draft) -> None:
        table = self._layout_table(2, HEADER_SHARES)
        self.cell(table.cell(0, 0), [(draft.superior, "superior"), (draft.issuer, "issuer"),
                                     ("*", "star")])
        self.cell(table.cell(0, 1), [(draft.party, "party")])
        self.cell(table.cell(1, 0), [(draft.number_line, "number")])
        self.cell(table.cell(1, 1), [(draft.place_date, "dateline")])

    def _signature_block(self, draft: Draft) -> None:
        table = self._layout_table(1, SIGNATURE_SHARES)
        left = [(draft.recipients_label, "recipients_label")]
        left += [(line, "recipient") for line in draft.recipients]
        self.cell(table.cell(0, 0), left)
        self.cell(table.cell(0, 1), [(draft.on_behalf, "authority"),
                                     (draft.signer_title, "authority"), (draft.signer, "signer")])
        _keep_rows_whole(table)

    def _table(self, block: Table) -> None:
        widths = _widths([c.share for c in block.columns], self.width)
        table = self.doc.add_table(rows=1, cols=len(block.columns))
        table.style = self.doc.styles[template.TABLE_STYLE]
        _repeat_header(table.rows[0])
        for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
            self.cell(cell, [(column.header, "table_header")])
        for row in block.rows:
            cells = table.add_row().cells
            if row.group:
                self.cell(cells[0].merge(cells[-1]), [(row.cells[0], "table_group")])
                continue
            for cell, text, column in zip(cells, row.cells, block.columns, strict=True):
                self.cell(cell, [(text, "table_center" if column.align == "center" else "table")])
        _size(table, widths)
        _keep_rows_whole(table)

    def _figures(self, figures) -> None:
        """The charts after the annex's numbered parts, each as wide as the text."""
        parts = sum(1 for b in self.doc.paragraphs if b._p.style == self.style_ids["table_title"])
        self.paragraph(self.doc, f"{parts + 1}. Biểu đồ tổng quan", "table_title")
        for i, figure in enumerate(figures, start=1):
            picture = self.paragraph(self.doc, "", "figure")
            picture.add_run().add_picture(io.BytesIO(figure.png), width=Emu(self.width))
            self.paragraph(self.doc, f"Hình {i}. {figure.title}", "caption")


# -- table geometry -------------------------------------------------------------------------------

TWIP = 635    # EMU: Word stores widths in twentieths of a point


def _widths(shares, width: int) -> list[int]:
    """Column widths in EMU from relative shares, each a whole number of twips (as Word
    stores it) rounded down, so their sum never exceeds `width`."""
    total = sum(shares)
    return [int(width * share / total) // TWIP * TWIP for share in shares]


def _size(table, widths: list[int]) -> None:
    """Fixed column widths: the grid, and each cell (a merged one spans its columns)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, w in zip(table.columns, widths, strict=True):
        column.width = Emu(w)
    for tr in table._tbl.tr_lst:
        start = 0
        for tc in tr.tc_lst:
            tc.width = Emu(sum(widths[start:start + tc.grid_span]))
            start += tc.grid_span


def _no_borders(table) -> None:
    """An explicit 'no borders', so a template whose default table style has borders
    still lays the header and signature blocks out invisibly."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _repeat_header(row) -> None:
    """The column headings again at the top of each page the table runs onto."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _keep_rows_whole(table) -> None:
    """A row moves to the next page whole rather than splitting across two."""
    for tr in table._tbl.tr_lst:
        tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))
