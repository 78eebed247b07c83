# Reference values for the Leftovers* tests (run with /usr/bin/python3: torch 1.13, numpy).
import numpy as np
import torch

# HardTanh on integers (LeftoversClipBoundsTests): signed integers clip to -1, 0, 1; uint8 is refused.
for dt in (torch.int32, torch.int64):
    print("hardtanh", dt, torch.nn.functional.hardtanh(torch.tensor([-100, -1, 0, 1, 100], dtype=dt)).tolist())
try:
    torch.nn.functional.hardtanh(torch.tensor([0, 1, 5], dtype=torch.uint8))
except RuntimeError as e:
    print("hardtanh uint8:", e)
try:
    torch.clamp(torch.tensor([0, 1, 5, 255], dtype=torch.uint8), 0, 300)
except RuntimeError as e:
    print("clamp uint8 300:", e)
print("clamp uint8 2..200", torch.clamp(torch.tensor([0, 1, 5, 255], dtype=torch.uint8), 2, 200).tolist())

# Segment min/max with NaN (LeftoversSegmentNaNTests): torch's scatter_reduce amin/amax propagate NaN.
nan = float("nan")
data = torch.tensor([1, nan, 3, 2, 5, nan, 4, 7], dtype=torch.float32)
ids = torch.tensor([0, 0, 0, 1, 1, 2, 3, 3])
for red in ("amin", "amax"):
    out = torch.zeros(4).scatter_reduce(0, ids, data, reduce=red, include_self=False)
    print("segment", red, out.tolist())
data2 = torch.tensor([nan, 1, 3, 2], dtype=torch.float32)
ids2 = torch.tensor([0, 0, 1, 1])
for red in ("amin", "amax"):
    print("segment nan first", red, torch.zeros(2).scatter_reduce(0, ids2, data2, reduce=red, include_self=False).tolist())

# Casting out-of-range floats (LeftoversCastRangeTests): numpy's answer, for the documentation's comparison.
with np.errstate(invalid="ignore"):
    print("numpy float32->int32", np.array([1e10, -1e10, np.nan, np.inf], np.float32).astype(np.int32).tolist())
    print("torch float32->int32", torch.tensor([1e10, -1e10, nan]).to(torch.int32).tolist())

# Broadcast slice assignment (LeftoversSliceAssignTests): numpy's v[1:3] = row, v[:, 0] = column, v[1:3] = [[a], [b]].
v = np.zeros((4, 3), np.float32)
v[1:3] = np.array([7, 8, 9], np.float32)
v[:, 0] = np.array([1, 2, 3, 4], np.float32)
v[2:4] = np.array([[5], [6]], np.float32)
print("slice assign", v.ravel().tolist())
try:
    v[1:3] = np.array([7, 8], np.float32)
except ValueError as e:
    print("slice assign (2,) into (2, 3):", e)

# Lanczos resize (LeftoversLanczosResizeTests): TensorFlow's scale_and_translate rule (scale_and_translate_op.cc,
# sampling_kernels.h) written out in numpy, as tf.image.resize(method="lanczos3"/"lanczos5") computes it: output
# i centred at (i + 0.5) * in / out, taps ceil(c - r*k - 0.5) .. floor(c + r*k - 0.5) clamped to the image, weight
# lanczos((j + 0.5 - c) / k), renormalised to sum 1; k = max(in / out, 1) with antialias, else 1.
def lanczos(x, r):
    x = abs(x)
    if x > r:
        return 0.0
    if x <= 1e-3:
        return 1.0
    return r * np.sin(np.pi * x) * np.sin(np.pi * x / r) / (np.pi * np.pi * x * x)

def weights(n, m, r, antialias):
    inv = n / m
    k = max(inv, 1.0) if antialias else 1.0
    w = np.zeros((m, n))
    for i in range(m):
        c = (i + 0.5) * inv
        lo = max(int(np.ceil(c - r * k - 0.5)), 0)
        hi = min(int(np.floor(c + r * k - 0.5)), n - 1)
        for j in range(lo, hi + 1):
            w[i, j] = lanczos((j + 0.5 - c) / k, r)
        w[i] /= w[i].sum()
    return w

img = (np.arange(20, dtype=np.float64).reshape(4, 5) ** 1.5) % 17
for (oh, ow, r, aa) in ((7, 3, 3, False), (3, 8, 5, False), (2, 2, 3, True)):
    out = weights(4, oh, r, aa) @ img @ weights(5, ow, r, aa).T
    print(f"lanczos{r} {oh}x{ow} antialias={aa}", np.round(out.ravel(), 6).tolist())

# Linspace / Logspace with non-finite ends (LeftoversLinspaceTests): numpy's IEEE values.
import warnings
warnings.simplefilter("ignore")
print("linspace(0, inf, 5)", np.linspace(0, np.inf, 5).tolist())
print("linspace(nan, 1, 3)", np.linspace(np.nan, 1, 3).tolist())
print("linspace(-inf, inf, 3)", np.linspace(-np.inf, np.inf, 3).tolist())
print("linspace(1, inf, 1)", np.linspace(1, np.inf, 1).tolist(), "(TF's num=1 rule gives [start])")
print("linspace(0, 1, 1, endpoint=False)", np.linspace(0, 1, 1, endpoint=False).tolist(), "linspace(0, 1, 0)", np.linspace(0, 1, 0).tolist())
print("logspace(0, inf, 3)", np.logspace(0, np.inf, 3).tolist(), "logspace(nan, 1, 3)", np.logspace(np.nan, 1, 3).tolist())
print("logspace(0, 2, 1, endpoint=False)", np.logspace(0, 2, 1, endpoint=False).tolist(), "logspace(-inf, 0, 3)", np.logspace(-np.inf, 0, 3).tolist())
