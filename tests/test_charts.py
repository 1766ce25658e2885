"""Chart builders, checked on fig.data / fig.layout from real query results."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard import charts as C
from dashboard import queries as Q
from dashboard.ui_export import figure_title
from dashboard_db import build_db, row, sub
from etl.store import Store
from etl.catalog import get_catalog
from etl.vocab import ReportTimeliness

PERIOD = ["2026-Q3"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return Store.at(build_db(tmp_path_factory.mktemp("c") / "c.duckdb", [
        sub("VPCN", "2026-07", [row("NV2.3", "in_progress", 40, activities=1234),
                                row("NV5.1", "done", 100)]),
        sub("VPCN", "2026-08", [row("NV2.3", "in_progress", 85.5, activities=2)]),
        sub("KHKH", "2026-08", [row("NV3.1", "delayed", 20, activities=3)]),
        sub("CDS", "2026-09", [row("NV4.1", "in_progress", 66.75)]),
        # TTKHCN sends nothing
    ]))


@pytest.fixture(scope="module")
def colors():
    return get_catalog().cell_colors()


def _bar_by_label(fig, attr="y"):
    bar = fig.data[0]
    return dict(zip(getattr(bar, attr), zip(bar.x, bar.text, bar.marker.color)))


def test_completion_by_cell_colors_axis_labels_and_missing(db, colors):
    df = Q.cell_summary(db, "quarter", PERIOD)
    fig = C.completion_by_cell(df, "Tỷ lệ hoàn thành theo chi bộ - Quý III/2026", "Quý III/2026")
    bars = _bar_by_label(fig)
    assert bars["Văn phòng - Công nghệ"][:2] == (pytest.approx(92.75), "92,8%")  # (85.5+100)/2
    assert bars["Chuyển đổi số"][1] == "66,8%"
    assert bars["Trung tâm KH&CN"][0] is None and bars["Trung tâm KH&CN"][1] == "Chưa báo cáo"
    assert [a.text for a in fig.layout.annotations] == ["Chưa báo cáo"]
    cells = df.set_index("short_name")["cell_code"]
    assert {name: c for name, (_, _, c) in bars.items()} == {n: colors[cells[n]] for n in bars}
    assert list(fig.layout.xaxis.range) == [0, 100]
    assert fig.layout.separators == ",."
    assert fig.layout.font.size >= 16
    assert fig.layout.title.text == "Tỷ lệ hoàn thành theo chi bộ"
    assert fig.layout.title.subtitle.text == "Quý III/2026"


def test_same_color_per_cell_on_every_chart(db, colors):
    trend = C.trend_by_cell(Q.cell_summary(db, "month", ["2026-07", "2026-08", "2026-09"]), "t")
    line_colors = {t.name: t.line.color for t in trend.data}
    compare = C.compare_periods(Q.cell_summary(db, "month", ["2026-07", "2026-08"]), "t",
                                "2026-07", "2026-08")
    flows = C.flow_by_task(Q.assignment_facts(db, "quarter", PERIOD), "activities", "t")
    short = {c.short_name: c.code for c in get_catalog().cells}
    assert line_colors == {name: colors[short[name]] for name in line_colors}
    assert len(line_colors) == 3           # TTKHCN sent nothing: no line, no legend entry
    for trace in compare.data:
        assert list(trace.marker.color) == [colors[short[n]] for n in trace.x]
    assert {t.name: t.marker.color for t in flows.data} == {
        n: colors[short[n]] for n in (t.name for t in flows.data)}


def test_trend_leaves_gaps_for_missing_reports(db):
    fig = C.trend_by_cell(Q.cell_summary(db, "month", ["2026-07", "2026-08", "2026-09"]), "t")
    lines = {t.name: t for t in fig.data}
    assert list(lines["Văn phòng - Công nghệ"].x) == ["Tháng 7/2026", "Tháng 8/2026", "Tháng 9/2026"]
    assert list(lines["Văn phòng - Công nghệ"].y[:2]) == [70, 85.5]
    assert lines["Văn phòng - Công nghệ"].y[2] is None          # no September report: a gap
    assert "Trung tâm KH&CN" not in lines                       # no report at all: no line
    assert list(fig.layout.yaxis.range) == [0, 100]


def test_trend_end_labels_print_each_latest_value_without_overlap():
    import pandas as pd
    cells = get_catalog().cells
    latest = [90.0, 82.2, 78.4, 75.9]
    df = pd.DataFrame([{"period": p, "cell_code": c.code, "short_name": c.short_name,
                        "cell_name": c.name, "color": c.color, "sort_order": i,
                        "completion": v - (10 if p == "2026-10" else 0)}
                       for i, (c, v) in enumerate(zip(cells, latest))
                       for p in ("2026-10", "2026-11")])
    labels = C.trend_by_cell(df, "t").layout.annotations
    assert sorted(a.text for a in labels) == ["75,9%", "78,4%", "82,2%", "90%"]
    assert all(a.x == "Tháng 11/2026" for a in labels)
    ys = sorted(a.y for a in labels)
    assert all(b - a >= C.END_LABEL_GAP - 1e-9 for a, b in zip(ys, ys[1:]))
    assert max(ys) <= 100
    same = C.trend_by_cell(df.assign(completion=100.0), "t").layout.annotations
    assert [a.text for a in same] == ["100%"]                   # one label, not four stacked


def test_heatmap_draws_no_report_grey_never_zero(db):
    fig = C.cell_area_heatmap(Q.cell_area_summary(db, "quarter", PERIOD), "t")
    back, main, _clicks = fig.data   # the third: invisible click targets (drill-down)
    rows = list(main.y)
    tt = rows.index("Trung tâm KH&CN")
    assert all(v is None for v in main.z[tt])                     # nothing on the 0-100 scale
    nv4 = list(main.x).index("NV4 Chuyển đổi số")                # TTKHCN has no NV4 task
    assert [t for i, t in enumerate(back.text[tt]) if i != nv4] == ["Chưa<br>báo cáo"] * 4
    assert back.text[tt][nv4] == "–"
    assert back.colorscale[0][1] == C.NO_REPORT_COLOR
    vp = rows.index("Văn phòng - Công nghệ")
    nv2 = list(main.x).index("NV2 Tuyên truyền")
    assert main.z[vp][nv2] == 85.5 and main.text[vp][nv2] == "85,5%"
    nv3 = list(main.x).index("NV3 Khoa học, công nghệ")
    assert main.z[vp][nv3] is None and back.text[vp][nv3] == "–"  # VPCN has no NV3 task
    assert (main.zmin, main.zmax) == (0, 100)


def test_status_distribution_labels_and_colors(db, colors):
    fig = C.status_distribution(Q.status_counts(db, "quarter", PERIOD), "t")
    bar = fig.data[0]
    assert list(bar.y) == ["Hoàn thành", "Đang thực hiện", "Chậm tiến độ", "Chưa báo cáo"]
    assert list(bar.x) == [1, 2, 1, 26]
    assert bar.text[3] == "26 (86,7%)"
    assert not set(bar.marker.color) & set(colors.values())


def test_task_bars_mark_lead_and_status(db):
    rows = Q.assignment_facts(db, "quarter", PERIOD, cells=["VPCN"])
    fig = C.task_completion_bars(rows, "t")
    labels = list(fig.data[0].y)
    assert "★ NV2.3 · Đang thực hiện" in labels and "★ NV5.1 · Hoàn thành" in labels
    assert "NV1.1 · Chưa báo cáo" in labels
    assert list(fig.layout.xaxis.range) == [0, 100]


def test_flow_labels_use_thousands_dot(db):
    fig = C.flow_by_task(Q.assignment_facts(db, "quarter", PERIOD), "activities", "t")
    vp = next(t for t in fig.data if t.name == "Văn phòng - Công nghệ")
    assert "1.236" in list(vp.text)                                # 1234 + 2 summed


def test_submission_matrix_states(db):
    m = Q.submission_matrix(db, ["2026-08", "2026-09"], today=date(2026, 12, 1))
    fig = C.submission_matrix(m, "t")
    hm = fig.data[0]
    tt = list(hm.y).index("Trung tâm KH&CN")
    assert list(hm.y)[0] == "Trung tâm KH&CN"                    # the missing reports first
    missing = list(ReportTimeliness).index(ReportTimeliness.MISSING)
    assert hm.z[tt] == [missing, missing]                         # the color says the state
    assert list(hm.text[tt]) == ["Chưa<br>nộp", "Chưa<br>nộp"]
    legend = {t.name for t in fig.data if t.type == "scatter" and t.showlegend is not False}
    assert legend == {s.label for s in ReportTimeliness}
    squares = next(t for t in fig.data if t.type == "scatter" and t.showlegend is False)
    keys = {k for k in squares.customdata if k}                   # a click opens the report
    assert keys and all(k.startswith("report:") for k in keys)
    assert list(hm.x) == ["Tháng 8/2026", "Tháng 9/2026"]


def test_plotly_config_and_slug():
    cfg = C.plotly_config("ty-le-hoan-thanh-theo-chi-bo-2026-Q3")
    assert cfg["toImageButtonOptions"] == {"format": "png", "width": 1600, "height": 900,
                                           "scale": 2,
                                           "filename": "ty-le-hoan-thanh-theo-chi-bo-2026-Q3"}
    assert cfg["displaylogo"] is False
    assert C.slug("Tỷ lệ hoàn thành theo chi bộ") == "ty-le-hoan-thanh-theo-chi-bo"


def test_the_chart_toolbar_speaks_vietnamese_and_drops_zoom_and_pan():
    """plotly.js's own "vi" locale has an empty dictionary: the toolbar would stay English.
    (The camera is ui_export.chart_config's to keep or drop.)"""
    cfg = C.plotly_config("bieu-do")
    assert cfg["locale"] == "vi"
    words = cfg["locales"]["vi"]["dictionary"]
    for english in ("Download plot as a PNG", "Zoom", "Pan", "Autoscale", "Reset axes",
                    "Taking snapshot - this may take a few seconds", "Snapshot succeeded"):
        assert words[english] and words[english] != english
    assert words["Download plot as a PNG"] == "Tải ảnh biểu đồ (PNG)"
    assert cfg["locales"]["vi"]["format"]["decimal"] == ","
    removed = set(cfg["modeBarButtonsToRemove"])
    assert {"zoom2d", "pan2d", "autoScale2d", "resetScale2d", "zoomIn2d", "zoomOut2d",
            "select2d", "lasso2d"} <= removed
    assert "toImage" not in removed


def test_long_titles_and_column_names_wrap_instead_of_being_cut_or_turned():
    long = "Số người tham gia theo nhiệm vụ: Chuyển đổi số - Tháng 9/2026"
    fig = C.status_distribution(pd.DataFrame({"status": ["done"], "tasks": [3]}), long)
    short = C.status_distribution(pd.DataFrame({"status": ["done"], "tasks": [3]}), "Ngắn - Tháng 9/2026")
    lines = fig.layout.title.text.split("<br>")
    assert lines == ["Số người tham gia theo", "nhiệm vụ: Chuyển đổi số"]
    assert fig.layout.title.subtitle.text == "Tháng 9/2026"
    assert fig.layout.margin.t == short.layout.margin.t + C.TITLE_LINE_PX
    assert fig.layout.height == short.layout.height + C.TITLE_LINE_PX
    # the image downloads under the chart carry the title on one line again
    assert figure_title(fig) == "Số người tham gia theo nhiệm vụ: Chuyển đổi số"
    assert C._wrap("Tỷ lệ hoàn thành theo chi bộ", 36) == ["Tỷ lệ hoàn thành theo chi bộ"]
    assert C._wrap("NV1 Quán triệt, triển khai", 14) == ["NV1 Quán", "triệt,", "triển khai"]


def test_long_category_names_under_columns_wrap_but_stay_the_categories():
    df = pd.DataFrame({"cell_code": ["VPCN", "VPCN"], "cell_short": ["VP", "VP"],
                       "cell_name": ["VP", "VP"],
                       "area_code": ["NV1", "NV2"], "area_short": ["Quán triệt, triển khai", "Tuyên truyền"],
                       "area_name": ["a", "b"], "completion": [50.0, 80.0],
                       "has_report": [True, True], "tasks_assigned": [1, 1],
                       "tasks_reported": [1, 1], "cell_order": [1, 1]})
    fig = C.cell_area_heatmap(df, "Chi bộ × nhiệm vụ - Tháng 9/2026")
    assert list(fig.data[1].x) == ["NV1 Quán triệt, triển khai", "NV2 Tuyên truyền"]
    assert list(fig.layout.xaxis.tickvals) == list(fig.data[1].x)
    assert list(fig.layout.xaxis.ticktext) == ["NV1<br>Quán triệt,<br>triển khai",
                                               "NV2<br>Tuyên truyền"]


def test_periods_under_columns_sit_flat_on_two_lines_the_latest_always_named():
    months = [f"2026-{m:02d}" for m in range(6, 12)]
    df = pd.DataFrame({"period": months, "cell_code": "VPCN", "short_name": "VP",
                       "cell_name": "Văn phòng", "color": "#000000", "sort_order": 1,
                       "completion": [50.0] * 6})
    fig = C.trend_by_cell(df, "Tỷ lệ hoàn thành qua các kỳ - Tháng 6/2026 đến Tháng 11/2026")
    assert fig.layout.xaxis.tickangle == 0
    assert list(fig.layout.xaxis.ticktext)[-1] == "Tháng 11<br>2026"
    assert list(fig.data[0].x)[:2] == ["Tháng 6/2026", "Tháng 7/2026"]
