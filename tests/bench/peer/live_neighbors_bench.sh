#!/usr/bin/env bash
# CPU per delivered Mbit/s and peak RSS of one shoal-peer on a 4 Mbit/s live
# channel with NEIGHBORS other peers in the swarm (default 30), all on loopback.
# Build Release first (cmake -DCMAKE_BUILD_TYPE=Release). Needs ffmpeg, jq and GNU time
# (/usr/bin/time). Prints one JSON line; the measured peer's exit stats go to stderr.
#
# usage: live_neighbors_bench.sh SHOAL_ORIGIN SHOAL_PEER [NEIGHBORS] [SECONDS]
set -euo pipefail
ORIGIN_BIN=${1:?shoal-origin path}
PEER_BIN=${2:?shoal-peer path}
NEIGHBORS=${3:-30}
SECONDS_TO_PLAY=${4:-40}

WORK=$(mktemp -d /tmp/shoal-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

ffmpeg -loglevel error -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 10 -c:v libx264 -preset veryfast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 3900k -minrate 3900k -maxrate 3900k \
  -bufsize 3900k -x264-params nal-hrd=cbr:force-cfr=1 -pix_fmt yuv420p -c:a aac -b:a 96k "$WORK/clip.mp4"
"$ORIGIN_BIN" --listen 127.0.0.1:0 --data "$WORK/data" --live tv="$WORK/clip.mp4" --loop --seed-upload 12M \
  >"$WORK/origin.out" 2>"$WORK/origin.log" &
PIDS+=($!)
for _ in $(seq 100); do
  ADDRESS=$(jq -r 'select(.event=="listening") | .address' "$WORK/origin.out" 2>/dev/null | head -n1 || true)
  [[ -n ${ADDRESS:-} ]] && break
  sleep 0.1
done
sleep 3
for i in $(seq 1 "$NEIGHBORS"); do
  "$PEER_BIN" "shoal://$ADDRESS/tv" --listen 127.0.0.1:0 --max-upload 6M --duration "$((SECONDS_TO_PLAY + 10))s" --seed "$i" --quiet \
    --stats "$WORK/n$i.json" &
  PIDS+=($!)
  sleep 0.05
done
sleep 5
# GNU time reports the whole run's CPU and peak RSS from wait4(): sampling /proc missed what the peer used
# after the last sample and rounded to the sampling interval.
/usr/bin/time -f '%U %S %M' -o "$WORK/measured.time" "$PEER_BIN" "shoal://$ADDRESS/tv" --listen 127.0.0.1:0 --max-upload 6M \
  --duration "${SECONDS_TO_PLAY}s" --seed 999 --quiet --stats "$WORK/measured.json" &
MEASURED=$!
PIDS+=($MEASURED)
wait $MEASURED || true
# The last line: a non-zero exit adds a "Command exited with" line before it.
read -r user_s sys_s hwm < <(tail -n1 "$WORK/measured.time")
cpu=$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { printf "%.2f", u + s }')
j="$WORK/measured.json"
delivered_bits=$(jq '(.bytes_from_peers + .bytes_from_origin) * 8' "$j")
uploaded_bits=$(jq '.bytes_uploaded * 8' "$j")
jq -c . "$j" >&2
jq -n -c --argjson cpu "$cpu" --argjson secs "$SECONDS_TO_PLAY" \
  --argjson down "$delivered_bits" --argjson up "$uploaded_bits" --argjson hwm "$hwm" --argjson n "$NEIGHBORS" \
  '{bench:"peer_live_neighbors", neighbors:$n, seconds:$secs, cpu_seconds:$cpu,
    delivered_mbit_per_s:($down/$secs/1e6), uploaded_mbit_per_s:($up/$secs/1e6),
    cpu_percent_per_delivered_mbit_per_s:(100*$cpu/$secs/($down/$secs/1e6)),
    peak_rss_kib:$hwm}'
