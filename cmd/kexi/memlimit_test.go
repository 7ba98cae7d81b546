package main

import (
	"io"
	"runtime/debug"
	"strings"
	"testing"
)

func rc(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }

// TestMachineMemory: MemTotal in kB, lowered by a cgroup limit; "max" or nothing leaves it.
func TestMachineMemory(t *testing.T) {
	const info = "MemTotal:       24683772 kB\nMemFree:        20344024 kB\n"
	for _, c := range []struct {
		name            string
		meminfo, cgroup io.ReadCloser
		want            int64
	}{
		{"meminfo", rc(info), nil, 24683772 * 1024},
		{"cgroup max", rc(info), rc("max\n"), 24683772 * 1024},
		{"cgroup lower", rc(info), rc("4294967296\n"), 4 << 30},
		{"cgroup higher", rc(info), rc("99999999999999\n"), 24683772 * 1024},
		{"cgroup only", nil, rc("1073741824\n"), 1 << 30},
		{"neither", nil, nil, 0},
		{"garbage", rc("MemTotal: lots\n"), rc("x"), 0},
	} {
		if got := machineMemory(c.meminfo, c.cgroup); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestSetMemoryLimit: without GOMEMLIMIT the soft limit is 3/4 of the machine's memory; with
// it, the user's setting stands.
func TestSetMemoryLimit(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	if got := setMemoryLimit(func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	}); got != 0 || debug.SetMemoryLimit(-1) != old {
		t.Errorf("with GOMEMLIMIT set: limit %d, runtime %d; want no change", got, debug.SetMemoryLimit(-1))
	}
	got := setMemoryLimit(func(string) string { return "" })
	if got == 0 {
		t.Skip("this system does not say how much memory it has")
	}
	if want := machineMemory(openOrNil("/proc/meminfo"), openOrNil("/sys/fs/cgroup/memory.max")) / 4 * 3; got != want {
		t.Errorf("limit %d, want 3/4 of the machine's %d bytes: %d", got, want/3*4, want)
	}
	if debug.SetMemoryLimit(-1) != got {
		t.Errorf("runtime limit %d, want %d", debug.SetMemoryLimit(-1), got)
	}
}
