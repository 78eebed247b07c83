"""Reference values for ConvLstmReferenceTests.cs (ConvLSTM1D/2D/3D), float64.

Run from this folder: /usr/bin/python3 make_convlstm_references.py  (numpy, torch 1.13); it writes
convlstm_references.json. Weights and inputs are drawn in Keras' layout (kernel [k..., C, 4F],
recurrent_kernel [k..., F, 4F], bias [4F], gate blocks i, f, c, o) and rounded to float32 values.
The loop is Keras 3's ConvLSTMCell.call (keras/src/layers/rnn/conv_lstm.py): z = conv(x_t, kernel,
strides, padding, dilation) + bias + conv(h, recurrent_kernel, stride 1, "same"), split on the
channels; c = sigmoid(f) c + sigmoid(i) tanh(c~), h = sigmoid(o) tanh(c). The convolutions are
torch.nn.functional.conv{1,2,3}d in float64 on channels_first tensors, with TensorFlow's "same"
padding (total max((out-1)*s + (k-1)*d + 1 - n, 0), the odd one after). channels_last cases are
transposed in and out. go_backwards runs the steps last to first, its sequence in that order.
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(11)


def f32(shape, scale=1.0):
    return (rng.uniform(-1, 1, size=shape) * scale).astype(np.float32).astype(np.float64)


def conv(x, w, strides, padding, dilation):
    """x [N, C, *spatial] (channels first), w Keras [k..., C, O]; TensorFlow's padding rule."""
    rank = w.ndim - 2
    wt = torch.from_numpy(w).permute(rank + 1, rank, *range(rank)).contiguous()  # [O, C, k...]
    if padding == "same":
        pads = []
        for a in reversed(range(rank)):
            n, k, s, d = x.shape[2 + a], w.shape[a], strides[a], dilation[a]
            out = -(-n // s)
            total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
            pads += [total // 2, total - total // 2]
        x = F.pad(x, pads)
    fn = [F.conv1d, F.conv2d, F.conv3d][rank - 1]
    return fn(x, wt, stride=tuple(strides), dilation=tuple(dilation))


def run(case, x, k, r, b, backwards):
    rank, filters = case["rank"], case["filters"]
    cf = case["data_format"] == "channels_first"
    xt = torch.from_numpy(x)
    if not cf:  # [B, T, spatial..., C] -> [B, T, C, spatial...]
        xt = xt.permute(0, 1, rank + 2, *range(2, rank + 2))
    steps = xt.shape[1]
    h = c = None
    seq = []
    order = range(steps - 1, -1, -1) if backwards else range(steps)
    bias = torch.from_numpy(b).reshape(1, 4 * filters, *([1] * rank))
    for t in order:
        zx = conv(xt[:, t], k, case["strides"], case["padding"], case["dilation_rate"]) + bias
        if h is None:
            h = torch.zeros(zx.shape[0], filters, *zx.shape[2:])
            c = torch.zeros_like(h)
        z = zx + conv(h, r, [1] * rank, "same", [1] * rank)
        i, f, cc, o = torch.split(z, filters, dim=1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(cc)
        h = torch.sigmoid(o) * torch.tanh(c)
        seq.append(h)
    seq = torch.stack(seq, 1)

    def out(t, lead):  # channels first [.., F, spatial...] -> the case's format
        if cf:
            return t
        return t.permute(*range(lead), *range(lead + 1, lead + 1 + rank), lead)

    return out(seq, 2), out(h, 1), out(c, 1)


CASES = [
    dict(name="2d_same", rank=2, filters=3, kernel_size=[3, 3], strides=[1, 1], padding="same", dilation_rate=[1, 1],
         data_format="channels_last", x_shape=[2, 3, 4, 5, 2]),
    dict(name="2d_valid_strided", rank=2, filters=2, kernel_size=[3, 2], strides=[2, 2], padding="valid", dilation_rate=[1, 1],
         data_format="channels_last", x_shape=[2, 3, 5, 6, 2]),
    dict(name="2d_same_strided_channels_first", rank=2, filters=2, kernel_size=[3, 3], strides=[2, 1], padding="same", dilation_rate=[1, 1],
         data_format="channels_first", x_shape=[1, 3, 3, 5, 4]),
    dict(name="1d_same_dilated", rank=1, filters=3, kernel_size=[3], strides=[1], padding="same", dilation_rate=[2],
         data_format="channels_last", x_shape=[2, 4, 7, 2]),
    dict(name="1d_valid_channels_first", rank=1, filters=2, kernel_size=[2], strides=[1], padding="valid", dilation_rate=[1],
         data_format="channels_first", x_shape=[2, 3, 3, 5]),
    dict(name="3d_valid", rank=3, filters=2, kernel_size=[2, 2, 2], strides=[1, 1, 1], padding="valid", dilation_rate=[1, 1, 1],
         data_format="channels_last", x_shape=[1, 2, 3, 3, 4, 2]),
    dict(name="3d_same_channels_first", rank=3, filters=2, kernel_size=[2, 3, 2], strides=[1, 1, 1], padding="same", dilation_rate=[1, 1, 1],
         data_format="channels_first", x_shape=[1, 2, 2, 2, 3, 3]),
]

out = []
for case in CASES:
    rank, filters = case["rank"], case["filters"]
    channels = case["x_shape"][2] if case["data_format"] == "channels_first" else case["x_shape"][-1]
    x = f32(case["x_shape"])
    k = f32(case["kernel_size"] + [channels, 4 * filters], 0.5)
    r = f32(case["kernel_size"] + [filters, 4 * filters], 0.5)
    b = f32([4 * filters], 0.5)
    record = dict(case, x=x.ravel().tolist(), kernel=k.ravel().tolist(), recurrent_kernel=r.ravel().tolist(), bias=b.ravel().tolist())
    for backwards in (False, True):
        seq, h, c = run(case, x, k, r, b, backwards)
        tag = "_back" if backwards else ""
        record["sequence" + tag] = seq.numpy().ravel().tolist()
        record["h" + tag] = h.numpy().ravel().tolist()
        record["c" + tag] = c.numpy().ravel().tolist()
    record["sequence_shape"] = list(seq.shape)
    out.append(record)
    print(case["name"], "sequence", list(seq.shape), "h[:3]", h.numpy().ravel()[:3])

with open("convlstm_references.json", "w") as fh:
    json.dump({"cases": out}, fh)
