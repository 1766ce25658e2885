"""The report's Word template: page setup, page numbers and the named styles, no content.

docx.py writes every paragraph with one of the styles below and takes the page size,
margins and page headers from the template's first section. So the office restyles the
report in Word (Home > Styles > Modify: font, size, spacing, indent; Layout > Margins)
and saves the file as the template; the code never changes. Defaults follow Hướng dẫn
36-HD/VPTW: A4 portrait; margins top and bottom 20 mm, left 30 mm, right 15 mm; Times
New Roman; body 14 pt justified with a 10 mm first-line indent and 6 pt between
paragraphs; the page number centred at the top from the second page on.

`build_default()` makes the default template (scripts/build_report_template.py writes
it to a file for the office to restyle); nothing binary is kept in the repository.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

log = logging.getLogger(__name__)

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = dict(top_margin=Mm(20), bottom_margin=Mm(20), left_margin=Mm(30), right_margin=Mm(15))
INDENT = Mm(10)

# What follows w:outlineLvl in a w:pPr (ECMA-376 CT_PPrBase, then CT_PPr).
_AFTER_OUTLINE_LEVEL = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")

J, C, L = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT


@dataclass(frozen=True)
class StyleSpec:
    """A paragraph style of the template: what docx.py calls it and how it looks."""
    key: str                  # how docx.py refers to it
    name: str                 # what Word shows (and what a restyled template must keep)
    style_id: str
    size: float
    bold: bool = False
    italic: bool = False
    underline: bool = False
    align: int = J
    indent: bool = False      # first-line indent
    before: float = 0
    after: float = 0
    keep_with_next: bool = False
    line_spacing: float = 1.0
    outline: int | None = None  # heading level in Word's navigation pane (0 = top)


STYLES = (
    StyleSpec("body", "BC Đoạn văn", "BCDoanVan", 14, indent=True, before=6, line_spacing=1.1),
    StyleSpec("item", "BC Gạch đầu dòng", "BCGachDauDong", 14, indent=True, before=3,
              line_spacing=1.1),
    StyleSpec("note", "BC Ghi chú", "BCGhiChu", 14, italic=True, indent=True, before=6),
    StyleSpec("heading1", "BC Đề mục I", "BCDeMuc1", 14, bold=True, indent=True, before=12,
              keep_with_next=True, outline=0),
    StyleSpec("heading2", "BC Đề mục 1", "BCDeMuc2", 14, bold=True, indent=True, before=6,
              keep_with_next=True, outline=1),
    StyleSpec("superior", "BC Cơ quan cấp trên", "BCCoQuanCapTren", 14, align=C),
    StyleSpec("issuer", "BC Cơ quan ban hành", "BCCoQuanBanHanh", 14, bold=True, align=C),
    StyleSpec("star", "BC Dấu sao", "BCDauSao", 14, align=C),
    StyleSpec("number", "BC Số, ký hiệu", "BCSoKyHieu", 14, align=C),
    StyleSpec("party", "BC Tiêu đề Đảng", "BCTieuDeDang", 15, bold=True, underline=True, align=C),
    StyleSpec("dateline", "BC Địa danh, ngày tháng", "BCDiaDanhNgayThang", 14, italic=True,
              align=C),
    StyleSpec("title", "BC Tên loại văn bản", "BCTenLoai", 16, bold=True, align=C, before=18,
              keep_with_next=True),
    StyleSpec("summary", "BC Trích yếu", "BCTrichYeu", 14, bold=True, align=C, before=3,
              keep_with_next=True),
    StyleSpec("rule", "BC Đường kẻ", "BCDuongKe", 14, align=C, after=6),
    StyleSpec("sample", "BC Dữ liệu mẫu", "BCDuLieuMau", 13, bold=True, align=C, before=6,
              after=6),
    StyleSpec("recipients_label", "BC Nơi nhận", "BCNoiNhan", 14, underline=True, align=L,
              before=12),
    StyleSpec("recipient", "BC Nơi nhận - dòng", "BCNoiNhanDong", 12, align=L),
    StyleSpec("authority", "BC Thẩm quyền ký", "BCThamQuyenKy", 14, bold=True, align=C,
              before=12),
    StyleSpec("signer", "BC Họ tên người ký", "BCHoTenNguoiKy", 14, bold=True, align=C,
              before=66),
    StyleSpec("annex_title", "BC Phụ lục", "BCPhuLuc", 14, bold=True, align=C,
              keep_with_next=True),
    StyleSpec("annex_subtitle", "BC Phụ lục - tên", "BCPhuLucTen", 14, bold=True, align=C,
              keep_with_next=True),
    StyleSpec("annex_note", "BC Phụ lục - kèm theo", "BCPhuLucKemTheo", 13, italic=True,
              align=C, after=6, keep_with_next=True),
    StyleSpec("table_title", "BC Tên bảng", "BCTenBang", 13, bold=True, align=L, before=12,
              after=6, keep_with_next=True),
    StyleSpec("table", "BC Bảng", "BCBang", 12, align=L, before=2, after=2),
    StyleSpec("table_center", "BC Bảng - giữa", "BCBangGiua", 12, align=C, before=2, after=2),
    StyleSpec("table_header", "BC Bảng - tiêu đề cột", "BCBangTieuDe", 12, bold=True, align=C,
              before=2, after=2),
    StyleSpec("table_group", "BC Bảng - nhóm", "BCBangNhom", 12, bold=True, align=L, before=2,
              after=2),
    StyleSpec("source", "BC Nguồn số liệu", "BCNguon", 12, italic=True, align=J, before=6),
    StyleSpec("figure", "BC Hình", "BCHinh", 12, align=C, before=12, keep_with_next=True),
    StyleSpec("caption", "BC Chú thích hình", "BCChuThichHinh", 12, italic=True, align=C,
              after=6),
    StyleSpec("page_header", "Header", "Header", 13, align=C),
)
STYLE_NAMES = {s.key: s.name for s in STYLES}
TABLE_STYLE = "Table Grid"


class TemplateError(ValueError):
    """A template the report cannot be written with; the message says what to fix."""


def build_default() -> DocumentObject:
    """The default template: python-docx's blank document, set up as above."""
    doc = Document()
    _set_fonts(doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")))
    normal = doc.styles["Normal"]
    _style_font(normal, 14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    present = {s.name for s in doc.styles}
    for spec in STYLES:
        _define(doc, spec, spec.name in present)
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for name, value in MARGINS.items():
        setattr(section, name, value)
    section.header_distance = section.footer_distance = Mm(10)
    _page_numbers(section)
    return doc


@lru_cache(maxsize=1)
def default_bytes() -> bytes:
    """The default template as a file (made once per process)."""
    out = io.BytesIO()
    build_default().save(out)
    return out.getvalue()


def template_bytes(path: Path | str | None) -> bytes:
    """The template in use, for the office to download and restyle: the configured file
    when it exists, else the default."""
    if path is not None and Path(path).is_file():
        return Path(path).read_bytes()
    return default_bytes()


def load(path: Path | str | None) -> DocumentObject:
    """The office's template when the file exists, else the default one; a template
    without one of the styles is refused with their names."""
    if path is not None and Path(path).is_file():
        try:
            doc = Document(str(path))
        except Exception as exc:  # python-docx raises several types for a bad package
            log.exception("report template %s cannot be opened", path)
            raise TemplateError(f"Không mở được mẫu trình bày {path}: {exc}") from exc
        _check(doc, path)
        return doc
    return Document(io.BytesIO(default_bytes()))


def _check(doc: DocumentObject, path) -> None:
    present = {s.name for s in doc.styles}
    missing = [name for name in [*STYLE_NAMES.values(), TABLE_STYLE] if name not in present]
    if missing:
        raise TemplateError(f"Mẫu trình bày {path} thiếu các kiểu (style): {', '.join(missing)}. "
                            "Hãy sửa kiểu trong Word thay vì xóa, hoặc tạo lại mẫu bằng "
                            "scripts/build_report_template.py.")


def _define(doc: DocumentObject, spec: StyleSpec, exists: bool) -> None:
    styles = doc.styles
    style = styles[spec.name] if exists else styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    if spec.style_id != style.style_id and spec.name != "Header":
        style.style_id = spec.style_id
    if spec.name != "Header":
        style.base_style = styles["Normal"]
        style.quick_style = True
    _style_font(style, spec.size, spec.bold, spec.italic, spec.underline)
    pf = style.paragraph_format
    pf.alignment = spec.align
    pf.first_line_indent = INDENT if spec.indent else Mm(0)
    pf.left_indent = Mm(0)
    pf.space_before, pf.space_after = Pt(spec.before), Pt(spec.after)
    pf.line_spacing = spec.line_spacing
    pf.keep_with_next = spec.keep_with_next
    pf.widow_control = True
    if spec.outline is not None:
        _outline_level(style.element.get_or_add_pPr(), spec.outline)


def _outline_level(pPr, level: int) -> None:
    """w:outlineLvl, in its place in the schema's order (python-docx has no property)."""
    for old in pPr.findall(qn("w:outlineLvl")):
        pPr.remove(old)
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    pPr.insert_element_before(element, *_AFTER_OUTLINE_LEVEL)


def _style_font(style, size: float, bold: bool = False, italic: bool = False,
                underline: bool = False) -> None:
    font = style.font
    font.size = Pt(size)
    font.bold, font.italic, font.underline = bold, italic, underline
    font.color.rgb = None
    _set_fonts(style.element.get_or_add_rPr())


def _set_fonts(rPr) -> None:
    """Times New Roman for every script, theme fonts removed (they would win in Word)."""
    fonts = rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rPr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _page_numbers(section) -> None:
    """The page number centred in the header, not on the first page (Hướng dẫn 36)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.style = "Header"
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
