//go:build !unix

package engine

// cpuSeconds is not measured on this platform; benchmarks then skip the
// cpu-MB/s metric.
func cpuSeconds() float64 { return 0 }
