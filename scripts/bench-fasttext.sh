#!/usr/bin/env bash
# Vigil's topic classifier against Debian's fastText, trained and tested on
# the same splits and the same words, printed side by side.
#
#   scripts/bench-fasttext.sh               # topics and agnews
#   scripts/bench-fasttext.sh agnews        # one set
#   scripts/bench-fasttext.sh news-en       # English news: train.jsonl, tested on dev.jsonl
#   scripts/bench-fasttext.sh toxicity      # the toxic flag: train.jsonl, tested on dev.jsonl
#
# Needs go and fasttext (apt-get install fasttext); reads the corpora from
# ../shared/data (or $VIGIL_DATA). Splits: topics trains on train.jsonl and is
# tested on dev.jsonl; agnews has one file, so every 5th line is the test
# split and the rest trains. Vigil chooses its thresholds on a held-out tenth
# of the training split (train without --dev), so nothing here has seen the
# test split. fastText runs with the corpus README's reference settings:
# word bigrams, char 3..5-grams, dim 50, 25 epochs, $THREADS threads (2).
#
# toxicity is a flag set (toxic or none): Vigil trains a flag head with
# train-flag and the shipped toxic head's options on the same train.jsonl
# (row "vigil"), and the shipped head (models/toxic, trained on more data:
# see its flag.yaml) is scored too (row "shipped"); thr-F1 is the F1 of
# toxic (Vigil at its threshold, fastText from its top-1 label); the speed
# columns are left empty.
#
# Columns: macro-F1 and accuracy of the top-1 label (how fastText is
# measured); Vigil's multi-label macro-F1 at its thresholds; wall-clock
# training time; one-core classification throughput (Vigil: features and
# scoring from tokens, then with normalize + tokenize in front; fastText:
# predict, its model load subtracted); model size on disk.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${VIGIL_DATA:-../shared/data}
THREADS=${THREADS:-2}
# fastText's learning rate (its default 0.1; on news-en's long articles it
# learns nothing with char n-grams at 0.1: FT_LR=1 FT_ARGS='-minn 0 -maxn 0'
# gives its best there) and extra arguments.
FT_LR=${FT_LR:-0.1}
FT_ARGS=${FT_ARGS:-}
# More arguments for vigil train, e.g. VIGIL_ARGS='--clusters build/clusters.tsv'
# (scripts/clusters.sh writes it) for the shipped bundle's word clusters.
VIGIL_ARGS=${VIGIL_ARGS:-}
SETS=${*:-topics agnews}
command -v fasttext >/dev/null || { echo "fasttext not found: apt-get install fasttext" >&2; exit 2; }
command -v taskset >/dev/null || { echo "taskset not found: apt-get install util-linux" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil
go build -o "$work/ftb" scripts/fasttext-bench.go

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc; }
json() { sed -n "s/^  \"$1\": \([0-9.e+-]*\),\{0,1\}$/\1/p" "$2" | head -1; }
mb() { echo "scale=1; $(stat -c %s "$@" | paste -sd+ | bc) / 1000000" | bc; }

printf '%-7s %-9s %8s %8s %8s %9s %10s %8s %8s\n' set system macro-F1 accuracy thr-F1 train-s docs/s MB/s size-MB
for set in $SETS; do
	case $set in
	topics)
		cp "$DATA/topics/train.jsonl" "$work/train.jsonl"
		cp "$DATA/topics/dev.jsonl" "$work/test.jsonl"
		;;
	news-en)
		cp "$DATA/news-en/train.jsonl" "$work/train.jsonl"
		cp "$DATA/news-en/dev.jsonl" "$work/test.jsonl"
		;;
	toxicity)
		cp "$DATA/toxicity/train.jsonl" "$work/train.jsonl"
		cp "$DATA/toxicity/dev.jsonl" "$work/test.jsonl"
		;;
	agnews)
		awk 'NR%5!=0' "$DATA/agnews/train.jsonl" >"$work/train.jsonl"
		awk 'NR%5==0' "$DATA/agnews/train.jsonl" >"$work/test.jsonl"
		;;
	*)
		echo "unknown set $set (topics, news-en, agnews, toxicity)" >&2
		exit 2
		;;
	esac
	n=$(wc -l <"$work/test.jsonl")

	# Vigil
	b="$work/bundle-$set"
	if [ "$set" = toxicity ]; then
		t0=$(now)
		"$work/vigil" train-flag --flag toxic --data "$work/train.jsonl" --cues= --min-words 0 --max-fpr 0.1 --ru-stems --bucket-bits 19 \
			--lr 0.25 --epochs 20 --kinds comment --report-only --out "$b" >"$work/train-$set.log" 2>&1
		t1=$(now)
		f1=$("$work/vigil" eval --models "$b" --data "$work/test.jsonl" | awk '$1 == "toxic" { print $4 }')
		printf '%-7s %-9s %8s %8s %8.4f %9.1f %10s %8s %8s\n' "$set" vigil "-" "-" "$f1" "$(secs "$t0" "$t1")" "-" "-" "$(mb "$b/flag.bin")"
		f1=$("$work/vigil" eval --data "$work/test.jsonl" | awk '$1 == "toxic" { print $4 }')
		printf '%-7s %-9s %8s %8s %8.4f %9s %10s %8s %8s\n' "$set" shipped "-" "-" "$f1" "-" "-" "-" "$(mb models/toxic/flag.bin)"
	else
		t0=$(now)
		"$work/vigil" train --data "$work/train.jsonl" --out "$b" --threads "$THREADS" --quiet $VIGIL_ARGS 2>"$work/train-$set.log"
		t1=$(now)
		"$work/vigil" eval --models "$b" --data "$work/test.jsonl" --source model --json >"$work/eval-$set.json"
		speed=$("$work/ftb" speed "$b" "$work/test.jsonl")
		cls=($(echo "$speed" | sed -n 1p))
		full=($(echo "$speed" | sed -n 2p))
		printf '%-7s %-9s %8.4f %8.4f %8.4f %9.1f %10s %8s %8s\n' "$set" vigil \
			"$(json top1_macro_f1 "$work/eval-$set.json")" "$(json top1_accuracy "$work/eval-$set.json")" \
			"$(json macro_f1 "$work/eval-$set.json")" "$(secs "$t0" "$t1")" "${cls[0]}" "${cls[1]}" "$(mb "$b/topics.bin" "$b/tokenizer.json")"
		printf '%-7s %-9s %8s %8s %8s %9s %10s %8s %8s\n' "$set" "+norm+tok" "" "" "" "" "${full[0]}" "${full[1]}" ""
	fi

	# fastText, on the words Vigil's pipeline produces
	# fastText reads its input in order and does not shuffle: a file sorted
	# by label (news-en's is) leaves it on the last label, so shuffle it.
	"$work/ftb" input <"$work/train.jsonl" | shuf --random-source=<(yes) >"$work/ft.train"
	"$work/ftb" input <"$work/test.jsonl" >"$work/ft.test"
	t0=$(now)
	fasttext supervised -input "$work/ft.train" -output "$work/ft" -wordNgrams 2 -minn 3 -maxn 5 \
		-dim 50 -epoch 25 -lr "$FT_LR" $FT_ARGS -thread "$THREADS" -verbose 0 >/dev/null
	t1=$(now)
	ft_train=$(secs "$t0" "$t1")
	fasttext predict "$work/ft.bin" "$work/ft.test" >"$work/ft.pred"
	read -r f1 acc < <("$work/ftb" score "$work/ft.test" "$work/ft.pred")
	if [ "$set" = toxicity ]; then
		read -r _ _ tf1 < <("$work/ftb" label toxic "$work/ft.test" "$work/ft.pred")
		printf '%-7s %-9s %8.4f %8.4f %8.4f %9.1f %10s %8s %8s\n' "$set" fasttext "$f1" "$acc" "$tf1" \
			"$ft_train" "-" "-" "$(mb "$work/ft.bin")"
		continue
	fi
	# Throughput on one core: predict on the test split ten times over,
	# minus the time to load the model and predict one line.
	for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$work/ft.test"; done >"$work/ft.big"
	head -1 "$work/ft.test" >"$work/ft.one"
	t0=$(now)
	taskset -c 0 fasttext predict "$work/ft.bin" "$work/ft.one" >/dev/null
	t1=$(now)
	taskset -c 0 fasttext predict "$work/ft.bin" "$work/ft.big" >/dev/null
	t2=$(now)
	run=$(echo "$(secs "$t1" "$t2") - $(secs "$t0" "$t1")" | bc)
	bytes=$(awk '{ $1 = ""; n += length($0) } END { print n }' "$work/ft.test")
	printf '%-7s %-9s %8.4f %8.4f %8s %9.1f %10.0f %8.2f %8s\n' "$set" fasttext "$f1" "$acc" "-" \
		"$ft_train" "$(echo "10 * $n / $run" | bc -l)" "$(echo "10 * $bytes / $run / 1000000" | bc -l)" "$(mb "$work/ft.bin")"
done
