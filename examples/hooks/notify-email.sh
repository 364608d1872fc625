#!/bin/sh
# notify-email.sh: a takeover hook that prints the e-mail it would send about a transition. It sends
# nothing: takeover logs what a hook prints, so the message shows up in the daemon's log. To really
# send it, pipe the message into sendmail -t (or your mailer) where the comment below says.
#
# SYNOPSIS
#   hooks:
#     claimed: /etc/takeover/hooks/notify-email.sh
#     conflict: /etc/takeover/hooks/notify-email.sh
#     peer-down: /etc/takeover/hooks/notify-email.sh
#
# ENVIRONMENT
#   TAKEOVER_MAIL_TO   the recipient. Default: root.
#   TAKEOVER_EVENT, TAKEOVER_ADDRESS, TAKEOVER_INTERFACE, TAKEOVER_DETAIL, TAKEOVER_NODE and
#   TAKEOVER_PEER are set by takeover; the arguments are EVENT ADDRESS INTERFACE.
set -eu
event=${1:?usage: notify-email.sh EVENT ADDRESS INTERFACE}
address=${2:-}
interface=${3:-}
node=${TAKEOVER_NODE:-$(hostname)}
to=${TAKEOVER_MAIL_TO:-root}
# to send it for real: replace `cat` with `/usr/sbin/sendmail -t`
cat <<MAIL
To: $to
Subject: [takeover] $node: $event ${address}

$node (peer ${TAKEOVER_PEER:-?}) on $interface: $event ${address}
${TAKEOVER_DETAIL:-}
MAIL
