#!/bin/sh
# Word clusters for the topic bundles (docs/models.md, "Word clusters"):
# vigil clusters learns word vectors from the training text of both
# bundles, labels unread, plus unlabelled text (the Lenta headlines but the
# held-out ones, AG News, the toxicity comments), and groups the words at
# three granularities. Writes OUT (default build/clusters.tsv); the
# bundles' training commands read it with --clusters and ship a copy.
# Needs scripts/weak-labels.sh first (build/weak). Takes about three
# minutes on one core.
#
#   scripts/weak-labels.sh && scripts/clusters.sh   # then train with --clusters build/clusters.tsv
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-build/clusters.tsv}
DATA=${DATA:-../shared/data}
W=build/weak
go run ./cmd/vigil clusters --out "$OUT" --data \
"$DATA/topics/train.jsonl,$DATA/news-en/train.jsonl,$DATA/news-en/silver-press-releases.jsonl,$DATA/agnews/train.jsonl,\
$W/lenta-text.jsonl,$DATA/toxicity/train.jsonl,testdata/sentences,$W/hand.jsonl,$W/comments.jsonl,$W/news.jsonl"
