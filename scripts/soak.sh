#!/usr/bin/env bash
# make soak: the real agent for minutes against node-oidc-provider (strict
# rotation, short tokens) through a fault-injecting proxy, 50 readers, and a
# kill -9 + restart every ~10 s, inside a throwaway desktop session (the
# real Secret Service). Prints expired tokens served, reads failed (both
# must be 0), logins lost against kills, refreshes done. See SOAK.md.
#
#   SOAK_DURATION=10m make soak        # default 3m
#   SOAK_KILL_EVERY=5s SOAK_TOKEN_TTL=2s make soak
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/ . ./cmd/tokentray-agent
go build -o bin/soak ./internal/testing/soak
NO_TRAY_HOST=1 exec scripts/with-desktop.sh bin/soak -tokentray bin/tokentray -dir .soak "$@"
