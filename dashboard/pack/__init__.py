"""The meeting pack ("Xuất báo cáo họp"): one PPTX, the same content as a PDF, and an
Excel workbook of the figures behind each chart.

- content.py: what a pack holds (`PackContent`), collected from dashboard.queries and
  dashboard.charts, the figures the pages show;
- renderer.py: chart images, drawn on a background thread by the warm kaleido renderer;
- slides.py, pdf.py, workbook.py: the three files; layout.py: what slides and pages share
  (tables laid out once: wrapped, sized, continued on further slides, never shortened).

While a sample report is in the pack's scope, every slide, PDF page, chart image and the
workbook's first sheet says "DỮ LIỆU MẪU" (queries.sample_within).

`export_pack()` is the use case the page and `python -m dashboard pack` call: it checks the
permission, makes the pack and records the export. `make_pack()` hands each chart to the
renderer as soon as its query returns, so the queries, the workbook and the text slides
are built while Chromium draws.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from dashboard.pack.content import (ChartPart, PackContent, Source, TablePart, content_for,
                                    header_of, iter_chart_parts)
from dashboard.pack.layout import TablePage, text_sections
from dashboard.pack.pdf import PdfDoc
from dashboard.pack.renderer import ChartRenderer, Progress, no_progress
from dashboard.pack.slides import PptxDeck
from dashboard.pack.workbook import build_xlsx, escape_formula, escape_frame
from dashboard.scope import Scope
from etl import usecases
from etl.store import Store
from etl.users import User
from etl.vocab import Permission

__all__ = ["ChartPart", "Pack", "PackContent", "TablePage", "TablePart", "build_xlsx",
           "escape_formula", "escape_frame", "export_pack", "make_pack", "pack_basename",
           "text_sections"]


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


def export_pack(store: Store, actor: User, scope: Scope, today: date | None = None,
                progress: Progress | None = None) -> tuple[PackContent, Pack]:
    """The use case: may this user export, then the pack, then the audit row."""
    usecases.authorize(actor, Permission.EXPORT)
    content, pack = make_pack(store, scope, today, progress)
    usecases.record_export(store, actor, ", ".join(pack.files), content.scope_text)
    return content, pack


def make_pack(store: Store, scope: Scope, today: date | None = None,
              progress: Progress | None = None) -> tuple[PackContent, Pack]:
    """What the pack holds and its three files; each chart goes to the renderer as soon
    as its query returns."""
    progress = _started(progress)
    source = Source(store, scope, today)
    header = header_of(source)
    with ChartRenderer(header["scope_text"], header["data_date"], header["is_sample"]) as renderer:
        charts = []
        for chart in iter_chart_parts(source):
            renderer.submit(chart)
            charts.append(chart)
        progress(0.1, "Tổng hợp số liệu…")
        content = content_for(source, header, charts)
        return content, _write(content, renderer, progress)


def _started(progress: Progress | None) -> Progress:
    from dashboard import render
    progress = progress or no_progress
    progress(0.0, "Khởi động trình tạo ảnh…")
    render.warm_up()
    return progress


def _write(content: PackContent, renderer: ChartRenderer, progress: Progress) -> Pack:
    """The workbook and the text slides and pages first, then each chart picture as the
    renderer delivers it."""
    xlsx = build_xlsx(content)
    sections = text_sections(content)
    deck, doc = PptxDeck(content, sections), PdfDoc(content, sections)
    for i, image in enumerate(renderer.iter_images(progress)):
        deck.put_chart(i, content.charts[i].title, image.png)
        doc.put_chart(i, image.page_image)
    progress(0.95, "Ghi tệp…")
    base = pack_basename(content.period_key, content.cells, content.areas)
    files = {f"{base}.pptx": deck.to_bytes(), f"{base}.pdf": doc.to_bytes(), f"{base}.xlsx": xlsx}
    progress(1.0, "Xong.")
    return Pack(files)
