package schemareg

import (
	"fmt"
	"maps"
	"slices"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/kq-dev/kq/schemas"
)

// Protobuf compatibility, after the rules Confluent's Schema Registry
// documents for Protobuf (there is no Go library for them): data written
// with one file can be read with another when no message type the writer
// has is gone from the reader, the package and syntax are the same, and
// every field number both declare keeps its kind (scalar, enum or
// message), its scalar type up to the wire-compatible groups, its message
// or enum type and whether it repeats, stays in or out of a oneof as
// before (a single field may move into a new oneof), and no required
// field is added or removed. Adding and removing optional fields, renaming
// fields, and adding or removing enum values are compatible.

// protoReader checks Protobuf compatibility by the rules above.
type protoReader struct{ fd protoreflect.FileDescriptor }

func (r protoReader) cannotRead(w reader) []string { return protoProblems(w.(protoReader).fd, r.fd) }

// protoProblems returns why data written with writer cannot be read with
// reader (none when it can).
func protoProblems(writer, reader protoreflect.FileDescriptor) []string {
	var out []string
	if writer.Package() != reader.Package() {
		out = append(out, fmt.Sprintf("package changed from %q to %q", writer.Package(), reader.Package()))
	}
	if writer.Syntax() != reader.Syntax() {
		out = append(out, fmt.Sprintf("syntax changed from %s to %s", writer.Syntax(), reader.Syntax()))
	}
	readers := map[protoreflect.FullName]protoreflect.MessageDescriptor{}
	schemas.EachProtoMessage(reader.Messages(), func(md protoreflect.MessageDescriptor) { readers[md.FullName()] = md })
	schemas.EachProtoMessage(writer.Messages(), func(w protoreflect.MessageDescriptor) {
		r, ok := readers[w.FullName()]
		if !ok {
			out = append(out, fmt.Sprintf("message %s removed", w.FullName()))
			return
		}
		out = append(out, messageProblems(w, r)...)
	})
	return out
}

func messageProblems(w, r protoreflect.MessageDescriptor) []string {
	var out []string
	wf, rf := w.Fields(), r.Fields()
	for i := range wf.Len() {
		f := wf.Get(i)
		g := rf.ByNumber(f.Number())
		if g == nil {
			if f.Cardinality() == protoreflect.Required {
				out = append(out, fmt.Sprintf("%s: required field %d (%s) removed", w.FullName(), f.Number(), f.Name()))
			}
			continue
		}
		out = append(out, fieldProblems(w.FullName(), f, g)...)
	}
	for i := range rf.Len() {
		g := rf.Get(i)
		if wf.ByNumber(g.Number()) == nil && g.Cardinality() == protoreflect.Required {
			out = append(out, fmt.Sprintf("%s: required field %d (%s) added", w.FullName(), g.Number(), g.Name()))
		}
	}
	return append(out, oneofProblems(w, r)...)
}

// fieldProblems compares one field number as writer (f) and reader (g)
// declare it.
func fieldProblems(msg protoreflect.FullName, f, g protoreflect.FieldDescriptor) []string {
	at := fmt.Sprintf("%s: field %d (%s)", msg, f.Number(), f.Name())
	var out []string
	switch fk, gk := kindClass(f), kindClass(g); {
	case fk != gk:
		out = append(out, fmt.Sprintf("%s changed from %s to %s", at, fk, gk))
	case fk == "message" && f.Message().FullName() != g.Message().FullName():
		out = append(out, fmt.Sprintf("%s changed type from %s to %s", at, f.Message().FullName(), g.Message().FullName()))
	case fk == "enum" && f.Enum().FullName() != g.Enum().FullName():
		out = append(out, fmt.Sprintf("%s changed type from %s to %s", at, f.Enum().FullName(), g.Enum().FullName()))
	case fk == "scalar" && !sameWire(f.Kind(), g.Kind()):
		out = append(out, fmt.Sprintf("%s changed type from %s to %s", at, f.Kind(), g.Kind()))
	}
	if f.IsList() != g.IsList() || f.IsMap() != g.IsMap() {
		out = append(out, fmt.Sprintf("%s changed from %s to %s", at, shape(f), shape(g)))
	}
	return out
}

func kindClass(f protoreflect.FieldDescriptor) string {
	switch f.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "message"
	case protoreflect.EnumKind:
		return "enum"
	}
	return "scalar"
}

func shape(f protoreflect.FieldDescriptor) string {
	switch {
	case f.IsMap():
		return "map"
	case f.IsList():
		return "repeated"
	}
	return "singular"
}

// wireGroups are the scalar types whose values read as one another.
var wireGroups = [][]protoreflect.Kind{
	{protoreflect.Int32Kind, protoreflect.Uint32Kind, protoreflect.Int64Kind, protoreflect.Uint64Kind, protoreflect.BoolKind},
	{protoreflect.Sint32Kind, protoreflect.Sint64Kind},
	{protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind},
	{protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind},
	{protoreflect.StringKind, protoreflect.BytesKind},
}

func sameWire(a, b protoreflect.Kind) bool {
	if a == b {
		return true
	}
	for _, g := range wireGroups {
		if slices.Contains(g, a) && slices.Contains(g, b) {
			return true
		}
	}
	return false
}

// oneofProblems: a field that leaves a oneof, moves into a oneof that
// already held another of the writer's fields, or moves into a new oneof
// together with another field.
func oneofProblems(w, r protoreflect.MessageDescriptor) []string {
	var out []string
	moved := map[protoreflect.Name]int{} // reader's oneof: writer's fields moved in from outside
	wf, rf := w.Fields(), r.Fields()
	for i := range wf.Len() {
		f := wf.Get(i)
		g := rf.ByNumber(f.Number())
		if g == nil {
			continue
		}
		fo, go_ := realOneof(f), realOneof(g)
		at := fmt.Sprintf("%s: field %d (%s)", w.FullName(), f.Number(), f.Name())
		switch {
		case fo != nil && go_ == nil:
			out = append(out, at+" taken out of oneof "+string(fo.Name()))
		case fo == nil && go_ != nil:
			moved[go_.Name()]++
			if heldBefore(w, go_) {
				out = append(out, at+" moved into oneof "+string(go_.Name())+", which already held other fields")
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(moved)) {
		if n := moved[name]; n > 1 {
			out = append(out, fmt.Sprintf("%s: %d fields moved into the new oneof %s", w.FullName(), n, name))
		}
	}
	return out
}

// realOneof is f's oneof unless it is a proto3 optional's synthetic one.
func realOneof(f protoreflect.FieldDescriptor) protoreflect.OneofDescriptor {
	if o := f.ContainingOneof(); o != nil && !o.IsSynthetic() {
		return o
	}
	return nil
}

// heldBefore reports whether some field of the reader's oneof o was in a
// oneof of the writer already.
func heldBefore(w protoreflect.MessageDescriptor, o protoreflect.OneofDescriptor) bool {
	fs := o.Fields()
	for i := range fs.Len() {
		if f := w.Fields().ByNumber(fs.Get(i).Number()); f != nil && realOneof(f) != nil {
			return true
		}
	}
	return false
}
