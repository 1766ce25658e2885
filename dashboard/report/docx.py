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
    _clear_body(doc)
    width = text_width(doc)
    if draft.sample_mark:
        _mark_headers(doc, draft.sample_mark)
    _header_block(doc, draft, width)
    doc.add_paragraph(draft.title, S["title"])
    doc.add_paragraph(draft.summary, S["summary"])
    doc.add_paragraph("-----", S["rule"])
    if draft.sample_note:
        doc.add_paragraph(draft.sample_note, S["sample"])
    for block in draft.body:
        _block(doc, block, width)
    _signature_block(doc, draft, width)
    if draft.annex:
        doc.add_page_break()
        for block in draft.annex:
            _block(doc, block, width)
        if figures:
            _figures(doc, figures, width)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_width(doc: DocumentObject) -> int:
    """The width between the margins of the first section (EMU)."""
    section = doc.sections[0]
    return int(section.page_width - section.left_margin - section.right_margin)


def _clear_body(doc: DocumentObject) -> None:
    """Drop whatever text the template holds; keep its page setup (the last sectPr)."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def _mark_headers(doc: DocumentObject, mark: str) -> None:
    """Sample data says so at the top of every page, the first included."""
    section = doc.sections[0]
    for header in (section.header, section.first_page_header):
        first = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
        marked = first.insert_paragraph_before(mark, S["page_header"])
        marked.runs[0].bold = True


# -- blocks -----------------------------------------------------------------------------------

def _block(doc: DocumentObject, block, width: int) -> None:
    if isinstance(block, Table):
        _table(doc, block, width)
    elif isinstance(block, Para):
        doc.add_paragraph(block.text, S[block.style])
    else:
        raise TypeError(f"unknown block {block!r}")


TWIP = 635    # EMU: Word stores widths in twentieths of a point


def _widths(shares, width: int) -> list[int]:
    """Column widths in EMU from relative shares, each a whole number of twips (as Word
    stores it) rounded down, so their sum never exceeds `width`."""
    total = sum(shares)
    return [int(width * share / total) // TWIP * TWIP for share in shares]


def _layout_table(doc: DocumentObject, rows: int, shares, width: int):
    table = doc.add_table(rows=rows, cols=len(shares))
    _size(table, _widths(shares, width))
    _no_borders(table)
    return table


def _size(table, widths: list[int]) -> None:
    """Fixed column widths: the grid, and each cell (a merged one spans its columns)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, w in zip(table.columns, widths):
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


def _write_cell(cell, lines: list[tuple[str, str]]) -> None:
    """Fill a table cell with (text, style key) paragraphs."""
    first = cell.paragraphs[0]
    for i, (text, style) in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        paragraph.style = S[style]
        paragraph.add_run(text)


def _header_block(doc: DocumentObject, draft: Draft, width: int) -> None:
    table = _layout_table(doc, 2, HEADER_SHARES, width)
    _write_cell(table.cell(0, 0), [(draft.superior, "superior"), (draft.issuer, "issuer"),
                                   ("*", "star")])
    _write_cell(table.cell(0, 1), [(draft.party, "party")])
    _write_cell(table.cell(1, 0), [(draft.number_line, "number")])
    _write_cell(table.cell(1, 1), [(draft.place_date, "dateline")])


def _signature_block(doc: DocumentObject, draft: Draft, width: int) -> None:
    table = _layout_table(doc, 1, SIGNATURE_SHARES, width)
    left = [(draft.recipients_label, "recipients_label")]
    left += [(line, "recipient") for line in draft.recipients]
    _write_cell(table.cell(0, 0), left)
    _write_cell(table.cell(0, 1), [(draft.on_behalf, "authority"), (draft.signer_title, "authority"),
                                   (draft.signer, "signer")])
    # "Nơi nhận:" is underlined in the Party's format; the rest of the label style is the office's.
    table.cell(0, 0).paragraphs[0].runs[0].underline = True
    _keep_rows_whole(table)


def _table(doc: DocumentObject, block: Table, width: int) -> None:
    widths = _widths([c.share for c in block.columns], width)
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = doc.styles[template.TABLE_STYLE]
    _repeat_header(table.rows[0])
    for cell, column in zip(table.rows[0].cells, block.columns):
        _write_cell(cell, [(column.header, "table_header")])
    for row in block.rows:
        cells = table.add_row().cells
        if row.group:
            merged = cells[0].merge(cells[-1])
            _write_cell(merged, [(row.cells[0], "table_group")])
            continue
        for cell, text, column in zip(cells, row.cells, block.columns):
            _write_cell(cell, [(text, "table_center" if column.align == "center" else "table")])
    _size(table, widths)
    _keep_rows_whole(table)


def _repeat_header(row) -> None:
    """The column headings again at the top of each page the table runs onto."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _keep_rows_whole(table) -> None:
    """A row moves to the next page whole rather than splitting across two."""
    for tr in table._tbl.tr_lst:
        tr.get_or_add_trPr().insert(0, OxmlElement("w:cantSplit"))


def _figures(doc: DocumentObject, figures, width: int) -> None:
    doc.add_paragraph(f"{_next_table_number(doc)}. Biểu đồ tổng quan", S["table_title"])
    for i, figure in enumerate(figures, start=1):
        paragraph = doc.add_paragraph(style=S["figure"])
        paragraph.add_run().add_picture(io.BytesIO(figure.png), width=Emu(width))
        doc.add_paragraph(f"Hình {i}. {figure.title}", S["caption"])


def _next_table_number(doc: DocumentObject) -> int:
    """The annex numbers its parts 1., 2., ...: the charts come after the last one."""
    titles = [p for p in doc.paragraphs if p.style.name == S["table_title"]]
    return len(titles) + 1

