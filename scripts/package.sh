#!/usr/bin/env bash
# make package: builds tokentray's three programs and packs them with
# `fyne package -os linux` (metadata from FyneApp.toml) into
# build/tokentray.tar.xz: the programs, a .desktop file and the icon, with a
# Makefile that installs them (sudo make install, or make user-install for
# ~/.local).
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
mkdir -p build  # not dist/: make dist (GoReleaser --clean) empties that
rm -f build/tokentray.tar.xz

work=$(mktemp -d)
# fyne package bumps FyneApp.toml's Build after every run (fyne v2.8.1,
# packageWithoutValidate) and has no switch against it: put the file back,
# so that packaging never leaves the tree changed.
cp FyneApp.toml "$work/FyneApp.toml"
trap 'cp "$work/FyneApp.toml" FyneApp.toml; rm -rf "$work"' EXIT
"$fyne" package -os linux --release --exe bin/tokentray --name tokentray

# fyne packs one program; tokentray is three, installed side by side (the
# front command, the agent, the windows: see app/launch). Add the other two,
# and a line for each wherever fyne's Makefile installs or removes the first.
tar -xJf tokentray.tar.xz -C "$work"
rm tokentray.tar.xz
cp bin/tokentray-agent bin/tokentray-ui "$work/tokentray/usr/local/bin/"
awk '{ print }
     /bin\/\$\(Exec\)/ && !/sed -i/ {
       for (i = 1; i <= 2; i++) { l = $0; gsub(/\$\(Exec\)/, "$(Exec)" (i == 1 ? "-agent" : "-ui"), l); print l }
     }' "$work/tokentray/Makefile" > "$work/Makefile" && mv "$work/Makefile" "$work/tokentray/Makefile"
tar -cJf build/tokentray.tar.xz -C "$work" tokentray

# Install it into a scratch root and run it, as a user would.
mkdir "$work/root"
make --no-print-directory -C "$work/tokentray" install DESTDIR="$work/root" PREFIX=/usr > /dev/null
for p in tokentray tokentray-agent tokentray-ui; do
  [ -x "$work/root/usr/bin/$p" ] || { echo "package: make install left out $p" >&2; exit 1; }
done
"$work/root/usr/bin/tokentray" version

echo "build/tokentray.tar.xz:"
tar -tJf build/tokentray.tar.xz

