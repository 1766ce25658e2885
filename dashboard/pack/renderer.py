"""Chart images for a pack, drawn on a background thread while the rest is built."""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Callable

from dashboard.pack.content import ChartPart

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


def no_progress(_fraction: float, _text: str) -> None:
    return None


@dataclass
class RenderedChart:
    png: bytes
    jpeg: bytes | None = None

    @property
    def page_image(self) -> bytes:
        return self.jpeg or self.png


class ChartRenderer:
    """Renders submitted charts in order on a background thread (the warm server does
    the drawing in Chromium), so the caller keeps working meanwhile."""

    def __init__(self, scope_text: str, data_date, sample: bool = False) -> None:
        import queue
        import threading
        self._scope_text, self._data_date, self._sample = scope_text, data_date, sample
        self._todo: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        self._titles: list[str] = []
        self._thread = threading.Thread(target=self._work, name="pack-render", daemon=True)
        self._thread.start()

    def submit(self, chart: ChartPart) -> None:
        self._titles.append(chart.title)
        self._todo.put(chart)

    def iter_images(self, progress: Progress = no_progress):
        """Each submitted chart in order as it is ready, with the PDF's JPEG made then."""
        for i, title in enumerate(self._titles):
            progress(0.1 + 0.8 * i / max(len(self._titles), 1), f"Tạo ảnh: {title}")
            outcome = self._done.get()
            if isinstance(outcome, BaseException):
                raise outcome
            yield RenderedChart(outcome, _pdf_jpeg(outcome))

    def _work(self) -> None:
        from dashboard import render
        while (chart := self._todo.get()) is not None:
            try:
                self._done.put(render.snapshot(chart.figure, "png", chart.title,
                                               self._scope_text, self._data_date, self._sample))
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting caller
                log.exception("rendering the chart %r failed", chart.title)
                self._done.put(exc)

    def __enter__(self) -> "ChartRenderer":
        return self

    def __exit__(self, *exc) -> None:
        self._todo.put(None)
        self._thread.join(timeout=300)


def _pdf_jpeg(png: bytes) -> bytes:
    """fpdf re-compresses a PNG pixel by pixel (0.2 s for 3200x1800); a JPEG it embeds
    as is. Quality 92 without chroma subsampling keeps chart text crisp."""
    from PIL import Image
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, "JPEG", quality=92, subsampling=0)
    return out.getvalue()
