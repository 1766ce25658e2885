"""Khó khăn, đề xuất: what cells raise and ask for, newest first, open ones marked."""
from __future__ import annotations

import streamlit as st

from dashboard import fmt, links, queries, ui
from dashboard.definitions import DEFINITIONS
from etl import periods as P

ui.page()
SHOWN_ROWS = 100  # a meeting reads the newest; the search finds the rest (and each row
                  # costs the browser: 300 made the page 1.4x slower at 100 cells)

scope = ui.current_scope()
ui.page_header("Các chi bộ gặp khó khăn gì, đề xuất gì, và khó khăn nào chưa được giải quyết?", scope)
c1, c2 = st.columns([3, 1])
with c1:
    search = ui.linked_text_input("Tìm trong khó khăn, đề xuất, nhiệm vụ, chi bộ", links.SEARCH,
                                  placeholder="ví dụ: kinh phí")
only_open = c2.toggle("Chỉ khó khăn chưa giải quyết", key="obstacle_open",
                      help=DEFINITIONS["open_obstacle"])
log = ui.q(queries.obstacle_log, cells=scope.cell_list, areas=scope.area_list, search=search,
           as_of=P.from_key(scope.period).end)
if only_open:
    log = log[log["is_open"]]
open_count = ui.q(queries.open_obstacle_count, P.from_key(scope.period).end,
                  cells=scope.cell_list, areas=scope.area_list)

k1, k2, k3 = st.columns(3)
k1.metric("Khó khăn chưa giải quyết", fmt.number(open_count), border=True,
          help=DEFINITIONS["open_obstacle"])
k2.metric("Khó khăn đã nêu", fmt.number(log["obstacles"].fillna("").str.strip().ne("").sum()),
          border=True)
k3.metric("Đề xuất, kiến nghị", fmt.number(log["proposals"].fillna("").str.strip().ne("").sum()),
          border=True)
st.caption(f"Đến hết {scope.label}, mới nhất trước. " + DEFINITIONS["open_obstacle"])

OPEN_CARDS = 10  # what a meeting reads in full; the table below holds everything
still_open = log[log["is_open"]].drop_duplicates(["cell_name", "task_code"]).head(OPEN_CARDS)
if not still_open.empty:
    st.markdown("**Khó khăn chưa giải quyết** (toàn văn, mới nhất trước)")
    for r in still_open.itertuples(index=False):
        # One block of text a card, not three: at 100 cells ten cards are many elements.
        lines = [f"**{ui.plain(r.cell_name)}** · {ui.plain(r.task_code)} "
                 f"{ui.plain(r.task_title)} · {fmt.period(r.period)}",
                 f"*Khó khăn, vướng mắc:* {ui.plain(r.obstacles)}"]
        if isinstance(r.proposals, str) and r.proposals.strip():
            lines.append(f"*Đề xuất, kiến nghị:* {ui.plain(r.proposals)}")
        st.container(border=True).markdown("\n\n".join(lines))
    st.markdown("**Tất cả khó khăn, đề xuất**")

if log.empty:
    st.info("Không có khó khăn, đề xuất nào khớp bộ lọc. Bỏ bớt từ khóa tìm kiếm hoặc mở rộng "
            "phạm vi ở thanh bên.")
else:
    if len(log) > SHOWN_ROWS:
        st.caption(f"Hiển thị {fmt.number(SHOWN_ROWS)} mục mới nhất trong {fmt.number(len(log))}: "
                   "dùng ô tìm kiếm hoặc bộ lọc ở thanh bên để thu hẹp.")
        log = log.head(SHOWN_ROWS)
    text = st.column_config.TextColumn
    ui.text_table(log.assign(**{
        "Còn mở": log["is_open"].map({True: "● Còn chậm", False: ""}),
        "Kỳ": log["period"].map(fmt.period),
        "Ngày báo cáo": [fmt.report_date(d, f) for d, f in zip(log["report_date"],
                                                                log["date_from_load"])],
        "Chi bộ": log["cell_name"], "Mã": log["task_code"], "Nhiệm vụ": log["task_title"],
        "Trạng thái": log["status"].map(fmt.status),
        "Khó khăn, vướng mắc": log["obstacles"], "Đề xuất, kiến nghị": log["proposals"]})[
        ["Còn mở", "Kỳ", "Chi bộ", "Mã", "Khó khăn, vướng mắc", "Đề xuất, kiến nghị",
         "Trạng thái", "Ngày báo cáo", "Nhiệm vụ"]],
        column_config={"Khó khăn, vướng mắc": text(width="large"),
                       "Đề xuất, kiến nghị": text(width="large"),
                       "Chi bộ": text(width="medium"), "Mã": text(width="small"),
                       "Còn mở": text(width=110)},
        download=ui.chart_name("kho khan de xuat", scope), scope=scope)
