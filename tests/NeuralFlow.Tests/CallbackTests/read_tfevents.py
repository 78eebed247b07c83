"""An independent reader of TensorBoard event files, from the formats' specifications alone
(TFRecord framing with masked CRC-32C; tensorflow/core/util/event.proto and
tensorflow/core/framework/summary.proto, decoded by field number from the protobuf wire format).
No TensorFlow, TensorBoard or protobuf package is needed. Prints the events as JSON.
Usage: read_tfevents.py FILE"""
import json
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, i


def fields(buf):
    """(field number, wire type, value) of one message: ints, 8/4-byte blobs, or bytes."""
    i, out = 0, []
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 2:
            n, i = varint(buf, i)
            value, i = buf[i:i + n], i + n
        else:
            raise ValueError("unexpected wire type %d" % wire)
        out.append((number, wire, value))
    return out


def f64(b):
    return struct.unpack("<d", b)[0]


def value_of(buf):
    v = {}
    for number, wire, value in fields(buf):
        if number == 1:
            v["tag"] = value.decode()
        elif number == 2:
            v["simple_value"] = struct.unpack("<f", value)[0]
        elif number == 5:
            h = {}
            for n, w, x in fields(value):
                if n in (1, 2, 3, 4, 5):
                    h[["min", "max", "num", "sum", "sum_squares"][n - 1]] = f64(x)
                elif n in (6, 7):
                    h["bucket_limit" if n == 6 else "bucket"] = list(struct.unpack("<%dd" % (len(x) // 8), x))
            v["histo"] = h
        elif number == 8:
            for n, w, x in fields(value):
                if n == 1:
                    v["tensor_dtype"] = x
                elif n == 8:
                    v["text"] = x.decode()
        elif number == 9:
            for n, w, x in fields(value):
                if n == 1:
                    v["plugin"] = [y.decode() for m, _, y in fields(x) if m == 1][0]
    return v


def events(path):
    data = open(path, "rb").read()
    i, out = 0, []
    while i < len(data):
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", data[i + 8:i + 12])
        assert crc == masked(header), "bad length CRC at byte %d" % i
        record = data[i + 12:i + 12 + length]
        (crc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        assert crc == masked(record), "bad data CRC at byte %d" % i
        i += 16 + length
        e = {"values": []}
        for number, wire, value in fields(record):
            if number == 1:
                e["wall_time"] = f64(value)
            elif number == 2:
                e["step"] = value
            elif number == 3:
                e["file_version"] = value.decode()
            elif number == 5:
                e["values"] += [value_of(v) for n, w, v in fields(value) if n == 1]
        out.append(e)
    return out


if __name__ == "__main__":
    print(json.dumps(events(sys.argv[1])))
