package main

import (
	"bufio"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Go's collector lets the heap grow to twice what is live before it collects (GOGC=100). On a
// large data set that headroom, not the data, is what runs a machine out of memory: all 19
// analyses of the 1M-customer demo reached 22 GB on a 24 GiB machine and were stopped, and
// finished at a 19.6 GB peak with a soft limit of 18 GiB (issue #15). So kexi sets the soft
// limit to 3/4 of the memory it may use when the user has not set GOMEMLIMIT: below the
// limit nothing changes; near it the collector works harder instead of growing the heap.

// setMemoryLimit applies the default soft memory limit unless GOMEMLIMIT is set, and returns
// the limit it set (0 when none).
func setMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	total := machineMemory(openOrNil("/proc/meminfo"), openOrNil("/sys/fs/cgroup/memory.max"))
	if total <= 0 {
		return 0
	}
	limit := total / 4 * 3
	debug.SetMemoryLimit(limit)
	return limit
}

// openOrNil opens a file for reading, or returns nil.
func openOrNil(path string) io.ReadCloser {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	return f
}

// machineMemory returns the bytes of memory the process may use: MemTotal of a /proc/meminfo,
// or the cgroup's memory.max when that is lower; 0 when neither says. It closes both readers.
func machineMemory(meminfo, cgroupMax io.ReadCloser) int64 {
	var total int64
	if meminfo != nil {
		sc := bufio.NewScanner(io.LimitReader(meminfo, 1<<16))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil && kb > 0 {
					total = kb * 1024
				}
				break
			}
		}
		meminfo.Close()
	}
	if cgroupMax != nil {
		b, _ := io.ReadAll(io.LimitReader(cgroupMax, 64))
		cgroupMax.Close()
		if n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
