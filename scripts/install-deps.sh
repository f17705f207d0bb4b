#!/usr/bin/env bash
# Installs what building and testing tokentray needs on Debian: the C
# libraries Fyne's GLFW driver links, a headless desktop for the tests (Xvfb,
# D-Bus, gnome-keyring, a StatusNotifier tray host), the peer and load tools
# the benchmarks compare with, the tools the integration tests drive (git, and
# zsh and fish for the completion scripts), then the pinned npm provider and
# Go modules.
# It installs only what is missing, so a warm machine pays a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
  xvfb x11-utils imagemagick xdotool xclip
  dbus dbus-daemon gnome-keyring libsecret-tools
  haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils
  nodejs npm oidc-agent wrk hyperfine
  git zsh fish
)

# `install-deps.sh windows` (make test-windows) adds Wine and the mingw-w64
# C compiler: the Windows build and its tests under Wine. make test does
# without them.
if [ "${1:-}" = windows ]; then
  apt_packages+=(wine wine64 gcc-mingw-w64-x86-64)
fi

missing=()
for p in "${apt_packages[@]}"; do
  # node and npm may come from elsewhere than Debian (e.g. /usr/local).
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The real OpenID provider the tests and the demo log in to (pinned by lockfile).
if [ ! -d testdata/oidc-provider/node_modules/oidc-provider ] || \
   [ testdata/oidc-provider/package-lock.json -nt testdata/oidc-provider/node_modules/.package-lock.json ]; then
  (cd testdata/oidc-provider && npm ci --no-audit --no-fund --loglevel=error)
fi

go mod download
