//go:build unix

package classify_test

import "syscall"

// cpuSeconds returns the CPU time (user and system) this process has used,
// so benchmarks can report throughput per CPU-second on a busy machine.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
