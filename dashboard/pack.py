"""The meeting pack ("Xuất báo cáo họp"): one PPTX, the same content as a PDF, and an
Excel workbook of the figures behind each chart.

Assembly works from a `PackContent` (plain DataFrames, figures and texts), so it does
not care where they came from; `collect()` fills one from the database through
dashboard.queries and dashboard.charts, and `make_pack()` does both with the chart
renders overlapping the rest (what the page and the CLI use). Heavy libraries are
imported inside the builders so `escape_formula` stays cheap to import for any
CSV/Excel export.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@")
SLIDE_W_EMU, SLIDE_H_EMU = 12192000, 6858000   # PowerPoint's own 16:9 (13.333 x 7.5 in)
SLIDE_W_IN, SLIDE_H_IN = SLIDE_W_EMU / 914400, SLIDE_H_EMU / 914400
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
Progress = Callable[[float, str], None]


# -- safe spreadsheet text ---------------------------------------------------------

def escape_formula(value):
    """Text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a `'`
    in front; anything else, numbers included, is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell (and column name) passed through escape_formula."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_formula)
    out.columns = [escape_formula(str(c)) for c in out.columns]
    return out


# -- what a pack holds -------------------------------------------------------------

@dataclass(frozen=True)
class ChartPart:
    sheet: str            # Excel sheet name (<= 31 characters)
    title: str
    figure: object        # plotly Figure
    data: pd.DataFrame    # the figures behind the chart


@dataclass(frozen=True)
class TablePart:
    title: str
    frame: pd.DataFrame   # display-ready: Vietnamese headers, formatted values


@dataclass
class PackContent:
    plan_title: str
    organization: str
    period_key: str
    period_label: str
    scope_text: str
    data_date: object
    made_on: date
    kpis: list[tuple[str, str]]
    charts: list[ChartPart]
    cell_tables: list[TablePart]
    issues: TablePart
    completeness: TablePart
    progress: pd.DataFrame            # the v_progress rows in scope
    cells: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass
class Pack:
    files: dict[str, bytes] = field(default_factory=dict)

    def by_suffix(self, suffix: str) -> tuple[str, bytes]:
        return next((n, b) for n, b in self.files.items() if n.endswith(suffix))


def pack_basename(period_key: str, cells: Sequence[str] = (), areas: Sequence[str] = ()) -> str:
    """`hop-2026-Q3-tong-quan`, or `hop-2026-Q3-vpcn-nv1` for a narrower scope."""
    scope = [c.lower() for c in cells] + [a.lower() for a in areas]
    suffix = "-".join(scope).replace(".", "") if scope else "tong-quan"
    return f"hop-{period_key}-{suffix}"


def _no_progress(_fraction: float, _text: str) -> None:
    return None


def build_pack(content: PackContent, progress: Progress | None = None) -> Pack:
    """Render each chart once (warm server), then write PPTX, PDF and XLSX."""
    from dashboard import render
    progress = progress or _no_progress
    progress(0.0, "Khởi động trình tạo ảnh…")
    render.warm_up()
    with ChartRenderer(content.scope_text, content.data_date) as renderer:
        for chart in content.charts:
            renderer.submit(chart)
        xlsx = build_xlsx(content)
        images = renderer.images(progress)
    return _assemble(content, images, xlsx, progress)


def make_pack(db_path, period_key: str, cells: Sequence[str] | None = None,
              areas: Sequence[str] | None = None, today: date | None = None,
              progress: Progress | None = None) -> tuple[PackContent, Pack]:
    """collect() + build_pack(), overlapped: each chart goes to the renderer as soon as
    its query returns, and the other queries, the workbook and the PDF's images are
    prepared while Chromium draws. Same files, less waiting."""
    from dashboard import render
    progress = progress or _no_progress
    progress(0.0, "Khởi động trình tạo ảnh…")
    render.warm_up()
    scope, header = _scope_and_header(db_path, period_key, cells, areas, today)
    with ChartRenderer(header["scope_text"], header["data_date"]) as renderer:
        charts = []
        for chart in iter_chart_parts(scope):
            renderer.submit(chart)
            charts.append(chart)
        progress(0.1, "Tổng hợp số liệu…")
        content = _content(scope, header, charts)
        xlsx = build_xlsx(content)
        deck, doc = PptxDeck(content), PdfDoc(content)
        for i, image in enumerate(renderer.iter_images(progress)):
            deck.put_chart(i, charts[i].title, image.png)
            doc.put_chart(i, image.page_image)
    progress(0.95, "Ghi tệp…")
    base = pack_basename(content.period_key, content.cells, content.areas)
    files = {f"{base}.pptx": deck.to_bytes(), f"{base}.pdf": doc.to_bytes(),
             f"{base}.xlsx": xlsx}
    progress(1.0, "Xong.")
    return content, Pack(files)


def _assemble(content: PackContent, images: "list[RenderedChart]", xlsx: bytes,
              progress: Progress) -> Pack:
    base = pack_basename(content.period_key, content.cells, content.areas)
    progress(0.85, "Tạo tệp PowerPoint…")
    files = {f"{base}.pptx": build_pptx(content, [i.png for i in images])}
    progress(0.93, "Tạo tệp PDF…")
    files[f"{base}.pdf"] = build_pdf(content, [i.page_image for i in images])
    files[f"{base}.xlsx"] = xlsx
    progress(1.0, "Xong.")
    return Pack(files)


@dataclass
class RenderedChart:
    png: bytes
    jpeg: bytes | None = None

    @property
    def page_image(self) -> bytes:
        return self.jpeg or self.png


class ChartRenderer:
    """Renders submitted charts in order on a background thread (the warm server does
    the drawing in Chromium), so the caller keeps working meanwhile."""

    def __init__(self, scope_text: str, data_date) -> None:
        import queue
        import threading
        self._scope_text, self._data_date = scope_text, data_date
        self._todo: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._titles: list[str] = []
        self._thread = threading.Thread(target=self._work, name="pack-render", daemon=True)
        self._thread.start()

    def submit(self, chart: ChartPart) -> None:
        self._titles.append(chart.title)
        self._todo.put(chart)

    def images(self, progress: Progress = _no_progress) -> list[RenderedChart]:
        return list(self.iter_images(progress))

    def iter_images(self, progress: Progress = _no_progress):
        """Each submitted chart in order as it is ready, with the PDF's JPEG made then."""
        for i, title in enumerate(self._titles):
            progress(0.1 + 0.8 * i / max(len(self._titles), 1), f"Tạo ảnh: {title}")
            outcome = self._done.get()
            if isinstance(outcome, BaseException):
                raise outcome
            yield RenderedChart(outcome, _pdf_jpeg(outcome))

    def _work(self) -> None:
        from dashboard import render
        while (chart := self._todo.get()) is not None:
            try:
                self._done.put(render.snapshot(chart.figure, "png", chart.title,
                                               self._scope_text, self._data_date))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                self._done.put(exc)

    def __enter__(self) -> "ChartRenderer":
        return self

    def __exit__(self, *exc) -> None:
        self._todo.put(None)
        self._thread.join(timeout=300)


def _pdf_jpeg(png: bytes) -> bytes:
    """fpdf re-compresses a PNG pixel by pixel (0.2 s for 3200x1800); a JPEG it embeds
    as is. Quality 92 without chroma subsampling keeps chart text crisp."""
    from PIL import Image
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=92, subsampling=0)
    return out.getvalue()


def text_sections(content: PackContent) -> list[TablePart]:
    """The table slides/pages in deck order: one per cell, obstacles, completeness."""
    parts = [*content.cell_tables, content.issues, content.completeness]
    return [page for part in parts for page in _paged(part)]


# -- PowerPoint -----------------------------------------------------------------------

def build_pptx(content: PackContent, images: Sequence[bytes]) -> bytes:
    deck = PptxDeck(content)
    for i, (chart, image) in enumerate(zip(content.charts, images)):
        deck.put_chart(i, chart.title, image)
    return deck.to_bytes()


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
    _text_box(slide, 0.8, 5.3, 11.7, 1.4, "\n".join(_cover_lines(content)), 18,
              color="444444")


def _cover_lines(content: PackContent) -> list[str]:
    from dashboard.fmt import date_vn
    return [f"Phạm vi: {content.scope_text}", f"Ngày lập: {date_vn(content.made_on)}",
            _footer(content)]


def _footer(content: PackContent) -> str:
    from dashboard.render import footer_text
    return footer_text(content.data_date)


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
    widths = _column_widths(frame, 12.5)
    for j, column in enumerate(frame.columns):
        table.columns[j].width = Inches(widths[j])
        _cell_text(table.cell(0, j), str(column), Pt(13), bold=True)
    size = Pt(12 if rows <= 6 else 11)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            _cell_text(table.cell(i, j), _shown(value), size)


def _cell_text(cell, text: str, size, bold: bool = False) -> None:
    cell.text = text
    for para in cell.text_frame.paragraphs:
        para.font.size, para.font.bold = size, bold


def _shown(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _column_widths(frame: pd.DataFrame, total: float) -> list[float]:
    """Share the width by how long each column's text runs (capped), at least 0.8 in."""
    weights = []
    for column in frame.columns:
        longest = max([len(str(column))] + [len(_shown(v)) for v in frame[column]])
        weights.append(min(max(longest, 6), 60))
    scale = total / sum(weights)
    widths = [max(w * scale, 0.8) for w in weights]
    fix = total / sum(widths)
    return [w * fix for w in widths]


# -- PDF ----------------------------------------------------------------------------------

def build_pdf(content: PackContent, images: Sequence[bytes]) -> bytes:
    doc = PdfDoc(content)
    for i, image in enumerate(images):
        doc.put_chart(i, image)
    return doc.to_bytes()


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
    for line in _cover_lines(content):
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
    widths = [w * 25.4 for w in _column_widths(frame, (pdf.w - 24) / 25.4)]
    pdf.set_auto_page_break(True, margin=8)  # an unusually long table continues, never overflows
    with pdf.table(col_widths=widths, width=pdf.w - 24, line_height=5,
                   headings_style=_pdf_heading_style()) as table:
        table.row([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            table.row([_shown(v) for v in row])
    pdf.set_auto_page_break(False)


def _pdf_heading_style():
    from fpdf.fonts import FontFace
    return FontFace(emphasis="BOLD", fill_color=(221, 230, 244))


# -- Excel -----------------------------------------------------------------------------------

def build_xlsx(content: PackContent) -> bytes:
    """One sheet per chart (the figures behind it) and the v_progress rows in scope."""
    out = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(out, engine="xlsxwriter", engine_kwargs={"options": options}) as xl:
        used = {INFO_SHEET, PROGRESS_SHEET}
        names = [_sheet_name(chart.sheet, used) for chart in content.charts]
        _info_sheet(content, names).to_excel(xl, sheet_name=INFO_SHEET, index=False)
        for chart, name in zip(content.charts, names):
            escape_frame(chart.data).to_excel(xl, sheet_name=name, index=False)
            _autofit(xl.sheets[name])
        escape_frame(content.progress).to_excel(xl, sheet_name=PROGRESS_SHEET, index=False)
        _autofit(xl.sheets[PROGRESS_SHEET])
        _autofit(xl.sheets[INFO_SHEET])
    return out.getvalue()


INFO_SHEET, PROGRESS_SHEET = "Thông tin", "v_progress"


def _info_sheet(content: PackContent, sheet_names: list[str]) -> pd.DataFrame:
    from dashboard.fmt import date_vn
    rows = [("Kế hoạch", content.plan_title), ("Kỳ báo cáo", content.period_label),
            ("Phạm vi", content.scope_text), ("Ngày lập", date_vn(content.made_on)),
            ("Nguồn", _footer(content))]
    rows += [(f"Biểu đồ: {c.title}", f"trang tính '{name}'")
             for c, name in zip(content.charts, sheet_names)]
    return escape_frame(pd.DataFrame(rows, columns=["Mục", "Nội dung"]))


def _sheet_name(wanted: str, used: set[str]) -> str:
    """Excel allows 31 characters and no []:*?/\\ in a sheet name; names are unique."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in wanted)[:31] or "Biểu đồ"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def _autofit(sheet) -> None:
    if hasattr(sheet, "autofit"):
        sheet.autofit()


# -- from the database ---------------------------------------------------------------------

ROWS_PER_SLIDE = 9   # the largest cell (9 tasks) on one slide
# Characters shown on a slide (so 8 rows fit one projected slide); Excel keeps it all.
TEXT_LIMIT, TITLE_LIMIT = 110, 90


def collect(db_path, period_key: str, cells: Sequence[str] | None = None,
            areas: Sequence[str] | None = None, today: date | None = None) -> PackContent:
    """Everything the pack shows for a period and scope, from the dashboard's queries."""
    scope, header = _scope_and_header(db_path, period_key, cells, areas, today)
    return _content(scope, header, list(iter_chart_parts(scope)))


def _scope_and_header(db_path, period_key, cells, areas, today) -> tuple["Scope", dict]:
    from dashboard import fmt, queries
    from etl import periods as P
    from etl.catalog import get_catalog

    period = P.from_key(period_key)
    cells, areas = _codes(cells), _codes(areas)
    catalog = get_catalog()
    scope = Scope(db_path, period.key, period.grain, cells, areas, today)
    header = dict(plan_title=catalog.plan.title, organization=catalog.plan.organization,
                  period_key=period.key, period_label=fmt.period(period.key),
                  scope_text=scope_text(period.key, cells, areas),
                  data_date=queries.data_status(db_path)["data_date"],
                  made_on=today or date.today(), cells=tuple(cells or ()),
                  areas=tuple(areas or ()))
    return scope, header


def _content(scope: "Scope", header: dict, charts: list[ChartPart]) -> PackContent:
    return PackContent(**header, kpis=kpi_tiles(scope), charts=charts,
                       cell_tables=cell_tables(scope), issues=issues_table(scope),
                       completeness=completeness_table(scope),
                       progress=progress_rows(scope))


@dataclass(frozen=True)
class Scope:
    db_path: object
    period: str
    grain: str
    cells: list[str] | None
    areas: list[str] | None
    today: date | None = None    # for "late / not yet due"; None = the real today

    def query_args(self) -> dict:
        return dict(periods=[self.period], cells=self.cells, areas=self.areas)


def _codes(values: Sequence[str] | None) -> list[str] | None:
    """None (everything) for no filter; codes as given otherwise."""
    values = [str(v).strip() for v in (values or ()) if str(v).strip()]
    return values or None


def scope_text(period_key: str, cells: Sequence[str] | None, areas: Sequence[str] | None) -> str:
    """`Quý III/2026 · Chi bộ: tất cả · Nhiệm vụ trọng tâm: NV1, NV3`, names from the catalog."""
    from etl.catalog import get_catalog
    from etl.periods import period_label
    catalog = get_catalog()
    cell_names = [catalog.cell(c).short_name for c in cells] if cells else ["tất cả"]
    area_names = [catalog.area(a).short_name for a in areas] if areas else ["tất cả"]
    return (f"{period_label(period_key)} · Chi bộ: {', '.join(cell_names)} · "
            f"Nhiệm vụ trọng tâm: {', '.join(area_names)}")


def kpi_tiles(scope: Scope) -> list[tuple[str, str]]:
    from dashboard import fmt, queries
    df = queries.overall(scope.db_path, scope.grain, **scope.query_args())
    if df.empty:
        return [("Tỷ lệ hoàn thành bình quân", fmt.NO_REPORT)]
    row = df.iloc[0]
    count = lambda v: fmt.number(0 if pd.isna(v) else v)  # noqa: E731
    return [
        ("Tỷ lệ hoàn thành bình quân", fmt.pct_or_no_report(row["completion"])),
        ("Nhiệm vụ đã hoàn thành / được giao",
         f"{count(row['tasks_done'])}/{count(row['tasks_assigned'])}"),
        ("Chi bộ đã báo cáo", f"{count(row['cells_reported'])}/{count(row['cells_total'])}"),
        ("Nhiệm vụ chậm tiến độ", count(row["tasks_delayed"])),
        ("Hoạt động đã tổ chức", count(row["activities"])),
        ("Lượt người tham gia", count(row["participants"])),
    ]


def progress_rows(scope: Scope) -> pd.DataFrame:
    """The v_progress rows (current submissions) whose period lies inside the chosen one."""
    from etl.db import read_connection
    from etl.periods import from_key
    p = from_key(scope.period)
    with read_connection(scope.db_path) as con:
        return con.execute("""
            SELECT * FROM v_progress
            WHERE period_start >= $start AND period_end <= $end
              AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], cell_code))
              AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], area_code))
            ORDER BY period_start, cell_code, task_code""",
            {"start": p.start, "end": p.end, "cells": scope.cells, "areas": scope.areas}).df()


def cell_tables(scope: Scope) -> list[TablePart]:
    """One table per cell in scope: its assigned tasks with role, status, completion."""
    from dashboard import fmt, queries
    from etl.catalog import ROLE_LABELS, get_catalog
    from etl.parse import STATUS_LABELS
    df = queries.assignment_facts(scope.db_path, scope.grain, **scope.query_args())
    parts = []
    for cell in get_catalog().cells:
        if scope.cells and cell.code not in scope.cells:
            continue
        rows = df[df["cell_code"] == cell.code]
        frame = pd.DataFrame({
            "Mã": rows["task_code"],
            "Nhiệm vụ": rows["task_title"].map(lambda t: _clip(t, TITLE_LIMIT)),
            "Vai trò": rows["role"].map(lambda r: ROLE_LABELS.get(r, "Ngoài phân công")),
            "Trạng thái": rows["status"].map(lambda s: STATUS_LABELS.get(s, fmt.NO_REPORT)),
            "Tỷ lệ hoàn thành": rows["completion_pct"].map(fmt.pct_or_no_report),
            "Kết quả đạt được": rows["result"].map(_clip),
        })
        parts.append(TablePart(f"{cell.name}: nhiệm vụ được giao", frame.reset_index(drop=True)))
    return parts


def issues_table(scope: Scope) -> TablePart:
    """Obstacles and proposals the cells raised in the period (latest first)."""
    from dashboard import queries
    from etl.periods import from_key
    p = from_key(scope.period)
    log = queries.obstacle_log(scope.db_path, cells=scope.cells, areas=scope.areas, as_of=p.end)
    log = log[pd.to_datetime(log["period_end"]).dt.date >= p.start]
    frame = pd.DataFrame({
        "Chi bộ": log["cell_short"], "Nhiệm vụ": log["task_code"],
        "Khó khăn, vướng mắc": log["obstacles"].map(_clip),
        "Đề xuất, kiến nghị": log["proposals"].map(_clip),
        "Kỳ": log["period"].map(_period_label),
    })
    return TablePart("Khó khăn, vướng mắc và đề xuất, kiến nghị", frame.reset_index(drop=True))


def completeness_table(scope: Scope) -> TablePart:
    """Per cell: tasks reported of those assigned, and each month's report on time or not."""
    from dashboard import fmt, queries
    months = _months_of(scope.period)
    summary = queries.cell_summary(scope.db_path, scope.grain, **scope.query_args())
    matrix = queries.submission_matrix(scope.db_path, months, scope.cells, today=scope.today)
    frame = pd.DataFrame({
        "Chi bộ": summary["short_name"],
        "Nhiệm vụ đã báo cáo": [f"{fmt.number(r)}/{fmt.number(a)}" for r, a in
                                zip(summary["tasks_reported"], summary["tasks_assigned"])],
    })
    for month in months:
        states = matrix[matrix["period"] == month].set_index("cell_code")
        frame[_period_label(month)] = [_report_state_text(states, c) for c in summary["cell_code"]]
    return TablePart("Tình hình gửi báo cáo", frame)


def _report_state_text(states: pd.DataFrame, cell_code: str) -> str:
    from dashboard import charts, fmt
    if cell_code not in states.index:
        return ""
    row = states.loc[cell_code]
    text = charts.SUBMISSION_LABELS.get(row["state"], str(row["state"]))
    return f"{text} ({fmt.date_vn(row['report_date'])})" if row["report_date"] else text


def _months_of(period_key: str) -> list[str]:
    from etl.periods import from_key
    p = from_key(period_key)
    return [f"{p.start.year}-{m:02d}" for m in range(p.start.month, p.end.month + 1)]


def _period_label(key) -> str:
    from etl.periods import period_label
    try:
        return period_label(key)
    except (ValueError, TypeError):
        return str(key)


def _clip(text, limit: int = TEXT_LIMIT) -> str:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _paged(part: TablePart) -> list[TablePart]:
    """A long table continues on further slides rather than running off the slide."""
    frame = part.frame.reset_index(drop=True)
    if len(frame) <= ROWS_PER_SLIDE:
        return [TablePart(part.title, frame)]
    chunks = [frame.iloc[i:i + ROWS_PER_SLIDE] for i in range(0, len(frame), ROWS_PER_SLIDE)]
    return [TablePart(part.title if i == 0 else f"{part.title} (tiếp)", chunk.reset_index(drop=True))
            for i, chunk in enumerate(chunks)]


def chart_parts(scope: Scope) -> list[ChartPart]:
    """The dashboard's charts for the scope, each with the figures behind it."""
    return list(iter_chart_parts(scope))


def iter_chart_parts(scope: Scope):
    """Yields each chart as soon as its query returns, so rendering can start."""
    from dashboard import charts, fmt, queries
    label = fmt.period(scope.period)
    db, grain, args = scope.db_path, scope.grain, scope.query_args()
    yield _part("Theo chi bộ", f"Tỷ lệ hoàn thành theo chi bộ - {label}",
                charts.completion_by_cell, queries.cell_summary(db, grain, **args), label)
    yield _part("Theo nhiệm vụ trọng tâm", f"Tỷ lệ hoàn thành theo nhiệm vụ trọng tâm - {label}",
                charts.completion_by_area, queries.area_summary(db, grain, **args), label)
    yield _part("Chi bộ x nhiệm vụ trọng tâm", f"Chi bộ × nhiệm vụ trọng tâm - {label}",
                charts.cell_area_heatmap, queries.cell_area_summary(db, grain, **args), label)
    yield _part("Tình trạng nhiệm vụ", f"Trạng thái các nhiệm vụ - {label}",
                charts.status_distribution, queries.status_counts(db, grain, **args), label)
    months = _months_of(scope.period)
    if len(months) > 1:
        monthly = queries.cell_summary(db, "month", periods=months, cells=scope.cells,
                                       areas=scope.areas)
        title = f"Diễn biến tỷ lệ hoàn thành theo tháng - {label}"
        yield ChartPart("Diễn biến theo tháng", title, charts.trend_by_cell(monthly, title),
                        sheet_frame(monthly))
    matrix = queries.submission_matrix(db, months, scope.cells, today=scope.today)
    title = f"Tình hình gửi báo cáo hằng tháng - {label}"
    yield ChartPart("Gửi báo cáo", title, charts.submission_matrix(matrix, title),
                    sheet_frame(matrix))


def _part(sheet: str, title: str, builder, frame: pd.DataFrame, period_label: str) -> ChartPart:
    return ChartPart(sheet, title, builder(frame, title, period_label), sheet_frame(frame))


# The figures behind a chart, for the secretary: Vietnamese headings, no drawing columns.
SHEET_COLUMNS = {
    "period": "Kỳ", "cell_code": "Mã chi bộ", "cell_name": "Chi bộ",
    "short_name": "Tên ngắn", "cell_short": "Chi bộ (tên ngắn)", "area_code": "Mã NVTT",
    "area_name": "Nhiệm vụ trọng tâm", "area_short": "NVTT (tên ngắn)",
    "has_report": "Đã báo cáo", "completion": "Tỷ lệ hoàn thành (%)",
    "tasks_reported": "Nhiệm vụ đã báo cáo", "tasks_assigned": "Nhiệm vụ được giao",
    "tasks_done": "Nhiệm vụ hoàn thành", "tasks_delayed": "Nhiệm vụ chậm tiến độ",
    "status": "Trạng thái", "tasks": "Số lượt nhiệm vụ", "report_date": "Ngày báo cáo",
    "deadline": "Hạn nộp", "state": "Tình trạng gửi báo cáo", "submission_id": "Mã lần nộp",
}


def sheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The query's rows as they are (same numbers), with readable headings and labels."""
    from dashboard import charts
    from dashboard.fmt import date_vn
    out = frame[[c for c in frame.columns if c in SHEET_COLUMNS]].copy()
    if "period" in out:
        out["period"] = out["period"].map(_period_label)
    if "status" in out:
        out["status"] = out["status"].map(
            lambda s: charts.STATUS_LABELS.get(s, charts.NO_REPORT_LABEL))
    if "state" in out:
        out["state"] = out["state"].map(lambda s: charts.SUBMISSION_LABELS.get(s, s))
    if "has_report" in out:
        out["has_report"] = out["has_report"].map({True: "Có", False: "Chưa"})
    for column in ("report_date", "deadline"):
        if column in out:
            out[column] = out[column].map(lambda d: "" if d is None or pd.isna(d) else date_vn(d))
    return out.rename(columns=SHEET_COLUMNS).reset_index(drop=True)
