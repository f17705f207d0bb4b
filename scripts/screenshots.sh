#!/usr/bin/env bash
# make screenshots: docs/screenshots/*.png, taken on the test desktop
# (Xvfb, the tray host, a real provider) by the tray's end-to-end test,
# the settings window with a problem, the provider's and tokentray's pages in
# a real headless Chromium, plus an overview of the tray icons on a light and
# a dark panel. WINDOWS=1 adds the Windows tray under Wine (make test-windows).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screenshots"
mkdir -p "$out"
scripts/with-desktop.sh env TOKENTRAY_SCREENSHOTS="$out" TOKENTRAY_TEST_PROVIDER=required go test -count=1 -run 'TestTrayCopiesTheTokenAndClearsIt|TestTrayMenuWhileRefreshFails' ./ui/tray
# The settings window showing a problem, drawn by Fyne's software painter
# (fyne/test: the same theme and fonts, no display needed).
CGO_ENABLED=0 TOKENTRAY_SCREENSHOTS="$out" go test -count=1 -run TestSettingsScreenshot ./ui/windows
# The provider's login and consent pages and the callback pages, light and dark.
scripts/with-desktop.sh env TOKENTRAY_SCREENSHOTS="$out" go test -count=1 -run Chromium ./internal/testing/realbrowser
if [ "${WINDOWS:-}" = 1 ]; then
  scripts/install-deps.sh windows
  TOKENTRAY_SCREENSHOTS="$out" scripts/test-windows.sh
fi
rows=()
for panel in light dark; do
  bg='#e9e9e9'; [ "$panel" = dark ] && bg='#1f1f1f'
  montage assets/icons/tray-{ok,refreshing,login,error,idle}-"$panel"-32.png \
    -tile 5x1 -geometry 32x32+14+10 -background "$bg" "$out/.icons-$panel.png"
  rows+=("$out/.icons-$panel.png")
done
convert "${rows[@]}" -append -filter point -resize 200% "$out/tray-icons.png"
rm -f "${rows[@]}"
ls -l "$out"
