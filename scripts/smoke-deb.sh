#!/usr/bin/env bash
# CI: builds the snapshot release (make dist), installs its .deb into a
# throwaway root (dpkg --instdir: the machine's /usr/bin is untouched) and
# tries the installed programs as a user would: `tokentray version` says the
# snapshot's version, the systemd user unit passes `systemd-analyze --user
# verify` (and starts for real where a systemd user manager runs), the
# installed agent logs in to the test provider (scripted browser) and serves
# a token the provider accepts, and `tokentray doctor` finds the installed
# programs and no problem.
#
# SMOKE_NO_BUILD=1 reuses dist/ as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/provider.sh
root_dir=$PWD
export GOCACHE="${GOCACHE:-$HOME/.cache/tokentray-go-build}" GOFLAGS="${GOFLAGS:--buildvcs=false}"

# The login needs a session bus and a Secret Service: a throwaway desktop.
if [ -z "${TOKENTRAY_IN_DESKTOP:-}" ]; then
  [ -n "${SMOKE_NO_BUILD:-}" ] || make --no-print-directory dist
  NO_TRAY_HOST=1 exec scripts/with-desktop.sh "$0" "$@"
fi

fail() { echo "smoke-deb: FAIL: $*" >&2; exit 1; }
step() { printf 'smoke-deb: %s\n' "$*"; }

shopt -s nullglob
debs=(dist/tokentray_*_amd64.deb)
[ ${#debs[@]} -eq 1 ] || fail "want one dist/tokentray_*_amd64.deb, found ${#debs[@]} (run make dist)"
deb=${debs[0]}
version=$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
[ -n "$version" ] || fail "no version in dist/metadata.json"

work=$(mktemp -d /tmp/tokentray-smoke.XXXXXX)
pids=()
cleanup() {
  stop_pids
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Install into a throwaway root. Its dpkg database is empty, so the
#    dependencies (libgl1, ...) are recorded as missing: --force-depends.
step "installing $deb ($version) into $work/root"
root=$work/root admin=$work/dpkg
mkdir -p "$root" "$admin/info" "$admin/updates"
: > "$admin/status"
dpkg --instdir="$root" --admindir="$admin" --force-not-root --force-script-chrootless \
  --force-depends --log=/dev/null -i "$deb" > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
for f in usr/bin/tokentray usr/bin/tokentray-agent usr/bin/tokentray-ui \
  usr/lib/systemd/user/tokentray-agent.service usr/share/applications/tokentray.desktop \
  usr/share/icons/hicolor/64x64/apps/tokentray.png usr/share/icons/hicolor/256x256/apps/tokentray.png \
  usr/share/icons/hicolor/512x512/apps/tokentray.png \
  usr/share/bash-completion/completions/tokentray usr/share/zsh/vendor-completions/_tokentray \
  usr/share/fish/vendor_completions.d/tokentray.fish; do
  [ -e "$root/$f" ] || fail "the package lacks /$f"
done
compgen -G "$root/usr/share/man/man1/*.1*" > /dev/null || fail "the package has no man page in /usr/share/man/man1"
# The menu entry repeats FyneApp.toml's words (fyne package reads those):
# they must not drift apart.
for key in GenericName Comment; do
  want=$(sed -n "s/^ *$key = \"\(.*\)\"\$/\1/p" FyneApp.toml)
  got=$(sed -n "s/^$key=//p" "$root/usr/share/applications/tokentray.desktop")
  [ "$got" = "$want" ] || fail "tokentray.desktop $key=\"$got\", FyneApp.toml says \"$want\""
done
bin=$root/usr/bin

# 2. The version, stamped from the tag (here the snapshot's).
got=$("$bin/tokentray" version)
echo "  \$ tokentray version: $got"
case "$got" in *"$version"*) ;; *) fail "tokentray version says \"$got\", want $version" ;; esac

# 3. The systemd user unit. The installed root is not /, so verify a copy
#    whose ExecStart points into it.
unit=$root/usr/lib/systemd/user/tokentray-agent.service
grep -qx 'ExecStart=/usr/bin/tokentray agent' "$unit" || fail "the unit does not run /usr/bin/tokentray agent"
mkdir -p "$work/units"
sed "s|/usr/bin/tokentray|$bin/tokentray|" "$unit" > "$work/units/tokentray-agent.service"
# MANPATH: verify checks that the unit's Documentation=man:tokentray(1) exists.
MANPATH="$root/usr/share/man" systemd-analyze --user verify "$work/units/tokentray-agent.service" > "$work/verify.out" 2>&1 ||
  { cat "$work/verify.out"; fail "systemd-analyze --user verify"; }
[ ! -s "$work/verify.out" ] || { cat "$work/verify.out"; fail "systemd-analyze --user verify complained"; }
step "systemd-analyze --user verify: ok"
if systemctl --user is-system-running > /dev/null 2>&1; then
  step "a systemd user manager runs here: starting the unit for real"
  mkdir -p "$XDG_CONFIG_HOME/systemd/user"
  cp "$work/units/tokentray-agent.service" "$XDG_CONFIG_HOME/systemd/user/"
  systemctl --user daemon-reload
  systemctl --user start tokentray-agent
  sleep 1
  systemctl --user is-active tokentray-agent || fail "the unit did not stay active"
  systemctl --user stop tokentray-agent
else
  step "no systemd user manager here (a container): the unit was verified, not started"
fi

# 4. A token read: the installed agent logs in to the real test provider
#    (a scripted browser does the person's part) and serves the token.
start_provider "$work" 0 60 || fail "the provider did not start"
write_config "$work/config.toml" smoke 127.0.0.1:0
go build -o "$work/scripted-browser" ./internal/testing/testprovider/cmd/scripted-browser
export TOKENTRAY_CONFIG="$work/config.toml" TOKENTRAY_RUNTIME_DIR="$work/run"
export BROWSER="$work/scripted-browser" DEMO_ISSUER="$issuer"
"$bin/tokentray" agent > "$work/agent.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/run/agent.sock" ] && break; sleep 0.1; done
[ -S "$work/run/agent.sock" ] || { cat "$work/agent.log"; fail "the installed agent did not start"; }
"$bin/tokentray" login smoke || { cat "$work/agent.log"; fail "tokentray login"; }
token=$("$bin/tokentray" token smoke) || fail "tokentray token"
[ -n "$token" ] || fail "tokentray token printed nothing"
# Good only if the provider accepts it: its userinfo endpoint answers.
userinfo=$(curl -sf -H "Authorization: Bearer $token" "$issuer/me") || fail "the provider refused the served token at $issuer/me"
case "$userinfo" in *'"sub"'*) ;; *) fail "userinfo: $userinfo" ;; esac
step "the installed tokentray logged in and served a token the provider accepts (userinfo: $userinfo)"

# 5. doctor, with the config and the agent there: the installed programs
#    found beside each other, and no problem.
"$bin/tokentray" doctor > "$work/doctor.out" 2>&1 || { sed 's/^/  | /' "$work/doctor.out"; fail "tokentray doctor"; }
sed 's/^/  | /' "$work/doctor.out"
grep -q "programs: $bin/tokentray, $bin/tokentray-ui" "$work/doctor.out" || fail "doctor did not find the installed tokentray and tokentray-ui"
grep -q '^✗' "$work/doctor.out" && fail "doctor found problems"
step "ok: $deb"
