package rules

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coregx/ahocorasick"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/internal/wordcache"
	"github.com/kz-newsroom/vigil/pipeline"
)

// compileYAML builds a set from one pack written in a test.
func compileYAML(tb testing.TB, src string) *Set {
	tb.Helper()
	f, errs := Parse("test.yaml", []byte(src))
	if errs != nil {
		tb.Fatalf("parse: %v", errs)
	}
	s, err := Compile([]*File{f})
	if err != nil {
		tb.Fatalf("compile: %v", err)
	}
	return s
}

// TestAhoCorasickOverlapping checks the automaton's overlapping mode, which
// the matcher relies on, against a brute-force search: every occurrence of
// every pattern, on Cyrillic and Latin text with shared prefixes and
// suffixes. (The library's leftmost-longest mode returned the shortest
// match in a probe, so only overlapping mode is used.)
func TestAhoCorasickOverlapping(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"а", "б", "в", "ж", "и", "х", "д", "a", "b", " ", "-", "ә"}
	randStr := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 300 {
		var pats []string
		seen := map[string]bool{}
		for len(pats) < 1+rng.IntN(40) {
			p := randStr(1 + rng.IntN(5))
			if !seen[p] {
				seen[p] = true
				pats = append(pats, p)
			}
		}
		text := randStr(rng.IntN(300))
		ac, err := ahocorasick.NewBuilder().AddStrings(pats).Build()
		if err != nil {
			t.Fatal(err)
		}
		type m struct{ p, s, e int }
		var got, want []m
		for _, x := range ac.FindAllOverlapping([]byte(text)) {
			got = append(got, m{x.PatternID, x.Start, x.End})
		}
		for i, p := range pats {
			for s := 0; s+len(p) <= len(text); s++ {
				if text[s:s+len(p)] == p {
					want = append(want, m{i, s, s + len(p)})
				}
			}
		}
		cmpM := func(a, b m) int {
			if a.e != b.e {
				return a.e - b.e
			}
			if a.s != b.s {
				return a.s - b.s
			}
			return a.p - b.p
		}
		slices.SortFunc(got, cmpM)
		slices.SortFunc(want, cmpM)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: patterns %q text %q:\n got %v\nwant %v", round, pats, text, got, want)
		}
	}
}

// refMatch is the obvious, slow matcher: split the text into words and
// test every word against the term by its kind. The automaton-based
// matcher must agree with it on single-word terms.
func refMatch(text, lang string, a atom, term wordSpec) []pipeline.Span {
	var out []pipeline.Span
	for i := 0; i < len(text); {
		if !wordAt(text, i) {
			i++
			continue
		}
		end := wordEnd(text, i)
		w := text[i:end]
		ok := false
		switch term.kind {
		case atomExact:
			ok = w == term.text
		case atomPrefix:
			ok = strings.HasPrefix(w, term.text)
		case atomStem:
			if scriptOf(term.text) == scriptLatin {
				st := enStem(w)
				ok = w == term.text || st == a.stems[stemEN] || len(st) >= len(a.stems[stemEN]) && strings.HasPrefix(term.text, st)
			} else {
				st := ruStem(w)
				ok = w == term.text || st == a.stems[stemRU] || len(st) >= len(a.stems[stemRU]) && strings.HasPrefix(term.text, st)
				if lang == vigil.LangKazakh {
					ok = ok || kkMatch(w, term.text)
				}
			}
		}
		if ok {
			out = append(out, pipeline.Span{Start: i, End: end})
		}
		i = end
	}
	return out
}

// TestMatcherAgreesWithReference runs single-word terms of every kind over
// random texts of real words and compares the spans with refMatch.
func TestMatcherAgreesWithReference(t *testing.T) {
	vocab := strings.Fields(`вербовщик вербовщики вербовщиков вербовка вербовать джихад джихада джихаду
		джихадом моджахед моджахеды моджахедов вступай вступайте вступать вступил вступление
		аким акима акимом акимат акимата акиматы министр министра министерство министерства
		шам шама шаме шампунь шахта шах халифат халифата халифату халиф пожар пожара пожарные
		пожарный взрыв взрыва взрывом астана астане астаной астанада алматы алматыда алма алмалар
		жиһад жиһадқа жиһадтың шамға шейіт шейіттер кітап кітабы кітапқа жүрек жүрегі
		join joined joining joins jihad jihadist recruit recruiter recruiting recruits war wars warning
		в на и к не иг игил ИГ 2023 ё-моё мир-сити`)
	terms := []wordSpec{
		{atomStem, "вербовщик"}, {atomStem, "джихад"}, {atomStem, "моджахед"}, {atomStem, "аким"},
		{atomStem, "шам"}, {atomStem, "халифат"}, {atomStem, "пожар"}, {atomStem, "астана"},
		{atomStem, "алматы"}, {atomStem, "жиһад"}, {atomStem, "кітап"}, {atomStem, "жүрек"},
		{atomStem, "шейіт"}, {atomStem, "join"}, {atomStem, "recruit"}, {atomStem, "war"},
		{atomPrefix, "вербов"}, {atomPrefix, "вступ"}, {atomPrefix, "шах"}, {atomPrefix, "recruit"},
		{atomExact, "вступай"}, {atomExact, "в"}, {atomExact, "иг"}, {atomExact, "акимат"}, {atomExact, "2023"},
	}
	var b strings.Builder
	b.WriteString("pack: t\nrules:\n")
	for i, w := range terms {
		src := w.text
		switch w.kind {
		case atomExact:
			src = "=" + src
		case atomPrefix:
			src += "*"
		}
		b.WriteString("  - id: r" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "\n")
		b.WriteString("    action: {tag: t}\n    any: [\"" + src + "\"]\n    match: [x]\n    no_match: [y]\n")
	}
	set := compileYAML(t, b.String())
	memoSet := compileYAML(t, b.String())
	memoSet.memo = [2]*wordcache.Cache[[]int32]{wordcache.NewWords(memoMax, wordcache.Int32sBytes), wordcache.NewWords(memoMax, wordcache.Int32sBytes)} // as for a large automaton
	seps := []string{" ", ", ", " — ", "\n", "«", "» ", "-", ". "}
	rng := rand.New(rand.NewPCG(7, 9))
	for round := range 800 {
		set := set
		if round%2 == 1 {
			set = memoSet // the word memo must not change any result
		}
		var tb strings.Builder
		for range 1 + rng.IntN(30) {
			tb.WriteString(strings.ToLower(vocab[rng.IntN(len(vocab))]))
			tb.WriteString(seps[rng.IntN(len(seps))])
		}
		text := tb.String()
		lang := []string{vigil.LangRussian, vigil.LangKazakh, vigil.LangEnglish}[(round/2)%3]
		f := pipeline.Field{Name: "body", Original: text, Text: text}
		res := set.Match(&f, lang, vigil.KindComment)
		for i, term := range terms {
			r := set.rules[i]
			var got []pipeline.Span
			for _, fr := range res.Fired {
				if fr.Rule == r.Rule {
					got = fr.Spans
				}
			}
			a := set.atoms[set.phrases[r.cond.kids[0].kids[0].t.a.phrases[0]].atoms[0]]
			want := refMatch(text, lang, a, term)
			if len(want) > MaxEvidence {
				want = want[:MaxEvidence]
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, lang %s, term %s %q on %q:\n got %v\nwant %v", round, lang, term.kind, term.text, text, got, want)
			}
		}
	}
}

const testPack = `
pack: test
lists:
  join: ["=вступай", "=вступайте", "=присоединяйся"]
  bad: [джихад, моджахед, "@banned"]
  trade: ["=газ", "торговая сделка", "@banned"]
rules:
  - id: t.phrase
    action: {tag: security, score: 0.7}
    any: ["пиши в личку"]
    match: [x]
    no_match: [y]
  - id: t.near
    action: {flag: extremist_recruitment, weight: 0.6}
    any: ["$join NEAR/3 $bad"]
    none: ["вербовщик"]
    match: [x]
    no_match: [y]
  - id: t.veto
    action: {tag: politics, score: 0.5}
    any: ["переговоры"]
    none: ["$trade", "обстрел NEAR/2 город"]
    match: [x]
    no_match: [y]
  - id: t.all
    action: {tag: conflict}
    all: ["обстрел", {any: ["город", "село"]}]
    match: [x]
    no_match: [y]
  - id: t.regex
    action: {tag: economy, score: 0.5}
    any: [{re: '\d+ ?тенге'}]
    match: [x]
    no_match: [y]
  - id: t.kk
    languages: [kk]
    kinds: [comment]
    action: {tag: religion}
    any: ["жиһад"]
    match: [x]
    no_match: [y]
  - id: t.shadow
    mode: shadow
    action: {flag: extremist_recruitment, weight: 0.9}
    any: ["халифат"]
    match: [x]
    no_match: [y]
  - id: t.min
    action: {tag: government, score: 0.6}
    min_hits: 2
    any: ["@state_body"]
    match: [x]
    no_match: [y]
entities:
  - canonical: Исламское государство
    type: org
    banned: true
    aliases: [Исламское государство]
    abbreviations: [ИГ, ИГИЛ]
  - canonical: Комитет национальной безопасности РК
    type: state_body
    aliases: [Комитет национальной безопасности]
    abbreviations: [КНБ]
  - canonical: Акимат
    type: state_body
    aliases: [акимат]
  - canonical: Семей
    type: place
    proper: [Семей]
`

func fired(res FieldResult) []string {
	var ids []string
	for _, f := range res.Fired {
		ids = append(ids, f.Rule.ID)
	}
	return ids
}

func TestMatchTable(t *testing.T) {
	set := compileYAML(t, testPack)
	cases := []struct {
		name, text, lang, kind string
		want                   []string
		entities               []string // canonical names
	}{
		{"phrase inflected", "Пишите мне. Пиши в личку, брат", "ru", "", []string{"t.phrase"}, nil},
		{"phrase broken by a word", "пиши мне в личку", "ru", "", nil, nil},
		{"near within 3", "Вступай, брат, в джихад", "ru", "", []string{"t.near"}, nil},
		{"near too far", "вступай в наш клуб по футболу и забудь про джихад", "ru", "", nil, nil},
		{"near with entity class", "Присоединяйся к ИГИЛ", "ru", "", []string{"t.near"}, []string{"Исламское государство"}},
		{"near either order", "моджахеды ждут, вступайте", "ru", "", []string{"t.near"}, nil},
		{"none blocks", "вербовщик писал: вступай в джихад", "ru", "", nil, nil},
		{"evasion undone", "вcтyпaй в ДЖ1ХАД", "ru", "", []string{"t.near"}, nil},
		{"none list: a word", "переговоры о поставках газ", "ru", "", nil, nil},
		{"none list: a phrase", "переговоры о торговой сделке", "ru", "", nil, nil},
		{"none list: a class", "переговоры с ИГИЛ", "ru", "", nil, []string{"Исламское государство"}},
		{"none NEAR", "переговоры после обстрела города", "ru", "", []string{"t.all"}, nil},
		{"none list: phrase broken", "переговоры о сделке и торговле", "ru", "", []string{"t.veto"}, nil},
		{"none list: exact word inflected", "переговоры о газе", "ru", "", []string{"t.veto"}, nil},
		{"all with nested any", "обстрел села продолжался", "ru", "", []string{"t.all"}, nil},
		{"all missing part", "обстрел продолжался", "ru", "", nil, nil},
		{"regex", "цена 5000 тенге", "ru", "", []string{"t.regex"}, nil},
		{"language filter", "жиһадқа шақырды", "ru", "comment", nil, nil},
		{"language and kind", "жиһадқа шақырды", "kk", "comment", []string{"t.kk"}, nil},
		{"kind filter", "жиһадқа шақырды", "kk", "article", nil, nil},
		{"shadow fires in match", "халифат", "ru", "", []string{"t.shadow"}, nil},
		{"min hits not reached", "КНБ сообщил", "ru", "", nil, []string{"Комитет национальной безопасности РК"}},
		{"min hits reached", "КНБ и акимат", "ru", "", []string{"t.min"}, []string{"Комитет национальной безопасности РК", "Акимат"}},
		{"cased abbreviation", "ИГ взяло ответственность", "ru", "", nil, []string{"Исламское государство"}},
		{"cased abbreviation lower", "сбросить иг", "ru", "", nil, nil},
		{"longest entity wins", "Комитета национальной безопасности", "ru", "", nil, []string{"Комитет национальной безопасности РК"}},
		{"proper name", "В Семее прошел фестиваль", "ru", "", nil, []string{"Семей"}},
		{"proper name as word", "помощь для семей с детьми", "ru", "", nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := pipeline.Normalize("body", tc.text)
			res := set.Match(&f, tc.lang, tc.kind)
			if got := fired(res); !slices.Equal(got, tc.want) {
				t.Errorf("fired %v, want %v (normalized %q)", got, tc.want, f.Text)
			}
			var ents []string
			for _, e := range res.Entities {
				ents = append(ents, e.Entity.Canonical)
			}
			if !slices.Equal(ents, tc.entities) {
				t.Errorf("entities %v, want %v", ents, tc.entities)
			}
		})
	}
}

// TestApplyVerdict checks what the stage adds to an item: tags, signals,
// entities with spans into the original (HTML, evasion), the version, and
// that shadow rules change nothing.
func TestApplyVerdict(t *testing.T) {
	set := compileYAML(t, testPack)
	body := "<p>Брат, <b>вcтyпaй</b> в ИГИЛ!</p> Халифат ждет. КНБ и акимат молчат."
	doc := &vigil.Document{ID: "d1", Kind: vigil.KindComment, Body: body}
	it := &pipeline.Item{Doc: doc, Lang: "ru", Fields: []pipeline.Field{pipeline.Normalize(vigil.FieldBody, body)}}
	applied := set.Apply(it)
	if it.Verdict.Versions.Rules != set.Version() || !strings.HasPrefix(set.Version(), "rules-") {
		t.Errorf("version %q, set %q", it.Verdict.Versions.Rules, set.Version())
	}
	if !slices.Equal(applied.Shadow, []string{"t.shadow"}) {
		t.Errorf("shadow %v", applied.Shadow)
	}
	if len(it.Signals) != 1 || it.Signals[0].Flag != vigil.FlagExtremistRecruitment || it.Signals[0].Weight != 0.6 {
		t.Fatalf("signals %+v, want one t.near signal (the shadow rule adds none)", it.Signals)
	}
	ev := it.Signals[0].Evidence[0]
	if ev.Rule != "t.near" || body[ev.Start:ev.End] != ev.Text || !strings.HasPrefix(ev.Text, "вcтyпaй") || !strings.HasSuffix(ev.Text, "ИГИЛ") {
		t.Errorf("evidence %+v: want the original span from вcтyпaй to ИГИЛ", ev)
	}
	var tags []string
	for _, tg := range it.Verdict.Tags {
		tags = append(tags, tg.Name)
		if tg.Source != vigil.SourceRule {
			t.Errorf("tag %s source %q", tg.Name, tg.Source)
		}
	}
	if !slices.Equal(tags, []string{"government"}) {
		t.Errorf("tags %v, want [government]", tags)
	}
	want := map[string]string{"ИГИЛ": "Исламское государство", "КНБ": "Комитет национальной безопасности РК", "акимат": "Акимат"}
	if len(it.Verdict.Entities) != len(want) {
		t.Fatalf("entities %+v", it.Verdict.Entities)
	}
	for _, e := range it.Verdict.Entities {
		if want[e.Text] != e.Canonical || body[e.Start:e.End] != e.Text || e.Field != vigil.FieldBody {
			t.Errorf("entity %+v", e)
		}
		if e.Banned != (e.Text == "ИГИЛ") {
			t.Errorf("entity %s banned=%v", e.Text, e.Banned)
		}
	}
}

func TestParseErrorsHaveLines(t *testing.T) {
	src := `pack: bad
rules:
  - id: a
    action: {tag: x, weight: 0.5}
    any: ["вербов*", "NEAR/3 x"]
    match: [x]
  - id: a
    languages: [de]
    action: {flag: f}
    none: [x]
    match: [x]
    no_match: [y]
    colour: red
  - id: c
    action: {tag: x}
    any: [{re: '(a'}, "Джихад", "аль-", "$nolist"]
    match: [x]
    no_match: [y]
  - id: d
    action: {tag: x, score: 0.5, body_score: 0.9}
    any: [x]
    match: [x]
    no_match: [y]
  - id: e
    action: {flag: f, weight: 0.5, body_score: 0.2}
    any: [x]
    match: [x]
    no_match: [y]
  - id: g
    action: {flag: f, weight: 0.5, model_floor: 0.2}
    any: [x]
    match: [x]
    no_match: [y]
  - id: h
    action: {tag: x, model_floor: 0}
    any: [x]
    match: [x]
    no_match: [y]
`
	f, perrs := Parse("bad.yaml", []byte(src))
	var msgs []string
	for _, e := range perrs {
		msgs = append(msgs, e.Error())
	}
	if f != nil && perrs == nil {
		_, err := Compile([]*File{f})
		msgs = append(msgs, err.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"bad.yaml:4: a: weight goes with flag",
		"bad.yaml:3: a: rule needs at least one no_match example",
		"bad.yaml:8: a: unknown language \"de\"",
		"bad.yaml:9: a: a flag action needs a weight",
		"bad.yaml:7: a: rule needs at least one term under any or all",
		"bad.yaml:13: a: unknown key \"colour\"",
		"bad.yaml:20: d: body_score 0.90 is above score 0.50",
		"bad.yaml:25: e: body_score goes with tag",
		"bad.yaml:30: g: model_floor goes with tag",
		"bad.yaml:35: h: model_floor must be a number in (0, 1]",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	// compile errors of a schema-valid file
	src2 := `rules:
  - id: c
    action: {tag: x}
    any: [{re: '(a'}, "Джихад", "аль-", "$nolist", "a NEAR/3"]
    match: [x]
    no_match: [y]
  - id: c
    action: {tag: x}
    any: [x]
    match: [x]
    no_match: [y]
`
	f, perrs = Parse("c.yaml", []byte(src2))
	if perrs != nil {
		t.Fatal(perrs)
	}
	_, err := Compile([]*File{f})
	if err == nil {
		t.Fatal("compile accepted broken terms")
	}
	for _, want := range []string{
		"c.yaml:4: c: regex \"(a\"", "c.yaml:4: c: term \"Джихад\" can never match", "must start and end with a letter",
		"unknown list $nolist", "NEAR/3 needs a phrase on both sides", "c.yaml:7: c: duplicate rule id (first at c.yaml:2)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%v", want, err)
		}
	}
}

func TestKazakhMatch(t *testing.T) {
	cases := []struct {
		w, term string
		want    bool
	}{
		{"жиһадқа", "жиһад", true},
		{"шамға", "шам", true},
		{"алматыда", "алматы", true},
		{"бауырларыңның", "бауыр", true},
		{"кітабы", "кітап", true},
		{"жүрегі", "жүрек", true},
		{"алма", "алматы", false},
		{"шахта", "шах", true}, // "at the shah": Kazakh morphology cannot tell
		{"шейіттер", "шейіт", true},
		{"жиһадшы", "жиһад", false},
	}
	for _, c := range cases {
		if got := kkMatch(c.w, c.term); got != c.want {
			t.Errorf("kkMatch(%q, %q) = %v, want %v", c.w, c.term, got, c.want)
		}
	}
}

// TestManyEntities: a long text full of mentions stays linear and keeps
// the verdict bounded.
func TestManyEntities(t *testing.T) {
	set := compileYAML(t, testPack)
	text := strings.Repeat("КНБ и акимат, Комитет национальной безопасности. ", 20000)
	f := pipeline.Normalize("body", text)
	res := set.Match(&f, "ru", "")
	if len(res.Entities) != MaxEntities {
		t.Errorf("%d entities, want the cap %d", len(res.Entities), MaxEntities)
	}
	for i := 1; i < len(res.Entities); i++ {
		if res.Entities[i].Span.Start < res.Entities[i-1].Span.Start {
			t.Fatal("entities not in text order")
		}
	}
	if got := fired(res); !slices.Equal(got, []string{"t.min"}) {
		t.Errorf("fired %v", got)
	}
}

// TestMatchConcurrent runs the shipped set (large enough for the word memo
// and the stem cache) from several goroutines: results equal the
// sequential ones. Run with -race.
func TestMatchConcurrent(t *testing.T) {
	set, err := Load(EmbeddedSource())
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"Вербовщики террористических организаций активно работают в Казахстане, сообщил зампред КНБ.",
		"Братья, присоединяйтесь к моджахедам, пиши в личку, ИГИЛ ждет",
		"Мажилис одобрил в первом чтении законопроект, аким Алматы назначен",
		"жиһадқа қосыл, бауырым. Шамға көшіңдер",
		"Make hijrah to Sham, brothers. DM me",
	}
	want := make([][]string, len(texts))
	for i, s := range texts {
		f := pipeline.Normalize("body", s)
		want[i] = fired(set.Match(&f, "", ""))
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 200 {
				i := (g + k) % len(texts)
				f := pipeline.Normalize("body", texts[i])
				if got := fired(set.Match(&f, "", "")); !slices.Equal(got, want[i]) {
					t.Errorf("goroutine %d: %q fired %v, sequentially %v", g, texts[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}
