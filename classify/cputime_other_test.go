//go:build !unix

package classify_test

func cpuSeconds() float64 { return 0 }
