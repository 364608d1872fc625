#!/bin/bash
# How `takeover sniff -r` agrees with `tcpdump -n -r` (TZ=UTC) on the TCP, UDP and VRRP lines of a
# directory of captures (tcpdump's own tests/ directory is the one we use). Lines are compared in
# order, frame for frame, in the files of a link type sniff reads; a tcpdump line counts as
#   TCP  when it has "Flags [", "[|tcp]" or "bad hdr length" after the addresses,
#   UDP  when it has ": UDP, ", "truncated-udp" or "[|udp]",
#   VRRP when it has "VRRP",
# whether it is over IPv4 ("IP ") or IPv6 ("IP6 "): the figures are printed for each.
# Usage (after npm run build): scripts/transport-vs-tcpdump.sh DIR [CLI]   (CLI: a built dist/src/cli/main.js)
# ALL_OUT=FILE keeps every compared line (file, same/differs, tcpdump's line, ours); SHOW_DIFFS=N prints N differing ones.
set -u
DIR=${1:?usage: $0 DIR [CLI]}
CLI=${2:-"$(realpath "$(dirname "$0")/../dist/src/cli/main.js")"}
export TZ=UTC
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
  [ -e "$f" ] || continue
  linktype=$(tcpdump -n -r "$f" -c 1 2>&1 >/dev/null | grep -o "link-type [A-Za-z0-9_]*" | head -1 | cut -d' ' -f2)
  case "$linktype" in EN10MB|LINUX_SLL|LINUX_SLL2|RAW|NULL|LOOP) ;; *) continue ;; esac
  tcpdump -n -r "$f" 2>/dev/null | grep -v $'^\t' | grep -v '^ ' >"$TMP/t"
  timeout 60 node "$CLI" sniff -r "$f" >"$TMP/o" 2>/dev/null
  awk -v file="$(basename "$f")" 'NR == FNR { ours[FNR] = $0; next } { print file "\t" (ours[FNR] == $0 ? "same" : "differs") "\t" $0 "\t" ours[FNR] }' "$TMP/o" "$TMP/t"
done >"$TMP/all"
for family in "IP " "IP6 "; do
  for proto in TCP UDP VRRP; do
    case $proto in
      TCP) pattern='Flags \[|\[\|tcp\]|bad hdr length' ;;
      UDP) pattern=': UDP, |truncated-udp|\[\|udp\]' ;;
      VRRP) pattern='VRRP' ;;
    esac
    awk -F'\t' -v family="$family" -v pattern="$pattern" '
      { line = $3; sub(/^[0-9:.]+ /, "", line) }
      index(line, family) == 1 && line ~ pattern {
        n++
        if ($2 == "same") s++
        # identical up to where tcpdump goes on to decode an application (": HTTP: ...", ": BGP", " NFS ...")
        if ($2 == "same" || (length($4) > 0 && index($3, $4) == 1 && substr($3, length($4) + 1) ~ /^[:, ]/)) p++
      }
      END { printf "%-4s %-5s lines %6d, identical %6d (%.1f %%), identical but for an application decode %6d (%.1f %%)\n", family, pattern == "VRRP" ? "VRRP" : (pattern ~ /tcp/ ? "TCP" : "UDP"), n, s, n ? 100 * s / n : 0, p, n ? 100 * p / n : 0 }' "$TMP/all"
  done
done
if [ -n "${ALL_OUT:-}" ]; then cp "$TMP/all" "$ALL_OUT"; fi
if [ -n "${SHOW_DIFFS:-}" ]; then grep -P '\tdiffers\t' "$TMP/all" | grep -E 'Flags \[|UDP, |VRRP|\[\|tcp\]|\[\|udp\]' | head -"${SHOW_DIFFS}"; fi
