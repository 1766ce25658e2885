#!/usr/bin/env bash
# What the machine needs beyond Python: Chromium (browser tests, chart images) and fonts
# with Vietnamese glyphs. Debian/Ubuntu; run as root (or with sudo available).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "DejaVu Sans" || need+=(fonts-dejavu-core)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Cài đặt: ${need[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig
