#!/usr/bin/env bash
# systemd-proof-launch.sh: starts the systemd proof's container (test/deploy/systemd-proof.ts runs it).
#
#   systemd-proof-launch.sh CGROUP NETNS BASE RUN NODE
#
# Makes a cgroup named CGROUP (tk-<pid>-…) below this process's own cgroup in every hierarchy and moves
# itself into it, so the systemd booted below sees (through its cgroup namespace) only that subtree:
# what it creates, it creates there, and the test removes CGROUP everywhere when it is done. Then
# `ip netns exec NETNS unshare --pid --fork --mount --cgroup --kill-child systemd-proof-boot.sh`:
# systemd becomes PID 1 of new PID, mount and cgroup namespaces inside Brain's network namespace. The
# cgroup layout (unified, hybrid or legacy) is passed on so the boot script mounts the same one.
set -euo pipefail

die() { echo "systemd-proof-launch: $*" >&2; exit 1; }
[ $# -eq 5 ] || die "usage: systemd-proof-launch.sh CGROUP NETNS BASE RUN NODE"
cgroup=$1 netns=$2 base=$3 run=$4 node=$5
[[ $cgroup =~ ^tk-[0-9]+-[a-z0-9-]+$ ]] || die "$cgroup: not a tk-<pid>-… name"
here=$(dirname "$(readlink -f "$0")")

# cgroup mounts: "mountpoint superoptions" for each cgroup and cgroup2 file system.
mounts=$(awk '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5, $(i + 1), $(i + 3) }' /proc/self/mountinfo)
[ -n "$mounts" ] || die "no cgroup file system is mounted"

layout=legacy
if grep -q '^/sys/fs/cgroup cgroup2 ' <<<"$mounts"; then layout=unified
elif grep -q '^/sys/fs/cgroup/unified cgroup2 ' <<<"$mounts"; then layout=hybrid; fi

# Every hierarchy this process is in ("ID:CONTROLLERS:PATH"): find its mount, make CGROUP below PATH, join it.
# Read once: /proc/self/cgroup changes as this process moves.
memberships=$(cat /proc/self/cgroup)
while IFS=: read -r id controllers path; do
  if [ "$id" = 0 ]; then
    mountpoint=$(awk '$2 == "cgroup2" { print $1; exit }' <<<"$mounts")
  else
    mountpoint=$(awk -v want="$controllers" '$2 == "cgroup" {
        n = split(want, w, ","); split($3, o, ","); delete have; for (k in o) have[o[k]] = 1
        ok = 1; for (j = 1; j <= n; j++) if (!(w[j] in have)) ok = 0
        if (ok) { print $1; exit } }' <<<"$mounts")
  fi
  [ -n "$mountpoint" ] || continue # a hierarchy not mounted here: nothing can be made in it
  dir=${mountpoint}${path%/}/$cgroup
  mkdir -p "$dir"
  if [[ ,$controllers, == *,cpuset,* ]]; then
    # a new v1 cpuset has no CPUs nor memory nodes: take the parent's
    cat "$(dirname "$dir")/cpuset.cpus" >"$dir/cpuset.cpus"
    cat "$(dirname "$dir")/cpuset.mems" >"$dir/cpuset.mems"
  fi
  echo $$ >"$dir/cgroup.procs"
done <<<"$memberships"

exec ip netns exec "$netns" unshare --pid --fork --mount --cgroup --kill-child "$here/systemd-proof-boot.sh" "$layout" "$base" "$run" "$node"
