package models

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
)

// A model set is the heads an engine scores with, one per thing scored:
// the topic classifier ("topics", a bundle) and each flag head
// (extremist_recruitment, toxic), and the comments' own topic bundle
// (comment_topics). The embedded set holds all four; a
// models directory (--models DIR) replaces only the heads it holds.
const (
	// HeadTopics names the head that gives topic tags.
	HeadTopics = "topics"
	// HeadCommentTopics names the head that gives reader comments their
	// topic tags in place of HeadTopics: a bundle trained for comments
	// (metadata.json "kinds": ["comment"]). Without one, comments get the
	// topics head's tags.
	HeadCommentTopics = "comment_topics"
	// CommentsDir is the comment topics bundle's directory inside the
	// embedded files.
	CommentsDir = "comments"
	// ToxicDir is the toxic head's directory inside the embedded files.
	ToxicDir = "toxic"
	// SourceEmbedded is the Source of a head embedded in the binary.
	SourceEmbedded = "embedded"
)

// Head is one loaded head: a bundle (the topic classifier, or flag outputs
// trained with `vigil train --labels flags`) or a flag head (flag.yaml).
// A Head is read-only and safe for concurrent use.
type Head struct {
	// Name is HeadTopics for a bundle with tag outputs (HeadCommentTopics
	// when it is for comments), the flag for a flag
	// head, the flag outputs joined by "+" for a bundle of flags only.
	Name string
	// Version is the head's version id (metadata.json's or flag.yaml's).
	Version string
	// Source is SourceEmbedded or the directory the head was loaded from.
	Source string
	// Exactly one of Bundle and Flag is set.
	Bundle *Bundle
	Flag   *FlagHead
}

// Provides returns what the head scores: HeadTopics (HeadCommentTopics for
// a bundle for comments) when it has tag outputs, and each flag it scores.
func (h *Head) Provides() []string {
	if h.Flag != nil {
		return []string{h.Flag.Config.Flag}
	}
	var flags []string
	tags := false
	for _, l := range h.Bundle.Topics.Labels {
		switch l.Kind {
		case classify.KindTag:
			tags = true
		case classify.KindFlag:
			flags = append(flags, l.Name)
		}
	}
	if tags || len(flags) == 0 {
		name := HeadTopics
		if h.Bundle.ForComments() {
			name = HeadCommentTopics
		}
		return append([]string{name}, flags...)
	}
	return flags
}

func bundleHead(b *Bundle, source string) *Head {
	h := &Head{Version: b.Meta.Version, Source: source, Bundle: b}
	p := h.Provides()
	h.Name = p[0]
	if p[0] != HeadTopics && p[0] != HeadCommentTopics {
		h.Name = strings.Join(p, "+")
	}
	return h
}

func flagHead(f *FlagHead, source string) *Head {
	return &Head{Name: f.Config.Flag, Version: f.Config.Version, Source: source, Flag: f}
}

// Set is the heads an engine scores with: the topics head first, then the
// flag heads by name. No two heads provide the same thing.
type Set struct {
	Heads []*Head
}

// Topics returns the bundle of the head that gives topic tags.
func (s *Set) Topics() *Bundle { return s.bundle(HeadTopics) }

// CommentTopics returns the bundle of the head that gives reader comments
// their topic tags, or nil when the topics head gives them.
func (s *Set) CommentTopics() *Bundle { return s.bundle(HeadCommentTopics) }

// bundle returns the bundle of the head that provides name, or nil.
func (s *Set) bundle(name string) *Bundle {
	if h := s.Head(name); h != nil {
		return h.Bundle
	}
	return nil
}

// Head returns the head that provides name, or nil.
func (s *Set) Head(name string) *Head {
	for _, h := range s.Heads {
		if slices.Contains(h.Provides(), name) {
			return h
		}
	}
	return nil
}

// Versions maps each head's name to its version id.
func (s *Set) Versions() map[string]string {
	out := make(map[string]string, len(s.Heads))
	for _, h := range s.Heads {
		out[h.Name] = h.Version
	}
	return out
}

// With returns s with heads laid over it: a head of s is dropped when one
// of heads provides anything it does. The comments' topic head goes with
// the topics head: a new topics head without a comment_topics head beside
// it drops s's, so comments get the new model's tags (and its taxonomy's),
// not an older model's. s is not modified.
func (s *Set) With(heads ...*Head) *Set {
	out := &Set{}
	for _, h := range s.Heads {
		replaced := slices.ContainsFunc(h.Provides(), func(p string) bool { return replacedBy(p, heads) })
		if !replaced {
			out.Heads = append(out.Heads, h)
		}
	}
	out.Heads = append(out.Heads, heads...)
	slices.SortStableFunc(out.Heads, func(a, b *Head) int {
		if (a.Name == HeadTopics) != (b.Name == HeadTopics) {
			if a.Name == HeadTopics {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// replacedBy says whether the head that provides name gives way to heads:
// one of them provides it too, or name is the comments' topic head and
// they bring a topics head (then comments follow the new model unless a
// comments' head comes with it, which provides the name itself).
func replacedBy(name string, heads []*Head) bool {
	provided := func(n string) bool {
		return slices.ContainsFunc(heads, func(h *Head) bool { return slices.Contains(h.Provides(), n) })
	}
	return provided(name) || (name == HeadCommentTopics && provided(HeadTopics))
}

var defaultToxic = onceEmbedded(embeddedFlags, ToxicDir, "embedded toxic head", LoadFlag)

// DefaultToxic returns the toxic head embedded in the binary, loaded once.
func DefaultToxic() (*FlagHead, error) { return defaultToxic() }

// DefaultSet returns the heads embedded in the binary: topics
// (models/default), comment_topics (models/comments),
// extremist_recruitment (models/recruitment) and toxic (models/toxic).
func DefaultSet() (*Set, error) { return embeddedSet(nil) }

// embeddedHeads are the heads embedded in the binary, by what each provides.
var embeddedHeads = []struct {
	name string
	load func() (*Head, error)
}{
	{HeadTopics, embeddedHead(Default, bundleHead)},
	{HeadCommentTopics, embeddedHead(DefaultComments, bundleHead)},
	{vigil.FlagExtremistRecruitment, embeddedHead(DefaultRecruitment, flagHead)},
	{vigil.FlagToxic, embeddedHead(DefaultToxic, flagHead)},
}

// embeddedSet loads the embedded heads that over does not replace
// (replacedBy), at once, one goroutine each: checking and decoding them is
// most of a command's start (the topics bundle 180 ms, the comments' 120
// ms, the flag heads 50 ms, one after the other on the project's 2-core
// machine), and a head a models directory replaces need not load at all.
func embeddedSet(over []*Head) (*Set, error) {
	heads, errs := make([]*Head, len(embeddedHeads)), make([]error, len(embeddedHeads))
	var wg sync.WaitGroup
	for i, e := range embeddedHeads {
		if !replacedBy(e.name, over) {
			wg.Go(func() { heads[i], errs[i] = e.load() })
		}
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return (&Set{}).With(slices.DeleteFunc(heads, func(h *Head) bool { return h == nil })...), nil
}

// embeddedHead returns a loader of the head that head makes of what load
// loads, from the embedded files.
func embeddedHead[T any](load func() (T, error), head func(T, string) *Head) func() (*Head, error) {
	return func() (*Head, error) {
		v, err := load()
		if err != nil {
			return nil, err
		}
		return head(v, SourceEmbedded), nil
	}
}

// LoadSet returns the embedded heads with the heads of directory dir
// (ScanDir) laid over them; with dir empty, the embedded heads.
func LoadSet(dir string) (*Set, error) {
	if dir == "" {
		return DefaultSet()
	}
	heads, err := ScanDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := embeddedSet(heads)
	if err != nil {
		return nil, err
	}
	s = s.With(heads...)
	// Decide reads the topics head's taxonomy (what a tag is shown as,
	// which rule explains it) for the comments' tags too.
	if c, t := s.CommentTopics(), s.Topics(); c != nil && c.Meta.Files[FileTaxonomy] != t.Meta.Files[FileTaxonomy] {
		return nil, vigil.Errorf(vigil.EINVALID, "models %s: the %s head's %s differs from the %s head's: train both with one taxonomy",
			dir, HeadCommentTopics, FileTaxonomy, HeadTopics)
	}
	return s, nil
}

// ScanDir loads the heads directory dir holds: a bundle (metadata.json,
// topics.bin, tokenizer.json, taxonomy.yaml) and a flag head (flag.yaml,
// flag.bin), at its top level and in each directory directly under it. A
// head whose files are missing or corrupt is an error naming the file
// (EINVALID or ENOTFOUND); so are two heads that score the same thing, and
// a directory that holds no head at all.
func ScanDir(dir string) ([]*Head, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, vigil.Errorf(vigil.ENOTFOUND, "models %s: %v", dir, err)
	}
	if !st.IsDir() {
		return nil, vigil.Errorf(vigil.EINVALID, "models %s: not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "models %s: %v", dir, err)
	}
	heads, err := headsIn(dir)
	if err != nil {
		return nil, err
	}
	var seen []string
	for _, e := range entries {
		if !e.IsDir() {
			seen = append(seen, e.Name())
			continue
		}
		hs, err := headsIn(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		heads = append(heads, hs...)
	}
	if len(heads) == 0 {
		found := "no files"
		if len(seen) > 0 {
			found = strings.Join(seen[:min(len(seen), 5)], ", ")
		}
		return nil, vigil.Errorf(vigil.EINVALID, "models %s: no model head in it (found %s; want a bundle's %s or a flag head's %s, at its top or one directory down)",
			dir, found, FileMetadata, FileFlagConfig)
	}
	for i, h := range heads {
		for _, o := range heads[:i] {
			for _, p := range h.Provides() {
				if slices.Contains(o.Provides(), p) {
					return nil, vigil.Errorf(vigil.EINVALID, "models %s: two heads score %s: %s and %s", dir, p, o.Source, h.Source)
				}
			}
		}
	}
	return heads, nil
}

// headsIn loads the bundle and the flag head of one directory, when it
// holds any of their files.
func headsIn(dir string) ([]*Head, error) {
	has := func(names ...string) bool {
		return slices.ContainsFunc(names, func(n string) bool {
			_, err := os.Stat(filepath.Join(dir, n))
			return !errors.Is(err, fs.ErrNotExist)
		})
	}
	var heads []*Head
	if has(FileMetadata, FileTopics, FileTokenizer, FileTaxonomy) {
		b, err := LoadDir(dir)
		if err != nil {
			return nil, err
		}
		heads = append(heads, bundleHead(b, dir))
	}
	if has(FileFlagConfig, FileFlagModel) {
		f, err := LoadFlag(os.DirFS(dir))
		if err != nil {
			return nil, fmt.Errorf("flag head %s: %w", dir, err)
		}
		heads = append(heads, flagHead(f, dir))
	}
	return heads, nil
}
