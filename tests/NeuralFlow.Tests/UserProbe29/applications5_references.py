"""References for the Applications5* tests: keras.applications.MobileNetV3Small / MobileNetV3Large
(keras/src/applications/mobilenet_v3.py) and EfficientNetV2B0 ... L (efficientnet_v2.py) built by hand in PyTorch, with
the deterministic weights of UserProbe26/apps_references.py (each weight a function of its flat index and of its
variable's position in Keras' layer order), which the C# tests assign, save to a Keras 3 .weights.h5 and load through
`weights:`. Both families are chains whose branches (squeeze-excite, the residual Add) rejoin at once, so Keras' layer
order is the order in which the walker makes the weights. The parameter counts are counted by the same walkers over the
source (every weight made once), with ImageNet's 1000 classes.
Run with /usr/bin/python3 (torch, numpy); its printed values are hard-coded in the tests.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "UserProbe26"))
from apps_references import images, fmt, make_divisible  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "UserProbe27"))
from apps2_references import summary  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "UserProbe28"))
from applications3_references import Walker, correct_pad  # noqa: E402

torch.set_default_dtype(torch.float64)

TRAINED = ("kernel", "depthwise_kernel", "bias", "gamma", "beta")


class Counter(Walker):
    """Walker that also counts the weights it makes: (total, trainable)."""

    def __init__(self):
        super().__init__()
        self.total = self.trainable = 0

    def w(self, kind, shape):
        n = int(np.prod(shape))
        self.total += n
        self.trainable += n if kind in TRAINED else 0
        return super().w(kind, shape)

    def dw_same(self, x, k, s):
        # A 'same' DepthwiseConv2D of any stride (efficientnet_v2.py pads with TensorFlow's rule, not correct_pad).
        c = x.shape[1]
        kern = self.w("depthwise_kernel", (k, k, c, 1))
        return F.conv2d(self.same_pad(x, k, s), kern.permute(2, 3, 0, 1), stride=s, groups=c)


def hard_sigmoid(x):
    return torch.clamp(x + 3.0, 0, 6) * (1.0 / 6.0)


def hard_swish(x):
    return x * hard_sigmoid(x)


# ---------------------------------------------------------------- MobileNetV3
# (expansion, filters, kernel (None: the model's 5 or 3 when minimalistic), stride, se, activation (None: the model's)).
SMALL = [(1, 16, 3, 2, True, "relu"), (72.0 / 16, 24, 3, 2, False, "relu"), (88.0 / 24, 24, 3, 1, False, "relu"),
         (4, 40, None, 2, True, None), (6, 40, None, 1, True, None), (6, 40, None, 1, True, None),
         (3, 48, None, 1, True, None), (3, 48, None, 1, True, None), (6, 96, None, 2, True, None),
         (6, 96, None, 1, True, None), (6, 96, None, 1, True, None)]
LARGE = [(1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"), (3, 24, 3, 1, False, "relu"),
         (3, 40, None, 2, True, "relu"), (3, 40, None, 1, True, "relu"), (3, 40, None, 1, True, "relu"),
         (6, 80, 3, 2, False, None), (2.5, 80, 3, 1, False, None), (2.3, 80, 3, 1, False, None),
         (2.3, 80, 3, 1, False, None), (6, 112, 3, 1, True, None), (6, 112, 3, 1, True, None),
         (6, 160, None, 2, True, None), (6, 160, None, 1, True, None), (6, 160, None, 1, True, None)]


def mobilenet_v3(net, images_nhwc, small, alpha=1.0, minimalistic=False, include_top=True, classes=1000, preprocessing=True):
    x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
    if preprocessing:
        x = x * (1.0 / 127.5) - 1.0
    kernel, act, se_ratio = (3, F.relu, None) if minimalistic else (5, hard_swish, 0.25)
    x = act(net.bn(net.conv(x, 16, 3, 2)))
    for block_id, (e, f, k, s, se, a) in enumerate(SMALL if small else LARGE):
        k = kernel if k is None else k
        block_act = F.relu if a == "relu" else act
        shortcut, infilters = x, x.shape[1]
        filters = make_divisible(f * alpha, 8)
        if block_id:
            x = block_act(net.bn(net.conv(x, make_divisible(infilters * e, 8), 1)))
        x = block_act(net.bn(net.dw(x, k, s)))
        if se and se_ratio:
            width = make_divisible(infilters * e, 8)
            y = x.mean(dim=(2, 3), keepdim=True)
            y = F.relu(net.conv_b(y, make_divisible(width * se_ratio, 8), 1, True))
            y = hard_sigmoid(net.conv_b(y, width, 1, True))
            x = x * y
        x = net.bn(net.conv(x, filters, 1))
        if s == 1 and infilters == filters:
            x = shortcut + x
    x = act(net.bn(net.conv(x, make_divisible(x.shape[1] * 6, 8), 1)))
    if not include_top:
        return x.permute(0, 2, 3, 1)
    last_point = 1024 if small else 1280
    if alpha > 1.0:
        last_point = make_divisible(last_point * alpha, 8)
    x = x.mean(dim=(2, 3), keepdim=True)
    x = act(net.conv_b(x, last_point, 1, True))   # then the Dropout: the identity at inference
    x = net.conv_b(x, classes, 1, True).flatten(1)
    return torch.softmax(x, dim=1)


# ---------------------------------------------------------------- EfficientNetV2
# efficientnet_v2.py's DEFAULT_BLOCKS_ARGS: (kernel, repeats, in, out, expansion, se ratio, strides, fused).
V2_B = [(3, 1, 32, 16, 1, 0, 1, True), (3, 2, 16, 32, 4, 0, 2, True), (3, 2, 32, 48, 4, 0, 2, True),
        (3, 3, 48, 96, 4, 0.25, 2, False), (3, 5, 96, 112, 6, 0.25, 1, False), (3, 8, 112, 192, 6, 0.25, 2, False)]
V2_S = [(3, 2, 24, 24, 1, 0, 1, True), (3, 4, 24, 48, 4, 0, 2, True), (3, 4, 48, 64, 4, 0, 2, True),
        (3, 6, 64, 128, 4, 0.25, 2, False), (3, 9, 128, 160, 6, 0.25, 1, False), (3, 15, 160, 256, 6, 0.25, 2, False)]
V2_M = [(3, 3, 24, 24, 1, 0, 1, True), (3, 5, 24, 48, 4, 0, 2, True), (3, 5, 48, 80, 4, 0, 2, True),
        (3, 7, 80, 160, 4, 0.25, 2, False), (3, 14, 160, 176, 6, 0.25, 1, False), (3, 18, 176, 304, 6, 0.25, 2, False),
        (3, 5, 304, 512, 6, 0.25, 1, False)]
V2_L = [(3, 4, 32, 32, 1, 0, 1, True), (3, 7, 32, 64, 4, 0, 2, True), (3, 7, 64, 96, 4, 0, 2, True),
        (3, 10, 96, 192, 4, 0.25, 2, False), (3, 19, 192, 224, 6, 0.25, 1, False), (3, 25, 224, 384, 6, 0.25, 2, False),
        (3, 7, 384, 640, 6, 0.25, 1, False)]
# name: (blocks, width, depth)
V2 = {"b0": (V2_B, 1.0, 1.0), "b1": (V2_B, 1.0, 1.1), "b2": (V2_B, 1.1, 1.2), "b3": (V2_B, 1.2, 1.4),
      "s": (V2_S, 1.0, 1.0), "m": (V2_M, 1.0, 1.0), "l": (V2_L, 1.0, 1.0)}


def round_filters_v2(filters, width):
    # efficientnet_v2.py's round_filters: no 10% rule, unlike efficientnet.py's.
    return int(max(8, int(filters * width + 4) // 8 * 8))


def efficientnet_v2(net, images_nhwc, variant, include_top=True, classes=1000, stages=None):
    """The model's output; with `stages`, the map after that many stages of blocks (a sub-model's)."""
    blocks, width, depth = V2[variant]
    swish = F.silu
    x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
    if variant.startswith("b") and x.shape[1] == 3:
        x = x * (1.0 / 255.0)
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        std = torch.tensor([0.229 ** 2, 0.224 ** 2, 0.225 ** 2]).sqrt().view(1, 3, 1, 1)
        x = (x - mean) / std
    else:
        x = x * (1.0 / 128.0) - 1.0
    x = swish(net.bn(net.conv(x, round_filters_v2(blocks[0][2], width), 3, 2)))
    for k, repeats, fin, fout, e, se_ratio, strides, fused in blocks[:stages]:
        fin, fout = round_filters_v2(fin, width), round_filters_v2(fout, width)
        for r in range(int(math.ceil(depth * repeats))):
            if r > 0:
                fin, strides = fout, 1
            inputs, filters = x, fin * e
            if fused:
                if e != 1:
                    x = swish(net.bn(net.conv(x, filters, k, strides)))
            else:
                if e != 1:
                    x = swish(net.bn(net.conv(x, filters, 1)))
                x = swish(net.bn(net.dw_same(x, k, strides)))
            if 0 < se_ratio <= 1:
                y = x.mean(dim=(2, 3), keepdim=True)
                y = swish(net.conv_b(y, max(1, int(fin * se_ratio)), 1, True))
                x = x * torch.sigmoid(net.conv_b(y, filters, 1, True))
            if fused and e == 1:
                x = swish(net.bn(net.conv(x, fout, k, strides)))
            else:
                x = net.bn(net.conv(x, fout, 1))
            if strides == 1 and fin == fout:
                x = x + inputs   # the drop (stochastic depth) is the identity at inference
    if stages is not None:
        return x.permute(0, 2, 3, 1)
    x = swish(net.bn(net.conv(x, round_filters_v2(1280, width), 1)))
    if not include_top:
        return x.permute(0, 2, 3, 1)
    x = x.mean(dim=(2, 3))
    x = x @ net.w("kernel", (x.shape[1], classes)) + net.w("bias", (classes,))
    return torch.softmax(x, dim=1)


def counts(build):
    """(total, trainable) of a model with its ImageNet classifier, and the total without it."""
    net = Counter()
    build(net, True)
    top = (net.total, net.trainable)
    net = Counter()
    build(net, False)
    return top, net.total


def main():
    tiny = images((1, 32, 32, 3))
    for label, small, alpha, minimal in [("small", True, 1.0, False), ("large", False, 1.0, False),
                                         ("small minimalistic", True, 1.0, True), ("large 0.75", False, 0.75, False),
                                         ("small 1.25", True, 1.25, False)]:
        (t, tr), notop = counts(lambda n, top: mobilenet_v3(n, tiny, small, alpha, minimal, top))
        print(f"mobilenetv3 {label}: {t:,} ({tr:,} trainable), {notop:,} without the top")
    for v in V2:
        (t, tr), notop = counts(lambda n, top: efficientnet_v2(n, tiny, v, top))
        print(f"efficientnetv2-{v}: {t:,} ({tr:,} trainable), {notop:,} without the top")

    # MobileNetV3Small with its classifier: 32x32 raw pixels (the model rescales them), five classes.
    print("mobilenetv3small softmax:", fmt(mobilenet_v3(Counter(), images((2, 32, 32, 3)), True, classes=5).numpy().ravel()))
    # Minimalistic Small without preprocessing: images already in [-1, 1], a (2, 2, 2, 576) map.
    pm = images((2, 40, 40, 3)) / np.float32(127.5) - np.float32(1.0)
    summary("mobilenetv3small minimalistic", mobilenet_v3(Counter(), pm, True, 1.0, True, False, preprocessing=False), [0, 7, 123, 1000, 2303])
    # EfficientNetV2B0 with its classifier: 32x32 raw pixels, five classes (the Rescaling and Normalization stem).
    print("efficientnetv2-b0 softmax:", fmt(efficientnet_v2(Counter(), images((2, 32, 32, 3)), "b0", True, 5).numpy().ravel()))
    # EfficientNetV2S up to its third stage ('block3d_add', a sub-model): 64x64 images through Rescaling(1/128, offset -1),
    # a (2, 8, 8, 64) map. Further on, these weights make the network chaotic (float32 and float64 part by percents).
    summary("efficientnetv2-s stage 3", efficientnet_v2(Counter(), images((2, 64, 64, 3)), "s", False, stages=3), [0, 7, 123, 1000, 4095])
    # MobileNetV3Large without it on 64x48 images (its shape known, as correct_pad needs for the odd 3 before the
    # last stride), a (2, 2, 2, 960) map.
    summary("mobilenetv3large 64x48", mobilenet_v3(Counter(), images((2, 64, 48, 3)), False, include_top=False), [0, 7, 123, 1000, 1919])


if __name__ == "__main__":
    main()
