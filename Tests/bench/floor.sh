#!/usr/bin/env bash
# Tests/bench/floor.sh — the API-server floor: the time curl takes to fetch the same LISTs a scan makes,
# page 500, gzip accepted (as Lookout asks), at most IN_FLIGHT kinds at once, bodies written to disk and
# never parsed beyond the `continue` token. Nothing a client does can finish the transfer faster.
#
#   floor.sh STATE_DIR PATHS_FILE [IN_FLIGHT]     PATHS_FILE: one LIST path per line (e.g. /api/v1/pods)
set -euo pipefail
STATE="$1" PATHS_FILE="$2" IN_FLIGHT="${3:-4}"
# shellcheck disable=SC1091
source "$STATE/env"
OUT="$(mktemp -d /tmp/lookout-floor.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
export LOOKOUT_REALAPI_URL LOOKOUT_REALAPI_CA LOOKOUT_REALAPI_CLIENT_CERT LOOKOUT_REALAPI_CLIENT_KEY OUT

fetch_all_pages() {
  local path="$1" token="" page=0 body url
  while :; do
    url="$LOOKOUT_REALAPI_URL$path?limit=500"
    [ -z "$token" ] || url="$url&continue=$token"
    body="$OUT/$(printf '%s' "$path" | tr '/' '_').$page"
    curl -sS --fail --compressed --cacert "$LOOKOUT_REALAPI_CA" --cert "$LOOKOUT_REALAPI_CLIENT_CERT" \
      --key "$LOOKOUT_REALAPI_CLIENT_KEY" -o "$body" "$url"
    # The list metadata (and its continue token) comes before the items.
    token=$(head -c 4096 "$body" | grep -o '"continue":"[^"]*"' | cut -d'"' -f4 || true)
    [ -n "$token" ] || break
    page=$((page + 1))
  done
}
export -f fetch_all_pages
xargs -P "$IN_FLIGHT" -I{} bash -c 'fetch_all_pages "$1"' _ {} < "$PATHS_FILE"
du -sb "$OUT" | cut -f1 > "$STATE/floor-bytes"
