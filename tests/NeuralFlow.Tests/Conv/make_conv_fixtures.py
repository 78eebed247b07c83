"""Reference values for the convolution and pooling tests (ConvTests.cs, ConvVariantTests.cs), from PyTorch.

Run from this folder: /usr/bin/python3 make_conv_fixtures.py  (torch 1.13, numpy); it writes
conv_fixtures.json. NeuralFlow is NHWC with HWIO kernels, PyTorch NCHW with OIHW: the inputs
are made in NeuralFlow's layout and transposed for PyTorch, the results transposed back.
"same" padding follows TensorFlow (the odd pad at the bottom/right), so it is applied here
with F.pad before a "valid" PyTorch op. Gradients are of sum(y * w) for a fixed weight w.
Grouped convolutions are F.conv2d(groups=G); depthwise ones groups = C with the [KH, KW, C, M]
kernel as [C * M, 1, KH, KW]; transposed ones F.conv_transpose2d on the [KH, KW, F, C] kernel
as [C, F, KH, KW], cropped (or zero-extended) to Keras' output size at TensorFlow's placement.
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


def add_case(name, op, x, kern, y, wy, xt, dkernel, **fields):
    """One case in NeuralFlow's layouts: y, w and dx NHWC, dkernel already in the kernel's layout."""
    cases.append({
        "name": name, "op": op, **fields,
        "x": flat(torch.tensor(x)), "x_shape": list(x.shape),
        "kernel": flat(torch.tensor(kern)), "kernel_shape": list(kern.shape),
        "y": flat(y.permute(0, 2, 3, 1)), "y_shape": [y.shape[0], y.shape[2], y.shape[3], y.shape[1]],
        "w": flat(wy.permute(0, 2, 3, 1)), "dx": flat(xt.grad.permute(0, 2, 3, 1)), "dkernel": flat(dkernel),
    })


def conv_case(name, n, h, w, c, o, k, s, d, padding, groups=1):
    x = rng.uniform(-1, 1, (n, h, w, c))
    kern = rng.uniform(-1, 1, (k[0], k[1], c // groups, o))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)   # NCHW
    kt = torch.tensor(kern.transpose(3, 2, 0, 1), requires_grad=True)  # OIHW
    y = F.conv2d(pad_nchw(xt, h, w, k, s, d, padding), kt, stride=s, dilation=d, groups=groups)
    wy = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * wy).sum().backward()
    add_case(name, "conv2d", x, kern, y, wy, xt, kt.grad.permute(2, 3, 1, 0),
             padding=padding, strides=list(s), dilations=list(d), groups=groups)


def depthwise_case(name, n, h, w, c, m, k, s, d, padding):
    x = rng.uniform(-1, 1, (n, h, w, c))
    kern = rng.uniform(-1, 1, (k[0], k[1], c, m))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    # Output channel c * M + m: the kernel's (c, m) flattened in that order, one group per channel.
    kt = torch.tensor(kern.reshape(k[0], k[1], c * m).transpose(2, 0, 1)[:, None], requires_grad=True)
    y = F.conv2d(pad_nchw(xt, h, w, k, s, d, padding), kt, stride=s, dilation=d, groups=c)
    wy = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * wy).sum().backward()
    add_case(name, "depthwise", x, kern, y, wy, xt, kt.grad[:, 0].permute(1, 2, 0).reshape(k[0], k[1], c, m),
             padding=padding, strides=list(s), dilations=list(d))


def transposed_length(size, k, s, d, padding, output_padding):
    """Keras' deconv_output_length with the dilated window span."""
    span = (k - 1) * d + 1
    if output_padding is None:
        return size * s + max(span - s, 0) if padding == "valid" else size * s
    pad = span // 2 if padding == "same" else 0
    return (size - 1) * s + span - 2 * pad + output_padding


def transpose_case(name, n, h, w, c, f, k, s, d, padding, output_padding=None, torch_output_padding=False):
    x = rng.uniform(-1, 1, (n, h, w, c))
    kern = rng.uniform(-1, 1, (k[0], k[1], f, c))
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    kt = torch.tensor(kern.transpose(3, 2, 0, 1), requires_grad=True)  # [C, F, KH, KW]
    op = output_padding or (0, 0)
    oh = transposed_length(h, k[0], s[0], d[0], padding, output_padding and op[0])
    ow = transposed_length(w, k[1], s[1], d[1], padding, output_padding and op[1])
    if torch_output_padding:
        # "valid" placement is PyTorch's padding=0: its own output_padding gives the same result.
        assert padding == "valid"
        y = F.conv_transpose2d(xt, kt, stride=s, dilation=d, output_padding=op)
    else:
        full = F.conv_transpose2d(xt, kt, stride=s, dilation=d)
        top = same_pads(oh, k[0], s[0], d[0])[0] if padding == "same" else 0
        left = same_pads(ow, k[1], s[1], d[1])[0] if padding == "same" else 0
        lh, lw = full.shape[2], full.shape[3]
        y = F.pad(full, (-left, ow - (lw - left), -top, oh - (lh - top)))
    assert tuple(y.shape[2:]) == (oh, ow), (y.shape, oh, ow)
    wy = torch.tensor(rng.uniform(0.5, 1.5, tuple(y.shape)))
    (y * wy).sum().backward()
    add_case(name, "conv2d_transpose", x, kern, y, wy, xt, kt.grad.permute(2, 3, 1, 0),
             padding=padding, strides=list(s), dilations=list(d),
             output_padding=list(output_padding) if output_padding is not None else None)


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
conv_case("conv_groups2_same", 2, 6, 5, 4, 6, (3, 3), (1, 1), (1, 1), "same", groups=2)
conv_case("conv_groups3_stride_dilated", 1, 9, 8, 6, 3, (3, 2), (2, 1), (1, 2), "valid", groups=3)
conv_case("conv_groups4_same_stride2", 2, 7, 6, 4, 8, (2, 3), (2, 2), (1, 1), "same", groups=4)
depthwise_case("depthwise_3x3_same", 2, 6, 5, 3, 1, (3, 3), (1, 1), (1, 1), "same")
depthwise_case("depthwise_mult2_stride2", 1, 7, 8, 2, 2, (3, 2), (2, 2), (1, 1), "valid")
depthwise_case("depthwise_mult3_dilated_same", 2, 6, 6, 3, 3, (2, 3), (1, 2), (2, 1), "same")
transpose_case("transpose_valid_3x3_s2", 2, 3, 4, 3, 2, (3, 3), (2, 2), (1, 1), "valid")
transpose_case("transpose_same_3x3_s2", 1, 4, 3, 2, 3, (3, 3), (2, 2), (1, 1), "same")
transpose_case("transpose_same_even_kernel_s2", 2, 3, 3, 2, 2, (4, 2), (2, 2), (1, 1), "same")
transpose_case("transpose_valid_small_kernel_s3", 1, 3, 2, 2, 2, (2, 2), (3, 3), (1, 1), "valid")
transpose_case("transpose_valid_output_padding_torch", 2, 3, 3, 2, 3, (3, 2), (2, 3), (1, 1), "valid", (1, 2), torch_output_padding=True)
transpose_case("transpose_same_output_padding", 1, 4, 3, 3, 2, (3, 3), (2, 2), (1, 1), "same", (1, 0))
transpose_case("transpose_same_dilated", 1, 4, 5, 2, 2, (3, 2), (1, 2), (2, 1), "same")
transpose_case("transpose_valid_dilated_output_padding", 1, 3, 4, 2, 3, (2, 3), (2, 2), (2, 1), "valid", (1, 1))
pool_case("max_2x2", "max", 2, 6, 6, 3, (2, 2), (2, 2), "valid")
pool_case("max_3x3_s2_same", "max", 2, 7, 6, 2, (3, 3), (2, 2), "same")
pool_case("max_3x3_s1_valid_overlap", "max", 1, 6, 5, 2, (3, 3), (1, 1), "valid")
pool_case("avg_2x2", "avg", 2, 6, 6, 3, (2, 2), (2, 2), "valid")
pool_case("avg_3x3_s2_same", "avg", 2, 7, 6, 2, (3, 3), (2, 2), "same")
pool_case("avg_2x3_s1_same", "avg", 1, 5, 5, 2, (2, 3), (1, 1), "same")

with open("conv_fixtures.json", "w") as f:
    json.dump({"generator": "make_conv_fixtures.py", "torch": torch.__version__, "cases": cases}, f)
print(len(cases), "cases")
