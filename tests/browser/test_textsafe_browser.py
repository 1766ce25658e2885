"""dashboard.textsafe.plain in a real browser: a tiny Streamlit page draws each hostile
report text (tests/markdown_texts.py) with `st.markdown(plain(text))`; Chromium shows
exactly the text, line by line, and no heading, list, link, code, table, emphasis,
image, icon or formula element."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from markdown_texts import TEXTS, shown

PROJECT_ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = ("h1, h2, h3, h4, h5, h6, a, ul, ol, li, blockquote, table, pre, code, em, strong, "
             "del, s, b, i, img, hr, input, script, span[role=img], .katex, "
             "[data-testid=stSkeleton]")
PAGE = """
import json, sys
sys.path.insert(0, {root!r})
import streamlit as st
from dashboard.textsafe import plain

for i, text in enumerate(json.loads({texts!r})):
    with st.container(key=f"text-{{i}}"):
        st.markdown(plain(text))
"""


@pytest.fixture
def page_url(tmp_path):
    """The page served by its own Streamlit server (not the app: no sign-in, no database)."""
    script = tmp_path / "textsafe_page.py"
    script.write_text(PAGE.format(root=str(PROJECT_ROOT), texts=json.dumps(list(TEXTS.values()))),
                      encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=tmp_path, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(f"{url}/_stcore/health", proc, log)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait_healthy(health_url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(health_url, timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not start:\n{log.read_text()}")


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\u2060", "").replace("\u00a0", " ").split("\n")]


@pytest.mark.browser
def test_every_text_is_drawn_as_itself(page_url, page):
    page.goto(page_url)
    wrong = []
    for i, (name, text) in enumerate(TEXTS.items()):
        box = page.locator(f".st-key-text-{i} [data-testid=stMarkdownContainer]")
        box.wait_for()
        page.wait_for_function(   # emoji and formula plugins load lazily behind a skeleton
            "el => el && !el.querySelector('[data-testid=stSkeleton]') && el.innerText.length",
            arg=box.element_handle())
        drawn = box.evaluate(
            "(el, forbidden) => ({found: Array.from(el.querySelectorAll(forbidden), "
            "e => e.outerHTML.slice(0, 80)), text: el.innerText, "
            "paragraphs: el.querySelectorAll('p').length})", FORBIDDEN)
        if drawn["found"] or drawn["paragraphs"] != 1 or _lines(drawn["text"]) != _lines(shown(text)):
            wrong.append((name, drawn))
    assert wrong == []
