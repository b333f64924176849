#!/usr/bin/env bash
# Measures `vigil retag` over a 100,000-document archive built from
# ../shared/data (scripts/make-archive.sh), on one and on two cores, next to
# fastText's `predict` on the same text with a quick model trained on the
# topics train split. Prints a Markdown table for the README.
#
# usage: scripts/bench-retag.sh [WORKDIR]   (default ${TMPDIR:-/tmp}/vigil-bench)
#        DOCS=10000 scripts/bench-retag.sh   (a smaller archive, for a quick look)
#        SET=articles scripts/bench-retag.sh (20,000 full-length articles,
#          ~3.4 KB each; prints the ratios to fastText and the top lines of
#          a CPU profile of the two-core run)
#        VIGIL=path/to/vigil scripts/bench-retag.sh (measure that binary, e.g.
#          one built from an earlier commit, instead of building this tree)
# needs: Go; fasttext and jq (installed with apt-get when missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-${TMPDIR:-/tmp}/vigil-bench}
mkdir -p "$work"
for tool in fasttext jq; do
	if ! command -v "$tool" >/dev/null; then
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
		else
			echo "bench-retag: $tool not found; apt-get install $tool" >&2
			exit 1
		fi
	fi
done

set=${SET:-mixed}
if [ "$set" = articles ]; then want=${DOCS:-20000}; else want=${DOCS:-100000}; fi
archive=$work/archive-$set-$want.jsonl
[ -s "$archive" ] || SET=$set scripts/make-archive.sh "$archive" "$want"
docs=$(wc -l <"$archive")
jsonl_bytes=$(wc -c <"$archive")

# The text both tools see: title and body of each document, one a line.
jq -r '((.title // "") + " " + (.body // "")) | gsub("[\r\n]+"; " ")' "$archive" >"$work/archive.txt"
text_bytes=$(wc -c <"$work/archive.txt")

if [ -n "${VIGIL:-}" ]; then cp "$VIGIL" "$work/vigil"; else go build -o "$work/vigil" ./cmd/vigil; fi

rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }
mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.1f", b / 1e6 / t }'; }

# Wall-clock rates depend on what else the machine runs; "per CPU-second"
# (documents over the process's user+sys time) is the cost, whatever the load.
TIMEFORMAT='%R %U %S'
declare -A vigil_rate
load0=$(cut -d' ' -f1-3 /proc/loadavg)
cpu_rate() { awk -v n="$1" -v u="$2" -v s="$3" 'BEGIN { printf "%.0f", n / (u + s) }'; }

echo "| run | cores | documents/s | MB/s (JSONL) | MB/s (text) | documents per CPU-second | seconds |"
echo "|---|---|---|---|---|---|---|"
for cores in 1 2; do
	rm -f "$work/verdicts.jsonl" "$work/verdicts.jsonl.checkpoint"
	rc=0
	prof=()
	[ "$cores" = 2 ] && prof=(--cpuprofile "$work/cpu.prof")
	{ time GOMAXPROCS=$cores "$work/vigil" retag --in "$archive" --out "$work/verdicts.jsonl" --workers "$cores" \
		--restart --progress none --summary "$work/summary-$cores.json" "${prof[@]}" 2>"$work/retag-$cores.log"; } 2>"$work/time-$cores" || rc=$?
	# exit 2 means some documents were bad: still a measurement.
	if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then cat "$work/retag-$cores.log" >&2; exit "$rc"; fi
	read -r _ user sys <"$work/time-$cores"
	secs=$(jq -r '.elapsed_ns / 1e9' "$work/summary-$cores.json")
	n=$(jq -r '.processed + .bad' "$work/summary-$cores.json")
	vigil_rate[$cores]=$(rate "$n" "$secs")
	echo "| vigil retag (whole pipeline) | $cores | ${vigil_rate[$cores]} | $(mbps "$jsonl_bytes" "$secs") | $(mbps "$text_bytes" "$secs") | $(cpu_rate "$n" "$user" "$sys") | $(printf %.1f "$secs") |"
done

# fastText: a quick topic model (word bigrams, char 3-5-grams, dim 50, 5 epochs).
jq -r '"__label__" + (.tags[0] // "none") + " " + (((.title // "") + " " + (.body // "")) | gsub("[\r\n]+"; " "))' \
	../shared/data/topics/train.jsonl >"$work/ft-train.txt"
fasttext supervised -input "$work/ft-train.txt" -output "$work/ft-topics" -dim 50 -epoch 5 -wordNgrams 2 \
	-minn 3 -maxn 5 -thread 2 -verbose 0
{ time fasttext predict "$work/ft-topics.bin" "$work/archive.txt" >"$work/ft-predictions.txt"; } 2>"$work/time-ft"
read -r secs user sys <"$work/time-ft"
ft_rate=$(rate "$docs" "$secs")
echo "| fasttext predict (topics model only) | 1 | $ft_rate | – | $(mbps "$text_bytes" "$secs") | $(cpu_rate "$docs" "$user" "$sys") | $(printf %.1f "$secs") |"

echo
echo "archive: $docs documents, $((jsonl_bytes / 1000000)) MB JSONL, $((text_bytes / 1000000)) MB of text; $(nproc) cores; load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "pipeline: $(grep -o 'stages="[^"]*" model=[^ ]* rules=[^ ]*' "$work/retag-2.log" | head -1 || true)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "ratios to fastText predict (one thread): vigil on 2 cores $(ratio "${vigil_rate[2]}" "$ft_rate")x, on 1 core $(ratio "${vigil_rate[1]}" "$ft_rate")x"
echo
echo "CPU profile of the two-core run (go tool pprof -top):"
go tool pprof -top -nodecount=12 "$work/vigil" "$work/cpu.prof" 2>/dev/null | sed -n '/flat%/,$p'
