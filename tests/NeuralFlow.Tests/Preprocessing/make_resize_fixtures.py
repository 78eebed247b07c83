"""Reference values for NF.Image.Resize (ResizeTests.cs), from PyTorch 1.13 and NumPy.

Run from this folder: /usr/bin/python3 make_resize_fixtures.py; it writes resize_fixtures.json.
tf.image.resize is not installed here, so each TF method is matched with what equals it, and the
script asserts the equalities it relies on against a NumPy transcription of TF's rules:
- bilinear (antialias False or True): torch interpolate(mode="bilinear", align_corners=False,
  antialias=...), which is TF's half-pixel bilinear and TF's scale_and_translate triangle kernel;
- bicubic: TF uses Keys' kernel with a = -0.5 and renormalised border taps (resize_bicubic_op.cc,
  use_keys_cubic), torch's plain bicubic uses a = -0.75 and clamps, so it differs; torch's
  antialias=True bicubic uses a = -0.5 with renormalisation, which equals TF for upscales and for
  antialiased downscales; a plain bicubic downscale is the NumPy transcription alone;
- nearest: TF reads floor((i + 0.5) * in / out) (resize_nearest_neighbor_op.cc with
  half_pixel_centers), which is torch's "nearest-exact";
- area: TF's resize_area averages each output pixel's footprint with fractional overlaps; for
  integer ratios that is torch's avg_pool2d, otherwise the NumPy transcription alone.
"""
import json

import numpy as np
import torch
import torch.nn.functional as F

rng = np.random.default_rng(23)


def kernel(method, x):
    x = abs(x)
    if method == "bilinear":
        return max(0.0, 1 - x)
    a = -0.5
    if x < 1:
        return ((a + 2) * x - (a + 3)) * x * x + 1
    if x < 2:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return 0.0


def weights(n_in, n_out, method, antialias):
    """TF's rules for one axis as an [n_out, n_in] matrix."""
    w = np.zeros((n_out, n_in))
    inv = n_in / n_out
    if method == "nearest":
        s = np.float32(n_in) / np.float32(n_out)
        for i in range(n_out):
            w[i, min(int(np.floor(np.float32(i + 0.5) * s)), n_in - 1)] = 1
        return w
    if method == "area":
        for i in range(n_out):
            lo, hi = i * inv, (i + 1) * inv
            for j in range(n_in):
                w[i, j] = max(0.0, min(hi, j + 1) - max(lo, j)) / inv
        return w
    widen = max(inv, 1.0) if antialias else 1.0
    for i in range(n_out):
        centre = (i + 0.5) * inv
        for j in range(n_in):
            w[i, j] = kernel(method, (j + 0.5 - centre) / widen)
        w[i] /= w[i].sum()
    return w


def tf_resize(x, h, w, method, antialias=False):
    return np.einsum("ph,qw,nhwc->npqc", weights(x.shape[1], h, method, antialias), weights(x.shape[2], w, method, antialias), x)


def torch_resize(x, h, w, **kw):
    y = F.interpolate(torch.tensor(x).permute(0, 3, 1, 2), size=(h, w), **kw)
    return y.permute(0, 2, 3, 1).numpy()


cases = []


def add(name, x, h, w, method, antialias, y, source):
    ours = tf_resize(x, h, w, method, antialias)
    assert np.abs(ours - y).max() < 1e-12, (name, np.abs(ours - y).max())
    cases.append(dict(name=name, method=method, antialias=antialias, x_shape=list(x.shape), height=h, width=w,
                      x=[float(v) for v in x.reshape(-1)], y=[float(v) for v in y.reshape(-1)], source=source))


x = rng.standard_normal((2, 5, 7, 3))
for h, w in [(10, 14), (3, 4), (8, 5), (2, 11)]:
    add(f"bilinear_{h}x{w}", x, h, w, "bilinear", False, torch_resize(x, h, w, mode="bilinear", align_corners=False), "torch bilinear")
    add(f"nearest_{h}x{w}", x, h, w, "nearest", False, torch_resize(x, h, w, mode="nearest-exact"), "torch nearest-exact")
add("bilinear_aa_3x4", x, 3, 4, "bilinear", True, torch_resize(x, 3, 4, mode="bilinear", align_corners=False, antialias=True), "torch bilinear antialias")
add("bilinear_aa_2x11", x, 2, 11, "bilinear", True, torch_resize(x, 2, 11, mode="bilinear", align_corners=False, antialias=True), "torch bilinear antialias")
add("bicubic_9x12", x, 9, 12, "bicubic", False, torch_resize(x, 9, 12, mode="bicubic", align_corners=False, antialias=True), "torch bicubic antialias (upscale: a=-0.5)")
add("bicubic_3x4", x, 3, 4, "bicubic", False, tf_resize(x, 3, 4, "bicubic"), "numpy transcription of TF resize_bicubic")
add("bicubic_aa_3x4", x, 3, 4, "bicubic", True, torch_resize(x, 3, 4, mode="bicubic", align_corners=False, antialias=True), "torch bicubic antialias")
add("area_3x4", x, 3, 4, "area", False, tf_resize(x, 3, 4, "area"), "numpy transcription of TF resize_area")
x2 = rng.standard_normal((1, 6, 8, 2))
add("area_3x4_integer", x2, 3, 4, "area", False, torch.nn.functional.avg_pool2d(torch.tensor(x2).permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1).numpy(), "torch avg_pool2d")

with open("resize_fixtures.json", "w") as f:
    json.dump({"cases": cases}, f)
print(len(cases), "cases")
