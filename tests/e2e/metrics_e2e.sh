#!/usr/bin/env bash
# End-to-end (issue 19): /metrics of a running origin with viewers, checked by Prometheus' own linter, and the
# Grafana dashboard in docs/ checked against it. One origin (a live and a VoD channel) and three shoal-peer viewers
# on the live channel on loopback; two leave after 12 s (their final reports are in), the third is still watching
# when /metrics is read. Asserts:
#  - `promtool check metrics` (Debian's prometheus package) finds nothing to say about /metrics;
#  - every family has a sample per channel, the histograms hold the viewers' sessions, and the figures match /stats;
#  - docs/grafana/shoal-origin.json is a dashboard Grafana imports (schema below), every panel queries only metric
#    names this origin exports (the list is read from its /metrics, not copied), and every query parses as PromQL
#    (`promtool check rules` on the queries).
#
# usage: metrics_e2e.sh SHOAL_ORIGIN SHOAL_PEER DASHBOARD_JSON
set -euo pipefail

ORIGIN_BIN=${1:?shoal-origin path}
PEER_BIN=${2:?shoal-peer path}
DASHBOARD=${3:?docs/grafana/shoal-origin.json}
PROMTOOL=${PROMTOOL:-promtool}

WORK=$(mktemp -d /tmp/shoal-metrics.XXXXXX)
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    echo "--- origin log (tail)"; tail -n 20 "$WORK/origin.log" 2>/dev/null || true
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
command -v "$PROMTOOL" >/dev/null || fail "no promtool (Debian package prometheus; scripts/lib/deps.sh installs it)"

# ---- The dashboard's schema first: it needs no origin.
jq -e . "$DASHBOARD" >/dev/null || fail "$DASHBOARD is not valid JSON"
jq -e '
  (.title | type == "string" and length > 0) and (.uid | type == "string" and length > 0 and length <= 40)
  and (.schemaVersion | type == "number" and . >= 30)
  and (.__inputs | any(.type == "datasource" and .pluginId == "prometheus" and .name == "DS_PROMETHEUS"))
  and (.templating.list | any(.name == "channel" and .type == "query"))
  and (.panels | type == "array" and length > 0)
  and ([.panels[].id] | length == (unique | length))
  and (.panels | all(
        (.id | type == "number") and (.type == "stat" or .type == "timeseries") and (.title | length > 0)
        and (.datasource.type == "prometheus")
        and (.gridPos | (.x | type == "number") and (.y | type == "number") and .w > 0 and .h > 0 and .x + .w <= 24)
        and (.targets | length > 0 and all((.expr | type == "string" and length > 0) and (.refId | length > 0)))))
' "$DASHBOARD" >/dev/null || fail "$DASHBOARD does not have the shape of an importable Grafana dashboard"

# ---- An origin with viewers.
ffmpeg -loglevel error -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 10 -c:v libx264 -preset veryfast -g 30 -keyint_min 30 -sc_threshold 0 -b:v 800k -pix_fmt yuv420p -c:a aac \
  "$WORK/clip.mp4"
"$ORIGIN_BIN" --listen 127.0.0.1:0 --data "$WORK/data" --live tv="$WORK/clip.mp4" --loop --vod film="$WORK/clip.mp4" \
  --seed-upload 4M >"$WORK/origin.out" 2>"$WORK/origin.log" &
PIDS+=($!)
ORIGIN=""
for _ in $(seq 300); do
  ORIGIN=$(jq -r 'select(.event=="listening") | .address' "$WORK/origin.out" 2>/dev/null | head -n1 || true)
  [[ -n $ORIGIN ]] && break
  sleep 0.1
done
[[ -n $ORIGIN ]] || fail "origin did not report its address"
for v in 1 2 3; do
  duration=12s
  ((v == 3)) && duration=90s
  "$PEER_BIN" "shoal://$ORIGIN/tv" --listen 127.0.0.1:0 --duration "$duration" --stats "$WORK/viewer$v.json" \
    2>"$WORK/viewer$v.log" &
  PIDS+=($!)
done
# Until the two short sessions have ended (viewers report when they leave).
for _ in $(seq 400); do
  curl -sf "http://$ORIGIN/metrics" >"$WORK/metrics.txt" || fail "GET /metrics"
  ended=$(awk '$1 == "shoal_origin_session_stall_seconds_count{channel=\"tv\"}" {print $2}' "$WORK/metrics.txt")
  started=$(awk '$1 == "shoal_origin_startup_delay_seconds_count{channel=\"tv\"}" {print $2}' "$WORK/metrics.txt")
  [[ ${ended:-0} == 2 && ${started:-0} == 2 ]] && break
  sleep 0.1
done
[[ ${ended:-0} == 2 && ${started:-0} == 2 ]] ||
  fail "after 40 s: $ended ended sessions and $started start-ups in /metrics, want 2 and 2"
curl -sf "http://$ORIGIN/stats" >"$WORK/stats.json"

# ---- promtool, the linter of Prometheus' own conventions.
"$PROMTOOL" check metrics <"$WORK/metrics.txt" >"$WORK/promtool.out" 2>&1 || {
  cat "$WORK/promtool.out"
  fail "promtool check metrics refused /metrics"
}
[[ ! -s $WORK/promtool.out ]] || { cat "$WORK/promtool.out"; fail "promtool check metrics has remarks"; }

# ---- Every family has one sample per channel (two channels), histograms their full set.
awk '$1 == "#" && $2 == "TYPE" {print $3, $4}' "$WORK/metrics.txt" >"$WORK/families"
(($(wc -l <"$WORK/families") >= 12)) || fail "only $(wc -l <"$WORK/families") families"
while read -r family type; do
  for channel in tv film; do
    if [[ $type == histogram ]]; then
      for part in '_bucket{channel="'$channel'",le="+Inf"}' '_sum{channel="'$channel'"}' '_count{channel="'$channel'"}'; do
        grep -qF "$family$part " "$WORK/metrics.txt" || fail "$family has no $part sample"
      done
    else
      grep -qF "$family{channel=\"$channel\"} " "$WORK/metrics.txt" || fail "$family has no sample for $channel"
    fi
  done
done <"$WORK/families"

# ---- The same figures as /stats (read a moment apart: only figures that cannot move in between).
metric() { awk -v m="$1{channel=\"tv\"}" '$1 == m {print $2}' "$WORK/metrics.txt"; }
stats_of() { jq ".channels[] | select(.name == \"tv\") | $1" "$WORK/stats.json"; }
[[ $(metric shoal_origin_viewers) == 1 && $(stats_of .viewers) == 1 ]] ||
  fail "viewers: /metrics $(metric shoal_origin_viewers), /stats $(stats_of .viewers), want 1 (the third viewer)"
[[ $(metric shoal_origin_qoe_sessions_total) == "$(stats_of .qoe.sessions)" ]] || fail "sessions differ from /stats"
[[ $(metric shoal_origin_startup_delay_seconds_count) == "$(stats_of .qoe.startup_reports)" ]] ||
  fail "start-up reports differ from /stats"
jq -e -n "($(metric shoal_origin_startup_delay_seconds_sum) / 2 - $(stats_of .qoe.startup_mean_ms) / 1000 | fabs) < 1e-9" \
  >/dev/null || fail "mean start-up differs from /stats"

# ---- The dashboard queries only what this origin exports, in valid PromQL.
{
  while read -r family type; do
    if [[ $type == histogram ]]; then printf '%s\n' "${family}_bucket" "${family}_sum" "${family}_count"; else echo "$family"; fi
  done <"$WORK/families"
} | sort -u >"$WORK/exported"
jq -r '.panels[].targets[].expr' "$DASHBOARD" >"$WORK/queries"
jq -r '.templating.list[].query.query // empty' "$DASHBOARD" | grep -o 'shoal_[a-z0-9_]*' >>"$WORK/queries" || true
grep -o 'shoal_[a-z0-9_]*' "$WORK/queries" | sort -u >"$WORK/queried"
unknown=$(comm -23 "$WORK/queried" "$WORK/exported")
[[ -z $unknown ]] || fail "the dashboard queries metrics the origin does not export: $unknown"
while read -r q; do grep -q 'shoal_' <<<"$q" || fail "a dashboard query names no shoal metric: $q"; done \
  < <(jq -r '.panels[].targets[].expr' "$DASHBOARD")
# Grafana's variables replaced by values, each query becomes a recording rule for promtool to parse.
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  n=0
  while read -r q; do
    n=$((n + 1))
    q=${q//\$__rate_interval/1m}
    q=${q//\$channel/tv}
    printf '      - record: dashboard:query%d\n        expr: %s\n' "$n" "$(jq -R . <<<"$q")"
  done < <(jq -r '.panels[].targets[].expr' "$DASHBOARD")
} >"$WORK/rules.yml"
"$PROMTOOL" check rules "$WORK/rules.yml" >"$WORK/rules.out" 2>&1 || {
  cat "$WORK/rules.out"
  fail "a dashboard query is not valid PromQL"
}
echo "{\"families\":$(wc -l <"$WORK/families"),\"dashboard_panels\":$(jq '.panels | length' "$DASHBOARD"),\"metrics_queried\":$(wc -l <"$WORK/queried")}"
echo "PASS"
