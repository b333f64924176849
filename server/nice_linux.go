package server

import (
	"runtime"
	"syscall"
)

// laneNice is the scheduling priority (nice value) of the thread a large
// request runs on while it holds the large lane: the kernel then gives
// ordinary checks the CPU first when the cores are busy.
const laneNice = 10

// lowerPriority pins the calling goroutine to its thread and lowers that
// thread's priority; the returned function restores it and unpins. A
// failure leaves the priority as it was.
func lowerPriority() (restore func()) {
	runtime.LockOSThread()
	tid := syscall.Gettid()
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, laneNice); err != nil {
		runtime.UnlockOSThread()
		return func() {}
	}
	return func() {
		if syscall.Setpriority(syscall.PRIO_PROCESS, tid, 0) != nil {
			// Raising it back needs a privilege the process may lack: let
			// the thread end with the goroutine rather than run other
			// goroutines at the lower priority.
			return
		}
		runtime.UnlockOSThread()
	}
}
