#!/usr/bin/env bash
# Measures `vigil serve` over HTTP on this machine: a fixed-rate run of
# POST /v1/check with a 3.7 KB Russian news article (latency percentiles,
# errors, resident memory sampled every 5 s), then an open-throttle run
# for the most requests per second. Needs hey (apt-get install hey).
#
#   scripts/bench-http.sh                  # 500 req/s for 60 s, then max throughput for 20 s
#   RATE=1000 DURATION=30s scripts/bench-http.sh
#   MODE=perspective scripts/bench-http.sh # the same on POST /v1alpha1/comments:analyze?key=…
#                                          # with Coral's request for a 300-character Russian comment
#   VIGIL=path/to/vigil scripts/bench-http.sh   # that binary (another commit's build), not this tree
#   SERVE_ARGS="--models DIR" scripts/bench-http.sh  # extra arguments to vigil serve (another head)
#
# The load generator runs on the same machine as the server, so on a small
# machine both numbers include its CPU.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-500}
DURATION=${DURATION:-60s}
CONC=${CONC:-5}            # fixed-rate workers, each at RATE/CONC req/s; hey starts them together,
                           # so they send in bursts of CONC: keep it small (50 gave p99 38 ms where 5 gave 7 ms)
MAX_DURATION=${MAX_DURATION:-20s}
MAX_CONC=${MAX_CONC:-32}
PORT=${PORT:-18080}
MODE=${MODE:-check}         # check or perspective
TOKEN=bench-$RANDOM$RANDOM
case "$MODE" in
check)
	DOC=${DOC:-server/testdata/article-ru.json}
	path=/v1/check handler=check ;;
perspective)
	DOC=${DOC:-server/testdata/perspective/comment-300.json}
	path="/v1alpha1/comments:analyze?key=$TOKEN" handler=perspective ;;
*) echo "bench-http: MODE=$MODE: want check or perspective" >&2; exit 2 ;;
esac

command -v hey >/dev/null || { echo "bench-http: hey not found (apt-get install hey)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; kill "$sampler" 2>/dev/null || true; rm -rf "$tmp"' EXIT
pid= sampler=

echo "== build"
if [ -n "${VIGIL:-}" ]; then cp "$VIGIL" "$tmp/vigil"; else go build -o "$tmp/vigil" ./cmd/vigil; fi
VIGIL_CMS_TOKENS=$TOKEN "$tmp/vigil" serve --addr "127.0.0.1:$PORT" --data-dir "$tmp/data" \
	--log-level info ${SERVE_ARGS:-} 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 1 100); do
	curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 0.1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
echo "server pid $pid; $(grep -o '"stages":\[[^]]*\]' "$tmp/serve.log" | head -n1)"
echo "document: $DOC ($(wc -c <"$DOC") bytes)"
url="http://127.0.0.1:$PORT$path"
heyargs=(-m POST -T application/json -D "$DOC")
[ "$MODE" = check ] && heyargs+=(-H "Authorization: Bearer $TOKEN")

echo "== warm-up"
hey -n 2000 -c 4 "${heyargs[@]}" "$url" >/dev/null

rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "== $RATE req/s for $DURATION ($CONC workers)"
( while sleep 5; do echo "$(date +%T) rss_kb=$(rss)"; done ) >"$tmp/rss.log" &
sampler=$!
echo "rss before: $(rss) kB"
hey -z "$DURATION" -c "$CONC" -q $((RATE / CONC)) "${heyargs[@]}" "$url" | tee "$tmp/fixed.txt" |
	grep -E 'Requests/sec|Average|Slowest|Fastest|10%|50%|90%|95%|99%|Status code|^ +\[[0-9]{3}\]|Error' || true
kill "$sampler" 2>/dev/null || true
echo "rss every 5 s (kB): $(awk -F= '{printf "%s ", $2}' "$tmp/rss.log")"
echo "rss after: $(rss) kB"

echo "== max throughput for $MAX_DURATION ($MAX_CONC connections)"
hey -z "$MAX_DURATION" -c "$MAX_CONC" "${heyargs[@]}" "$url" |
	grep -E 'Requests/sec|50%|99%|^ +\[[0-9]{3}\]|Error' || true

echo "== server's own view (/metrics, both runs)"
curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v h="$handler" '
	index($0, "vigil_http_request_duration_seconds_bucket{code=\"200\",handler=\"" h "\",le=\"0.005\"}") == 1 {b5 = $2}
	index($0, "vigil_http_request_duration_seconds_bucket{code=\"200\",handler=\"" h "\",le=\"0.01\"}") == 1 {b10 = $2}
	index($0, "vigil_http_request_duration_seconds_count{code=\"200\",handler=\"" h "\"}") == 1 {n = $2}
	END {if (n > 0) printf "checks answered in the server within 5 ms: %.2f%%, within 10 ms: %.2f%% (of %d)\n", 100*b5/n, 100*b10/n, n}'
curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -F'[{}" ]+' '
	/^vigil_stage_duration_seconds_sum/ {sum[$3] = $NF}
	/^vigil_stage_duration_seconds_count/ {cnt[$3] = $NF}
	END {for (s in sum) if (cnt[s] > 0) printf "stage %-10s mean %.3f ms\n", s, 1000*sum[s]/cnt[s]}'

curl -fsS "http://127.0.0.1:$PORT/metrics" |
	grep -E '^vigil_(build_info|http_rejected_requests_total|documents_total)|^process_resident_memory_bytes|^go_goroutines' |
	grep -v ' 0$' || true
