"""Reference values for tests/NeuralFlow.Tests/AutodiffApi (run with /usr/bin/python3: numpy, torch 1.13)."""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
np.set_printoptions(precision=17)

# --- Jvp / Vjp: f(x, w) = tanh(x * w) + x^2 ---
def f(x, w):
    return torch.tanh(x * w) + x ** 2

x = torch.tensor([0.5, -1.0, 2.0]); w = torch.tensor([1.5, 0.3, -0.7])
tx = torch.tensor([1.0, 0.5, -2.0]); tw = torch.tensor([0.1, 0.2, 0.3])
out, jvp = torch.autograd.functional.jvp(f, (x, w), (tx, tw))
print("jvp out", out.numpy().tolist())
print("jvp", jvp.numpy().tolist())
v = torch.tensor([1.0, 2.0, 3.0])
out, (gx, gw) = torch.autograd.functional.vjp(f, (x, w), v)
print("vjp x", gx.numpy().tolist(), "w", gw.numpy().tolist())

# Matrix case: g(A) = A @ A, tangent T: A T + T A.
A = torch.tensor([[1.0, 2.0], [3.0, 4.0]]); T = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
_, jm = torch.autograd.functional.jvp(lambda a: a @ a, (A,), (T,))
print("jvp matmul", jm.numpy().tolist())

# --- CustomGradient: log1pexp at x = 100 (tf.custom_gradient docstring): plain gradient NaN in float32, custom 1.0 ---
x32 = torch.tensor([0.0, 100.0], dtype=torch.float32, requires_grad=True)
torch.log(1 + torch.exp(x32)).sum().backward()
print("plain log1pexp grad float32", x32.grad.numpy().tolist())
print("sigmoid", (1 / (1 + np.exp(-np.array([0.0, 100.0])))).tolist())

# --- Scan: cumulative sum with carry (keras docstring) and reverse ---
xs = np.array([1, 2, 3, 4, 5])
print("scan forward", np.cumsum(xs).tolist(), "reverse", np.cumsum(xs[::-1])[::-1].tolist())

# --- AssociativeScan: sums, and a non-commutative combine (2x2 matrix products) forward and reverse ---
print("assoc cumsum", np.cumsum(np.arange(5)).tolist())
rng = np.random.default_rng(0)
M = np.round(rng.uniform(-1, 1, size=(6, 2, 2)), 2)
print("M", M.tolist())
fwd = [M[0]]
for k in range(1, 6):
    fwd.append(fwd[-1] @ M[k])
print("matprod forward", np.array(fwd).tolist())
# reverse = flip, scan with f(earlier, later), flip back: element k = M[5] @ M[4] @ ... @ M[k]
rev = [None] * 6
rev[5] = M[5]
for k in range(4, -1, -1):
    rev[k] = rev[k + 1] @ M[k]
print("matprod reverse", np.array(rev).tolist())

# --- SliceUpdate (keras docstring) and Scatter / ScatterUpdate ---
a = np.zeros((5, 5)); a[3:5, 3:5] = 1
print("slice_update", a.tolist())
s = np.zeros((2, 2)); np.add.at(s, (np.array([0, 1]), np.array([1, 1])), [1.0, 1.0])
print("scatter", s.tolist())
