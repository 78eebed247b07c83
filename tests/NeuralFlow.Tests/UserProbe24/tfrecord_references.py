# Reference bytes for TFRecordTests (run with /usr/bin/python3; no TensorFlow here): an independent encoder of
# tf.train.Example (hand-written protobuf: Example{Features features=1}, Features{map<string,Feature> feature=1},
# Feature{BytesList=1|FloatList=2|Int64List=3}, floats and int64s packed) and of TFRecord framing (length, masked
# CRC-32C of it, data, masked CRC-32C of the data), following tensorflow/core/example/*.proto and record_writer.cc.
import hashlib, struct

def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)

def field(number, wire, payload):
    key = varint(number << 3 | wire)
    return key + (varint(len(payload)) + payload if wire == 2 else payload)

def feature(kind, values):
    if kind == 'bytes':
        lst = b''.join(field(1, 2, v) for v in values)
        return field(1, 2, lst)
    if kind == 'float':
        return field(2, 2, field(1, 2, b''.join(struct.pack('<f', v) for v in values)))
    return field(3, 2, field(1, 2, b''.join(varint(v) for v in values)))

def example(features):
    entries = b''.join(field(1, 2, field(1, 2, name.encode()) + field(2, 2, feature(*f))) for name, f in features)
    return field(1, 2, entries)

def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82f63b78 if crc & 1 else 0)
    return crc ^ 0xffffffff

def masked(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xffffffff) + 0xa282ead8) & 0xffffffff

def record(data):
    n = struct.pack('<Q', len(data))
    return n + struct.pack('<I', masked(n)) + data + struct.pack('<I', masked(data))

# The tutorial's serialize_example(False, 4, b'goat', 0.9876).
goat = example([('feature0', ('int64', [0])), ('feature1', ('int64', [4])), ('feature2', ('bytes', [b'goat'])), ('feature3', ('float', [0.9876]))])
print('goat example', goat.hex())
rows = [(i % 2, i, [b'cat', b'dog', b'chicken', b'horse', b'goat'][i], [0.5 * i - 1, 2.0 ** i], [-i, 1 << 40]) for i in range(3)]
file = b''
for flag, n, animal, floats, ints in rows:
    file += record(example([('flag', ('int64', [flag])), ('n', ('int64', [n])), ('animal', ('bytes', [animal])),
                            ('pair', ('float', floats)), ('ids', ('int64', ints))]))
print('file sha256', hashlib.sha256(file).hexdigest(), 'length', len(file))
