package history

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

func TestMergerTimeOrder(t *testing.T) {
	a := `{"type":"meta","semantics":"at-least-once","run":"r","worker":0,"workers":2,"ts":5}
{"type":"fault","name":"a1","ts":10}
{"type":"fault","name":"a2","ts":30}
{"type":"fault","name":"a3","ts":20}
`
	b := `{"type":"fault","name":"b1","ts":10}
{"type":"fault","name":"b2","ts":25}
{"type":"meta","semantics":"at-least-once","ts":26}
`
	m, err := NewMerger([]Source{{"a", strings.NewReader(a)}, {"b", strings.NewReader(b)}}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if metas := m.Metas(); metas[0] == nil || metas[0].Workers != 2 || metas[1] != nil {
		t.Fatalf("metas %+v, want a's and none of b (b's meta is not its first line)", metas)
	}
	var got []string
	for m.Next() {
		i, e := m.Event()
		got = append(got, fmt.Sprintf("%d:%s%s", i, e.Name, e.Type))
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	// a3 stays after a2 (one source keeps its order); ties go to the first source.
	want := "0:a1fault 1:b1fault 1:b2fault 1:meta 0:a2fault 0:a3fault"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("merged %s\nwant   %s", s, want)
	}
}

func TestMergerErrors(t *testing.T) {
	good := `{"type":"fault","name":"x","ts":1}` + "\n"
	for _, tc := range []struct{ name, second, want string }{
		{"bad first line", `{"type":"nope"}`, "b: history line 1"},
		{"bad later line", good + good + `{"type":"send"}`, "b: history line 3"},
		{"bad line after meta", `{"type":"meta"}` + "\n" + `{"type":"end"}`, "b: history line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := []Source{{"a", strings.NewReader(good)}, {"b", strings.NewReader(tc.second)}}
			m, err := NewMerger(srcs, ReadOptions{})
			for err == nil && m.Next() {
			}
			if err == nil {
				err = m.Err()
			}
			if !errors.Is(err, kqerr.ErrUsage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want a usage error with %q", err, tc.want)
			}
		})
	}
}
