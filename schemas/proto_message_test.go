package schemas_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/schemas"
)

const catalogProto = `syntax = "proto3";
package shop;
message Order { int64 id = 1; }
message Shipment {
  string carrier = 1;
  message Parcel { int32 weight = 1; }
  repeated Parcel parcels = 2;
}`

// header is the wire-format header of schema id with the message-index
// path written as Confluent documents it: a zigzag varint count, then
// each index as a zigzag varint; the path [0] as a single 0.
func header(id int, index ...int) []byte {
	b := []byte{0, 0, 0, 0, byte(id)}
	if len(index) == 1 && index[0] == 0 {
		return append(b, 0)
	}
	b = binary.AppendVarint(b, int64(len(index)))
	for _, i := range index {
		b = binary.AppendVarint(b, int64(i))
	}
	return b
}

// A message other than the first is encoded with its index path, nested
// ones too, and each decodes back by that path.
func TestProtoChosenMessageWritesItsIndex(t *testing.T) {
	cl := registry(t)
	id := register(t, cl, "catalog-value", catalogProto, sr.TypeProtobuf)
	ctx := context.Background()
	for _, tc := range []struct {
		message string
		index   []int
		in      string
	}{
		{"", []int{0}, `{"id":"7"}`},
		{"shop.Shipment", []int{1}, `{"carrier":"ups","parcels":[{"weight":3}]}`},
		{"Shipment", []int{1}, `{"carrier":"dhl"}`},
		{"shop.Shipment.Parcel", []int{1, 0}, `{"weight":12}`},
	} {
		enc, err := schemas.ResolveEncoder(ctx, cl, strconv.Itoa(id), "")
		if err != nil {
			t.Fatal(err)
		}
		if tc.message != "" {
			if err := enc.UseMessage(tc.message); err != nil {
				t.Fatalf("%s: %v", tc.message, err)
			}
		}
		b, err := enc.Encode([]byte(tc.in))
		if err != nil {
			t.Fatalf("%s: %v", tc.message, err)
		}
		if want := header(id, tc.index...); !bytes.HasPrefix(b, want) {
			t.Fatalf("%s: wire bytes % x, want the header % x", tc.message, b, want)
		}
		out, ok, err := schemas.NewDecoder(cl).Decode(ctx, b)
		if err != nil || !ok {
			t.Fatalf("%s: decode: %v", tc.message, err)
		}
		sameJSON(t, string(out), tc.in)
	}
}

// Bytes made by hand as Confluent's serializers write them (index [1, 0]:
// Shipment.Parcel) decode by their index; a payload with no index at all
// (as the npm client writes) decodes when the message is named.
func TestProtoDecodeHonoursIndexAndNamedMessage(t *testing.T) {
	cl := registry(t)
	id := register(t, cl, "catalog-value", catalogProto, sr.TypeProtobuf)
	ctx := context.Background()
	parcel := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 42) // weight: 42
	out, _, err := schemas.NewDecoder(cl).Decode(ctx, append(header(id, 1, 0), parcel...))
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, string(out), `{"weight":42}`)

	shipment := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "ups") // carrier: ups
	noIndex := append([]byte{0, 0, 0, 0, byte(id)}, shipment...)
	out, _, err = schemas.NewDecoder(cl).DecodeMessage(ctx, noIndex, "shop.Shipment")
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, string(out), `{"carrier":"ups"}`)

	_, _, err = schemas.NewDecoder(cl).DecodeMessage(ctx, noIndex, "shop.Nope")
	if !errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("unknown message: %v", err)
	}
}

func TestProtoUseMessageErrors(t *testing.T) {
	cl := registry(t)
	ctx := context.Background()
	pid := register(t, cl, "catalog-value", catalogProto, sr.TypeProtobuf)
	aid := register(t, cl, "orders-value", orderAvro, sr.TypeAvro)
	enc, _ := schemas.ResolveEncoder(ctx, cl, strconv.Itoa(pid), "")
	if err := enc.UseMessage("shop.Nope"); !errors.Is(err, kqerr.ErrUsage) || !bytes.Contains([]byte(err.Error()), []byte("Order, Shipment, Shipment.Parcel")) {
		t.Fatalf("unknown message: %v", err)
	}
	enc, _ = schemas.ResolveEncoder(ctx, cl, strconv.Itoa(aid), "")
	if err := enc.UseMessage("shop.Order"); !errors.Is(err, kqerr.ErrUsage) {
		t.Fatalf("a message name for Avro: %v", err)
	}
}
