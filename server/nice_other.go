//go:build !linux

package server

// lowerPriority does nothing where thread priorities are not set.
func lowerPriority() (restore func()) { return func() {} }

// priorityRestorable is false where thread priorities are not set.
func priorityRestorable() bool { return false }
