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
	recruitment := ""
	if h := set.Head(vigil.FlagExtremistRecruitment); h != nil {
		recruitment = h.Version
	}
	rs, err := rules.Load(rules.EmbeddedSource())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "models %s\nflag %s\nrules %s\n", set.Topics().Meta.Version, recruitment, rs.Version())
	for _, h := range set.Heads {
		fmt.Fprintf(w, "head %s %s %s\n", h.Name, h.Version, h.Source)
	}
	return nil
}
