"""Every number the dashboard shows, as DataFrames read from the DuckDB file.

Functions take `(store, filters...)` and return pandas DataFrames. Values are bound
parameters; no value is ever formatted into SQL text. The roll-up of reports to a grain
is the database's macro period_bucket (etl/migrations/003_period_buckets.sql).
Definitions (also the help text on figures):
- completion of a scope in a period = mean completion_pct of the tasks reported in the
  current submissions of that scope (rolled up: each (cell, task)'s latest report);
- reporting completeness = assigned tasks reported / tasks assigned; a cell with no
  report in the period has no completion ("chưa báo cáo"), never 0%;
- roll-up: completion and status are a stock (latest report in the period: latest
  period_end, then latest loaded_at); activities, participants, posts are a flow
  (summed over the period's reports, a report contained in a bigger one of the same cell
  not counted twice).
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from etl import periods as P
from etl.store import Store
from etl.vocab import Grain, ReportTimeliness

SQL_DIR = Path(__file__).resolve().parent / "sql"


@lru_cache(maxsize=None)
def _sql_file(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _facts_sql(select: str) -> str:
    """The roll-up CTEs of facts.sql, then the query that reads them."""
    return _sql_file("facts.sql") + "\n" + select


def _plan_code(con, store: Store) -> str | None:
    """The catalog's plan when the database has it, else the only plan there."""
    row = con.execute("SELECT plan_code FROM plans ORDER BY (plan_code = ?) DESC, plan_code "
                      "LIMIT 1", [store.catalog.plan.code]).fetchone()
    return row[0] if row else None


def _run(store: Store, sql: str, params: dict | None = None) -> pd.DataFrame:
    with store.read() as con:
        params = dict(params or {})
        if "$plan" in sql:
            params["plan"] = _plan_code(con, store)
        return con.execute(sql, params).df()


def _scope(grain, periods, cells, areas) -> dict:
    as_list = lambda v: None if v is None else [str(x) for x in v]  # noqa: E731
    if isinstance(periods, str):
        periods = [periods]
    scope = {"periods": as_list(periods), "cells": as_list(cells), "areas": as_list(areas)}
    if grain is not None:
        scope["grain"] = Grain(grain).value   # ValueError for an unknown grain
    return scope


# -- catalog -----------------------------------------------------------------------------

def plan_info(store: Store) -> dict:
    df = _run(store, "SELECT * FROM plans WHERE plan_code = $plan")
    return df.iloc[0].to_dict() if len(df) else {}


def cells(store: Store) -> pd.DataFrame:
    """cell_code, cell_name, short_name, color, supervisor, sort_order."""
    return _run(store, "SELECT cell_code, cell_name, short_name, color, supervisor, sort_order "
                         "FROM cells WHERE plan_code = $plan ORDER BY sort_order")


def areas(store: Store) -> pd.DataFrame:
    return _run(store, "SELECT area_code, area_name, short_name, sort_order FROM areas "
                         "WHERE plan_code = $plan ORDER BY sort_order")


def tasks(store: Store) -> pd.DataFrame:
    return _run(store, "SELECT task_code, area_code, task_title, sort_order FROM tasks "
                         "WHERE plan_code = $plan ORDER BY sort_order")


# -- what is loaded -------------------------------------------------------------------

def period_keys(store: Store, grain: str) -> list[str]:
    """Periods of `grain` holding at least one current submission, oldest first."""
    keys = _run(store, """
        SELECT DISTINCT period_bucket($grain, period_grain, period_start, period_end) AS period
        FROM submissions WHERE state = 'current' AND plan_code = $plan""",
        {"grain": Grain(grain).value})["period"]
    return sorted((k for k in keys if isinstance(k, str)), key=lambda k: P.from_key(k).start)


def data_status(store: Store) -> dict:
    """submissions (current), data_date (latest report date; a report that gives none
    counts with its load date), data_date_from_load (that latest date is a load date),
    is_sample (any sample loaded)."""
    df = _run(store, """
        SELECT count(*) AS submissions,
               max(coalesce(report_date, CAST(loaded_at AS DATE))) AS data_date,
               max(report_date) AS latest_report_date,
               coalesce(bool_or(is_sample), false) AS is_sample
        FROM submissions WHERE state = 'current' AND plan_code = $plan""")
    row = df.iloc[0]
    data_date, latest = _day(row["data_date"]), _day(row["latest_report_date"])
    return {"submissions": int(row["submissions"]), "data_date": data_date,
            "data_date_from_load": data_date is not None and (latest is None or latest < data_date),
            "is_sample": bool(row["is_sample"])}


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


# -- rolled-up progress -------------------------------------------------------------------

def facts(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """One row per (period, cell, task) reported: stock and flow columns, names attached."""
    return _run(store, _facts_sql("""
        SELECT f.*, c.short_name AS cell_short, c.cell_name, t.task_title,
               ar.short_name AS area_short, ar.area_name
        FROM facts f
        LEFT JOIN cells c ON c.plan_code = $plan AND c.cell_code = f.cell_code
        LEFT JOIN tasks t ON t.plan_code = $plan AND t.task_code = f.task_code
        LEFT JOIN areas ar ON ar.plan_code = $plan AND ar.area_code = f.area_code
        ORDER BY f.period, c.sort_order, t.sort_order"""), _scope(grain, periods, cells, areas))


def cell_summary(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """Per (period, cell in scope): completion (NULL when nothing reported), has_report,
    not_assigned (no task assigned nor reported in the scope: never "chưa báo cáo"),
    tasks_reported (assigned ones), tasks_assigned, tasks_done, tasks_delayed."""
    return _run(store, _facts_sql("""
        SELECT p.period, c.cell_code, c.cell_name, c.short_name, c.color, c.sort_order,
               (rc.cell_code IS NOT NULL) AS has_report,
               NOT EXISTS (SELECT 1 FROM expected_cells e WHERE e.period = p.period
                           AND e.cell_code = c.cell_code) AS not_assigned,
               avg(f.completion_pct) AS completion,
               count(f.task_code) FILTER (WHERE f.role IS NOT NULL) AS tasks_reported,
               (SELECT count(*) FROM assigned a WHERE a.cell_code = c.cell_code) AS tasks_assigned,
               count(f.task_code) FILTER (WHERE f.status = 'done') AS tasks_done,
               count(f.task_code) FILTER (WHERE f.status = 'delayed') AS tasks_delayed
        FROM periods p CROSS JOIN scope_cells c
        LEFT JOIN reported_cells rc ON rc.bucket = p.period AND rc.cell_code = c.cell_code
        LEFT JOIN facts f ON f.period = p.period AND f.cell_code = c.cell_code
        GROUP BY ALL
        ORDER BY p.period, c.sort_order"""), _scope(grain, periods, cells, areas))


def area_summary(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """Per (period, task area in scope): completion over all reported (cell, task) rows;
    not_assigned: no cell of the scope has (or reported) a task of the area."""
    return _run(store, _facts_sql("""
        SELECT p.period, ar.area_code, ar.area_name, ar.short_name, ar.sort_order,
               NOT EXISTS (SELECT 1 FROM expected_areas e WHERE e.period = p.period
                           AND e.area_code = ar.area_code) AS not_assigned,
               avg(f.completion_pct) AS completion,
               count(f.task_code) FILTER (WHERE f.role IS NOT NULL) AS tasks_reported,
               (SELECT count(*) FROM assigned a WHERE a.area_code = ar.area_code) AS tasks_assigned,
               count(f.task_code) FILTER (WHERE f.status = 'done') AS tasks_done,
               count(f.task_code) FILTER (WHERE f.status = 'delayed') AS tasks_delayed
        FROM periods p CROSS JOIN scope_areas ar
        LEFT JOIN facts f ON f.period = p.period AND f.area_code = ar.area_code
        GROUP BY ALL
        ORDER BY p.period, ar.sort_order"""), _scope(grain, periods, cells, areas))


def cell_area_summary(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """Per (period, cell, area): completion, has_report (the cell sent a report in the
    period), tasks_assigned (0: the cell has no task in that area)."""
    return _run(store, _facts_sql("""
        SELECT p.period, c.cell_code, c.short_name AS cell_short, c.cell_name, c.sort_order AS cell_order,
               ar.area_code, ar.short_name AS area_short, ar.area_name, ar.sort_order AS area_order,
               (rc.cell_code IS NOT NULL) AS has_report,
               avg(f.completion_pct) AS completion,
               count(f.task_code) AS tasks_reported,
               (SELECT count(*) FROM assigned a
                 WHERE a.cell_code = c.cell_code AND a.area_code = ar.area_code) AS tasks_assigned
        FROM periods p CROSS JOIN scope_cells c CROSS JOIN scope_areas ar
        LEFT JOIN reported_cells rc ON rc.bucket = p.period AND rc.cell_code = c.cell_code
        LEFT JOIN facts f ON f.period = p.period AND f.cell_code = c.cell_code
                         AND f.area_code = ar.area_code
        GROUP BY ALL
        ORDER BY p.period, c.sort_order, ar.sort_order"""), _scope(grain, periods, cells, areas))


def assignment_facts(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """Per (period, cell, task) assigned or reported: the role (NULL: reported without an
    assignment), has_report of the cell, and the rolled-up values (NULL: not reported)."""
    return _run(store, _facts_sql("""
        , pairs AS (
            SELECT p.period, a.cell_code, a.task_code FROM periods p CROSS JOIN assigned a
            UNION
            SELECT period, cell_code, task_code FROM facts
        )
        SELECT x.period, x.cell_code, c.short_name AS cell_short, c.cell_name, c.color,
               x.task_code, t.task_title, t.area_code, ar.short_name AS area_short,
               asg.role, (rc.cell_code IS NOT NULL) AS has_report,
               f.status, f.completion_pct, f.activities, f.participants, f.posts,
               f.result, f.obstacles, f.proposals, f.evidence, f.source_period
        FROM pairs x
        JOIN cells c ON c.plan_code = $plan AND c.cell_code = x.cell_code
        JOIN tasks t ON t.plan_code = $plan AND t.task_code = x.task_code
        LEFT JOIN areas ar ON ar.plan_code = $plan AND ar.area_code = t.area_code
        LEFT JOIN assignments asg ON asg.plan_code = $plan AND asg.cell_code = x.cell_code
                                 AND asg.task_code = x.task_code
        LEFT JOIN reported_cells rc ON rc.bucket = x.period AND rc.cell_code = x.cell_code
        LEFT JOIN facts f ON f.period = x.period AND f.cell_code = x.cell_code
                         AND f.task_code = x.task_code
        ORDER BY x.period, c.sort_order, t.sort_order"""),
        _scope(grain, periods, cells, areas))


def overall(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """Per period, the KPI figures of the whole scope: completion, tasks_done,
    tasks_assigned (cell x task pairs), plan_tasks (the plan's tasks among them),
    tasks_reported, cells_reported, cells_total (the cells with a task in the scope: a
    cell with none is neither reported nor missing), cells_not_assigned, tasks_delayed,
    activities, participants, posts, source_periods (the periods of the reports the
    figures come from: a quarter's are its months)."""
    return _run(store, _facts_sql("""
        SELECT p.period,
               (SELECT avg(completion_pct) FROM facts f WHERE f.period = p.period) AS completion,
               (SELECT count(*) FROM facts f WHERE f.period = p.period AND f.status = 'done'
                  AND f.role IS NOT NULL) AS tasks_done,
               (SELECT count(*) FROM assigned) AS tasks_assigned,
               (SELECT count(DISTINCT task_code) FROM assigned) AS plan_tasks,
               (SELECT count(*) FROM facts f WHERE f.period = p.period
                  AND f.role IS NOT NULL) AS tasks_reported,
               (SELECT count(*) FROM reported_cells r JOIN expected_cells e
                  ON e.period = r.bucket AND e.cell_code = r.cell_code
                 WHERE r.bucket = p.period) AS cells_reported,
               (SELECT count(*) FROM expected_cells e WHERE e.period = p.period) AS cells_total,
               (SELECT count(*) FROM scope_cells)
                 - (SELECT count(*) FROM expected_cells e WHERE e.period = p.period)
                 AS cells_not_assigned,
               (SELECT count(*) FROM facts f WHERE f.period = p.period
                  AND f.status = 'delayed') AS tasks_delayed,
               (SELECT sum(activities) FROM facts f WHERE f.period = p.period) AS activities,
               (SELECT sum(participants) FROM facts f WHERE f.period = p.period) AS participants,
               (SELECT sum(posts) FROM facts f WHERE f.period = p.period) AS posts,
               (SELECT list(DISTINCT source_period) FROM facts f
                 WHERE f.period = p.period) AS source_periods
        FROM periods p
        ORDER BY p.period"""), _scope(grain, periods, cells, areas))


def comparison(store: Store, grain: str, period: str, previous: str, cells=None,
               areas=None) -> dict:
    """Completion of `period` against `previous`, like with like: over the cells with
    figures in both (completion_now, completion_before; None when no cell has both),
    and the cells with figures in one period only (only_now, only_before: short names)."""
    df = _run(store, _facts_sql("""
        , per_cell AS (
            SELECT period, cell_code, sum(completion_pct) AS total, count(completion_pct) AS n
            FROM facts WHERE completion_pct IS NOT NULL GROUP BY ALL
        ), both_periods AS (
            SELECT cell_code FROM per_cell GROUP BY cell_code HAVING count(*) = 2
        ), named AS (
            SELECT p.*, c.short_name, c.sort_order,
                   p.cell_code IN (SELECT cell_code FROM both_periods) AS in_both
            FROM per_cell p JOIN scope_cells c USING (cell_code)
        )
        SELECT
            (SELECT sum(total) / sum(n) FROM named WHERE in_both AND period = $now) AS completion_now,
            (SELECT sum(total) / sum(n) FROM named WHERE in_both AND period = $before)
                AS completion_before,
            (SELECT count(*) FROM both_periods) AS cells_in_both,
            (SELECT list(short_name ORDER BY sort_order) FROM named
              WHERE NOT in_both AND period = $now) AS only_now,
            (SELECT list(short_name ORDER BY sort_order) FROM named
              WHERE NOT in_both AND period = $before) AS only_before"""),
        {**_scope(grain, [period, previous], cells, areas), "now": period, "before": previous})
    row = df.iloc[0]
    return {"completion_now": _float(row["completion_now"]),
            "completion_before": _float(row["completion_before"]),
            "cells_in_both": int(row["cells_in_both"]),
            "only_now": _texts(row["only_now"]), "only_before": _texts(row["only_before"])}


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _texts(value) -> list[str]:
    """A SQL list as Python strings; NULL (no rows) as []."""
    return [str(x) for x in value] if pd.api.types.is_list_like(value) else []


def status_counts(store: Store, grain: str, periods=None, cells=None, areas=None) -> pd.DataFrame:
    """Per (period, status): number of (cell, task) rows, plus the assigned tasks of the
    scope with no report in the period as status NULL (chưa báo cáo)."""
    return _run(store, _facts_sql("""
        SELECT p.period, f.status, count(*) AS tasks
        FROM periods p JOIN facts f ON f.period = p.period
        GROUP BY ALL
        UNION ALL
        SELECT p.period, NULL AS status, count(*) AS tasks
        FROM periods p CROSS JOIN assigned a
        WHERE NOT EXISTS (SELECT 1 FROM facts f WHERE f.period = p.period
                            AND f.cell_code = a.cell_code AND f.task_code = a.task_code)
        GROUP BY ALL
        ORDER BY 1, 2"""), _scope(grain, periods, cells, areas))


# -- obstacles --------------------------------------------------------------------------

_LATEST_STATUS = """
    latest_status AS (
        SELECT cell_code, task_code, status FROM (
            SELECT cell_code, task_code, status, row_number() OVER (
                PARTITION BY cell_code, task_code
                ORDER BY period_end DESC, loaded_at DESC, submission_id DESC) AS rn
            FROM v_progress
            WHERE plan_code = $plan AND ($as_of::DATE IS NULL OR period_end <= $as_of::DATE))
        WHERE rn = 1)"""


def obstacle_log(store: Store, cells=None, areas=None, periods=None, search: str = "",
                 as_of: date | None = None) -> pd.DataFrame:
    """Every reported obstacle or proposal, newest first. `is_open`: the task is still
    delayed in the cell's latest report of it (up to `as_of`, a date; None = all).
    `report_date` is the load date when the report gives none (`date_from_load`)."""
    params = _scope(None, periods, cells, areas)
    params.update(search=f"%{search.strip()}%" if search and search.strip() else None,
                  as_of=as_of)
    return _run(store, f"""
        WITH {_LATEST_STATUS}
        SELECT v.period, v.period_end,
               coalesce(v.report_date, CAST(v.loaded_at AS DATE)) AS report_date,
               v.report_date IS NULL AS date_from_load, v.cell_code, c.short_name AS cell_short,
               v.cell_name, v.task_code, v.task_title, v.area_code, v.status,
               v.obstacles, v.proposals, v.submission_id,
               coalesce(ls.status = 'delayed', false) AS is_open
        FROM v_progress v
        LEFT JOIN cells c ON c.plan_code = v.plan_code AND c.cell_code = v.cell_code
        LEFT JOIN latest_status ls ON ls.cell_code = v.cell_code AND ls.task_code = v.task_code
        WHERE v.plan_code = $plan
          AND (nullif(trim(v.obstacles), '') IS NOT NULL OR nullif(trim(v.proposals), '') IS NOT NULL)
          AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], v.cell_code))
          AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], v.area_code))
          AND ($periods::VARCHAR[] IS NULL OR list_contains($periods::VARCHAR[], v.period))
          AND ($as_of::DATE IS NULL OR v.period_end <= $as_of::DATE)
          AND ($search::VARCHAR IS NULL
               OR strip_accents(lower(concat_ws(' ', v.obstacles, v.proposals, v.task_code,
                                                v.task_title, v.cell_name)))
                  LIKE strip_accents(lower($search::VARCHAR)))
        ORDER BY v.period_end DESC, v.loaded_at DESC, c.sort_order, v.task_code""", params)


def open_obstacle_count(store: Store, as_of: date | None, cells=None, areas=None) -> int:
    """(cell, task) pairs that raised an obstacle and are still delayed in their latest
    report up to `as_of`."""
    log = obstacle_log(store, cells=cells, areas=areas, as_of=as_of)
    raised = log[log["obstacles"].fillna("").str.strip() != ""]
    return int(raised.loc[raised["is_open"], ["cell_code", "task_code"]].drop_duplicates().shape[0])


# -- reporting discipline -------------------------------------------------------------------



def submission_matrix(store: Store, period_keys_: list[str], cells=None,
                      deadline_day: int | None = None, today: date | None = None) -> pd.DataFrame:
    """Per (cell, period key): the current submission for exactly that period, its
    report date (fallback: the load date, then `date_from_load`), the deadline and a
    state: on_time | late | missing | not_due (no report yet, deadline not passed)."""
    today = today or date.today()
    day = deadline_day or int(plan_info(store).get("report_deadline_day") or 5)
    subs = _run(store, """
        SELECT cell_code, period, submission_id,
               coalesce(report_date, CAST(loaded_at AS DATE)) AS report_date,
               report_date IS NULL AS date_from_load
        FROM submissions
        WHERE state = 'current' AND plan_code = $plan
          AND list_contains($periods::VARCHAR[], period)
          AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], cell_code))""",
        {k: v for k, v in _scope(None, list(period_keys_), cells, None).items() if k != "areas"})
    cell_df = cells_in_scope(store, cells)
    grid = cell_df.merge(pd.DataFrame({"period": list(period_keys_)}), how="cross")
    grid = grid.merge(subs, on=["cell_code", "period"], how="left")
    grid["deadline"] = [P.deadline(k, day) for k in grid["period"]]
    grid["report_date"] = [_day(d) for d in grid["report_date"]]
    grid["date_from_load"] = grid["date_from_load"].fillna(False).astype(bool)
    grid["state"] = [_report_state(r, d, today) for r, d in zip(grid["report_date"], grid["deadline"])]
    return grid


def _report_state(report_date: date | None, deadline: date, today: date) -> ReportTimeliness:
    if report_date is None:
        return ReportTimeliness.MISSING if today > deadline else ReportTimeliness.NOT_DUE
    return ReportTimeliness.ON_TIME if report_date <= deadline else ReportTimeliness.LATE


def cells_in_scope(store: Store, cells_=None) -> pd.DataFrame:
    df = cells(store)
    return df if cells_ is None else df[df["cell_code"].isin(list(cells_))].reset_index(drop=True)


def progress_rows_within(store: Store, start, end, cells=None, areas=None) -> pd.DataFrame:
    """The v_progress rows (current submissions) whose period lies inside [start, end]."""
    return _run(store, """
        SELECT * FROM v_progress
        WHERE period_start >= $start AND period_end <= $end
          AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], cell_code))
          AND ($areas::VARCHAR[] IS NULL OR list_contains($areas::VARCHAR[], area_code))
        ORDER BY period_start, cell_code, task_code""",
        {"start": start, "end": end, "cells": cells, "areas": areas})


def sample_within(store: Store, start, end, cells=None) -> bool:
    """Whether any current submission whose period lies inside [start, end] (of these
    cells) is sample data: what a document made from that scope must say of itself."""
    df = _run(store, """
        SELECT coalesce(bool_or(is_sample), false) AS is_sample FROM submissions
        WHERE state = 'current' AND plan_code = $plan
          AND period_start >= $start AND period_end <= $end
          AND ($cells::VARCHAR[] IS NULL OR list_contains($cells::VARCHAR[], cell_code))""",
        {"start": start, "end": end, "cells": cells})
    return bool(df.iloc[0]["is_sample"])
