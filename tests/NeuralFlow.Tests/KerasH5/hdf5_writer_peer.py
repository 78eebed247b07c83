"""Prints, as JSON, an HDF5 file as libhdf5 reads it through h5py (Hdf5WriterH5pyTests).

Usage: /usr/bin/python3 hdf5_writer_peer.py FILE [--append | --write NAME TEXT_FILE]
With --write, h5py first writes FILE itself (libver='latest') with one root attribute NAME, a str
holding TEXT_FILE's UTF-8 text, as Keras writes model_config.
With --append, the file is first opened in r+ mode, every attribute read (which hands libhdf5 the
global heap collections and their free space), and attributes added: "appended" (a str) and
"appended_number" on the root, "appended" (a str) on every group and dataset.
Output: {"groups": {path: {"members": [...], "attrs": {...}}},
         "datasets": {path: {"shape", "dtype" (numpy's str), "values" (flat, C order), "offset", "attrs"}}}
Attribute values: {"str": s} for a str (a variable-length string), {"bytes": s} for a scalar byte string, {"bytes[]": [...], "dtype"} for an 'S'
array, {"scalar": v, "dtype"} for a numpy scalar, {"array": [...], "dtype"} for other arrays.
"""
import json
import sys

import h5py
import numpy as np


def value(v):
    if isinstance(v, str):   # a variable-length string
        return {"str": v}
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


def append(path):
    with h5py.File(path, "r+") as f:
        objects = [f]
        f.visititems(lambda name, obj: objects.append(obj))
        for obj in objects:
            attrs(obj)
        for obj in objects:
            obj.attrs["appended"] = "added by h5py: " + obj.name + " ü"
        f.attrs["appended_number"] = 7


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
    if sys.argv[2:] == ["--append"]:
        append(sys.argv[1])
    elif len(sys.argv) == 5 and sys.argv[2] == "--write":
        with open(sys.argv[4], encoding="utf-8") as text, h5py.File(sys.argv[1], "w", libver="latest") as f:
            f.attrs[sys.argv[3]] = text.read()
    elif sys.argv[2:]:
        sys.exit(f"unexpected arguments {sys.argv[2:]}")
    main(sys.argv[1])
