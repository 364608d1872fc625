#!/usr/bin/env bash
# systemd-proof-root.sh: builds, once, the Debian bookworm root the systemd proof boots
# (test/deploy/systemd-proof.ts, `npm run test:systemd`), and prints its path. A minbase debootstrap
# with systemd, systemd-sysv, iproute2, libpcap0.8 (the package's native capture binding links it)
# and procps, from the Debian mirror apt already uses (/etc/apt/sources.list*). Kept in
# $TAKEOVER_PROOF_CACHE (default /var/cache/takeover-proof) under a name derived from the package
# list, so a changed list builds a new root; the proof never writes into it (it boots an overlay).
# Delete the directory to rebuild. Needs root and about 250 MB; takes a minute or two.
set -euo pipefail

cache=${TAKEOVER_PROOF_CACHE:-/var/cache/takeover-proof}
suite=bookworm
include=systemd,systemd-sysv,iproute2,libpcap0.8,procps
key=$(printf '%s' "$suite minbase $include" | sha256sum | cut -c1-12)
root=$cache/root-$key

say() { echo "systemd-proof-root: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap); run as root"
case "$cache" in /|/tmp|/tmp/*) die "TAKEOVER_PROOF_CACHE=$cache: not / or under /tmp; pick a directory of its own" ;; esac
mkdir -p "$cache"

# One builder at a time.
exec 9>"$cache/.lock"
flock -w 900 9 || die "$cache/.lock: another build holds it for 15 minutes; remove the lock if none runs"

if [ -f "$root/.takeover-proof-root" ]; then
  echo "$root"
  exit 0
fi

# The mirror apt uses for $suite: a deb822 stanza (URIs:/Suites:) or a one-line "deb URI suite ...".
mirror=$(
  { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk -v suite="$suite" '
    /^[[:space:]]*$/ { if (uri != "" && has) { print uri; exit } uri = ""; has = 0; next }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) has = 1 }
    /^deb[[:space:]]/ { n = 2; if ($2 ~ /^\[/) { while (n <= NF && $n !~ /\]$/) n++; n++ } if ($(n + 1) == suite) { print $n; exit } }
    END { if (uri != "" && has) print uri }' | head -n 1
)
[ -n "$mirror" ] || die "no apt source for $suite in /etc/apt/sources.list*; this script builds a Debian $suite root only"

if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2; }
fi

say "building $root from $mirror (minbase + $include)"
started=$(date +%s)
rm -rf "$root.partial"
if ! timeout 900 debootstrap --variant=minbase --include="$include" "$suite" "$root.partial" "$mirror" >"$cache/build-$key.log" 2>&1; then
  tail -n 20 "$cache/build-$key.log" >&2
  rm -rf "$root.partial"
  die "debootstrap failed (log: $cache/build-$key.log)"
fi
touch "$root.partial/.takeover-proof-root"
mv "$root.partial" "$root"
say "built in $(($(date +%s) - started)) s"
echo "$root"
