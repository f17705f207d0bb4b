#!/usr/bin/env bash
# make soak: the real agent for minutes against node-oidc-provider (strict
# rotation, short tokens) through a fault-injecting proxy (5xx, firewall HTML
# 403s, resets, stalls, slow bodies), 20 readers whose every token is judged
# by the provider (introspection), a kill -9 + restart every ~10 s, SIGSTOP
# pauses of 5-40 s right after a refresh was sent, and the keyring locked or
# the Secret Service killed during rotations, inside a throwaway desktop
# session (the real Secret Service). Prints tokens rejected by the provider,
# expired tokens served, reads failed and chains lost outside the physical
# window (all must be 0), and chains lost inside it against the kills.
# See SOAK.md.
#
#   SOAK_DURATION=10m make soak        # default 3m
#   SOAK_KILL_EVERY=3s SOAK_TOKEN_TTL=2s make soak
#   SOAK_SHORT=1 make soak             # 45 s, every fault often: for tests
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o bin/ . ./cmd/tokentray-agent
go build -o bin/soak ./internal/testing/soak
NO_TRAY_HOST=1 exec scripts/with-desktop.sh bin/soak -tokentray bin/tokentray -dir .soak "$@"
