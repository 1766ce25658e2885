#!/usr/bin/env bash
# Is there a Python the project can use (3.11 or newer), and can it make a virtual
# environment? Says in Vietnamese what to install when not.
# Usage: check-python.sh PYTHON [uv|existing]   (uv: uv makes the environment;
#        existing: PYTHON is the project's .venv, already made)
set -uo pipefail
python="${1:-python3}"
maker="${2:-}"
if ! command -v "$python" >/dev/null 2>&1; then
    echo "LỖI: không tìm thấy '$python'. Cần Python 3.11 trở lên." >&2
    echo "  Debian 12 / Ubuntu 24.04: sudo apt-get install python3 python3-venv" >&2
    echo "  Hoặc chỉ rõ đường dẫn: make run PYTHON=/usr/bin/python3.11" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    found="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "?")"
    echo "LỖI: '$python' là Python $found; ứng dụng cần Python 3.11 trở lên." >&2
    if [ "$maker" = existing ]; then
        echo "  Môi trường .venv được tạo bằng Python cũ: xóa nó (rm -rf .venv) rồi chạy lại." >&2
        exit 1
    fi
    echo "  Debian 12 / Ubuntu 24.04 có sẵn bản phù hợp: sudo apt-get install python3 python3-venv" >&2
    echo "  Hệ điều hành cũ hơn: cài python3.11 (ví dụ qua uv: pip install uv && uv python install 3.11)," >&2
    echo "  rồi chạy: make run PYTHON=/đường/dẫn/tới/python3.11" >&2
    exit 1
fi
# Without uv, the standard library's venv needs ensurepip (Debian ships it apart).
if [ -z "$maker" ] && ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    minor="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    echo "LỖI: Python $minor chưa có mô-đun tạo môi trường ảo (venv/ensurepip)." >&2
    echo "  Cài: sudo apt-get install python3-venv   (hoặc python${minor}-venv)" >&2
    exit 1
fi
exit 0
