#!/usr/bin/env bash
# Installs what building and testing tokentray needs on Debian: the C
# libraries Fyne's GLFW driver links, a headless desktop for the tests (Xvfb,
# D-Bus, gnome-keyring, a StatusNotifier tray host), the peer and load tools
# the benchmarks compare with, the tools the integration tests drive (git, and
# bash-completion, zsh and fish for the completion scripts; chromium for the
# real-browser login; systemd-analyze and curl for the package smoke test),
# then the pinned npm provider and Go modules.
# It installs only what is missing, so a warm machine pays a few seconds.
# When another apt or dpkg holds the lock, it waits for it (up to 5 min).
#
# To add packages: add a group_NAME array and its NAME to apt_groups.
# Sourcing this file defines the functions without installing anything
# (scripts/install-deps-test.sh does).
set -euo pipefail

# Fyne's GLFW driver (cgo). libwayland-dev and libxkbcommon-dev: GLFW 3.4
# builds its Wayland backend too.
group_build=(
  gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
  libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
)
# A desktop for the tests and the demo: X, a session bus, the Secret
# Service, a tray host.
group_desktop=(
  xvfb x11-utils imagemagick xdotool xclip
  dbus dbus-daemon gnome-keyring libsecret-tools
  haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils
)
# The provider (node), and what the benchmarks compare with.
group_bench=(nodejs npm oidc-agent wrk hyperfine)
# Tools the integration tests drive.
group_tools=(git zsh fish bash-completion)
# A real browser for the login test; systemd-analyze and curl for the
# package smoke test.
group_browser=(chromium)
group_package=(systemd curl)

# Wine and the mingw-w64 C compiler: the Windows build and its tests under
# Wine. Only `install-deps.sh windows` (make test-windows, make dist) adds
# them; make test does without.
group_windows=(wine wine64 gcc-mingw-w64-x86-64)

apt_groups=(build desktop bench tools browser package)

# apt_lock_wait is how long apt waits for another apt or dpkg to let go
# of its lock, in seconds.
apt_lock_wait=${APT_LOCK_WAIT:-300}

# installed reports whether dpkg has package $1 installed. A package whose
# triggers are still pending ("install ok triggers-pending", abbreviated
# "it") or awaited ("iW") is installed: its files are in place.
installed() {
  local abbrev
  abbrev=$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) || return 1
  case "${abbrev:1:1}" in i | t | W) return 0 ;; esac
  return 1
}

# missing_packages prints the packages of every group that are not installed.
missing_packages() {
  local g p
  for g in "${apt_groups[@]}"; do
    local -n group="group_$g"
    for p in "${group[@]}"; do
      # node and npm may come from elsewhere than Debian (e.g. /usr/local).
      case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
      installed "$p" || echo "$p"
    done
    unset -n group
  done
}

# say_if_locked says that apt will wait when another apt or dpkg holds its lock.
say_if_locked() {
  command -v fuser >/dev/null || return 0
  if fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; then
    echo "install-deps: another apt or dpkg is running; waiting for it (up to $((apt_lock_wait / 60)) min)"
  fi
}

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  local lock=(-o "DPkg::Lock::Timeout=$apt_lock_wait")
  say_if_locked
  $sudo apt-get "${lock[@]}" update -qq
  say_if_locked
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@" >/dev/null
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  [ "${1:-}" != windows ] || apt_groups+=(windows)
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi

  # The real OpenID provider the tests and the demo log in to (pinned by lockfile).
  if [ ! -d testdata/oidc-provider/node_modules/oidc-provider ] ||
    [ testdata/oidc-provider/package-lock.json -nt testdata/oidc-provider/node_modules/.package-lock.json ]; then
    (cd testdata/oidc-provider && npm ci --no-audit --no-fund --loglevel=error)
  fi

  go mod download
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
