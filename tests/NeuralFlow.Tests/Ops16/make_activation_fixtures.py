"""Reference values for Keras' activations (ActivationTests.cs), from PyTorch 1.13 in float64.

Run with /usr/bin/python3: writes activation_fixtures.json beside it. Each case: x, y = f(x),
w and dx = d sum(f(x) * w) / dx. Keras 3's definitions: hard_sigmoid = relu6(x + 3) / 6,
leaky_relu's default slope 0.2, gelu exact by default.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(1616)


def keras_relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    # keras/src/backend/.../nn.py relu via keras.activations.relu (Keras 3)
    negative_part = F.relu(-x + threshold)
    y = x * (x > threshold) if threshold != 0 else F.relu(x)
    if max_value is not None:
        y = torch.clamp(y, 0.0, max_value)
    return y - negative_slope * negative_part


CASES = {
    "relu_options": lambda x: keras_relu(x, 0.1, 2.5, 0.5),
    "relu_max": lambda x: keras_relu(x, 0.0, 1.5, 0.0),
    "relu6": F.relu6,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda x: F.elu(x, 1.0),
    "selu": F.selu,
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "softplus": lambda x: F.softplus(x, threshold=1000),
    "softsign": F.softsign,
    "hard_sigmoid": lambda x: F.relu6(x + 3) / 6,
    "hard_swish": F.hardswish,
    "mish": F.mish,
}

cases = []
for name, f in CASES.items():
    # Avoid the kinks (0, the threshold, the caps) by 1e-3 so the gradients are well defined.
    x = rng.uniform(-7, 7, size=16)
    x[np.abs(x) < 1e-3] += 0.01
    w = rng.uniform(0.5, 1.5, size=16)
    xt = torch.tensor(x, requires_grad=True)
    y = f(xt)
    (y * torch.tensor(w)).sum().backward()
    cases.append({"name": name, "x": x.tolist(), "y": y.detach().numpy().tolist(), "w": w.tolist(),
                  "dx": xt.grad.numpy().tolist()})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "activation_fixtures.json")
with open(path, "w") as f:
    json.dump({"cases": cases}, f, indent=1)
    f.write("\n")
print("wrote", path)
