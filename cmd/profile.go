package cmd

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// startProfiles starts the profiles named by the environment, for
// benchmarking (see BENCHMARKS.md): KQ_CPUPROFILE=FILE writes a CPU profile
// and KQ_MEMPROFILE=FILE an allocation profile of the whole process. The
// returned function writes them out; a profile that cannot be written is
// reported on stderr and does not change the exit code.
func startProfiles(getenv func(string) (string, bool)) (stop func()) {
	var stops []func()
	if path, ok := getenv("KQ_CPUPROFILE"); ok && path != "" {
		if f, err := os.Create(path); err != nil {
			fmt.Fprintf(os.Stderr, "kq: cpu profile: %v\n", err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "kq: cpu profile: %v\n", err)
			_ = f.Close()
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); _ = f.Close() })
		}
	}
	if path, ok := getenv("KQ_MEMPROFILE"); ok && path != "" {
		runtime.MemProfileRate = 64 << 10
		stops = append(stops, func() { writeHeapProfile(path) })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kq: memory profile: %v\n", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintf(os.Stderr, "kq: memory profile: %v\n", err)
	}
}
