#!/bin/bash
# Why keepalived's IPv6 failback takes a second or two after an administrative down (README, "IPv6
# failback and duplicate address detection"), measured: bench:failover's lab (router 2001:db8:1::1,
# Brain and Pinky running keepalived with bench/keepalived/{brain6,pinky6}.conf, one bridge) with
# the router pinging 2001:db8:1::37 every 5 ms so that its neighbour entry follows the owner. Each
# trial takes Brain's link away (carrier: its switch port down; admin: `ip link set dev eth0 down`
# inside Brain), waits 1.5 s (Pinky holds the VIP), gives it back and records for 3 s:
#   - Brain's addresses as its kernel tells them (`ip -ts monitor address` in Brain's namespace):
#     the link-local and the VIP going, coming back "tentative", "optimistic", "dadfailed", usable;
#   - the router's neighbour entry for the VIP (`ip -ts monitor neigh` in the router's namespace);
#   - every IPv6 frame the router receives (tcpdump in its namespace, filter "ip6" minus the pings
#     and their replies; VRRP advertisements cut to the first 3 per sender);
#   - Brain's keepalived lines (state changes, the link-local it waits for), stamped as read;
#   - `ip -6 -o addr show dev eth0` in Brain's namespace every 10 ms from 1 s before (the kernel tells
#     rtnetlink of an address only once its DAD is over, unless it is optimistic: the poll sees
#     "tentative" where the monitor sees nothing).
# One such timeline per setting and outage, then a table: per setting, outage and trial, ms from
# the link coming back to the link-local being usable, to Brain's VIP being back (usable) and to the
# router's entry holding Brain's MAC. Settings, as sysctls of eth0 in Brain's namespace only:
#   default                     accept_dad=1, dad_transmits=1, optimistic_dad=0 (the kernel's)
#   optimistic                  optimistic_dad=1 use_optimistic=1 (RFC 4429)
#   accept_dad=0                no DAD on eth0 at all
#   dad_transmits=0             DAD with no probe: an address is usable when added
# Then, with the kernel's defaults and keepalived stopped, "nodad+NA": what a daemon that does not
# wait for the link-local can do. Pinky holds the VIP (added nodad); Brain's link goes; Pinky drops
# the VIP; a helper in Brain's namespace that watches /sys/class/net/eth0/carrier (every 1 ms) adds
# the VIP nodad and sends one unsolicited NA (Override set, from the VIP, Target Link-Layer Address
# option) from a packet socket the moment the link is back, while the link-local is still tentative.
# Namespaces are tk-b6dad-<pid>-*, deleted on exit. Root. Usage:
#   scripts/ipv6-failback-dad.sh [TRIALS] [SETTING...]   (default 3 trials, every setting)
set -eu
TRIALS=${1:-3}
shift || true
SETTINGS=("$@")
[ ${#SETTINGS[@]} -eq 0 ] && SETTINGS=(default optimistic accept_dad=0 dad_transmits=0)
[[ "$TRIALS" =~ ^[0-9]+$ ]] && [ "$TRIALS" -ge 1 ] && [ "$TRIALS" -le 20 ] || { echo "ipv6-failback-dad.sh: TRIALS must be a whole number from 1 to 20, not \"$TRIALS\"" >&2; exit 2; }
for setting in "${SETTINGS[@]}"; do
  case "$setting" in default|optimistic|accept_dad=0|dad_transmits=0) ;;
    *) echo "ipv6-failback-dad.sh: no setting \"$setting\"; there are: default optimistic accept_dad=0 dad_transmits=0" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")/.." && pwd)
P="tk-b6dad-$$-"
PIDS=()
cleanup() {
  # keepalived by its own pid files: the pipeline's $! is the stamper at its end, not keepalived
  for n in brain pinky; do [ -s "${TMP:-/nonexistent}/$n.pid" ] && kill "$(cat "$TMP/$n.pid")" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for n in sw router brain pinky; do ip netns delete "$P$n" 2>/dev/null || true; done
  rm -rf "${TMP:-}"
}
trap cleanup EXIT
TMP=$(mktemp -d)
cat >"$TMP/addrpoll.py" <<'EOF'
# `ip -6 -o addr show dev eth0` every 10 ms for SECONDS; prints "epoch line" for each line that changed
import subprocess, sys, time
end = time.time() + float(sys.argv[1])
seen = set()
while time.time() < end:
    out = subprocess.run(["ip", "-6", "-o", "addr", "show", "dev", "eth0"], capture_output=True, text=True).stdout
    t = time.time()
    now = {" ".join(l.split()[1:]).split(" valid_lft")[0] for l in out.splitlines()}
    for l in sorted(now - seen): print(f"{t:.6f} poll {l}", flush=True)
    for l in sorted(seen - now): print(f"{t:.6f} poll gone: {l}", flush=True)
    seen = now
    time.sleep(0.01)
EOF
cat >"$TMP/nodad-na.py" <<'EOF'
# Waits (≤ 5 s) for eth0's carrier, then adds VIP/64 nodad and sends one unsolicited NA for it
# (Override, from VIP to ff02::1, Target Link-Layer Address option = MAC); prints when it sent.
import socket, struct, subprocess, sys, time
vip, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
def carrier():
    try: return open("/sys/class/net/eth0/carrier").read().strip() == "1"
    except OSError: return False
end = time.time() + 5
while not carrier():
    if time.time() > end: sys.exit("nodad-na.py: no carrier on eth0 within 5 s")
    time.sleep(0.001)
up = time.time()
subprocess.run(["ip", "-6", "addr", "add", f"{vip}/64", "dev", "eth0", "nodad"], check=True)
src, dst = socket.inet_pton(socket.AF_INET6, vip), socket.inet_pton(socket.AF_INET6, "ff02::1")
body = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + src + bytes([2, 1]) + mac
pseudo = src + dst + struct.pack("!I3xB", len(body), 58) + body
total = sum(struct.unpack(f"!{len(pseudo) // 2}H", pseudo))
while total >> 16: total = (total & 0xFFFF) + (total >> 16)
body = body[:2] + struct.pack("!H", ~total & 0xFFFF) + body[4:]
ip6 = struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + src + dst
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
s.send(bytes.fromhex("333300000001") + mac + b"\x86\xdd" + ip6 + body)
sent = time.time()
print(f"{up:.6f} helper carrier seen", flush=True)
print(f"{sent:.6f} helper VIP added nodad, NA sent", flush=True)
EOF
declare -A MAC=([router]=02:00:00:00:00:01 [brain]=02:00:00:00:00:17 [pinky]=02:00:00:00:00:18)
declare -A V4=([router]=192.0.2.1/24 [brain]=192.0.2.17/24 [pinky]=192.0.2.18/24)
for n in sw router brain pinky; do ip netns add "$P$n"; ip -n "$P$n" link set lo up; done
ip netns exec "${P}sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "${P}sw" link add br-lan type bridge stp_state 0 forward_delay 0
ip -n "${P}sw" link set br-lan up
for n in router brain pinky; do
  ip -n "$P$n" link add eth0 address "${MAC[$n]}" type veth peer name "$n-0" netns "${P}sw"
  ip -n "${P}sw" link set "$n-0" master br-lan up
  ip -n "$P$n" addr add "${V4[$n]}" dev eth0
  ip -n "$P$n" link set eth0 up
done
ip -n "${P}router" -6 addr add 2001:db8:1::1/64 dev eth0 nodad
stamp() { python3 -u -c 'import sys, time
for line in sys.stdin: sys.stdout.write(f"{time.time():.6f} {line}")'; }
for n in brain pinky; do
  ip netns exec "$P$n" keepalived --vrrp --dont-fork --log-console --no-syslog --use-file "$HERE/bench/keepalived/${n}6.conf" \
    --pid "$TMP/$n.pid" --vrrp_pid "$TMP/$n-vrrp.pid" --checkers_pid "$TMP/$n-checkers.pid" 2>&1 | stamp >"$TMP/$n.log" &
  PIDS+=($!)
done
# steady: Brain holds the VIP, usable, and the router reaches it
for i in $(seq 1 100); do
  ip -n "${P}brain" -6 addr show dev eth0 to 2001:db8:1::37 -tentative | grep -q 2001 &&
    ip netns exec "${P}router" ping -6 -c 1 -W 0.2 -n 2001:db8:1::37 >/dev/null 2>&1 && break
  [ "$i" -eq 100 ] && { echo "ipv6-failback-dad.sh: no steady state in 20 s" >&2; exit 1; }
  sleep 0.2
done
ip netns exec "${P}router" ping -6 -n -q -i 0.005 -w 900 2001:db8:1::37 >/dev/null 2>&1 &
PIDS+=($!)
TZ=UTC ip -n "${P}brain" -ts monitor address >"$TMP/addr" 2>&1 &
PIDS+=($!)
TZ=UTC ip -n "${P}router" -ts monitor neigh >"$TMP/neigh" 2>&1 &
PIDS+=($!)
ip netns exec "${P}router" tcpdump -i eth0 -n -e -v -l -tt --immediate-mode \
  'ip6 and not (ip6[6] == 58 and (ip6[40] == 128 or ip6[40] == 129))' 2>/dev/null >"$TMP/dump" &
PIDS+=($!)
sleep 1
mark() { echo "$(date +%s.%N) MARK $*" >>"$TMP/marks"; }
for setting in "${SETTINGS[@]}"; do
  s="net.ipv6.conf.eth0"
  case "$setting" in
    default) ip netns exec "${P}brain" sysctl -qw $s.accept_dad=1 $s.dad_transmits=1 $s.optimistic_dad=0 $s.use_optimistic=0 ;;
    optimistic) ip netns exec "${P}brain" sysctl -qw $s.accept_dad=1 $s.dad_transmits=1 $s.optimistic_dad=1 $s.use_optimistic=1 ;;
    accept_dad=0) ip netns exec "${P}brain" sysctl -qw $s.accept_dad=0 $s.dad_transmits=1 $s.optimistic_dad=0 $s.use_optimistic=0 ;;
    dad_transmits=0) ip netns exec "${P}brain" sysctl -qw $s.accept_dad=1 $s.dad_transmits=0 $s.optimistic_dad=0 $s.use_optimistic=0 ;;
    *) echo "ipv6-failback-dad.sh: no setting \"$setting\"; there are: default optimistic accept_dad=0 dad_transmits=0" >&2; exit 2 ;;
  esac
  for trial in $(seq 1 "$TRIALS"); do
    for outage in carrier admin; do
      if [ "$outage" = carrier ]; then down=(-n "${P}sw" link set brain-0 down); up=(-n "${P}sw" link set brain-0 up)
      else down=(-n "${P}brain" link set dev eth0 down); up=(-n "${P}brain" link set dev eth0 up); fi
      mark "down $setting $outage $trial"
      ip "${down[@]}"
      sleep 0.5
      # started a second ahead: a python started under load looks only after 0.1-0.4 s
      ip netns exec "${P}brain" python3 "$TMP/addrpoll.py" 4 >>"$TMP/poll" &
      sleep 1
      mark "up $setting $outage $trial"
      ip "${up[@]}"
      sleep 3
      wait $!
    done
  done
done
# nodad+NA: keepalived stopped (it removes its VIPs), Pinky holds the VIP, default sysctls
ip netns exec "${P}brain" sysctl -qw net.ipv6.conf.eth0.accept_dad=1 net.ipv6.conf.eth0.dad_transmits=1 net.ipv6.conf.eth0.optimistic_dad=0 net.ipv6.conf.eth0.use_optimistic=0
for n in brain pinky; do kill "$(cat "$TMP/$n.pid")" 2>/dev/null || true; done
sleep 1
for trial in $(seq 1 "$TRIALS"); do
  for outage in carrier admin; do
    if [ "$outage" = carrier ]; then down=(-n "${P}sw" link set brain-0 down); up=(-n "${P}sw" link set brain-0 up)
    else down=(-n "${P}brain" link set dev eth0 down); up=(-n "${P}brain" link set dev eth0 up); fi
    ip -n "${P}brain" -6 addr del 2001:db8:1::37/64 dev eth0 2>/dev/null || true
    ip -n "${P}pinky" -6 addr add 2001:db8:1::37/64 dev eth0 nodad
    mark "down nodad+NA $outage $trial"
    ip "${down[@]}"
    sleep 0.3
    # the router as after a failover to Pinky (its own NUD would take seconds to find Pinky)
    ip netns exec "${P}router" ip -6 neigh replace 2001:db8:1::37 lladdr "${MAC[pinky]}" dev eth0 nud stale
    sleep 1.2
    ip -n "${P}pinky" -6 addr del 2001:db8:1::37/64 dev eth0
    ip netns exec "${P}brain" python3 "$TMP/nodad-na.py" 2001:db8:1::37 "${MAC[brain]}" >>"$TMP/helper" 2>&1 &
    HELPER=$!
    ip netns exec "${P}brain" python3 "$TMP/addrpoll.py" 4 >>"$TMP/poll" &
    POLL=$!
    sleep 1
    mark "up nodad+NA $outage $trial"
    ip "${up[@]}"
    sleep 3
    wait "$HELPER" "$POLL" || true
  done
done
sleep 0.5
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
PIDS=()
sleep 0.3
echo "kernel $(uname -r); $(keepalived --version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Brain ${MAC[brain]}, Pinky ${MAC[pinky]}, router ${MAC[router]}"
python3 - "$TMP" "${MAC[brain]}" "${MAC[pinky]}" <<'EOF'
import re, sys, datetime, statistics
tmp, brain_mac, pinky_mac = sys.argv[1:4]
def ts(text):  # ip -ts: [2026-12-04T18:40:00.123456]
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
marks = []
for line in open(f"{tmp}/marks"):
    t, _, kind, setting, outage, trial = line.split()
    marks.append((float(t), kind, setting, outage, int(trial)))
events = []  # (t, source, text)
for line in open(f"{tmp}/addr"):
    m = re.match(r"\[([^\]]+)\]\s*(.*)", line.rstrip())
    if m: events.append((ts(m.group(1)), "brain addr", re.sub(r"\s+", " ", m.group(2))))
for line in open(f"{tmp}/neigh"):
    m = re.match(r"\[([^\]]+)\]\s*(.*)", line.rstrip())
    if m and "2001:db8:1::37" in m.group(2): events.append((ts(m.group(1)), "router neigh", m.group(2)))
for line in open(f"{tmp}/dump"):
    m = re.match(r"(\d+\.\d+) (\S+) > (\S+), (.*)", line.rstrip())
    if m:
        who = {brain_mac: "Brain", pinky_mac: "Pinky"}.get(m.group(2), m.group(2))
        # -v for the NA flags; the IPv6 header's fields and the ethertype left out
        text = re.sub(r"ethertype IPv6 \(0x86dd\), |\(flowlabel [^)]*\)\) |\(hlim [^)]*\)\) |\[icmp6 sum ok\] ", "", m.group(4))
        events.append((float(m.group(1)), f"wire {who}", f"> {m.group(3)} {text}"))
for name in ("poll", "helper"):
    try:
        for line in open(f"{tmp}/{name}"):
            t, _, text = line.rstrip().partition(" ")
            source, _, text = text.partition(" ")
            events.append((float(t), f"brain {source}", text))
    except FileNotFoundError:
        pass
for line in open(f"{tmp}/brain.log"):
    t, _, text = line.rstrip().partition(" ")
    text = re.sub(r"^\w{3} \w{3} +\d+ [\d:]+ \d{4}: ", "", text)
    if re.search(r"Entering|Assigned|link-local|removing VIPs|setting VIPs|Unsolicited|Netlink reports|interface .* (up|down)|fault|FAULT", text) and "Sending unsolicited" not in text:
        events.append((float(t), "brain keepalived", text))
events.sort()
rows = []
shown = set()
for i, (t0, kind, setting, outage, trial) in enumerate(marks):
    if kind != "up":
        continue
    end = marks[i + 1][0] if i + 1 < len(marks) else t0 + 3.5
    window = [e for e in events if t0 - 0.002 <= e[0] < end]
    def first(pred):
        hit = next((e for e in window if pred(e)), None)
        return None if hit is None else (hit[0] - t0) * 1000
    addr = lambda e: e[1] in ("brain addr", "brain poll") and not e[2].startswith(("Deleted", "gone"))
    ll_usable = first(lambda e: addr(e) and "inet6 fe80::" in e[2] and "tentative" not in e[2])
    ll_tentative = first(lambda e: addr(e) and "inet6 fe80::" in e[2] and "tentative" in e[2])
    vip_usable = first(lambda e: addr(e) and "2001:db8:1::37" in e[2] and "tentative" not in e[2])
    entry = first(lambda e: e[1] == "router neigh" and brain_mac in e[2])
    dadfailed = any(e[1] in ("brain addr", "brain poll") and "dadfailed" in e[2] for e in window)
    rows.append((setting, outage, trial, ll_tentative, ll_usable, vip_usable, entry, dadfailed))
    if (setting, outage) in shown:
        continue
    shown.add((setting, outage))
    print(f"\n== {setting}, {outage} outage, trial {trial}: ms after the link came back (Δ: after the line before)")
    vrrp = {}
    last = t0
    for t, source, text in window:
        if source.startswith("wire") and "VRRP" in text:
            vrrp[source] = vrrp.get(source, 0) + 1
            if vrrp[source] == 4: print(f"{'':>10} {'':>9}  {source:<16} … (more VRRP advertisements from it not shown)")
            if vrrp[source] > 3: continue
        print(f"{(t - t0) * 1000:+10.1f} {(t - last) * 1000:+9.1f}  {source:<16} {text[:200]}")
        last = t
f = lambda v: "—" if v is None else f"{v:.1f}"
print("\nms after the link came back: Brain's link-local seen tentative, usable; its VIP 2001:db8:1::37 usable; the router's entry at Brain's MAC")
print(f"{'setting':<16} {'outage':<8} {'trial':>5} {'ll tentative':>12} {'ll usable':>10} {'VIP usable':>10} {'router entry':>12}  dadfailed")
for setting, outage, trial, llt, llu, vip, entry, df in rows:
    print(f"{setting:<16} {outage:<8} {trial:>5} {f(llt):>12} {f(llu):>10} {f(vip):>10} {f(entry):>12}  {'yes' if df else ''}")
print("\nrouter entry, median (min–max) per setting and outage")
for key in sorted({(r[0], r[1]) for r in rows}, key=lambda k: [r[:2] for r in rows].index(k)):
    v = [r[6] for r in rows if (r[0], r[1]) == key and r[6] is not None]
    miss = sum(1 for r in rows if (r[0], r[1]) == key and r[6] is None)
    print(f"{key[0]:<16} {key[1]:<8} {f(statistics.median(v)) if v else '—':>8} ({f(min(v)) if v else '—'}–{f(max(v)) if v else '—'}){f'  {miss} not within 3 s' if miss else ''}")
EOF
