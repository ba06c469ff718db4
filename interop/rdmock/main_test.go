package rdmock

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestMain builds the kq binary into a temporary directory unless $KQ_BIN
// names one, and exports its path as $KQ_BIN for runKQ.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if os.Getenv("KQ_BIN") == "" {
		dir, err := os.MkdirTemp("", "rdmock-kq")
		if err != nil {
			fmt.Fprintln(os.Stderr, "rdmock:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		bin := filepath.Join(dir, "kq")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = filepath.Join("..", "..")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "rdmock: build kq:", err)
			return 1
		}
		os.Setenv("KQ_BIN", bin)
	}
	return m.Run()
}
