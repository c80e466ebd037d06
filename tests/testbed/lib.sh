# Functions of tests/testbed/testbed (sourced by it): its usage text, logging, durations, the network
# namespaces, links and shaping it makes (and removes), and starting and watching viewers. They read the
# script's variables (bin, out, sw, namespaces, pids, viewer_*, ...) when called.

usage() {
  cat <<'EOF'
usage: tests/testbed/testbed SCENARIO.textproto [options]
  Runs a live or VoD scenario (the same file and --set keys as shoal-sim) with real processes: shoal-origin and one
  shoal-peer (or gst-launch-1.0 playbin) per viewer, each in its own network namespace on a bridge, uplinks
  and downlinks shaped with tc tbf from the scenario's plan (shoal-sim --plan). Needs root.
  Prints one JSON line on stdout with shoal-sim's summary keys ("source":"testbed"); logs on stderr.

  --set KEY=VALUE        scenario override, as shoal-sim --set (repeatable)
  --bin DIR              CMake build dir with origin/shoal-origin, peer/shoal-peer, sim/shoal-sim,
                         player/libgstshoal.so (default: REPO/build-test, else REPO/build)
  --viewers N            audience size (flash_crowd scenarios: --set peers=N)
  --duration DUR         run length, e.g. 90s (--set length=DUR)
  --nat-share F          share of viewers (0..1) behind a home router namespace doing NAT (MASQUERADE)
  --gst-viewers N        N of the viewers run gst-launch-1.0 playbin uri=shoal://... instead of shoal-peer
  --viewer-args 'ARGS'   extra arguments for every shoal-peer viewer (experiments, e.g. '--listen 0.0.0.0:0')
  --out DIR              logs, per-viewer JSON, origin /stats, the summary (default: a new temp dir)
  --assert 'KEY OP V'    exit 1 unless the summary's KEY OP V holds; OP is >= <= == != > < (repeatable)
  --compare-sim          also run shoal-sim on the same scenario: prints its summary and the differences
                         (testbed - sim) as a second and third JSON line
  --fault origin-restart@DUR
                         kill -9 the origin DUR after the first viewer's join time, restart it 5 s later
  --fault link-drop@DUR[:origin|:vI]
                         the origin's (default) or viewer I's uplink drops to a tenth of its rate for 10 s
  --keep                 keep the media clip and the origin's chunk store in the out dir (logs always stay)
  --help                 this text
  Exit status: 0 ok, 1 a run failure or a failed --assert, 2 bad arguments or no root/namespaces.
EOF
}

log() { echo "testbed: $*" >&2; }
fail() {
  echo "testbed: $*" >&2
  exit 1
}
usage_error() {
  echo "testbed: $* (see --help)" >&2
  exit 2
}

# "500ms" / "30s" / "2m" -> milliseconds
to_ms() {
  local text=$1 number unit
  [[ $text =~ ^([0-9]+([.][0-9]+)?)(ms|s|m|h)$ ]] || usage_error "bad duration '$text' (want a unit: 500ms, 30s, 2m)"
  number=${BASH_REMATCH[1]}
  unit=${BASH_REMATCH[3]}
  case $unit in
    ms) awk -v n="$number" 'BEGIN { printf "%d", n + 0.5 }' ;;
    s) awk -v n="$number" 'BEGIN { printf "%d", n * 1000 + 0.5 }' ;;
    m) awk -v n="$number" 'BEGIN { printf "%d", n * 60000 + 0.5 }' ;;
    h) awk -v n="$number" 'BEGIN { printf "%d", n * 3600000 + 0.5 }' ;;
  esac
}

now_ms() { date +%s%3N; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  local pid ns left i
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for ns in "${namespaces[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null; done
  for ((i = 0; i < 50; i++)); do
    left=0
    for ns in "${namespaces[@]}"; do [[ -n $(ip netns pids "$ns" 2>/dev/null) ]] && left=1; done
    ((left)) || break
    sleep 0.1
  done
  for ns in "${namespaces[@]}"; do ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null; done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Deleting a namespace destroys its veth ends, and with them their peers and the bridge.
  for ((i = ${#namespaces[@]} - 1; i >= 0; i--)); do ip netns del "${namespaces[i]}" 2>/dev/null; done
  if ((!keep)) && [[ -n ${out:-} ]]; then rm -rf "${out:?}/media" "${out:?}/origin-data"; fi
  exit "$rc"
}

mkns() {
  ip netns add "$1"
  namespaces+=("$1")
  ip -n "$1" link set lo up
}

# tbf at RATE: burst 20 ms of the rate but at least two full-size frames (below one the link cannot pass a
# packet; far above it the link bursts past its rate); a queue of at most 50 ms, then drops, as a home router.
shape() {
  local ns=$1 dev=$2 bps=$3 burst
  burst=$((bps / 8 / 50))
  ((burst >= 3028)) || burst=3028
  ip netns exec "$ns" tc qdisc replace dev "$dev" root tbf rate "${bps}bit" burst "$burst" latency 50ms
}

# A veth from the bridge (end PORT in the switch namespace) to NS (end DEV), with ADDR/16 on DEV.
attach() {
  local ns=$1 port=$2 dev=$3 addr=$4
  ip -n "$sw" link add "$port" type veth peer name "$dev" netns "$ns"
  ip -n "$sw" link set "$port" master br0 up
  ip -n "$ns" addr add "$addr/16" dev "$dev"
  ip -n "$ns" link set "$dev" up
}

start_viewer() {
  local i=$1 ns=${viewer_ns[$1]} dur=${viewer_dur[$1]}
  if ((viewer_gst[i])); then
    # -e: on SIGINT from timeout the pipeline gets EOS and shuts down cleanly; -m prints shoal-qoe messages.
    ip netns exec "$ns" "${gst_env[@]}" timeout -s INT -k 10 "$((dur / 1000 + 1))" \
      gst-launch-1.0 -e -m playbin uri="$uri" video-sink=fakesink audio-sink=fakesink \
      </dev/null >"$out/viewers/$i.gst.log" 2>&1 &
  else
    local flags=("${peer_flags[@]}")
    [[ ${viewer_free[i]} == true ]] && flags+=(--max-upload 1)
    ip netns exec "$ns" "$bin/peer/shoal-peer" "$uri" --duration "${dur}ms" --stats "$out/viewers/$i.json" --quiet \
      --trace "$out/viewers/$i.trace" \
      "${flags[@]}" "${extra_args[@]}" </dev/null >"$out/viewers/$i.log" 2>&1 &
  fi
  viewer_pid[i]=$!
  pids+=("$!")
}

alive() {
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}
