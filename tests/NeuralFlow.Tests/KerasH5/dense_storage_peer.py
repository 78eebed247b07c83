"""Writes HDF5 files whose groups and attributes libhdf5 keeps in dense storage (a fractal heap
indexed by a version 2 B-tree): libver='latest' past 8 links or attributes. Sizes chosen so that
the heap grows past its root direct block into indirect blocks, and the name index past one leaf
into internal nodes. Usage: dense_storage_peer.py DIRECTORY. Prints the files and counts as JSON."""
import json, os, sys
import h5py, numpy as np

out = sys.argv[1]
made = {}
for members in (9, 200, 3000):
    path = os.path.join(out, f"dense_{members}.h5")
    with h5py.File(path, "w", libver="latest") as f:
        g = f.create_group("many")
        for i in range(members):
            g.create_dataset(f"member_{i:05d}", data=np.int64(i))
        for i in range(members // 4 + 9):
            g.attrs[f"attribute_{i:05d}"] = np.int64(i * 3)
        # Creation order tracked: the link and attribute info messages carry their maximum creation index.
        t = f.create_group("ordered", track_order=True)
        for i in range(12):
            t.create_dataset(f"z{i}", data=np.float32(i / 2))
            t.attrs[f"q{i}"] = f"text {i}"
    made[path] = members
print(json.dumps(made))
