#!/bin/sh
# Renders a campaign's dry run to a folder and screenshots index.html in headless
# Chromium (Debian package `chromium`), so a person can look at the preview page.
#   scripts/check-preview.sh [CAMPAIGN] [NOW] [OUT_PNG]
set -eu
campaign=${1:-coffee-reorder}
now=${2:-2026-11-20}
png=${3:-/tmp/hookline-preview.png}
out=$(mktemp -d /tmp/hookline-preview.XXXXXX)
command -v chromium >/dev/null || { echo "install chromium first: apt-get install -y chromium" >&2; exit 2; }
swift build >/dev/null
status=0
.build/debug/hookline preview "$campaign" --now "$now" --out "$out" >/dev/null || status=$?
[ "$status" -le 1 ] || exit "$status"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --screenshot="$png" \
    --window-size=1200,900 "file://$out/index.html" 2>/dev/null
echo "preview in $out, screenshot in $png"
