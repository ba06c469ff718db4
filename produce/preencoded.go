package produce

import (
	"reflect"
	"unsafe"

	"github.com/IBM/sarama"
)

// rawRecords gives a sarama RecordBatch its records already encoded.
//
// sarama encodes a batch's records from Record structs into a buffer of
// their own and then copies that buffer into the request: a struct and a
// pointer per record, an encoding pass and two copies of every byte, about
// a third of kq produce's CPU. sarama keeps the encoded records in the
// unexported fields compressedRecords (the bytes sent, uncompressed when
// the codec is none) and recordsLen, and skips encoding when they are set;
// rawRecords sets them. Their offsets are looked up by name and type once,
// so a sarama release that renames them makes ok false and the batch path
// falls back to building Record structs (TestPreEncodedRecordsAvailable
// fails, so the fallback is not silent).
type rawRecords struct {
	records, length uintptr
	found           bool
}

// preEncodedRecords is computed once and never changes.
var preEncodedRecords = findRawRecords()

func findRawRecords() rawRecords {
	t := reflect.TypeFor[sarama.RecordBatch]()
	rec, ok1 := t.FieldByName("compressedRecords")
	n, ok2 := t.FieldByName("recordsLen")
	if !ok1 || !ok2 || rec.Type != reflect.TypeFor[[]byte]() || n.Type != reflect.TypeFor[int]() {
		return rawRecords{}
	}
	return rawRecords{records: rec.Offset, length: n.Offset, found: true}
}

// ok reports whether sarama's fields were found.
func (r rawRecords) ok() bool { return r.found }

// set makes raw, the uncompressed encoding of len(rb.Records) records, the
// records rb sends. rb.Codec must be none.
func (r rawRecords) set(rb *sarama.RecordBatch, raw []byte) {
	p := unsafe.Pointer(rb)
	*(*[]byte)(unsafe.Add(p, r.records)) = raw
	*(*int)(unsafe.Add(p, r.length)) = len(raw)
}
