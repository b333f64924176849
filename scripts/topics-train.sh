# shellcheck shell=bash
# Sourced, from the repository root, by the scripts that retrain the topic
# bundle on part of its data (scripts/cv-sib.sh, scripts/cv-real.sh): the
# recorded training command of docs/models.md ("The topic classifier") as
# one function, so that they train what ships and cannot drift from each
# other, and the setup they share.
#
# Both read VIGIL_DATA (the corpora; default ../shared/data), FOLDS
# (default 5), TRAIN_ARGS (more vigil train flags), ONCE (more training
# files counted once; default testdata/sentences), NOTOPIC (unset: the
# items about no topic among the weak files; empty: without them) and
# CLUSTERS (default build/clusters.tsv; empty: no word clusters).

DATA=${VIGIL_DATA:-../shared/data}
FOLDS=${FOLDS:-5}
TRAIN_ARGS=${TRAIN_ARGS:-}
ONCE=${ONCE:-testdata/sentences}
CLUSTERS=${CLUSTERS-build/clusters.tsv}

# topics_inputs exits 2 naming the first input of the command that is
# missing: build/weak (scripts/weak-labels.sh), the word clusters
# (scripts/clusters.sh), jq.
topics_inputs() {
	local f
	for f in build/weak/negatives.jsonl build/weak/hand.jsonl build/weak/comments.jsonl build/weak/news.jsonl build/weak/gossip.jsonl build/weak/hand-dev.jsonl $CLUSTERS; do
		[ -f "$f" ] || { echo "$f missing: run scripts/weak-labels.sh and scripts/clusters.sh first" >&2; exit 2; }
	done
	command -v jq >/dev/null || { echo "jq not found: apt-get install jq" >&2; exit 2; }
}

# topics_setup checks the inputs (topics_inputs), makes the scratch
# directory $work (removed on exit) and builds the working tree's binary
# into $work/vigil.
topics_setup() {
	topics_inputs
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	go build -o "$work/vigil" ./cmd/vigil
}

# topics_train VIGIL OUT DATA HAND [FLAG...] trains a bundle into OUT with
# the binary VIGIL on DATA (the --data files, comma-separated), HAND in
# place of build/weak/hand.jsonl (the news labelled by hand), and FLAGs
# after the recorded ones; quiet, its log on stderr.
topics_train() {
	local vigil=$1 out=$2 data=$3 hand=$4
	shift 4
	local tags=conflict+government+incidents+religion+diplomacy+economy+technology+travel+health+society+security
	local every=$tags+sport+culture
	local notopic=${NOTOPIC-testdata/tags/notopic-train.jsonl=$every,}
	local weak="build/weak/negatives.jsonl=economy+technology+travel,${notopic}$hand=$tags,build/weak/comments.jsonl=$every,build/weak/news.jsonl=$every,build/weak/gossip.jsonl=culture+sport"
	"$vigil" train --data "$data" --once "$ONCE" --dev "$DATA/topics/dev.jsonl" --dict --repeat-parallel 12 --weak "$weak" \
		--weak-labels economy,technology,travel,conflict,government,incidents,religion,diplomacy,health,society,security,sport,culture \
		--weak-dev build/weak/hand-dev.jsonl ${CLUSTERS:+--clusters "$CLUSTERS"} --quiet --out "$out" "$@"
}
