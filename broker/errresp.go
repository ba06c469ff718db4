package broker

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// errorResponse builds the response to req that reports code for every
// partition, group or transaction the request names, as a broker that
// rejected the request would. ok is false for an API it cannot answer so.
func errorResponse(req kmsg.Request, code int16) (kmsg.Response, bool) {
	switch r := req.(type) {
	case *kmsg.ProduceRequest:
		return produceError(r, code), true
	case *kmsg.FetchRequest:
		return fetchError(r, code), true
	case *kmsg.ListOffsetsRequest:
		return listOffsetsError(r, code), true
	case *kmsg.FindCoordinatorRequest:
		return findCoordinatorError(r, code), true
	case *kmsg.OffsetCommitRequest:
		return offsetCommitError(r, code), true
	case *kmsg.TxnOffsetCommitRequest:
		return txnOffsetCommitError(r, code), true
	default:
		return simpleError(req, code)
	}
}

// simpleError answers the APIs whose response has one top-level error code.
func simpleError(req kmsg.Request, code int16) (kmsg.Response, bool) {
	v := req.GetVersion()
	switch typed := req.(type) {
	case *kmsg.JoinGroupRequest:
		r := kmsg.NewPtrJoinGroupResponse()
		r.Version, r.ErrorCode, r.MemberID = v, code, typed.MemberID
		return r, true
	case *kmsg.SyncGroupRequest:
		r := kmsg.NewPtrSyncGroupResponse()
		r.Version, r.ErrorCode = v, code
		return r, true
	case *kmsg.HeartbeatRequest:
		r := kmsg.NewPtrHeartbeatResponse()
		r.Version, r.ErrorCode = v, code
		return r, true
	case *kmsg.LeaveGroupRequest:
		r := kmsg.NewPtrLeaveGroupResponse()
		r.Version, r.ErrorCode = v, code
		return r, true
	case *kmsg.InitProducerIDRequest:
		r := kmsg.NewPtrInitProducerIDResponse()
		r.Version, r.ErrorCode, r.ProducerID, r.ProducerEpoch = v, code, -1, -1
		return r, true
	case *kmsg.AddOffsetsToTxnRequest:
		r := kmsg.NewPtrAddOffsetsToTxnResponse()
		r.Version, r.ErrorCode = v, code
		return r, true
	case *kmsg.EndTxnRequest:
		r := kmsg.NewPtrEndTxnResponse()
		r.Version, r.ErrorCode = v, code
		return r, true
	case *kmsg.AddPartitionsToTxnRequest:
		return addPartitionsError(typed, code), true
	}
	return nil, false
}

func produceError(req *kmsg.ProduceRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	resp.Version = req.Version
	for _, t := range req.Topics {
		rt := kmsg.NewProduceResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewProduceResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.BaseOffset = p.Partition, code, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func fetchError(req *kmsg.FetchRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.FetchResponse)
	resp.Version = req.Version
	for _, t := range req.Topics {
		rt := kmsg.NewFetchResponseTopic()
		rt.Topic, rt.TopicID = t.Topic, t.TopicID
		for _, p := range t.Partitions {
			rp := kmsg.NewFetchResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.HighWatermark, rp.LastStableOffset = p.Partition, code, -1, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func listOffsetsError(req *kmsg.ListOffsetsRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.ListOffsetsResponse)
	resp.Version = req.Version
	for _, t := range req.Topics {
		rt := kmsg.NewListOffsetsResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewListOffsetsResponseTopicPartition()
			rp.Partition, rp.ErrorCode, rp.Offset = p.Partition, code, -1
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func findCoordinatorError(req *kmsg.FindCoordinatorRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.FindCoordinatorResponse)
	resp.Version, resp.ErrorCode, resp.NodeID = req.Version, code, -1
	for _, k := range req.CoordinatorKeys {
		c := kmsg.NewFindCoordinatorResponseCoordinator()
		c.Key, c.ErrorCode, c.NodeID = k, code, -1
		resp.Coordinators = append(resp.Coordinators, c)
	}
	return resp
}

func offsetCommitError(req *kmsg.OffsetCommitRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.OffsetCommitResponse)
	resp.Version = req.Version
	for _, t := range req.Topics {
		rt := kmsg.NewOffsetCommitResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewOffsetCommitResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func txnOffsetCommitError(req *kmsg.TxnOffsetCommitRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.TxnOffsetCommitResponse)
	resp.Version = req.Version
	for _, t := range req.Topics {
		rt := kmsg.NewTxnOffsetCommitResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewTxnOffsetCommitResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}

func addPartitionsError(req *kmsg.AddPartitionsToTxnRequest, code int16) kmsg.Response {
	resp := req.ResponseKind().(*kmsg.AddPartitionsToTxnResponse)
	resp.Version = req.Version
	for _, t := range req.Topics {
		rt := kmsg.NewAddPartitionsToTxnResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewAddPartitionsToTxnResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p, code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	for _, tx := range req.Transactions {
		rtx := kmsg.NewAddPartitionsToTxnResponseTransaction()
		rtx.TransactionalID = tx.TransactionalID
		for _, t := range tx.Topics {
			rt := kmsg.NewAddPartitionsToTxnResponseTransactionTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewAddPartitionsToTxnResponseTransactionTopicPartition()
				rp.Partition, rp.ErrorCode = p, code
				rt.Partitions = append(rt.Partitions, rp)
			}
			rtx.Topics = append(rtx.Topics, rt)
		}
		resp.Transactions = append(resp.Transactions, rtx)
	}
	return resp
}

// canFail reports whether FailRequests supports api.
func canFail(api int16) error {
	req := kmsg.RequestForKey(api)
	if req == nil {
		return fmt.Errorf("broker: unknown api key %d", api)
	}
	if _, ok := errorResponse(req, 0); !ok {
		return fmt.Errorf("broker: cannot fail %s requests (supported: Produce, Fetch, ListOffsets, FindCoordinator, OffsetCommit, TxnOffsetCommit, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, InitProducerID, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn)", kmsg.NameForKey(api))
	}
	return nil
}
