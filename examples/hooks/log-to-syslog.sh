#!/bin/sh
# log-to-syslog.sh: a takeover hook that writes each transition to syslog (facility daemon), so it
# shows up in journalctl -t takeover and wherever the box's syslog goes.
#
# SYNOPSIS
#   hooks:
#     all: /etc/takeover/hooks/log-to-syslog.sh
#
# DESCRIPTION
#   takeover runs it as `log-to-syslog.sh EVENT ADDRESS INTERFACE`, with TAKEOVER_EVENT,
#   TAKEOVER_ADDRESS, TAKEOVER_INTERFACE, TAKEOVER_DETAIL, TAKEOVER_NODE and TAKEOVER_PEER set.
#   EVENT is claimed, released, conflict, peer-down or peer-up. Conflicts and a peer going down are
#   logged at warning, the rest at notice.
set -eu
event=${1:?usage: log-to-syslog.sh EVENT ADDRESS INTERFACE}
address=${2:-}
interface=${3:-}
case "$event" in
  conflict|peer-down) priority=daemon.warning ;;
  *) priority=daemon.notice ;;
esac
logger -t takeover -p "$priority" -- \
  "${TAKEOVER_NODE:-?}: $event ${address:+$address }on ${interface:-?} (peer ${TAKEOVER_PEER:-?}): ${TAKEOVER_DETAIL:-}"
