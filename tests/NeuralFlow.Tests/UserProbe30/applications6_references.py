"""References for the Applications6* tests: keras.applications.RegNetX002 / RegNetY002 (tf_keras/applications/regnet.py;
Keras 3 no longer ships RegNet) and NASNetMobile (keras/src/applications/nasnet.py) built by hand in PyTorch. Each
weight is apps_references.py's value(kind, shape, j) with j taken from the weight's own name, not its position:
j = FNV-1a 32 of "layer name/variable name" (UTF-8) mod 1,000,000, so a network whose branches Keras orders in its own
way (NASNet's cells) needs no layer order here. The C# tests assign the same values by name (Applications6Weights.Fill).
Also RegNet's parameter counts by arithmetic over regnet.py's MODEL_CONFIGS, and NASNet's by a counting walk.
Run with /usr/bin/python3 (torch, numpy); its printed values are hard-coded in the tests.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "UserProbe26"))
from apps_references import images, fmt, value  # noqa: E402

torch.set_default_dtype(torch.float64)

# regnet.py's MODEL_CONFIGS: depths, widths, group width (the block type is the key's letter).
REGNET = {
    "x002": ([1, 1, 4, 7], [24, 56, 152, 368], 8), "x004": ([1, 2, 7, 12], [32, 64, 160, 384], 16),
    "x006": ([1, 3, 5, 7], [48, 96, 240, 528], 24), "x008": ([1, 3, 7, 5], [64, 128, 288, 672], 16),
    "x016": ([2, 4, 10, 2], [72, 168, 408, 912], 24), "x032": ([2, 6, 15, 2], [96, 192, 432, 1008], 48),
    "x040": ([2, 5, 14, 2], [80, 240, 560, 1360], 40), "x064": ([2, 4, 10, 1], [168, 392, 784, 1624], 56),
    "x080": ([2, 5, 15, 1], [80, 240, 720, 1920], 120), "x120": ([2, 5, 11, 1], [224, 448, 896, 2240], 112),
    "x160": ([2, 6, 13, 1], [256, 512, 896, 2048], 128), "x320": ([2, 7, 13, 1], [336, 672, 1344, 2520], 168),
    "y002": ([1, 1, 4, 7], [24, 56, 152, 368], 8), "y004": ([1, 3, 6, 6], [48, 104, 208, 440], 8),
    "y006": ([1, 3, 7, 4], [48, 112, 256, 608], 16), "y008": ([1, 3, 8, 2], [64, 128, 320, 768], 16),
    "y016": ([2, 6, 17, 2], [48, 120, 336, 888], 24), "y032": ([2, 5, 13, 1], [72, 216, 576, 1512], 24),
    "y040": ([2, 6, 12, 2], [128, 192, 512, 1088], 64), "y064": ([2, 7, 14, 2], [144, 288, 576, 1296], 72),
    "y080": ([2, 4, 10, 1], [168, 448, 896, 2016], 56), "y120": ([2, 5, 11, 1], [224, 448, 896, 2240], 112),
    "y160": ([2, 4, 11, 1], [224, 448, 1232, 3024], 112), "y320": ([2, 5, 12, 1], [232, 696, 1392, 3712], 232),
}


def fnv(text):
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


class Named:
    """Makes each weight from its layer's and variable's names; counts (total, trainable) as it goes."""

    def __init__(self):
        self.total = self.trainable = 0

    def w(self, layer, var, shape):
        n = int(np.prod(shape))
        self.total += n
        self.trainable += 0 if var.startswith("moving_") else n
        kind = "kernel" if var == "pointwise_kernel" else var
        return torch.tensor(value(kind, shape, fnv(f"{layer}/{var}") % 1000000).astype(np.float64))

    def conv(self, x, name, filters, k, s=1, padding="same", groups=1, bias=False):
        cin = x.shape[1]
        kern = self.w(name, "kernel", (k, k, cin // groups, filters)).permute(3, 2, 0, 1)
        if padding == "same":
            x = same_pad(x, k, s)
        x = F.conv2d(x, kern, stride=s, groups=groups)
        return x + self.w(name, "bias", (filters,)).view(1, -1, 1, 1) if bias else x

    def sep(self, x, name, filters, k, s, padding):
        cin = x.shape[1]
        dw = self.w(name, "depthwise_kernel", (k, k, cin, 1)).permute(2, 3, 0, 1)
        pw = self.w(name, "pointwise_kernel", (1, 1, cin, filters)).permute(3, 2, 0, 1)
        if padding == "same":
            x = same_pad(x, k, s)
        return F.conv2d(F.conv2d(x, dw, stride=s, groups=cin), pw)

    def bn(self, x, name, eps):
        c = x.shape[1]
        gamma, beta = self.w(name, "gamma", (c,)), self.w(name, "beta", (c,))
        mean, var = self.w(name, "moving_mean", (c,)), self.w(name, "moving_variance", (c,))
        v = lambda t: t.view(1, -1, 1, 1)  # noqa: E731
        return (x - v(mean)) / torch.sqrt(v(var) + eps) * v(gamma) + v(beta)

    def dense(self, x, name, units):
        return x @ self.w(name, "kernel", (x.shape[1], units)) + self.w(name, "bias", (units,))


def same_pad(x, k, s):
    # TensorFlow's 'same': the odd pixel of padding goes to the bottom/right.
    out = [(n + s - 1) // s for n in x.shape[2:]]
    pad = [max((o - 1) * s + k - n, 0) for o, n in zip(out, x.shape[2:])]
    return F.pad(x, (pad[1] // 2, pad[1] - pad[1] // 2, pad[0] // 2, pad[0] - pad[0] // 2))


def correct_pad(x, k):
    ah, aw = 1 - x.shape[2] % 2, 1 - x.shape[3] % 2
    c = k // 2
    return (c - aw, c, c - ah, c)


def nchw(images_nhwc):
    return torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)


# ---------------------------------------------------------------- RegNet
def regnet(net, variant, images_nhwc, classes):
    depths, widths, group_width = REGNET[variant]
    name = "regnet" + variant
    x = nchw(images_nhwc) * (1.0 / 255.0)
    x = F.relu(net.bn(net.conv(x, f"{name}_stem_conv", 32, 3, 2), f"{name}_stem_bn", 1e-5))
    fin = 32
    for stage, (depth, w) in enumerate(zip(depths, widths)):
        for i in range(depth):
            b = f"{name}_Stage_{stage}_{variant[0].upper()}Block_{i}"
            cin, s = (fin, 2) if i == 0 else (w, 1)
            groups = max(1, w // group_width)
            skip = x
            if s != 1:
                skip = net.bn(net.conv(x, f"{b}_skip_1x1", w, 1, s), f"{b}_skip_bn", 1e-5)
            y = F.relu(net.bn(net.conv(x, f"{b}_conv_1x1_1", w, 1), f"{b}_conv_1x1_1_bn", 1e-5))
            y = F.relu(net.bn(net.conv(y, f"{b}_conv_3x3", w, 3, s, groups=groups), f"{b}_conv_3x3_bn", 1e-5))
            if variant[0] == "y":
                se = y.mean(dim=(2, 3), keepdim=True)
                se = F.relu(net.conv(se, f"{b}_squeeze_and_excite_squeeze", cin // 4, 1, bias=True))
                se = torch.sigmoid(net.conv(se, f"{b}_squeeze_and_excite_excite", w, 1, bias=True))
                y = y * se
            y = net.bn(net.conv(y, f"{b}_conv_1x1_2", w, 1), f"{b}_conv_1x1_2_bn", 1e-5)
            x = F.relu(y + skip)
        fin = w
    x = x.mean(dim=(2, 3))
    return net.dense(x, "1head_dense", classes)  # classifier_activation=None: logits


def regnet_params(variant, include_top=True):
    """(total, trainable) of regnet.py's RegNet with 1000 classes, by arithmetic over MODEL_CONFIGS."""
    depths, widths, group_width = REGNET[variant]
    total = frozen = 0

    def add(n, f=0):
        nonlocal total, frozen
        total, frozen = total + n, frozen + f

    add(27 * 32)
    add(4 * 32, 2 * 32)
    fin = 32
    for depth, w in zip(depths, widths):
        for i in range(depth):
            cin = fin if i == 0 else w
            groups = max(1, w // group_width)  # tf-keras' Conv takes groups 0 (X080's 80 < 120) as 1
            if i == 0:
                add(cin * w)
                add(4 * w, 2 * w)
            add(cin * w)
            add(4 * w, 2 * w)
            add(9 * (w // groups) * w)
            add(4 * w, 2 * w)
            if variant[0] == "y":
                se = cin // 4
                add(w * se + se + se * w + w)
            add(w * w)
            add(4 * w, 2 * w)
        fin = w
    if include_top:
        add(fin * 1000 + 1000)
    return total, total - frozen


# ---------------------------------------------------------------- NASNet
def nasnet(net, images_nhwc, penultimate, num_blocks, stem_filters, skip_reduction, include_top, classes):
    x = nchw(images_nhwc) * (1.0 / 127.5) - 1.0  # nasnet.preprocess_input ("tf")
    eps = 1e-3
    filters = penultimate // 24

    def sep_block(x, f, k, s, bid):
        x = F.relu(x)
        if s == 2:
            x = net.sep(F.pad(x, correct_pad(x, k)), f"separable_conv_1_{bid}", f, k, 2, "valid")
        else:
            x = net.sep(x, f"separable_conv_1_{bid}", f, k, 1, "same")
        x = F.relu(net.bn(x, f"separable_conv_1_bn_{bid}", eps))
        return net.bn(net.sep(x, f"separable_conv_2_{bid}", f, k, 1, "same"), f"separable_conv_2_bn_{bid}", eps)

    def adjust(p, ip, f, bid):
        if p is None:
            return ip
        if p.shape[3] != ip.shape[3]:
            p = F.relu(p)
            p1 = net.conv(p[:, :, ::2, ::2], f"adjust_conv_1_{bid}", f // 2, 1)
            p2 = F.pad(p, (0, 1, 0, 1))[:, :, 1:, 1:]
            p2 = net.conv(p2[:, :, ::2, ::2], f"adjust_conv_2_{bid}", f // 2, 1)
            return net.bn(torch.cat([p1, p2], dim=1), f"adjust_bn_{bid}", eps)
        if p.shape[1] != f:
            return net.bn(net.conv(F.relu(p), f"adjust_conv_projection_{bid}", f, 1), f"adjust_bn_{bid}", eps)
        return p

    def avg_same(x):
        return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)

    def normal(ip, p, f, bid):
        p = adjust(p, ip, f, bid)
        h = net.bn(net.conv(F.relu(ip), f"normal_conv_1_{bid}", f, 1), f"normal_bn_1_{bid}", eps)
        x1 = sep_block(h, f, 5, 1, f"normal_left1_{bid}") + sep_block(p, f, 3, 1, f"normal_right1_{bid}")
        x2 = sep_block(p, f, 5, 1, f"normal_left2_{bid}") + sep_block(p, f, 3, 1, f"normal_right2_{bid}")
        x3 = avg_same(h) + p
        x4 = avg_same(p) + avg_same(p)
        x5 = sep_block(h, f, 3, 1, f"normal_left5_{bid}") + h
        return torch.cat([p, x1, x2, x3, x4, x5], dim=1), ip

    def reduction(ip, p, f, bid):
        p = adjust(p, ip, f, bid)
        h = net.bn(net.conv(F.relu(ip), f"reduction_conv_1_{bid}", f, 1), f"reduction_bn_1_{bid}", eps)
        h3 = F.pad(h, correct_pad(h, 3))
        x1 = sep_block(h, f, 5, 2, f"reduction_left1_{bid}") + sep_block(p, f, 7, 2, f"reduction_right1_{bid}")
        x2 = F.max_pool2d(h3, 3, 2) + sep_block(p, f, 7, 2, f"reduction_right2_{bid}")
        x3 = F.avg_pool2d(h3, 3, 2) + sep_block(p, f, 5, 2, f"reduction_right3_{bid}")
        x4 = x2 + avg_same(x1)
        x5 = sep_block(x1, f, 3, 1, f"reduction_left4_{bid}") + F.max_pool2d(h3, 3, 2)
        return torch.cat([x2, x3, x4, x5], dim=1), ip

    x = net.bn(net.conv(x, "stem_conv1", stem_filters, 3, 2, padding="valid"), "stem_bn1", eps)
    p = None
    x, p = reduction(x, p, filters // 4, "stem_1")
    x, p = reduction(x, p, filters // 2, "stem_2")
    for i in range(num_blocks):
        x, p = normal(x, p, filters, f"{i}")
    x, p0 = reduction(x, p, filters * 2, f"reduce_{num_blocks}")
    p = p0 if not skip_reduction else p
    for i in range(num_blocks):
        x, p = normal(x, p, filters * 2, f"{num_blocks + i + 1}")
    x, p0 = reduction(x, p, filters * 4, f"reduce_{2 * num_blocks}")
    p = p0 if not skip_reduction else p
    for i in range(num_blocks):
        x, p = normal(x, p, filters * 4, f"{2 * num_blocks + i + 1}")
    x = F.relu(x)
    if not include_top:
        return x
    return net.dense(x.mean(dim=(2, 3)), "predictions", classes)  # logits


def main():
    # RegNetX002 and RegNetY002 with their classifiers: 32x32 raw pixels (the model rescales them), five classes, logits
    # (classifier_activation=None: the random weights' softmax is one-hot, which would hide small differences).
    for variant in ("x002", "y002"):
        print(f"regnet{variant} logits:", fmt(regnet(Named(), variant, images((2, 32, 32, 3)), 5).numpy().ravel()))
    # NASNetMobile with its classifier: 32x32 images through nasnet.preprocess_input, five classes, logits.
    print("nasnet_mobile logits:", fmt(nasnet(Named(), images((2, 32, 32, 3)), 1056, 4, 32, False, True, 5).numpy().ravel()))
    for variant in REGNET:
        total, trainable = regnet_params(variant)
        print(f"regnet{variant}: {total:,} ({trainable:,} trainable), {regnet_params(variant, False)[0]:,} without the top")
    # NASNet's counts by walking the network (at the smallest size, which makes every weight) with 1000 classes.
    for label, args in (("nasnet_mobile", (1056, 4, 32, False)), ("nasnet_large", (4032, 6, 96, True))):
        net = Named()
        nasnet(net, images((1, 32, 32, 3)), *args, True, 1000)
        print(f"{label}: {net.total:,} ({net.trainable:,} trainable)")


if __name__ == "__main__":
    main()
