"""Reference values for Conv3DOpTests.cs (NF.Conv3D, NF.Conv3DTranspose, NF.MaxPool3D, NF.AvgPool3D), from PyTorch.

Run from this folder: /usr/bin/python3 make_conv3d_fixtures.py  (torch 1.13, numpy); it writes
conv3d_fixtures.json. NeuralFlow's volumes are NDHWC (channels_last) with Keras' kernels
([KD, KH, KW, C / groups, O] for Conv3D, [KD, KH, KW, F, C] for Conv3DTranspose); PyTorch's are
NCDHW with [O, C / groups, KD, KH, KW] (conv3d) and [C, F, KD, KH, KW] (conv_transpose3d) kernels:
the inputs are made in NeuralFlow's layout and permuted for PyTorch, the results permuted back.
"same" follows TensorFlow (the odd pad at the back/bottom/right), applied with F.pad before a "valid"
PyTorch op; average pools divide by the cells inside the volume (count_include_pad=False's rule,
done as a sum pool over a pool of ones). A transposed convolution's output size is Keras'
deconv_output_length per axis; PyTorch's conv_transpose3d gives the full (in - 1) * s + span cells,
of which TensorFlow's placement keeps out cells from pad_before = the forward "same"/"valid" pad.
Gradients are of sum(y * w) for a fixed weight w.
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(33)


def same_pads(size, k, s, d):
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def pads3(spatial, k, s, d, padding):
    """F.pad's list (last axis first) for TensorFlow's padding of the three spatial axes."""
    result = []
    for axis in (2, 1, 0):
        result += list(same_pads(spatial[axis], k[axis], s[axis], d[axis])) if padding == "same" else [0, 0]
    return result


def deconv_length(size, k, s, d, padding, output_padding):
    span = (k - 1) * d + 1
    if output_padding is None:
        return size * s if padding == "same" else size * s + max(span - s, 0)
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * s + span - 2 * pad + output_padding


def flat(t):
    return [float(v) for v in t.detach().numpy().reshape(-1)]


cases = []


def case(name, op, x_shape, channels_first=False, kernel=None, strides=(1, 1, 1), padding="valid", dilations=(1, 1, 1), groups=1,
         pool=None, output_padding=None):
    x_np = rng.uniform(-2, 2, x_shape)
    x = torch.tensor(x_np, requires_grad=True)
    ncdhw = x if channels_first else x.permute(0, 4, 1, 2, 3)
    spatial = ncdhw.shape[2:]
    k_t = None
    if op == "conv3d":
        k_np = rng.uniform(-1, 1, kernel)
        k_t = torch.tensor(k_np, requires_grad=True)
        p = pads3(spatial, kernel[:3], strides, dilations, padding)
        y = F.conv3d(F.pad(ncdhw, p), k_t.permute(4, 3, 0, 1, 2), stride=strides, dilation=dilations, groups=groups)
    elif op == "conv3d_transpose":
        k_np = rng.uniform(-1, 1, kernel)
        k_t = torch.tensor(k_np, requires_grad=True)
        full = F.conv_transpose3d(ncdhw, k_t.permute(4, 3, 0, 1, 2), stride=strides, dilation=dilations)
        index = []
        for axis in range(3):
            op_pad = None if output_padding is None else output_padding[axis]
            out = deconv_length(spatial[axis], kernel[axis], strides[axis], dilations[axis], padding, op_pad)
            before = same_pads(out, kernel[axis], strides[axis], dilations[axis])[0] if padding == "same" else 0
            extra = max(before + out - full.shape[2 + axis], 0)  # rows past the full length: output padding's zeros
            full = F.pad(full, [0, 0] * (2 - axis) + [0, extra] + [0, 0] * axis) if extra else full
            index.append(slice(before, before + out))
        y = full[(slice(None), slice(None), *index)]
    elif op == "maxpool":
        p = pads3(spatial, pool, strides, (1, 1, 1), padding)
        y = F.max_pool3d(F.pad(ncdhw, p, value=-np.inf), pool, strides)
    else:
        p = pads3(spatial, pool, strides, (1, 1, 1), padding)
        total = F.avg_pool3d(F.pad(ncdhw, p), pool, strides) * np.prod(pool)
        count = F.avg_pool3d(F.pad(torch.ones_like(ncdhw), p), pool, strides) * np.prod(pool)
        y = total / count
        if padding == "same" and groups == 1:
            # PyTorch's own count_include_pad=False agrees where its symmetric padding is TensorFlow's.
            sym = [p[4] if p[4] == p[5] else None, p[2] if p[2] == p[3] else None, p[0] if p[0] == p[1] else None]
            if None not in sym and all(q <= k // 2 for q, k in zip(sym, pool)):
                own = F.avg_pool3d(ncdhw, pool, strides, padding=sym, count_include_pad=False)
                assert torch.allclose(own, y)
    y = y if channels_first else y.permute(0, 2, 3, 4, 1)
    w = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * w).sum().backward()
    entry = {
        "name": name, "op": op, "x_shape": list(x_shape), "x": flat(x), "channels_first": channels_first,
        "strides": list(strides), "padding": padding, "dilations": list(dilations), "groups": groups,
        "pool": None if pool is None else list(pool), "output_padding": None if output_padding is None else list(output_padding),
        "y_shape": list(y.shape), "y": flat(y), "w": flat(w), "dx": flat(x.grad),
    }
    if k_t is not None:
        entry.update({"kernel_shape": list(kernel), "kernel": flat(k_t), "dkernel": flat(k_t.grad)})
    cases.append(entry)


case("conv_valid", "conv3d", (2, 5, 4, 3, 2), kernel=(3, 2, 2, 2, 3))
case("conv_same_stride2_odd", "conv3d", (1, 5, 6, 7, 2), kernel=(2, 3, 4, 2, 2), strides=(2, 2, 2), padding="same")
case("conv_dilation2_valid", "conv3d", (1, 6, 5, 5, 1), kernel=(2, 3, 2, 1, 2), dilations=(2, 2, 1))
case("conv_same_dilation2_stride_mixed", "conv3d", (1, 5, 4, 6, 2), kernel=(3, 2, 3, 2, 2), strides=(1, 2, 3), padding="same", dilations=(2, 1, 2))
case("conv_groups2", "conv3d", (1, 4, 3, 4, 4), kernel=(2, 2, 2, 2, 4), padding="same", groups=2)
case("conv_channels_first_stride2", "conv3d", (2, 3, 5, 4, 5), channels_first=True, kernel=(3, 2, 3, 3, 2), strides=(2, 1, 2))
case("tconv_valid", "conv3d_transpose", (1, 3, 2, 3, 2), kernel=(2, 3, 2, 3, 2))
case("tconv_same_stride2", "conv3d_transpose", (2, 3, 3, 2, 2), kernel=(3, 3, 3, 2, 2), strides=(2, 2, 2), padding="same")
case("tconv_valid_stride2_dilation2", "conv3d_transpose", (1, 2, 3, 2, 1), kernel=(2, 2, 3, 2, 1), strides=(2, 1, 2), dilations=(2, 2, 1))
case("tconv_same_output_padding", "conv3d_transpose", (1, 2, 3, 3, 2), kernel=(3, 3, 3, 3, 2), strides=(2, 2, 3), padding="same", output_padding=(1, 0, 2))
case("tconv_channels_first", "conv3d_transpose", (1, 2, 3, 2, 4), channels_first=True, kernel=(2, 2, 3, 2, 2), strides=(1, 2, 2))
case("maxpool_valid_2", "maxpool", (2, 4, 5, 4, 2), pool=(2, 2, 2), strides=(2, 2, 2))
case("maxpool_same_odd_stride_mixed", "maxpool", (1, 5, 7, 6, 2), pool=(3, 2, 3), strides=(2, 2, 1), padding="same")
case("maxpool_channels_first_overlap", "maxpool", (1, 2, 5, 5, 4), channels_first=True, pool=(3, 3, 2), strides=(1, 2, 2))
case("avgpool_valid_3_2", "avgpool", (1, 7, 5, 6, 3), pool=(3, 3, 2), strides=(2, 2, 2))
case("avgpool_same_odd", "avgpool", (2, 5, 5, 7, 2), pool=(2, 3, 3), strides=(2, 2, 2), padding="same")
case("avgpool_same_stride1", "avgpool", (1, 4, 5, 3, 2), pool=(3, 3, 3), strides=(1, 1, 1), padding="same")
case("avgpool_channels_first_same", "avgpool", (1, 3, 5, 4, 6), channels_first=True, pool=(2, 2, 3), strides=(2, 1, 2), padding="same")

# Ties: every cell of the box is equal, so max's gradient is a subgradient choice; PyTorch gives it
# to the first cell in (d, h, w) order, which NeuralFlow's separable pooling picks too.
x_np = np.ones((1, 4, 4, 4, 1))
x = torch.tensor(x_np, requires_grad=True)
y = F.max_pool3d(x.permute(0, 4, 1, 2, 3), 2, 2).permute(0, 2, 3, 4, 1)
y.sum().backward()
cases.append({"name": "maxpool_ties", "op": "maxpool", "x_shape": [1, 4, 4, 4, 1], "x": flat(x), "channels_first": False,
              "strides": [2, 2, 2], "padding": "valid", "dilations": [1, 1, 1], "groups": 1, "pool": [2, 2, 2], "output_padding": None,
              "y_shape": list(y.shape), "y": flat(y), "w": [1.0] * y.numel(), "dx": flat(x.grad)})

with open("conv3d_fixtures.json", "w") as f:
    json.dump({"cases": cases}, f)
print(f"wrote {len(cases)} cases")
