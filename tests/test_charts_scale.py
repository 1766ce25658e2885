"""Chart builders at province scale (100 cells, tests/province_db.py) and with the 4 sample
cells: what one chart shows so that it still reads, and the readability rules that hold
at any scale (whole-number count axes, no legend entry without data, short labels)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import province_db
from dashboard import charts as C
from dashboard import queries as Q
from dashboard_db import build_db, row, sub
from etl.catalog import get_catalog
from etl.store import Store
from etl.vocab import NO_REPORT, ReportTimeliness

MONTH = province_db.LAST_MONTH
MISSING = list(ReportTimeliness).index(ReportTimeliness.MISSING)
LATE = list(ReportTimeliness).index(ReportTimeliness.LATE)


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("province")
    catalog = province_db.write_catalog(folder)
    return Store.at(province_db.build(folder / "province.duckdb", catalog),
                    get_catalog(catalog))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Store:
    """The 4 real cells, one quarter: VPCN and KHKH report, CDS one task, TTKHCN nothing."""
    return Store.at(build_db(tmp_path_factory.mktemp("small") / "s.duckdb", [
        sub("VPCN", "2026-07", [row("NV2.3", "in_progress", 40, activities=2),
                                row("NV5.1", "done", 100, activities=1)]),
        sub("KHKH", "2026-07", [row("NV3.1", "delayed", 20, activities=3)]),
        sub("CDS", "2026-07", [row("NV4.1", "in_progress", 66.75)]),
    ]))


def bar_labels(fig) -> list[str]:
    return list(fig.data[0].y)


def notes(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


# -- ranked bars and the grid that follows them ---------------------------------------------

def test_province_bars_show_the_ten_lowest_reported_and_name_the_rest(province):
    df = Q.cell_summary(province, "month", [MONTH])
    fig = C.completion_by_cell(df, "t - x", "x")
    reported = df[df["completion"].notna()].sort_values("completion")
    lowest = reported.head(C.RANKED_N)
    assert sorted(bar_labels(fig)) == sorted(lowest["short_name"])
    assert list(fig.data[0].x) == sorted(fig.data[0].x, reverse=True)   # best on top
    silent = df[df["completion"].isna()]
    assert len(silent) > 0                                     # the builder's missed months
    lines = notes(fig)[-1].split("<br>")
    assert lines[:2] == ["10 chi bộ thấp nhất trong 100", f"Chưa có số liệu: {len(silent)} chi bộ"]
    named = [n for line in lines[2:-1] for n in line.split(", ")]
    assert named == sorted(silent["short_name"], key=lambda n: int(n.split()[-1]))[:len(named)]
    assert lines[-1] == f"và {len(silent) - len(named)} chi bộ khác"
    assert all(len(line) <= C.NOTE_WIDTH for line in lines)   # fits half a laptop screen
    assert NO_REPORT not in [a.text for a in fig.layout.annotations]   # none drawn as a bar


def test_province_bars_highest_and_all(province):
    df = Q.cell_summary(province, "month", [MONTH])
    top = C.completion_by_cell(df, "t", show=C.Show.HIGHEST)
    best = df.sort_values(["completion", "sort_order"], ascending=[False, True]).head(10)
    assert bar_labels(top) == list(best["short_name"])
    every = C.completion_by_cell(df, "t", show=C.Show.ALL)
    assert len(bar_labels(every)) == 100 and not any("trong 100" in n for n in notes(every))


def test_four_cells_show_every_cell_ranked_without_a_note(small):
    df = Q.cell_summary(small, "quarter", ["2026-Q3"])
    fig = C.completion_by_cell(df, "t", show=C.Show.LOWEST)
    assert bar_labels(fig) == ["Văn phòng - Công nghệ", "Chuyển đổi số", "Kế hoạch - Khoa học",
                               "Trung tâm KH&CN"]            # 70, 66.75, 20, no report last
    assert notes(fig) == [NO_REPORT]
    assert not C.needs_choice(len(df)) and C.needs_choice(100)


def test_grid_rows_follow_the_bars_and_exports_rank_alike(province):
    df = Q.cell_summary(province, "month", [MONTH])
    rank = tuple(C.ranked(df, C.Show.LOWEST)["cell_code"])
    squares = Q.cell_area_summary(province, "month", [MONTH], cells=list(rank))
    fig = C.cell_area_heatmap(squares, "t", rank=rank, total=len(df))
    names = df.set_index("cell_code")["short_name"]
    assert list(fig.data[1].y) == [names[c] for c in rank]
    assert notes(fig) == ["10 chi bộ thấp nhất trong 100"]
    # Without a rank (the pack, the report) the grid ranks its own rows the same way.
    alone = C.cell_area_heatmap(Q.cell_area_summary(province, "month", [MONTH]), "t")
    assert list(alone.data[1].y) == list(fig.data[1].y)


def test_compare_ranks_by_the_later_period_and_prints_one_value_each_at_scale(province, small):
    keys = province_db.month_keys()[-2:]
    fig = C.compare_periods(Q.cell_summary(province, "month", keys), "t", *keys)
    earlier, later = fig.data
    assert len(later.x) == 10 and earlier.text is None and len(later.text) == 10
    four = C.compare_periods(Q.cell_summary(small, "month", ["2026-06", "2026-07"]), "t",
                             "2026-06", "2026-07")
    assert all(t.text is not None for t in four.data)


# -- squares: text only where it fits, hover only where it belongs ------------------------------

def test_no_report_square_text_wraps_and_hover_is_on_one_trace(small):
    fig = C.cell_area_heatmap(Q.cell_area_summary(small, "quarter", ["2026-Q3"]), "t")
    back, main = fig.data[:2]
    tt = list(main.y).index("Trung tâm KH&CN")
    assert "Chưa<br>báo cáo" in back.text[tt]
    assert back.textfont.size < main.textfont.size
    for b, m in zip(back.hovertext, main.hovertext):
        assert all(bool(x) != bool(y) for x, y in zip(b, m))   # each square hovers once


def test_a_grid_too_wide_for_text_prints_none():
    cols = [f"NV{i}" for i in range(C.LABEL_COLUMNS + 1)]
    df = pd.DataFrame({"r": "Chi bộ 1", "c": cols, "completion": 50.0, "has_report": True,
                       "tasks_assigned": 1})
    fig = C.completion_heatmap(df, "t", "r", "c", "r", "c")
    assert all(t == "" for line in fig.data[1].text for t in line)


def test_task_grid_has_cells_as_rows_and_tasks_in_code_order(province, small):
    facts = Q.assignment_facts(province, "month", [MONTH], areas=["NV1"])
    fig = C.task_cell_heatmap(facts, "t")
    assert list(fig.data[1].x) == ["NV1.1", "NV1.2"]
    assert len(fig.data[1].y) == 10
    four = C.task_cell_heatmap(Q.assignment_facts(small, "quarter", ["2026-Q3"], areas=["NV2"]), "t")
    assert set(four.data[1].y) <= {c.short_name for c in get_catalog().cells}


# -- trends ------------------------------------------------------------------------------------

def test_trend_draws_the_chosen_cells_and_the_committee_average(province):
    keys = province_db.month_keys()[-6:]
    chosen = ["C001", "C002"]
    df = Q.cell_summary(province, "month", keys, cells=chosen)
    overall = Q.overall(province, "month", keys)
    fig = C.trend_by_cell(df, "t", average=tuple(zip(overall["period"], overall["completion"])))
    assert [t.name for t in fig.data] == ["Chi bộ 1", "Chi bộ 2", C.AVERAGE_NAME]
    average = fig.data[-1]
    assert average.line.dash == "dash"
    assert list(average.y) == pytest.approx(list(overall["completion"]))


def test_trend_of_every_province_cell_keeps_the_lowest_few(province):
    keys = province_db.month_keys()[-3:]
    df = Q.cell_summary(province, "month", keys)
    fig = C.trend_by_cell(df, "t")
    assert len(fig.data) == C.MAX_LINES
    latest = (df.pivot(index="short_name", columns="period", values="completion")[keys]
                .ffill(axis=1)[keys[-1]])              # a cell's latest report in the window
    lowest = set(latest.nsmallest(C.MAX_LINES).index)
    assert {t.name for t in fig.data} == lowest


def test_a_trend_of_one_period_says_so_instead_of_stacking_dots(small):
    fig = C.trend_by_cell(Q.cell_summary(small, "year", ["2026"]), "t",
                          average=(("2026", 51.0),))
    assert not fig.data                                         # no pile of dots and labels
    note, = notes(fig)
    assert "một kỳ (Năm 2026)" in note


def test_task_lines_differ_in_shape_and_say_what_the_task_is(small):
    df = Q.assignment_facts(small, "month", ["2026-07"], cells=["VPCN"])
    fig = C.trend_by_series(df, "t", "task_code", "task_code", "task_title")
    assert [t.name.split(" ")[0] for t in fig.data] == ["NV2.3", "NV5.1"]  # reported ones only
    assert all(len(t.name) > len("NV2.3 ") for t in fig.data)
    assert len({t.marker.symbol for t in fig.data}) == len(fig.data)
    assert len({t.marker.size for t in fig.data}) == len(fig.data)
    assert fig.layout.margin.t >= 120 + 24 * len(fig.data)      # the legend clears the title


# -- counts ------------------------------------------------------------------------------------

def test_count_axes_step_by_whole_numbers(small):
    counts = Q.status_counts(small, "month", ["2026-07"], cells=["VPCN"])
    assert counts["tasks"].max() <= 3           # where plotly would tick 0, 0.5, 1, ... 3
    status = C.status_distribution(counts, "t")
    assert status.layout.xaxis.dtick == 1 and status.layout.xaxis.tickformat == ",d"
    flows = C.flow_by_task(Q.assignment_facts(small, "month", ["2026-07"]), "activities", "t")
    assert flows.layout.yaxis.dtick == 1 and flows.layout.yaxis.tickformat == ",d"


def test_flow_legend_lists_only_cells_with_figures(small):
    fig = C.flow_by_task(Q.assignment_facts(small, "month", ["2026-07"]), "activities", "t")
    assert [t.name for t in fig.data] == ["Văn phòng - Công nghệ", "Kế hoạch - Khoa học"]


def test_flow_of_many_cells_is_one_bar_of_the_total_per_task(province):
    facts = Q.assignment_facts(province, "month", [MONTH], areas=["NV2"])
    fig = C.flow_by_task(facts, "participants", "t")
    bar, = fig.data
    totals = facts.groupby("task_code")["participants"].sum()
    assert dict(zip(bar.x, bar.y)) == {k: float(v) for k, v in totals.items()}
    assert fig.layout.showlegend is False


# -- the submission grid ---------------------------------------------------------------------

def test_submission_grid_puts_missing_then_late_first_in_pages(province):
    keys = province_db.month_keys()[-12:-1]        # all past their deadline
    matrix = Q.submission_matrix(province, keys, today=date(2027, 1, 1))
    order = C.submission_order(matrix)
    per_cell = matrix.groupby("cell_code")["state"].agg(
        missing=lambda s: (s == ReportTimeliness.MISSING).sum(),
        late=lambda s: (s == ReportTimeliness.LATE).sum())
    ranked = [tuple(per_cell.loc[c]) for c in order]
    assert ranked == sorted(ranked, reverse=True)
    pages = [C.submission_matrix(matrix, "t", page=p) for p in range(C.grid_pages(100))]
    names = matrix.drop_duplicates("cell_code").set_index("cell_code")["short_name"]
    assert [n for fig in pages for n in fig.data[0].y] == [names[c] for c in order]
    assert len(pages[0].data[0].y) == C.GRID_ROWS
    assert "Chi bộ 1–15 trong 100" in notes(pages[0])[0]
    first = pages[0].data[0]
    assert MISSING in first.z[0]
    # 15 x 11 squares: only a missing report is written (each label costs the browser);
    # the day of each report is in the hover.
    assert {t for line in first.text for t in line} == {"Chưa<br>nộp", ""}
    assert all(("Chưa<br>nộp" == t) == (z == MISSING)
               for zs, ts in zip(first.z, first.text) for z, t in zip(zs, ts))
    assert list(first.x) == [f"Tháng {int(k[5:])}/{k[:4]}" for k in keys]
