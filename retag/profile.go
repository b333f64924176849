package retag

import (
	"os"
	"runtime/pprof"
)

// StartCPUProfile writes a CPU profile of the process to path (for go tool
// pprof) until stop is called, as `vigil retag --cpuprofile` does around a
// run.
func StartCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
