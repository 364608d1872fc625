#!/usr/bin/env bash
# systemd-proof-boot.sh: the first process of the systemd proof's container (test/deploy/systemd-proof.ts
# starts it as `ip netns exec <brain namespace> unshare --pid --fork --mount --cgroup --kill-child`, so it
# is PID 1 of a new PID, mount and cgroup namespace, in Brain's network namespace). It lays a private
# root out of the cached Debian root and execs systemd as PID 1 inside it:
#
#   LAYOUT    the host's cgroup layout: unified (cgroup2 only), hybrid or legacy (v1), mounted alike
#   BASE      a debootstrap root made by scripts/systemd-proof-root.sh (it must hold .takeover-proof-root);
#             only read: an overlay puts this run's changes in RUN/upper
#   RUN       this run's directory: RUN/upper (the unit, the config, the package), RUN/work, RUN/root
#   NODE      the host's node binary, bind-mounted read-only at /usr/local/bin/node
#
# Never on the host's root: systemd's boot-time tmpfiles would empty the host's /tmp. So this script
# refuses unless RUN/root is a fresh overlay mount holding BASE's marker and is not the host's /.
# Nothing of the host is writable inside: /proc/sys and /sys are read-only, /dev is a tmpfs with a few
# pseudo-devices bound in (not the host's /dev), /run and /tmp are tmpfs, and the cgroup hierarchies
# are mounted through the cgroup namespace, so systemd sees only its own subtree.
set -euo pipefail

die() { echo "systemd-proof-boot: $*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: systemd-proof-boot.sh LAYOUT BASE RUN NODE"
layout=$1 base=$2 run=$3 node=$4
case "$layout" in unified|hybrid|legacy) ;; *) die "$layout: not unified, hybrid or legacy" ;; esac
[ "$$" -eq 1 ] || die "not PID 1 of a new PID namespace (run under unshare --pid --fork --mount); refusing"
case "$base:$run" in /*:/*) ;; *) die "BASE and RUN must be absolute paths" ;; esac
[ -f "$base/.takeover-proof-root" ] || die "$base: no .takeover-proof-root marker; build it with scripts/systemd-proof-root.sh"
[ -x "$base/lib/systemd/systemd" ] || die "$base: no /lib/systemd/systemd"
for d in upper work root; do [ -d "$run/$d" ] || die "$run/$d: missing"; done
[ -x "$node" ] || die "$node: not executable"

# Nothing below may propagate back to the host's mount namespace.
mount --make-rprivate /

root=$run/root
mount -t overlay overlay -o "lowerdir=$base,upperdir=$run/upper,workdir=$run/work" "$root"
mountpoint -q "$root" || die "$root: the overlay did not mount"
[ -f "$root/.takeover-proof-root" ] || die "$root: no marker after mounting; refusing"
[ "$(stat -c %d:%i "$root")" != "$(stat -c %d:%i /)" ] || die "$root is the host's /; refusing"
mount --bind "$root" "$root"

mount -t proc proc "$root/proc"
# /proc/sys read-only: no sysctl of the host's kernel can be changed from inside.
mount --bind "$root/proc/sys" "$root/proc/sys"
mount -o remount,bind,ro "$root/proc/sys"

# /sys is the sysfs `ip netns exec` mounted for Brain's namespace (its /sys/class/net shows Brain's
# interfaces), read-only; the cgroup hierarchies go on a tmpfs over /sys/fs/cgroup, rooted at this
# namespace's cgroup (systemd-proof-launch.sh made and entered it in every hierarchy before unshare
# --cgroup). On a v1 layout systemd mounts the controllers itself, also rooted there.
mount --rbind /sys "$root/sys"
mount -o remount,bind,ro "$root/sys"
if [ "$layout" = unified ]; then
  mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"
else
  mount -t tmpfs -o mode=0755,nosuid,nodev,noexec tmpfs "$root/sys/fs/cgroup"
  mkdir "$root/sys/fs/cgroup/systemd"
  mount -t cgroup -o none,name=systemd,xattr cgroup "$root/sys/fs/cgroup/systemd"
  if [ "$layout" = hybrid ]; then
    mkdir "$root/sys/fs/cgroup/unified"
    mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup/unified"
  fi
fi

# A /dev of its own: the pseudo-devices only (PrivateDevices= of the unit binds these again).
mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev"
for dev in null zero full random urandom tty; do
  touch "$root/dev/$dev"
  mount --bind "/dev/$dev" "$root/dev/$dev"
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"

mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"

# The host's node, read-only (the test put an empty file there in RUN/upper to bind onto).
[ -f "$root/usr/local/bin/node" ] || die "$root/usr/local/bin/node: no placeholder to bind node onto"
mount --bind "$node" "$root/usr/local/bin/node"
mount -o remount,bind,ro "$root/usr/local/bin/node"

# Shared propagation inside the container, as a booted systemd has it: systemd mounts each service's
# credentials (LoadCredential=) in its own namespace and relies on /run propagating them into the
# service's. Made after the rprivate above, so no mount of the host is a peer of these.
mount --make-rshared "$root"

exec chroot "$root" /usr/bin/env -i container=unshare TERM=dumb /lib/systemd/systemd --system --show-status=false --log-target=journal
