#!/usr/bin/env bash
# End-to-end checks of shoalsrc against a real shoal-origin on loopback.
# usage: run.sh CASE SHOAL_ORIGIN PLUGIN_DIR SHOAL_PLAY SANITIZE(ON|OFF)
# CASE: vod_eos | qoe_messages | seek_middle | live_30s | unreachable
set -euo pipefail
case_name=$1 origin_bin=$2 plugin_dir=$3 play_bin=$4 sanitize=${5:-OFF}

work=$(mktemp -d /tmp/shoal-player-e2e.XXXXXX)
origin_pid=
cleanup() {
  if [[ -n $origin_pid ]]; then kill "$origin_pid" 2>/dev/null || true; wait "$origin_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

export GST_PLUGIN_PATH=$plugin_dir
export GST_REGISTRY=$work/registry.bin
# A sanitizer-built plugin inside the uninstrumented gst-launch-1.0 needs the
# runtimes preloaded; the host's own allocations are not ours to leak-check.
gst_env=()
if [[ $sanitize == ON ]]; then
  gst_env=(env "LD_PRELOAD=$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
    "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1" "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
fi
# shoal-play is instrumented itself; GStreamer's process-lifetime caches are not leaks of ours.
play_env=(env "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1")

make_clip() {
  ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
    -t "$1" -c:v libx264 -preset veryfast -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p -c:a aac \
    "$work/clip.mp4"
}

start_origin() {
  "$origin_bin" --listen 127.0.0.1:0 --data "$work/data" "$@" >"$work/origin.out" 2>"$work/origin.err" &
  origin_pid=$!
  for _ in $(seq 1 200); do
    if grep -q '"listening"' "$work/origin.out" 2>/dev/null; then
      address=$(sed -n 's/.*"address":"\([^"]*\)".*/\1/p' "$work/origin.out" | head -1)
      return 0
    fi
    kill -0 "$origin_pid" 2>/dev/null || { cat "$work/origin.err" >&2; fail "shoal-origin exited"; }
    sleep 0.1
  done
  fail "shoal-origin did not report its address"
}

json_field() { sed -n "s/.*\"$1\":\\(-\\?[0-9.]*\\).*/\\1/p" <<<"$2" | head -1; }

# Build the registry once (and check the plugin loads) so timings below exclude the scan.
"${gst_env[@]}" gst-inspect-1.0 shoalsrc >"$work/inspect" 2>&1 || { cat "$work/inspect"; fail "shoalsrc not loadable"; }

case $case_name in
vod_eos)
  make_clip 10
  start_origin --vod "clip=$work/clip.mp4"
  timeout 90 "${gst_env[@]}" gst-launch-1.0 -v playbin "uri=shoal://$address/clip?listen=127.0.0.1:0" \
    video-sink="fakesink name=vsink sync=true silent=false" audio-sink="fakesink sync=true" >"$work/out" 2>&1 ||
    { tail -30 "$work/out"; fail "gst-launch-1.0 failed"; }
  grep -q "Got EOS from element" "$work/out" || fail "no EOS"
  last=$(grep -o 'vsink:sink) ([0-9]* bytes, dts: [^,]*, pts: [0-9:.]*' "$work/out" | tail -1 | sed 's/.*pts: //')
  [[ -n $last ]] || fail "no video frame reached the sink"
  secs=$(awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }' <<<"$last")
  frames=$(grep -c 'vsink:sink) (' "$work/out")
  echo "last video pts $last ($secs s), $frames frames"
  awk -v s="$secs" 'BEGIN { exit !(s >= 9.8) }' || fail "decoded only up to $secs s of 10 s"
  ((frames >= 245)) || fail "only $frames of 250 frames"
  ;;
qoe_messages)
  make_clip 6
  start_origin --vod "clip=$work/clip.mp4"
  timeout 90 "${gst_env[@]}" gst-launch-1.0 -m playbin "uri=shoal://$address/clip?listen=127.0.0.1:0" \
    video-sink="fakesink sync=true" audio-sink="fakesink sync=true" >"$work/out" 2>&1 ||
    { tail -30 "$work/out"; fail "gst-launch-1.0 failed"; }
  grep "shoal-qoe" "$work/out" | head -3
  delay=$(grep -o 'shoal-qoe.*reason=(string)start' "$work/out" | grep -o 'startup-delay=(guint64)[0-9]*' | head -1 |
    sed 's/.*)//')
  [[ -n $delay ]] || fail "no shoal-qoe start message with a startup-delay"
  ((delay > 0)) || fail "startup-delay is $delay"
  echo "startup-delay ${delay} ns"
  ;;
seek_middle)
  make_clip 10
  start_origin --vod "clip=$work/clip.mp4"
  out=$(timeout 60 "${play_env[@]}" "$play_bin" --headless --start 5s --duration 4s "shoal://$address/clip?listen=127.0.0.1:0") ||
    fail "shoal-play failed: $out"
  echo "$out"
  landed=$(json_field landed_ms "$out")
  [[ -n $landed ]] || fail "no landed_ms"
  ((landed >= 4000 && landed <= 6000)) || fail "seek to 5 s landed at ${landed} ms (more than one 1 s chunk away)"
  ;;
live_30s)
  make_clip 12
  start_origin --live "live=$work/clip.mp4" --loop
  sleep 4 # a few chunks exist, so the viewer can join behind the live edge
  out=$(timeout 60 "${play_env[@]}" "$play_bin" --headless --duration 30s "shoal://$address/live?listen=127.0.0.1:0") ||
    fail "shoal-play failed: $out"
  echo "$out"
  stalls=$(json_field stalls "$out")
  played=$(json_field chunks_played "$out")
  [[ $stalls == 0 ]] || fail "$stalls stalls in 30 s of live playback"
  ((played >= 25)) || fail "only $played chunks played in 30 s"
  ;;
unreachable)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  begin=$(date +%s%N)
  set +e
  timeout 20 "${gst_env[@]}" gst-launch-1.0 playbin "uri=shoal://127.0.0.1:$port/clip?listen=127.0.0.1:0" \
    video-sink="fakesink sync=true" audio-sink="fakesink sync=true" >"$work/out" 2>&1
  status=$?
  set -e
  elapsed_ms=$((($(date +%s%N) - begin) / 1000000))
  cat "$work/out"
  ((status != 124)) || fail "gst-launch-1.0 hung"
  grep -q "ERROR" "$work/out" || fail "no error on the bus"
  ((elapsed_ms < 5000)) || fail "error took ${elapsed_ms} ms"
  echo "error after ${elapsed_ms} ms"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "PASS: $case_name"
