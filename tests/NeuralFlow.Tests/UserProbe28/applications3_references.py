"""References for the Applications3* tests: keras.applications.EfficientNetB0 built by hand in PyTorch from
keras/src/applications/efficientnet.py, with the deterministic weights of UserProbe26/apps_references.py (each weight a
function of its flat index and of its variable's position in Keras' layer order; the stem Normalization's mean and
variance take the moving_mean and moving_variance formulas, its int64 count stays 0), which the C# tests assign, save
to a Keras 3 .weights.h5 and load through `weights:`. EfficientNet is a chain of layers (the squeeze-excite branch and
the residual Add rejoin it at once), so Keras' layer order is the order in which the walker makes the weights.
Also EfficientNet B0 to B7's parameter counts by arithmetic over the same source, against Keras' published table.
Run with /usr/bin/python3 (torch, numpy); its printed values are hard-coded in the tests.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe26"))
from apps_references import Net, images, fmt, make_divisible  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe27"))
from apps2_references import summary  # noqa: E402

torch.set_default_dtype(torch.float64)

# efficientnet.py's DEFAULT_BLOCKS_ARGS: kernel, repeats, filters in, filters out, expansion, strides (se 0.25, skip).
BLOCKS = [(3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2), (3, 3, 40, 80, 6, 2),
          (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2), (3, 1, 192, 320, 6, 1)]
# name: (width, depth) of EfficientNetB0 ... B7.
VARIANTS = {"b0": (1.0, 1.0), "b1": (1.0, 1.1), "b2": (1.1, 1.2), "b3": (1.2, 1.4),
            "b4": (1.4, 1.8), "b5": (1.6, 2.2), "b6": (1.8, 2.6), "b7": (2.0, 3.1)}


def round_filters(filters, width):
    return make_divisible(filters * width, 8)


def correct_pad(x, k):
    # imagenet_utils.correct_pad on an NCHW tensor, as F.pad's (left, right, top, bottom).
    ah, aw = 1 - x.shape[2] % 2, 1 - x.shape[3] % 2
    c = k // 2
    return (c - aw, c, c - ah, c)


class Walker(Net):
    def conv_b(self, x, filters, k, bias):
        x = self.conv(x, filters, k)
        return x + self.w("bias", (filters,)).view(1, -1, 1, 1) if bias else x

    def dw(self, x, k, s):
        c = x.shape[1]
        kern = self.w("depthwise_kernel", (k, k, c, 1))
        if s == 1:
            x = self.same_pad(x, k, 1)
        else:
            x = F.pad(x, correct_pad(x, k))
        return F.conv2d(x, kern.permute(2, 3, 0, 1), stride=s, groups=c)

    def efficientnet_b0(self, images_nhwc, include_top, classes=0):
        swish = F.silu
        x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
        x = x * (1.0 / 255.0)
        mean, var = self.w("moving_mean", (3,)), self.w("moving_variance", (3,))
        self.j += 1  # the count
        x = (x - mean.view(1, 3, 1, 1)) / torch.clamp(torch.sqrt(var.view(1, 3, 1, 1)), min=1e-7)
        x = F.pad(x, correct_pad(x, 3))
        kern = self.w("kernel", (3, 3, 3, 32))
        x = swish(self.bn(F.conv2d(x, kern.permute(3, 2, 0, 1), stride=2)))
        for k, repeats, fin, fout, expand, strides in BLOCKS:
            for r in range(repeats):
                if r > 0:
                    fin, strides = fout, 1
                inputs = x
                filters = fin * expand
                if expand != 1:
                    x = swish(self.bn(self.conv(x, filters, 1)))
                x = swish(self.bn(self.dw(x, k, strides)))
                se = x.mean(dim=(2, 3), keepdim=True)
                se = swish(self.conv_b(se, max(1, int(fin * 0.25)), 1, True))
                se = torch.sigmoid(self.conv_b(se, filters, 1, True))
                x = self.bn(self.conv(x * se, fout, 1))
                if strides == 1 and fin == fout:
                    x = x + inputs  # the drop (stochastic depth) is the identity at inference
        x = swish(self.bn(self.conv(x, 1280, 1)))
        if not include_top:
            return x.permute(0, 2, 3, 1)
        x = x.mean(dim=(2, 3))  # then top_dropout: the identity at inference
        x = x @ self.w("kernel", (1280, classes)) + self.w("bias", (classes,))
        return torch.softmax(x, dim=1)


def efficientnet_params(width, depth, include_top):
    """(total, non-trainable) parameters of efficientnet.py's EfficientNet(width, depth) with weights=None."""
    total, frozen = 7, 7  # the stem Normalization: mean (3), variance (3), count (1)

    def bn(c):
        return 4 * c, 2 * c

    def add(t, f=0):
        nonlocal total, frozen
        total += t
        frozen += f

    stem = round_filters(32, width)
    add(27 * stem)
    add(*bn(stem))
    for k, repeats, fin, fout, expand, strides in BLOCKS:
        fin, fout = round_filters(fin, width), round_filters(fout, width)
        for r in range(int(math.ceil(depth * repeats))):
            if r > 0:
                fin = fout
            filters = fin * expand
            if expand != 1:
                add(fin * filters)
                add(*bn(filters))
            add(k * k * filters)
            add(*bn(filters))
            se = max(1, int(fin * 0.25))
            add(filters * se + se)
            add(se * filters + filters)
            add(filters * fout)
            add(*bn(fout))
    top = round_filters(1280, width)
    add(fout * top)
    add(*bn(top))
    if include_top:
        add(top * 1000 + 1000)
    return total, frozen


def main():
    # EfficientNetB0 with its classifier: 32x32 pixels (the model scales them itself), five classes.
    print("efficientnetb0 softmax:", fmt(Walker().efficientnet_b0(images((2, 32, 32, 3)), True, 5).numpy().ravel()))
    # Without: 64x64 images, a (2, 2, 2, 1280) map.
    summary("efficientnetb0 64", Walker().efficientnet_b0(images((2, 64, 64, 3)), False), [0, 7, 123, 1000, 5119])
    for name, (width, depth) in VARIANTS.items():
        total, frozen = efficientnet_params(width, depth, True)
        notop, _ = efficientnet_params(width, depth, False)
        print(f"efficientnet{name}: {total:,} ({total - frozen:,} trainable), {notop:,} without the top")


if __name__ == "__main__":
    main()
