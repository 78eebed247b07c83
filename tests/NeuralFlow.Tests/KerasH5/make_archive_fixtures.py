"""Writes the Keras 3 `.keras` archive fixtures of KerasArchiveTests, a legacy Keras 2 whole-model
.h5 with nested models, and their references.

Run with /usr/bin/python3 (numpy, h5py, torch 1.13 from Debian); the tests read the committed
files in fixtures/ and never run Python. No Keras is installed here: the archive reproduces what
Keras 3's `model.save("x.keras")` writes, following its source (keras/src/saving/saving_lib.py,
serialization_lib.py, models/functional.py, models/sequential.py, optimizers/base_optimizer.py):

* a zip of metadata.json ({"keras_version", "date_saved"}), config.json (serialize_keras_object of
  the model, with "compile_config") and model.weights.h5 (the layers' variables as in
  `save_weights`, then the optimizer's variables under "optimizer/vars": iteration, learning_rate,
  then per trainable variable its slots, interleaved by add_optimizer_variables: m0, v0, m1, v1, ...).
* every object is {"module", "class_name", "config", "registered_name"}, layers also "build_config";
  a functional layer call is {"args": [...], "kwargs": {...}} with tensors as
  {"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history": [layer, call, tensor]}};
  a nested functional model's calls count from 1 (its call 0 built it); input_layers / output_layers
  hold one reference alone for a single tensor.
References: numpy forward passes, and one Adam step of Keras' update rule on torch gradients.
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
rng = np.random.default_rng(20261205 + 3)


def w(*shape):
    return rng.normal(0, 0.5, size=shape).astype(np.float32)


def policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def init(name):
    return {"module": "keras.initializers", "class_name": name, "config": {"seed": None}, "registered_name": None}


def dense(name, units, activation, in_dim):
    return {
        "module": "keras.layers", "class_name": "Dense",
        "config": {"name": name, "trainable": True, "dtype": policy(), "units": units, "activation": activation,
                   "use_bias": True, "kernel_initializer": init("GlorotUniform"), "bias_initializer": init("Zeros"),
                   "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
                   "bias_constraint": None, "quantization_config": None},
        "registered_name": None, "build_config": {"input_shape": [None, in_dim]},
    }


def input_layer(name, dim):
    return {"module": "keras.layers", "class_name": "InputLayer",
            "config": {"batch_shape": [None, dim], "dtype": "float32", "sparse": False, "ragged": False, "name": name, "optional": False},
            "registered_name": None}


def tensor(layer, call, dim):
    return {"class_name": "__keras_tensor__", "config": {"shape": [None, dim], "dtype": "float32", "keras_history": [layer, call, 0]}}


def node(*args):
    return {"args": list(args), "kwargs": {}}


def functional_layer(entry, name, nodes):
    entry = dict(entry)
    entry["name"] = name
    entry["inbound_nodes"] = nodes
    return entry


def write_archive(path, config, weights):
    """weights(h5py.File) fills model.weights.h5."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        weights(f)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in [("metadata.json", json.dumps({"keras_version": "3.12.0", "date_saved": "2026-12-05@08:30:00"})),
                           ("config.json", json.dumps(config)), ("model.weights.h5", buffer.getvalue())]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 5, 8, 30, 0)), data)   # fixed times: the same bytes each run


def put_layers(f, layers):
    """layers: [(group, [values])] in model.layers order; groups as saving_lib names them."""
    f.create_group("vars")
    for group, values in layers:
        g = f.create_group(f"layers/{group}/vars")
        for i, v in enumerate(values):
            g.create_dataset(str(i), data=v)


def put_optimizer(f, iteration, lr, slots):
    g = f.create_group("optimizer/vars")
    g.create_dataset("0", data=np.int64(iteration))
    g.create_dataset("1", data=np.float32(lr))
    for i, s in enumerate(slots):
        g.create_dataset(str(i + 2), data=s)


# ---- 1. Sequential Dense(8, tanh) -> BatchNormalization -> Dense(3) logits, Adam state after 7 steps
seq = {"dense": [w(4, 8), w(8)],
       "batch_normalization": [1 + w(8) * 0.2, w(8), w(8), 0.5 + np.abs(w(8))],
       "dense_1": [w(8, 3), w(3)]}
trainable = [seq["dense"][0], seq["dense"][1], seq["batch_normalization"][0], seq["batch_normalization"][1],
             seq["dense_1"][0], seq["dense_1"][1]]
adam_m = [w(*t.shape) * 0.1 for t in trainable]
adam_v = [np.abs(w(*t.shape)) * 0.01 for t in trainable]
ITER, LR, B1, B2, EPS = 7, 0.01, 0.9, 0.999, 1e-7

bn = {"module": "keras.layers", "class_name": "BatchNormalization",
      "config": {"name": "batch_normalization", "trainable": True, "dtype": policy(), "axis": -1, "momentum": 0.99,
                 "epsilon": 0.001, "center": True, "scale": True, "beta_initializer": init("Zeros"),
                 "gamma_initializer": init("Ones"), "moving_mean_initializer": init("Zeros"),
                 "moving_variance_initializer": init("Ones"), "beta_regularizer": None, "gamma_regularizer": None,
                 "beta_constraint": None, "gamma_constraint": None, "synchronized": False},
      "registered_name": None, "build_config": {"input_shape": [None, 8]}}
seq_config = {
    "module": "keras", "class_name": "Sequential",
    "config": {"name": "sequential", "trainable": True, "dtype": policy(),
               "layers": [input_layer("input_layer", 4), dense("dense", 8, "tanh", 4), bn, dense("dense_1", 3, "linear", 8)],
               "build_input_shape": [None, 4]},
    "registered_name": None, "build_config": {"input_shape": [None, 4]},
    "compile_config": {
        "optimizer": {"module": "keras.optimizers", "class_name": "Adam",
                      "config": {"name": "adam", "learning_rate": LR, "weight_decay": None, "clipnorm": None,
                                 "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                                 "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                 "gradient_accumulation_steps": None, "beta_1": B1, "beta_2": B2, "epsilon": EPS,
                                 "amsgrad": False},
                      "registered_name": None},
        "loss": {"module": "keras.losses", "class_name": "SparseCategoricalCrossentropy",
                 "config": {"name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size",
                            "dtype": None, "from_logits": True, "ignore_class": None},
                 "registered_name": None},
        "loss_weights": None, "metrics": ["accuracy"], "weighted_metrics": None, "run_eagerly": False,
        "steps_per_execution": 1, "jit_compile": False},
}
slots = [s for pair in zip(adam_m, adam_v) for s in pair]
write_archive(os.path.join(OUT, "sequential_adam.keras"), seq_config,
              lambda f: (put_layers(f, [("dense", seq["dense"]), ("batch_normalization", seq["batch_normalization"]),
                                        ("dense_1", seq["dense_1"])]),
                         put_optimizer(f, ITER, LR, slots)))

x_seq = w(5, 4)
y_seq = np.array([0, 2, 1, 2, 0], np.int64)


def seq_predict(x):
    k, b = seq["dense"]
    g, be, mm, mv = seq["batch_normalization"]
    k2, b2 = seq["dense_1"]
    h = np.tanh(x.astype(np.float64) @ k + b)
    h = (h - mm) / np.sqrt(mv + 1e-3) * g + be
    return h @ k2 + b2


# One train_on_batch: training-mode BatchNormalization (batch mean, biased variance, epsilon 1e-3),
# mean sparse cross-entropy on logits, then Keras 3's Adam update_step at local_step = ITER + 1.
params = [torch.tensor(t.astype(np.float64), requires_grad=True) for t in trainable]
k, b, g, be, k2, b2 = params
h = torch.tanh(torch.tensor(x_seq.astype(np.float64)) @ k + b)
mean, var = h.mean(0), h.var(0, unbiased=False)
h = (h - mean) / torch.sqrt(var + 1e-3) * g + be
loss = torch.nn.functional.cross_entropy(h @ k2 + b2, torch.tensor(y_seq))
loss.backward()
step = ITER + 1
alpha = LR * np.sqrt(1 - B2 ** step) / (1 - B1 ** step)
after = []
for p, m, v in zip(params, adam_m, adam_v):
    grad = p.grad.numpy()
    m = m + (grad - m) * (1 - B1)
    v = v + (grad * grad - v) * (1 - B2)
    after.append(p.detach().numpy() - alpha * m / (np.sqrt(v) + EPS))

# The same model with other optimizer states: plain SGD (momentum 0: no slots, only iteration and
# learning_rate; Keras' step is w -= lr * g) after 4 steps, and Adam compiled but never trained (an
# unbuilt optimizer saves only iteration = 0 and learning_rate, no slots).
SGD_LR = 0.1
after_sgd = [p.detach().numpy() - SGD_LR * p.grad.numpy() for p in params]


def with_optimizer(optimizer):
    config = json.loads(json.dumps(seq_config))
    config["compile_config"]["optimizer"] = optimizer
    return config


def seq_weights(iteration, lr):
    return lambda f: (put_layers(f, [("dense", seq["dense"]), ("batch_normalization", seq["batch_normalization"]),
                                     ("dense_1", seq["dense_1"])]),
                      put_optimizer(f, iteration, lr, []))


sgd = {"module": "keras.optimizers", "class_name": "SGD",
       "config": {"name": "SGD", "learning_rate": SGD_LR, "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None, "momentum": 0.0, "nesterov": False},
       "registered_name": None}
write_archive(os.path.join(OUT, "sequential_sgd.keras"), with_optimizer(sgd), seq_weights(4, SGD_LR))
write_archive(os.path.join(OUT, "sequential_adam_untrained.keras"), seq_config, seq_weights(0, LR))

# ---- 2. Functional: two inputs, a nested functional model, a shared layer, two outputs; SGD momentum state
fn = {"dense_b": [w(2, 1), w(1)], "proj": [w(2, 3), w(3)], "shared": [w(3, 3), w(3)],
      "inner_dense": [w(4, 4), w(4)], "out": [w(4, 2), w(2)], "aux": [w(3, 1), w(1)]}
inner = {
    "module": "keras.src.models.functional", "class_name": "Functional",
    "config": {"name": "inner", "trainable": True,
               "layers": [functional_layer(input_layer("inner_in", 4), "inner_in", []),
                          functional_layer(dense("inner_dense", 4, "relu", 4), "inner_dense", [node(tensor("inner_in", 0, 4))])],
               "input_layers": ["inner_in", 0, 0], "output_layers": ["inner_dense", 0, 0]},
    "registered_name": "Functional", "build_config": {"input_shape": [None, 4]},
}
concat = {"module": "keras.layers", "class_name": "Concatenate",
          "config": {"name": "concatenate", "trainable": True, "dtype": policy(), "axis": -1},
          "registered_name": None, "build_config": {"input_shape": [[None, 3], [None, 1]]}}
add = {"module": "keras.layers", "class_name": "Add", "config": {"name": "add", "trainable": True, "dtype": policy()},
       "registered_name": None, "build_config": {"input_shape": [[None, 3], [None, 3]]}}
# Keras' model.layers (and so the weight groups' numbering per class) follows this order.
# Keras' map_graph order for this graph: by depth from the outputs (b 4; a, dense_b, proj 3;
# concatenate, shared 2; inner, add 1; out, aux 0), ties by first reach from the outputs.
fn_layers = [
    functional_layer(input_layer("b", 2), "b", []),
    functional_layer(input_layer("a", 3), "a", []),
    functional_layer(dense("dense_b", 1, "linear", 2), "dense_b", [node(tensor("b", 0, 2))]),
    functional_layer(dense("proj", 3, "linear", 2), "proj", [node(tensor("b", 0, 2))]),
    functional_layer(concat, "concatenate", [node([tensor("a", 0, 3), tensor("dense_b", 0, 1)])]),
    functional_layer(dense("shared", 3, "linear", 3), "shared", [node(tensor("a", 0, 3)), node(tensor("proj", 0, 3))]),
    functional_layer(inner, "inner", [node(tensor("concatenate", 0, 4))]),
    functional_layer(add, "add", [node([tensor("shared", 0, 3), tensor("shared", 1, 3)])]),
    functional_layer(dense("out", 2, "linear", 4), "out", [node(tensor("inner", 1, 4))]),
    functional_layer(dense("aux", 1, "linear", 3), "aux", [node(tensor("add", 0, 3))]),
]
fn_config = {
    "module": "keras.src.models.functional", "class_name": "Functional",
    "config": {"name": "two_heads", "trainable": True, "layers": fn_layers,
               "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["out", 0, 0], ["aux", 0, 0]]},
    "registered_name": "Functional", "build_config": {"input_shape": [[None, 3], [None, 2]]},
    "compile_config": {
        "optimizer": {"module": "keras.optimizers", "class_name": "SGD",
                      "config": {"name": "SGD", "learning_rate": 0.05, "weight_decay": None, "clipnorm": None,
                                 "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                                 "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                 "gradient_accumulation_steps": None, "momentum": 0.9, "nesterov": False},
                      "registered_name": None},
        "loss": {"out": "mse", "aux": {"module": "keras.losses", "class_name": "MeanAbsoluteError",
                                       "config": {"name": "mean_absolute_error", "reduction": "sum_over_batch_size", "dtype": None},
                                       "registered_name": None}},
        "loss_weights": {"out": 1.0, "aux": 0.5}, "metrics": {"out": ["mae"]}, "weighted_metrics": None,
        "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False},
}
# Weight groups: model.layers without inputs, named by class per container: Dense layers dense,
# dense_1, ... in order; the nested model "functional" with its own "layers/dense".
fn_trainable = [fn["dense_b"], fn["proj"], fn["shared"], fn["inner_dense"], fn["out"], fn["aux"]]
momenta = [w(*t.shape) * 0.1 for pair in fn_trainable for t in pair]


def fn_weights(f):
    f.create_group("vars")
    for group, values in [("dense", fn["dense_b"]), ("dense_1", fn["proj"]), ("concatenate", []), ("dense_2", fn["shared"]),
                          ("add", []), ("dense_3", fn["out"]), ("dense_4", fn["aux"])]:
        g = f.create_group(f"layers/{group}/vars")
        for i, v in enumerate(values):
            g.create_dataset(str(i), data=v)
    f.create_group("layers/functional/vars")
    g = f.create_group("layers/functional/layers/dense/vars")
    for i, v in enumerate(fn["inner_dense"]):
        g.create_dataset(str(i), data=v)
    # trainable_variables follow model.layers: dense_b, proj, shared, inner, out, aux
    put_optimizer(f, 3, 0.05, momenta)


write_archive(os.path.join(OUT, "functional_two_heads.keras"), fn_config, fn_weights)

xa, xb = w(4, 3), w(4, 2)
y_out, y_aux = w(4, 2), w(4, 1)


def lin(x, p):
    return x.astype(np.float64) @ p[0] + p[1]


def fn_predict(a, b):
    cat = np.concatenate([a, lin(b, fn["dense_b"])], -1)
    h = np.maximum(lin(cat, fn["inner_dense"]), 0)
    aux = lin(lin(a, fn["shared"]) + lin(lin(b, fn["proj"]), fn["shared"]), fn["aux"])
    return lin(h, fn["out"]), aux


p_out, p_aux = fn_predict(xa, xb)
fn_loss = np.mean((p_out - y_out) ** 2) + 0.5 * np.mean(np.abs(p_aux - y_aux))

# One train_on_batch from the saved momenta: Keras 3's SGD update_step, m = m * momentum - lr * g; w += m,
# on torch gradients of mse(out) + 0.5 * mae(aux). Variables in trainable_variables order.
tp = {k: [torch.tensor(v.astype(np.float64), requires_grad=True) for v in vals] for k, vals in fn.items()}
ta, tb = torch.tensor(xa.astype(np.float64)), torch.tensor(xb.astype(np.float64))


def tlin(x, p):
    return x @ p[0] + p[1]


t_out = tlin(torch.relu(tlin(torch.cat([ta, tlin(tb, tp["dense_b"])], -1), tp["inner_dense"])), tp["out"])
t_aux = tlin(tlin(ta, tp["shared"]) + tlin(tlin(tb, tp["proj"]), tp["shared"]), tp["aux"])
t_loss = ((t_out - torch.tensor(y_out.astype(np.float64))) ** 2).mean() + 0.5 * (t_aux - torch.tensor(y_aux.astype(np.float64))).abs().mean()
t_loss.backward()
order = [p for k in ["dense_b", "proj", "shared", "inner_dense", "out", "aux"] for p in tp[k]]
fn_after = [(p.detach().numpy() + (m * 0.9 - 0.05 * p.grad.numpy())).ravel().tolist() for p, m in zip(order, momenta)]

# ---- 3. A legacy Keras 2 whole-model .h5 (tf.keras 2.15 save_model_to_hdf5) of a functional model
# holding a nested functional model and a nested Sequential built from an InputLayer. tf.keras 2's
# functional get_config counts the calls of such nested models from 1 (_should_skip_first_node: a
# Functional, Sequential included, whose first tracked layer is an InputLayer, starts with the node
# that built it), so "inner" and "seq" are called as [name, 1, 0].
nest = {"pre": [w(3, 4), w(4)], "inner_dense": [w(4, 2), w(2)], "seq_dense": [w(2, 2), w(2)], "last": [w(2, 1), w(1)]}


def k2_input(name, dim):
    return {"class_name": "InputLayer", "config": {"batch_input_shape": [None, dim], "dtype": "float32", "sparse": False,
                                                     "ragged": False, "name": name}}


def k2_dense(name, units, activation):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                                              "activation": activation, "use_bias": True,
                                              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                                              "bias_initializer": {"class_name": "Zeros", "config": {}},
                                              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                                              "kernel_constraint": None, "bias_constraint": None}}


def k2_call(entry, name, nodes):
    entry = dict(entry)
    entry["name"] = name
    entry["inbound_nodes"] = nodes
    return entry


k2_inner = k2_call({"class_name": "Functional", "config": {
    "name": "inner", "trainable": True,
    "layers": [k2_call(k2_input("inner_in", 4), "inner_in", []),
               k2_call(k2_dense("inner_dense", 2, "relu"), "inner_dense", [[["inner_in", 0, 0, {}]]])],
    "input_layers": [["inner_in", 0, 0]], "output_layers": [["inner_dense", 0, 0]]}}, "inner", [[["pre", 0, 0, {}]]])
k2_seq = k2_call({"class_name": "Sequential", "config": {
    "name": "seq", "layers": [k2_input("seq_in", 2), k2_dense("seq_dense", 2, "tanh")]}}, "seq", [[["inner", 1, 0, {}]]])
k2_config = json.dumps({"class_name": "Functional", "config": {
    "name": "nested", "trainable": True,
    "layers": [k2_call(k2_input("x", 3), "x", []), k2_call(k2_dense("pre", 4, "relu"), "pre", [[["x", 0, 0, {}]]]),
               k2_inner, k2_seq, k2_call(k2_dense("last", 1, "linear"), "last", [[["seq", 1, 0, {}]]])],
    "input_layers": [["x", 0, 0]], "output_layers": [["last", 0, 0]]}, "keras_version": "2.15.0", "backend": "tensorflow"})
with h5py.File(os.path.join(OUT, "nested_functional_model.h5"), "w") as f:
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = b"2.15.0"
    f.attrs["model_config"] = k2_config.encode("utf8")
    g = f.create_group("model_weights")
    layers = [("x", []), ("pre", [("pre", nest["pre"])]), ("inner", [("inner_dense", nest["inner_dense"])]),
              ("seq", [("seq_dense", nest["seq_dense"])]), ("last", [("last", nest["last"])])]
    g.attrs["layer_names"] = np.array([n.encode("utf8") for n, _ in layers])
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = b"2.15.0"
    for name, weights in layers:
        lg = g.create_group(name)
        names = [f"{owner}/{kind}:0" for owner, _ in weights for kind in ("kernel", "bias")]
        lg.attrs["weight_names"] = np.array([n.encode("utf8") for n in names]) if names else []
        for (owner, (kernel, bias)) in weights:
            lg.create_dataset(f"{owner}/kernel:0", data=kernel)
            lg.create_dataset(f"{owner}/bias:0", data=bias)
x_nest = w(3, 3)
nest_y = lin(np.tanh(lin(np.maximum(lin(np.maximum(lin(x_nest, nest["pre"]), 0), nest["inner_dense"]), 0), nest["seq_dense"])), nest["last"])

refs = {
    "sequential": {"x": x_seq.ravel().tolist(), "y": y_seq.tolist(), "predict": seq_predict(x_seq).ravel().tolist(),
                   "after_step": [a.ravel().tolist() for a in after], "after_sgd_step": [a.ravel().tolist() for a in after_sgd]},
    "functional": {"a": xa.ravel().tolist(), "b": xb.ravel().tolist(), "y_out": y_out.ravel().tolist(),
                   "y_aux": y_aux.ravel().tolist(), "out": p_out.ravel().tolist(), "aux": p_aux.ravel().tolist(),
                   "loss": fn_loss, "out_mae": float(np.mean(np.abs(p_out - y_out))), "after_step": fn_after},
    "legacy_nested": {"x": x_nest.ravel().tolist(), "y": nest_y.ravel().tolist()},
}
with open(os.path.join(OUT, "archives.json"), "w") as f:
    json.dump(refs, f)
print("wrote", sorted(n for n in os.listdir(OUT) if n.endswith(".keras")), "nested_functional_model.h5")
