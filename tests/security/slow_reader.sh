#!/usr/bin/env bash
# Attack: a neighbor that asks for one chunk thousands of times and never reads (issue 16).
# Pass: the victim shoal-peer keeps playing, its resident memory grows by less than MAX_GROWTH_MB while
# attacked, it counts less than MAX_UPLOAD_MB as uploaded, and it drops the attacker as a slow reader.
# usage: slow_reader.sh SHOAL_ORIGIN SHOAL_PEER SLOW_READER_ATTACK
set -euo pipefail
ORIGIN_BIN=${1:?shoal-origin} PEER_BIN=${2:?shoal-peer} ATTACK_BIN=${3:?slow_reader_attack}
MAX_GROWTH_MB=${MAX_GROWTH_MB:-48}
MAX_UPLOAD_MB=${MAX_UPLOAD_MB:-16}

WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
fail() { echo "slow_reader: FAIL: $*" >&2; for f in "$WORK"/*.err; do echo "--- $f" >&2; tail -15 "$f" >&2; done; exit 1; }

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 30 -c:v libx264 -preset ultrafast -g 25 -keyint_min 25 -sc_threshold 0 -b:v 2M -pix_fmt yuv420p -c:a aac \
  "$WORK/clip.mp4"
"$ORIGIN_BIN" --listen 127.0.0.1:0 --data "$WORK/data" --vod film="$WORK/clip.mp4" >"$WORK/origin.out" 2>"$WORK/origin.err" &
pids+=($!)
address=
for _ in $(seq 100); do
  address=$(jq -r 'select(.event=="listening") | .address' "$WORK/origin.out" 2>/dev/null | head -n1 || true)
  [[ -n $address ]] && break
  sleep 0.1
done
[[ -n $address ]] || fail "origin did not start"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PEER_BIN" "shoal://$address/film" --listen "127.0.0.1:$port" --duration 25s --stats "$WORK/victim.json" \
  >"$WORK/victim.out" 2>"$WORK/victim.err" &
victim=$!
pids+=("$victim")
sleep 4  # a few chunks in hand

rss_mb() { awk '/^VmRSS:/ {print int($2 / 1024)}' "/proc/$victim/status"; }
before=$(rss_mb)
"$ATTACK_BIN" 127.0.0.1 "$port" 3000 3 >"$WORK/attack.out" 2>"$WORK/attack.err" &
attacker=$!
pids+=("$attacker")
peak=$before
for _ in $(seq 100); do  # up to 10 s: the flood lasts 3 s, then the attacker holds its socket 3 s
  kill -0 "$victim" 2>/dev/null || fail "the victim died under attack"
  now=$(rss_mb)
  ((now > peak)) && peak=$now
  kill -0 "$attacker" 2>/dev/null || break
  sleep 0.1
done
wait "$attacker" || fail "the attack could not get served, so it proved nothing: $(cat "$WORK/attack.err")"
jq -e '.served == true' "$WORK/attack.out" >/dev/null || fail "attacker output: $(cat "$WORK/attack.out")"
wait "$victim" || fail "the victim exited with an error"
growth=$((peak - before))
uploaded_mb=$(jq '.bytes_uploaded / 1048576 | floor' "$WORK/victim.json")
stalls=$(jq '.stalls' "$WORK/victim.json")
echo "{\"rss_before_mb\":$before,\"rss_peak_mb\":$peak,\"growth_mb\":$growth,\"uploaded_mb\":$uploaded_mb,\"stalls\":$stalls,\"attack\":$(cat "$WORK/attack.out")}"
((growth < MAX_GROWTH_MB)) || fail "victim memory grew by $growth MB (limit $MAX_GROWTH_MB)"
((uploaded_mb < MAX_UPLOAD_MB)) || fail "victim counted $uploaded_mb MB uploaded (limit $MAX_UPLOAD_MB)"
((stalls == 0)) || fail "victim stalled $stalls times while attacked"
echo "slow_reader: PASS"
