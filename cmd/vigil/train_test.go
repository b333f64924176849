package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/training"
)

const (
	trainSample = "../../classify/testdata/topics_train_sample.jsonl"
	devSample   = "../../classify/testdata/topics_dev_sample.jsonl"
)

// smallTrain are flags that keep a test training run to a second.
var smallTrain = []string{"--quiet", "--bucket-bits", "16", "--vocab", "1000", "--epochs", "6"}

func TestTrainEval(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	args := append([]string{"train", "--data", trainSample, "--dev", devSample, "--out", dir}, smallTrain...)
	code, _, stderr := runCmd(t, "", args...)
	if code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	for _, s := range []string{"dev report", "macro F1", "confusion", "wrote " + dir} {
		if !strings.Contains(stderr, s) {
			t.Errorf("train output lacks %q:\n%s", s, stderr)
		}
	}
	b, err := models.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Meta.Labels) != 8 || b.Meta.Data[0].Docs != 1454 || b.Meta.Dev[0].Docs != 432 {
		t.Errorf("metadata: labels %v, data %+v, dev %+v", b.Meta.Labels, b.Meta.Data, b.Meta.Dev)
	}

	// Same command, same classifier and tokenizer, bit for bit.
	dir2 := filepath.Join(t.TempDir(), "bundle")
	args[6] = dir2
	if code, _, stderr := runCmd(t, "", args...); code != exitOK {
		t.Fatalf("second train exit %d:\n%s", code, stderr)
	}
	for _, f := range []string{models.FileTopics, models.FileTokenizer} {
		a, _ := os.ReadFile(filepath.Join(dir, f))
		c, _ := os.ReadFile(filepath.Join(dir2, f))
		if !bytes.Equal(a, c) {
			t.Errorf("%s differs between two identical training runs", f)
		}
	}

	code, stdout, stderr := runCmd(t, "", "eval", "--models", dir, "--data", devSample, "--source", "model", "--json")
	if code != exitOK {
		t.Fatalf("eval exit %d:\n%s", code, stderr)
	}
	var rep struct {
		Versions     struct{ Model string }
		MacroF1      float64 `json:"macro_f1"`
		Top1Accuracy float64 `json:"top1_accuracy"`
		Top1MacroF1  float64 `json:"top1_macro_f1"`
		Docs         int
		Tags         []struct {
			Name    string
			Support int
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, stdout)
	}
	if rep.Versions.Model != b.Meta.Version || rep.Docs != 432 || len(rep.Tags) < 8 {
		t.Errorf("eval report: %+v", rep)
	}
	// The dev report at training and eval agree on the model's top-1 (same
	// model, same data). Their macro F1 differs by the taxonomy's floors:
	// training reports the model at its thresholds, eval --source model the
	// tags the classify stage gives, floors applied.
	if rep.Top1Accuracy != b.Meta.DevReport.Top1Accuracy || rep.Top1MacroF1 != b.Meta.DevReport.Top1MacroF1 {
		t.Errorf("eval top-1 %v / %v, training's dev report %v / %v", rep.Top1Accuracy, rep.Top1MacroF1,
			b.Meta.DevReport.Top1Accuracy, b.Meta.DevReport.Top1MacroF1)
	}
	if rep.MacroF1 < 0.5 || rep.Top1Accuracy < 0.6 {
		t.Errorf("small model too weak: macro F1 %.3f, top-1 %.3f", rep.MacroF1, rep.Top1Accuracy)
	}

	code, stdout, _ = runCmd(t, "", "eval", "--models", dir, "--data", devSample)
	if code != exitOK || !strings.Contains(stdout, "confusion") || !strings.Contains(stdout, "top-1 accuracy") {
		t.Errorf("eval text exit %d:\n%s", code, stdout)
	}
}

// TestTrainHeldOut: without --dev, thresholds come from a held-out part of
// the data and the model is refit on all of it.
func TestTrainHeldOut(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bundle")
	b, params := trainBundle(t, append([]string{"--data", devSample, "--out", dir, "--labels", "tags"}, smallTrain...)...)
	if params.DevFraction != 0.1 || b.Meta.DevReport.Docs == 0 || b.Meta.DevReport.Docs > 100 {
		t.Errorf("params %s, dev report on %d docs", b.Meta.Params, b.Meta.DevReport.Docs)
	}
}

func TestTrainEvalBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(`{"id":"a","title":"x","tags":["sport"]}`+"\n{not json\n"), 0o644)
	out := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad line", []string{"train", "--data", bad, "--out", out}, bad + ":2"},
		{"missing file", []string{"train", "--data", "nope.jsonl", "--out", out}, "nope.jsonl"},
		{"no out", []string{"train", "--data", bad}, "usage"},
		{"bad labels", []string{"train", "--data", bad, "--out", out, "--labels", "topics"}, "--labels"},
		{"bad precision", []string{"train", "--data", bad, "--out", out, "--min-precision", "sport=2"}, "min-precision"},
		{"bad pivot", []string{"train", "--data", bad, "--out", out, "--dict", "--dict-pivot", "kk"}, "--dict-pivot"},
		{"bad kind", []string{"train", "--data", bad, "--out", out, "--kinds", "article"}, "--kinds"},
		{"no flags to learn", []string{"train", "--data", trainSample, "--out", out, "--labels", "flags"}, "no flags"},
		{"eval bad line", []string{"eval", "--data", bad}, bad + ":2"},
		{"eval no data", []string{"eval"}, "usage"},
		{"eval bad source", []string{"eval", "--data", bad, "--source", "oracle"}, "--source"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "", tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 naming %q", code, stderr, tc.want)
			}
		})
	}
}

// TestShippedBundleReproducible retrains the embedded bundles (topics and
// the comments' own) with the command their metadata records (docs/models.md's)
// and checks the classifier and tokenizer come out byte for byte as shipped.
// It needs the corpora beside the repository and the weak labels of
// scripts/weak-labels.sh; it is skipped when a data file is absent or
// differs from the one the bundle was built from (a changed rule pack
// changes the weak labels: rebuild then).
func TestShippedBundleReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("retraining takes a minute; skipped with -short")
	}
	for _, c := range []struct {
		dir  string
		load func() (*models.Bundle, error)
	}{{"default", models.Default}, {models.CommentsDir, models.DefaultComments}} {
		t.Run(c.dir, func(t *testing.T) {
			b, err := c.load()
			if err != nil {
				t.Fatal(err)
			}
			checkReproducible(t, b, filepath.Join("../../models", c.dir))
		})
	}
}

// checkReproducible retrains b from its metadata and compares its files
// with those in shipped.
func checkReproducible(t *testing.T, b *models.Bundle, shipped string) {
	t.Helper()
	paths := func(files []models.DataFile) string {
		var ps []string
		for _, f := range files {
			p := filepath.Join("../..", f.Path)
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Skipf("data %s absent (scripts/weak-labels.sh writes build/weak): %v", f.Path, err)
			}
			if models.SHA256(raw) != f.SHA256 {
				t.Skipf("%s differs from the file the bundle was built from; rebuild the bundle (README, \"The topic classifier\")", f.Path)
			}
			if len(f.Labels) > 0 {
				p += "=" + strings.Join(f.Labels, "+")
			}
			ps = append(ps, p)
		}
		return strings.Join(ps, ",")
	}
	var params struct {
		Tokenizer  string `json:"tokenizer"`
		WeakLabels string `json:"weak_labels"`
		Clusters   string `json:"clusters"`
	}
	if err := json.Unmarshal(b.Meta.Params, &params); err != nil {
		t.Fatal(err)
	}
	if params.Clusters != "" { // built by scripts/clusters.sh; the bundle ships a copy
		raw, err := os.ReadFile(filepath.Join("../..", params.Clusters))
		if err != nil {
			t.Skipf("clusters %s absent (scripts/clusters.sh writes it): %v", params.Clusters, err)
		}
		if models.SHA256(raw) != b.Meta.Files[models.FileClusters] {
			t.Skipf("%s differs from the bundle's %s; rebuild the bundle (docs/models.md)", params.Clusters, models.FileClusters)
		}
	}
	dir := filepath.Join(t.TempDir(), "bundle")
	args := []string{"train", "--data", paths(b.Meta.Data), "--out", dir, "--quiet"}
	if len(b.Meta.Dev) > 0 {
		args = append(args, "--dev", paths(b.Meta.Dev))
	}
	if len(b.Meta.Once) > 0 {
		args = append(args, "--once", paths(b.Meta.Once))
	}
	if len(b.Meta.Weak) > 0 {
		args = append(args, "--weak", paths(b.Meta.Weak))
	}
	if len(b.Meta.WeakDev) > 0 {
		args = append(args, "--weak-dev", paths(b.Meta.WeakDev))
	}
	if params.WeakLabels != "" {
		args = append(args, "--weak-labels", params.WeakLabels)
	}
	if params.Tokenizer != "" {
		args = append(args, "--tokenizer", filepath.Join("../..", params.Tokenizer))
	}
	if len(b.Meta.Kinds) > 0 {
		args = append(args, "--kinds", strings.Join(b.Meta.Kinds, ","))
	}
	args = append(args, featureFlags(t, b.Meta.Params)...)
	if code, _, stderr := runCmd(t, "", args...); code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	files := []string{models.FileTopics, models.FileTokenizer}
	if b.Dictionary != nil {
		files = append(files, models.FileDictionary)
	}
	if b.Clusters != nil {
		files = append(files, models.FileClusters)
	}
	for _, f := range files {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		want, err := os.ReadFile(filepath.Join(shipped, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s/%s is not what the recorded command builds (%s): the data, the pipeline or "+
				"the trainer changed since it was built; rebuild it from the repository root", shipped, f, b.Meta.Command)
		}
	}
}

// TestTrainCommentFlagsRefused: a bundle for comments must have tag
// outputs. Asked for flags alone, train refuses (exit 2); trained on data
// that carries flags alone, the bundle is written but refused where it
// loads, naming the reason.
func TestTrainCommentFlagsRefused(t *testing.T) {
	data := "../../testdata/recruitment/train.jsonl" // flags only
	dir := filepath.Join(t.TempDir(), "bundle")
	if code, _, stderr := runCmd(t, "", "train", "--data", data, "--out", dir, "--labels", "flags", "--kinds", "comment"); code != exitUsage ||
		!strings.Contains(stderr, "--kinds comment") {
		t.Errorf("--labels flags --kinds comment: exit %d, stderr %s", code, stderr)
	}
	args := append([]string{"train", "--data", data, "--out", dir, "--kinds", "comment"}, smallTrain...)
	if code, _, stderr := runCmd(t, "", args...); code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	if _, err := models.LoadDir(dir); err == nil || !strings.Contains(err.Error(), "needs tag outputs") {
		t.Errorf("load: %v", err)
	}
}

// TestTrainFlags: the trainer learns flags as well as tags, from whatever
// the data carries.
func TestTrainFlags(t *testing.T) {
	data := "../../testdata/recruitment/train.jsonl"
	dir := filepath.Join(t.TempDir(), "bundle")
	args := append([]string{"train", "--data", data, "--out", dir, "--labels", "flags", "--min-precision", "extremist_recruitment=0.9"}, smallTrain...)
	if code, _, stderr := runCmd(t, "", args...); code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	b, err := models.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.Meta.Version, "flags-") || len(b.Topics.Labels) != 1 ||
		b.Topics.Labels[0].Name != "extremist_recruitment" || b.Topics.Labels[0].Kind != "flag" {
		t.Errorf("version %s, labels %+v", b.Meta.Version, b.Topics.Labels)
	}
	if r := b.Meta.DevReport; len(r.Flags) != 1 || r.Flags[0].Support == 0 {
		t.Errorf("dev report flags %+v", r.Flags)
	}
}

// TestTrainWeakDevGoldLabels: a weak dev document says nothing of a label
// the gold dev documents carry, so weak dev labels that contradict the gold
// ones leave that label's calibration and threshold, and so the
// classifier, as without them.
func TestTrainWeakDevGoldLabels(t *testing.T) {
	raw, err := os.ReadFile(devSample)
	if err != nil {
		t.Fatal(err)
	}
	var weak bytes.Buffer // every dev document again, labelled economy only
	for line := range strings.Lines(string(raw)) {
		var d map[string]any
		if err := json.Unmarshal([]byte(line), &d); err != nil {
			t.Fatal(err)
		}
		d["id"], d["tags"] = d["id"].(string)+"#weak", []string{"economy"}
		b, _ := json.Marshal(d)
		weak.Write(append(b, '\n'))
	}
	weakDev := filepath.Join(t.TempDir(), "weak-dev.jsonl")
	if err := os.WriteFile(weakDev, weak.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var bins [2][]byte
	for i, extra := range [][]string{nil, {"--weak-dev", weakDev, "--weak-labels", "economy,sport"}} {
		dir := filepath.Join(t.TempDir(), "bundle")
		args := append([]string{"train", "--data", trainSample, "--dev", devSample, "--out", dir}, smallTrain...)
		if code, _, stderr := runCmd(t, "", append(args, extra...)...); code != exitOK {
			t.Fatalf("train %v exit %d:\n%s", extra, code, stderr)
		}
		if bins[i], err = os.ReadFile(filepath.Join(dir, models.FileTopics)); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(bins[0], bins[1]) {
		t.Error("weak dev labels of gold dev labels changed the classifier (calibration or thresholds)")
	}
}

// featureFlags returns the vigil train flags that give a bundle's
// recorded parameters for its features and its data's repetition.
func featureFlags(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var p training.Params
	if err := json.Unmarshal(raw, &p); err != nil {
		t.Fatal(err)
	}
	var args []string
	if def := classify.DefaultFeatures(); p.Features.MinN != def.MinN || p.Features.MaxN != def.MaxN || p.Features.Subwords != def.Subwords {
		args = append(args, "--min-n", strconv.Itoa(p.Features.MinN), "--max-n", strconv.Itoa(p.Features.MaxN),
			"--subwords="+strconv.FormatBool(p.Features.Subwords))
	}
	if p.Features.KazakhStems {
		args = append(args, "--kk-stems")
	}
	if p.Features.EnglishStems {
		args = append(args, "--en-stems")
	}
	if p.Features.RussianStems {
		args = append(args, "--ru-stems")
	}
	if d := p.Dict; p.Features.Dictionary && d != nil {
		args = append(args, "--dict", "--dict-min-count", strconv.Itoa(d.MinCount),
			"--dict-min-dice", strconv.FormatFloat(d.MinDice, 'g', -1, 64), "--dict-pivot", d.Pivot)
	}
	if p.RepeatParallel > 1 {
		args = append(args, "--repeat-parallel", strconv.Itoa(p.RepeatParallel))
	}
	if p.OwnLabels {
		args = append(args, "--own-labels")
	}
	if p.Features.Clusters {
		args = append(args, "--clusters", filepath.Join("../..", p.Clusters),
			"--cluster-weight", strconv.FormatFloat(float64(p.Features.ClusterWeight()), 'g', -1, 32))
	}
	return args
}

// trainBundle runs vigil train with args, which must include --out, and
// loads the bundle it wrote with its parameters.
func trainBundle(t *testing.T, args ...string) (*models.Bundle, training.Params) {
	t.Helper()
	code, _, stderr := runCmd(t, "", append([]string{"train"}, args...)...)
	if code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	b, err := models.LoadDir(args[slices.Index(args, "--out")+1])
	if err != nil {
		t.Fatal(err)
	}
	var params training.Params
	if err := json.Unmarshal(b.Meta.Params, &params); err != nil {
		t.Fatal(err)
	}
	return b, params
}

// parallelSample writes a small training file of Kazakh, English and
// Russian translations (ids sib-LANG-N) beside the topics train sample.
func parallelSample(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(trainSample)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(raw)
	texts := map[string][3]string{
		"sport":    {"Футбол командасы жеңіске жетті", "The football team won the match", "Футбольная команда выиграла матч"},
		"politics": {"Сайлауда президент жеңді", "The president won the election", "Президент победил на выборах"},
	}
	for n := range 12 {
		tag := []string{"sport", "politics"}[n%2]
		for k, lang := range []string{"kk", "en", "ru"} {
			d := vigil.Document{ID: fmt.Sprintf("sib-%s-%d", lang, n), Kind: "article", Lang: lang,
				Body: fmt.Sprintf("%s %d", texts[tag][k], n), Tags: []string{tag}}
			line, _ := json.Marshal(d)
			b.Write(append(line, '\n'))
		}
	}
	path := filepath.Join(t.TempDir(), "parallel.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrainOnce trains with the translations in an --once file: they still
// teach the dictionary, are recorded apart from --data, and are not
// repeated, so the model differs from the one that repeats them.
func TestTrainOnce(t *testing.T) {
	raw, err := os.ReadFile(parallelSample(t))
	if err != nil {
		t.Fatal(err)
	}
	var corpus, sentences bytes.Buffer
	for line := range strings.Lines(string(raw)) {
		if strings.Contains(line, `"id":"sib-`) {
			sentences.WriteString(line)
		} else {
			corpus.WriteString(line)
		}
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "sentences"), 0o755)
	data, once := filepath.Join(dir, "corpus.jsonl"), filepath.Join(dir, "sentences", "all.jsonl")
	os.WriteFile(data, corpus.Bytes(), 0o644)
	os.WriteFile(once, sentences.Bytes(), 0o644)
	if sentences.Len() == 0 || corpus.Len() == 0 {
		t.Fatal("the sample has no translations to set apart")
	}
	common := append([]string{"--dev", devSample, "--dict", "--repeat-parallel", "4"}, smallTrain...)
	b, _ := trainBundle(t, append([]string{"--data", data, "--once", once, "--out", filepath.Join(dir, "once")}, common...)...)
	if got := b.Dictionary.Lookup("сайлауда"); len(got) != 1 {
		t.Errorf("Lookup(сайлауда) = %q, want one stem: --once translations teach the dictionary", got)
	}
	if len(b.Meta.Data) != 1 || len(b.Meta.Once) != 1 || b.Meta.Once[0].Path != once || b.Meta.Once[0].Docs != 36 {
		t.Errorf("metadata data %+v, once %+v", b.Meta.Data, b.Meta.Once)
	}
	// A directory stands for its *.jsonl files.
	fromDir, _ := trainBundle(t, append([]string{"--data", data, "--once", filepath.Dir(once), "--out", filepath.Join(dir, "dir")}, common...)...)
	if len(fromDir.Meta.Once) != 1 || fromDir.Meta.Once[0].Path != once || fromDir.Meta.Files[models.FileTopics] != b.Meta.Files[models.FileTopics] {
		t.Errorf("--once DIR: once %+v, a model other than --once FILE's", fromDir.Meta.Once)
	}
	if code, _, stderr := runCmd(t, "", append([]string{"train", "--data", data, "--once", t.TempDir(), "--out", filepath.Join(dir, "none")}, smallTrain...)...); code != exitUsage || !strings.Contains(stderr, "no *.jsonl") {
		t.Errorf("--once with an empty directory: exit %d, %s", code, stderr)
	}
	repeated, _ := trainBundle(t, append([]string{"--data", data + "," + once, "--out", filepath.Join(dir, "repeated")}, common...)...)
	if b.Meta.Files[models.FileDictionary] != repeated.Meta.Files[models.FileDictionary] {
		t.Error("the dictionary depends on whether its sentences are repeated")
	}
	if b.Meta.Files[models.FileTopics] == repeated.Meta.Files[models.FileTopics] {
		t.Error("--once gave the model --repeat-parallel gives: the sentences were repeated")
	}
}

func TestTrainDictionary(t *testing.T) {
	data := parallelSample(t)
	var first map[string]string
	for run := range 2 { // the same data and flags give the same files
		dir := filepath.Join(t.TempDir(), "bundle")
		b, params := trainBundle(t, append([]string{"--data", data, "--dev", devSample, "--out", dir,
			"--dict", "--repeat-parallel", "2"}, smallTrain...)...)
		if b.Dictionary == nil || b.Dictionary.Len() == 0 || !params.Features.Dictionary ||
			params.Dict == nil || params.RepeatParallel != 2 {
			t.Fatalf("dictionary %v, params %s", b.Dictionary, b.Meta.Params)
		}
		if got := b.Dictionary.Lookup("сайлауда"); len(got) != 1 {
			t.Errorf("Lookup(сайлауда) = %q, want one stem", got)
		}
		if flags := featureFlags(t, b.Meta.Params); !slices.Equal(flags, []string{"--dict", "--dict-min-count", "2",
			"--dict-min-dice", "0.3", "--dict-pivot", "ru", "--repeat-parallel", "2"}) {
			t.Errorf("flags from the recorded parameters: %q", flags)
		}
		if run == 0 {
			first = b.Meta.Files
		} else if !maps.Equal(first, b.Meta.Files) {
			t.Errorf("files differ between runs: %v, then %v", first, b.Meta.Files)
		}
		// A bundle whose classifier needs the dictionary is refused without it.
		meta, _ := os.ReadFile(filepath.Join(dir, models.FileMetadata))
		var m map[string]any
		json.Unmarshal(meta, &m)
		delete(m["files"].(map[string]any), models.FileDictionary)
		meta, _ = json.Marshal(m)
		os.WriteFile(filepath.Join(dir, models.FileMetadata), meta, 0o644)
		if _, err := models.LoadDir(dir); err == nil || !strings.Contains(err.Error(), models.FileDictionary) {
			t.Errorf("load without the dictionary: %v", err)
		}
	}
}

// TestTrainPieceFlags: --min-n, --max-n and --subwords reach the model's
// feature configuration, and the recorded parameters give them back, so the
// bundle can be rebuilt from its metadata.
func TestTrainPieceFlags(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		minN, maxN int
		subwords   bool
		flags      []string
	}{
		{nil, 3, 5, true, nil},
		{[]string{"--max-n", "0"}, 3, 0, true, []string{"--min-n", "3", "--max-n", "0", "--subwords=true"}},
		{[]string{"--min-n", "2", "--max-n", "4", "--subwords=false"}, 2, 4, false,
			[]string{"--min-n", "2", "--max-n", "4", "--subwords=false"}},
	} {
		dir := filepath.Join(t.TempDir(), "bundle")
		b, params := trainBundle(t, slices.Concat([]string{"--data", trainSample, "--dev", devSample, "--out", dir}, smallTrain, tc.args)...)
		if f := b.Topics.Features; f.MinN != tc.minN || f.MaxN != tc.maxN || f.Subwords != tc.subwords || params.Features != f {
			t.Errorf("%q: features %+v, recorded %+v", tc.args, f, params.Features)
		}
		if flags := featureFlags(t, b.Meta.Params); !slices.Equal(flags, tc.flags) {
			t.Errorf("%q: flags from the recorded parameters %q, want %q", tc.args, flags, tc.flags)
		}
	}
	if code, _, stderr := runCmd(t, "", "train", "--data", trainSample, "--out", t.TempDir(), "--min-n", "6", "--max-n", "4"); code != exitUsage ||
		!strings.Contains(stderr, "char n-gram range [6, 4] invalid") {
		t.Errorf("--min-n 6 --max-n 4: exit %d, %s", code, stderr)
	}
}

// TestTrainProgressNotTerminal: when stderr is not a terminal (a log
// file, a pipe), train draws no progress bar: one plain line an epoch,
// and none with --quiet.
func TestTrainProgressNotTerminal(t *testing.T) {
	args := []string{"train", "--data", trainSample, "--out", filepath.Join(t.TempDir(), "bundle"),
		"--bucket-bits", "16", "--vocab", "1000", "--epochs", "2"}
	code, _, stderr := runCmd(t, "", args...)
	if code != exitOK {
		t.Fatalf("train exit %d:\n%s", code, stderr)
	}
	if strings.ContainsAny(stderr, "\r\x1b") || strings.Contains(stderr, "█") {
		t.Errorf("stderr holds a progress bar:\n%q", stderr)
	}
	for _, line := range []string{"vigil train: training: epoch 2 of 2, loss ", "vigil train: refit on all data: epoch 1 of 2, loss "} {
		if !strings.Contains(stderr, line) {
			t.Errorf("stderr lacks %q:\n%s", line, stderr)
		}
	}
	args[len(args)-1] = "1"
	if _, _, stderr := runCmd(t, "", append(args, "--quiet")...); strings.Contains(stderr, "epoch") {
		t.Errorf("--quiet still reports epochs:\n%s", stderr)
	}
}
