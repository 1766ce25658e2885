"""The headline figures (KPI tiles) of a scope, shared by the overview page and the pack.

Pure: query rows in, tiles out (label, value, change, how it is computed).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import fmt
from dashboard.definitions import DEFINITIONS, HELP_COMPLETION


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | int | None = None     # st.metric's delta: "+3,5 điểm %", 0, or None
    help: str = ""


def _count(value) -> str:
    return fmt.number(0 if pd.isna(value) else value)


def completion_change(now: pd.Series, before: pd.Series) -> str | int | None:
    """The change in completion against the previous period, in points; None when
    either period has no figure."""
    if pd.isna(now["completion"]) or pd.isna(before["completion"]):
        return None
    change = now["completion"] - before["completion"]
    return fmt.signed_pct_points(change) if round(change, 1) else 0


def overview_tiles(now: pd.Series, before: pd.Series, open_obstacles: int,
                   previous_label: str) -> list[Tile]:
    """The five tiles on top of Tổng quan (rows of queries.overall, this period and the
    one before)."""
    return [
        Tile("Tỷ lệ hoàn thành", fmt.pct_or_no_report(now["completion"]),
             completion_change(now, before), HELP_COMPLETION + f"\n\nSo với {previous_label}."),
        Tile("Nhiệm vụ hoàn thành", f"{_count(now['tasks_done'])}/{_count(now['tasks_assigned'])}",
             help="Số lượt nhiệm vụ (chi bộ × nhiệm vụ) ở trạng thái Hoàn thành / số được giao."),
        Tile("Chi bộ đã báo cáo", f"{_count(now['cells_reported'])}/{_count(now['cells_total'])}",
             help=DEFINITIONS["completeness"]),
        Tile("Nhiệm vụ chậm tiến độ", _count(now["tasks_delayed"]),
             help="Số lượt nhiệm vụ ở trạng thái Chậm tiến độ trong kỳ."),
        Tile("Khó khăn chưa giải quyết", fmt.number(open_obstacles),
             help=DEFINITIONS["open_obstacle"]),
    ]


def pack_tiles(now: pd.Series | None) -> list[Tile]:
    """The six tiles of the pack's overview slide (a row of queries.overall)."""
    if now is None:
        return [Tile("Tỷ lệ hoàn thành bình quân", fmt.pct_or_no_report(None))]
    return [
        Tile("Tỷ lệ hoàn thành bình quân", fmt.pct_or_no_report(now["completion"])),
        Tile("Nhiệm vụ đã hoàn thành / được giao",
             f"{_count(now['tasks_done'])}/{_count(now['tasks_assigned'])}"),
        Tile("Chi bộ đã báo cáo", f"{_count(now['cells_reported'])}/{_count(now['cells_total'])}"),
        Tile("Nhiệm vụ chậm tiến độ", _count(now["tasks_delayed"])),
        Tile("Hoạt động đã tổ chức", _count(now["activities"])),
        Tile("Lượt người tham gia", _count(now["participants"])),
    ]
