#!/usr/bin/env bash
# Build the image and probe its health check, where a Docker daemon runs. Where none
# does, say so and fail: a check that did not run must not look like one that passed.
set -uo pipefail
image="progress-dashboard:check"
name="progress-dashboard-check-$$"
port="${PORT:-18501}"

if ! command -v docker >/dev/null 2>&1; then
    echo "KHÔNG KIỂM TRA ĐƯỢC: máy này không có Docker (lệnh docker)." >&2
    exit 1
fi
if ! docker info >/dev/null 2>&1; then
    echo "KHÔNG KIỂM TRA ĐƯỢC: có lệnh docker nhưng không kết nối được Docker daemon" >&2
    echo "(docker info thất bại), nên không build được image ở máy này. Hãy chạy" >&2
    echo "make docker-check trên máy có Docker đang chạy." >&2
    exit 1
fi
set -e
docker build -t "$image" .
docker run -d --rm --name "$name" -p "127.0.0.1:$port:8501" "$image" >/dev/null
trap 'docker rm -f "$name" >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 60); do
    if body="$(python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=3).read().decode())" 2>/dev/null)" \
        && [ "$body" = "ok" ]; then
        status="$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")"
        echo "Image $image: /_stcore/health trả lời ok (HEALTHCHECK của Docker: ${status:-chưa chạy})."
        docker exec "$name" python -m etl init >/dev/null
        echo "Trong container: python -m etl init chạy được, dữ liệu ở /data."
        exit 0
    fi
    sleep 2
done
echo "LỖI: sau 120 giây /_stcore/health vẫn chưa trả lời ok. Nhật ký của container:" >&2
docker logs "$name" 2>&1 | tail -40 >&2
exit 1
