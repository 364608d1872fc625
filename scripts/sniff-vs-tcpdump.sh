#!/bin/bash
# Measures how `takeover sniff -r` agrees with the tools on a directory of captures (tcpdump's own
# tests/ directory is the one we use: git clone https://github.com/the-tcpdump-group/tcpdump):
#   - every pcapng file: each frame's epoch time (ns), wire and captured length and interface, against
#     `tshark -T fields -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id`;
#   - every file of a link type sniff reads: its lines against `tcpdump -n -r` (TZ=UTC, tcpdump's
#     hex-dump continuation lines left out), line by line in order; all lines, and the ARP and ICMP
#     lines (the ones sniff prints exactly; others are "the nearest clear line"), and the IPv6 lines
#     and the ICMPv6 ones among them.
# Usage (after npm run build): scripts/sniff-vs-tcpdump.sh DIR
set -u
DIR=${1:?usage: $0 DIR}
CLI="$(realpath "$(dirname "$0")/../dist/src/cli/main.js")"
export TZ=UTC
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ng=0; ng_same=0; ng_failed=""
files=0; read_ok=0; lines=0; same=0; arp_icmp=0; arp_icmp_same=0; refused=0
ip6=0; ip6_same=0; icmp6=0; icmp6_same=0
for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
  [ -e "$f" ] || continue
  if [[ "$f" == *.pcapng ]]; then
    ng=$((ng + 1))
    tshark -r "$f" -T fields -e frame.time_epoch -e frame.len -e frame.cap_len -e frame.interface_id >"$TMP/t" 2>/dev/null
    node -e '
      const { CaptureReader } = require(process.argv[1] + "/../packets/capture");
      const r = new CaptureReader(); r.push(require("fs").readFileSync(process.argv[2]));
      const out = [];
      for (let x = r.next(); x !== undefined; x = r.next()) out.push(`${x.seconds}.${String(x.nanoseconds).padStart(9, "0")}\t${x.originalLength}\t${x.capturedLength}\t${x.interfaceId ?? 0}`);
      r.end(); process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));' "$(dirname "$CLI")" "$f" >"$TMP/o" 2>"$TMP/e"
    if cmp -s "$TMP/t" "$TMP/o"; then ng_same=$((ng_same + 1)); else ng_failed="$ng_failed $(basename "$f")"; fi
  fi
  linktype=$(tcpdump -n -r "$f" -c 1 2>&1 >/dev/null | grep -o "link-type [A-Za-z0-9_]*" | head -1 | cut -d' ' -f2)
  case "$linktype" in EN10MB|LINUX_SLL|LINUX_SLL2|RAW|NULL|LOOP) ;; *) continue ;; esac
  files=$((files + 1))
  tcpdump -n -r "$f" 2>/dev/null | grep -v $'^\t' | grep -v '^ ' >"$TMP/t"
  if node "$CLI" sniff -r "$f" >"$TMP/o" 2>"$TMP/e"; then read_ok=$((read_ok + 1)); else refused=$((refused + 1)); echo "refused: $(basename "$f"): $(grep takeover: "$TMP/e")"; fi
  n=$(wc -l <"$TMP/t"); lines=$((lines + n))
  s=$(awk 'NR == FNR { ours[FNR] = $0; next } ours[FNR] == $0' "$TMP/o" "$TMP/t" | wc -l); same=$((same + s))
  a=$(grep -c -e ' ARP, ' -e ': ICMP ' "$TMP/t"); arp_icmp=$((arp_icmp + a))
  b=$(awk 'NR == FNR { ours[FNR] = $0; next } ours[FNR] == $0 && (/ ARP, / || /: ICMP /)' "$TMP/o" "$TMP/t" | wc -l); arp_icmp_same=$((arp_icmp_same + b))
  c=$(grep -c ' IP6 ' "$TMP/t"); ip6=$((ip6 + c))
  d=$(awk 'NR == FNR { ours[FNR] = $0; next } ours[FNR] == $0 && / IP6 /' "$TMP/o" "$TMP/t" | wc -l); ip6_same=$((ip6_same + d))
  c=$(grep ' IP6 ' "$TMP/t" | grep -c 'ICMP6, '); icmp6=$((icmp6 + c))
  d=$(awk 'NR == FNR { ours[FNR] = $0; next } ours[FNR] == $0 && / IP6 / && /ICMP6, /' "$TMP/o" "$TMP/t" | wc -l); icmp6_same=$((icmp6_same + d))
done
echo "pcapng files: $ng, frames identical to tshark in $ng_same${ng_failed:+; differing:$ng_failed}"
echo "files of a link type sniff reads: $files, read whole: $read_ok, refused or cut: $refused"
echo "tcpdump lines: $lines, identical: $same; ARP and ICMP lines: $arp_icmp, identical: $arp_icmp_same"
echo "IPv6 lines: $ip6, identical: $ip6_same; of them ICMPv6: $icmp6, identical: $icmp6_same"
