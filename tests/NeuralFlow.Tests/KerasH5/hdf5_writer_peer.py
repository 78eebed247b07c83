"""Prints, as JSON, an HDF5 file as libhdf5 reads it through h5py (Hdf5WriterH5pyTests).

Usage: /usr/bin/python3 hdf5_writer_peer.py FILE
Output: {"groups": {path: {"members": [...], "attrs": {...}}},
         "datasets": {path: {"shape", "dtype" (numpy's str), "values" (flat, C order), "offset", "attrs"}}}
Attribute values: {"bytes": s} for a scalar byte string, {"bytes[]": [...], "dtype"} for an 'S'
array, {"scalar": v, "dtype"} for a numpy scalar, {"array": [...], "dtype"} for other arrays.
"""
import json
import sys

import h5py
import numpy as np


def value(v):
    if isinstance(v, bytes):   # numpy.bytes_ too: a fixed-length string
        return {"bytes": bytes(v).decode("utf-8")}
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "S":
            return {"bytes[]": [x.decode("utf-8") for x in v.tolist()], "dtype": v.dtype.str}
        return {"array": v.tolist(), "dtype": v.dtype.str}
    if isinstance(v, np.generic):
        return {"scalar": v.item(), "dtype": v.dtype.str}
    raise TypeError(f"unexpected attribute value {v!r} ({type(v)})")


def attrs(obj):
    return {k: value(obj.attrs[k]) for k in obj.attrs}


def main(path):
    out = {"groups": {}, "datasets": {}}
    with h5py.File(path, "r") as f:
        out["groups"]["/"] = {"members": list(f.keys()), "attrs": attrs(f)}

        def visit(name, obj):
            if isinstance(obj, h5py.Group):
                out["groups"][name] = {"members": list(obj.keys()), "attrs": attrs(obj)}
            else:
                out["datasets"][name] = {
                    "shape": list(obj.shape),
                    "dtype": obj.dtype.str,
                    "values": np.asarray(obj[()]).ravel().tolist(),
                    "offset": obj.id.get_offset(),
                    "attrs": attrs(obj),
                }

        f.visititems(visit)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
