"""A chart downloaded as PDF is named by its own title in a PDF reader, not "Kaleido-fier"
(the page kaleido prints from)."""
from __future__ import annotations

import io
from datetime import date

import plotly.graph_objects as go
from pypdf import PdfReader

from dashboard import render

TITLE = "Tỷ lệ hoàn thành theo chi bộ"
SCOPE = "Quý III/2026 · Chi bộ: tất cả · Nhiệm vụ trọng tâm: tất cả"


def test_a_chart_pdf_carries_the_chart_title_and_scope():
    fig = go.Figure(go.Bar(y=["Văn phòng - Công nghệ"], x=[85.5], orientation="h"))
    pdf = render.snapshot(fig, "pdf", TITLE, SCOPE, date(2026, 11, 27))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == TITLE
    assert reader.metadata.subject == SCOPE
    assert "Kaleido" not in str(reader.metadata)
    assert len(reader.pages) == 1
    assert TITLE in reader.pages[0].extract_text()   # the page itself is untouched
