package offsets

// OpenTxn is the open transaction holding back a partition's last stable
// offset: read_committed consumers stop at its first offset until it
// ends (or is aborted: kq transactions abort).
type OpenTxn struct {
	// TransactionalID is the producer's transactional id ("" when no
	// coordinator lists its producer id: a hanging transaction).
	TransactionalID string `json:"transactional_id"`
	// ProducerID is the producer holding the transaction open.
	ProducerID int64 `json:"producer_id"`
	// StartOffset is the transaction's first offset on the partition.
	StartOffset int64 `json:"start_offset"`
}
