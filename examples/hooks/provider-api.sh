#!/bin/sh
# provider-api.sh: a takeover hook that moves a provider's "floating" (or "failover") IP to this box
# by an HTTP API call, for hosting providers whose network routes such an address to one server and
# ignores gratuitous ARP (Hetzner, OVH, AWS-style elastic addresses and the like).
#
# SYNOPSIS
#   hooks:
#     claimed: /etc/takeover/hooks/provider-api.sh
#
# DESCRIPTION
#   takeover runs it as `provider-api.sh EVENT ADDRESS INTERFACE` (TAKEOVER_EVENT, TAKEOVER_ADDRESS,
#   TAKEOVER_NODE… are set too). On `claimed` it asks the provider to route ADDRESS to this server;
#   every other event is ignored (the box that claims the address next makes the call for itself).
#
#   Idempotent: it first GETs the address's assignment and does nothing when it already names this
#   server, so a claim repeated after a restart, or a call that timed out after it took effect, costs
#   one GET. Every request has a time limit (PROVIDER_TIMEOUT seconds, whole request); a failed or
#   refused call exits non-zero with the API's answer on stderr, which takeover logs.
#
#   The shape of the API below is Hetzner Cloud's (GET /floating_ips/ID, POST
#   /floating_ips/ID/actions/assign {"server": SERVER}); other providers differ in the URL and the
#   body only: change assignment_url, assign_url and the body where marked.
#
# ENVIRONMENT (or edit the defaults below in your copy)
#   PROVIDER_API          the API's base URL. Default: https://api.hetzner.cloud/v1
#   PROVIDER_TOKEN_FILE   a file holding the bearer token, on one line. It must be a regular file
#                         owned by root (or the daemon's user) and readable by its owner only
#                         (chmod 600); the hook refuses to send a token others can read.
#                         Default: $CREDENTIALS_DIRECTORY/provider-token under systemd with
#                         LoadCredential= (systemd makes it readable by the service's user only,
#                         and the hook trusts it), else /etc/takeover/provider-token
#   PROVIDER_SERVER_ID    this server's id at the provider (differs on each box). Required.
#   PROVIDER_IP_IDS       "ADDRESS=ID ADDRESS=ID…": the provider's id of each address. Required.
#   PROVIDER_TIMEOUT      seconds for each request, connecting included. Default: 10
#
#   takeover passes its own environment to hooks, so under systemd set these with
#   `Environment=` in a drop-in (systemctl edit takeover), or edit the defaults here. The shipped
#   unit runs as a dynamic user that cannot read a root-owned 0600 file: hand the token over with
#   `LoadCredential=provider-token:/etc/takeover/provider-token` in the same drop-in.
set -eu
event=${1:?usage: provider-api.sh EVENT ADDRESS INTERFACE}
address=${2:-}

api=${PROVIDER_API:-https://api.hetzner.cloud/v1}
if [ -n "${CREDENTIALS_DIRECTORY:-}" ]; then
  token_file=${PROVIDER_TOKEN_FILE:-$CREDENTIALS_DIRECTORY/provider-token}
else
  token_file=${PROVIDER_TOKEN_FILE:-/etc/takeover/provider-token}
fi
server=${PROVIDER_SERVER_ID:-}
ids=${PROVIDER_IP_IDS:-}
timeout=${PROVIDER_TIMEOUT:-10}

[ "$event" = claimed ] || exit 0
fail() { echo "provider-api.sh: $*" >&2; exit 1; }

[ -n "$server" ] || fail "PROVIDER_SERVER_ID is not set; set it to this server's id at the provider"
id=
for pair in $ids; do
  [ "${pair%%=*}" = "$address" ] && id=${pair#*=}
done
[ -n "$id" ] || fail "$address has no id in PROVIDER_IP_IDS (\"$ids\"); add $address=ID"

# the token: a regular file, ours, and nobody else's to read (systemd's credentials are that already)
[ -f "$token_file" ] || fail "$token_file: no such file; write the API token there (chmod 600)"
case "$token_file" in
  "${CREDENTIALS_DIRECTORY:-/nonexistent}"/*) ;;
  *)
    owner=$(stat -L -c %u "$token_file")
    mode=$(stat -L -c %a "$token_file")
    [ "$owner" = 0 ] || [ "$owner" = "$(id -u)" ] || fail "$token_file is owned by uid $owner; chown root $token_file"
    case "$mode" in
      [0-7]00) ;;
      *) fail "$token_file has mode $mode: others may read the token; chmod 600 $token_file" ;;
    esac
    ;;
esac
token=$(head -n 1 "$token_file")
[ -n "$token" ] || fail "$token_file is empty; write the API token there"

assignment_url="$api/floating_ips/$id"          # provider-specific
assign_url="$api/floating_ips/$id/actions/assign" # provider-specific
body="{\"server\": $server}"                      # provider-specific

# the token goes in a header read from stdin (-H @-), so it never shows in ps
request() {
  printf 'Authorization: Bearer %s\n' "$token" |
    curl --silent --show-error --fail-with-body --max-time "$timeout" --connect-timeout "$timeout" \
      -H @- -H 'Content-Type: application/json' "$@"
}

current=$(request "$assignment_url") || fail "GET $assignment_url failed: $current"
# already routed here? (Hetzner: "server": 42 in the floating IP's object; adapt for your provider)
if printf '%s' "$current" | grep -Eq "\"server\"[[:space:]]*:[[:space:]]*$server([^0-9]|\$)"; then
  echo "$address is already routed to server $server"
  exit 0
fi
answer=$(request -X POST --data "$body" "$assign_url") || fail "POST $assign_url failed: $answer"
echo "$address assigned to server $server"
