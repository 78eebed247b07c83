"""Reference values for NF.Pad, NF.Split, UpSampling2D and Embedding (PadSplitTests.cs,
ShapeLayerTests.cs), from PyTorch and NumPy.

Run from this folder: /usr/bin/python3 make_shape_fixtures.py  (torch 1.13, numpy); it writes
shape_fixtures.json. Values come from numpy.pad / torch; gradients are of sum(y * w) for a
fixed weight w, by torch autograd through an independent construction (torch.cat of flipped
slices for the mirrored pads, F.interpolate for nearest upsampling, F.embedding for lookups).
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(17)


def flat(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().numpy()
    return [float(v) for v in np.asarray(t).reshape(-1)]


def mirror(x, axis, before, after, edge):
    """Pads one axis of a torch tensor by mirroring, built from flipped slices (not gathers)."""
    n = x.shape[axis]
    parts = []
    if before:
        lo = 0 if edge else 1
        parts.append(x.narrow(axis, lo, before).flip(axis))
    parts.append(x)
    if after:
        hi = n - after if edge else n - after - 1
        parts.append(x.narrow(axis, hi, after).flip(axis))
    return torch.cat(parts, axis)


pads = []


def pad_case(name, shape, paddings, mode, value=0.0):
    x = rng.uniform(-1, 1, shape)
    np_mode = {"constant": "constant", "reflect": "reflect", "symmetric": "symmetric"}[mode]
    kwargs = {"constant_values": value} if mode == "constant" else {}
    y = np.pad(x, paddings, mode=np_mode, **kwargs)
    xt = torch.tensor(x, requires_grad=True)
    if mode == "constant":
        flat_pads = []
        for before, after in reversed(paddings):
            flat_pads += [before, after]
        yt = F.pad(xt, flat_pads, value=value)
    else:
        yt = xt
        for axis, (before, after) in enumerate(paddings):
            yt = mirror(yt, axis, before, after, mode == "symmetric")
    assert np.allclose(yt.detach().numpy(), y)
    w = rng.uniform(0.5, 1.5, y.shape)
    (yt * torch.tensor(w)).sum().backward()
    pads.append({"name": name, "mode": mode, "value": value, "paddings": paddings,
                 "x": flat(x), "x_shape": list(shape), "y": flat(y), "y_shape": list(y.shape),
                 "w": flat(w), "dx": flat(xt.grad)})


pad_case("constant_2d", (3, 4), [[1, 2], [0, 3]], "constant")
pad_case("constant_value_3d", (2, 3, 2), [[0, 1], [2, 0], [1, 1]], "constant", 1.5)
pad_case("reflect_2d", (4, 3), [[3, 1], [2, 2]], "reflect")
pad_case("reflect_3d", (2, 4, 3), [[1, 0], [0, 3], [1, 2]], "reflect")
pad_case("symmetric_2d", (3, 4), [[3, 2], [1, 4]], "symmetric")
pad_case("symmetric_4d", (2, 3, 3, 2), [[0, 0], [1, 2], [3, 0], [0, 0]], "symmetric")

upsampling = []
for name, shape, size in [("square", (2, 3, 4, 2), (2, 2)), ("rect", (1, 2, 3, 3), (3, 1))]:
    x = rng.uniform(-1, 1, shape)
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)   # NCHW for torch
    yt = F.interpolate(xt, scale_factor=size, mode="nearest")
    w = rng.uniform(0.5, 1.5, tuple(yt.shape))
    (yt * torch.tensor(w)).sum().backward()
    upsampling.append({"name": name, "size": list(size), "x": flat(x), "x_shape": list(shape),
                       "y": flat(yt.permute(0, 2, 3, 1)), "y_shape": [yt.shape[0], yt.shape[2], yt.shape[3], yt.shape[1]],
                       "w": flat(torch.tensor(w).permute(0, 2, 3, 1)), "dx": flat(xt.grad.permute(0, 2, 3, 1))})

# Embedding: repeated indices must add their gradients into one row.
table = rng.uniform(-1, 1, (7, 3))
indices = np.array([[1, 4, 1], [6, 0, 1]])
tt = torch.tensor(table, requires_grad=True)
yt = F.embedding(torch.tensor(indices), tt)
w = rng.uniform(0.5, 1.5, tuple(yt.shape))
(yt * torch.tensor(w)).sum().backward()
embedding = {"table": flat(table), "table_shape": list(table.shape), "indices": [int(i) for i in indices.reshape(-1)],
             "indices_shape": list(indices.shape), "y": flat(yt), "w": flat(w), "dtable": flat(tt.grad)}

with open("shape_fixtures.json", "w") as f:
    json.dump({"pads": pads, "upsampling": upsampling, "embedding": embedding}, f)
print(f"{len(pads)} pad cases, {len(upsampling)} upsampling cases, one embedding case")
