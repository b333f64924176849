#!/usr/bin/env bash
# Vigil's topic classifier against Debian's fastText by K-fold
# cross-validation of one corpus's training split: the same folds, the same
# words, each system's bench settings (scripts/bench-fasttext.sh), printed
# fold by fold and as the mean. A dev split of a few hundred documents moves
# a point with three of them; the folds test every training document once.
#
#   scripts/cv-fasttext.sh news-en                 # 5 folds
#   FOLDS=3 scripts/cv-fasttext.sh agnews          # fewer folds, faster
#   FT_LR=1 FT_ARGS='-minn 0 -maxn 0' scripts/cv-fasttext.sh news-en
#
# Sets: news-en, topics, agnews (their train.jsonl). Fold k holds out every
# line n (from 0) with n mod FOLDS = k. Vigil trains as the bench does
# (`vigil train`, its defaults, thresholds on a held-out tenth of the fold's
# training part); fastText with word bigrams, char 3..5-grams, dim 50, 25
# epochs, lr $FT_LR (0.1) and $FT_ARGS, on shuffled input. Columns: top-1
# macro-F1 and accuracy of each, and Vigil's lead in macro-F1 points.
#
# Needs go and fasttext (apt-get install fasttext). Reads the corpora
# from ../shared/data (or $VIGIL_DATA). news-en: about 45 s a fold on two
# cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${VIGIL_DATA:-../shared/data}
FOLDS=${FOLDS:-5}
THREADS=${THREADS:-2}
FT_LR=${FT_LR:-0.1}
FT_ARGS=${FT_ARGS:-}
set=${1:-news-en}
case $set in
news-en | topics | agnews) src="$DATA/$set/train.jsonl" ;;
*)
	echo "unknown set $set (news-en, topics, agnews)" >&2
	exit 2
	;;
esac
[ -f "$src" ] || { echo "$src not found (set VIGIL_DATA)" >&2; exit 2; }
command -v fasttext >/dev/null || { echo "fasttext not found: apt-get install fasttext" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil
go build -o "$work/ftb" scripts/fasttext-bench.go
json() { sed -n "s/^  \"$1\": \([0-9.e+-]*\),\{0,1\}$/\1/p" "$2" | head -1; }

printf '%-5s %13s %13s %13s %13s %8s\n' fold vigil-macroF1 vigil-acc ft-macroF1 ft-acc lead
sum_v=0 sum_f=0 sum_va=0 sum_fa=0
for ((k = 0; k < FOLDS; k++)); do
	awk -v k="$k" -v n="$FOLDS" '(NR - 1) % n == k' "$src" >"$work/test.jsonl"
	awk -v k="$k" -v n="$FOLDS" '(NR - 1) % n != k' "$src" >"$work/train.jsonl"

	"$work/vigil" train --data "$work/train.jsonl" --out "$work/b" --threads "$THREADS" --quiet 2>"$work/train.log" ||
		{ cat "$work/train.log" >&2; exit 1; }
	"$work/vigil" eval --models "$work/b" --data "$work/test.jsonl" --source model --json >"$work/eval.json"
	vf=$(json top1_macro_f1 "$work/eval.json")
	va=$(json top1_accuracy "$work/eval.json")

	# fastText reads its input in order: shuffle it (a file sorted by label
	# would leave it on the last one).
	"$work/ftb" input <"$work/train.jsonl" | shuf --random-source=<(yes) >"$work/ft.train"
	"$work/ftb" input <"$work/test.jsonl" >"$work/ft.test"
	fasttext supervised -input "$work/ft.train" -output "$work/ft" -wordNgrams 2 -minn 3 -maxn 5 \
		-dim 50 -epoch 25 -lr "$FT_LR" $FT_ARGS -thread "$THREADS" -verbose 0 >/dev/null
	fasttext predict "$work/ft.bin" "$work/ft.test" >"$work/ft.pred"
	read -r ff fa < <("$work/ftb" score "$work/ft.test" "$work/ft.pred")

	printf '%-5s %13.4f %13.4f %13.4f %13.4f %8.1f\n' "$k" "$vf" "$va" "$ff" "$fa" "$(echo "100 * ($vf - $ff)" | bc -l)"
	sum_v=$(echo "$sum_v + $vf" | bc -l) sum_f=$(echo "$sum_f + $ff" | bc -l)
	sum_va=$(echo "$sum_va + $va" | bc -l) sum_fa=$(echo "$sum_fa + $fa" | bc -l)
done
printf '%-5s %13.4f %13.4f %13.4f %13.4f %8.1f\n' mean "$(echo "$sum_v / $FOLDS" | bc -l)" "$(echo "$sum_va / $FOLDS" | bc -l)" \
	"$(echo "$sum_f / $FOLDS" | bc -l)" "$(echo "$sum_fa / $FOLDS" | bc -l)" "$(echo "100 * ($sum_v - $sum_f) / $FOLDS" | bc -l)"
