package cmd

import (
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set by goreleaser through -ldflags "-X github.com/kq-dev/kq/cmd.version=..."
// (these three are the only package-level variables set at link time).
var (
	version = ""
	commit  = ""
	date    = ""
)

// BuildInfo describes the kq binary.
type BuildInfo struct {
	// Version is the release version, or the module version, or "dev".
	Version string `json:"version"`
	// Commit is the VCS revision, when known.
	Commit string `json:"commit,omitempty"`
	// Date is the build or commit date, when known.
	Date string `json:"date,omitempty"`
	// GoVersion is the Go toolchain that built kq.
	GoVersion string `json:"go_version"`
}

// buildInfo prefers the release ldflags and falls back to Go's build info.
func buildInfo() BuildInfo {
	bi := BuildInfo{Version: version, Commit: commit, Date: date}
	info, ok := debug.ReadBuildInfo()
	if ok {
		bi.GoVersion = info.GoVersion
		if bi.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			bi.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && bi.Commit == "":
				bi.Commit = s.Value
			case s.Key == "vcs.time" && bi.Date == "":
				bi.Date = s.Value
			}
		}
	}
	if bi.Version == "" {
		bi.Version = "dev"
	}
	return bi
}

// VersionOptions are the options of `kq version`.
type VersionOptions struct {
	f      *Factory
	Output string
}

// NewCmdVersion returns `kq version`.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{f: f}
	c := &cobra.Command{
		Use:     "version",
		Short:   "Print kq's version, commit and build date",
		Example: "  kq version\n  kq version -o json",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	addOutputFlag(c, &opts.Output)
	return c
}

func versionRun(opts *VersionOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	bi := buildInfo()
	if p.Format == "json" {
		return p.JSON(bi)
	}
	return p.KV([][2]string{{"version", bi.Version}, {"commit", orDash(bi.Commit)}, {"date", orDash(bi.Date)}, {"go", bi.GoVersion}})
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// addOutputFlag adds -o/--output (table or json).
func addOutputFlag(c *cobra.Command, dst *string) {
	c.Flags().StringVarP(dst, "output", "o", "table", "output format: table or json")
}
