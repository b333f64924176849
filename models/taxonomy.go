package models

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

// Taxonomy is the list of tags a verdict can carry, each with its IPTC
// Media Topics concept.
type Taxonomy struct {
	Version int           `yaml:"version" json:"version"`
	Tags    []TaxonomyTag `yaml:"tags" json:"tags"`
	// RuleScores scores rule tags, per document kind (article, comment),
	// where the bundle's model scored the document: fitted against this
	// bundle's scores with `vigil eval --fit-rule-scores` on labelled data
	// it did not train on, so refitted when the bundle or the packs change
	// (pipeline.Decide.RuleScores).
	RuleScores map[string]pipeline.RuleScore `yaml:"rule_scores,omitempty" json:"rule_scores,omitempty"`
}

// TaxonomyTag is one tag of the taxonomy.
type TaxonomyTag struct {
	Name        string `yaml:"name" json:"name"`
	IPTC        string `yaml:"iptc" json:"iptc"` // e.g. medtop:02000000
	IPTCLabel   string `yaml:"iptc_label" json:"iptc_label"`
	Description string `yaml:"description" json:"description"`
	// ExplainedBy are tags that explain away a model-only score of this
	// one: when a rule gives one of them and no rule gives this tag, the
	// model's tag is dropped from the verdict (pipeline.Decide.ExplainedBy).
	// It is for a tag the model learned from corpora where it is broader
	// than the taxonomy means it: politics in SIB-200 and BBC News also
	// covers the cabinet at work, wars and other state news, which the
	// taxonomy calls government, conflict, security and so on.
	ExplainedBy []string `yaml:"explained_by,omitempty" json:"explained_by,omitempty"`
	// ExplainedByModel maps tags to a probability: where the topic model
	// gives one of them at least that, a tag of this name only the model
	// gave is dropped, unless an output shown as this tag (shown_as) gives
	// it pipeline.ExplainGuard or more (pipeline.Decide.ExplainedByModel):
	// for an output trained on corpora whose sense of the tag is wider than
	// the taxonomy's, where the model itself names the narrower topic.
	ExplainedByModel map[string]float64 `yaml:"explained_by_model,omitempty" json:"explained_by_model,omitempty"`
	// ShownAs names the tag a verdict shows for this one: a second model
	// output of a tag, learned from other data under its own name.
	// Diplomacy is politics as the taxonomy means it, learned from news
	// labelled by hand, beside the politics output the corpora taught;
	// verdicts show it as politics. Its own explained_by applies first,
	// under its own name (pipeline.Decide.ShownAs).
	ShownAs string `yaml:"shown_as,omitempty" json:"shown_as,omitempty"`
	// RuleFloor is the least probability the topic model must give this
	// tag (itself or an output shown as it, whichever is higher) for a
	// rule's tag to stand: a rule that names an official, a fire or a
	// state fires on much news that is about something else, and where
	// the model, having read the whole text, all but rules the tag out,
	// the rule was mostly wrong (docs/models.md, "Rules the model can
	// overrule"). Zero keeps every rule tag (pipeline.Decide.RuleFloors).
	RuleFloor float64 `yaml:"rule_floor,omitempty" json:"rule_floor,omitempty"`
	// CommentFloor is the least probability a model tag of this name needs
	// on a comment, where it is higher than classify.CommentTagFloor: for
	// an output that gives a short comment about nothing a high score
	// (classify.Stage.WithCommentFloors).
	CommentFloor float64 `yaml:"comment_floor,omitempty" json:"comment_floor,omitempty"`
	// Floor is the least probability a model tag of this name needs on
	// any document, beside its threshold (on a comment, the higher of this
	// and the comment floor): for an output trained on a corpus whose
	// every document belongs to one of its rubrics, whose scores at
	// threshold overstate on news that belongs to none (docs/models.md,
	// "Corpus tags need 0.5"). Zero leaves the threshold alone
	// (classify.Stage.WithFloors). A rule's tag of this name is held to it
	// too, by the score it shows once scored with the model
	// (pipeline.Decide.Floors).
	Floor float64 `yaml:"floor,omitempty" json:"floor,omitempty"`
}

// namedFloor is one of a tag's floors with its key in taxonomy.yaml.
type namedFloor struct {
	key   string
	value float64
}

// floors lists the tag's floors, each a probability in [0, 1).
func (tg TaxonomyTag) floors() []namedFloor {
	return []namedFloor{{"rule_floor", tg.RuleFloor}, {"comment_floor", tg.CommentFloor}, {"floor", tg.Floor}}
}

// Tag returns the tag called name and whether it exists.
func (t *Taxonomy) Tag(name string) (TaxonomyTag, bool) {
	for _, tg := range t.Tags {
		if tg.Name == name {
			return tg, true
		}
	}
	return TaxonomyTag{}, false
}

// ParseTaxonomy reads a taxonomy.yaml. Unknown keys, empty or repeated
// names and a malformed IPTC code are errors naming the line or the tag.
func ParseTaxonomy(data []byte) (*Taxonomy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var t Taxonomy
	if err := dec.Decode(&t); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: %v", err)
	}
	seen := map[string]bool{}
	for i, tg := range t.Tags {
		switch {
		case tg.Name == "":
			return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %d has no name", i+1)
		case seen[tg.Name]:
			return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q listed twice", tg.Name)
		case tg.IPTC != "" && !validIPTC(tg.IPTC):
			return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: IPTC code %q is not medtop:NNNNNNNN", tg.Name, tg.IPTC)
		}
		seen[tg.Name] = true
	}
	for _, tg := range t.Tags {
		if to := tg.ShownAs; to != "" {
			if target, ok := t.Tag(to); to == tg.Name || !ok || target.ShownAs != "" {
				return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: shown_as %q must name another tag of the taxonomy, one not itself shown as another", tg.Name, to)
			}
		}
		for _, f := range tg.floors() {
			if !(f.value >= 0 && f.value < 1) {
				return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: %s %v: want a probability in [0, 1)", tg.Name, f.key, f.value)
			}
		}
		if tg.RuleFloor > 0 && tg.ShownAs != "" {
			return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: rule_floor belongs on the tag it is shown as, %q", tg.Name, tg.ShownAs)
		}
		for _, by := range tg.ExplainedBy {
			if by == tg.Name || !seen[by] {
				return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: explained_by %q is not another tag of the taxonomy", tg.Name, by)
			}
		}
		for by, p := range tg.ExplainedByModel {
			if by == tg.Name || !seen[by] {
				return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: explained_by_model %q is not another tag of the taxonomy", tg.Name, by)
			}
			if !(p > 0 && p <= 1) {
				return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: tag %q: explained_by_model %q: %v: want a probability in (0, 1]", tg.Name, by, p)
			}
		}
	}
	for kind, rs := range t.RuleScores {
		if kind != vigil.KindArticle && kind != vigil.KindComment {
			return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: rule_scores: kind %q: want %s or %s", kind, vigil.KindArticle, vigil.KindComment)
		}
		for _, c := range []float64{rs.Intercept, rs.Rule, rs.Model} {
			// A fit gives single digits; a bound keeps σ of the sum a number.
			if !(math.Abs(c) <= maxRuleScoreCoef) {
				return nil, vigil.Errorf(vigil.EINVALID, "taxonomy: rule_scores: %s: %v: want a number within ±%d", kind, c, maxRuleScoreCoef)
			}
		}
	}
	return &t, nil
}

// maxRuleScoreCoef bounds each coefficient of rule_scores.
const maxRuleScoreCoef = 100

// ExplainedByModel maps each tag with explained_by_model to it (nil if
// none has one), as pipeline.Decide.ExplainedByModel takes it.
func (t *Taxonomy) ExplainedByModel() map[string]map[string]float64 {
	return byTag(t, func(tg TaxonomyTag) (map[string]float64, bool) {
		return tg.ExplainedByModel, len(tg.ExplainedByModel) > 0
	})
}

// ExplainedBy maps each tag with explained_by to those tags (nil if none
// has any), as pipeline.Decide.ExplainedBy takes it.
func (t *Taxonomy) ExplainedBy() map[string][]string {
	return byTag(t, func(tg TaxonomyTag) ([]string, bool) { return tg.ExplainedBy, len(tg.ExplainedBy) > 0 })
}

// ShownAs maps each tag with shown_as to the tag verdicts show for it (nil
// if none has one), as pipeline.Decide.ShownAs takes it.
func (t *Taxonomy) ShownAs() map[string]string {
	return byTag(t, func(tg TaxonomyTag) (string, bool) { return tg.ShownAs, tg.ShownAs != "" })
}

// RuleFloors maps each tag with rule_floor to it (nil if none has one), as
// pipeline.Decide.RuleFloors takes it.
func (t *Taxonomy) RuleFloors() map[string]float64 {
	return byTag(t, func(tg TaxonomyTag) (float64, bool) { return tg.RuleFloor, tg.RuleFloor > 0 })
}

// CommentFloors maps each tag with comment_floor to it (nil if none has
// one), as classify.Stage.WithCommentFloors takes it.
func (t *Taxonomy) CommentFloors() map[string]float64 {
	return byTag(t, func(tg TaxonomyTag) (float64, bool) { return tg.CommentFloor, tg.CommentFloor > 0 })
}

// Floors maps each tag with floor to it (nil if none has one), as
// classify.Stage.WithFloors takes it.
func (t *Taxonomy) Floors() map[string]float64 {
	return byTag(t, func(tg TaxonomyTag) (float64, bool) { return tg.Floor, tg.Floor > 0 })
}

// byTag maps the name of each tag that has a setting to it, as get reads
// and says is set; nil when no tag has one.
func byTag[V any](t *Taxonomy, get func(TaxonomyTag) (V, bool)) map[string]V {
	var out map[string]V
	for _, tg := range t.Tags {
		if v, ok := get(tg); ok {
			if out == nil {
				out = map[string]V{}
			}
			out[tg.Name] = v
		}
	}
	return out
}

// Shown returns the tag a verdict shows for name: its shown_as, or name.
func (t *Taxonomy) Shown(name string) string {
	if tg, ok := t.Tag(name); ok && tg.ShownAs != "" {
		return tg.ShownAs
	}
	return name
}

func validIPTC(s string) bool {
	const p = "medtop:"
	if len(s) != len(p)+8 || s[:len(p)] != p {
		return false
	}
	for _, c := range s[len(p):] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Marshal returns the taxonomy as YAML.
func (t *Taxonomy) Marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, fmt.Errorf("taxonomy: %w", err)
	}
	return b.Bytes(), nil
}

// DefaultTaxonomy returns the taxonomy file of the embedded bundle, as
// written (comments kept), for `vigil train` to copy into a new bundle.
func DefaultTaxonomy() ([]byte, error) {
	return fs.ReadFile(embedded, "default/"+FileTaxonomy)
}

// WithRuleScores returns the taxonomy file data with its rule_scores block
// (the top-level key and the indented lines under it) replaced by rs, a
// kind a line in name order, or rs appended as that block when there is
// none; the rest of the file, comments included, is kept byte for byte.
// The result must parse (ParseTaxonomy).
func WithRuleScores(data []byte, rs map[string]pipeline.RuleScore) ([]byte, error) {
	var block bytes.Buffer
	block.WriteString("rule_scores:\n")
	kinds := make([]string, 0, len(rs))
	for k := range rs {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	for _, k := range kinds {
		s := rs[k]
		fmt.Fprintf(&block, "  %s: {intercept: %s, rule: %s, model: %s}\n", k, yamlFloat(s.Intercept), yamlFloat(s.Rule), yamlFloat(s.Model))
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	var out bytes.Buffer
	replaced := false
	for i := 0; i < len(lines); i++ {
		if !bytes.HasPrefix(lines[i], []byte("rule_scores:")) || replaced {
			out.Write(lines[i])
			continue
		}
		out.Write(block.Bytes())
		replaced = true
		for i+1 < len(lines) && (bytes.HasPrefix(lines[i+1], []byte(" ")) || bytes.HasPrefix(lines[i+1], []byte("\t"))) {
			i++
		}
	}
	if !replaced {
		if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
			out.WriteByte('\n')
		}
		out.Write(block.Bytes())
	}
	if _, err := ParseTaxonomy(out.Bytes()); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// yamlFloat formats x as the shortest decimal that reads back as x.
func yamlFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// WriteRuleScores puts rs in the taxonomy of the bundle in dir, in place
// of the kinds it fits and beside the others (WithRuleScores), and
// reseals the bundle (Reseal): what `vigil eval --fit-rule-scores
// --write-rule-scores DIR` does with its fit.
func WriteRuleScores(dir string, rs map[string]pipeline.RuleScore) (Metadata, error) {
	path := filepath.Join(dir, FileTaxonomy)
	data, err := os.ReadFile(path)
	if err != nil {
		return Metadata{}, vigil.Errorf(vigil.ENOTFOUND, "model bundle %s: %v", dir, err)
	}
	tax, err := ParseTaxonomy(data)
	if err != nil {
		return Metadata{}, fmt.Errorf("%s: %w", path, err)
	}
	merged := maps.Clone(tax.RuleScores)
	if merged == nil {
		merged = map[string]pipeline.RuleScore{}
	}
	maps.Copy(merged, rs)
	if data, err = WithRuleScores(data, merged); err != nil {
		return Metadata{}, fmt.Errorf("%s: %w", path, err)
	}
	if err := writeAtomic(path, data); err != nil {
		return Metadata{}, err
	}
	return Reseal(dir)
}
