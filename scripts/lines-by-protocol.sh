#!/bin/bash
# How `takeover sniff -r` agrees with `tcpdump -n -r` (TZ=UTC), protocol by protocol, on a directory of
# captures (tcpdump's own tests/ directory is the one we use). Lines are compared in order, frame for
# frame, in the files of a link type sniff reads (as sniff-vs-tcpdump.sh and transport-vs-tcpdump.sh
# do); each line is counted under the protocol of its frame, read from the frame's bytes (not from
# either line): ARP, IPv4 TCP/UDP/ICMP/VRRP/other, IPv6 TCP/UDP/ICMPv6/VRRP/other (after the
# extension headers), other link-layer protocols. For each: lines, identical, and identical but for
# an application decode tcpdump adds or puts in the place of ours:
#   - ours is the start of tcpdump's line, which goes on with ":", "," or " " (": HTTP: GET ...",
#     ": BGP", ", RPKI-RTR") or with a non-digit right after a "length N" ("length 347LDP, ...");
#   - UDP: both lines agree up to the ports, ours then says "UDP, length N" (or "UDP, bad length")
#     and tcpdump decodes what the ports carry instead (DNS, NTP, BFD, Geneve tunnels, ...).
# Usage (after npm run build): scripts/lines-by-protocol.sh DIR [CLI]   (CLI: a built dist/src/cli/main.js)
# ALL_OUT=FILE keeps every compared line (file, protocol, same/appdecode/differs, tcpdump's, ours).
set -u
DIR=${1:?usage: $0 DIR [CLI]}
CLI=${2:-"$(realpath "$(dirname "$0")/../dist/src/cli/main.js")"}
PACKETS="$(dirname "$CLI")/../packets"
export TZ=UTC
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for f in "$DIR"/*.pcap "$DIR"/*.pcapng; do
  [ -e "$f" ] || continue
  linktype=$(tcpdump -n -r "$f" -c 1 2>&1 >/dev/null | grep -o "link-type [A-Za-z0-9_]*" | head -1 | cut -d' ' -f2)
  case "$linktype" in EN10MB|LINUX_SLL|LINUX_SLL2|RAW|NULL|LOOP) ;; *) continue ;; esac
  tcpdump -n -r "$f" 2>/dev/null | grep -v $'^\t' | grep -v '^ ' >"$TMP/t"
  timeout 60 node "$CLI" sniff -r "$f" >"$TMP/o" 2>/dev/null
  # the protocol of each frame, from its bytes
  timeout 60 node -e '
    const { CaptureReader } = require(process.argv[1] + "/capture");
    const { LinkView } = require(process.argv[1] + "/linktype");
    const r = new CaptureReader(); r.push(require("fs").readFileSync(process.argv[2]));
    const link = new LinkView(); const out = [];
    const ip4 = { 1: "ICMP", 6: "TCP", 17: "UDP", 112: "VRRP" }, ip6 = { 58: "ICMPv6", 6: "TCP", 17: "UDP", 112: "VRRP" };
    function classOf(b, linkType) {
      let type, at;
      if (linkType === 1) {
        at = 12;
        while (at + 4 <= b.length && [0x8100, 0x88a8, 0x9100].includes((b[at] << 8) | b[at + 1])) at += 4;
        if (at + 2 > b.length) return "other link";
        type = (b[at] << 8) | b[at + 1]; at += 2;
      } else {
        if (!link.reset(linkType, b)) return "other link";
        type = link.etherType; at = link.headerLength;
      }
      if (type === 0x0806) return "ARP";
      if (type === 0x0800 && at + 10 <= b.length) return "IPv4 " + (ip4[b[at + 9]] ?? "other");
      if (type === 0x86dd && at + 40 <= b.length) {
        let nh = b[at + 6], cp = at + 40;
        for (let i = 0; i < 8 && [0, 43, 44, 60].includes(nh) && cp + 8 <= b.length; i++) {
          if (nh === 44 && (((b[cp + 2] << 8) | b[cp + 3]) & 0xfff8) !== 0) break;
          const next = b[cp]; cp += nh === 44 ? 8 : (b[cp + 1] + 1) * 8; nh = next;
        }
        return "IPv6 " + (ip6[nh] ?? "other");
      }
      return "other link";
    }
    for (let x = r.next(); x !== undefined; x = r.next()) out.push(classOf(x.data, r.linkType));
    process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));' "$PACKETS" "$f" >"$TMP/c" 2>/dev/null
  awk -v file="$(basename "$f")" '
    FILENAME == ARGV[1] { ours[FNR] = $0; next }
    FILENAME == ARGV[2] { kind[FNR] = $0; next }
    {
      o = ours[FNR]; t = $0; k = (FNR in kind) ? kind[FNR] : "other link"
      verdict = "differs"
      if (o == t) verdict = "same"
      else if (length(o) > 0 && index(t, o) == 1) {
        rest = substr(t, length(o) + 1)
        if (rest ~ /^[:, ]/ || (o ~ /length [0-9]+$/ && rest !~ /^[0-9]/)) verdict = "appdecode"
      } else if (k ~ /UDP$/ && (p = index(o, ": UDP, ")) > 0 && substr(t, 1, p + 1) == substr(o, 1, p + 1) && substr(t, p + 2, 5) != "UDP, ") verdict = "appdecode"
      print file "\t" k "\t" verdict "\t" t "\t" o
    }' "$TMP/o" "$TMP/c" "$TMP/t"
done >"$TMP/all"
awk -F'\t' '
  { n[$2]++; if ($3 == "same") s[$2]++; if ($3 != "differs") a[$2]++; N++; if ($3 == "same") S++; if ($3 != "differs") A++ }
  END {
    printf "%-12s %7s %9s %7s %22s %7s\n", "protocol", "lines", "identical", "%", "or but for app decode", "%"
    for (k in n) printf "%-12s %7d %9d %6.1f%% %22d %6.1f%%\n", k, n[k], s[k], 100 * s[k] / n[k], a[k], 100 * a[k] / n[k] | "sort"
    close("sort")
    printf "%-12s %7d %9d %6.1f%% %22d %6.1f%%\n", "all", N, S, 100 * S / N, A, 100 * A / N
  }' "$TMP/all"
if [ -n "${ALL_OUT:-}" ]; then cp "$TMP/all" "$ALL_OUT"; fi
