#!/usr/bin/env bash
# Replays the hostile inputs of the hardening issue against a `vigil serve`
# it starts on this machine, with normal POST /v1/check traffic at a fixed
# rate beside them, and prints for each row what the server answered, then
# the server's resident memory (VmRSS of /proc/PID/status) and the normal
# traffic's p99 before, during and after the replay. Needs curl and hey
# (apt-get install hey).
#
#   scripts/hostile.sh                        # the issue's sizes
#   RATE=500 BEFORE=20s REPLAY=60s AFTER=20s scripts/hostile.sh
#   ROW3_DOCS=50 scripts/hostile.sh            # a lighter row 3
#
# Rows: 1 a 16 MiB batch of {} (5.6 million documents), two at once;
# 2 a comment that is one 524,000-letter word, 16 at once; 3 documents of
# 16 distinct 60,000-letter words, 4 at a time; 4 a moderator's page
# session after the token is rotated; 5 NUL in author (single and batch);
# 6 `vigil retag` re-run with a mistyped --in; 7 two `vigil retag` on one
# --out (rows 4, 6 and 7 run before the measured window). The load
# generator and the server share the machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-500}
CONC=${CONC:-5}
BEFORE=${BEFORE:-20s}
REPLAY=${REPLAY:-60s}
AFTER=${AFTER:-20s}
PORT=${PORT:-18090}
ROW1_DOCS=${ROW1_DOCS:-5600000}
ROW2_LETTERS=${ROW2_LETTERS:-524000}
ROW3_DOCS=${ROW3_DOCS:-200}
DOC=${DOC:-server/testdata/article-ru.json}
CMS=hostile-cms-$RANDOM$RANDOM
OLD=hostile-mod-old-$RANDOM$RANDOM
NEW=hostile-mod-new-$RANDOM$RANDOM

for c in curl hey awk; do
	command -v "$c" >/dev/null || { echo "hostile: $c not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
pid= sampler= load=
cleanup() {
	for p in $sampler $load; do kill "$p" 2>/dev/null || true; done
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "== build"
go build -o "$tmp/vigil" ./cmd/vigil
base="http://127.0.0.1:$PORT"

# start MODTOKEN: runs vigil serve with the moderator aigerim holding MODTOKEN.
start() {
	VIGIL_CMS_TOKENS=$CMS VIGIL_MODERATOR_TOKENS="aigerim:$1" "$tmp/vigil" serve --addr "127.0.0.1:$PORT" \
		--data-dir "$tmp/data" --log-level warn 2>>"$tmp/serve.log" &
	pid=$!
	for _ in $(seq 1 100); do
		curl -fsS "$base/readyz" >/dev/null 2>&1 && return
		sleep 0.1
	done
	echo "hostile: the server did not become ready; its log:" >&2
	cat "$tmp/serve.log" >&2
	exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status"; }
p99() { awk '/ 99% in / {printf "%.1f ms", $3 * 1000}' "$1"; }
codes() { awk '/Status code distribution/ {on = 1; next} on && /\[[0-9]+\]/ {printf "%s%s x%s", sep, $1, $2; sep = ", "} /Error distribution/ {on = 0}' "$1"; }
# only200or503 FILE: every answer is a verdict (200) or "busy, retry" (503,
# the large-document lane full), and at least one is a verdict.
only200or503() { awk '$1 != 200 && $1 != 503 {bad = 1} $1 == 200 {ok = 1} END {exit bad || !ok}' "$1"; }
results=()
row() { results+=("$(printf '%-3s %-58s %s' "$1" "$2" "$3")"); echo "row $1: $3"; }

echo "== row 4: a moderator's page session, then the token is rotated (same name)"
start "$OLD"
curl -s -o /dev/null -c "$tmp/jar" -H "Origin: $base" --data-urlencode "token=$OLD" "$base/review/login"
before=$(curl -s -o /dev/null -w '%{http_code}' -b "$tmp/jar" "$base/review/")
stop
start "$NEW"
after=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$tmp/jar" "$base/review/")
verdict=FAIL
[ "$before" = 200 ] && [[ "$after" == "303 "*"/review/login" ]] && verdict=ok
row 4 "session of the old token after rotation" "$verdict: page $before before, $after after"

# The retag rows run the CLI, not the server: they come before the
# measured window, so that its CPU is the server's and the load's.
echo "== row 6: vigil retag re-run with a mistyped --in"
head -n 300 testdata/corpus/corpus.jsonl >"$tmp/archive.jsonl"
"$tmp/vigil" retag --in "$tmp/archive.jsonl" --out "$tmp/verdicts.jsonl" --workers 1 --progress none 2>/dev/null
size=$(wc -c <"$tmp/verdicts.jsonl")
set +e
"$tmp/vigil" retag --in "$tmp/archve.jsonl" --out "$tmp/verdicts.jsonl" --workers 1 --progress none 2>"$tmp/row6.err"
code=$?
set -e
verdict=FAIL
[ "$code" = 2 ] && [ "$(wc -c <"$tmp/verdicts.jsonl")" = "$size" ] && verdict=ok
row 6 "retag with a mistyped --in over a previous output" "$verdict: exit $code, output $size -> $(wc -c <"$tmp/verdicts.jsonl") bytes"

echo "== row 7: two vigil retag on one --out"
for _ in 1 2 3 4 5 6 7 8; do cat testdata/corpus/corpus.jsonl; done >"$tmp/big.jsonl"
"$tmp/vigil" retag --in "$tmp/big.jsonl" --out "$tmp/shared.jsonl" --workers 1 --progress none 2>/dev/null &
first=$!
sleep 1
set +e
"$tmp/vigil" retag --in "$tmp/big.jsonl" --out "$tmp/shared.jsonl" --workers 1 --progress none 2>"$tmp/row7.err"
code=$?
wait "$first"
firstcode=$?
set -e
torn=$(awk 'substr($0, 1, 1) != "{" || substr($0, length($0)) != "}"' "$tmp/shared.jsonl" | wc -l)
verdict=FAIL
[ "$code" = 2 ] && grep -q 'in use by another vigil retag' "$tmp/row7.err" && [ "$firstcode" = 0 ] && [ "$torn" = 0 ] && verdict=ok
row 7 "a second retag on the same --out" "$verdict: second exit $code ($(grep -o 'in use by another vigil retag' "$tmp/row7.err" | head -n1)), first exit $firstcode, $torn torn lines"


heyargs=(-m POST -T application/json -H "Authorization: Bearer $CMS" -D "$DOC")
echo "== warm-up"
hey -n 2000 -c 4 "${heyargs[@]}" "$base/v1/check" >/dev/null
rss_before=$(rss)
echo "== before: $RATE req/s of normal checks for $BEFORE (rss $rss_before MB)"
hey -z "$BEFORE" -c "$CONC" -q $((RATE / CONC)) "${heyargs[@]}" "$base/v1/check" >"$tmp/before.txt"
echo "p99 $(p99 "$tmp/before.txt"); $(codes "$tmp/before.txt")"

echo "== replay, with $RATE req/s of normal checks for $REPLAY beside it"
(
	max=0
	while sleep 0.2; do
		r=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status" 2>/dev/null) || break
		[ "$r" -gt "$max" ] && max=$r && echo "$max" >"$tmp/rss_max"
	done
) &
sampler=$!
hey -z "$REPLAY" -c "$CONC" -q $((RATE / CONC)) "${heyargs[@]}" "$base/v1/check" >"$tmp/during.txt" &
load=$!
replay_start=$(date +%s)

echo "-- row 1: batches of $ROW1_DOCS empty documents, two at once"
awk -v n="$ROW1_DOCS" 'BEGIN {printf "{\"documents\":["; for (i = 1; i < n; i++) printf "{},"; printf "{}]}"}' >"$tmp/row1.json"
pids=()
for i in 1 2; do
	curl -s -o "$tmp/row1.$i.out" -w '%{http_code} %{time_total}s\n' -H "Authorization: Bearer $CMS" \
		-H 'Content-Type: application/json' --data-binary @"$tmp/row1.json" "$base/v1/check/batch" >"$tmp/row1.$i" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}" || true
r1=$(cat "$tmp/row1.1" "$tmp/row1.2" | tr '\n' ' ')
verdict=FAIL
[ "$(grep -c '^413 ' "$tmp/row1.1" "$tmp/row1.2" | awk -F: '{s += $2} END {print s}')" = 2 ] && verdict=ok
row 1 "$(du -h "$tmp/row1.json" | cut -f1) batch of {} x2 at once" "$verdict: $r1"

echo "-- row 2: a comment of one $ROW2_LETTERS-letter word, 16 at once"
printf '{"id":"word","kind":"comment","body":"%s"}' "$(head -c "$ROW2_LETTERS" /dev/zero | tr '\0' 'a')" >"$tmp/row2.json"
pids=()
for i in $(seq 1 16); do
	curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $CMS" \
		-H 'Content-Type: application/json' --data-binary @"$tmp/row2.json" "$base/v1/check" >>"$tmp/row2" &
	pids+=($!)
done
wait "${pids[@]}" || true
r2=$(awk '{n[$1]++; if ($2 > max) max = $2} END {for (c in n) printf "%s x%d ", c, n[c]; printf "(slowest %.2fs)", max}' "$tmp/row2")
verdict=FAIL
only200or503 "$tmp/row2" && verdict=ok
row 2 "one ${ROW2_LETTERS}-letter word x16 at once" "$verdict: $r2"

echo "-- row 3: $ROW3_DOCS documents of 16 distinct 60,000-letter words, 4 at a time"
# Each word is 60,000 letters cut from a random pool at random places, so
# all 3,200 words differ.
(set +o pipefail; head -c 1000000 /dev/urandom | tr -dc 'a-z' | head -c 65536 >"$tmp/pool")
gen3() { # gen3 N prints document N
	awk -v n="$1" -v pool="$(cat "$POOL")" 'BEGIN {
		srand(n)
		printf "{\"id\":\"long-%d\",\"kind\":\"comment\",\"body\":\"", n
		for (w = 0; w < 16; w++) {
			for (k = 0; k < 60000; k += 4096) printf "%s", substr(pool, int(rand() * 61440) + 1, (60000 - k < 4096 ? 60000 - k : 4096))
			printf " "
		}
		printf "\"}"
	}'
}
export -f gen3
export CMS base POOL="$tmp/pool"
seq 1 "$ROW3_DOCS" | xargs -P 4 -I{} bash -c 'gen3 {} | curl -s -o /dev/null -w "%{http_code} %{time_total}\n" \
	-H "Authorization: Bearer $CMS" -H "Content-Type: application/json" --data-binary @- "$base/v1/check"' >"$tmp/row3"
r3=$(awk '{n[$1]++; s += $2; if ($2 > max) max = $2} END {for (c in n) printf "%s x%d ", c, n[c]; printf "(mean %.2fs, slowest %.2fs)", s / NR, max}' "$tmp/row3")
verdict=FAIL
only200or503 "$tmp/row3" && verdict=ok
row 3 "$ROW3_DOCS docs of 16 distinct 60,000-letter words" "$verdict: $r3, rss now $(rss) MB"

echo "-- row 5: NUL in author"
single=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $CMS" \
	-d '{"id":"nul-1","kind":"comment","body":"вступай","author":"a\u0000"}' "$base/v1/check")
batch=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $CMS" \
	-d '{"documents":[{"id":"ok-1","body":"привет"},{"id":"nul-2","body":"x","author":"\u0000"},{"id":"ok-2","body":"мир"}]}' "$base/v1/check/batch")
verdict=FAIL
[[ "$single" == *'author: NUL'*' 400' && "$batch" == *'"id":"ok-1","action":"allow"'*'author: NUL'*'"id":"ok-2","action":"allow"'*' 200' ]] && verdict=ok
row 5 "NUL in author: one, and one of three in a batch" "$verdict: single ${single##* }, batch ${batch##* } with the NUL document's own error"

replay_secs=$(($(date +%s) - replay_start))
echo "== replay done in ${replay_secs}s; waiting for the normal traffic to end"
wait "$load" || true
load=
kill "$sampler" 2>/dev/null || true
sampler=
rss_max=$(cat "$tmp/rss_max" 2>/dev/null || echo "?")
sleep 5
rss_mid=$(rss)
echo "== after: $RATE req/s of normal checks for $AFTER (rss $rss_mid MB)"
hey -z "$AFTER" -c "$CONC" -q $((RATE / CONC)) "${heyargs[@]}" "$base/v1/check" >"$tmp/after.txt"
rss_after=$(rss)

echo
echo "== summary"
for r in "${results[@]}"; do echo "$r"; done | sort -n
echo
printf '%-8s %-12s %-10s %s\n' phase "p99 (normal)" "rss MB" "status codes"
printf '%-8s %-12s %-10s %s\n' before "$(p99 "$tmp/before.txt")" "$rss_before" "$(codes "$tmp/before.txt")"
printf '%-8s %-12s %-10s %s\n' during "$(p99 "$tmp/during.txt")" "max $rss_max" "$(codes "$tmp/during.txt")"
printf '%-8s %-12s %-10s %s\n' after "$(p99 "$tmp/after.txt")" "$rss_after" "$(codes "$tmp/after.txt")"
echo "(the replay took ${replay_secs}s of the ${REPLAY} of normal traffic beside it; load average $(cut -d' ' -f1-3 /proc/loadavg))"
