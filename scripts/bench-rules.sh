#!/usr/bin/env bash
# Compares the rule matcher with grep -F -f (and ripgrep when installed) on
# the same 10,000 terms and 10 MB of Russian text: the corpus BenchmarkMatch
# builds from rules/testdata/ria-ru.txt.
#
#   scripts/bench-rules.sh [RUNS]
#
# Every tool runs RUNS times (default 3) on one core and the best CPU time
# (user + system) counts: on a shared machine the wall clock mostly measures
# waiting for a core. grep -o reports every match, like the matcher; its
# output goes through wc, since GNU grep stops early when writing to
# /dev/null.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

VIGIL_BENCH_OUT="$tmp" go test -count=1 -run '^TestWriteBenchCorpus$' ./rules >/dev/null
bytes=$(wc -c <"$tmp/text.txt")
terms=$(wc -l <"$tmp/terms.txt")
echo "corpus: $terms terms, $bytes bytes of text"

best() { # command... → best user+sys seconds over $runs runs
	local b=""
	for _ in $(seq "$runs"); do
		local t
		t=$( { /usr/bin/time -f '%U %S' bash -c "$*" >/dev/null; } 2>&1 | tail -1 | awk '{print $1 + $2}')
		if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN{exit !(a < b)}'; then b=$t; fi
	done
	echo "$b"
}
report() { # name seconds
	awk -v n="$1" -v s="$2" -v by="$bytes" 'BEGIN{ if (s <= 0) s = 0.001; printf "%-28s %7.3f s CPU  %7.1f MB/s\n", n, s, by / s / 1e6 }'
}

report "grep -F -o -f terms" "$(best "LC_ALL=C grep -F -o -f $tmp/terms.txt $tmp/text.txt | wc -l")"
if command -v rg >/dev/null; then
	report "rg -F -o -f terms" "$(best "rg -F -o -f $tmp/terms.txt $tmp/text.txt | wc -l")"
fi

go test -c -o "$tmp/rules.test" ./rules
echo "vigil rules.Set.Match (best of $runs, cpu-MB/s on one core):"
(cd rules && GOMAXPROCS=1 "$tmp/rules.test" -test.run '^$' -test.bench '^BenchmarkMatch$' \
	-test.benchtime 5x -test.count "$runs") |
	awk '/^BenchmarkMatch/ { for (i = 1; i <= NF; i++) if ($(i+1) == "cpu-MB/s" && $i > best[$1]) best[$1] = $i }
	     END { for (k in best) printf "  %-28s %7.1f MB/s\n", k, best[k] }' | sort
