"""NumPy's side of the .npy/.npz tests (NpyFilesTests): run by /usr/bin/python3 with numpy.

usage: npy_peer.py write DIR   writes the arrays below with np.save / np.savez / np.savez_compressed
       npy_peer.py read FILE   reads a .npy or .npz NeuralFlow wrote
Both print {name: {"dtype": str, "shape": [...], "values": [...]}} as JSON (values flattened in C order).
"""
import json
import os
import sys

import numpy as np


def describe(a):
    return {"dtype": str(a.dtype), "shape": list(a.shape), "values": np.ravel(a, order="C").astype(np.float64).tolist()}


def arrays():
    rng = np.random.default_rng(7)
    return {
        "f32": rng.standard_normal((2, 3)).astype(np.float32),
        "f64_fortran": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4) / 7),
        "f16": np.array([0.5, -2.25, 1000.0], dtype=np.float16),
        "i8": np.array([-128, -1, 0, 127], dtype=np.int8),
        "i16": np.array([[-32768, 5], [7, 32767]], dtype=np.int16),
        "u16": np.array([0, 65535], dtype=np.uint16),
        "u32": np.array([4294967295, 3], dtype=np.uint32),
        "i64": np.array([-(2 ** 40), 2 ** 40], dtype=np.int64),
        "u8_images": rng.integers(0, 256, (2, 4, 4)).astype(np.uint8),
        "bools": np.array([[True, False, True]]),
        "scalar": np.float32(3.5) * np.ones((), dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }


if sys.argv[1] == "write":
    out = sys.argv[2]
    data = arrays()
    for name, a in data.items():
        np.save(os.path.join(out, name + ".npy"), a)
    # Keras' mnist.npz layout: x_train/y_train/x_test/y_test, uint8.
    np.savez(os.path.join(out, "mnist_like.npz"), x_train=data["u8_images"], y_train=np.array([3, 9], dtype=np.uint8),
             x_test=data["u8_images"][:1], y_test=np.array([1], dtype=np.uint8))
    np.savez_compressed(os.path.join(out, "compressed.npz"), data["f32"], data["i64"])
    print(json.dumps({name: describe(a) for name, a in data.items()}))
else:
    path = sys.argv[2]
    loaded = np.load(path, allow_pickle=False)
    if isinstance(loaded, np.ndarray):
        print(json.dumps({"array": describe(loaded)}))
    else:
        print(json.dumps({name: describe(loaded[name]) for name in loaded.files}))
