"""The interface around the figures, in Vietnamese and fit for a laptop, a projector, a
phone and paper: Plotly's and Streamlit's own strings, the page stylesheet, the app icon.

Pure (no Streamlit): `dashboard.ui.localize()` sends the stylesheet and the script to the
page, `dashboard.charts.plotly_config()` passes the Plotly locale to every chart.

Streamlit 1.67 has no language setting. Its multiselect can drop "Select all"
(select_all=False) and `client.disableDataExport` removes the tables' CSV download, but the
table toolbar and column menu, the connection-lost dialog, the input hints and the status
widget come in English. The script (assets/localize.js) replaces those exact strings as
they appear, and sets react-aria's locale so the date picker's calendar is Vietnamese
whatever the browser's language. Nothing in it reaches the network.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
FAVICON = ASSETS / "favicon.png"   # served by the app itself: no request leaves the office

# Plotly: plotly.js's own "vi" locale (lib/locales/vi.js) has names of days and months but
# an empty dictionary, so the toolbar would stay English: the dictionary is ours.
PLOTLY_LOCALE = "vi"
PLOTLY_VI = {
    "dictionary": {
        "Autoscale": "Tự co giãn trục",
        "Box Select": "Chọn vùng chữ nhật",
        "Compare data on hover": "So sánh số liệu khi rê chuột",
        "Double-click on legend to isolate one trace":
            "Nhấp đúp vào chú giải để chỉ xem một chuỗi số liệu",
        "Double-click to zoom back out": "Nhấp đúp để thu nhỏ lại",
        "Download plot as a PNG": "Tải ảnh biểu đồ (PNG)",
        "Download plot": "Tải ảnh biểu đồ",
        "Lasso Select": "Chọn vùng tự do",
        "Pan": "Kéo biểu đồ",
        "Produced with Plotly.js": "Vẽ bằng Plotly.js",
        "Reset": "Đặt lại",
        "Reset axes": "Đặt lại trục",
        "Reset view": "Đặt lại khung nhìn",
        "Reset views": "Đặt lại các khung nhìn",
        "Show closest data on hover": "Hiện số liệu gần nhất khi rê chuột",
        "Snapshot succeeded": "Đã tải ảnh",
        "Sorry, there was a problem downloading your snapshot!":
            "Không tải được ảnh biểu đồ, hãy thử lại.",
        "Taking snapshot - this may take a few seconds": "Đang tạo ảnh, xin chờ vài giây",
        "Toggle Spike Lines": "Bật/tắt đường gióng",
        "Toggle show closest data on hover": "Bật/tắt hiện số liệu gần nhất",
        "Zoom": "Phóng to vùng chọn",
        "Zoom in": "Phóng to",
        "Zoom out": "Thu nhỏ",
        "trace": "chuỗi",
    },
    "format": {
        "days": ["Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": ["Tháng Một", "Tháng Hai", "Tháng Ba", "Tháng Tư", "Tháng Năm", "Tháng Sáu",
                   "Tháng Bảy", "Tháng Tám", "Tháng Chín", "Tháng Mười", "Tháng Mười Một",
                   "Tháng Mười Hai"],
        "shortMonths": [f"Tháng {m}" for m in range(1, 13)],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": ".",
    },
}

# The chart toolbar keeps what a meeting needs: Streamlit's full screen (the projector),
# and the camera only where dashboard.ui_export.chart_config leaves it (the server cannot
# render images; the camera's PNG is out of the audit trail's sight). Zoom and pan on a
# bar chart only lose the reader (and need "reset").
PLOTLY_REMOVED_BUTTONS = [
    "zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d",
    "resetScale2d", "hoverClosestCartesian", "hoverCompareCartesian", "toggleSpikelines",
    "toggleHover", "resetViews",
]

# Streamlit's own interface strings a user of this app can meet, exactly as 1.67 writes
# them. Keys are English, values Vietnamese.
STREAMLIT_VI = {
    # the connection to the server (status widget and dialog)
    "Connection error": "Mất kết nối",
    "Streamlit server is not responding. Are you connected to the internet?":
        "Máy chủ của ứng dụng không trả lời. Kiểm tra kết nối mạng; trang sẽ tự kết nối lại.",
    "Connecting": "Đang kết nối",
    "Connecting to Streamlit server": "Đang kết nối tới máy chủ",
    "Unable to connect to Streamlit server": "Không kết nối được tới máy chủ",
    "Error": "Lỗi",
    "Page not found": "Không có trang này",
    "The page that you have requested does not seem to exist. Running the app's main page.":
        "Không có trang đã yêu cầu; đang mở trang chính.",
    # the page's frame: sidebar, navigation, headings (mostly read aloud by screen readers)
    "Skip to main content": "Tới nội dung chính",
    "View less": "Thu gọn",
    "App pages": "Các trang",
    "Sidebar": "Thanh bên",
    "Collapse sidebar": "Thu gọn thanh bên",
    "Expand sidebar": "Mở thanh bên",
    "Link to heading": "Liên kết tới mục này",
    "Help": "Giải thích",
    "Open": "Mở danh sách",
    "file upload": "tải tệp lên",
    # input hints
    "Press Enter to submit form": "Nhấn Enter để gửi",
    "Press Enter to apply": "Nhấn Enter để áp dụng",
    "Press Ctrl+Enter to apply": "Nhấn Ctrl+Enter để áp dụng",
    "Press Ctrl+Enter to submit form": "Nhấn Ctrl+Enter để gửi",
    "Press ⌘+Enter to apply": "Nhấn ⌘+Enter để áp dụng",
    "Press ⌘+Enter to submit form": "Nhấn ⌘+Enter để gửi",
    # select boxes and multiselects
    "Select all": "Chọn tất cả",
    "No results": "Không có kết quả",
    "Choose an option": "Chọn…",
    "Choose options": "Chọn…",
    "Clear all": "Bỏ chọn tất cả",
    "Clear value": "Xóa",
    # tables: toolbar, search, column menu, statistics
    "Show/hide columns": "Ẩn/hiện cột",
    "Download as CSV": "Tải CSV",
    "Search": "Tìm trong bảng",
    "Close Search": "Đóng tìm kiếm",
    "Next Result": "Kết quả sau",
    "Previous Result": "Kết quả trước",
    "Fullscreen": "Toàn màn hình",
    "Close fullscreen": "Thoát toàn màn hình",
    "Sort ascending": "Sắp xếp tăng dần",
    "Sort descending": "Sắp xếp giảm dần",
    "Statistics": "Thống kê",
    "Autosize": "Tự chỉnh độ rộng",
    "Pin column": "Ghim cột",
    "Unpin column": "Bỏ ghim cột",
    "Hide column": "Ẩn cột",
    "Format": "Định dạng",
    "Copy column name": "Chép tên cột",
    "Dataframe column menu": "Menu của cột",
    "Values": "Giá trị",
    "Distinct": "Khác nhau",
    "Empty": "Trống",
    "Count": "Số lượng",
    "Minimum": "Nhỏ nhất",
    "Maximum": "Lớn nhất",
    "Average": "Trung bình",
    "Median": "Trung vị",
    "Sum": "Tổng",
    "Standard deviation": "Độ lệch chuẩn",
    "Range": "Khoảng",
    "Average length": "Độ dài trung bình",
    "Minimum length": "Độ dài nhỏ nhất",
    "Maximum length": "Độ dài lớn nhất",
    "Based on sample": "Tính trên mẫu",
    "Top values frequency chart": "Các giá trị thường gặp",
    "No data": "Không có dữ liệu",
    "Automatic": "Tự động",
    "Localized": "Theo ngôn ngữ",
    "Plain": "Số thường",
    "Compact": "Rút gọn",
    "Percent": "Phần trăm",
    "Scientific": "Dạng khoa học",
    "Accounting": "Kế toán",
    "Calendar": "Lịch",
    "Distance": "Khoảng cách",
    "Duration": "Thời lượng",
    # number and date inputs
    "Increment": "Tăng",
    "Decrement": "Giảm",
    "Choose date": "Chọn ngày",
    "Previous month": "Tháng trước",
    "Next month": "Tháng sau",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.":
        "Dùng phím mũi tên để chọn ngày, Enter để chọn, Esc để đóng.",
    # the file uploader (its drop zone is restyled by ui.localize_uploader)
    "Browse files": "Chọn tệp",
    "Drag and drop files here": "Kéo thả tệp vào đây",
    "Drag and drop a file here": "Kéo thả tệp vào đây",
    "Add files": "Thêm tệp",
    "Upload": "Tải lên",
    "Close": "Đóng",
}

# Strings with a number or a name in them: (JavaScript regular expression, replacement).
STREAMLIT_VI_PATTERNS = [
    (r"^Select (\d+) matches$", "Chọn cả $1 kết quả"),
    (r"^View (\d+) more$", "Xem thêm $1 trang"),
    (r"^Remove (.+)$", "Bỏ $1"),
    (r"^Help for (.+)$", "Giải thích: $1"),
    (r"^You have requested page /(.+), but no corresponding file was found in the app's "
     r"pages/ directory\. Running the app's main page\.$",
     "Không có trang /$1; đang mở trang chính."),
]


@cache
def stylesheet() -> str:
    """The page's own rules: layout at laptop and phone widths, print, dark mode."""
    return (ASSETS / "app.css").read_text(encoding="utf-8")


@cache
def script() -> str:
    """The translator (assets/localize.js) with its strings filled in."""
    source = (ASSETS / "localize.js").read_text(encoding="utf-8")
    return (source.replace("__STRINGS__", json.dumps(STREAMLIT_VI, ensure_ascii=False))
            .replace("__PATTERNS__", json.dumps(STREAMLIT_VI_PATTERNS, ensure_ascii=False)))
