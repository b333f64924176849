package server

import (
	"runtime"
	"sync"
	"syscall"
)

// laneNice is the scheduling priority (nice value) of the thread a large
// request runs on while it holds the large lane: the kernel then gives
// ordinary checks the CPU first when the cores are busy.
const laneNice = 10

// priorityRestorable says whether this process may set a thread's nice
// value back to 0 after raising it: Linux lets any process lower its
// priority but needs CAP_SYS_NICE to raise it again. It is probed once,
// on a throwaway thread (a goroutine that ends locked to its thread takes
// the thread with it, whatever priority it was left at).
var priorityRestorable = sync.OnceValue(func() bool {
	ok := make(chan bool)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		tid := syscall.Gettid()
		ok <- syscall.Setpriority(syscall.PRIO_PROCESS, tid, laneNice) == nil &&
			syscall.Setpriority(syscall.PRIO_PROCESS, tid, 0) == nil
	}()
	return <-ok
})

// lowerPriority pins the calling goroutine to its thread and lowers that
// thread's priority; the returned function restores it and unpins. Where
// the priority could not be restored (priorityRestorable) it does
// nothing: an HTTP/1.1 connection's next requests run on the same
// goroutine, so a thread left at nice 10 would slow ordinary checks. A
// failure leaves the priority as it was.
func lowerPriority() (restore func()) {
	if !priorityRestorable() {
		return func() {}
	}
	runtime.LockOSThread()
	tid := syscall.Gettid()
	if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, laneNice); err != nil {
		runtime.UnlockOSThread()
		return func() {}
	}
	return func() {
		if syscall.Setpriority(syscall.PRIO_PROCESS, tid, 0) != nil {
			// Not expected after the probe; should it happen, the thread
			// ends with the goroutine rather than run others at nice 10.
			return
		}
		runtime.UnlockOSThread()
	}
}
