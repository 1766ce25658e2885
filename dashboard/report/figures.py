"""The overview charts for the report's annex: Tổng quan's charts for the period and
scope, built by dashboard.charts from the same queries and drawn by dashboard.render (the
pack's images: title, scope and source footer on each)."""
from __future__ import annotations

import logging

from dashboard import charts, queries, render
from dashboard.report.content import ReportContent
from dashboard.report.docx import Figure
from dashboard.report.draft import scope_text
from etl import periods as P
from etl.store import Store

log = logging.getLogger(__name__)

# (title before the period, chart builder, query): Tổng quan's charts, in its order.
OVERVIEW = (
    ("Tỷ lệ hoàn thành theo chi bộ", charts.completion_by_cell, queries.cell_summary),
    ("Tỷ lệ hoàn thành theo nhiệm vụ trọng tâm", charts.completion_by_area, queries.area_summary),
    ("Chi bộ × nhiệm vụ trọng tâm", charts.cell_area_heatmap, queries.cell_area_summary),
    ("Trạng thái các nhiệm vụ", charts.status_distribution, queries.status_counts),
)


def overview(store: Store, content: ReportContent) -> list[Figure]:
    """The charts as PNG images; render.RenderUnavailable when there is no browser."""
    render.require_browser()
    label = P.period_label(content.period)
    grain = P.from_key(content.period).grain
    cells = [c.code for c in content.cells] if content.cells_filtered else None
    areas = [a.code for a in content.areas] if content.areas_filtered else None
    scope = scope_text(content)
    out = []
    for subject, build, query in OVERVIEW:
        title = f"{subject} - {label}"
        frame = query(store, grain, [content.period], cells, areas)
        png = render.snapshot(build(frame, title, label), "png", title, scope, content.data_date)
        out.append(Figure(title, png))
    log.info("report charts drawn: %d", len(out))
    return out
