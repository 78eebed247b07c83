# Reference values for CoreLogisticRegressionTests and CoreMlpTests: TensorFlow's Core API guides
# guide/core/logistic_regression_core.ipynb and guide/core/mlp_core.ipynb, computed with PyTorch 1.13 (float32).
# Run: /usr/bin/python3 coremlp_references.py
#
# Logistic regression: the Wisconsin table is a download, so a synthetic table of its layout stands in (569 rows;
# for each of 10 measurements its mean, standard error and largest value, 30 features; diagnosis 1 for malignant),
# every value from the formulas below. The guide's dataset.sample(frac=0.75, random_state=1) is the fixed permutation
# (263 i + 17) mod 569: its first 427 rows, in that order, train; the rest, in table order, test. The datasets are
# unshuffled, and the random initial weights are w_k = 0.5 + 0.45 sin(1.7 k + 0.3), b = 0.6 (in [0, 1) as the guide's
# tf.random.uniform). SGD 0.01 on batches of 64 for 200 epochs, as the guide.
#
# MLP: the library's embedded MNIST sample (src/NeuralFlow/Data/Resources/mnist-sample), train rows 256..1279 train
# and rows 0..255 validate (the guide's train[10000:] / train[0:10000] split, scaled down), the sample's 2000 test
# digits test; batches of 128, unshuffled; the guide's 784-700-500-10 MLP whose xavier_init draws
# lim (2 u - 1), lim = sqrt(6) / sqrt(in + out), u a hash of the weight's index (Hash below) instead of a random draw;
# the guide's hand-written Adam (t counted in float32, as the C# keeps it in a variable); 3 epochs.
import gzip
import math
import os

import numpy as np
import torch

torch.set_printoptions(precision=7)
HERE = os.path.dirname(os.path.abspath(__file__))


def fl(values):
    return "[" + ", ".join(f"{v:.7g}f" for v in values) + "]"


# ---------------------------------------------------------------- logistic regression
ROWS, TRAIN_ROWS = 569, 427
SCALES = [14.1, 19.3, 92.0, 655.0, 0.096, 0.104, 0.089, 0.049, 0.181, 0.063]


def wisconsin_row(i):
    # The latent severity decides the diagnosis; a second sine makes the classes overlap.
    s = math.sin(0.7 * i) + 0.5 * math.cos(1.3 * i)
    label = 1.0 if s + 0.6 * math.sin(5.1 * i) > 0.3 else 0.0
    feats = [0.0] * 30
    for k in range(10):
        mean = SCALES[k] * (1 + 0.3 * s + 0.1 * math.sin(0.11 * i * (k + 1) + k))
        feats[k] = mean
        feats[10 + k] = 0.1 * SCALES[k] * (1 + 0.2 * math.cos(0.5 * i + k))
        feats[20 + k] = mean * (1.3 + 0.1 * math.sin(0.9 * i + 2 * k))
    return feats, label


table = [wisconsin_row(i) for i in range(ROWS)]
perm = [(263 * i + 17) % ROWS for i in range(ROWS)]
train_idx = perm[:TRAIN_ROWS]
test_idx = sorted(perm[TRAIN_ROWS:])
x_train = torch.tensor([table[i][0] for i in train_idx], dtype=torch.float32)
y_train = torch.tensor([table[i][1] for i in train_idx], dtype=torch.float32)
x_test = torch.tensor([table[i][0] for i in test_idx], dtype=torch.float32)
y_test = torch.tensor([table[i][1] for i in test_idx], dtype=torch.float32)
mean, std = x_train.mean(0), x_train.std(0, unbiased=False)
x_train_norm, x_test_norm = (x_train - mean) / std, (x_test - mean) / std
w = torch.tensor([[0.5 + 0.45 * math.sin(1.7 * k + 0.3)] for k in range(30)], dtype=torch.float32, requires_grad=True)
b = torch.tensor(0.6, dtype=torch.float32, requires_grad=True)


def log_reg(x, train=True):
    z = (x @ w + b).squeeze(1)
    return z if train else torch.sigmoid(z)


def log_loss(y_pred, y):
    return torch.nn.functional.binary_cross_entropy_with_logits(y_pred, y)


def predict_class(y_pred, thresh=0.5):
    return (y_pred > thresh).float()


def accuracy(y_pred, y):
    return (predict_class(torch.sigmoid(y_pred)) == y).float().mean()


print("logistic: train labels malignant", int(y_train.sum().item()), "test malignant", int(y_test.sum().item()))
with torch.no_grad():
    print("logistic: untrained y_pred[:5]", fl(log_reg(x_train_norm[:5], train=False).tolist()))
losses = {"train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}
for epoch in range(200):
    bl, ba = [], []
    for s in range(0, TRAIN_ROWS, 64):
        xb, yb = x_train_norm[s:s + 64], y_train[s:s + 64]
        z = log_reg(xb)
        loss = log_loss(z, yb)
        acc = accuracy(z.detach(), yb)
        gw, gb = torch.autograd.grad(loss, [w, b])
        with torch.no_grad():
            w -= 0.01 * gw
            b -= 0.01 * gb
        bl.append(loss.item())
        ba.append(acc.item())
    with torch.no_grad():
        tl, ta = [], []
        for s in range(0, ROWS - TRAIN_ROWS, 64):
            z = log_reg(x_test_norm[s:s + 64])
            tl.append(log_loss(z, y_test[s:s + 64]).item())
            ta.append(accuracy(z, y_test[s:s + 64]).item())
    losses["train_loss"].append(np.mean(np.float32(bl)))
    losses["train_acc"].append(np.mean(np.float32(ba)))
    losses["test_loss"].append(np.mean(np.float32(tl)))
    losses["test_acc"].append(np.mean(np.float32(ta)))
every20 = list(range(0, 200, 20)) + [199]
for key, values in losses.items():
    print(f"logistic: {key} at epochs {every20}", fl([values[e] for e in every20]))
with torch.no_grad():
    train_classes = predict_class(log_reg(x_train_norm, train=False))
    test_classes = predict_class(log_reg(x_test_norm, train=False))
    for name, y, c in [("train", y_train, train_classes), ("test", y_test, test_classes)]:
        confusion = np.zeros((2, 2), dtype=np.int64)
        for t, p in zip(y.long().tolist(), c.long().tolist()):
            confusion[t, p] += 1
        print(f"logistic: {name} confusion", confusion.tolist(), "normalized", fl((confusion / confusion.sum(axis=1, keepdims=True)).ravel().tolist()))
    print("logistic: export of the first 10 raw test rows", test_classes[:10].tolist())
    print("logistic: final w[:3], b", fl(w[:3, 0].tolist()), f"{b.item():.7g}f")


# ---------------------------------------------------------------- MLP
def idx(name):
    with gzip.open(os.path.join(HERE, "../../../src/NeuralFlow/Data/Resources/mnist-sample", name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * d:8 + 4 * d], "big") for d in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


images, labels = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
test_images, test_labels = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")


def preprocess(x):
    return torch.tensor(x.reshape(-1, 784), dtype=torch.float32) / 255


train_x, train_y = preprocess(images[256:1280]), torch.tensor(labels[256:1280], dtype=torch.int64)
val_x, val_y = preprocess(images[:256]), torch.tensor(labels[:256], dtype=torch.int64)
M32 = 0xFFFFFFFF


def hash_unit(k):
    # A 32-bit integer mix (murmur3's finalizer) of the index: the same numbers in C#.
    h = (k * 0x9E3779B1) & M32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h / 4294967296.0


def fixed_xavier(in_dim, out_dim, layer):
    lim = math.sqrt(6.0) / math.sqrt(in_dim + out_dim)
    k = np.arange(in_dim * out_dim, dtype=np.uint64) + np.uint64(layer * 1_000_000)
    h = (k * np.uint64(0x9E3779B1)) & np.uint64(M32)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & np.uint64(M32)
    h ^= h >> np.uint64(16)
    u = h.astype(np.float64) / 4294967296.0
    assert abs(u[5] - hash_unit(5 + layer * 1_000_000)) < 1e-15
    return torch.tensor((lim * (2 * u - 1)).reshape(in_dim, out_dim), dtype=torch.float32)


sizes = [784, 700, 500, 10]
params = []
for layer in range(3):
    params.append(fixed_xavier(sizes[layer], sizes[layer + 1], layer).requires_grad_())
    params.append(torch.zeros(sizes[layer + 1], requires_grad=True))


def mlp(x):
    for layer in range(3):
        x = x @ params[2 * layer] + params[2 * layer + 1]
        if layer < 2:
            x = torch.relu(x)
    return x


def cross_entropy_loss(y_pred, y):
    return torch.nn.functional.cross_entropy(y_pred, y)


def mlp_accuracy(y_pred, y):
    return (torch.argmax(torch.softmax(y_pred, 1), 1) == y).float().mean()


v_dvar = [torch.zeros_like(p) for p in params]
s_dvar = [torch.zeros_like(p) for p in params]
t = torch.tensor(1.0)
with torch.no_grad():
    print("mlp: untrained logits of the first train row [:3]", fl(mlp(train_x[:1])[0, :3].tolist()))
history = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
for epoch in range(3):
    bl, ba, vl, va = [], [], [], []
    for s in range(0, len(train_x), 128):
        y_pred = mlp(train_x[s:s + 128])
        loss = cross_entropy_loss(y_pred, train_y[s:s + 128])
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for i, (g, p) in enumerate(zip(grads, params)):
                v_dvar[i] = 0.9 * v_dvar[i] + (1 - 0.9) * g
                s_dvar[i] = 0.999 * s_dvar[i] + (1 - 0.999) * torch.square(g)
                v_bc = v_dvar[i] / (1 - torch.pow(torch.tensor(0.9), t))
                s_bc = s_dvar[i] / (1 - torch.pow(torch.tensor(0.999), t))
                p -= 1e-3 * (v_bc / (torch.sqrt(s_bc) + 1e-7))
            t += 1
            bl.append(loss.item())
            ba.append(mlp_accuracy(y_pred, train_y[s:s + 128]).item())
    with torch.no_grad():
        for s in range(0, len(val_x), 128):
            y_pred = mlp(val_x[s:s + 128])
            vl.append(cross_entropy_loss(y_pred, val_y[s:s + 128]).item())
            va.append(mlp_accuracy(y_pred, val_y[s:s + 128]).item())
    history["train_loss"].append(np.mean(np.float32(bl)))
    history["train_acc"].append(np.mean(np.float32(ba)))
    history["val_loss"].append(np.mean(np.float32(vl)))
    history["val_acc"].append(np.mean(np.float32(va)))
for key, values in history.items():
    print(f"mlp: {key}", fl(values))
with torch.no_grad():
    test_classes = torch.argmax(torch.softmax(mlp(preprocess(test_images)), 1), 1)
    test_y = torch.tensor(test_labels, dtype=torch.int64)
    print("mlp: test accuracy", f"{(test_classes == test_y).float().mean().item():.7g}f")
    print("mlp: first 10 test classes", test_classes[:10].tolist())
    print("mlp: class-wise accuracy", fl([(test_classes[test_y == d] == d).float().mean().item() for d in range(10)]))
    confusion = np.zeros((10, 10), dtype=np.int64)
    for a, p in zip(test_y.tolist(), test_classes.tolist()):
        confusion[a, p] += 1
    print("mlp: confusion diagonal", confusion.diagonal().tolist())
