"""PyTorch 1.13 eager peers of `NeuralFlow.Peers logreg` and `NeuralFlow.Peers mlp`
(benchmarks/peers.sh --bars; issue 17's bars 3 and 4). Same data (full Fashion-MNIST from
Debian's dataset-fashion-mnist, scaled to [0, 1]), Keras initialisation (Glorot-uniform kernels,
zero biases), optimizer and step; prints the same lines.
  /usr/bin/python3 benchmarks/bars_torch.py logreg [steps]   full-batch 60000x784 -> 10, softmax
      cross-entropy, SGD lr 0.5: ms_per_step (after 3 warm-up steps)
  /usr/bin/python3 benchmarks/bars_torch.py mlp [steps] [sgd|adam]   784-512-512-10 relu, batch 256
      sliced in order, SGD lr 0.01 or Adam lr 1e-3: samples_per_s (after 20 warm-up steps)"""
import sys
import time

import numpy as np
import torch

from fashion_idx import idx


x = torch.tensor(idx('train-images-idx3-ubyte.gz').reshape(-1, 784), dtype=torch.float32) / 255
y = torch.tensor(idx('train-labels-idx1-ubyte.gz').astype(np.int64))
mode = sys.argv[1] if len(sys.argv) > 1 else 'logreg'
torch.manual_seed(0)


def dense(n_in, n_out):
    layer = torch.nn.Linear(n_in, n_out)
    torch.nn.init.xavier_uniform_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
    return layer


lossf = torch.nn.CrossEntropyLoss()


def step(model, opt, xb, yb):
    opt.zero_grad()
    loss = lossf(model(xb), yb)
    loss.backward()
    opt.step()
    return loss


if mode == 'logreg':
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    model = dense(784, 10)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    for s in range(steps + 3):
        if s == 3:
            start = time.perf_counter()
        loss = step(model, opt, x, y)
    secs = time.perf_counter() - start
    acc = (model(x).argmax(1) == y).float().mean().item()
    print(f'logreg ms_per_step {secs / steps * 1000:.2f} loss {loss.item():.4f} train_accuracy {acc:.4f} backend=torch-{torch.__version__}')
else:
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    kind = sys.argv[3] if len(sys.argv) > 3 else 'sgd'
    model = torch.nn.Sequential(dense(784, 512), torch.nn.ReLU(), dense(512, 512), torch.nn.ReLU(), dense(512, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01) if kind == 'sgd' else torch.optim.Adam(model.parameters(), lr=1e-3)
    for s in range(steps):
        if s == 20:
            start = time.perf_counter()
        i = s * 256 % (60000 - 256)
        loss = step(model, opt, x[i:i + 256], y[i:i + 256])
    secs = time.perf_counter() - start
    print(f'mlp_{kind} samples_per_s {(steps - 20) * 256 / secs:.0f} loss {loss.item():.4f} backend=torch-{torch.__version__}')
