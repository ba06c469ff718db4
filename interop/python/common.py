"""Shared helpers of the kafka-python interop clients: kq's JSON record form."""

import json


def text(b):
    """Decode bytes as UTF-8 text, keeping None (a null key or value)."""
    return None if b is None else b.decode("utf-8")


def record_json(key, value, headers):
    """Return one record in kq's JSON form (see internal/record)."""
    return json.dumps(
        {
            "key": text(key),
            "value": text(value),
            "headers": [{"key": k, "value": text(v)} for k, v in (headers or [])],
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def records(prefix, count, source):
    """Yield the (key, value, headers) records a producer writes."""
    for i in range(count):
        key = ("%s-k%d" % (prefix, i)).encode()
        value = ("%s-v%d \u00e9\u00e8 \u2713" % (prefix, i)).encode()
        headers = [("src", source.encode()), ("i", str(i).encode())]
        yield key, value, headers
