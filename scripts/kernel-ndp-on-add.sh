#!/bin/bash
# What the Linux kernel sends on the wire when an IPv6 address is added (README, "takeover ndp"):
# two namespaces on a bridge, IPv6 on; host a gets addresses in four ways, host b's tcpdump records
# every ICMPv6 frame a sends, and each frame is printed with its time after the `ip addr add` (or
# the `ip link set up`) that caused it:
#   1. 2001:db8::41/64 added to an up interface (kernel DAD);
#   2. 2001:db8::42/64 nodad added to an up interface;
#   3. a's interface down, 2001:db8::43/64 and 2001:db8::44/64 nodad added, interface up (a box
#      coming back after a link outage with its addresses configured);
#   4. 2001:db8::45/64 added with optimistic_dad=1 (RFC 4429);
#   5. with ndisc_notify=1: 2001:db8::46/64 added (kernel DAD), then 2001:db8::47/64 nodad.
# (The capture filter is "ip6", not "icmp6": MLD reports carry a hop-by-hop header, which libpcap's
# icmp6 does not look past.)
# Namespaces are tk-ndpadd-<pid>-*, deleted on exit. Usage: scripts/kernel-ndp-on-add.sh
set -eu
P="tk-ndpadd-$$-"
cleanup() {
  [ -n "${DUMP:-}" ] && kill "$DUMP" 2>/dev/null || true
  for n in sw a b; do ip netns delete "$P$n" 2>/dev/null || true; done
  rm -rf "${TMP:-}"
}
trap cleanup EXIT
TMP=$(mktemp -d)
for n in sw a b; do ip netns add "$P$n"; ip -n "$P$n" link set lo up; done
ip -n "${P}sw" link add br0 type bridge stp_state 0 forward_delay 0
ip -n "${P}sw" link set br0 up
for n in a b; do
  ip -n "$P$n" link add eth0 type veth peer name "$n-0" netns "${P}sw"
  ip -n "${P}sw" link set "$n-0" master br0 up
  ip -n "$P$n" link set eth0 up
done
MAC_A=$(ip -n "${P}a" -j link show dev eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
sleep 3 # the link-local addresses' own DAD, router solicitations and MLD reports are over
ip netns exec "${P}b" tcpdump -i eth0 -n -e -l -tt --immediate-mode "ip6 and ether src $MAC_A" >"$TMP/dump" 2>/dev/null &
DUMP=$!
sleep 1
mark() { echo "$(date +%s.%N) MARK $*" >>"$TMP/marks"; }
mark "1. ip -6 addr add 2001:db8::41/64 dev eth0 (interface up)"
ip -n "${P}a" -6 addr add 2001:db8::41/64 dev eth0
sleep 4
mark "2. ip -6 addr add 2001:db8::42/64 dev eth0 nodad (interface up)"
ip -n "${P}a" -6 addr add 2001:db8::42/64 dev eth0 nodad
sleep 4
ip -n "${P}a" link set eth0 down
ip -n "${P}a" -6 addr add 2001:db8::43/64 dev eth0
ip -n "${P}a" -6 addr add 2001:db8::44/64 dev eth0 nodad
sleep 1
mark "3. ip link set eth0 up (down with fe80::, 2001:db8::43 and 2001:db8::44 nodad on it)"
ip -n "${P}a" link set eth0 up
sleep 5
ip netns exec "${P}a" sysctl -qw net.ipv6.conf.eth0.optimistic_dad=1
mark "4. ip -6 addr add 2001:db8::45/64 dev eth0 (optimistic_dad=1)"
ip -n "${P}a" -6 addr add 2001:db8::45/64 dev eth0
sleep 4
ip netns exec "${P}a" sysctl -qw net.ipv6.conf.eth0.optimistic_dad=0 net.ipv6.conf.eth0.ndisc_notify=1
mark "5a. ip -6 addr add 2001:db8::46/64 dev eth0 (ndisc_notify=1)"
ip -n "${P}a" -6 addr add 2001:db8::46/64 dev eth0
sleep 4
mark "5b. ip -6 addr add 2001:db8::47/64 dev eth0 nodad (ndisc_notify=1)"
ip -n "${P}a" -6 addr add 2001:db8::47/64 dev eth0 nodad
sleep 4
kill "$DUMP"; wait "$DUMP" 2>/dev/null || true; DUMP=
echo "kernel $(uname -r); a's MAC $MAC_A; times in ms after each step"
cat "$TMP/marks" "$TMP/dump" | sort -s -g -k1,1 | awk '
  NF == 0 { next }
  $2 == "MARK" { t0 = $1; $1 = ""; $2 = ""; sub(/^  /, ""); print ""; print $0; next }
  { t = $1; $1 = ""; printf "  +%7.1f ms%s\n", (t - t0) * 1000, $0 }'
