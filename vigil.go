// Package vigil holds Vigil's domain types: the documents that come in, the
// verdicts that go out, and the application error with its machine-readable
// codes. It imports nothing but the standard library; every other package of
// the module depends on it and never the other way round.
//
// The JSON shape of these types is the outside contract (CLI, HTTP, files):
// extend it, do not change it.
package vigil

// Document kinds.
const (
	KindArticle = "article"
	KindComment = "comment"
)

// Languages Vigil recognises.
const (
	LangRussian = "ru"
	LangKazakh  = "kk"
	LangEnglish = "en"
)

// Actions a verdict can carry.
const (
	ActionAllow  = "allow"
	ActionReview = "review"
	ActionReject = "reject"
)

// Tag and evidence sources.
const (
	SourceModel = "model"
	SourceRule  = "rule"
)

// Flag names.
const (
	FlagExtremistRecruitment = "extremist_recruitment"
	FlagToxic                = "toxic"
)

// Field names a span can point into.
const (
	FieldTitle = "title"
	FieldBody  = "body"
)

// MaxIDBytes is the longest document id accepted.
const MaxIDBytes = 256

// Document is one article or reader comment. Tags and Flags on input are gold
// labels, read only by training and evaluation.
type Document struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind,omitempty"`
	Lang        string   `json:"lang,omitempty"`
	Title       string   `json:"title,omitempty"`
	Body        string   `json:"body,omitempty"`
	Author      string   `json:"author,omitempty"`
	Section     string   `json:"section,omitempty"`
	URL         string   `json:"url,omitempty"`
	PublishedAt string   `json:"published_at,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Flags       []string `json:"flags,omitempty"`
	Source      string   `json:"source,omitempty"`
}

// Verdict is what Vigil decides about one document.
//
// Flags sent the document to review. Scores are flags a head scored at or
// above its own threshold that did not: a head shipped report-only (toxic,
// until the service config sets thresholds for it), or a flag under the
// review threshold the service configured for it. Each has its score and
// evidence, highest score first.
type Verdict struct {
	ID       string   `json:"id"`
	Action   string   `json:"action"`
	Lang     string   `json:"lang,omitempty"`
	Tags     []Tag    `json:"tags"`
	Flags    []Flag   `json:"flags"`
	Scores   []Flag   `json:"scores,omitempty"` // flags scored, not sent to review (below)
	Entities []Entity `json:"entities,omitempty"`
	Versions Versions `json:"versions"`
	TookMS   float64  `json:"took_ms"`
	// Error is set when a stage failed on this document; the other fields
	// then hold whatever the stages before it produced.
	Error *Error `json:"error,omitempty"`
}

// Tag is a topic assigned to a document.
type Tag struct {
	Name     string     `json:"name"`
	Score    float64    `json:"score"`
	Source   string     `json:"source"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Flag is a category that needs a human.
type Flag struct {
	Name     string     `json:"name"`
	Score    float64    `json:"score"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is one reason a tag or flag fired: a rule with the span it
// matched, or a model feature with its contribution. Start and End are byte
// offsets into the original UTF-8 of Field.
type Evidence struct {
	Rule    string  `json:"rule,omitempty"`
	Feature string  `json:"feature,omitempty"`
	Weight  float64 `json:"weight,omitempty"`
	Field   string  `json:"field,omitempty"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	// StartUTF16 and EndUTF16 are Start and End in UTF-16 code units, the
	// offsets of JavaScript strings (a CMS highlighting in a browser).
	StartUTF16 int    `json:"start_utf16"`
	EndUTF16   int    `json:"end_utf16"`
	Text       string `json:"text,omitempty"`
	// Group says what a flag's evidence shows: EvidenceRule (a rule that
	// fired), EvidenceCall (a call to act), EvidenceCause (an extremist
	// cause, destination or organization) or EvidenceModel (the model's
	// strongest features). Tags' evidence has none.
	Group string `json:"group,omitempty"`
}

// Evidence groups of a flag.
const (
	EvidenceRule  = "rule"
	EvidenceCall  = "call"
	EvidenceCause = "cause"
	EvidenceModel = "model"
)

// Entity is a named organisation, state body, official's title or place found
// in a document. Start and End are byte offsets into the original Field.
type Entity struct {
	Type      string `json:"type"`
	Text      string `json:"text"`
	Canonical string `json:"canonical"`
	Field     string `json:"field"`
	Start     int    `json:"start"`
	End       int    `json:"end"`
	// StartUTF16 and EndUTF16 are Start and End in UTF-16 code units.
	StartUTF16 int `json:"start_utf16"`
	EndUTF16   int `json:"end_utf16"`
	// Banned is set for organisations recognised as terrorist or extremist
	// in Kazakhstan.
	Banned bool `json:"banned,omitempty"`
}

// Versions names the model bundle and rule set that produced a verdict.
type Versions struct {
	Model string `json:"model"`
	Rules string `json:"rules"`
	// Flag names the flag head (models/recruitment) that scored the
	// extremist_recruitment flag.
	Flag string `json:"flag,omitempty"`
	// Heads names every model head that scored the verdict, by what it
	// scores ("topics", "extremist_recruitment", "toxic"), with its version
	// id.
	Heads map[string]string `json:"heads,omitempty"`
}
