# Sourced by the scripts that run tokentray beside the real test provider
# (demo, smoke-deb, measure-idle, test-windows): one way to start
# node-oidc-provider (testdata/oidc-provider) and one way to write a config
# with one profile of it.

# start_provider DIR PORT TTL starts the provider on 127.0.0.1:PORT (0: any
# free port) with access tokens of TTL seconds, its files in DIR. It appends
# its pid to the caller's pids array and sets issuer; it fails, showing the
# provider's log, when the provider is not ready within 10 s.
start_provider() {
  local dir=$1 port=$2 ttl=$3
  printf '{"port": %s, "accessTokenTTL": %s}\n' "$port" "$ttl" >"$dir/provider.json"
  node testdata/oidc-provider/server.js "$dir/provider.json" >"$dir/provider.out" 2>"$dir/provider.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q READY "$dir/provider.out" 2>/dev/null && break; sleep 0.1; done
  issuer=$(awk '/READY/{print $2}' "$dir/provider.out")
  [ -n "$issuer" ] || { echo "the provider did not start (make deps?):" >&2; cat "$dir/provider.log" >&2; return 1; }
}

# stop_pids kills what the caller started (its pids array, which
# start_provider appends to) and waits for it: the scripts' EXIT traps.
stop_pids() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# write_config FILE PROFILE LISTEN writes a config whose one profile, PROFILE,
# is a public client of the provider at $issuer, with the token API on LISTEN.
write_config() {
  cat >"$1" <<TOML
listen = "$3"

[[profile]]
name = "$2"
issuer = "$issuer"
client_id = "tokentray"
scopes = ["openid", "offline_access"]
TOML
}
