#!/usr/bin/env bash
# Measures what the always-on part costs: the agent with its tray icon and
# a logged-in profile, no window open. Prints, one per line:
#
#   cpu_percent  CPU of the agent over SECONDS, in % of one core
#   rss_mb       the agent's resident memory at the end, in MB
#   window_open_ms  time from `tokentray ui status` to its window being
#                   mapped (median of 3; window_open_cold_ms is the first)
#
#   scripts/measure-idle.sh [SECONDS]      (default 60; BIN=bin/tokentray)
#
# It runs in a throwaway desktop (scripts/with-desktop.sh) with the test
# provider (node-oidc-provider, access tokens of 1 h so no refresh falls
# in the window) and the scripted browser for the login.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/provider.sh
if [ -z "${TOKENTRAY_IN_DESKTOP:-}" ]; then
  exec scripts/with-desktop.sh "$0" "$@"
fi
seconds="${1:-60}"
bin="${BIN:-bin/tokentray}"
[ -x "$bin" ] || { echo "measure-idle: $bin is missing (make build)" >&2; exit 1; }
work=$(mktemp -d /tmp/tokentray-measure.XXXXXX)
pids=()
cleanup() {
  stop_pids
  rm -rf "$work"
}
trap cleanup EXIT

start_provider "$work" 0 3600 || exit 1
write_config "$work/config.toml" bench 127.0.0.1:0
go build -o "$work/scripted-browser" ./internal/testing/testprovider/cmd/scripted-browser
export TOKENTRAY_CONFIG="$work/config.toml" TOKENTRAY_RUNTIME_DIR="$work/run"
export BROWSER="$work/scripted-browser" DEMO_ISSUER="$issuer"

"$bin" > "$work/agent.log" 2>&1 &
agent=$!
pids+=($agent)
for _ in $(seq 100); do [ -S "$work/run/agent.sock" ] && break; sleep 0.1; done
"$bin" login bench > /dev/null 2>&1
sleep 5 # let the tray settle after the login

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
t0=$(ticks "$agent"); s0=$(date +%s.%N)
sleep "$seconds"
t1=$(ticks "$agent"); s1=$(date +%s.%N)
cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" 'BEGIN { printf "%.3f", (b - a) / hz / (s1 - s0) * 100 }')
rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$agent/status")

times=()
for i in 1 2 3; do
  start=$(date +%s%N)
  "$bin" ui status > "$work/ui.log" 2>&1 &
  ui=$!
  timeout 20 xdotool search --sync --onlyvisible --name '^tokentray$' > /dev/null
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  kill "$ui" 2>/dev/null; wait "$ui" 2>/dev/null || true
  # wait until the window is gone before the next round
  for _ in $(seq 50); do xdotool search --onlyvisible --name '^tokentray$' > /dev/null 2>&1 || break; sleep 0.1; done
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)

echo "cpu_percent $cpu"
echo "rss_mb $rss"
echo "window_open_ms $median"
echo "window_open_cold_ms ${times[0]}"
