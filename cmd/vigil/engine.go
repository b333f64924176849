package main

import (
	"strings"
)

// modelsFlagUsage is the help of every command's --models flag.
const modelsFlagUsage = "models `DIR`: its heads (topic bundle, flag heads) replace the embedded ones\nthat score the same; the others stay (default: the embedded heads)"

// rulesFlagUsage is the help of the --rules flag of the commands that run
// the engine.
const rulesFlagUsage = "rule pack `DIR` added to the embedded packs (default: the embedded packs alone)"

// split splits a comma-separated list of files; empty is none.
func split(list string) []string {
	if list == "" {
		return nil
	}
	return strings.Split(list, ",")
}
