# Where each stall of one viewer came from, from its `shoal-peer --trace` file (docs/peer.md).
# usage: jq -s -c -f explain_stalls.jq peer.trace
# One line per stall: the chunk playback waited for, when, and that chunk's story: whom it was asked of and when,
# who refused, whether and when the origin was asked, where it finally came from and how late.
[.[] | select(.ev == "stall")] as $stalls
| . as $all
| $stalls[]
| .seq as $s | .t_ms as $t
| [$all[] | select(.seq == $s)] as $story
| {
    stall_seq: $s,
    stall_at_ms: $t,
    asked: [$story[] | select(.ev == "request") | {t_ms, conn, urgent}],
    refused: [$story[] | select(.ev == "refused") | {t_ms, conn, busy}],
    origin_asked_ms: ([$story[] | select(.ev == "origin_fetch") | .t_ms] | first),
    arrived: ([$story[] | select(.ev == "arrival" or .ev == "origin_arrival") | {t_ms, from: (if .ev == "arrival" then "peer \(.conn)" else "origin" end), bytes}] | first),
    delivered_ms: ([$story[] | select(.ev == "deliver") | .t_ms] | first)
  }
| .cause = (
    if (.asked | length) == 0 and .origin_asked_ms == null then "never asked for before the stall"
    elif .arrived == null then "never arrived"
    elif .arrived.from == "origin" and ((.asked | length) == 0) then "origin only, asked \(.stall_at_ms - .origin_asked_ms) ms before the stall"
    elif .arrived.from == "origin" then "peers did not deliver; origin asked \(.stall_at_ms - .origin_asked_ms) ms before the stall"
    else "from a peer, \(.arrived.t_ms - .stall_at_ms) ms after the stall; first asked \(.stall_at_ms - .asked[0].t_ms) ms before it"
    end)
