package broker

// Test seams for the external tests of this package.
var (
	CheckBatch   = checkBatch
	BatchRecords = batchRecords
	EncodeBatch  = encodeBatch
	AppendRecord = appendRecord
	FixBatches   = fixBatches
	ErrCorrupt   = errCorrupt
)

// ReadDecisions exposes the transaction decision log reader.
var ReadDecisions = readDecisions
