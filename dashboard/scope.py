"""What a leader is looking at: a period of a grain, its trend window, cells and task areas.

One `Scope` serves the pages (built from the sidebar), the meeting pack and the command
lines, with one way of saying it in words (`describe`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from etl import periods as P
from etl.catalog import Catalog


@dataclass(frozen=True)
class Scope:
    grain: str
    period: str
    history: tuple[str, ...] = ()           # periods for trends, oldest first, ending at `period`
    cells: tuple[str, ...] | None = None    # None = every cell
    areas: tuple[str, ...] | None = None    # None = every task area

    @classmethod
    def of(cls, period_key: str, cells: Sequence[str] | None = None,
           areas: Sequence[str] | None = None) -> "Scope":
        """A period (any grain) with optional cells and areas; a trend of just that period."""
        period = P.from_key(period_key)
        return cls(period.grain, period.key, (period.key,), _codes(cells), _codes(areas))

    @property
    def label(self) -> str:
        return P.period_label(self.period)

    @property
    def cell_list(self) -> list[str] | None:
        return list(self.cells) if self.cells else None

    @property
    def area_list(self) -> list[str] | None:
        return list(self.areas) if self.areas else None

    def previous(self) -> str:
        return P.previous(self.period)

    def span(self) -> tuple:
        """(first day, last day) of what the scope shows: its trend window to its period."""
        first = self.history[0] if self.history else self.period
        return P.from_key(first).start, P.from_key(self.period).end

    def query_args(self) -> dict:
        """The filters every roll-up query takes, for this one period."""
        return dict(periods=[self.period], cells=self.cell_list, areas=self.area_list)

    def describe(self, catalog: Catalog) -> str:
        """`Quý III/2026 · Chi bộ: tất cả · Nhiệm vụ trọng tâm: Tuyên truyền, Chuyển đổi số`."""
        cells = _names([catalog.cell(c).short_name for c in self.cells or ()], "chi bộ")
        areas = _names([catalog.area(a).short_name for a in self.areas or ()], "nhiệm vụ")
        return f"{self.label} · Chi bộ: {cells} · Nhiệm vụ trọng tâm: {areas}"


NAMES_SHOWN = 4   # more than this many chosen: say how many, not every name


def _names(names: list[str], noun: str) -> str:
    if not names:
        return "tất cả"
    if len(names) > NAMES_SHOWN:
        return f"{len(names)} {noun} đã chọn"
    return ", ".join(names)


def _codes(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """None (everything) for no filter; the codes as given otherwise."""
    values = tuple(str(v).strip() for v in (values or ()) if str(v).strip())
    return values or None
