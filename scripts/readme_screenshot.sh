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
sleep "${DELAY:-6}"  # let the window settle and the HUD's frame rate fill in (DELAY: seconds)
# On a busy machine the window can take longer to draw: an all-black capture (no spread in its
# pixels) is retaken, so a blank picture never replaces the screenshot.
drew() {  # the capture has some spread in its pixels
  awk -v s="$(identify -format '%[fx:standard_deviation]' "${out%.png}.tmp.png")" \
    'BEGIN { exit !(s > 0.01) }'
}
for _ in 1 2 3 4 5; do
  DISPLAY=$display import -window root "${out%.png}.tmp.png"
  drew && break
  sleep 2
done
wait "$app"
if ! drew; then
  rm -f "${out%.png}.tmp.png"
  echo "error: the window never drew (blank capture); $out left as it was" >&2
  exit 1
fi
mv "${out%.png}.tmp.png" "$out"
echo "wrote $out"
