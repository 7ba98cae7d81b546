package kexihttp

import "syscall"

// lowerPriority gives the calling OS thread nice 10. The caller has locked its goroutine to
// the thread and never unlocks it, so the priority ends with the thread.
func lowerPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
