#!/usr/bin/env bash
# Builds the 100,000-document benchmark archive for `vigil retag` from the
# labeled corpora in ../shared/data (relative to the repo root): Russian,
# Kazakh and English news articles and headlines (topics), Russian reader
# comments (toxicity) and English news (agnews), repeated with fresh ids
# past N documents, shuffled with a fixed seed and cut to N so kinds and languages
# mix as in a real archive. The archive keeps the corpora's gold tags, so
# `vigil retag --diff` has something to compare against.
#
# usage: scripts/make-archive.sh [OUT [N]]
#   OUT defaults to ${TMPDIR:-/tmp}/vigil-bench/archive.jsonl (never commit it)
#   SET=articles scripts/make-archive.sh OUT 20000: full-length articles only
#   (the RIA Novosti articles of topics, ~3.4 KB of text each), repeated
#   with fresh ids: what an archive of published articles looks like.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data
out=${1:-${TMPDIR:-/tmp}/vigil-bench/archive.jsonl}
n=${2:-100000}
for f in topics/train.jsonl topics/dev.jsonl toxicity/train.jsonl toxicity/dev.jsonl agnews/train.jsonl; do
	[ -r "$data/$f" ] || { echo "make-archive: $data/$f not found (run from a checkout next to shared/)" >&2; exit 1; }
done
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
round=0
while [ "$(wc -l <"$tmp")" -lt "$n" ]; do
	round=$((round + 1))
	# Every corpus line starts with {"id": "...": prefix the id with the round.
	if [ "${SET:-mixed}" = articles ]; then
		grep -h '"source": "ria.ru article"' "$data"/topics/train.jsonl "$data"/topics/dev.jsonl
	else
		cat "$data"/topics/train.jsonl "$data"/topics/dev.jsonl "$data"/toxicity/train.jsonl \
			"$data"/toxicity/dev.jsonl "$data"/agnews/train.jsonl
	fi | sed -e "s/^{\"id\": \"/{\"id\": \"r$round-/" >>"$tmp"
done
# Shuffle everything, then keep n: a smaller archive mixes every corpus too.
shuf --random-source=<(yes vigil) -n "$n" "$tmp" >"$out"
lines=$(wc -l <"$out")
bytes=$(wc -c <"$out")
echo "make-archive: $out: $lines documents, $((bytes / 1000000)) MB, $((bytes / lines)) bytes per document" >&2
