# Reference values for ConstraintTests: Keras 3's constraint formulas (keras/src/constraints/
# constraints.py, epsilon 1e-7) in numpy, and SGD steps on a Dense layer with a max_norm kernel
# constraint in PyTorch (the constraint applied after each optimizer step, as Keras 3's
# BaseOptimizer.apply does). Run with /usr/bin/python3.
import numpy as np
import torch

EPS = 1e-7
np.set_printoptions(precision=9)

def norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))

def max_norm(w, max_value=2.0, axis=0):
    n = norms(w, axis)
    return w * (np.clip(n, 0, max_value) / (EPS + n))

def unit_norm(w, axis=0):
    return w / (EPS + norms(w, axis))

def min_max_norm(w, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
    n = norms(w, axis)
    desired = rate * np.clip(n, min_value, max_value) + (1 - rate) * n
    return w * (desired / (EPS + n))

def non_neg(w):
    return w * (w >= 0).astype(w.dtype)

w = np.array([[3.0, -0.1], [4.0, 0.2], [0.0, -0.2]], dtype=np.float64)
print("max_norm(2)", max_norm(w).astype(np.float32).ravel().tolist())
print("max_norm(1, axis=1)", max_norm(w, 1.0, 1).astype(np.float32).ravel().tolist())
print("unit_norm", unit_norm(w).astype(np.float32).ravel().tolist())
print("min_max_norm(0.5, 1, 0.5)", min_max_norm(w, 0.5, 1.0, 0.5).astype(np.float32).ravel().tolist())
print("non_neg", non_neg(w).astype(np.float32).ravel().tolist())
w3 = np.arange(12, dtype=np.float64).reshape(2, 3, 2) - 5
print("max_norm(3, axis=[0,1])", max_norm(w3, 3.0, (0, 1)).astype(np.float32).ravel().tolist())

# Three full-batch SGD steps (lr 0.1, mse) of Dense(2) with kernel max_norm(0.3), bias non_neg.
x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -1.5, 2.0], [2.0, 0.0, 1.0], [-1.0, 1.0, 0.5]])
y = torch.tensor([[3.0, -2.0], [1.0, -3.0], [-2.0, -1.0], [0.5, -4.0]])
k = torch.tensor([[0.1, -0.2], [0.3, 0.05], [-0.15, 0.25]], requires_grad=True)
b = torch.tensor([0.0, 0.0], requires_grad=True)
opt = torch.optim.SGD([k, b], lr=0.1)
for step in range(3):
    opt.zero_grad()
    loss = torch.mean((x @ k + b - y) ** 2)
    loss.backward()
    opt.step()
    with torch.no_grad():
        print("  unconstrained column norms", torch.sqrt((k ** 2).sum(0)).tolist(), "bias", b.tolist())
        k.copy_(torch.from_numpy(max_norm(k.numpy().astype(np.float64), 0.3)).float())
        b.copy_(b * (b >= 0))
    print("step", step + 1, "kernel", k.detach().numpy().ravel().tolist(), "bias", b.detach().numpy().tolist())
