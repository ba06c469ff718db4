"""kafka-python producer: writes COUNT records with keys and headers to a topic
and prints each acknowledged record in kq's JSON form on stdout."""

import argparse
import sys

from kafka import KafkaProducer

from common import record_json, records


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--prefix", default="py")
    ap.add_argument("--max-block-ms", type=int, default=30000)
    args = ap.parse_args()

    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap.split(","),
        client_id="interop-kafka-python",
        acks="all",
        retries=5,
        request_timeout_ms=10000,
        max_block_ms=args.max_block_ms,
    )
    sent = []
    for key, value, headers in records(args.prefix, args.count, "kafka-python"):
        fut = producer.send(args.topic, key=key, value=value, headers=headers)
        sent.append((fut, key, value, headers))
    producer.flush(timeout=20)
    for fut, key, value, headers in sent:
        fut.get(timeout=10)  # raises when the record was not acknowledged
        print(record_json(key, value, headers))
    producer.close(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
