#!/usr/bin/env bash
# Cold start: a fresh clone, then `make run` until /_stcore/health answers ok.
#   bench/cold_start.sh [pip|uv] [PORT]     (uv: uv must be on PATH; pip: UV= turns it off)
# Prints the seconds. The clone, its .venv and its database are removed afterwards.
set -euo pipefail
mode="${1:-pip}"
port="${2:-18601}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
git clone -q "$root" "$work/app"
cd "$work/app"
uv_var=()
[ "$mode" = pip ] && uv_var=(UV=)
start=$(date +%s.%N)
setsid make run "${uv_var[@]}" PORT="$port" >"$work/make.log" 2>&1 &   # its own process group
make_pid=$!
ok=""
for _ in $(seq 1 1200); do
    if [ "$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=1).read().decode())" 2>/dev/null)" = ok ]; then
        ok=1; break
    fi
    kill -0 "$make_pid" 2>/dev/null || break
    sleep 0.25
done
end=$(date +%s.%N)
kill -TERM -- "-$make_pid" 2>/dev/null || true     # make and the streamlit it started
wait "$make_pid" 2>/dev/null || true
if [ -z "$ok" ]; then
    tail -30 "$work/make.log" >&2
    rm -rf "$work"
    echo "make run did not serve /_stcore/health" >&2
    exit 1
fi
python3 -c "print(f'{$end - $start:.1f} s ($mode)')"
rm -rf "$work"
