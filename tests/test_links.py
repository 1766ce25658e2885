"""The view in the address (dashboard/links.py): reading a link never fails, an unusable
value falls back to its default with a notice, and chart clicks name their target."""
from __future__ import annotations

import pytest

from dashboard import links
from dashboard.links import Available, ScopeView

MONTHS = [f"2026-{m:02d}" for m in range(1, 12)]          # Jan..Nov 2026
AVAILABLE = Available({"month": MONTHS[::-1], "quarter": ["2026-Q1", "2026-Q2", "2026-Q3"],
                       "half": ["2026-H1"], "year": []},
                      cells=["VPCN", "KHKH", "CDS", "TTKHCN"], areas=["NV1", "NV2", "NV3"])


def read(**params):
    return links.read_scope(params, AVAILABLE)


def test_a_complete_link_is_read_as_written_and_written_back_the_same():
    params = {"grain": "quarter", "period": "2026-Q3", "from": "2026-Q1", "cells": "CDS,VPCN",
              "areas": "NV2"}
    reading = read(**params)
    assert reading.notices == []
    assert reading.view == ScopeView("quarter", "2026-Q3", "2026-Q1", ("CDS", "VPCN"), ("NV2",))
    assert reading.view.params() == params
    assert reading.view.history(AVAILABLE) == ("2026-Q1", "2026-Q2", "2026-Q3")


def test_left_out_parameters_take_their_defaults_silently():
    reading = read(cells="KHKH")
    assert reading.notices == []
    assert reading.view == ScopeView("month", "2026-11", "2026-01", ("KHKH",), ())
    assert links.default_view(AVAILABLE) == ScopeView("month", "2026-11", "2026-01")


def test_the_trend_reaches_back_twelve_periods_at_most():
    many = Available({"month": [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]},
                     [], [])
    assert links.default_view(many).start == "2026-01"
    assert links.default_start(many, "month", "2025-06") == "2025-01"


def test_the_period_alone_says_the_grain():
    assert read(period="2026-Q2").view.grain == "quarter"
    assert read(period="2026-H1").view.start == "2026-H1"


@pytest.mark.parametrize("params, fallback, words", [
    ({"grain": "decade"}, {"grain": "month"}, "cách chia kỳ “decade”"),
    ({"grain": "year"}, {"grain": "month"}, "cách chia kỳ “year”"),     # no yearly data yet
    ({"period": "2031-Q4", "grain": "quarter"}, {"period": "2026-Q3"}, "kỳ “2031-Q4”"),
    ({"period": "Năm 0001"}, {"period": "2026-11"}, "kỳ “Năm 0001”"),
    ({"period": "2026-05", "from": "2026-09"}, {"start": "2026-01"}, "bắt đầu xu hướng"),
    ({"from": "2019-01"}, {"start": "2026-01"}, "bắt đầu xu hướng"),
    ({"cells": "CDS,XYZ"}, {"cells": ("CDS",)}, "mã chi bộ không có: XYZ"),
    ({"areas": "NV9"}, {"areas": ()}, "mã nhiệm vụ trọng tâm không có: NV9"),
])
def test_an_unusable_value_falls_back_with_a_notice(params, fallback, words):
    reading = read(**params)
    assert len(reading.notices) == 1 and words in reading.notices[0]
    for name, value in fallback.items():
        assert getattr(reading.view, name) == value


@pytest.mark.parametrize("junk", ["<script>alert(1)</script>", "**đậm**", "[x](http://a)", "a" * 5000,
                                  "'; DROP TABLE users; --", "%00", "\n\n# tiêu đề"])
def test_hostile_values_never_raise_and_notices_print_no_markup(junk):
    reading = links.read_scope({name: junk for name in links.SCOPE_PARAMS}, AVAILABLE)
    assert reading.view == links.default_view(AVAILABLE)
    for notice in reading.notices:
        assert not set(notice.replace("\\_", "")) & set("<>[]*#_`\n")
        assert len(notice) < 200
    value, notice = links.read_choice(junk, ["CDS"], "chi bộ")
    assert value is None and "<" not in notice and "*" not in notice
    assert len(links.read_search(junk)) <= links.SEARCH_CHARS


def test_a_page_choice_is_one_of_its_options():
    assert links.read_choice("CDS", ["VPCN", "CDS"], "chi bộ") == ("CDS", None)
    assert links.read_choice(None, ["VPCN"], "chi bộ") == (None, None)
    value, notice = links.read_choice("KHKH", ["VPCN"], "chi bộ")
    assert value is None and "chi bộ “KHKH” không có trong phạm vi" in notice


def test_unknown_parameters_are_named():
    params = {"grain": "month", "cell": "CDS", "utm_source": "zalo", "embed": "true"}
    assert links.unknown_params(params, ["cell"]) == ["utm_source"]
    assert "utm\\_source" in links.unknown_notice(["utm_source"])   # Markdown-escaped


VIEW = ScopeView("quarter", "2026-Q3", "2026-Q1", ("CDS", "KHKH"), ("NV1",))


@pytest.mark.parametrize("key, page, extra", [
    ("cell:CDS", "by_cell", {"cell": "CDS"}),
    ("area:NV2", "by_area", {"area": "NV2"}),
    ("cellarea:KHKH|NV3", "by_cell", {"cell": "KHKH", "areas": "NV3"}),
    ("period:2026-Q2", None, {"period": "2026-Q2"}),
    ("report:17", "history", {"report": "17"}),
])
def test_a_click_leads_where_its_key_says_keeping_the_scope(key, page, extra):
    target = links.drill_target(key, VIEW)
    assert target.page == page
    assert target.params == {**VIEW.params(), **extra}


@pytest.mark.parametrize("key", [None, "", 3, "cell:", "cellarea:CDS", "period:Q9",
                                 "report:#1", "unknown:CDS"])
def test_a_click_on_a_mark_without_a_target_leads_nowhere(key):
    assert links.drill_target(key, VIEW) is None


def test_the_drill_key_is_the_last_customdata_item():
    assert links.clicked_key({"customdata": ["Chi bộ CDS", 3, 4, "75%", "cell:CDS"]}) == "cell:CDS"
    assert links.clicked_key({"customdata": "cellarea:CDS|NV1"}) == "cellarea:CDS|NV1"
    assert links.clicked_key({"x": 1}) is None
