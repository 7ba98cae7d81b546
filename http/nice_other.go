//go:build !linux

package kexihttp

// lowerPriority does nothing where threads cannot be given their own priority.
func lowerPriority() {}
