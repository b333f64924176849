package engine

import (
	"fmt"
	"io"

	vigil "github.com/kz-newsroom/vigil"
	"github.com/kz-newsroom/vigil/models"
	"github.com/kz-newsroom/vigil/rules"
)

// WriteVersions writes the versions of the heads modelsDir gives
// (models.LoadSet: "" is the embedded ones) and of the embedded rule packs:
// "models V" (the topic bundle), "flag V" (the recruitment head, empty
// without one), "rules V", then "head NAME VERSION SOURCE" a head. On an
// error nothing is written.
func WriteVersions(w io.Writer, modelsDir string) error {
	set, err := models.LoadSet(modelsDir)
	if err != nil {
		return err
	}
	rs, err := rules.Load(rules.EmbeddedSource())
	if err != nil {
		return err
	}
	v := versionsOf(set)
	fmt.Fprintf(w, "models %s\nflag %s\nrules %s\n", v.Model, v.Flag, rs.Version())
	for _, h := range set.Heads {
		fmt.Fprintf(w, "head %s %s %s\n", h.Name, h.Version, h.Source)
	}
	return nil
}

// versionsOf is what every verdict's versions say of the heads: the topic
// bundle's, the recruitment head's (empty without one) and each head's.
func versionsOf(set *models.Set) vigil.Versions {
	v := vigil.Versions{Model: set.Topics().Meta.Version, Heads: set.Versions()}
	if h := set.Head(vigil.FlagExtremistRecruitment); h != nil {
		v.Flag = h.Version
	}
	return v
}
