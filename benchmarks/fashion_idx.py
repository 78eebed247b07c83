"""Fashion-MNIST as Debian's dataset-fashion-mnist installs it, for the PyTorch peer scripts
(cnn_fit_torch.py, bars_torch.py): idx(name) is one IDX file as a uint8 NumPy array."""
import gzip
import struct

import numpy as np

ROOT = '/usr/share/datasets/fashion-mnist/'


def idx(name):
    raw = gzip.open(ROOT + name).read()
    dims = struct.unpack('>I', raw[:4])[0] & 0xff
    shape = struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)
