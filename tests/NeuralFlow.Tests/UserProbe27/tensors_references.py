# Reference values for the Tensors* tests (UserProbe27), printed by PyTorch 1.13 (/usr/bin/python3); TensorFlow gives
# the same dtypes and counts for these: tf.range and torch.arange make float32 from Python floats.
import numpy as np
import torch

def show(name, t):
    print(f"{name}: dtype={t.dtype} values={t.tolist()}")

show("arange(0.5, 2.0)", torch.arange(0.5, 2.0))
show("arange(1.0, 2.0, 0.3)", torch.arange(1.0, 2.0, 0.3))
show("arange(2.0, 0.5, -0.5)", torch.arange(2.0, 0.5, -0.5))
print("len arange(0.0, 1.0, 0.1):", len(torch.arange(0.0, 1.0, 0.1)))
show("arange(0.0, 1.0, 0.1, float64)", torch.arange(0.0, 1.0, 0.1, dtype=torch.float64))

# Iteration: the rows of a (3, 2) tensor, each row's sum, and the gradient of sum over rows of row . w.
x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
w = torch.tensor([0.5, -1.0])
total = sum((row * w).sum() * (i + 1) for i, row in enumerate(x))
total.backward()
print("rows:", [row.tolist() for row in x.detach()])
print("weighted total:", total.item(), "grad:", x.grad.tolist())

# Merge layers (keras.layers.concatenate/add/... compute these elementwise ops).
a = np.array([[1.0, -2.0, 3.0]], dtype=np.float32)
b = np.array([[4.0, 5.0, -6.0]], dtype=np.float32)
print("concatenate:", np.concatenate([a, b], -1).tolist())
print("add:", (a + b).tolist(), "subtract:", (a - b).tolist(), "multiply:", (a * b).tolist())
print("average:", ((a + b) / 2).tolist(), "maximum:", np.maximum(a, b).tolist(), "minimum:", np.minimum(a, b).tolist())
print("dot:", (a * b).sum(-1, keepdims=True).tolist())
an, bn = a / np.linalg.norm(a), b / np.linalg.norm(b)
print("dot normalize:", (an * bn).sum(-1, keepdims=True).tolist())
