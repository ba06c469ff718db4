package groups

import (
	"encoding/json"
	"testing"

	"github.com/kq-dev/kq/internal/offsets"
)

func wm(start, end, stable int64) offsets.Watermarks {
	return offsets.Watermarks{LogStart: offsets.Offset(start), LogEnd: offsets.Offset(end), LastStable: offsets.Offset(stable)}
}

func TestComputeLag(t *testing.T) {
	tests := []struct {
		name      string
		committed offsets.Offset
		w         offsets.Watermarks
		want      offsets.Lag
	}{
		{"caught up", 10, wm(0, 10, 10), 0},
		{"behind", 4, wm(0, 10, 10), 6},
		{"no commit counts from log start", offsets.NoOffset, wm(3, 10, 10), 7},
		{"no commit on empty log", offsets.NoOffset, wm(0, 0, 0), 0},
		{"open transaction: lag to last stable offset", 4, wm(0, 10, 7), 3},
		{"committed inside open transaction", 8, wm(0, 10, 7), 0},
		{"commit below raised log start", 2, wm(5, 10, 10), 5},
		{"commit exactly at log start", 5, wm(5, 10, 10), 5},
		{"commit past log end (truncated log)", 15, wm(0, 10, 10), 0},
		{"unknown watermarks", 4, offsets.UnknownWatermarks(), offsets.NoLag},
		{"all records deleted", 2, wm(10, 10, 10), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ComputeLag(tt.committed, tt.w); got != tt.want {
				t.Errorf("ComputeLag(%v, %+v) = %v, want %v", tt.committed, tt.w, got, tt.want)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	w := wm(5, 10, 10)
	for _, c := range []struct{ committed, want offsets.Offset }{{offsets.NoOffset, 5}, {2, 5}, {7, 7}, {12, 12}} {
		if got := w.Position(c.committed); got != c.want {
			t.Errorf("Position(%v) = %v, want %v", c.committed, got, c.want)
		}
	}
	if got := offsets.UnknownWatermarks().Position(3); got.Known() {
		t.Errorf("Position with unknown watermarks = %v, want unknown", got)
	}
}

func TestSumLag(t *testing.T) {
	if got := SumLag(3, offsets.NoLag, 4); got != 7 {
		t.Errorf("SumLag(3, -, 4) = %v, want 7", got)
	}
	if got := SumLag(offsets.NoLag, offsets.NoLag); got.Known() {
		t.Errorf("SumLag(-, -) = %v, want unknown", got)
	}
	if got := SumLag(); got != 0 {
		t.Errorf("SumLag() = %v, want 0", got)
	}
}

func TestRecords(t *testing.T) {
	if got := wm(3, 10, 8).OffsetCount(); got != 7 {
		t.Errorf("Records = %d, want 7", got)
	}
	if got := offsets.UnknownWatermarks().OffsetCount(); got != 0 {
		t.Errorf("Records of unknown = %d, want 0", got)
	}
}

func TestOffsetJSON(t *testing.T) {
	type row struct {
		O offsets.Offset `json:"o"`
		L offsets.Lag    `json:"l"`
	}
	b, err := json.Marshal([]row{{5, 7}, {offsets.NoOffset, offsets.NoLag}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"o":5,"l":7},{"o":null,"l":null}]`; string(b) != want {
		t.Errorf("marshal = %s, want %s", b, want)
	}
	var back []row
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back[0].O != 5 || back[0].L != 7 || back[1].O.Known() || back[1].L.Known() {
		t.Errorf("round trip = %+v", back)
	}
	var o offsets.Offset
	if err := json.Unmarshal([]byte(`-3`), &o); err == nil {
		t.Errorf("negative offset accepted")
	}
	if err := json.Unmarshal([]byte(`"x"`), &o); err == nil {
		t.Errorf("string offset accepted")
	}
	if offsets.NoOffset.String() != "-" || offsets.Offset(12).String() != "12" || offsets.NoLag.String() != "-" {
		t.Errorf("String: %q %q %q", offsets.NoOffset.String(), offsets.Offset(12).String(), offsets.NoLag.String())
	}
}
