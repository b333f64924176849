package models

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/classify"
)

// File names inside a bundle directory.
const (
	FileTokenizer = "tokenizer.json"
	FileTopics    = "topics.bin"
	FileTaxonomy  = "taxonomy.yaml"
	FileMetadata  = "metadata.json"
	// FileDictionary is the Kazakh/English → Russian word dictionary of a
	// classifier trained with it (vigil train --dict); bundles without
	// one omit the file.
	FileDictionary = "dictionary.tsv"
	// FileClusters are the word clusters of a classifier trained with
	// them (vigil train --clusters); bundles without them omit the file.
	FileClusters = "clusters.tsv"
)

//go:embed default comments
var embedded embed.FS

// Bundle is a loaded model bundle: the tokenizer, the topic classifier, the
// taxonomy and the metadata that names them. A Bundle is read-only and safe
// for concurrent use.
type Bundle struct {
	Meta     Metadata
	Taxonomy *Taxonomy
	Subwords *classify.Subwords
	// Topics is the topic classifier, its thresholds included.
	Topics *classify.Model
	// Dictionary is the classifier's word dictionary, nil when it has none.
	Dictionary *classify.Dictionary
	// Clusters are the classifier's word clusters, nil when it has none.
	Clusters *classify.Clusters
}

// Metadata describes how a bundle was built. It is written by `vigil train`
// as metadata.json.
type Metadata struct {
	// Version names the bundle in verdicts: topics-YYYY-MM-DD-<6 hex of
	// the classifier's and tokenizer's SHA-256>.
	Version string `json:"version"`
	Created string `json:"created"` // RFC 3339
	// Command is the command line that built the bundle.
	Command string `json:"command,omitempty"`
	// Data and Dev are the training and threshold-selection files.
	Data []DataFile `json:"data"`
	Dev  []DataFile `json:"dev,omitempty"`
	// Once are training files counted once (vigil train --once).
	Once []DataFile `json:"once,omitempty"`
	// Weak and WeakDev are the weakly labelled training and dev files
	// (vigil train --weak, --weak-dev), which count only for the labels
	// the parameters' weak_labels name.
	Weak    []DataFile `json:"weak,omitempty"`
	WeakDev []DataFile `json:"weak_dev,omitempty"`
	// Labels are the classifier's outputs, in order.
	Labels []string `json:"labels"`
	// Params are the training parameters.
	Params json.RawMessage `json:"params,omitempty"`
	// DevScores are per-label thresholds and F1 on the dev data.
	DevScores []classify.DevScore `json:"dev_scores,omitempty"`
	// DevReport is the evaluation on the dev data at the chosen thresholds.
	DevReport *classify.Report `json:"dev_report,omitempty"`
	// TrainSeconds is the wall time of training (tokenizer and classifier).
	TrainSeconds float64 `json:"train_seconds,omitempty"`
	// Kinds are the document kinds the bundle's tags are for (vigil train
	// --kinds): empty for every kind, [comment] for the comments' own topic
	// model (HeadCommentTopics), which the classify stage uses for reader
	// comments in place of the topics head.
	Kinds []string `json:"kinds,omitempty"`
	// Toolchain is the Go version and CPU architecture that trained the
	// bundle: the same command gives the same bytes on the same
	// architecture.
	Toolchain string `json:"toolchain,omitempty"`
	// Files maps each other file of the bundle to its SHA-256; Load checks
	// them.
	Files map[string]string `json:"files"`
}

// DataFile identifies a data file by content.
type DataFile struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Docs   int    `json:"docs"`
	// Labels are the labels a weak file speaks for when they are not the
	// bundle's weak labels (vigil train --weak PATH=LABEL+LABEL).
	Labels []string `json:"labels,omitempty"`
}

var (
	defaultBundle  = onceEmbedded(embedded, "default", "embedded model bundle", Load)
	defaultComment = onceEmbedded(embedded, CommentsDir, "embedded comment topics bundle", Load)
)

// onceEmbedded returns a function that loads the artifact in dir of fsys
// with load the first time it is called and returns that result ever after.
func onceEmbedded[T any](fsys fs.FS, dir, what string, load func(fs.FS) (T, error)) func() (T, error) {
	return sync.OnceValues(func() (T, error) {
		var zero T
		sub, err := fs.Sub(fsys, dir)
		if err != nil {
			return zero, err
		}
		v, err := load(sub)
		if err != nil {
			return zero, fmt.Errorf("%s: %w", what, err)
		}
		return v, nil
	})
}

// Default returns the bundle embedded in the binary (models/default),
// loaded once.
func Default() (*Bundle, error) { return defaultBundle() }

// DefaultComments returns the comments' topic bundle embedded in the binary
// (models/comments), loaded once.
func DefaultComments() (*Bundle, error) { return defaultComment() }

// LoadDir loads the bundle in directory dir.
func LoadDir(dir string) (*Bundle, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, vigil.Errorf(vigil.ENOTFOUND, "model bundle %s: %v", dir, err)
	}
	if !st.IsDir() {
		return nil, vigil.Errorf(vigil.EINVALID, "model bundle %s: not a directory", dir)
	}
	b, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("model bundle %s: %w", dir, err)
	}
	return b, nil
}

// Load loads a bundle from fsys: metadata.json first, then every file it
// lists, each checked against its SHA-256. A missing or corrupt file is an
// error naming it (code ENOTFOUND or EINVALID).
func Load(fsys fs.FS) (*Bundle, error) {
	read := func(name string) ([]byte, error) {
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, vigil.Errorf(vigil.ENOTFOUND, "%s: missing", name)
		} else if err != nil {
			return nil, vigil.Errorf(vigil.EINVALID, "%s: %v", name, err)
		}
		return data, nil
	}
	mj, err := read(FileMetadata)
	if err != nil {
		return nil, err
	}
	var b Bundle
	if err := json.Unmarshal(mj, &b.Meta); err != nil {
		return nil, vigil.Errorf(vigil.EINVALID, "%s: %v", FileMetadata, err)
	}
	files := map[string][]byte{}
	names := []string{FileTokenizer, FileTopics, FileTaxonomy}
	for _, name := range []string{FileDictionary, FileClusters} {
		if _, ok := b.Meta.Files[name]; ok {
			names = append(names, name)
		}
	}
	for _, name := range names {
		data, err := read(name)
		if err != nil {
			return nil, err
		}
		want, ok := b.Meta.Files[name]
		if !ok {
			return nil, vigil.Errorf(vigil.EINVALID, "%s: %s has no checksum for %s", FileMetadata, FileMetadata, name)
		}
		if got := sum(data); got != want {
			return nil, vigil.Errorf(vigil.EINVALID, "%s: SHA-256 %s, metadata says %s (file changed or corrupt)", name, got[:12], short(want))
		}
		files[name] = data
	}
	if len(b.Meta.Kinds) > 0 && !b.ForComments() {
		return nil, vigil.Errorf(vigil.EINVALID, "%s: kinds %q: a bundle is for every kind or for %q alone", FileMetadata, b.Meta.Kinds, vigil.KindComment)
	}
	if b.Taxonomy, err = ParseTaxonomy(files[FileTaxonomy]); err != nil {
		return nil, fmt.Errorf("%s: %w", FileTaxonomy, err)
	}
	if b.Subwords, err = classify.LoadSubwords(bytes.NewReader(files[FileTokenizer])); err != nil {
		return nil, fmt.Errorf("%s: %w", FileTokenizer, err)
	}
	if b.Topics, err = classify.ReadModel(bytes.NewReader(files[FileTopics]), b.Subwords); err != nil {
		return nil, fmt.Errorf("%s: %w", FileTopics, err)
	}
	// A bundle for comments stands in for the topics head on comments
	// only; flag outputs alone would score every kind as a flag head.
	if b.ForComments() && !slices.ContainsFunc(b.Topics.Labels, func(l classify.Label) bool { return l.Kind == classify.KindTag }) {
		return nil, vigil.Errorf(vigil.EINVALID, "%s: kinds [%s] needs tag outputs, and %s has flags only", FileMetadata, vigil.KindComment, FileTopics)
	}
	if b.Dictionary, err = optionalFile(files, FileDictionary, b.Topics.Features.Dictionary, classify.ReadDictionary); err != nil {
		return nil, err
	}
	if b.Clusters, err = optionalFile(files, FileClusters, b.Topics.Features.Clusters, classify.ReadClusters); err != nil {
		return nil, err
	}
	b.Topics.SetDictionary(b.Dictionary)
	b.Topics.SetClusters(b.Clusters)
	return &b, nil
}

// optionalFile parses the bundle file name with parse, or returns nil when
// the bundle has none; a classifier trained with it (needed) is refused
// without it.
func optionalFile[T any](files map[string][]byte, name string, needed bool, parse func(io.Reader) (*T, error)) (*T, error) {
	data, ok := files[name]
	if !ok {
		if needed {
			return nil, vigil.Errorf(vigil.ENOTFOUND, "%s: missing (%s was trained with it)", name, FileTopics)
		}
		return nil, nil
	}
	v, err := parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, nil
}

// ForComments says whether the bundle is the comments' own topic model
// (metadata.json "kinds": ["comment"]).
func (b *Bundle) ForComments() bool { return ForComments(b.Meta.Kinds) }

// ForComments says whether a bundle for kinds (Metadata.Kinds) is the
// comments' own topic model: kinds is [comment].
func ForComments(kinds []string) bool {
	return len(kinds) == 1 && kinds[0] == vigil.KindComment
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// File is one file of a bundle being written.
type File struct {
	Name string
	Data []byte
}

// Write writes a bundle into dir: the files, then metadata.json with their
// checksums and the version id, which it fills in from the files'
// contents and meta.Created (set to now when empty); a meta.Version given
// is the id's prefix ("topics" when empty). Each file is written
// to a temporary name and renamed, so a reader never sees half a file. It
// returns the metadata written.
func Write(dir string, meta Metadata, files ...File) (Metadata, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return meta, err
	}
	meta.Files = map[string]string{}
	for _, f := range files {
		if f.Name == FileMetadata || strings.ContainsAny(f.Name, `/\`) {
			return meta, vigil.Errorf(vigil.EINVALID, "bundle file name %q not allowed", f.Name)
		}
		meta.Files[f.Name] = sum(f.Data)
	}
	if meta.Created == "" {
		meta.Created = time.Now().UTC().Format(time.RFC3339)
	}
	created, err := time.Parse(time.RFC3339, meta.Created)
	if err != nil {
		return meta, vigil.Errorf(vigil.EINVALID, "created %q: %v", meta.Created, err)
	}
	prefix := meta.Version
	if prefix == "" {
		prefix = "topics"
	}
	meta.Version = VersionID(prefix, created, meta.Files)
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return meta, err
	}
	files = append(files, File{Name: FileMetadata, Data: append(mj, '\n')})
	for _, f := range files {
		if err := writeAtomic(filepath.Join(dir, f.Name), f.Data); err != nil {
			return meta, err
		}
	}
	return meta, nil
}

// VersionID is prefix-YYYY-MM-DD-hhhhhh, the hash over the files' checksums
// in name order, so the id changes exactly when a file does.
func VersionID(prefix string, created time.Time, files map[string]string) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", n, files[n])
	}
	return fmt.Sprintf("%s-%s-%s", prefix, created.UTC().Format("2006-01-02"), hex.EncodeToString(h.Sum(nil))[:6])
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func sum(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// SHA256 returns the hex SHA-256 of data, as metadata records it.
func SHA256(data []byte) string { return sum(data) }

// versionParts splits meta.Version, PREFIX-YYYY-MM-DD-HASH (VersionID),
// into the prefix and the creation time its day is that of.
func (meta Metadata) versionParts() (prefix string, created time.Time, err error) {
	if created, err = time.Parse(time.RFC3339, meta.Created); err != nil {
		return "", created, vigil.Errorf(vigil.EINVALID, "created %q: %v", meta.Created, err)
	}
	day := created.UTC().Format("-2006-01-02")
	i := strings.LastIndexByte(meta.Version, '-')
	if i < 0 || !strings.HasSuffix(meta.Version[:i], day) {
		return "", created, vigil.Errorf(vigil.EINVALID, "version %q is not PREFIX%s-HASH", meta.Version, day)
	}
	return strings.TrimSuffix(meta.Version[:i], day), created, nil
}

// Reseal updates the bundle in dir after one of its files was edited in
// place (a taxonomy's floors or rule scores): every file metadata.json
// lists gets its checksum again, and the version id its hash, with the
// same prefix and date, so that verdicts, the archive's retag and Load see
// a new bundle exactly when a file changed. It returns the metadata
// written.
func Reseal(dir string) (Metadata, error) {
	path := filepath.Join(dir, FileMetadata)
	raw, err := os.ReadFile(path)
	if err != nil {
		return Metadata{}, vigil.Errorf(vigil.ENOTFOUND, "model bundle %s: %v", dir, err)
	}
	var meta Metadata
	if err := json.Unmarshal(raw, &meta); err != nil {
		return meta, vigil.Errorf(vigil.EINVALID, "%s: %v", path, err)
	}
	prefix, created, err := meta.versionParts()
	if err != nil {
		return meta, fmt.Errorf("%s: %w", path, err)
	}
	for name := range meta.Files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return meta, vigil.Errorf(vigil.ENOTFOUND, "model bundle %s: %v", dir, err)
		}
		meta.Files[name] = sum(data)
	}
	meta.Version = VersionID(prefix, created, meta.Files)
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return meta, err
	}
	return meta, writeAtomic(path, append(mj, '\n'))
}
