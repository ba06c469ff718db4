package setting

import (
	"errors"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestParseTolerant(t *testing.T) {
	cases := []struct {
		in   string
		want Isolation
	}{
		{"read_committed", ReadCommitted},
		{"read-committed", ReadCommitted},
		{"READ-COMMITTED", ReadCommitted},
		{" Read_Uncommitted ", ReadUncommitted},
	}
	for _, c := range cases {
		got, err := ParseIsolation(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseIsolation(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestParseUnknownIsUsageListingValues(t *testing.T) {
	_, err := ParseIsolation("dirty")
	if !errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("err = %v, want a usage error", err)
	}
	if want := `unknown isolation "dirty" (want read_committed or read_uncommitted)`; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	renamed := As(err, "--isolation")
	if want := `unknown --isolation "dirty" (want read_committed or read_uncommitted)`; renamed.Error() != want {
		t.Errorf("renamed = %q, want %q", renamed, want)
	}
	if !errors.Is(renamed, kqerr.ErrUsage) {
		t.Errorf("renamed %v is no usage error", renamed)
	}
	if other := errors.New("x"); As(other, "--y") != other {
		t.Errorf("As changed an error that is no UnknownError")
	}
}

func TestParseAcks(t *testing.T) {
	for in, want := range map[string]Acks{"0": AcksNone, "1": AcksLeader, "all": AcksAll, "ALL": AcksAll, "-1": AcksAll} {
		got, err := ParseAcks(in)
		if err != nil || got != want {
			t.Errorf("ParseAcks(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseAcks("2"); err == nil || err.Error() != `unknown acks "2" (want 0, 1 or all)` {
		t.Errorf("ParseAcks(2) err = %v", err)
	}
}

func TestSaramaMappings(t *testing.T) {
	if AcksNone.Sarama() != 0 || AcksLeader.Sarama() != 1 || AcksAll.Sarama() != -1 || Acks("").Sarama() != -1 {
		t.Errorf("acks mapping wrong: %d %d %d", AcksNone.Sarama(), AcksLeader.Sarama(), AcksAll.Sarama())
	}
	if ReadUncommitted.Sarama() != 0 || ReadCommitted.Sarama() != 1 || Isolation("").Sarama() != 1 {
		t.Errorf("isolation mapping wrong")
	}
}

func TestParseCommitModeOffered(t *testing.T) {
	if m, err := ParseCommitMode("TXN", CommitBefore, CommitAfter, CommitTxn); err != nil || m != CommitTxn {
		t.Errorf("txn = %q, %v", m, err)
	}
	_, err := ParseCommitMode("txn", CommitAfter, CommitBefore, CommitNone)
	if err == nil || err.Error() != `unknown commit mode "txn" (want after, before or none)` {
		t.Errorf("txn where not offered: err = %v", err)
	}
}
