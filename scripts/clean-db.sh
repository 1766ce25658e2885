#!/usr/bin/env bash
# Remove the database and its archive of originals, after a confirmation (or CONFIRM=1)
# and only once a backup of both has been written. Usage: clean-db.sh PYTHON DB CONFIRM BACKUP_DIR
set -euo pipefail
py="$1"; db="$2"; confirm="${3:-}"; backup_dir="$4"
archive="$(dirname "$db")/$(basename "$db" .duckdb)_archive"

if [ ! -e "$db" ] && [ ! -e "$db.wal" ] && [ ! -d "$archive" ]; then
    echo "Không có cơ sở dữ liệu tại $db: không có gì để xóa."
    exit 0
fi
echo "Sẽ XÓA: $db (và $db.wal nếu có), $archive"
if [ -e "$db" ]; then
    "$py" - "$db" <<'PY' || true
import sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
real, sample, users = con.execute(
    "SELECT count(*) FILTER (NOT is_sample), count(*) FILTER (is_sample), "
    "(SELECT count(*) FROM users) FROM submissions").fetchone()
print(f"  gồm {real} báo cáo thật, {sample} báo cáo mẫu, {users} tài khoản, cả nhật ký thao tác.")
if real:
    print("  Chỉ muốn bỏ dữ liệu mẫu? Dùng: python -m etl samples remove (giữ báo cáo thật).")
PY
fi
if [ "$confirm" != "1" ]; then
    if [ ! -t 0 ]; then
        echo "Không xóa: hãy xác nhận bằng make clean-db CONFIRM=1." >&2
        exit 1
    fi
    read -r -p "Gõ XOA (chữ in hoa) để xác nhận: " answer
    if [ "$answer" != "XOA" ]; then
        echo "Không xóa gì."
        exit 1
    fi
fi

mkdir -p "$backup_dir"
if [ -e "$db" ]; then
    "$py" -m etl backup "$backup_dir" --db "$db" \
        || { echo "Không sao lưu được nên không xóa gì." >&2; exit 1; }
else  # originals without a database: keep them as they are
    out="$backup_dir/tep-goc-$(date +%Y-%m-%d-%H%M%S).tar.gz"
    tar czf "$out" -C "$(dirname "$archive")" "$(basename "$archive")" \
        || { echo "Không sao lưu được nên không xóa gì." >&2; exit 1; }
    echo "Đã sao lưu các tệp gốc vào $out"
fi
rm -f "$db" "$db.wal"
rm -rf "$archive"
echo "Đã xóa. Bản sao lưu ở $backup_dir; khôi phục: python -m etl restore TỆP --db $db"
