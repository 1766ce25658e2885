"""Report texts that Markdown would draw as something else: one per construct.
Shared by the text-safety tests (tests/test_textsafe.py, tests/browser/...)."""
from __future__ import annotations

import re

TEXTS = {
    "setext heading": "Khó khăn lớn\n===\nTiêu đề phụ\n---",
    "atx heading": "# Tiêu đề\n###### Tiêu đề nhỏ #",
    "lists": "- mục một\n* mục hai\n+ mục ba\n1. thứ nhất\n2) thứ hai\n- [ ] việc chưa làm",
    "block quote": "> trích dẫn\n>> lồng nhau",
    "code": "```\nmã nguồn\n```\n~~~\nmã\n~~~\n`mã nội dòng`",
    "indented code": "    thụt lề bốn dấu cách\n\tthụt lề bằng tab",
    "links": "[bấm vào](https://x.vn) ![ảnh](https://x.vn/a.png) <https://x.vn> [tham chiếu]\n\n"
             "[tham chiếu]: https://x.vn",
    "autolinks": "https://vi.wikipedia.org/wiki/L%E1%BA%A1ng_S%C6%A1n, www.example.com, "
                 "HTTP://X.VN và lienhe@khcn.langson.gov.vn",
    "shortcodes": ":smile: :+1: :material/warning: :streamlit: :red[đỏ] :blue-background[nền] "
                  ":small[nhỏ] ::leaf :::container",
    "html": "<b>đậm</b> <script>alert(1)</script> <img src=x onerror=alert(1)> <!-- chú thích -->",
    "latex": "$x^2$ và $$\\sum_{i=1}^n i$$",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "emphasis": "*nghiêng* _nghiêng_ **đậm** __đậm__ ~~gạch~~ ~gạch~",
    "entities": "&amp; &lt;b&gt; &#58;smile&#58; &nbsp;",
    "typography": "a -> b <- c <-> d -- e >= f <= g ~= h",
    "thematic breaks": "***\n---\n___",
    "line breaks": "có gạch chéo cuối dòng \\\nvà hai dấu cách  \ntiếp\n\n\nsau ba dòng",
    "footnote": "chú thích[^1]\n\n[^1]: nội dung",
    "plain vietnamese": "Thiếu kinh phí in tài liệu tuyên truyền (khoảng 5.000.000 đồng); "
                        "đề nghị Đảng ủy hỗ trợ: 50% vào quý III/2026.",
}


def shown(text: str) -> str:
    """What a reader should see for `text`: the same characters and lines (the text's
    leading and trailing line breaks aside, an indenting tab as four spaces)."""
    lines = re.split(r"\r\n|\r|\n", text.strip("\r\n"))
    return "\n".join(re.sub(r"^[ \t]+", lambda m: m[0].replace("\t", "    "), line)
                     for line in lines)
