# References for DirectoryIndexTests: the order in which Keras' index_directory shuffles a file
# list, np.random.RandomState(seed).shuffle(file_paths) (numpy 1.24; Keras 3 dataset_utils.py).
# Run with /usr/bin/python3 (numpy).
import numpy as np

for n, seed in [(10, 123), (20, 1337), (700, 7)]:
    order = list(range(n))
    np.random.RandomState(seed).shuffle(order)
    print(n, seed, order[:20])
# The training / validation split then takes int(validation_split * n) files from the end.
print(int(0.2 * 20), int(0.3 * 10))

# Keras' iter_valid_files: os.walk sorted by the root path, then file names sorted.
import os, tempfile
with tempfile.TemporaryDirectory() as d:
    for rel in ["top.txt", "x/1.txt", "x/sub/2.txt", "x y/3.txt"]:
        os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
        open(os.path.join(d, rel), "w").close()
    print([os.path.relpath(os.path.join(root, f), d) for root, _, files in sorted(os.walk(d), key=lambda x: x[0]) for f in sorted(files)])
