#!/usr/bin/env bash
# What the app needs beyond Python: Chromium (chart images, meeting packs, browser tests)
# and fonts with Vietnamese glyphs, from Debian/Ubuntu packages.
#   install-system-deps.sh             install what is missing, fail if it cannot (make test, CI)
#   install-system-deps.sh --optional  install what is missing where it can; otherwise say
#                                      what the app loses and carry on (make run)
set -uo pipefail
optional=0
[ "${1:-}" = "--optional" ] && optional=1

need=()
if [ -n "${BROWSER_PATH:-}" ] && [ -x "${BROWSER_PATH}" ]; then
    :
elif ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
    need+=(chromium)
fi
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0

cannot() {
    echo "CHÚ Ý: chưa cài được ${need[*]} ($1)." >&2
    echo "  Ứng dụng vẫn chạy và hiển thị đầy đủ số liệu, biểu đồ; riêng việc xuất ảnh biểu đồ và" >&2
    echo "  bộ báo cáo họp (PPTX, PDF) cần Chromium: trang sẽ báo điều đó, và nút máy ảnh trên" >&2
    echo "  mỗi biểu đồ vẫn tải được ảnh PNG. Để cài sau (cần quyền quản trị máy):" >&2
    echo "    sudo apt-get install chromium fonts-dejavu-core fontconfig" >&2
    echo "  hoặc đặt BROWSER_PATH=/đường/dẫn/tới/chrome rồi khởi động lại ứng dụng." >&2
    [ "$optional" -eq 1 ] && exit 0
    exit 1
}

command -v apt-get >/dev/null 2>&1 || cannot "máy không có apt-get"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || cannot "cần quyền root hoặc sudo"
    as_root=(sudo)
fi
echo "Cài đặt gói hệ thống: ${need[*]}"
"${as_root[@]}" apt-get update -qq || cannot "apt-get update không thành công"
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends \
    "${need[@]}" fontconfig || cannot "apt-get install không thành công"
