"""Server-side chart images: real kaleido on Debian's Chromium, real files checked."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageStat

from dashboard import render

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TITLE = "Tỷ lệ hoàn thành theo chi bộ - Quý III/2026"
SCOPE = "Quý III/2026 · Chi bộ: Trung tâm KH&CN · Nhiệm vụ trọng tâm: tất cả"
DATA_DATE = date(2026, 11, 27)


def bar_figure(title: str = "bản gốc") -> go.Figure:
    fig = go.Figure(go.Bar(y=["Văn phòng - Công nghệ", "Trung tâm KH&CN"], x=[85.5, 40],
                           orientation="h", text=["85,5%", "40%"],
                           marker={"color": ["#0072B2", "#009E73"]}))
    fig.update_layout(title={"text": title}, height=400, margin={"t": 80, "b": 40})
    return fig


def svg_text(svg: bytes) -> str:
    root = ET.fromstring(svg)  # also proves the SVG is well-formed XML
    return " ".join("".join(el.itertext()) for el in root.iter()
                    if el.tag.endswith("text"))


def test_png_is_16_9_at_scale_2_and_not_blank():
    png = render.snapshot(bar_figure(), "png", TITLE, SCOPE, DATA_DATE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (3200, 1800)
    gray = image.convert("L")
    assert ImageStat.Stat(gray).stddev[0] > 20, "the image is (nearly) one flat color"
    # the bars are drawn in the cells' colors, not only text on white
    colors = {rgb for _, rgb in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert (0x00, 0x72, 0xB2) in colors and (0x00, 0x9E, 0x73) in colors


def test_svg_carries_title_scope_and_footer_in_vietnamese():
    svg = render.snapshot(bar_figure(), "svg", TITLE, SCOPE, DATA_DATE)
    text = svg_text(svg)
    assert TITLE in text
    assert SCOPE in text          # "&" printed as typed, not eaten as markup
    assert "Nguồn: báo cáo của các chi bộ; số liệu đến 27/11/2026" in text
    assert "bản gốc" not in text  # the snapshot's title replaces the on-screen one


def test_pdf_is_a_pdf():
    pdf = render.snapshot(bar_figure(), "pdf", TITLE, SCOPE, DATA_DATE)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"/Type /Page" in pdf or b"/Type/Page" in pdf


def test_sample_mark_sits_in_the_footer_only_when_asked():
    marked = render.decorate(bar_figure(), TITLE, SCOPE, DATA_DATE, sample=True)
    mark = [a for a in marked.layout.annotations if a.name == render.SAMPLE_MARK_NAME]
    assert len(mark) == 1 and render.SAMPLE_MARK_TEXT in mark[0].text
    assert (mark[0].x, mark[0].xanchor, mark[0].yref) == (1, "right", "paper")
    assert mark[0].y < 0                                  # below the plot: the footer
    plain = render.decorate(bar_figure(), TITLE, SCOPE, DATA_DATE)
    assert not [a for a in plain.layout.annotations if a.name == render.SAMPLE_MARK_NAME]


def test_sample_mark_is_drawn_in_the_images_footer():
    with_mark = Image.open(io.BytesIO(render.snapshot(bar_figure(), "png", TITLE, SCOPE,
                                                      DATA_DATE, sample=True))).convert("RGB")
    without = Image.open(io.BytesIO(render.snapshot(bar_figure(), "png", TITLE, SCOPE,
                                                    DATA_DATE))).convert("RGB")
    footer = (1600, 1600, 3200, 1800)                      # bottom right, below the plot
    red = lambda im: sum(n for n, (r, g, b) in im.crop(footer).getcolors(1 << 20)  # noqa: E731
                         if r > 150 and g < 60 and b < 60)
    assert red(with_mark) > 500 and red(without) == 0
    assert with_mark.crop((0, 0, 3200, 1500)).tobytes() == without.crop((0, 0, 3200, 1500)).tobytes()
    svg = svg_text(render.snapshot(bar_figure(), "svg", TITLE, SCOPE, DATA_DATE, sample=True))
    assert render.SAMPLE_MARK_TEXT in svg


def test_callers_figure_is_not_changed():
    fig = bar_figure()
    before = fig.to_json()
    render.snapshot(fig, "svg", TITLE, SCOPE, DATA_DATE)
    assert fig.to_json() == before


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Định dạng"):
        render.snapshot(bar_figure(), "gif", TITLE, SCOPE, DATA_DATE)


def test_concurrent_renders_each_get_their_own_image():
    """Streamlit serves sessions on threads: without the lock they swapped images."""
    titles = [f"Biểu đồ số {i} của phiên {i}" for i in range(6)]
    results: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def work(title: str) -> None:
        try:
            results[title] = render.snapshot(bar_figure(), "svg", title, SCOPE, DATA_DATE)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in titles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    for title in titles:
        assert title in svg_text(results[title])


def test_warm_render_is_fast():
    """One browser for the process: a warm image costs well under a browser start."""
    render.snapshot(bar_figure(), "png", TITLE, SCOPE, DATA_DATE)
    started = time.perf_counter()
    render.snapshot(bar_figure(), "png", TITLE, SCOPE, DATA_DATE)
    assert time.perf_counter() - started < 1.5


def _without_browser_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PROGRESS_DB"}
    # A wrong BROWSER_PATH is what the user asked for: it must not fall back, nor hang.
    env["BROWSER_PATH"] = "/nonexistent/chromium"
    env["PATH"] = os.path.dirname(sys.executable)   # no chromium on PATH either
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    return env


def test_without_browser_the_message_comes_quickly():
    code = ("import plotly.graph_objects as go\n"
            "from dashboard import render\n"
            "try:\n"
            "    render.snapshot(go.Figure(go.Bar(y=[1])), 'png', 't', 's', None)\n"
            "except render.RenderUnavailable as exc:\n"
            "    print(exc)\n"
            "    raise SystemExit(3)\n")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT,
                          env=_without_browser_env(), capture_output=True, text=True,
                          encoding="utf-8", timeout=60)
    assert done.returncode == 3, done.stderr
    assert time.perf_counter() - started < 20
    assert "Chromium" in done.stdout and "apt-get install chromium" in done.stdout
    assert "BROWSER_PATH" in done.stdout


def test_find_browser_honours_browser_path(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    assert render.find_browser() is None
    with pytest.raises(render.RenderUnavailable):
        render.require_browser()
    monkeypatch.setenv("BROWSER_PATH", str(render.DEBIAN_CHROMIUM))
    assert render.find_browser() == str(render.DEBIAN_CHROMIUM)


# -- the buttons under every chart (dashboard.ui_export, driven through the app) ----------

def _overview(tmp_path, monkeypatch, browser_path: str | None, user=None):
    from streamlit.testing.v1 import AppTest
    from dashboard_db import build_db, row, sub
    from signin import OFFICE, as_user
    db = build_db(tmp_path / "t.duckdb", [sub("VPCN", "2026-07", [row("NV2.3", "done", 100)],
                                             report_date=date(2026, 8, 3))])
    monkeypatch.setenv("PROGRESS_DB", str(db))
    if browser_path:
        monkeypatch.setenv("BROWSER_PATH", browser_path)
    at = as_user(AppTest.from_file("../app.py", default_timeout=60), user or OFFICE)
    at.run()
    assert not at.exception
    return at


def _cameras(at) -> list[bool]:
    """Per chart: whether Plotly's own camera (an unaudited PNG) is in its toolbar."""
    import json
    return ["toImage" not in json.loads(c.proto.config).get("modeBarButtonsToRemove", [])
            for c in at.get("plotly_chart")]


def test_a_role_that_may_not_export_gets_no_image_button(tmp_path, monkeypatch):
    from etl.users import User
    from etl.vocab import UserRole
    at = _overview(tmp_path, monkeypatch, None, User("bithu", "Bí thư", UserRole.CELL, "VPCN"))
    assert at.get("plotly_chart") and not any(_cameras(at))
    assert not at.get("download_button")


def test_the_camera_is_only_the_fallback_when_the_server_cannot_render(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    at = _overview(tmp_path / "a", monkeypatch, None)       # audited server images instead
    assert not any(_cameras(at))
    at = _overview(tmp_path / "b", monkeypatch, "/nonexistent/chromium")
    assert all(_cameras(at))


def test_every_chart_gets_png_svg_pdf_buttons(tmp_path, monkeypatch):
    at = _overview(tmp_path, monkeypatch, None)
    charts = at.get("plotly_chart")
    labels = [b.proto.label for b in at.get("download_button")]
    assert charts and labels.count("PNG") == labels.count("SVG") == labels.count("PDF") == len(charts)
    assert not [e for e in at.error if "Chromium" in e.value]


def test_without_browser_the_page_says_how_to_fix_it(tmp_path, monkeypatch):
    at = _overview(tmp_path, monkeypatch, "/nonexistent/chromium")
    messages = [e.value for e in at.error]
    assert messages and all("apt-get install chromium" in m for m in messages)
    assert len(messages) == len(at.get("plotly_chart"))
    assert not [b for b in at.get("download_button") if b.proto.label == "PNG"]
