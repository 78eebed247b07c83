"""Reference values for the convolution and pooling tests (ConvTests.cs), from PyTorch.

Run from this folder: /usr/bin/python3 make_conv_fixtures.py  (torch 1.13, numpy); it writes
conv_fixtures.json. NeuralFlow is NHWC with HWIO kernels, PyTorch NCHW with OIHW: the inputs
are made in NeuralFlow's layout and transposed for PyTorch, the results transposed back.
"same" padding follows TensorFlow (the odd pad at the bottom/right), so it is applied here
with F.pad before a "valid" PyTorch op. Gradients are of sum(y * w) for a fixed weight w.
"""
import json
import math

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(15)


def same_pads(size, k, s, d):
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pad_nchw(x, h, w, k, s, d, padding, value=0.0):
    if padding == "valid":
        return x
    t, b = same_pads(h, k[0], s[0], d[0])
    l, r = same_pads(w, k[1], s[1], d[1])
    return F.pad(x, (l, r, t, b), value=value)


def flat(t):
    return [float(v) for v in t.detach().numpy().reshape(-1)]


cases = []


def conv_case(name, n, h, w, c, o, k, s, d, padding):
    x = rng.uniform(-1, 1, (n, h, w, c))
    kern = rng.uniform(-1, 1, (k[0], k[1], c, o))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)   # NCHW
    kt = torch.tensor(kern.transpose(3, 2, 0, 1), requires_grad=True)  # OIHW
    y = F.conv2d(pad_nchw(xt, h, w, k, s, d, padding), kt, stride=s, dilation=d)
    wy = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * wy).sum().backward()
    cases.append({
        "name": name, "op": "conv2d", "padding": padding, "strides": list(s), "dilations": list(d),
        "x": flat(torch.tensor(x)), "x_shape": [n, h, w, c],
        "kernel": flat(torch.tensor(kern)), "kernel_shape": list(kern.shape),
        "y": flat(y.permute(0, 2, 3, 1)), "y_shape": [y.shape[0], y.shape[2], y.shape[3], y.shape[1]],
        "w": flat(wy.permute(0, 2, 3, 1)),
        "dx": flat(xt.grad.permute(0, 2, 3, 1)), "dkernel": flat(kt.grad.permute(2, 3, 1, 0)),
    })


def pool_case(name, kind, n, h, w, c, k, s, padding):
    x = rng.uniform(-1, 1, (n, h, w, c))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    if kind == "max":
        y = F.max_pool2d(pad_nchw(xt, h, w, k, s, (1, 1), padding, value=-math.inf), k, s)
    else:
        # Padded taps are not counted (TensorFlow): sum over the padded input / in-image count.
        p = pad_nchw(xt, h, w, k, s, (1, 1), padding)
        ones = pad_nchw(torch.ones(1, 1, h, w), h, w, k, s, (1, 1), padding)
        y = F.avg_pool2d(p, k, s) / F.avg_pool2d(ones, k, s)
    wy = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * wy).sum().backward()
    cases.append({
        "name": name, "op": kind + "pool", "padding": padding, "pool": list(k), "strides": list(s),
        "x": flat(torch.tensor(x)), "x_shape": [n, h, w, c],
        "y": flat(y.permute(0, 2, 3, 1)), "y_shape": [y.shape[0], y.shape[2], y.shape[3], y.shape[1]],
        "w": flat(wy.permute(0, 2, 3, 1)), "dx": flat(xt.grad.permute(0, 2, 3, 1)),
    })


conv_case("conv_valid_3x3", 2, 6, 5, 3, 4, (3, 3), (1, 1), (1, 1), "valid")
conv_case("conv_same_3x3", 2, 5, 6, 2, 3, (3, 3), (1, 1), (1, 1), "same")
conv_case("conv_same_stride2_even_kernel", 1, 7, 6, 3, 2, (2, 4), (2, 2), (1, 1), "same")
conv_case("conv_valid_stride_2x1", 2, 7, 5, 2, 3, (3, 2), (2, 1), (1, 1), "valid")
conv_case("conv_dilated_same", 1, 8, 7, 2, 2, (3, 3), (1, 1), (2, 2), "same")
conv_case("conv_dilated_valid_stride", 2, 9, 8, 1, 3, (2, 3), (2, 3), (2, 1), "valid")
conv_case("conv_1x1", 3, 4, 4, 5, 2, (1, 1), (1, 1), (1, 1), "valid")
pool_case("max_2x2", "max", 2, 6, 6, 3, (2, 2), (2, 2), "valid")
pool_case("max_3x3_s2_same", "max", 2, 7, 6, 2, (3, 3), (2, 2), "same")
pool_case("max_3x3_s1_valid_overlap", "max", 1, 6, 5, 2, (3, 3), (1, 1), "valid")
pool_case("avg_2x2", "avg", 2, 6, 6, 3, (2, 2), (2, 2), "valid")
pool_case("avg_3x3_s2_same", "avg", 2, 7, 6, 2, (3, 3), (2, 2), "same")
pool_case("avg_2x3_s1_same", "avg", 1, 5, 5, 2, (2, 3), (1, 1), "same")

with open("conv_fixtures.json", "w") as f:
    json.dump({"generator": "make_conv_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print(len(cases), "cases")
