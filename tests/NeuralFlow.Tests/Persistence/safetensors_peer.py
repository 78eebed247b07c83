"""An independent safetensors writer and reader (the format of
https://github.com/huggingface/safetensors, written from its specification with NumPy only:
Debian has no `safetensors` package and `python3-torch` cannot write the format), for
SafetensorsTests.

  python3 safetensors_peer.py write PATH   writes the tensors of EXPECTED below
  python3 safetensors_peer.py read PATH    prints {"metadata": ..., "tensors": {name: {dtype, shape, values}}}
"""
import json
import struct
import sys

import numpy as np

CODES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}

# name -> (code, array); the C# test expects exactly these values.
EXPECTED = {
    "dense/kernel": ("F32", (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3)),
    "dense/bias": ("F32", np.array([0.25, -3.5, 1e-7], dtype=np.float32)),
    "step": ("I64", np.array(123456789012, dtype=np.int64)),
    "scale": ("F64", np.array([np.pi, -np.e], dtype=np.float64)),
    "pixels": ("U8", np.array([[0, 255], [17, 128]], dtype=np.uint8)),
    "mask": ("BOOL", np.array([True, False, True], dtype=np.bool_)),
    "empty": ("I32", np.zeros((0, 5), dtype=np.int32)),
}


def write(path):
    header, blobs, offset = {"__metadata__": {"format": "pt", "writer": "safetensors_peer.py"}}, [], 0
    # The reference writer orders by alignment then name; any order that tiles the data is valid.
    for name in sorted(EXPECTED, key=lambda n: (-np.dtype(CODES[EXPECTED[n][0]]).itemsize, n)):
        code, array = EXPECTED[name]
        blob = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def read(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {})
    spans = sorted((info["data_offsets"], name) for name, info in header.items())
    end = 0
    for (b, e), name in spans:
        assert b == end, f"{name} starts at {b}, expected {end}"
        end = e
    assert end == len(body), f"data ends at {end}, body has {len(body)}"
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        array = np.frombuffer(body[b:e], dtype=np.dtype(CODES[info["dtype"]]).newbyteorder("<")).reshape(info["shape"])
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "values": array.ravel().tolist()}
    print(json.dumps({"metadata": metadata, "tensors": out}))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
