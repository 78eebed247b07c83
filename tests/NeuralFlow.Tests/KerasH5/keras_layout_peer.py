"""Reads a file NeuralFlow wrote in one of Keras' layouts the way Keras does, with h5py (libhdf5)
and numpy only (no Keras is installed here), and prints the predictions of the MLP
Input(4) -> Dense(relu) -> BatchNormalization -> Dense(softmax) for the inputs given as JSON.

usage: keras_layout_peer.py MODE PATH X_JSON
  keras3_weights  a .weights.h5 (keras/src/saving/saving_lib.py: layers/<snake_case class>[_n]/vars/<i>)
  legacy_weights  a Keras 2 .h5 of save_weights (legacy_h5_format: layer_names, weight_names)
  legacy_model    a Keras 2 whole-model .h5 (model_config JSON, weights under model_weights)
  keras_archive   a .keras zip (metadata.json, config.json in Keras 3's form, model.weights.h5)
Prints {"y": [...], ...} with what was read on the way.
"""
import io
import json
import re
import sys
import zipfile

import h5py
import numpy as np


def snake(name):
    # keras.src.utils.naming.to_snake_case
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def forward(x, layers):
    """layers: [(class_name, config, [weights])] without the InputLayer."""
    for cls, cfg, w in layers:
        if cls == "Dense":
            x = x @ w[0] + w[1]
            act = cfg.get("activation", "linear")
            if act == "relu":
                x = np.maximum(x, 0)
            elif act == "softmax":
                e = np.exp(x - x.max(axis=-1, keepdims=True))
                x = e / e.sum(axis=-1, keepdims=True)
            elif act not in ("linear", None):
                raise SystemExit(f"activation {act} not in this peer")
        elif cls == "BatchNormalization":
            gamma, beta, mean, var = w
            x = (x - mean) / np.sqrt(var + cfg.get("epsilon", 1e-3)) * gamma + beta
        else:
            raise SystemExit(f"layer {cls} not in this peer")
    return x


def keras3_groups(f, classes):
    # Keras 3 names each layer's group by its class, numbered per class in model order.
    seen = {}
    out = []
    for cls in classes:
        base = snake(cls)
        n = seen.get(base, -1) + 1
        seen[base] = n
        group = f["layers"][base if n == 0 else f"{base}_{n}"]
        v = group["vars"]
        out.append([v[str(i)][()] for i in range(len(v))])
    return out


def legacy_weights(g):
    names = [n.decode("utf8") if hasattr(n, "decode") else n for n in g.attrs["layer_names"]]
    out = []
    for name in names:
        wn = [n.decode("utf8") if hasattr(n, "decode") else n for n in g[name].attrs["weight_names"]]
        if wn:
            out.append([g[name][w][()] for w in wn])
    return names, out


MLP = ["Dense", "BatchNormalization", "Dense"]


def main():
    mode, path, x = sys.argv[1], sys.argv[2], np.array(json.loads(sys.argv[3]), dtype=np.float32)
    info = {}
    if mode == "keras3_weights":
        with h5py.File(path, "r") as f:
            weights = keras3_groups(f, MLP)
        layers = [("Dense", {"activation": "relu"}, weights[0]), ("BatchNormalization", {}, weights[1]),
                  ("Dense", {"activation": "softmax"}, weights[2])]
    elif mode == "legacy_weights":
        with h5py.File(path, "r") as f:
            info["layer_names"], weights = legacy_weights(f)
            info["keras_version"] = str(f.attrs["keras_version"])
        layers = [("Dense", {"activation": "relu"}, weights[0]), ("BatchNormalization", {}, weights[1]),
                  ("Dense", {"activation": "softmax"}, weights[2])]
    elif mode == "legacy_model":
        with h5py.File(path, "r") as f:
            config = f.attrs["model_config"]
            config = json.loads(config.decode("utf8") if hasattr(config, "decode") else config)
            info["keras_version"] = f.attrs["keras_version"]
            names, weights = legacy_weights(f["model_weights"])
        info["class_name"] = config["class_name"]
        entries = [l for l in config["config"]["layers"] if l["class_name"] != "InputLayer"]
        layers = [(l["class_name"], l["config"], w) for l, w in zip(entries, weights)]
    elif mode == "keras_archive":
        with zipfile.ZipFile(path) as z:
            metadata = json.loads(z.read("metadata.json"))
            config = json.loads(z.read("config.json"))
            info["keras_version"] = metadata["keras_version"]
            info["module"] = config["module"]
            info["class_name"] = config["class_name"]
            entries = [l for l in config["config"]["layers"] if l["class_name"] != "InputLayer"]
            info["layer_modules"] = sorted({l["module"] for l in entries})
            compile_config = config.get("compile_config") or {}
            info["optimizer"] = (compile_config.get("optimizer") or {}).get("class_name")
            info["loss"] = (compile_config.get("loss") or {}).get("class_name")
            with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
                weights = keras3_groups(f, [l["class_name"] for l in entries])
                opt = f.get("optimizer/vars")
                info["optimizer_vars"] = 0 if opt is None else len(opt)
                info["iterations"] = None if opt is None else int(opt["0"][()])
        layers = [(l["class_name"], l["config"], w) for l, w in zip(entries, weights)]
    else:
        raise SystemExit(f"unknown mode {mode}")
    info["y"] = forward(x, layers).reshape(-1).tolist()
    print(json.dumps(info))


main()
