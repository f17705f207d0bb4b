#!/usr/bin/env bash
# Tests of the scripts make runs: install-deps.sh's check of what is
# installed (against a fake dpkg-query first on PATH that answers each
# package's status from a table), and make run's note before a first build.
set -euo pipefail
cd "$(dirname "$0")"
scripts=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The fake: FAKE_STATUS holds "package=abbrev" lines; an unknown package is
# not in dpkg's database (dpkg-query exits 1).
cat > "$tmp/dpkg-query" <<'FAKE'
#!/usr/bin/env bash
pkg="${!#}"
line=$(printf '%s\n' "$FAKE_STATUS" | grep "^$pkg=") || { echo "dpkg-query: no packages found matching $pkg" >&2; exit 1; }
printf '%s' "${line#*=}"
FAKE
chmod +x "$tmp/dpkg-query"

source ./install-deps.sh
PATH="$tmp:$PATH"

fails=0
check() { # name abbrev want(installed|missing)
  local got=missing
  if FAKE_STATUS="$1=$2" installed "$1"; then got=installed; fi
  if [ "$got" != "$3" ]; then
    echo "FAIL: installed $1 with status '$2': got $got, want $3"
    fails=$((fails + 1))
  fi
}
check gcc 'ii ' installed
check gcc 'it ' installed   # install ok triggers-pending
check gcc 'iW ' installed   # install ok triggers-awaited
check gcc 'hi ' installed   # on hold, installed
check gcc 'iU ' missing     # unpacked, not configured
check gcc 'iF ' missing     # half-configured
check gcc 'rc ' missing     # removed, config files left
check gcc 'un ' missing     # known, not installed
check nosuch '' missing     # not in the database

# Every group's packages are checked; only the missing ones are listed.
group_a=(p1 p2)
group_b=(p3)
apt_groups=(a b)
export FAKE_STATUS=$'p1=ii \np2=it \n'
got=$(missing_packages | tr '\n' ' ')
if [ "$got" != "p3 " ]; then
  echo "FAIL: missing_packages: got '$got', want 'p3 '"
  fails=$((fails + 1))
fi

# make run says that a first build takes minutes, and only then.
mkdir -p "$tmp/clone"
for bin in missing present; do
  [ "$bin" = present ] && mkdir -p "$tmp/clone/bin" && touch "$tmp/clone/bin/tokentray-ui"
  got=$(cd "$tmp/clone" && make -s -f "$scripts/../Makefile" build-note 2>&1 || true)
  want=""
  [ "$bin" = missing ] && want="first build"
  bad=""
  if [ -n "$want" ]; then [[ "$got" == *"$want"* ]] || bad=1; else [ -z "$got" ] || bad=1; fi
  if [ -n "$bad" ]; then
    echo "FAIL: make build-note with bin/ $bin: got '$got', want '${want:-nothing}'"
    fails=$((fails + 1))
  fi
done

if ((fails)); then exit 1; fi
echo "test-scripts: ok"
