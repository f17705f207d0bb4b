#!/usr/bin/env bash
# make bench: measures tokentray beside a bare net/http server and beside
# oidc-agent, in one run, inside a throwaway desktop session (real
# gnome-keyring, Xvfb, tray host), and prints one table. Method and latest
# results: BENCHMARKS.md. Takes about 7 minutes on 2 cores.
#
#   scripts/bench.sh                       # every figure
#   scripts/bench.sh -figures 1,3          # some of them
#   scripts/bench.sh -quick                # a fast smoke test of the harness (not a measurement)
#   scripts/bench.sh -publish BENCHMARKS.md   # also rewrite the results section there
#
# Expects bin/tokentray (make build). Logs and results.md go to out/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x bin/tokentray ] || { echo "bench: build bin/tokentray first (make build)" >&2; exit 1; }
go build -o bin/ ./bench/cmd/tokentray-bench ./bench/cmd/floor-hello ./bench/cmd/floor-token ./bench/cmd/floor-raw
CGO_ENABLED=0 go build -o bin/floor-front-go . # the front without its C path (internal/early)
go test -c -o bin/bench.test ./bench
exec scripts/with-desktop.sh bin/tokentray-bench -tokentray bin/tokentray -gotest bin/bench.test "$@"
