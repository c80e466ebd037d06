# The testbed's summary with shoal-sim's definitions (sim/src/metrics.cpp, docs/testbed.md), from the plan,
# the viewers' reports, the origin's /stats and samples and the explained stalls (see tests/testbed/testbed).
  def pct(p): sort | if length == 0 then 0 else (p * (length - 1)) as $r | ($r | floor) as $lo
    | ([$lo + 1, length - 1] | min) as $hi | .[$lo] + (.[$hi] - .[$lo]) * ($r - $lo) end;
  ($plan[0]) as $ch | ($plan[1:]) as $viewers | $ch.bitrate_bps as $r
  | ([$stats[] | .channels[] | select(.name == $channel)]) as $oc
  | ([$oc[].http_bytes] | add // 0) as $http | ([$oc[].mesh_bytes_seeded] | add // 0) as $seed
  | ($http + $seed) as $origin
  | ([$reports[] | select(.missing | not)]) as $rep
  | ([$rep[] | (.bytes_from_peers + .bytes_from_origin)] | add // 0) as $cs
  # The bound over the planned audience: integral of max(r, N(t) r - sum of present uplinks) while N(t) > 0.
  | (($ch.length_ms / $ch.chunk_duration_ms | floor) * $ch.chunk_duration_ms) as $content
  | (if $ch.live then $ch.length_ms else $ch.length_ms + $content end) as $run_end
  # A VoD viewer that leaves after watching is counted for the content length from its join (the sim: until its
  # last chunk arrives).
  | ([$viewers[] | ([.leave_ms // (if .leave_after_watching then .join_ms + $content else $run_end end), $run_end]
      | min) as $stop
      | [.join_ms, 1, (if .free_rider then 0 else .upload_bps end)], [$stop, -1, (if .free_rider then 0 else -.upload_bps end)]]
      | sort_by([.[0], .[1]]))
    as $ev
  | (reduce $ev[] as $e ({t: 0, n: 0, u: 0, b: 0, peak: 0};
      (if .n > 0 then .b + ([$r, .n * $r - .u] | max) / 8 * ($e[0] - .t) / 1000 else .b end) as $b
      | {t: $e[0], n: (.n + $e[1]), u: (.u + $e[2]), b: $b, peak: ([.peak, .n + $e[1]] | max)}))
    as $acc | $acc.b as $bound
  | ([$rep[] | select(.startup_delay_ms >= 0)]) as $started
  | ([$started[].chunks_played] | add // 0) as $played
  | ([$started[].chunks_late // 0] | add // 0) as $late
  | {source: "testbed", scenario: $ch.name, policy: $ch.policy, viewers: ($viewers | length),
     viewers_reported: ($rep | length), nat_viewers: $nat, gst_viewers: $gst,
     offload: (if $cs > 0 then 1 - $origin / $cs else 0 end),
     offload_bound: (if $cs > 0 then 1 - $bound / $cs else 0 end),
     efficiency: (if $origin > 0 then $bound / $origin else 0 end),
     continuity: (if $played > 0 then 1 - $late / $played elif ($started | length) > 0 then 1 else 0 end),
     stalled_sessions: (if ($started | length) > 0 then ([$started[] | select(.stalls > 0)] | length) / ($started | length) else 0 end),
     started_sessions: (($started | length) / ($viewers | length)),
     startup_p50_ms: ([$started[].startup_delay_ms] | pct(0.5)),
     startup_p95_ms: ([$started[].startup_delay_ms] | pct(0.95)),
     lag_p95_ms: null,
     stall_ms: ([$started[].stall_ms] | add // 0), stall_ms_max: ([$started[].stall_ms] | max // 0),
     origin_bytes: $origin, origin_http_bytes: $http, origin_seed_bytes: $seed, cs_origin_bytes: $cs,
     bound_bytes: ($bound | round), bytes_uploaded: ([$rep[].bytes_uploaded // 0] | add // 0),
     hash_failures: ([$rep[].hash_failures // 0] | add // 0),
     viewer_exit_failures: ([$rep[] | select((.exit_code // 0) != 0 and (.exit_code // 0) != 124)] | length),
     origin_runs: $runs, origin_exit_code: $orc, viewers_peak: $acc.peak,
     origin_viewers_max: ([$samples[] | .channels[] | select(.name == $channel) | .viewers] | max),
     # Where the chunks that stalled a shoal-peer viewer came from (stalls.jsonl tells each story).
     stalls_explained: ($stalls | group_by(.cause | split(",")[0] | split(";")[0]) | map({key: (.[0].cause | split(",")[0] | split(";")[0]), value: length}) | from_entries)}
