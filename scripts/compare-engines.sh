#!/usr/bin/env bash
# What a change does to the verdicts: classifies every labelled file of
# testdata and the corpora with the engine of a base revision and with the
# working tree, and prints, file by file, the documents whose action, flags
# or tags changed, beside their gold labels. Run it before committing a rule,
# normalizer or model change; "no flag changed on N documents" in a commit
# message comes from here.
#
#   scripts/compare-engines.sh                 # the working tree against HEAD
#   scripts/compare-engines.sh 7c74bf7         # against another revision
#   CORPORA= scripts/compare-engines.sh        # testdata only
#
# Reads the corpora from ../shared/data (or $VIGIL_DATA) when they are there.
# Writes every changed document, one JSON line each (file, id, gold tags and
# flags, before and after), to $OUT (default build/compare.jsonl), and prints
# a summary: per file the documents whose flag changed (recruiters gained
# and lost, lawful documents newly sent to review and released) and whose
# tags changed (right tags gained and lost, wrong ones added and removed;
# only counted where the file labels tags: its documents carry some).
# Needs go, git and jq; about two minutes on two cores with the corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${1:-HEAD}
DATA=${VIGIL_DATA:-../shared/data}
CORPORA=${CORPORA-$DATA/topics/train.jsonl $DATA/topics/dev.jsonl $DATA/news-en/train.jsonl $DATA/news-en/dev.jsonl $DATA/news-en/silver-press-releases.jsonl $DATA/agnews/train.jsonl $DATA/toxicity/train.jsonl $DATA/toxicity/dev.jsonl $DATA/unlabeled/lenta-2024-other-rubrics.jsonl}
OUT=${OUT:-build/compare.jsonl}
command -v jq >/dev/null || { echo "jq not found: apt-get install jq" >&2; exit 2; }
git rev-parse --verify -q "$BASE^{commit}" >/dev/null || { echo "$BASE: not a revision" >&2; exit 2; }

work=$(mktemp -d)
cleanup() {
	git worktree remove --force "$work/base" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
git worktree add -q --detach "$work/base" "$BASE"
(cd "$work/base" && go build -o "$work/old" ./cmd/vigil)
go build -o "$work/new" ./cmd/vigil

# Every labelled document with text, its file named; then the corpora that exist.
files=$(find testdata -name '*.jsonl' | sort)
for f in $CORPORA; do
	[ -f "$f" ] && files="$files $f"
done
for f in $files; do
	# A line that is no such document (a header, a malformed one) is skipped, not fatal.
	jq -c --arg f "$f" 'try (select(type == "object" and (.id // "") != "" and ((.title // "") + (.body // "") | test("\\S")))
	  | {id, title, body, kind, lang, tags: (.tags // []), flags: (.flags // []), file: $f}) catch empty' "$f" 2>/dev/null || true
done >"$work/docs.jsonl"
"$work/old" classify "$work/docs.jsonl" >"$work/old.jsonl" 2>"$work/old.err"
"$work/new" classify "$work/docs.jsonl" >"$work/new.jsonl" 2>"$work/new.err"
n=$(wc -l <"$work/docs.jsonl")
[ "$(wc -l <"$work/old.jsonl")" = "$n" ] && [ "$(wc -l <"$work/new.jsonl")" = "$n" ] ||
	{ echo "classify lost documents:" >&2; tail -n 3 "$work/old.err" "$work/new.err" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
# One line a document: gold and both verdicts' action, flags and tags; keep
# those that changed. paste puts each document's three lines together.
paste -d '\n' "$work/docs.jsonl" "$work/old.jsonl" "$work/new.jsonl" |
	jq -c -n '
	  def tagnames: [.tags[]?.name] | sort;
	  def flagnames: [.flags[]?.name] | sort;
	  foreach inputs as $x ({k: []}; if (.k | length) == 3 then {k: [$x]} else {k: (.k + [$x])} end;
	    select(.k | length == 3) | .k as [$d, $a, $b] |
	    {file: $d.file, id: $d.id, text: (($d.title // "") + " " + ($d.body // "") | .[0:160]),
	     gold: {tags: $d.tags, flags: $d.flags},
	     before: {action: $a.action, flags: ($a | flagnames), tags: ($a | tagnames)},
	     after: {action: $b.action, flags: ($b | flagnames), tags: ($b | tagnames)}}
	    | select(.before != .after))' >"$OUT"

# The files whose documents carry tags: there a tag that changed is right or wrong.
jq -r 'select(.tags | length > 0) | .file' "$work/docs.jsonl" | sort -u >"$work/labelled.txt"
echo "$n documents, $BASE against the working tree; $(wc -l <"$OUT") changed (each in $OUT)"
jq -s -r --rawfile labelled "$work/labelled.txt" '
  ($labelled | split("\n")) as $lab |
  def events:
    # the recruitment flag: a gold toxic comment that a head sends to
    # review is a lawful one, not a recruiter caught
    def recruits: index("extremist_recruitment") != null;
    (.gold.flags | recruits) as $pos | (.before.flags | recruits) as $was | (.after.flags | recruits) as $is |
    (if $was == $is then empty
     elif $pos then (if $is then "recruiters caught +1" else "recruiters lost +1" end)
     else (if $is then "lawful sent to review +1" else "lawful released +1" end) end),
    .file as $f | .gold.tags as $g |
    (if any($lab[]; . == $f) then
       ((.after.tags - .before.tags)[] | . as $t | if any($g[]; . == $t) then "right tags gained" else "wrong tags added" end),
       ((.before.tags - .after.tags)[] | . as $t | if any($g[]; . == $t) then "right tags lost" else "wrong tags removed" end)
     else empty end);
  group_by(.file)[] |
  "\(.[0].file): \(length) changed" +
  ([.[] | events] | group_by(.) | map(" \(length) \(.[0] | sub(" \\+1$"; ""))") | if length > 0 then ";" + join(",") else "" end)' "$OUT"
