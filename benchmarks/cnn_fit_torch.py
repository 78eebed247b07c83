"""PyTorch peer of `NeuralFlow.Peers cnn_fit` (benchmarks/peers.sh --cnn): the CNN of issue 15 and
samples/ConvNet, Conv2D(32, 3, relu) - MaxPool 2 - Conv2D(64, 3, relu) - MaxPool 2 - Flatten -
Dense(128, relu) - Dense(10), with Keras' initialisation (Glorot-uniform kernels, zero biases),
Adam lr=1e-3, batch 64, shuffled each epoch, full Fashion-MNIST from Debian's
dataset-fashion-mnist, test accuracy after each epoch. Prints the same lines.
  /usr/bin/python3 benchmarks/cnn_fit_torch.py [epochs] [seed]"""
import sys
import time

import numpy as np
import torch

from fashion_idx import idx


xtr = torch.tensor(idx('train-images-idx3-ubyte.gz').reshape(-1, 1, 28, 28), dtype=torch.float32) / 255
ytr = torch.tensor(idx('train-labels-idx1-ubyte.gz').astype(np.int64))
xte = torch.tensor(idx('t10k-images-idx3-ubyte.gz').reshape(-1, 1, 28, 28), dtype=torch.float32) / 255
yte = torch.tensor(idx('t10k-labels-idx1-ubyte.gz').astype(np.int64))

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.manual_seed(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(5 * 5 * 64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
for layer in model:
    if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
        # Keras' fans for a kernel count the window too, as torch's do for a conv weight.
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = torch.nn.CrossEntropyLoss()
start = time.perf_counter()
for e in range(epochs):
    model.train()
    perm = torch.randperm(len(xtr))
    for i in range(0, len(xtr), 64):
        idxs = perm[i:i + 64]
        opt.zero_grad()
        loss = lossf(model(xtr[idxs]), ytr[idxs])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = sum((model(xte[i:i + 1000]).argmax(1) == yte[i:i + 1000]).sum().item() for i in range(0, len(xte), 1000)) / len(xte)
    print(f'epoch {e + 1} val_accuracy {acc:.4f}', flush=True)
total = time.perf_counter() - start
print(f'cnn_fit seconds_per_epoch {total / epochs:.3f} final_val_accuracy {acc:.4f} backend=torch-{torch.__version__}')
