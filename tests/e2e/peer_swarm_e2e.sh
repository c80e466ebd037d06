#!/usr/bin/env bash
# End-to-end: one shoal-origin with a 2 Mbit/s live channel and 12 shoal-peer
# processes on loopback for 60 s. Checks every peer's output against the
# origin's chunks, zero hash failures, stalls after start-up no longer than
# MAX_STALL_MS over all peers together, and offload
# (1 - (origin HTTP + seeded bytes) / bytes played) >= MIN_OFFLOAD.
#
# usage: peer_swarm_e2e.sh SHOAL_ORIGIN SHOAL_PEER [PEERS] [SECONDS]
set -euo pipefail

ORIGIN_BIN=${1:?shoal-origin path}
PEER_BIN=${2:?shoal-peer path}
PEERS=${3:-12}
SECONDS_TO_PLAY=${4:-60}
BITRATE=2M
PEER_UPLOAD=3M   # 1.5x the bitrate
SEED_UPLOAD=6M   # 3x the bitrate
# Issue 4's goal (what the swarm reaches: docs/peer.md).
MIN_OFFLOAD=${MIN_OFFLOAD:-0.75}
# Stall time allowed over all peers together. An unloaded run has none, but these are 13 sanitized processes
# on a small machine, and a CPU-starved peer can stall briefly while the swarm forms (docs/peer.md has the
# runs). Why the late chunk is late under CPU starvation is not traced yet. MAX_STALL_MS=0 asserts none.
MAX_STALL_MS=${MAX_STALL_MS:-500}
# Extra shoal-peer flags (experiments), e.g. PEER_ARGS="--buffer-target 5s".
read -r -a EXTRA <<<"${PEER_ARGS:-}"

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/shoal-e2e.XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "--- origin log (tail)"; tail -n 30 "$WORK/origin.log" 2>/dev/null || true
    for f in "$WORK"/peer*.log; do [[ -f $f ]] && { echo "--- $f (tail)"; tail -n 8 "$f"; }; done
    echo "work dir kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

# 10 s clip, 1 s GOPs, constant 2 Mbit/s (x264 filler keeps the rate up on a simple picture).
ffmpeg -loglevel error -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 10 -c:v libx264 -preset veryfast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 1900k -minrate 1900k -maxrate 1900k \
  -bufsize 1900k -x264-params nal-hrd=cbr:force-cfr=1 -pix_fmt yuv420p -c:a aac -b:a 96k "$WORK/clip.mp4"

"$ORIGIN_BIN" --listen 127.0.0.1:0 --data "$WORK/data" --live tv="$WORK/clip.mp4" --loop --seed-upload "$SEED_UPLOAD" \
  >"$WORK/origin.out" 2>"$WORK/origin.log" &
PIDS+=($!)
ADDRESS=""
for _ in $(seq 100); do
  ADDRESS=$(jq -r 'select(.event=="listening") | .address' "$WORK/origin.out" 2>/dev/null | head -n1 || true)
  [[ -n $ADDRESS ]] && break
  sleep 0.1
done
[[ -n $ADDRESS ]] || fail "origin did not report its address"
BASE="http://$ADDRESS"
# Peers join a running channel: one that already holds the live hold-back (15 s) and a start-up buffer, so they
# start where the core means a live viewer to play. A channel younger than that is played from its first chunk,
# a few seconds from the edge, where each chunk has about a second to spread from the seeder; that case (a
# channel's first viewers) is measured in shoal-sim's flash-crowd scenario, not asserted stall-free here.
JOIN_CHUNKS=${JOIN_CHUNKS:-18}
for _ in $(seq 300); do
  n=$(curl -sf "$BASE/c/tv/manifest?format=json" | jq '.chunks | length' 2>/dev/null || echo 0)
  [[ ${n:-0} -ge $JOIN_CHUNKS ]] && break
  sleep 0.1
done
[[ ${n:-0} -ge $JOIN_CHUNKS ]] || fail "origin produced only ${n:-0} chunks in 30 s"
echo "origin at $ADDRESS"

for i in $(seq 1 "$PEERS"); do
  "$PEER_BIN" "shoal://$ADDRESS/tv" --listen 127.0.0.1:0 --max-upload "$PEER_UPLOAD" --duration "${SECONDS_TO_PLAY}s" \
    --seed "$i" "${EXTRA[@]}" --out "$WORK/peer$i.ts" --stats "$WORK/peer$i.json" --trace "$WORK/peer$i.trace" \
    2>"$WORK/peer$i.log" &
  PIDS+=($!)
  sleep 0.25
done
# Peers leave by themselves after --duration; give them a margin to report.
deadline=$((SECONDS + SECONDS_TO_PLAY + 30))
for i in $(seq 1 "$PEERS"); do
  while [[ ! -s $WORK/peer$i.json ]]; do
    ((SECONDS < deadline)) || fail "peer $i did not finish"
    sleep 0.5
  done
done

curl -sf "$BASE/stats" >"$WORK/stats.json" || fail "origin /stats"
played_total=0
stall_total=0
for i in $(seq 1 "$PEERS"); do
  j="$WORK/peer$i.json"
  jq -c . "$j"
  [[ $(jq '.hash_failures' "$j") == 0 ]] || fail "peer $i: hash failures"
  stall_total=$((stall_total + $(jq '.stall_ms' "$j")))
  [[ $(jq 'has("error")' "$j") == false ]] || fail "peer $i: $(jq -r .error "$j")"
  first=$(jq '.first_seq' "$j")
  last=$(jq '.last_seq' "$j")
  [[ $first != null ]] || fail "peer $i played nothing"
  ((last - first + 1 >= SECONDS_TO_PLAY / 2)) || fail "peer $i played only seq $first..$last"
  : >"$WORK/expected$i.ts"
  for seq in $(seq "$first" "$last"); do
    [[ -f $WORK/chunk$seq.ts ]] || curl -sf "$BASE/c/tv/chunk/$seq.ts" -o "$WORK/chunk$seq.ts" || fail "fetch chunk $seq"
    cat "$WORK/chunk$seq.ts" >>"$WORK/expected$i.ts"
  done
  cmp -s "$WORK/peer$i.ts" "$WORK/expected$i.ts" || fail "peer $i output differs from origin chunks $first..$last"
  played_total=$((played_total + $(stat -c %s "$WORK/peer$i.ts")))
done

if ((stall_total > 0)); then
  # Every stall explained from the peers' event traces: which chunk, whom it was asked of, who refused, when the
  # origin was asked.
  for i in $(seq 1 "$PEERS"); do
    jq -s -c -f "$HERE/explain_stalls.jq" "$WORK/peer$i.trace" | sed "s/^/peer $i stall: /"
  done
fi
((stall_total <= MAX_STALL_MS)) || fail "peers stalled ${stall_total} ms in all after start-up (allowed ${MAX_STALL_MS} ms)"

# Origin cost: everything it sent over HTTP to peers (before the checker's own fetches) plus what it seeded.
jq -c '.. | objects | select(has("http_bytes"))' "$WORK/stats.json"
http_bytes=$(jq '[.. | objects | select(has("http_bytes")) | .http_bytes] | add' "$WORK/stats.json")
seeded=$(jq '[.. | objects | select(has("mesh_bytes_seeded")) | .mesh_bytes_seeded] | add' "$WORK/stats.json")
from_origin=$(jq -s '[.[].bytes_from_origin] | add' "$WORK"/peer*.json)
# Seeded bytes leave the origin's uplink too, so they count against offload; the HTTP-only figure is printed for diagnosis.
offload=$(jq -n "1 - ($http_bytes + $seeded) / $played_total")
http_offload=$(jq -n "1 - $http_bytes / $played_total")
echo "{\"peers\":$PEERS,\"played_bytes\":$played_total,\"origin_http_bytes\":$http_bytes,\"origin_seeded_bytes\":$seeded,\"peers_bytes_from_origin\":$from_origin,\"offload\":$offload,\"offload_http_only\":$http_offload}"
jq -e -n "$offload >= $MIN_OFFLOAD" >/dev/null || fail "offload $offload < $MIN_OFFLOAD"
echo "PASS"
