"""Báo cáo kết quả: the Party Committee's written report on the plan, drafted from the figures.

- content.py: what the report states, gathered from dashboard.queries (`gather`);
- draft.py: the Vietnamese text, written deterministically from it (`draft`, `plain_text`);
- docx.py: the Word document in the Party's format (Hướng dẫn 36-HD/VPTW);
- template.py: the template whose styles the office restyles in Word;
- figures.py: the overview charts for the annex (optional; needs the chart renderer).

`export_report()` is the use case the page and the command line call (permission, the
document, the audit row); `make_report()` makes the document. See docs/REPORT.md.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from dashboard.report import content as _content
from dashboard.report import docx as _docx
from dashboard.report.content import ReportContent, gather
from dashboard.report.draft import Draft, Heading, compose, plain_text, scope_text
from dashboard.report.template import TemplateError, template_bytes
from etl import usecases
from etl.store import Store
from etl.users import User
from etl.vocab import Permission

log = logging.getLogger(__name__)

MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

__all__ = ["MIME", "Draft", "Heading", "Report", "ReportContent", "TemplateError", "compose",
           "export_report", "gather", "make_report", "plain_text", "scope_text", "template_bytes"]


@dataclass(frozen=True)
class Report:
    content: ReportContent
    draft: Draft
    data: bytes

    @property
    def file_name(self) -> str:
        return self.draft.file_name

    @property
    def scope_text(self) -> str:
        return scope_text(self.content)


def export_report(store: Store, actor: User, period_key: str,
                  cells: Sequence[str] | None = None, areas: Sequence[str] | None = None,
                  heading: Heading | None = None, charts: bool = False) -> Report:
    """The use case: may this user export, then the document, then the audit row."""
    usecases.authorize(actor, Permission.EXPORT)
    made = make_report(store, period_key, cells, areas, heading, charts=charts)
    usecases.record_export(store, actor, made.file_name, made.scope_text)
    return made


def make_report(store: Store, period_key: str, cells: Sequence[str] | None = None,
                areas: Sequence[str] | None = None, heading: Heading | None = None,
                charts: bool = False, today: date | None = None) -> Report:
    """The report for a period and scope, as a .docx; with `charts`, the overview charts
    in the annex (needs a browser: render.RenderUnavailable otherwise)."""
    found = _content.gather(store, period_key, cells, areas, today)
    text = compose(found, heading)
    figures = []
    if charts and found.has_reports:
        from dashboard.report import figures as _figures
        figures = _figures.overview(store, found)
    data = _docx.write(text, figures, store.settings.report_template_path)
    log.info("report %s written (%d bytes, %d charts)", text.file_name, len(data), len(figures))
    return Report(found, text, data)
