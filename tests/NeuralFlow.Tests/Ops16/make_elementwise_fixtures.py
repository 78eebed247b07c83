"""Reference values for the issue-16 elementwise ops (ElementwiseMathTests.cs).

Run with /usr/bin/python3 (NumPy, PyTorch 1.13): writes elementwise_fixtures.json beside it.
Values come from NumPy (the semantics TensorFlow documents for these ops: round half to even,
floor_divide / mod as CPython's divmod, fmod); gradients of sum(f(x) * w) from PyTorch autograd.
NaN and infinities are written as the strings "NaN", "Infinity", "-Infinity".
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(16)

SPECIAL = [0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.5, -1e-30, 1e-8, -1e-8, 7.25, -7.75,
           math.inf, -math.inf, math.nan, 1e300, -1e300, 40.0, -40.0, 800.0, -800.0]


def enc(values):
    out = []
    for v in np.asarray(values, dtype=np.float64).ravel():
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        else:
            out.append(float(v))
    return out


UNARY = {
    # name: (numpy function, torch function, domain of the random gradient inputs)
    "floor": (np.floor, torch.floor, (-3, 3)),
    "ceil": (np.ceil, torch.ceil, (-3, 3)),
    "round": (np.round, torch.round, (-3, 3)),
    "sin": (np.sin, torch.sin, (-4, 4)),
    "cos": (np.cos, torch.cos, (-4, 4)),
    "log1p": (np.log1p, torch.log1p, (-0.9, 3)),
    "expm1": (np.expm1, torch.expm1, (-3, 3)),
    "rsqrt": (lambda x: 1.0 / np.sqrt(x), torch.rsqrt, (0.2, 4)),
    "erf": (lambda x: np.array([math.erf(v) for v in x]), torch.erf, (-3, 3)),
    "softplus": (lambda x: np.logaddexp(0.0, x), torch.nn.functional.softplus, (-5, 5)),
}

cases = []
with np.errstate(all="ignore"):
    for name, (npf, tf, (lo, hi)) in UNARY.items():
        special = np.array(SPECIAL)
        x = rng.uniform(lo, hi, size=12)
        w = rng.uniform(0.5, 1.5, size=12)
        xt = torch.tensor(x, requires_grad=True)
        if name == "softplus":
            # torch's softplus switches to x above threshold 20; the gradient rule is sigmoid(x) either way.
            y = torch.log1p(torch.exp(-xt.abs())) + xt.clamp(min=0)
        else:
            y = tf(xt)
        (y * torch.tensor(w)).sum().backward()
        cases.append({
            "name": name, "special_x": enc(special), "special_y": enc(npf(special)),
            "x": enc(x), "y": enc(npf(x)), "w": enc(w), "dx": enc(xt.grad.numpy()),
        })

# Binary float cases: every sign combination, exact halves, zeros, infinities and NaN.
fa = np.array([7.0, -7.0, 7.0, -7.0, 5.5, -5.5, 1.0, -1.0, 0.0, -0.0, 3.0, -3.0, math.inf, 2.0, math.nan, 1.0, 1e-3])
fb = np.array([2.0, 2.0, -2.0, -2.0, -2.0, 2.0, 0.1, 0.1, -3.0, 3.0, 0.0, 0.0, 2.0, math.inf, 1.0, -math.inf, 7.0])
with np.errstate(all="ignore"):
    float_binary = {
        "a": enc(fa), "b": enc(fb),
        "floor_div": enc(np.floor_divide(fa, fb)),
        "floor_mod": enc(np.mod(fa, fb)),
        "truncate_mod": enc(np.fmod(fa, fb)),
    }

# Gradients of FloorMod and TruncateMod (PyTorch's remainder / fmod rules, TensorFlow's too).
ga = rng.uniform(-6, 6, size=10)
gb = rng.choice([-1, 1], size=10) * rng.uniform(0.7, 2.5, size=10)
gw = rng.uniform(0.5, 1.5, size=10)
grads = {"a": enc(ga), "b": enc(gb), "w": enc(gw)}
for key, fn in (("floor_mod", torch.remainder), ("truncate_mod", torch.fmod)):
    at = torch.tensor(ga, requires_grad=True)
    bt = torch.tensor(gb, requires_grad=True)
    (fn(at, bt) * torch.tensor(gw)).sum().backward()
    grads[key] = {"da": enc(at.grad.numpy()), "db": enc(bt.grad.numpy())}


def int_case(dtype):
    info = np.iinfo(dtype)
    a = np.array([7, -7, 7, -7, 0, 9, 1, info.min, info.min, info.max, info.min, -1, 6], dtype=dtype)
    b = np.array([2, 2, -2, -2, -3, 9, -5, 3, -3, -1, 2, info.max, 4], dtype=dtype)
    return {"a": a.tolist(), "b": b.tolist(), "floor_div": np.floor_divide(a, b).tolist(),
            "floor_mod": np.mod(a, b).tolist(), "truncate_mod": np.fmod(a, b).tolist()}


data = {
    "unary": cases,
    "float_binary": float_binary,
    "mod_gradients": grads,
    "int32_binary": int_case(np.int32),
    "int64_binary": int_case(np.int64),
    "uint8_binary": {k: v for k, v in zip(
        ["a", "b", "floor_div", "floor_mod", "truncate_mod"],
        [[7, 200, 255, 0, 9], [2, 7, 16, 5, 9], [3, 28, 15, 0, 1], [1, 4, 15, 0, 0], [1, 4, 15, 0, 0]])},
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "elementwise_fixtures.json")
with open(path, "w") as f:
    json.dump(data, f, indent=1)
    f.write("\n")
print("wrote", path)
