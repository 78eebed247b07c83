"""Reference values for Conv1DOpTests.cs (NF.Conv1D, NF.MaxPool1D, NF.AvgPool1D), from PyTorch.

Run from this folder: /usr/bin/python3 make_conv1d_fixtures.py  (torch 1.13, numpy); it writes
conv1d_fixtures.json. NeuralFlow's sequences are [N, steps, C] (channels_last) with Keras'
[K, C / groups, O] kernels; PyTorch's are [N, C, steps] with [O, C / groups, K] kernels: the
inputs are made in NeuralFlow's layout and permuted for PyTorch, the results permuted back.
"same" follows TensorFlow (the odd pad at the end) and "causal" Keras (dilation * (K - 1)
zeros before the first step), both applied with F.pad before a "valid" PyTorch op; average
pools divide by the taps inside the sequence (count_include_pad=False's rule, done here as a
sum pool over a pool of ones). Gradients are of sum(y * w) for a fixed weight w.
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(21)


def pads(size, k, s, d, padding):
    if padding == "causal":
        return d * (k - 1), 0
    if padding == "valid":
        return 0, 0
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def flat(t):
    return [float(v) for v in t.detach().numpy().reshape(-1)]


cases = []


def case(name, op, x_shape, channels_first=False, kernel=None, stride=1, padding="valid", dilation=1, groups=1, pool=None):
    x_np = rng.uniform(-2, 2, x_shape)
    x = torch.tensor(x_np, requires_grad=True)
    ncl = x if channels_first else x.permute(0, 2, 1)
    length = ncl.shape[2]
    k_t = None
    if op == "conv1d":
        k_np = rng.uniform(-1, 1, kernel)
        k_t = torch.tensor(k_np, requires_grad=True)
        left, right = pads(length, kernel[0], stride, dilation, padding)
        y = F.conv1d(F.pad(ncl, (left, right)), k_t.permute(2, 1, 0), stride=stride, dilation=dilation, groups=groups)
    elif op == "maxpool":
        left, right = pads(length, pool, stride, 1, padding)
        y = F.max_pool1d(F.pad(ncl, (left, right), value=-np.inf), pool, stride)
    else:
        left, right = pads(length, pool, stride, 1, padding)
        total = F.avg_pool1d(F.pad(ncl, (left, right)), pool, stride) * pool
        count = F.avg_pool1d(F.pad(torch.ones_like(ncl), (left, right)), pool, stride) * pool
        y = total / count
    y = y if channels_first else y.permute(0, 2, 1)
    w = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * w).sum().backward()
    entry = {
        "name": name, "op": op, "x_shape": list(x_shape), "x": flat(x), "channels_first": channels_first,
        "stride": stride, "padding": padding, "dilation": dilation, "groups": groups, "pool": pool,
        "y_shape": list(y.shape), "y": flat(y), "w": flat(w), "dx": flat(x.grad),
    }
    if k_t is not None:
        entry.update({"kernel_shape": list(kernel), "kernel": flat(k_t), "dkernel": flat(k_t.grad)})
    cases.append(entry)


case("conv_valid", "conv1d", (2, 7, 3), kernel=(3, 3, 2))
case("conv_same_stride2_odd_pad", "conv1d", (1, 7, 2), kernel=(4, 2, 3), stride=2, padding="same")
case("conv_causal_dilation2", "conv1d", (2, 6, 2), kernel=(3, 2, 2), padding="causal", dilation=2)
case("conv_causal_stride2", "conv1d", (1, 9, 3), kernel=(2, 3, 2), stride=2, padding="causal")
case("conv_groups2_same_dilation2", "conv1d", (1, 9, 4), kernel=(2, 2, 4), padding="same", dilation=2, groups=2)
case("conv_channels_first_stride3", "conv1d", (1, 2, 10), channels_first=True, kernel=(2, 2, 3), stride=3)
case("conv_channels_first_causal_groups", "conv1d", (2, 4, 5), channels_first=True, kernel=(3, 1, 4), padding="causal", groups=4)
case("maxpool_valid_3_2", "maxpool", (1, 9, 2), pool=3, stride=2)
case("maxpool_same_odd_pad", "maxpool", (2, 7, 2), pool=2, stride=2, padding="same")
case("avgpool_same_3_2", "avgpool", (1, 8, 3), pool=3, stride=2, padding="same")
case("avgpool_channels_first", "avgpool", (2, 3, 5), channels_first=True, pool=2, stride=2)

with open("conv1d_fixtures.json", "w") as f:
    json.dump({"cases": cases}, f)
print(f"wrote {len(cases)} cases")
