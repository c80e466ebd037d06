#!/usr/bin/env bash
# End-to-end (issue 19): nginx's proxy_cache in front of shoal-origin, with the config docs/cdn/nginx.conf, all on
# loopback. Asserts what a CDN in front must give:
#  1. VoD: a second shoal-peer viewer (given the edge with --cdn, after the first left, so no mesh between them)
#     makes the origin's chunk requests fall by >= 90 % against the first; both play the origin's exact bytes.
#  2. Live: the playlist served by nginx never lacks a chunk the origin had listed more than one target duration
#     before (polled for ~10 s), while nginx does answer some playlist requests from its cache.
#  3. Announces and reports still reach the origin: viewers with --cdn send them there directly (nginx's log has
#     none), and one POSTed through nginx is answered by the origin, never from the cache.
#
# usage: cdn_nginx_e2e.sh SHOAL_ORIGIN SHOAL_PEER NGINX_CONF SHOAL_PROTO
set -euo pipefail

ORIGIN_BIN=${1:?shoal-origin path}
PEER_BIN=${2:?shoal-peer path}
NGINX_CONF=${3:?docs/cdn/nginx.conf}
PROTO=${4:?protocol/shoal.proto}
NGINX=${NGINX:-/usr/sbin/nginx}
TARGET_S=2        # --chunk-duration: live playlists may then be cached for 1 s
MIN_FALL=0.90     # the origin's chunk requests fall by at least this for the second viewer

WORK=$(mktemp -d /tmp/shoal-cdn.XXXXXX)
PIDS=()
NGINX_PID=""
cleanup() {
  local status=$?
  [[ -n $NGINX_PID ]] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  [[ -n $NGINX_PID ]] && kill -KILL "$NGINX_PID" 2>/dev/null || true
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "--- origin log (tail)"; tail -n 20 "$WORK/origin.log" 2>/dev/null || true
    echo "--- nginx error log"; tail -n 20 "$WORK/nginx/error.log" 2>/dev/null || true
    echo "--- nginx access log (tail)"; tail -n 30 "$WORK/nginx/access.log" 2>/dev/null || true
    for f in "$WORK"/viewer*.log; do [[ -f $f ]] && { echo "--- $f (tail)"; tail -n 8 "$f"; }; done
    echo "work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 12 s clip, 1 s GOPs: six 2 s chunks.
ffmpeg -loglevel error -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 12 -c:v libx264 -preset veryfast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 800k -pix_fmt yuv420p -c:a aac \
  "$WORK/clip.mp4"

"$ORIGIN_BIN" --listen 127.0.0.1:0 --data "$WORK/data" --vod film="$WORK/clip.mp4" --live tv="$WORK/clip.mp4" --loop \
  --chunk-duration "${TARGET_S}s" >"$WORK/origin.out" 2>"$WORK/origin.log" &
PIDS+=($!)
ORIGIN=""
for _ in $(seq 300); do
  ORIGIN=$(jq -r 'select(.event=="listening") | .address' "$WORK/origin.out" 2>/dev/null | head -n1 || true)
  [[ -n $ORIGIN ]] && break
  sleep 0.1
done
[[ -n $ORIGIN ]] || fail "origin did not report its address"

# nginx with the documented config, in its own directory; its workers (nobody, when run as root) must reach it.
mkdir -m 755 "$WORK/nginx"
chmod 755 "$WORK"
EDGE=127.0.0.1:$(free_port)
sed -e "s/LISTEN_ADDRESS/$EDGE/" -e "s/ORIGIN_ADDRESS/$ORIGIN/" "$NGINX_CONF" >"$WORK/nginx/nginx.conf"
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 100); do
  curl -sf -o /dev/null "http://$EDGE/channels" && break
  sleep 0.1
done
curl -sf -o /dev/null "http://$EDGE/channels" || fail "nginx does not answer at $EDGE"
echo "origin at $ORIGIN, nginx at $EDGE"

chunk_requests() {  # the origin's chunk requests served for a channel, from its own /metrics
  curl -sf "http://$ORIGIN/metrics" | awk -v c="$1" '$1 == "shoal_origin_http_requests_total{channel=\"" c "\"}" {print $2}'
}
sessions() {
  curl -sf "http://$ORIGIN/metrics" | awk -v c="$1" '$1 == "shoal_origin_qoe_sessions_total{channel=\"" c "\"}" {print $2}'
}

# ---- 1. VoD: two viewers one after the other, chunks through nginx.
curl -sf "http://$ORIGIN/c/film/manifest?format=json" >"$WORK/film.json"
CHUNKS=$(jq '.chunks | length' "$WORK/film.json")
((CHUNKS >= 4)) || fail "the VoD has only $CHUNKS chunks"
: >"$WORK/film.ts"
for seq in $(jq '.chunks[].seq' "$WORK/film.json"); do
  curl -sf "http://$ORIGIN/c/film/chunk/$seq.ts" >>"$WORK/film.ts" || fail "origin chunk $seq"
done
declare -a fetched
for v in 1 2; do
  before=$(chunk_requests film)
  timeout 60 "$PEER_BIN" "shoal://$ORIGIN/film" --cdn "http://$EDGE" --listen 127.0.0.1:0 --buffer-target 1s \
    --out "$WORK/viewer$v.ts" --stats "$WORK/viewer$v.json" 2>"$WORK/viewer$v.log" || fail "viewer $v exited $?"
  fetched[$v]=$(($(chunk_requests film) - before))
  jq -c . "$WORK/viewer$v.json"
  cmp -s "$WORK/viewer$v.ts" "$WORK/film.ts" || fail "viewer $v did not play the VoD's exact bytes"
  (($(jq .bytes_from_origin "$WORK/viewer$v.json") > 0)) || fail "viewer $v fetched nothing over HTTP"
done
echo "{\"vod_chunks\":$CHUNKS,\"origin_chunk_requests_first_viewer\":${fetched[1]},\"origin_chunk_requests_second_viewer\":${fetched[2]}}"
((fetched[1] >= CHUNKS)) || fail "the first viewer's chunks did not reach the origin through nginx (${fetched[1]})"
jq -e -n "${fetched[2]} <= (1 - $MIN_FALL) * ${fetched[1]}" >/dev/null ||
  fail "second viewer: ${fetched[2]} origin chunk requests, want <= $(jq -n "(1 - $MIN_FALL) * ${fetched[1]}")"
hits=$(grep -c '"GET /c/film/chunk/[0-9]*.ts HTTP/1.1" 200 [0-9]* cache=HIT' "$WORK/nginx/access.log" || true)
((hits >= CHUNKS)) || fail "nginx served only $hits VoD chunks from its cache"

# ---- 3 (first half). Viewers with --cdn announced and reported to the origin, not through nginx.
! grep -q '/announce\|/report' "$WORK/nginx/access.log" || fail "a viewer given --cdn sent its announce or report to nginx"
[[ $(sessions film) == 2 ]] || fail "the origin has $(sessions film) reports for film, want the 2 viewers'"

# ---- 2. Live playlist: when did the origin first list each chunk, and what does nginx serve meanwhile.
last_seq() { grep -o 'chunk/[0-9]*' | tail -n1 | cut -d/ -f2; }
now_ns() { date +%s%N; }
declare -A listed_at
target_ns=$((TARGET_S * 1000000000))
playlist_hits=0
worst_ns=0
for _ in $(seq 100); do  # ~10 s: each round is two local requests and a 50 ms pause
  o=$(curl -sf "http://$ORIGIN/c/tv/index.m3u8" | last_seq)
  [[ -n $o && -z ${listed_at[$o]:-} ]] && listed_at[$o]=$(now_ns)
  asked=$(now_ns)
  e=$(curl -sf -D "$WORK/headers" "http://$EDGE/c/tv/index.m3u8" | last_seq)
  [[ -n $e ]] || fail "nginx served no live playlist"
  grep -qi '^X-Cache-Status: HIT' "$WORK/headers" && playlist_hits=$((playlist_hits + 1))
  # The chunk after the last one nginx listed: if the origin had listed it before, nginx is behind by that long.
  next=$((e + 1))
  if [[ -n ${listed_at[$next]:-} ]]; then
    behind=$((asked - listed_at[$next]))
    ((behind > worst_ns)) && worst_ns=$behind
    ((behind <= target_ns)) || fail "nginx served a live playlist without chunk $next, listed by the origin $((behind / 1000000)) ms before (target duration ${TARGET_S} s)"
  fi
  sleep 0.05
done
echo "{\"live_playlist_requests\":100,\"served_from_cache\":$playlist_hits,\"most_behind_ms\":$((worst_ns / 1000000)),\"target_duration_ms\":$((TARGET_S * 1000))}"
((${#listed_at[@]} >= 3)) || fail "the live channel listed only ${#listed_at[@]} new chunks in ~10 s"
((playlist_hits > 0)) || fail "nginx never served the live playlist from its cache: nothing was tested"

# ---- 3 (second half). An announce and a report POSTed through nginx reach the origin every time.
viewers() { curl -sf "http://$ORIGIN/stats" | jq '.channels[] | select(.name == "tv") | .viewers'; }
before_viewers=$(viewers)
before_sessions=$(sessions tv)
for i in 1 2; do
  printf 'peer_id: "via-cdn-%s"\nplayhead_seq: 1\n' "$i" | protoc --encode=shoal.wire.AnnounceRequest -I "$(dirname "$PROTO")" "$PROTO" >"$WORK/announce"
  code=$(curl -s -o /dev/null -D "$WORK/headers" -w '%{http_code}' --data-binary @"$WORK/announce" \
    -H 'Content-Type: application/x-protobuf' "http://$EDGE/c/tv/announce")
  [[ $code == 200 ]] || fail "announce through nginx: HTTP $code"
  ! grep -qi '^X-Cache-Status: HIT' "$WORK/headers" || fail "nginx answered an announce from its cache"
  printf 'peer_id: "via-cdn-%s"\nfinal: true\n' "$i" | protoc --encode=shoal.wire.QoeReport -I "$(dirname "$PROTO")" "$PROTO" >"$WORK/report"
  code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$WORK/report" "http://$EDGE/c/tv/report")
  [[ $code == 204 ]] || fail "report through nginx: HTTP $code"
done
[[ $(viewers) == $((before_viewers + 2)) ]] || fail "the origin's tracker did not see both announces sent through nginx"
[[ $(sessions tv) == $((before_sessions + 2)) ]] || fail "the origin did not get both reports sent through nginx"
echo "PASS"
