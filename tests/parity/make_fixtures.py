#!/usr/bin/python3
"""Produces the PyTorch parity fixtures of NeuralFlow (issue 3).

Run with Debian's PyTorch (python3-torch, python3-numpy):

    /usr/bin/python3 tests/parity/make_fixtures.py

It writes one JSON file per scenario to tests/NeuralFlow.Tests/Parity/fixtures/. Each holds the
hyperparameters, the initial weights (flat float32 lists with their shapes), the data order
(a permutation of the first 2,560 training images of the embedded MNIST sample) and the loss
of the forward pass of each of the first 50 steps, recorded before that step's update.

Batch b (b = 0..49) is made of the images perm[(b * 256 + j) % 2560], j = 0..255. Images are
the IDX bytes / 255 as float32, flattened to 784. Everything is computed in float32 exactly
as NeuralFlow's layers do: y = x @ W + b with W of shape [in, out]. Losses and optimizers
follow Keras (and so NeuralFlow), not PyTorch's own conventions:
  - probability losses renormalise p / sum(p), clip to [1e-7, 1 - 1e-7], then take the log;
  - Adam is Keras' form, w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + 1e-7),
    written here by hand (torch.optim.Adam puts epsilon elsewhere).
CI has no PyTorch: the fixtures are committed and the xunit tests only read them.
"""
import gzip
import json
import math
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(REPO, "src", "NeuralFlow", "Data", "Resources", "mnist-sample")  # the embedded sample
OUT = os.path.join(REPO, "tests", "NeuralFlow.Tests", "Parity", "fixtures")

N_IMAGES = 2560
BATCH = 256
STEPS = 50
EPSILON = 1e-7  # Keras' backend epsilon
SEED = 20240603


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">i", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "i" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_data():
    images = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:N_IMAGES]
    labels = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[:N_IMAGES]
    x = torch.from_numpy((images.reshape(N_IMAGES, 784).astype(np.float32) / np.float32(255)))
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def glorot_uniform(rng, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(np.float32)


def dense_params(rng, sizes):
    """[(W [in, out], b [out])] per layer; biases small but non-zero so that they are checked too."""
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = glorot_uniform(rng, fan_in, fan_out)
        b = rng.uniform(-0.01, 0.01, size=(fan_out,)).astype(np.float32)
        layers.append((w, b))
    return layers


def batch_indices(perm, step):
    start = step * BATCH
    return torch.from_numpy(perm[np.arange(start, start + BATCH) % N_IMAGES].astype(np.int64))


def keras_log_probs(p):
    """Keras: renormalise, clip to [eps, 1 - eps], log."""
    p = p / p.sum(dim=-1, keepdim=True)
    return torch.log(torch.clamp(p, EPSILON, 1.0 - EPSILON))


def categorical_crossentropy(one_hot, probs):
    return (-(one_hot * keras_log_probs(probs)).sum(dim=-1)).mean()


def sparse_categorical_crossentropy(labels, probs):
    return (-keras_log_probs(probs).gather(1, labels.unsqueeze(1)).squeeze(1)).mean()


def sparse_categorical_crossentropy_from_logits(labels, logits):
    return torch.nn.functional.cross_entropy(logits, labels)


class SGD:
    def __init__(self, lr):
        self.lr = lr

    def step(self, params, grads):
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(self.lr * g)


class KerasAdam:
    """NeuralFlow's (Keras') Adam, step t from 1."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, epsilon=EPSILON):
        self.lr, self.beta1, self.beta2, self.epsilon = lr, beta1, beta2, epsilon
        self.t = 0
        self.slots = {}

    def step(self, params, grads):
        self.t += 1
        alpha = self.lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        with torch.no_grad():
            for p, g in zip(params, grads):
                m, v = self.slots.setdefault(id(p), (torch.zeros_like(p), torch.zeros_like(p)))
                m.copy_(self.beta1 * m + (1 - self.beta1) * g)
                v.copy_(self.beta2 * v + (1 - self.beta2) * torch.square(g))
                p.sub_(alpha * m / (torch.sqrt(v) + self.epsilon))


def forward(params, x, activations):
    h = x
    for i, act in enumerate(activations):
        h = h @ params[2 * i] + params[2 * i + 1]
        if act == "relu":
            h = torch.relu(h)
        elif act == "softmax":
            h = torch.softmax(h, dim=-1)
        elif act is not None:
            raise ValueError(act)
    return h


def run(name, description, sizes, activations, loss, optimizer, hyper, rng, perm, x, y):
    layers = dense_params(rng, sizes)
    params = []
    for w, b in layers:
        params += [torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)]
    losses = []
    for step in range(STEPS):
        idx = batch_indices(perm, step)
        xb, yb = x[idx], y[idx]
        out = forward(params, xb, activations)
        if loss == "categorical_crossentropy":
            value = categorical_crossentropy(torch.nn.functional.one_hot(yb, 10).to(torch.float32), out)
        elif loss == "sparse_categorical_crossentropy":
            value = sparse_categorical_crossentropy(yb, out)
        elif loss == "sparse_categorical_crossentropy_from_logits":
            value = sparse_categorical_crossentropy_from_logits(yb, out)
        else:
            raise ValueError(loss)
        assert value.dtype == torch.float32
        grads = torch.autograd.grad(value, params)
        losses.append(f32(value.item()))
        optimizer.step(params, grads)
    fixture = {
        "name": name,
        "description": description,
        "generator": f"tests/parity/make_fixtures.py, torch {torch.__version__}, numpy {np.__version__}",
        "images": N_IMAGES,
        "batch_size": BATCH,
        "steps": STEPS,
        "layers": [
            {
                "units": int(w.shape[1]),
                "activation": act,
                "kernel_shape": list(w.shape),
                "kernel": [f32(v) for v in w.reshape(-1)],
                "bias": [f32(v) for v in b],
            }
            for (w, b), act in zip(layers, activations)
        ],
        "loss": loss,
        "optimizer": hyper,
        "permutation": [int(i) for i in perm],
        "losses": losses,
    }
    path = os.path.join(OUT, f"{name}.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"{name}: loss {losses[0]:.4f} -> {losses[-1]:.4f}, {os.path.getsize(path):,} bytes")


def f32(v):
    """The shortest decimal that reads back as the same float32 (C# float.Parse gives the same bits)."""
    return float(str(np.float32(v)))


def main():
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    x, y = load_data()
    rng = np.random.default_rng(SEED)
    perm = rng.permutation(N_IMAGES)
    run("logistic_regression_sgd",
        "Workshop section 4: one Dense 784->10, softmax, categorical cross-entropy on one-hot labels, SGD.",
        [784, 10], ["softmax"], "categorical_crossentropy",
        SGD(0.5), {"name": "sgd", "learning_rate": 0.5}, rng, perm, x, y)
    run("mlp_sgd",
        "Workshop section 5: Dense 50 relu, Dense 10 softmax, sparse categorical cross-entropy, SGD.",
        [784, 50, 10], ["relu", "softmax"], "sparse_categorical_crossentropy",
        SGD(0.1), {"name": "sgd", "learning_rate": 0.1}, rng, perm, x, y)
    run("mlp_adam",
        "The same MLP with Keras' Adam (epsilon 1e-7 outside the square root, bias-corrected step size).",
        [784, 50, 10], ["relu", "softmax"], "sparse_categorical_crossentropy",
        KerasAdam(0.001), {"name": "adam", "learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": EPSILON},
        rng, perm, x, y)
    run("logits_sgd",
        "Dense 784->10 producing logits, sparse categorical cross-entropy from logits, SGD.",
        [784, 10], [None], "sparse_categorical_crossentropy_from_logits",
        SGD(0.5), {"name": "sgd", "learning_rate": 0.5}, rng, perm, x, y)


if __name__ == "__main__":
    main()
