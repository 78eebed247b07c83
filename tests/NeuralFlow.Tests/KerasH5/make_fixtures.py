"""Writes the Keras HDF5 weight fixtures of the KerasH5 tests and their numpy reference predictions.

Run with /usr/bin/python3 (numpy + h5py, Debian python3-h5py); the tests read the committed
files in fixtures/ and never run Python. No TensorFlow/Keras is needed: the group, attribute and
dataset layout below reproduces what Keras writes, following its source:

* Keras 3 `model.save_weights("x.weights.h5")`, keras/src/saving/saving_lib.py:
  - H5IOStore.make(path): `h5_file.create_group(path).create_group("vars")`, and for the root
    model `create_group("vars")`; H5Entry.__setitem__ writes each variable as a dataset.
  - Layer.save_own_variables: `all_vars = self._trainable_variables + self._non_trainable_variables`,
    `store[f"{i}"] = v` -> datasets "vars/0", "vars/1", ...
  - _walk_saveable: a Sequential / Functional model yields ("layers", model.layers) first, then
    its other attributes in natural sort order (the optimizer -> "optimizer/vars").
  - _save_container_state: each layer's group is `naming.to_snake_case(cls.__name__)`, numbered
    per class name within the container (dense, dense_1, ...), never layer.name.
  - An RNN layer (LSTM) has no variables of its own; its cell is the attribute "cell":
    "layers/lstm/vars" (empty) and "layers/lstm/cell/vars/0..2".
* Keras 2 / tf.keras legacy HDF5, keras/src/legacy/saving/legacy_h5_format.py
  (tf_keras/src/saving/legacy/hdf5_format.py is the same):
  - save_weights_to_hdf5_group: root attrs "layer_names" (numpy bytes array), "backend",
    "keras_version"; one group per layer named layer.name with attr "weight_names"
    (bytes, empty for a layer without weights) and one dataset per weight at
    `g.create_dataset(name, ...)` where name is the weight's name ("dense/kernel:0"), so
    nested groups "dense/dense/kernel:0".
  - _legacy_weights: `layer.trainable_weights + layer.non_trainable_weights`.
  - save_model_to_hdf5: root attr "model_config" (JSON) and the weights in group "model_weights".
The weights come from numpy seeds; references are numpy forward passes (Keras' formulas).
"""
import json
import os
import numpy as np
import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261205)


def w(*shape):
    return rng.normal(0, 0.5, size=shape).astype(np.float32)


def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- the models' weights (Keras layouts: Dense [in, out], Conv2D [kh, kw, in, out], LSTM [in, 4u] gates i, f, c, o)
mlp = {
    "dense": [w(4, 8), w(8)],
    "batch_normalization": [1 + w(8) * 0.2, w(8), w(8), 0.5 + np.abs(w(8))],   # gamma, beta, moving_mean, moving_variance
    "dense_1": [w(8, 3), w(3)],
}
cnn = {"conv2d": [w(3, 3, 1, 2), w(2)], "dense": [w(8, 3), w(3)]}
lstm = {"lstm": [w(3, 16), w(4, 16), w(16)], "dense": [w(4, 2), w(2)]}
# Input(4) -> Sequential(BatchNormalization, Dense(8, relu)) -> Dense(3, softmax): a nested model whose
# legacy weight order (trainable first: gamma, beta, kernel, bias, then moving_mean, moving_variance)
# differs from its variables' order.
nested = {"batch_normalization": [1 + w(4) * 0.2, w(4), w(4), 0.5 + np.abs(w(4))], "dense": [w(4, 8), w(8)], "dense_1": [w(8, 3), w(3)]}


def mlp_forward(x):
    k, b = mlp["dense"]
    g, be, mm, mv = mlp["batch_normalization"]
    k2, b2 = mlp["dense_1"]
    h = relu(x @ k + b)
    h = (h - mm) / np.sqrt(mv + 1e-3) * g + be   # BatchNormalization at inference, epsilon 1e-3
    return softmax(h @ k2 + b2)


def nested_forward(x):
    g, be, mm, mv = nested["batch_normalization"]
    k, b = nested["dense"]
    k2, b2 = nested["dense_1"]
    h = (x - mm) / np.sqrt(mv + 1e-3) * g + be
    return softmax(relu(h @ k + b) @ k2 + b2)


def cnn_forward(x):   # x [n, 6, 6, 1]
    k, b = cnn["conv2d"]
    n = x.shape[0]
    y = np.zeros((n, 4, 4, 2), np.float64)
    for i in range(4):
        for j in range(4):
            patch = x[:, i:i + 3, j:j + 3, :]
            y[:, i, j, :] = np.tensordot(patch, k, axes=([1, 2, 3], [0, 1, 2]))
    y = relu(y + b)
    p = y.reshape(n, 2, 2, 2, 2, 2).max(axis=(2, 4))   # MaxPooling2D(2): [n, 2, 2, 2]
    kd, bd = cnn["dense"]
    return softmax(p.reshape(n, 8) @ kd + bd)


def lstm_forward(x):   # x [n, 5, 3]
    k, r, b = lstm["lstm"]
    n = x.shape[0]
    h = np.zeros((n, 4))
    c = np.zeros((n, 4))
    for t in range(x.shape[1]):
        z = x[:, t] @ k + h @ r + b
        i, f, cc, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
        h = sigmoid(o) * np.tanh(c)
    kd, bd = lstm["dense"]
    return h @ kd + bd


def put(group, name, value, chunked):
    if chunked:   # chunks smaller than the data, so several (and clipped edge) chunks are read
        chunks = tuple(max(1, (d + 1) // 2) for d in value.shape)
        group.create_dataset(name, data=value, chunks=chunks, compression="gzip", shuffle=True)
    else:
        group.create_dataset(name, data=value)


def keras3(path, layers, libver, chunked):
    """layers: [(group path under layers/, [values])] in the model's order."""
    with h5py.File(path, "w", libver=libver) as f:
        f.create_group("vars")                       # the model's own (empty) variables
        for name, values in layers:
            vars_ = f.create_group(f"layers/{name}").create_group("vars")
            for i, v in enumerate(values):
                put(vars_, str(i), v, chunked)
        f.create_group("optimizer").create_group("vars")


def keras3_lstm(path, libver, chunked):
    with h5py.File(path, "w", libver=libver) as f:
        f.create_group("vars")
        f.create_group("layers/lstm").create_group("vars")
        cell = f.create_group("layers/lstm/cell").create_group("vars")
        for i, v in enumerate(lstm["lstm"]):
            put(cell, str(i), v, chunked)
        dense = f.create_group("layers/dense").create_group("vars")
        for i, v in enumerate(lstm["dense"]):
            put(dense, str(i), v, chunked)


def legacy(group, layers, chunked, vlen):
    """layers: [(layer name, [(weight name, value)])]; layers without weights have []."""
    names = [n for n, _ in layers]
    group.attrs["layer_names"] = names if vlen else np.array([n.encode("utf8") for n in names])
    group.attrs["backend"] = "tensorflow" if vlen else b"tensorflow"
    group.attrs["keras_version"] = "2.15.0" if vlen else b"2.15.0"
    for name, weights in layers:
        g = group.create_group(name)
        wn = [n for n, _ in weights]
        g.attrs["weight_names"] = (wn if vlen else np.array([n.encode("utf8") for n in wn])) if wn else []
        for n, v in weights:
            put(g, n, v, chunked)


cnn_layers = [
    ("conv2d", [("conv2d/kernel:0", cnn["conv2d"][0]), ("conv2d/bias:0", cnn["conv2d"][1])]),
    ("max_pooling2d", []),
    ("flatten", []),
    ("dense", [("dense/kernel:0", cnn["dense"][0]), ("dense/bias:0", cnn["dense"][1])]),
]
mlp_legacy_layers = [
    ("dense", [("dense/kernel:0", mlp["dense"][0]), ("dense/bias:0", mlp["dense"][1])]),
    ("batch_normalization", [(f"batch_normalization/{n}:0", v) for n, v in zip(["gamma", "beta", "moving_mean", "moving_variance"], mlp["batch_normalization"])]),
    ("dense_1", [("dense_1/kernel:0", mlp["dense_1"][0]), ("dense_1/bias:0", mlp["dense_1"][1])]),
]
mlp3 = [(n, mlp[n]) for n in ["dense", "batch_normalization", "dense_1"]]

keras3(os.path.join(OUT, "mlp.weights.h5"), mlp3, "earliest", False)
keras3(os.path.join(OUT, "mlp_latest.weights.h5"), mlp3, "latest", True)
keras3(os.path.join(OUT, "cnn_chunked.weights.h5"), [("conv2d", cnn["conv2d"]), ("dense", cnn["dense"])], "earliest", True)
keras3_lstm(os.path.join(OUT, "lstm_latest.weights.h5"), "latest", True)
with h5py.File(os.path.join(OUT, "mlp_legacy.h5"), "w") as f:
    legacy(f, mlp_legacy_layers, False, False)
with h5py.File(os.path.join(OUT, "cnn_legacy_chunked.h5"), "w") as f:
    legacy(f, cnn_layers, True, False)


# model.to_json() of tf.keras 2.15 for the two architectures (the layer configs as Keras 2 writes
# them: batch_input_shape, BatchNormalization's axis as a list once built, initializer objects).
def init(name):
    return {"class_name": name, "config": {"seed": None} if name == "GlorotUniform" else {}}


def dense_config(name, units, activation):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation, "use_bias": True,
        "kernel_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"), "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}}


def input_config(shape, name):
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, *shape], "dtype": "float32", "sparse": False, "ragged": False, "name": name}}


def model_config(layers):
    return json.dumps({"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}, "keras_version": "2.15.0", "backend": "tensorflow"})


mlp_config = model_config([
    input_config([4], "dense_input"),
    dense_config("dense", 8, "relu"),
    {"class_name": "BatchNormalization", "config": {
        "name": "batch_normalization", "trainable": True, "dtype": "float32", "axis": [1], "momentum": 0.99, "epsilon": 0.001,
        "center": True, "scale": True, "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
        "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"), "beta_regularizer": None,
        "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}},
    dense_config("dense_1", 3, "softmax"),
])
cnn_config = model_config([
    input_config([6, 6, 1], "conv2d_input"),
    {"class_name": "Conv2D", "config": {
        "name": "conv2d", "trainable": True, "dtype": "float32", "filters": 2, "kernel_size": [3, 3], "strides": [1, 1],
        "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
        "use_bias": True, "kernel_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"),
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
        "bias_constraint": None}},
    {"class_name": "MaxPooling2D", "config": {"name": "max_pooling2d", "trainable": True, "dtype": "float32", "pool_size": [2, 2],
                                              "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}},
    {"class_name": "Flatten", "config": {"name": "flatten", "trainable": True, "dtype": "float32", "data_format": "channels_last"}},
    dense_config("dense", 3, "softmax"),
])

# Whole-model files (save_model_to_hdf5): tf.keras writes model_config as UTF-8 bytes (a fixed-length
# string); the libver='latest' one uses a variable-length string, as Keras 3's legacy writer does.
with h5py.File(os.path.join(OUT, "mlp_model.h5"), "w") as f:
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = b"2.15.0"
    f.attrs["model_config"] = mlp_config.encode("utf8")
    legacy(f.create_group("model_weights"), mlp_legacy_layers, False, False)
with h5py.File(os.path.join(OUT, "cnn_model_latest.h5"), "w", libver="latest") as f:
    f.attrs["model_config"] = cnn_config
    legacy(f.create_group("model_weights"), cnn_layers, True, True)

# A Dense kernel of an absurd size (2**40 rows), never written: the reader must refuse, not allocate.
with h5py.File(os.path.join(OUT, "absurd_dimension.weights.h5"), "w") as f:
    f.create_group("vars")
    v = f.create_group("layers/dense").create_group("vars")
    v.create_dataset("0", shape=(2 ** 40, 8), dtype="f4")
    v.create_dataset("1", data=mlp["dense"][1])
    # Each dimension sane, their product (2**60 elements) not: refused when read.
    f.create_dataset("huge/big", shape=(2 ** 30, 2 ** 30), dtype="f4")


# The nested model, Keras 3: the inner Sequential's layers under its own "layers" group; the outer
# container numbers its own classes (its Dense is "dense", the inner one's too).
with h5py.File(os.path.join(OUT, "nested.weights.h5"), "w") as f:
    f.create_group("vars")
    f.create_group("layers/sequential").create_group("vars")
    for name in ["batch_normalization", "dense"]:
        v = f.create_group(f"layers/sequential/layers/{name}").create_group("vars")
        for i, value in enumerate(nested[name]):
            v.create_dataset(str(i), data=value)
    v = f.create_group("layers/dense").create_group("vars")
    for i, value in enumerate(nested["dense_1"]):
        v.create_dataset(str(i), data=value)
# The nested model, legacy: one layer "sequential" whose weight_names are trainable then non-trainable.
with h5py.File(os.path.join(OUT, "nested_legacy.h5"), "w") as f:
    bn = nested["batch_normalization"]
    legacy(f, [
        ("sequential", [("batch_normalization/gamma:0", bn[0]), ("batch_normalization/beta:0", bn[1]),
                        ("dense/kernel:0", nested["dense"][0]), ("dense/bias:0", nested["dense"][1]),
                        ("batch_normalization/moving_mean:0", bn[2]), ("batch_normalization/moving_variance:0", bn[3])]),
        ("dense_1", [("dense_1/kernel:0", nested["dense_1"][0]), ("dense_1/bias:0", nested["dense_1"][1])]),
    ], False, False)

# 300 members, hard links to one group (so the file stays small): the root group's symbol table
# B-tree grows past one node (level 1), as a model of a few hundred layers does.
with h5py.File(os.path.join(OUT, "many_members.h5"), "w") as f:
    f.create_group("g000")
    for i in range(1, 300):
        f[f"g{i:03d}"] = f["g000"]

# Every element type the reader decodes, one dataset each (values 0..5 minus 2, so signed ones go
# negative), a compact dataset, and a big-endian one the reader must refuse by name.
with h5py.File(os.path.join(OUT, "dtypes.h5"), "w") as f:
    for t in ["f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"]:
        values = np.arange(6).reshape(2, 3) - (2 if t[0] != "u" else 0)
        f.create_dataset(t, data=values.astype("<" + t))
    f.create_dataset("big_endian", data=np.arange(3, dtype=">f4"))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    space = h5py.h5s.create_simple((4,))
    compact = h5py.h5d.create(f.id, b"compact", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
    compact.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([1.5, -2.5, 3.5, 4.0], dtype="<f4"))

# A file with a 512-byte user block: the signature (and the base address) at 512.
keras3_ub = os.path.join(OUT, "mlp_userblock.weights.h5")
with h5py.File(keras3_ub, "w", userblock_size=512) as f:
    f.create_group("vars")
    for name, values in mlp3:
        vars_ = f.create_group(f"layers/{name}").create_group("vars")
        for i, v in enumerate(values):
            vars_.create_dataset(str(i), data=v)

# Nine layers under libver='latest': HDF5 moves the "layers" links into dense storage (a fractal
# heap indexed by a version 2 B-tree), which the reader reads.
with h5py.File(os.path.join(OUT, "dense_links_latest.weights.h5"), "w", libver="latest") as f:
    f.create_group("vars")
    for i in range(9):
        v = f.create_group(f"layers/dense{'' if i == 0 else f'_{i}'}").create_group("vars")
        v.create_dataset("0", data=np.ones((2, 2), np.float32))
        v.create_dataset("1", data=np.zeros(2, np.float32))


def patch_cycle(source, target, node_type):
    """Copies `source`, pointing the first v1 B-tree node of `node_type` (0 group, 1 chunk) at itself."""
    data = bytearray(open(source, "rb").read())
    at = 0
    while True:
        at = data.index(b"TREE", at)
        if data[at + 4] == node_type:
            break
        at += 4
    data[at + 5] = 1                                   # level 1: its children are B-tree nodes
    key = 8 if node_type == 0 else 8 + 8 * 3            # a group key is a heap offset; a chunk key for rank 2
    child = at + 8 + 16 + key                           # after signature, type, level, entries, two siblings
    data[child:child + 8] = at.to_bytes(8, "little")   # the first child is the node itself
    open(target, "wb").write(bytes(data))


patch_cycle(os.path.join(OUT, "mlp.weights.h5"), os.path.join(OUT, "group_btree_cycle.weights.h5"), 0)
# The chunk cycle needs a file whose only chunked dataset has rank 2 (the key size above).
one_chunked = os.path.join(OUT, "one_chunked.tmp")
with h5py.File(one_chunked, "w") as f:
    f.create_group("vars")
    v = f.create_group("layers/dense").create_group("vars")
    v.create_dataset("0", data=mlp["dense"][0], chunks=(2, 4), compression="gzip")
    v.create_dataset("1", data=mlp["dense"][1])
patch_cycle(one_chunked, os.path.join(OUT, "chunk_btree_cycle.weights.h5"), 1)
os.remove(one_chunked)

x_mlp = rng.normal(size=(5, 4)).astype(np.float32)
x_cnn = rng.normal(size=(3, 6, 6, 1)).astype(np.float32)
x_lstm = rng.normal(size=(2, 5, 3)).astype(np.float32)
x_nested = rng.normal(size=(3, 4)).astype(np.float32)
refs = {
    "mlp": {"x": x_mlp.ravel().tolist(), "shape": list(x_mlp.shape), "y": mlp_forward(x_mlp.astype(np.float64)).ravel().tolist()},
    "cnn": {"x": x_cnn.ravel().tolist(), "shape": list(x_cnn.shape), "y": cnn_forward(x_cnn.astype(np.float64)).ravel().tolist()},
    "nested": {"x": x_nested.ravel().tolist(), "shape": list(x_nested.shape), "y": nested_forward(x_nested.astype(np.float64)).ravel().tolist()},
    "lstm": {"x": x_lstm.ravel().tolist(), "shape": list(x_lstm.shape), "y": lstm_forward(x_lstm.astype(np.float64)).ravel().tolist()},
}
with open(os.path.join(OUT, "references.json"), "w") as f:
    json.dump(refs, f)
for name in sorted(os.listdir(OUT)):
    print(name, os.path.getsize(os.path.join(OUT, name)))
