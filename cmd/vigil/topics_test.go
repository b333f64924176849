package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/pipeline"
)

// TestTopicTable is the table of short Kazakh-site news items an editor
// tried (issue 13): each must get the tags listed, the first of its tags
// (the highest score) must be one of them, and at most one other tag may
// come with them, from the embedded models and rules. The verdicts' tags (name, score, source) are
// also compared with testdata/golden/topics-table.json; refresh it with
// go test ./cmd/vigil -run TopicTable -update when a change is intended.
func TestTopicTable(t *testing.T) {
	tests := []struct {
		id, lang, title string
		want            []string
	}{
		{"war-ua-energy", "ru", "Война в Украине: ночью атакованы энергообъекты", []string{"conflict"}},
		{"pokrovsk", "ru", "Бои в районе Покровска продолжаются", []string{"conflict"}},
		{"lebanon", "ru", "Израиль нанес авиаудары по югу Ливана", []string{"conflict"}},
		{"war-ua-kk", "kk", "Украинадағы соғыс: түнде энергетика нысандары атқыланды", []string{"conflict"}},
		{"akim", "ru", "Аким Алматы провел отчетную встречу с населением", []string{"government"}},
		{"mfa-talks", "ru", "Глава МИД Казахстана провел переговоры с госсекретарем США", []string{"politics"}},
		{"measles", "ru", "В Казахстане растет заболеваемость корью", []string{"health"}},
		{"knb-kk", "kk", "ҰҚК террористік актінің алдын алды", []string{"security"}},
		{"tenge-kk", "kk", "Теңге бағамы нығайды", []string{"economy"}},
		{"bus-en", "en", "Bus overturns on Almaty ring road, 12 injured", []string{"incidents"}},
		{"isis-en", "en", "Man jailed for recruiting for ISIS online", []string{"security"}},
		// The model's politics is broader than the taxonomy's: the cabinet
		// at work and a war are government and conflict, not politics
		// (taxonomy.yaml, explained_by); leaders' talks stay politics
		// whatever they discussed.
		{"cabinet", "ru", "Премьер-министр провёл заседание правительства по подготовке к отопительному сезону", []string{"government"}},
		{"appointed-kk", "kk", "Ерлан Сапаров Қаржы вице-министрі болып тағайындалды", []string{"government"}},
		{"leaders-talks", "ru", "Эрдоган и Путин провели переговоры в Сочи", []string{"politics"}},
		// A floor holds for a rule's tag too (pipeline.Decide.Floors): the
		// rule's technology, scored with the model under 0.5, goes. Real
		// headlines, labelled by hand (testdata/tags/lenta-hand12.jsonl,
		// lenta-hand15.jsonl).
		{"cyberattack", "ru", "Германия обвинила Россию в кибератаке на правящую партию", []string{"politics", "security"}},
		{"phone-fire", "ru", "Россиянин погиб из-за загоревшегося смартфона", []string{"incidents"}},
	}
	var docs []map[string]string
	for _, tc := range tests {
		docs = append(docs, map[string]string{"id": tc.id, "lang": tc.lang, "title": tc.title})
	}
	vs := classifyDocs(t, docs)
	if len(vs) != len(tests) {
		t.Fatalf("got %d verdicts, want %d", len(vs), len(tests))
	}
	type tag struct {
		Name   string  `json:"name"`
		Score  float64 `json:"score"`
		Source string  `json:"source"`
	}
	golden := map[string][]tag{}
	for i, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			var names []string
			for _, g := range vs[i].Tags {
				names = append(names, g.Name)
				golden[tc.id] = append(golden[tc.id], tag{g.Name, g.Score, g.Source})
				if !(g.Score > 0 && g.Score <= 1) {
					t.Errorf("%s: score %v outside (0, 1]", g.Name, g.Score)
				}
			}
			if len(names) == 0 || !slices.Contains(tc.want, names[0]) {
				t.Errorf("%q: tags %v, want %v first", tc.title, names, tc.want)
			}
			extra := 0
			for _, n := range names {
				if !slices.Contains(tc.want, n) {
					extra++
				}
			}
			for _, w := range tc.want {
				if !slices.Contains(names, w) {
					t.Errorf("%q: tags %v lack %s", tc.title, names, w)
				}
			}
			if extra > 1 {
				t.Errorf("%q: tags %v, want %v and at most one more", tc.title, names, tc.want)
			}
		})
	}
	got, err := json.MarshalIndent(golden, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("..", "..", "testdata", "golden", "topics-table.json"), append(got, '\n'))
}

// compareGolden compares got with the golden file, rewriting it first
// under -update.
func compareGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update if the change is intended)\ngot:\n%s", file, got)
	}
}

// TestShortRepliesGetNoModelTags: a reply of one or two words carries no
// topic, so the model tags none of the everyday reactions that short
// ("brother", "маған жаз", "келіспеймін"; classify.MinTagWords); rules still
// tag them ("Әкімдік қайда қарап отыр?" government), and the model still
// tags a longer reply ("Ждём продолжения сериала" culture).
func TestShortRepliesGetNoModelTags(t *testing.T) {
	lines, vs := classifyLines(t, "recruitment", "ordinary-reactions.jsonl")
	short, longModel, shortRule := 0, 0, 0
	for i, line := range lines {
		var d struct{ Body string }
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		words := len(pipeline.Words(d.Body))
		for _, g := range vs[i].Tags {
			switch {
			case words < classify.MinTagWords && g.Source == "model":
				t.Errorf("%q (%d words): model tag %s %.2f", d.Body, words, g.Name, g.Score)
			case words < classify.MinTagWords:
				shortRule++
			case g.Source == "model":
				longModel++
			}
		}
		if words < classify.MinTagWords {
			short++
		}
	}
	if short < 150 || shortRule == 0 || longModel == 0 {
		t.Errorf("%d short replies, %d rule tags on them, %d model tags on longer ones: want many, some, some", short, shortRule, longModel)
	}
}

// TestCommentTags: on 660 comments under Kazakhstan news labelled for
// topics (testdata/tags/comments.jsonl and comments-blind.jsonl, 312 of
// them about nothing in particular), the tags a comment gets are right: a
// model tag needs classify.CommentTagFloor on a comment, since the
// thresholds were chosen on news. Before the floor, 59 of the model's 99
// tags on the first set were wrong and 27 comments with no topic got one.
// Both sets are read: the model's 20-odd tags on one set move by two or
// three between trainings that change nothing about comments.
func TestCommentTags(t *testing.T) {
	lines, vs := classifyLines(t, "tags", "comments.jsonl")
	blindLines, blindVs := classifyLines(t, "tags", "comments-blind.jsonl")
	lines, vs = append(lines, blindLines...), append(vs, blindVs...)
	right, model, modelRight, all, noTopic, noTopicTagged := 0, 0, 0, 0, 0, 0
	for i, line := range lines {
		var d struct{ Tags []string }
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		if len(d.Tags) == 0 {
			noTopic++
			if len(vs[i].Tags) > 0 {
				noTopicTagged++
			}
		}
		for _, g := range vs[i].Tags {
			ok := slices.Contains(d.Tags, g.Name)
			all++
			if ok {
				right++
			}
			if g.Source == "model" {
				model++
				if ok {
					modelRight++
				}
				if g.Score < classify.CommentTagFloor {
					t.Errorf("comment %d: model tag %s at %.2f, under the floor", i+1, g.Name, g.Score)
				}
			}
		}
	}
	t.Logf("tags right %d of %d, model %d of %d; comments with no topic tagged %d of %d", right, all, modelRight, model, noTopicTagged, noTopic)
	if model == 0 || float64(modelRight) < 0.75*float64(model) || float64(right) < 0.85*float64(all) {
		t.Errorf("tags right %d of %d, model tags %d of %d: want 0.85 and 0.75 (and some model tags)", right, all, modelRight, model)
	}
	if noTopicTagged*20 > noTopic {
		t.Errorf("%d of %d comments about nothing got a tag: want at most 5 %%", noTopicTagged, noTopic)
	}
}

// classifyLines runs `vigil classify` on testdata/DIR/NAME and returns its
// lines and their verdicts, one for one.
func classifyLines(t *testing.T, dir, name string) ([]string, []vigil.Verdict) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, string(raw), "classify")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	vs := verdicts(t, stdout)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(vs) != len(lines) {
		t.Fatalf("%d verdicts for %d lines", len(vs), len(lines))
	}
	return lines, vs
}

// TestArticleLinksToOtherStories: a list of links to other stories inside
// an article's body ("Сондай-ақ оқыңыз:" and three headlines) leaves the
// article's tags as they are, while the same headlines under a line that
// is no such marker ("Бұрын:") are read and give their topics. Full-length
// Kazakh articles of testdata/tags/long, where the linked headlines gave
// most of them a security tag before the normalizer left such lines out.
func TestArticleLinksToOtherStories(t *testing.T) {
	articles := readJSONL[map[string]any](t, filepath.Join("..", "..", "testdata", "tags", "long", "kk.jsonl"))[:12]
	links := "\n— Алматыда есірткі тасымалдаушы ұсталды\n— Алматы облысында 5 балдық жер сілкінісі болды\n— Мәжіліс салық туралы заң жобасын мақұлдады"
	var docs []map[string]any
	for _, d := range articles {
		for _, v := range []struct{ suffix, lead string }{{"", ""}, {"/links", "\nСондай-ақ оқыңыз:"}, {"/read", "\nБұрын:"}} {
			c := maps.Clone(d)
			c["id"] = d["id"].(string) + v.suffix
			if v.lead != "" {
				c["body"] = d["body"].(string) + v.lead + links
			}
			docs = append(docs, c)
		}
	}
	vs := classifyDocs(t, docs)
	changedWhenRead := 0
	for i := 0; i+2 < len(vs); i += 3 {
		orig, linked, read := tagNames(vs[i]), tagNames(vs[i+1]), tagNames(vs[i+2])
		if !slices.Equal(orig, linked) {
			t.Errorf("%s: tags %v with the links to other stories, %v without", vs[i].ID, linked, orig)
		}
		if !slices.Equal(orig, read) {
			changedWhenRead++
		}
	}
	if changedWhenRead < 3 {
		t.Errorf("the headlines changed the tags of %d of %d articles when read: want 3 or more, or the test shows nothing", changedWhenRead, len(vs)/3)
	}
}

// classifyDocs runs `vigil classify` on docs, one JSON line each, and
// returns the verdicts, one for one.
func classifyDocs[T any](t *testing.T, docs []T) []vigil.Verdict {
	t.Helper()
	var in strings.Builder
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		in.Write(b)
		in.WriteByte('\n')
	}
	code, stdout, stderr := runCmd(t, in.String(), "classify")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	return verdicts(t, stdout)
}

// TestModelGovernmentExplainsCorpusPolitics: full-length articles on a
// bill in the Mazhilis, which the model calls government and, through the
// corpus's politics output (SIB-200 and BBC News call parliament at work
// politics), politics too, come out without politics
// (taxonomy.yaml, explained_by_model); before it they carried it.
func TestModelGovernmentExplainsCorpusPolitics(t *testing.T) {
	var docs []map[string]any
	for _, file := range []string{"long/en.jsonl", "long2/en.jsonl"} {
		for _, d := range readJSONL[map[string]any](t, filepath.Join("..", "..", "testdata", "tags", file)) {
			if id := d["id"].(string); id == "long-en-001" || id == "long2-en-002" {
				docs = append(docs, d)
			}
		}
	}
	if len(docs) != 2 {
		t.Fatalf("found %d of the 2 articles", len(docs))
	}
	for _, v := range classifyDocs(t, docs) {
		if names := tagNames(v); !slices.Contains(names, "government") || slices.Contains(names, "politics") {
			t.Errorf("%s: tags %v, want government and no politics", v.ID, names)
		}
	}
}

// tagNames lists the names of v's tags, in order.
func tagNames(v vigil.Verdict) []string {
	var out []string
	for _, tg := range v.Tags {
		out = append(out, tg.Name)
	}
	return out
}

// TestFiguresOfSpeechInComments: readers give everyday life the words of
// war, terror and disaster ("кот объявил мне войну", "теракт для желудка",
// "daylight robbery"), and a rule that reads such a word as news is wrong.
// On the 109 figurative comments of testdata/tags/comments-figurative.jsonl
// (written blind, scored once, then read) the rules gave 25 wrong tags
// before the packs read figures of speech (society.yaml, speech_figures
// and home_figures), 2 after, 4 as shipped; the 69 comments that use the same words of
// real events keep their rule tags.
func TestFiguresOfSpeechInComments(t *testing.T) {
	lines, vs := classifyLines(t, "tags", "comments-figurative.jsonl")
	wrongRule, literalTags, literalFound := 0, 0, 0
	for i, line := range lines {
		var d struct {
			Body  string
			Tags  []string
			Group string
		}
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		switch d.Group {
		case "figurative":
			for _, g := range vs[i].Tags {
				if g.Source == "rule" && !slices.Contains(d.Tags, g.Name) {
					wrongRule++
					t.Logf("%q: rule tag %s %.2f", d.Body, g.Name, g.Score)
				}
			}
		case "literal":
			for _, tag := range d.Tags {
				literalTags++
				if slices.ContainsFunc(vs[i].Tags, func(g vigil.Tag) bool { return g.Name == tag }) {
					literalFound++
				}
			}
		}
	}
	if wrongRule > 5 {
		t.Errorf("%d wrong rule tags on figures of speech, want at most 5", wrongRule)
	}
	if literalTags == 0 || float64(literalFound) < 0.9*float64(literalTags) {
		t.Errorf("comments about real events got %d of their %d tags, want 0.9", literalFound, literalTags)
	}
}
