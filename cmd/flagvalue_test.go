package cmd

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

// parseConsume runs `kq consume` flag parsing through the runF seam and
// returns the library options the command would run with.
func parseConsume(t *testing.T, args ...string) (consume.Options, error) {
	t.Helper()
	got, err := parseOptions(t, NewCmdConsume, args...)
	if err != nil {
		return consume.Options{}, err
	}
	return got.runOptions(time.Now())
}

func execute(c *cobra.Command, args []string) error {
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	return c.Execute()
}

// TestSettingSpellingsAlike: every command reads a client setting with one
// parser, so the spellings one accepts the others accept too.
func TestSettingSpellingsAlike(t *testing.T) {
	for _, iso := range []string{"read-committed", "READ_COMMITTED", "Read-Committed"} {
		co, err := parseConsume(t, "t", "--isolation", iso)
		if err != nil || co.Isolation != setting.ReadCommitted {
			t.Errorf("consume --isolation %s: %q, %v", iso, co.Isolation, err)
		}
		vo, err := parseVerify(t, "--isolation", iso)
		if err != nil || vo.Overrides.Isolation == nil || *vo.Overrides.Isolation != setting.ReadCommitted {
			t.Errorf("verify --isolation %s: %v, %v", iso, vo.Overrides.Isolation, err)
		}
	}
	co, err := parseConsume(t, "t", "-g", "G", "--commit", "BEFORE", "--balance", "RoundRobin", "--isolation", "read-uncommitted")
	if err != nil || co.Commit != setting.CommitBefore || co.Balance != consume.BalanceRoundRobin || co.Isolation != setting.ReadUncommitted {
		t.Errorf("consume group spellings: %+v, %v", co, err)
	}
	vo, err := parseVerify(t, "--commit", "TXN", "--acks", "-1")
	if err != nil || *vo.Overrides.Commit != setting.CommitTxn || *vo.Overrides.Acks != setting.AcksAll {
		t.Errorf("verify spellings: %+v, %v", vo.Overrides, err)
	}
	f, _ := testFactory()
	var po *ProduceOptions
	if err := execute(NewCmdProduce(f, func(o *ProduceOptions) error { po = o; return nil }), []string{"t", "--acks", "ALL", "--compression", "ZSTD"}); err != nil {
		t.Fatal(err)
	}
	if ro, err := po.runOptions(); err != nil || ro.Settings.Acks != setting.AcksAll {
		t.Errorf("produce --acks ALL: %+v, %v", ro.Settings, err)
	}
}

// TestUnknownSettingNamesTheFlag: an unknown value is a usage error that
// names the flag and lists what it accepts, whichever command read it.
func TestUnknownSettingNamesTheFlag(t *testing.T) {
	want := `unknown --isolation "dirty" (want read_committed or read_uncommitted)`
	_, cerr := parseConsume(t, "t", "--isolation", "dirty")
	_, verr := parseVerify(t, "--isolation", "dirty")
	for name, err := range map[string]error{"consume": cerr, "verify": verr} {
		if !errors.Is(err, kqerr.ErrUsage) || err.Error() != want {
			t.Errorf("%s: err = %v, want usage error %q", name, err, want)
		}
	}
	_, err := parseConsume(t, "t", "-g", "G", "--commit", "txn")
	if want := `unknown --commit "txn" (want after, before or none)`; err == nil || err.Error() != want {
		t.Errorf("consume --commit txn: %v, want %q", err, want)
	}
	_, err = parseVerify(t, "--commit", "none")
	if want := `unknown --commit "none" (want before, after or txn)`; err == nil || err.Error() != want {
		t.Errorf("verify --commit none: %v, want %q", err, want)
	}
}
