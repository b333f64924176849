#!/usr/bin/env bash
# Cross-validates the shipped topic bundle's training command on the real
# Lenta headlines it trains on, so that a change to the topic model can be
# measured on about 10,800 real headlines instead of the 3,332 held out
# (lenta-hand6, 9, 14, 17, 22, 25, 26), which stay unread. The headlines of
# build/weak/hand.jsonl that come from a lenta-hand*.jsonl file are cut into
# FOLDS folds by their place in that file; fold k's headlines (both copies:
# they count twice) leave the training data, the bundle is trained with
# the command of docs/models.md ("The topic classifier") and the whole
# engine is measured on them with `vigil eval`. Prints per fold the share of
# headlines with every tag right, then, summed over the folds, each tag's
# precision, recall and F1, every tag right and the extra tags a headline.
#
#   scripts/cv-real.sh                                   # 5 folds, the shipped command
#   FOLDS=3 scripts/cv-real.sh                           # fewer folds, faster
#   TRAIN_ARGS='--epochs 20' scripts/cv-real.sh          # more vigil train options
#   ONCE=, NOTOPIC=, CLUSTERS= as for scripts/cv-sib.sh (scripts/topics-train.sh)
#   MISSES=build/cv-misses scripts/cv-real.sh            # also each fold's misses (vigil eval --misses)
#   SHARE=0.5 scripts/cv-real.sh                         # train on half the real headlines (a learning curve)
#
# On the shipped command (2026-12-06) the folds give every tag right 0.679
# and government P / R 0.687 / 0.494, where the held-out headlines give 0.676
# and 0.698 / 0.566: the folds read like the held-out set, on three times
# as many headlines (docs/models.md, "Cross-validation on the real
# headlines"). Needs build/weak (scripts/weak-labels.sh) and
# build/clusters.tsv (scripts/clusters.sh) and jq; reads the corpora from
# ../shared/data (or $VIGIL_DATA). About 40 s a fold on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# SHARE in twentieths (below, "its part"), checked before anything is built
SHARE=${SHARE:-1}
parts=$(awk -v s="$SHARE" 'BEGIN {c = int(s * 20 + 0.5); if (c < 1 || c > 20) exit 1; print c}') ||
	{ echo "SHARE=$SHARE: give a share of the real headlines from 0.05 to 1" >&2; exit 2; }
# shellcheck source=scripts/topics-train.sh
. scripts/topics-train.sh
topics_setup

# The real headlines trained on: the ids of every lenta-hand*.jsonl that
# hand.jsonl holds (it leaves out the held-out and threshold sets itself).
cat testdata/tags/lenta-hand*.jsonl | jq -r .id | LC_ALL=C sort -u >"$work/lenta-ids"
jq -r '.id' build/weak/hand.jsonl | grep -vF '#2' >"$work/hand-order"
LC_ALL=C sort "$work/hand-order" >"$work/hand-ids"
LC_ALL=C join "$work/lenta-ids" "$work/hand-ids" >"$work/real-ids"
# fold of each real headline: its place among them in hand.jsonl, mod FOLDS;
# and its part, one of 20 cut across the folds, for SHARE: a fold trains on
# the other folds' headlines of parts 0 to 20 * SHARE - 1 only (the same
# headlines at every SHARE that keep them, so a learning curve's points
# differ by headlines added, not by a new draw).
grep -xFf "$work/real-ids" "$work/hand-order" |
	awk -v n="$FOLDS" '{print $0 "\t" (NR - 1) % n "\t" int((NR - 1) / n) % 20}' >"$work/folds.tsv"

# idset: the ids on stdin, one a line, as a JSON object to look them up in
idset() { jq -R -s 'split("\n") | map(select(. != "") | {(.): true}) | add'; }

printf '%-5s %8s %8s %8s %8s\n' fold docs right share trained
: >"$work/evals.jsonl"
for ((k = 0; k < FOLDS; k++)); do
	awk -F'\t' -v k="$k" '$2 == k {print $1}' "$work/folds.tsv" | idset >"$work/fold.json"
	awk -F'\t' -v k="$k" -v c="$parts" '$2 == k || $3 >= c {print $1}' "$work/folds.tsv" >"$work/drop.ids"
	idset <"$work/drop.ids" >"$work/drop.json"
	# Training: hand.jsonl without fold k, nor the parts SHARE leaves out
	# (a copy's id is the headline's and "#2").
	jq -c --slurpfile drop "$work/drop.json" 'select($drop[0][.id | sub("#2$"; "")] | not)' \
		build/weak/hand.jsonl >"$work/hand.jsonl"
	# Test: fold k's headlines, politics named as the taxonomy shows it.
	jq -c --slurpfile fold "$work/fold.json" 'select($fold[0][.id]) | .tags |= map(if . == "diplomacy" then "politics" else . end)' \
		build/weak/hand.jsonl >"$work/test.jsonl"
	# shellcheck disable=SC2086 # TRAIN_ARGS is a list of flags
	topics_train "$work/vigil" "$work/fold" "$DATA/topics/train.jsonl,$DATA/news-en/train.jsonl" "$work/hand.jsonl" \
		$TRAIN_ARGS 2>"$work/train.log" ||
		{ cat "$work/train.log" >&2; exit 1; }
	misses=()
	if [[ -n ${MISSES:-} ]]; then
		mkdir -p "$MISSES"
		misses=(--misses "$MISSES/fold$k.jsonl")
	fi
	"$work/vigil" eval --models "$work/fold" --data "$work/test.jsonl" --json "${misses[@]}" >"$work/eval.json"
	jq -c . "$work/eval.json" >>"$work/evals.jsonl"
	# trained: the real headlines the fold's bundle learned from (once each)
	trained=$(($(wc -l <"$work/folds.tsv") - $(wc -l <"$work/drop.ids")))
	jq -r --arg k "$k" --arg n "$trained" '"\($k)\t\(.docs)\t\(.every_tag_right_docs)\t\(.every_tag_right)\t\($n)"' "$work/eval.json" |
		awk -F'\t' '{printf "%-5s %8d %8d %8.3f %8d\n", $1, $2, $3, $4, $5}'
done
echo
jq -rs '
	def r3: . * 1000 | round / 1000;
	(map(.docs) | add) as $docs |
	[map(.tags[]) | group_by(.name)[] |
		{name: .[0].name, tp: (map(.tp) | add), support: (map(.support) | add), predicted: (map(.predicted) | add)} |
		select(.support > 0) |
		(if .predicted > 0 then .tp / .predicted else 0 end) as $p | (.tp / .support) as $r |
		. + {p: $p, r: $r, f1: (if $p + $r > 0 then 2 * $p * $r / ($p + $r) else 0 end)}] as $tags |
	"every tag right \((map(.every_tag_right_docs) | add) / $docs | r3), extra tags a headline \((map(.extra_tags * .docs) | add) / $docs | r3), macro-F1 \($tags | map(.f1) | add / length | r3), \($docs) headlines",
	($tags[] | "\(.name)\tP \(.p | r3)\tR \(.r | r3)\tF1 \(.f1 | r3)\tsupport \(.support)")
' "$work/evals.jsonl"
