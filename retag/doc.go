// Package retag re-tags an archive: it streams documents from a JSONL or CSV
// file, standard input or a PostgreSQL query through a Checker (the whole
// pipeline, on every core) and writes one verdict per document, in input
// order, to a JSONL file or a PostgreSQL table.
//
// What it owns:
//
//   - Resumable runs. Every couple of seconds the sink makes what it wrote
//     durable and records a Checkpoint atomically with it: the input position
//     (byte offset and line, or the last key of a database query) and the
//     output length. A run killed at any moment (SIGKILL, power loss, Ctrl-C)
//     is continued by the same command: the output is cut back to the
//     checkpoint and the input resumes just after the last document the
//     checkpoint covers, so there are no gaps and no duplicates. The
//     checkpoint also holds a CRC-32C of the input before that point, so a
//     checkpoint is never applied to an archive that was replaced or edited
//     since (appending to it is fine).
//   - Bad documents (not JSON, no id, invalid UTF-8, too large) are reported
//     with their line number and skipped; they never stop the batch.
//   - Diff mode: the new verdict is compared with the tags and flags already
//     on each document, and only the changes are written, with a Summary of
//     which tags and flags were added or removed and how often. That is how a
//     newsroom previews a new model or rule pack before switching to it.
//   - Scale-out: several workers, on several hosts, share one archive by
//     claiming byte ranges of it from a PostgreSQL table with
//     FOR UPDATE SKIP LOCKED (see RunClaims); each range's output is
//     published atomically when the range is marked done.
//
// retag does not know how documents are checked: it takes a Checker, which
// *pipeline.Pipeline implements. Progress is reported through the Progress
// interface (a terminal progress bar, a periodic log line, or a metrics
// counter).
//
// A minimal run:
//
//	sum, err := retag.Run(ctx, pipe, retag.Job{In: "archive.jsonl", Out: "verdicts.jsonl"}, nil)
package retag
