"""What a meeting pack holds, and how it is collected from the dashboard's queries and
chart builders (the same figures the pages show)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import pandas as pd

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


def text_sections(content: PackContent) -> list[TablePart]:
    """The table slides/pages in deck order: one per cell, obstacles, completeness."""
    parts = [*content.cell_tables, content.issues, content.completeness]
    return [page for part in parts for page in _paged(part)]


ROWS_PER_SLIDE = 9   # the largest cell (9 tasks) on one slide


# Characters shown on a slide (so 8 rows fit one projected slide); Excel keeps it all.
TEXT_LIMIT, TITLE_LIMIT = 110, 90


def collect(db_path, period_key: str, cells: Sequence[str] | None = None,
            areas: Sequence[str] | None = None, today: date | None = None) -> PackContent:
    """Everything the pack shows for a period and scope, from the dashboard's queries."""
    scope, header = scope_and_header(db_path, period_key, cells, areas, today)
    return content_for(scope, header, list(iter_chart_parts(scope)))


def scope_and_header(db_path, period_key, cells, areas, today) -> tuple["Scope", dict]:
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


def content_for(scope: "Scope", header: dict, charts: list[ChartPart]) -> PackContent:
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
    from dashboard import queries
    from etl.periods import from_key
    p = from_key(scope.period)
    return queries.progress_rows_within(scope.db_path, p.start, p.end, scope.cells, scope.areas)


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
