#!/usr/bin/env bash
# Regenerate docs/screenshot.png: the real window on a virtual X display, running the built-in
# demo source (a public-domain portrait), captured with ImageMagick's `import`.
# Needs: apt-get install -y xvfb imagemagick libxcb-icccm4 libxcb-keysyms1
# Usage: scripts/readme_screenshot.sh [OUT.png] [extra fkd-live options...]
set -euo pipefail
out=${1:-docs/screenshot.png}
shift || true
display=:97
Xvfb "$display" -screen 0 960x760x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
sleep 1
DISPLAY=$display fkd-live --demo --frames 240 "$@" &
app=$!
sleep 6  # let the window settle and the HUD's frame rate fill in
DISPLAY=$display import -window root "${out%.png}.tmp.png"
wait "$app"
mv "${out%.png}.tmp.png" "$out"
echo "wrote $out"
