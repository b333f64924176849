#!/usr/bin/env bash
# Cross-validates the shipped topic bundle's training command on the
# SIB-200 sentences: the measure docs/models.md gives for Kazakh, English and
# Russian sentences beside topics dev's 91 a language (one sentence there is
# 1.1 points; here 643 a language are tested).
#
#   scripts/cv-sib.sh                # 5 folds, the shipped command
#   FOLDS=3 scripts/cv-sib.sh        # fewer folds, faster
#   ONCE=DIR,DIR scripts/cv-sib.sh   # another --once (default testdata/sentences)
#   NOTOPIC= scripts/cv-sib.sh       # without the items about no topic
#   CLUSTERS= scripts/cv-sib.sh      # without the word clusters
#   TRAIN_ARGS='--cluster-weight 0.25' scripts/cv-sib.sh   # more vigil train options
#
# The SIB-200 sentences of topics/train.jsonl are split by their number
# (sib-kk-17, sib-ru-17 and sib-en-17 are one sentence): fold k holds out
# every number n with n mod FOLDS = k in all three languages, so neither the
# model nor the Kazakh/English dictionary has seen a held-out sentence in
# any language. Everything else is the command of docs/models.md ("The
# topic classifier"), so build/weak must exist (scripts/weak-labels.sh), and
# build/clusters.tsv (scripts/clusters.sh). The clusters were learned from
# text that holds every SIB-200 training sentence, labels unread: a held-out
# sentence's words have groups, which the topics test split's need not.
# Prints top-1 accuracy (the model's best tag, as topics dev is measured)
# per fold and language, and the mean over the sentences of all folds.
#
# Reads the corpora from ../shared/data (or $VIGIL_DATA). About 80 s a fold
# on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/topics-train.sh
. scripts/topics-train.sh
topics_setup

printf '%-5s %8s %8s %8s\n' fold kk en ru
declare -A right total
for ((k = 0; k < FOLDS; k++)); do
	# A line is held out when its id is sib-LANG-N with N mod FOLDS = k.
	jq -c --argjson k "$k" --argjson n "$FOLDS" \
		'select((.id | test("^sib-[a-z]+-[0-9]+$")) and ((.id | split("-")[2] | tonumber) % $n == $k))' \
		"$DATA/topics/train.jsonl" >"$work/test.jsonl"
	jq -c --argjson k "$k" --argjson n "$FOLDS" \
		'select(((.id | test("^sib-[a-z]+-[0-9]+$")) and ((.id | split("-")[2] | tonumber) % $n == $k)) | not)' \
		"$DATA/topics/train.jsonl" >"$work/train.jsonl"
	# shellcheck disable=SC2086 # TRAIN_ARGS is a list of flags
	topics_train "$work/vigil" "$work/fold" "$work/train.jsonl,$DATA/news-en/train.jsonl" build/weak/hand.jsonl \
		--threads 2 $TRAIN_ARGS 2>"$work/train.log" ||
		{ cat "$work/train.log" >&2; exit 1; }
	row=$k
	for lang in kk en ru; do
		jq -c --arg l "$lang" 'select(.lang == $l)' "$work/test.jsonl" >"$work/test-$lang.jsonl"
		n=$(wc -l <"$work/test-$lang.jsonl")
		acc=$("$work/vigil" eval --models "$work/fold" --data "$work/test-$lang.jsonl" --source model --json | jq '.top1_accuracy')
		r=$(echo "$acc * $n" | bc -l | xargs printf '%.0f')
		right[$lang]=$((${right[$lang]:-0} + r))
		total[$lang]=$((${total[$lang]:-0} + n))
		row="$row $(printf '%8.3f' "$acc")"
	done
	printf '%-5s %s\n' "${row%% *}" "${row#* }"
done
printf '%-5s' mean
for lang in kk en ru; do
	printf ' %8.3f' "$(echo "${right[$lang]} / ${total[$lang]}" | bc -l)"
done
echo
