#!/usr/bin/env bash
# One-time set-up on a Debian machine (run as root): the system packages takeover's native bindings,
# tests and lab need, then the npm dependencies and the build. Safe to run again: it installs only
# what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# libpcap-dev: headers for the native `cap` and `pcap` bindings. iproute2, nftables: the lab and the
# end-to-end tests (namespaces, veth, faults). tcpdump, tshark, python3-scapy, iputils-ping, fping,
# arping, ndisc6: independent peers our codecs, sniffer and prober are checked against (ndisc6: who
# answers the router's Neighbor Solicitation, in the IPv6 end-to-end tests). util-linux: setpriv,
# which runs hooks without capabilities. prometheus: its promtool checks and unit-tests
# deploy/prometheus-alerts.yml (nothing starts the server). systemd: only for `systemd-analyze
# security --offline` on the unit (installing the package boots nothing). g++/make/python3:
# node-gyp's toolchain.
packages=(libpcap-dev iproute2 nftables tcpdump tshark python3-scapy iputils-ping fping arping ndisc6 g++ make python3 procps keepalived util-linux prometheus systemd)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install ${missing[*]} (run: sudo $0)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm 11 runs dependency install scripts only for packages listed under "allowScripts" in
# package.json (cap and pcap are): without that their libpcap bindings would silently not build.
npm ci --no-audit --no-fund
node -e 'require("cap"); require("pcap")' || { echo "setup: the cap/pcap native bindings did not build (see npm ci output above)" >&2; exit 1; }
# the package test installs the packed tarballs with --offline: their dependencies must be in npm's cache
node scripts/warm-npm-cache.mjs
npm run build --silent
echo "setup: done"
