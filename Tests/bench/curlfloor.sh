#!/usr/bin/env bash
# Tests/bench/curlfloor.sh — issue 10's floor, as the issue measured it: Debian's curl fetching the same
# LISTs a scan makes, page 500, one `curl` process (and TLS connection) per page, the next page's
# `continue` token read from the page, gzip accepted and inflated (`--compressed`, as Lookout asks), at most
# IN_FLIGHT (default 4) LIST paths at once. A looser floor than floor.py's keep-alive client. The user
# agent is its own, bench-curlfloor: the API server pretty-prints JSON for one that starts with "curl"
# (a 500-pod page of 3.1 MB instead of 2.1 MB, 82 KB instead of 51 KB gzipped), which Lookout never gets.
#
#   curlfloor.sh STATE_DIR PATHS_FILE [IN_FLIGHT]     PATHS_FILE: one LIST path per line (e.g. /api/v1/pods)
#
# STATE_DIR is a test API server's (Tests/cluster/apiserver.sh start): its env names the URL and the
# admin client certificate. Time it from outside (bench.sh runs it under /usr/bin/time).
set -euo pipefail
[ $# -ge 2 ] && [ $# -le 3 ] || { sed -n "2,10p" "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
state="$1" paths="$2" in_flight="${3:-4}"
# shellcheck disable=SC1091
source "$state/env"
pages="$(mktemp -d "${TMPDIR:-/tmp}/lookout-curlfloor.XXXXXX")"
trap 'rm -rf "$pages"' EXIT
export pages LOOKOUT_REALAPI_URL LOOKOUT_REALAPI_CA LOOKOUT_REALAPI_CLIENT_CERT LOOKOUT_REALAPI_CLIENT_KEY

# fetch PATH: every page of one LIST, one curl each; the list metadata, with the token, precedes the items.
fetch() {
  local path="$1" token="" page="$pages/${1//\//_}"
  while :; do
    curl -sS --fail --compressed -A bench-curlfloor -H 'Accept: application/json' --cacert "$LOOKOUT_REALAPI_CA" \
      --cert "$LOOKOUT_REALAPI_CLIENT_CERT" --key "$LOOKOUT_REALAPI_CLIENT_KEY" -o "$page" \
      "$LOOKOUT_REALAPI_URL$path?limit=500${token:+&continue=$token}"
    token="$(head -c 4096 "$page" | grep -o '"continue": *"[^"]*"' | cut -d'"' -f4 || true)"
    [ -n "$token" ] || return 0
  done
}
export -f fetch
# xargs exits non-zero when any fetch failed.
grep -v '^[[:space:]]*$' "$paths" | xargs -P "$in_flight" -I{} bash -c 'fetch "$1"' _ {}
