#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session: its own HOME, a D-Bus
# session bus, gnome-keyring's Secret Service (unlocked), an Xvfb display
# and a StatusNotifier tray host. Nothing leaks into the caller's keyring.
#
#   scripts/with-desktop.sh go test ./...
#
# TOKENTRAY_TEST_SECRET_SERVICE=1 tells the tests that the real Secret
# Service is there. Set NO_TRAY_HOST=1 to leave the tray host out.
set -euo pipefail

if [ -z "${TOKENTRAY_IN_DESKTOP:-}" ]; then
  export TOKENTRAY_IN_DESKTOP=1
  tmp=$(mktemp -d /tmp/tokentray-desktop.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  # Keep the Go and npm caches where they were: only the desktop's state is new.
  export GOCACHE="${GOCACHE:-$(go env GOCACHE)}" GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
  export GOPATH="${GOPATH:-$(go env GOPATH)}"
  export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
  export HOME="$tmp/home" XDG_RUNTIME_DIR="$tmp/run" XDG_DATA_HOME="$tmp/home/.local/share" XDG_CONFIG_HOME="$tmp/home/.config"
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
  chmod 700 "$XDG_RUNTIME_DIR"
  status=0
  dbus-run-session -- "$0" "$@" || status=$?
  exit "$status"
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# The Secret Service, unlocked with a throwaway password.
eval "$(printf 'tokentray-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
export TOKENTRAY_TEST_SECRET_SERVICE=1

# A real X server on a free display number.
for n in $(seq 90 140); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] || { disp=":$n"; break; }
done
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY="$disp"
for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done

if [ -z "${NO_TRAY_HOST:-}" ]; then
  status-notifier-watcher >/dev/null 2>&1 &
  pids+=($!)
  sleep 0.3
  gtk-sni-tray-standalone --top --end --size 32 >/dev/null 2>&1 &
  pids+=($!)
fi

"$@"
