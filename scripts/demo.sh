#!/usr/bin/env bash
# make run: the whole job on one machine, with no account anywhere.
# Starts a real OpenID provider (node-oidc-provider) on 127.0.0.1, writes a
# demo config, starts tokentray (with its tray when there is a desktop),
# logs in through the browser, reads a token from localhost, and keeps
# running until Ctrl-C so you can try the other commands.
#
# DEMO_BROWSER=scripted logs in with a scripted browser instead of yours
# (for machines without a desktop, and for CI); DEMO_BROWSER=chromium does
# it in a real headless Chromium (Debian's chromium). DEMO_ONESHOT=1 stops after
# the first token has been read, after checking that the login was saved in
# the keyring and that logout works (make demo-check, CI).
#
# Without a desktop session (no D-Bus session bus: SSH, a container) the
# demo brings up its own: a session bus (dbus-run-session) and an unlocked
# gnome-keyring whose keyring file lives in .demo/, so the login is saved in
# a real Secret Service and your own keyring is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/provider.sh
root=$PWD
demo="$root/.demo"
mkdir -p "$demo"

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${DEMO_OWN_BUS:-}" ]; then
  command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null ||
    { echo "demo: no desktop session here, and dbus-run-session or gnome-keyring-daemon is missing: run make deps"; exit 1; }
  echo "demo: no D-Bus session bus here (SSH or a container?): starting one, with a gnome-keyring for the demo's login"
  export DEMO_OWN_BUS=1
  exec dbus-run-session -- "$0" "$@"
fi
if [ -n "${DEMO_OWN_BUS:-}" ]; then
  # The demo's keyring, unlocked with a throwaway password. XDG_DATA_HOME
  # is set for the keyring daemon only: its keyring file goes to .demo/.
  mkdir -p "$demo/keyring-data"
  if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -w "${XDG_RUNTIME_DIR:-}" ]; then
    export XDG_RUNTIME_DIR="$demo/xdg-run"
    mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  fi
  eval "$(printf 'tokentray-demo' | XDG_DATA_HOME="$demo/keyring-data" gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL 2>/dev/null || true
fi
bin="$root/bin/tokentray"
port="${DEMO_PROVIDER_PORT:-9400}"
listen="${DEMO_LISTEN:-127.0.0.1:8733}"

pids=()
trap stop_pids EXIT
trap 'exit 130' INT TERM

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

# 1. The provider. Access tokens live 60 s; tokentray serves one while at
#    least 30 s of it is left, so you can watch it refresh (and rotate the
#    refresh token) about every 22 s.
start_provider "$demo" "$port" 60 || exit 1

# 2. The config.
cat > "$demo/config.toml" <<TOML
# Written by make run. A real config lives in ~/.config/tokentray/config.toml.
listen = "$listen"

[[profile]]
name = "demo"
issuer = "$issuer"
client_id = "tokentray"
scopes = ["openid", "offline_access"]
TOML
export TOKENTRAY_CONFIG="$demo/config.toml"
export TOKENTRAY_RUNTIME_DIR="$demo/run"

# 3. The agent: with its tray when there is a display, else headless.
mode=agent
[ -n "${DISPLAY:-}" ] && mode=""
case "${DEMO_BROWSER:-}" in
  scripted)
    go build -o "$demo/scripted-browser" ./internal/testing/testprovider/cmd/scripted-browser
    export BROWSER="$demo/scripted-browser" DEMO_ISSUER="$issuer" ;;
  chromium)
    go build -o "$demo/chromium-login" ./internal/testing/realbrowser/cmd/chromium-login
    export BROWSER="$demo/chromium-login" DEMO_ISSUER="$issuer" ;;
  "") ;;
  *) echo "demo: DEMO_BROWSER=$DEMO_BROWSER: want scripted or chromium (or nothing, for your browser)" >&2; exit 2 ;;
esac
"$bin" $mode > "$demo/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$demo/run/agent.sock" ] && break; sleep 0.1; done
[ -S "$demo/run/agent.sock" ] || { echo "demo: tokentray did not start:"; cat "$demo/agent.log"; exit 1; }

say "A demo OpenID provider runs at $issuer — log in with any user name and password."
say "tokentray runs (log: .demo/agent.log). Logging in to the profile \"demo\"…"
login_flags=()
if [ -z "${DISPLAY:-}" ] && [ -z "${BROWSER:-}" ]; then
  login_flags=(--no-browser)   # no desktop here: open the printed URL in any browser on this machine
fi
"$bin" login "${login_flags[@]}" demo

# The address the agent really listens on (DEMO_LISTEN may ask for port 0).
listen=$("$bin" status --json | sed -n 's/.*"listen": "\([^"]*\)".*/\1/p')
say "The token, as a local tool reads it:"
echo "\$ curl -s http://$listen/v1/token/demo"
curl -sf "http://$listen/v1/token/demo"
say "Status:"
"$bin" status | tee "$demo/status.out"

if [ -n "${DEMO_ONESHOT:-}" ]; then
  # The check: the login was saved (no warning about the keyring), and
  # logout works.
  if grep -iE 'warning:|not saved' "$demo/status.out"; then
    echo "demo: FAILED: the login was not saved in the keyring (see the warning above)"
    exit 1
  fi
  say "Logging out:"
  "$bin" logout demo || { echo "demo: FAILED: logout exited $?"; exit 1; }
  exit 0
fi
say "Try these in another terminal (tokentray keeps the token fresh meanwhile):"
cat <<TXT
  export TOKENTRAY_CONFIG=$demo/config.toml TOKENTRAY_RUNTIME_DIR=$demo/run
  $bin token demo
  curl -s -H 'Accept: text/plain' http://$listen/v1/token/demo
  $bin status
  $bin logout demo

Ctrl-C stops the demo.
TXT
wait "${pids[1]}"
