"""Server-side chart images (PNG/SVG/PDF) with kaleido 1.x and the machine's Chromium.

One warm kaleido server per process: starting Chrome costs seconds, a render on a
warm server a fraction of one. The sync server is not thread-safe (Streamlit serves
sessions on threads, and threads received each other's images), so every render
holds one lock. With no browser kaleido does not fail, it hangs: find the browser
first and raise a clear Vietnamese message instead.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from datetime import date, datetime
from pathlib import Path

import kaleido
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.fmt import date_vn

log = logging.getLogger(__name__)

FORMATS = ("png", "svg", "pdf")
MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
WIDTH, HEIGHT, PNG_SCALE = 1600, 900, 2
RENDER_TIMEOUT_SECONDS = 60
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
SOURCE_TEXT = "Nguồn: báo cáo của các chi bộ"
# On every export made while a sample report is in its scope (issue 11): images, slides,
# PDF pages, the workbook's first sheet.
SAMPLE_MARK = "DỮ LIỆU MẪU"
SAMPLE_MARK_TEXT = f"{SAMPLE_MARK} – không phải số liệu thật"
SAMPLE_MARK_COLOR = "#C00000"
SAMPLE_MARK_NAME = "Dấu dữ liệu mẫu"   # the annotation's (and the slides' text box's) name
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome")

NO_BROWSER_MESSAGE = (
    "Không tạo được ảnh biểu đồ: máy chủ chưa có trình duyệt Chromium hoặc Chrome. "
    "Cách khắc phục: cài Chromium (ví dụ `apt-get install chromium`), hoặc đặt biến môi "
    "trường BROWSER_PATH trỏ tới tệp chạy của Chrome/Chromium rồi khởi động lại ứng dụng. "
    "Trong lúc chờ, nút máy ảnh ở góc biểu đồ vẫn tải được ảnh PNG.")

# Room (px) added to the chart's own margins: title + scope above, footer below.
_TITLE_BLOCK, _FOOTER_BLOCK = 95, 60
_DEFAULT_MARGIN = dict(t=80, b=40, l=80, r=30)

_lock = threading.Lock()
_started_with: str | None = None


class RenderUnavailable(RuntimeError):
    """No browser to render with: the message says how to fix it."""


def find_browser() -> str | None:
    """BROWSER_PATH if set (even when wrong: the user asked for it), else Debian's
    Chromium, else a Chrome/Chromium on PATH or where kaleido would look."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if _is_executable(env) else None
    if _is_executable(DEBIAN_CHROMIUM):
        return str(DEBIAN_CHROMIUM)
    for name in _BROWSER_NAMES:
        if found := shutil.which(name):
            return found
    return _kaleido_browser()


def _kaleido_browser() -> str | None:
    try:
        from choreographer.browsers.chromium import Chromium
        found = Chromium.find_browser(skip_local=False)
    except Exception:  # best effort: any failure means "no browser"
        log.exception("looking for kaleido's own browser failed")
        return None
    return found if found and _is_executable(found) else None


def _is_executable(path: str | Path) -> bool:
    return Path(path).is_file() and os.access(path, os.X_OK)


def require_browser() -> str:
    browser = find_browser()
    if not browser:
        raise RenderUnavailable(NO_BROWSER_MESSAGE)
    return browser


def _configure_plotly_defaults() -> None:
    # Empty kopts on every call, so the warm server does not warn that they are ignored.
    pio.defaults.mathjax = None
    pio.defaults.plotlyjs = None
    pio.defaults.headers = None
    pio.defaults.default_width = WIDTH
    pio.defaults.default_height = HEIGHT


def _ensure_server() -> None:
    """Start (or restart after a crash) the one warm server. Caller holds _lock."""
    global _started_with
    browser = require_browser()
    server = kaleido._global_server
    alive = server.is_running() and getattr(server, "_thread", None) is not None \
        and server._thread.is_alive()
    if alive and _started_with == browser:
        return
    if server.is_running():
        kaleido.stop_sync_server(silence_warnings=True)
    _configure_plotly_defaults()
    kaleido.start_sync_server(path=browser, mathjax=False, timeout=RENDER_TIMEOUT_SECONDS,
                              silence_warnings=True)
    _started_with = browser


def warm_up() -> None:
    """Start the server now (e.g. before a pack) so the first image is not the slow one."""
    with _lock:
        _ensure_server()


def render_figure(fig: go.Figure, fmt: str) -> bytes:
    """The figure as it is, at 1600x900 (PNG at scale 2), on the warm server."""
    if fmt not in FORMATS:
        raise ValueError(f"Định dạng ảnh không hỗ trợ: {fmt!r} (chỉ {', '.join(FORMATS)})")
    scale = PNG_SCALE if fmt == "png" else 1
    with _lock:
        _ensure_server()
        return pio.to_image(fig, format=fmt, width=WIDTH, height=HEIGHT, scale=scale)


def footer_text(data_date: date | datetime | str | None) -> str:
    shown = data_date if isinstance(data_date, str) else date_vn(data_date)
    return f"{SOURCE_TEXT}; số liệu đến {shown}"


def decorate(fig: go.Figure, title: str, scope_text: str,
             data_date: date | datetime | str | None, sample: bool = False) -> go.Figure:
    """A copy of the figure that carries its title, scope and source footer, and, when
    `sample`, the sample-data mark at the footer's right end."""
    out = go.Figure(fig)  # deep copy: the caller's figure stays as it is
    margin = _margins(out)
    plot_height = HEIGHT - margin["t"] - margin["b"]
    footer_y = -(margin["b"] - 14) / plot_height  # 14 px above the bottom edge
    out.update_layout(
        width=WIDTH, height=HEIGHT, margin=margin, paper_bgcolor="white",
        font=dict(family=FONT_FAMILY),
        title=dict(text=f"<b>{_escape(title)}</b>", x=0.015, xanchor="left", xref="container",
                   y=0.985, yanchor="top", yref="container", font=dict(size=30),
                   subtitle=dict(text=_escape(scope_text), font=dict(size=20, color="#444"))),
    )
    out.add_annotation(text=_escape(footer_text(data_date)), xref="paper", yref="paper",
                       x=0, y=footer_y, xanchor="left", yanchor="bottom", showarrow=False,
                       font=dict(size=16, color="#555"), align="left")
    if sample:
        out.add_annotation(text=f"<b>{_escape(SAMPLE_MARK_TEXT)}</b>", name=SAMPLE_MARK_NAME,
                           xref="paper", yref="paper", x=1, y=footer_y, xanchor="right",
                           yanchor="bottom", showarrow=False, align="right",
                           font=dict(size=18, color=SAMPLE_MARK_COLOR))
    return out


def _margins(fig: go.Figure) -> dict:
    """The chart's own margins (they make room for its legend or top axis), plus the
    title block above and the footer below."""
    own = fig.layout.margin
    margin = {k: (getattr(own, k) if getattr(own, k) is not None else v)
              for k, v in _DEFAULT_MARGIN.items()}
    margin["t"] += _TITLE_BLOCK
    margin["b"] += _FOOTER_BLOCK
    margin["l"] = max(margin["l"], 40)
    return margin


def _escape(text: str) -> str:
    # Plotly text is HTML-like: a cell name with "<" or "&" must print as typed.
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def snapshot(fig: go.Figure, fmt: str, title: str, scope_text: str,
             data_date: date | datetime | str | None, sample: bool = False) -> bytes:
    """The chart as a 16:9 image with its title, scope and footer (png, svg or pdf),
    marked as sample data when `sample`."""
    return render_figure(decorate(fig, title, scope_text, data_date, sample), fmt)
