"""kafka-python group consumer: joins GROUP, reads COUNT records of a topic from
the earliest offset, commits them, prints them in kq's JSON form on stdout and
keeps polling for a grace period so that extra records are caught too."""

import argparse
import sys
import time

from kafka import KafkaConsumer

from common import record_json


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--grace", type=float, default=1.0)
    args = ap.parse_args()

    consumer = KafkaConsumer(
        args.topic,
        bootstrap_servers=args.bootstrap.split(","),
        group_id=args.group,
        client_id="interop-kafka-python",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    got = 0
    deadline = time.monotonic() + args.timeout
    grace_end = None
    while time.monotonic() < deadline:
        if grace_end is not None and time.monotonic() >= grace_end:
            break
        batches = consumer.poll(timeout_ms=200)
        for recs in batches.values():
            for r in recs:
                print(record_json(r.key, r.value, r.headers), flush=True)
                got += 1
        if got >= args.count and grace_end is None:
            consumer.commit()
            grace_end = time.monotonic() + args.grace
    consumer.commit()
    consumer.close()
    if got < args.count:
        print("kafka-python consumer: got %d of %d records" % (got, args.count), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
