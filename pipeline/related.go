package pipeline

import "unicode"

// relatedMarkers open a line that sends the reader to other articles
// ("Читайте также: …", "Сондай-ақ оқыңыз: …", "Read also: …"), in the
// normalized (lower-case, ё → е) form the normalizer's units hold. A
// news site's CMS puts such links inside an article's body; their
// headlines are other stories, and their words gave the article those
// stories' tags: on the 320 full-length articles of testdata/tags/long and
// long2, a list of three headlines of other topics inside each took every
// tag right from 0.912 to 0.812 in Kazakh and 0.938 to 0.850 in English
// (Russian stayed at 0.850); with such lines left out, the articles'
// verdicts are as without the links (docs/pipeline.md, "Links to other
// stories").
var relatedMarkers = func() [][]rune {
	// Words that also open an ordinary sentence ("По теме санкций
	// высказался…", "Related to this…") count only with their colon.
	words := []string{
		"читайте также", "также читайте", "читайте еще", "читайте по теме", "еще по теме:",
		"по теме:", "смотрите также", "см. также", "рекомендуем прочитать",
		"сондай-ақ оқыңыз", "сондай-ақ оқи отырыңыз", "оқи отырыңыз", "тағы оқыңыз",
		"толығырақ оқыңыз", "толығырақ:",
		"read also", "also read", "read more:", "see also", "related:", "related stories",
		"related articles", "related news",
	}
	out := make([][]rune, len(words))
	for i, w := range words {
		out[i] = []rune(w)
	}
	return out
}()

// maxRelatedFollow is how many lines after a marker standing alone on its
// line ("Читайте также:" above a list of links) are dropped with it, as
// long as each looks like a headline (relatedHeadline).
const maxRelatedFollow = 5

// dropRelated deletes the lines of an article's body that open with a
// relatedMarker, and, when the marker stands alone on its line, the
// headlines listed under it. A line is what lies between two '\n' units
// (block elements of HTML end one); it goes with the break that ends it.
// Deleted units keep their place, so the indexes the later passes hold
// stay valid.
func (n *normalizer) dropRelated() {
	u := n.units
	for i := 0; i < len(u); {
		end := lineEnd(u, i)
		if rest, ok := relatedAt(u, i, end); ok {
			alone := !hasLetter(u, rest, end) // the marker alone: the links follow
			deleteUnits(u, i, end)
			if alone {
				for k := 0; k < maxRelatedFollow && end < len(u); k++ {
					next := lineEnd(u, end+1)
					if !relatedHeadline(u, end+1, next) {
						break
					}
					deleteUnits(u, end+1, next)
					end = next
				}
			}
		}
		i = end + 1
	}
}

// lineEnd returns the index of the first '\n' unit at or after i, or
// len(u).
func lineEnd(u []unit, i int) int {
	for i < len(u) && u[i].r != '\n' {
		i++
	}
	return i
}

// relatedAt reports whether the line u[i:end] opens with a relatedMarker
// (after bullets, dashes, quotes or spaces) that ends at a word's end, and
// returns the index of the unit after it.
func relatedAt(u []unit, i, end int) (int, bool) {
	for i < end && !unicode.IsLetter(u[i].r) { // deleted units (-1) are no letter either
		i++
	}
	for _, m := range relatedMarkers {
		k, j := i, 0
		for k < end && j < len(m) {
			if u[k].r == deleted {
				k++
				continue
			}
			if u[k].r != m[j] {
				break
			}
			k++
			j++
		}
		if j == len(m) && (k == end || !unicode.IsLetter(u[k].r)) {
			return k, true
		}
	}
	return 0, false
}

// relatedHeadline reports whether the line u[i:end] reads as a linked
// headline: a few words, no sentence after them (it does not end with a
// full stop).
func relatedHeadline(u []unit, i, end int) bool {
	words, inWord, last := 0, false, rune(0)
	for k := i; k < end; k++ {
		r := u[k].r
		if r == deleted {
			continue
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord {
				words++
			}
			inWord = true
		} else {
			inWord = false
		}
		if !unicode.IsSpace(r) {
			last = r
		}
	}
	return words > 0 && words <= 25 && last != '.'
}

func hasLetter(u []unit, i, end int) bool {
	for ; i < end; i++ {
		if unicode.IsLetter(u[i].r) {
			return true
		}
	}
	return false
}

// deleteUnits deletes the line u[i:end] and the '\n' that ends it, if
// any, so that the lines around it stay one break apart.
func deleteUnits(u []unit, i, end int) {
	for ; i < end; i++ {
		u[i].r = deleted
	}
	if end < len(u) {
		u[end].r = deleted
	}
}
