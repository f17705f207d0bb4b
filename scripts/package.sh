#!/usr/bin/env bash
# make package: builds bin/tokentray and packs it with `fyne package -os
# linux` (metadata from FyneApp.toml) into dist/tokentray.tar.xz: the
# binary, a .desktop file and the icon, with a Makefile that installs them
# (sudo make install, or make user-install for ~/.local).
set -euo pipefail
cd "$(dirname "$0")/.."
fyne="$(go env GOPATH)/bin/fyne"
if [ ! -x "$fyne" ]; then
  # The current tool (fyne.io/tools/cmd/fyne) is not reachable from here;
  # the deprecated one of the pinned Fyne release packages the same way.
  go install fyne.io/fyne/v2/cmd/fyne@v2.8.1
fi
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
make --no-print-directory build VERSION="$version"
mkdir -p dist
rm -f dist/tokentray.tar.xz
"$fyne" package -os linux --release --exe bin/tokentray --name tokentray
mv tokentray.tar.xz dist/
echo "dist/tokentray.tar.xz:"
tar -tJf dist/tokentray.tar.xz
