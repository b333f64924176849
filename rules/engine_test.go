package rules

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/pipeline"
)

const packV1 = `pack: deploy
rules:
  - id: deploy.word
    action: {tag: local, score: 0.5}
    any: [самовар]
    match: [самовары]
    no_match: [чайник]
  - id: deploy.shadow
    mode: shadow
    action: {flag: extremist_recruitment, weight: 0.5}
    any: [чайник]
    match: [чайник]
    no_match: [самовар]
`

func writePack(t *testing.T, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func checkItem(e *Engine, text string) *pipeline.Item {
	doc := &vigil.Document{ID: "x", Body: text}
	it := &pipeline.Item{Doc: doc, Lang: "ru", Fields: []pipeline.Field{pipeline.Normalize(vigil.FieldBody, text)}}
	if err := e.Process(context.Background(), it); err != nil {
		panic(err)
	}
	return it
}

func tagNames(it *pipeline.Item) []string {
	var out []string
	for _, t := range it.Verdict.Tags {
		out = append(out, t.Name)
	}
	return out
}

// TestEngineReload: a deployment directory is added to the embedded packs,
// a change is picked up by Reload, a broken pack is refused with its file
// and line while the previous set keeps serving, and shadow rules are
// counted without changing the verdict.
func TestEngineReload(t *testing.T) {
	dir := t.TempDir()
	writePack(t, dir, "deploy.yaml", packV1)
	var shadowCalls atomic.Int64
	e, err := New(Options{Dirs: []string{dir}, OnShadow: func(id string) {
		if id == "deploy.shadow" {
			shadowCalls.Add(1)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	v1 := e.Version()
	if e.Set().Rule("rec.ru.join") == nil || e.Set().Rule("deploy.word") == nil {
		t.Fatal("want embedded and deployment rules together")
	}
	it := checkItem(e, "Самовары и чайник")
	if !strings.Contains(strings.Join(tagNames(it), ","), "local") || len(it.Signals) != 0 {
		t.Fatalf("tags %v signals %v: want tag local and no signal from the shadow rule", tagNames(it), it.Signals)
	}
	if it.Verdict.Versions.Rules != v1 {
		t.Errorf("verdict version %q, engine %q", it.Verdict.Versions.Rules, v1)
	}
	if shadowCalls.Load() != 1 || e.ShadowCounts()["deploy.shadow"] != 1 {
		t.Errorf("shadow calls %d counts %v", shadowCalls.Load(), e.ShadowCounts())
	}

	if changed, err := e.Reload(); changed || err != nil {
		t.Fatalf("reload without change: changed=%v err=%v", changed, err)
	}

	writePack(t, dir, "deploy.yaml", strings.Replace(packV1, "самовар]", "самокат]", 1))
	if changed, err := e.Reload(); !changed || err != nil {
		t.Fatalf("reload after change: changed=%v err=%v", changed, err)
	}
	v2 := e.Version()
	if v2 == v1 {
		t.Fatal("version did not change")
	}

	writePack(t, dir, "broken.yaml", "rules:\n  - id: broken\n    action: {tag: x}\n    any: [\"Заглавные\"]\n    match: [a]\n    no_match: [b]\n")
	changed, err := e.Reload()
	if changed || err == nil || !strings.Contains(err.Error(), "broken.yaml:4") {
		t.Fatalf("broken pack: changed=%v err=%v, want refusal naming broken.yaml:4", changed, err)
	}
	if e.Version() != v2 {
		t.Fatalf("version %s after a refused reload, want %s still serving", e.Version(), v2)
	}
	it = checkItem(e, "самокаты")
	if !strings.Contains(strings.Join(tagNames(it), ","), "local") {
		t.Errorf("previous set not serving: tags %v", tagNames(it))
	}
	if _, err := New(Options{Dirs: []string{dir}}); err == nil {
		t.Error("New accepted a broken pack")
	}
}

// TestEngineConcurrentReload runs documents while packs are swapped: every
// verdict must come from one whole set (version and tag agree). Run with
// -race.
func TestEngineConcurrentReload(t *testing.T) {
	dir := t.TempDir()
	pack := func(word, tag string) string {
		return "rules:\n  - id: c.one\n    action: {tag: " + tag + "}\n    any: [" + word + "]\n    match: [" + word + "]\n    no_match: [zzz]\n"
	}
	writePack(t, dir, "c.yaml", pack("альфа", "first"))
	e, err := New(Options{Dirs: []string{dir}, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{e.Version(): "first"}
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				it := checkItem(e, "альфа бета")
				mu.Lock()
				want, ok := versions[it.Verdict.Versions.Rules]
				mu.Unlock()
				tags := tagNames(it)
				if ok && !(len(tags) == 1 && tags[0] == want) && !(len(tags) == 0 && want == "second") {
					t.Errorf("version %s gave tags %v", it.Verdict.Versions.Rules, tags)
				}
			}
		}()
	}
	for i := range 20 {
		word, tag := "альфа", "first"
		if i%2 == 0 {
			word, tag = "гамма", "second"
		}
		writePack(t, dir, "c.yaml", pack(word, tag))
		mu.Lock()
		if _, err := e.Reload(); err != nil {
			t.Error(err)
		}
		versions[e.Version()] = tag
		mu.Unlock()
	}
	close(stop)
	wg.Wait()
}

func TestEngineErrors(t *testing.T) {
	if _, err := New(Options{NoEmbedded: true}); err == nil {
		t.Error("no sources accepted")
	}
	if _, err := New(Options{Dirs: []string{filepath.Join(t.TempDir(), "missing")}}); err == nil || vigil.ErrorCode(err) != vigil.EINVALID {
		t.Errorf("missing dir: %v", err)
	}
	e := NewWithSet(compileYAML(t, packV1), Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	it := &pipeline.Item{Doc: &vigil.Document{ID: "x"}}
	if err := e.Process(ctx, it); err == nil {
		t.Error("Process ignored a cancelled context")
	}
}

// TestApplyVetoAcrossFields: a rule's top-level none terms are looked for
// in every field, so a report's title vetoes the call its body quotes,
// while a none nested inside a group stays local to its field.
func TestApplyVetoAcrossFields(t *testing.T) {
	set := compileYAML(t, `rules:
  - id: call
    action: {flag: extremist_recruitment, weight: 0.8}
    all: ["=вступайте", "джихад"]
    none: ["приговор*", "вербовщик*"]
    match: ["вступайте в джихад"]
    no_match: ["суд приговорил: «вступайте в джихад»"]
  - id: nested
    action: {tag: t}
    all: ["=вступайте", {none: ["приговор*"]}]
    match: ["вступайте"]
    no_match: ["приговор: вступайте"]
`)
	fired := func(title, body string) []string {
		it := &pipeline.Item{Doc: &vigil.Document{ID: "x", Kind: vigil.KindArticle}, Lang: "ru"}
		if title != "" {
			it.Fields = append(it.Fields, pipeline.Normalize(vigil.FieldTitle, title))
		}
		it.Fields = append(it.Fields, pipeline.Normalize(vigil.FieldBody, body))
		return set.Apply(it).Live
	}
	for _, tc := range []struct {
		title, body string
		want        []string
	}{
		{"", "Братья, вступайте в джихад!", []string{"call", "nested"}},
		{"Вербовщику вынесли приговор", "Он писал: «Братья, вступайте в джихад!»", []string{"nested"}},
		{"Обращение к молодёжи", "Братья, вступайте в джихад!", []string{"call", "nested"}},
		{"Братья, вступайте в джихад!", "Вербовщику вынесли приговор", []string{"nested"}}, // fired in the title, vetoed by the body
		{"Вступайте в джихад", "Братья, вступайте в джихад!", []string{"call", "nested"}},  // fired in both, vetoed by neither
		{"", "Суд вынес приговор. Он писал: «вступайте в джихад»", nil},
	} {
		if got := fired(tc.title, tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("title %q body %q: fired %v, want %v", tc.title, tc.body, got, tc.want)
		}
	}
}

// A tag rule that does not fire in the title needs, in a body longer than
// longField words, two hits and one per wordsPerHit words, at most
// MaxEvidence: passing mentions are not an article's topic. A headline or a lead keeps every hit.
func TestApplyLongBody(t *testing.T) {
	set := compileYAML(t, `rules:
  - id: holiday
    action: {tag: religion, score: 0.9}
    any: ["=christmas"]
    match: ["christmas"]
    no_match: ["easter"]
`)
	body := func(words, mentions int) string {
		w := make([]string, words)
		for i := range w {
			w[i] = "word"
		}
		for i := 0; i < mentions; i++ {
			w[i*words/mentions] = "Christmas"
		}
		return strings.Join(w, " ")
	}
	tagged := func(title, body string) bool {
		doc := vigil.Document{ID: "x", Kind: vigil.KindArticle, Lang: "en", Title: title, Body: body}
		it := &pipeline.Item{Doc: &doc, Lang: "en", Fields: pipeline.PrepareFields(context.Background(), []vigil.Document{doc}, 1)[0]}
		set.Apply(it)
		return slices.ContainsFunc(it.Verdict.Tags, func(tg vigil.Tag) bool { return tg.Name == "religion" })
	}
	for _, tc := range []struct {
		name        string
		title, body string
		want        bool
	}{
		{"a lead, one mention", "News", body(60, 1), true},
		{"a long body, one mention", "News", body(300, 1), false},
		{"200 words, two mentions", "News", body(200, 2), true},
		{"300 words, two mentions", "News", body(300, 2), false},
		{"300 words, three mentions", "News", body(300, 3), true},
		{"600 words, five mentions", "News", body(600, 5), false},
		{"600 words, six mentions", "News", body(600, 6), true},
		{"2,000 words, seven mentions", "News", body(2000, 7), false},
		{"2,000 words, as many mentions as a rule reports", "News", body(2000, MaxEvidence), true},
		{"the title names it", "Christmas markets open", body(900, 1), true},
	} {
		if got := tagged(tc.title, tc.body); got != tc.want {
			t.Errorf("%s: tagged %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A tag rule with a body_score shows it when every hit lies in a long
// body, its score when one is in the title or a short field; the tag is in
// Item.BodyTags, for Decide to weigh against the model, when no hit is in
// the title of a titled document (a long body, or the lead under a
// headline that names something else).
func TestApplyBodyScore(t *testing.T) {
	set := compileYAML(t, `rules:
  - id: holiday
    action: {tag: religion, score: 0.9, body_score: 0.25}
    any: ["=christmas"]
    match: ["christmas"]
    no_match: ["easter"]
`)
	long := strings.Repeat("word ", 150) + "Christmas and Christmas"
	for _, tc := range []struct {
		name, title, body string
		want              float64
		passing           bool
	}{
		{"every hit in a long body", "News", long, 0.25, true},
		{"the title names it", "Christmas markets open", long, 0.9, false},
		{"the lead under a headline", "News", "Christmas markets open on Sunday", 0.9, true},
		{"a short body with no title", "", "Christmas markets open on Sunday", 0.9, false},
	} {
		doc := vigil.Document{ID: "x", Kind: vigil.KindArticle, Lang: "en", Title: tc.title, Body: tc.body}
		it := &pipeline.Item{Doc: &doc, Lang: "en", Fields: pipeline.PrepareFields(context.Background(), []vigil.Document{doc}, 1)[0]}
		set.Apply(it)
		i := slices.IndexFunc(it.Verdict.Tags, func(tg vigil.Tag) bool { return tg.Name == "religion" })
		if i < 0 || it.Verdict.Tags[i].Score != tc.want {
			t.Errorf("%s: tags %+v, want religion at %v", tc.name, it.Verdict.Tags, tc.want)
		}
		if got := slices.Contains(it.BodyTags, "religion"); got != tc.passing {
			t.Errorf("%s: BodyTags %v, want religion in it %v", tc.name, it.BodyTags, tc.passing)
		}
	}
}

// A tag rule with a model_floor records it for its tag (the lowest of
// the rules that gave the tag), for Decide to hold the tag to it; a rule
// without one records nothing, and passing mentions in a long body keep
// the body's floor.
func TestApplyModelFloor(t *testing.T) {
	set := compileYAML(t, `rules:
  - id: act
    action: {tag: government, score: 0.85, body_score: 0.25, model_floor: 0.02}
    any: ["=запретили"]
    match: ["запретили"]
    no_match: ["разрешили"]
  - id: act2
    action: {tag: government, score: 0.85, model_floor: 0.01}
    any: ["=вейпы"]
    match: ["вейпы"]
    no_match: ["сигареты"]
  - id: body
    action: {tag: government, score: 0.9}
    any: ["=министерство"]
    match: ["министерство"]
    no_match: ["школа"]
`)
	for _, tc := range []struct {
		name, title, body string
		want              []pipeline.TagFloor
	}{
		{"one rule", "В Казахстане запретили телефоны на уроках", "", []pipeline.TagFloor{{Tag: "government", Floor: 0.02}}},
		{"the lower of two", "В Казахстане запретили вейпы", "", []pipeline.TagFloor{{Tag: "government", Floor: 0.01}}},
		{"a rule without one", "Министерство открыло школу", "", nil},
		{"passing mentions in a long body", "News", strings.Repeat("word ", 150) + "запретили и запретили", nil},
	} {
		doc := vigil.Document{ID: "x", Kind: vigil.KindArticle, Lang: "ru", Title: tc.title, Body: tc.body}
		it := &pipeline.Item{Doc: &doc, Lang: "ru", Fields: pipeline.PrepareFields(context.Background(), []vigil.Document{doc}, 1)[0]}
		set.Apply(it)
		if !slices.Equal(it.RuleFloors, tc.want) {
			t.Errorf("%s: RuleFloors %v, want %v", tc.name, it.RuleFloors, tc.want)
		}
	}
}

// A flag rule does not fire on words a reader reports someone else
// writing (pipeline.Field.Reported); a tag rule does, and a flag rule with
// a match of its own outside the quote does too.
func TestApplyReportedSpeech(t *testing.T) {
	set := compileYAML(t, `rules:
  - id: call
    action: {flag: extremist_recruitment, weight: 0.8}
    all: ["=приезжай", "шам"]
    match: ["брат, приезжай в шам"]
    no_match: ["приезжай в гости"]
  - id: place
    action: {tag: conflict}
    any: ["шам"]
    match: ["шам"]
    no_match: ["дом"]
`)
	fired := func(body string) []string {
		doc := vigil.Document{ID: "x", Kind: vigil.KindComment, Lang: "ru", Body: body}
		it := &pipeline.Item{Doc: &doc, Lang: "ru", Fields: pipeline.PrepareFields(context.Background(), []vigil.Document{doc}, 1)[0]}
		return set.Apply(it).Live
	}
	for _, tc := range []struct {
		body string
		want []string
	}{
		{"брат, приезжай в Шам, всё оплачено", []string{"call", "place"}},
		{"они пишут «брат, приезжай в Шам, всё оплачено» — не верьте", []string{"place"}},
		{"«брат, приезжай в Шам» — так он и пишет. приезжай в Шам, брат, жду", []string{"call", "place"}},
	} {
		if got := fired(tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("%q: fired %v, want %v", tc.body, got, tc.want)
		}
	}
}
