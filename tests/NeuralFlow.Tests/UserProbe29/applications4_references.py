"""References for the Applications4* tests: keras.applications ResNet50V2 (keras/src/applications/resnet.py's ResNet
with preact=True, stack_residual_blocks_v2, residual_block_v2) and ConvNeXtTiny (keras/src/applications/convnext.py)
built by hand in PyTorch, with the deterministic weights of UserProbe26/apps_references.py (each weight a function of
its flat index and of its variable's position in Keras' layer order), which the C# tests assign, save to a Keras 3
.weights.h5 and load through `weights:`. Keras orders a functional model's layers by depth from the output, so in a
ResNetV2 block with a convolution shortcut '_0_conv' comes after '_2_bn', beside '_3_conv' (both feed '_out').
Also the parameter counts (total and trainable) of ResNet50V2/101V2/152V2 and ConvNeXt Tiny ... XLarge, with and
without the top, by arithmetic over the same sources.
Run with /usr/bin/python3 (torch, numpy); its printed values are hard-coded in the tests.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe26"))
from apps_references import Net, images, fmt  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe27"))
from apps2_references import summary  # noqa: E402

torch.set_default_dtype(torch.float64)

RESNET_V2 = {"resnet50v2": [3, 4, 6, 3], "resnet101v2": [3, 4, 23, 3], "resnet152v2": [3, 8, 36, 3]}
CONVNEXT = {"tiny": ([3, 3, 9, 3], [96, 192, 384, 768]), "small": ([3, 3, 27, 3], [96, 192, 384, 768]),
            "base": ([3, 3, 27, 3], [128, 256, 512, 1024]), "large": ([3, 3, 27, 3], [192, 384, 768, 1536]),
            "xlarge": ([3, 3, 27, 3], [256, 512, 1024, 2048])}


class Walker(Net):
    def conv_b(self, x, filters, k, s=1, bias=True, groups=1):
        # A 'valid' convolution (the callers pad), Keras' kernel (k, k, in / groups, filters).
        kern = self.w("kernel", (k, k, x.shape[1] // groups, filters))
        b = self.w("bias", (filters,)) if bias else None
        return F.conv2d(x, kern.permute(3, 2, 0, 1), b, stride=s, groups=groups)

    def bn(self, x, eps=1.001e-5):
        c = x.shape[1]
        gamma, beta = self.w("gamma", (c,)), self.w("beta", (c,))
        mean, var = self.w("moving_mean", (c,)), self.w("moving_variance", (c,))
        sh = (1, c, 1, 1)
        return (x - mean.view(sh)) / torch.sqrt(var.view(sh) + eps) * gamma.view(sh) + beta.view(sh)

    def layer_norm(self, x):
        # Over the last axis (channels last), epsilon 1e-6.
        c = x.shape[-1]
        gamma, beta = self.w("gamma", (c,)), self.w("beta", (c,))
        return F.layer_norm(x, (c,), gamma, beta, 1e-6)

    def dense(self, x, units):
        return x @ self.w("kernel", (x.shape[-1], units)) + self.w("bias", (units,))

    def resnet_v2(self, pixels, blocks, include_top, classes=0):
        x = torch.tensor(pixels.astype(np.float64) / 127.5 - 1.0).permute(0, 3, 1, 2)  # resnet_v2.preprocess_input ("tf")
        x = self.conv_b(F.pad(x, (3, 3, 3, 3)), 64, 7, 2)
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, stride=2)
        for stack, (filters, n, stride1) in enumerate(zip([64, 128, 256, 512], blocks, [2, 2, 2, 1]), start=2):
            for b in range(1, n + 1):
                s = stride1 if b == n else 1
                preact = torch.relu(self.bn(x))
                y = torch.relu(self.bn(self.conv_b(preact, filters, 1, bias=False)))
                y = torch.relu(self.bn(self.conv_b(F.pad(y, (1, 1, 1, 1)), filters, 3, s, bias=False)))
                if b == 1:  # '_0_conv' then '_3_conv': same depth, the Add's inputs in order
                    shortcut = self.conv_b(preact, 4 * filters, 1)
                else:
                    shortcut = x[:, :, ::s, ::s]  # MaxPooling2D(1, strides=s)
                x = shortcut + self.conv_b(y, 4 * filters, 1)
        x = torch.relu(self.bn(x))  # post_bn, post_relu
        if not include_top:
            return x.permute(0, 2, 3, 1)
        return self.dense(x.mean(dim=(2, 3)), classes)  # logits (classifier_activation=None)

    def convnext(self, pixels, depths, dims, include_top, preprocessing=True, classes=0):
        x = torch.tensor(pixels.astype(np.float64))
        if preprocessing:  # PreStem: ImageNet's mean and variance of [0, 255] pixels (constants, not weights)
            mean = torch.tensor([0.485 * 255, 0.456 * 255, 0.406 * 255])
            var = torch.tensor([(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2])
            x = (x - mean) / torch.clamp(torch.sqrt(var), min=1e-7)
        x = x.permute(0, 3, 1, 2)
        for i in range(4):
            if i == 0:  # the stem: conv 4x4/4, then LayerNormalization
                x = self.layer_norm(self.conv_b(x, dims[0], 4, 4).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            else:  # downsampling: LayerNormalization, then conv 2x2/2
                x = self.conv_b(self.layer_norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2), dims[i], 2, 2)
            for _ in range(depths[i]):
                inputs = x
                y = self.conv_b(F.pad(x, (3, 3, 3, 3)), dims[i], 7, groups=dims[i]).permute(0, 2, 3, 1)
                y = self.layer_norm(y)
                y = F.gelu(self.dense(y, 4 * dims[i]))  # Keras' gelu: exact (erf)
                y = self.dense(y, dims[i])
                y = y * self.w("gamma", (dims[i],))  # LayerScale
                x = inputs + y.permute(0, 3, 1, 2)  # the identity (no drop path)
        if include_top:
            x = self.layer_norm(x.mean(dim=(2, 3)))
            return torch.softmax(self.dense(x, classes), dim=1)
        return self.layer_norm(x.permute(0, 2, 3, 1))


def resnet_v2_params(blocks, include_top):
    """(total, trainable) of resnet.py's ResNet(preact=True, use_bias=True) with weights=None."""
    total, frozen = 7 * 7 * 3 * 64 + 64, 0
    cin = 64
    for filters, n in zip([64, 128, 256, 512], blocks):
        for b in range(1, n + 1):
            total += 4 * cin; frozen += 2 * cin  # preact_bn
            if b == 1:
                total += cin * 4 * filters + 4 * filters  # _0_conv
            total += cin * filters + 4 * filters; frozen += 2 * filters  # _1_conv (no bias), _1_bn
            total += 9 * filters * filters + 4 * filters; frozen += 2 * filters  # _2_conv (no bias), _2_bn
            total += filters * 4 * filters + 4 * filters  # _3_conv
            cin = 4 * filters
    total += 4 * cin; frozen += 2 * cin  # post_bn
    if include_top:
        total += cin * 1000 + 1000
    return total, total - frozen


def convnext_params(depths, dims, include_top):
    """Total parameters of convnext.py's ConvNeXt (all trainable: the PreStem Normalization's statistics are constants)."""
    total = 4 * 4 * 3 * dims[0] + dims[0] + 2 * dims[0]  # stem conv, stem LayerNormalization
    for i in range(4):
        d = dims[i]
        if i > 0:
            total += 2 * dims[i - 1] + 2 * 2 * dims[i - 1] * d + d  # LayerNormalization, conv 2x2
        per_block = 49 * d + d + 2 * d + d * 4 * d + 4 * d + 4 * d * d + d + d
        total += depths[i] * per_block
    total += 2 * dims[3]  # head LayerNormalization (or the LayerNormalization without the top)
    if include_top:
        total += dims[3] * 1000 + 1000
    return total


def main():
    for name, blocks in RESNET_V2.items():
        (t, tr), (n, ntr) = resnet_v2_params(blocks, True), resnet_v2_params(blocks, False)
        print(f"{name}: {t:,} ({tr:,} trainable), {n:,} ({ntr:,} trainable) without the top")
    for name, (depths, dims) in CONVNEXT.items():
        print(f"convnext_{name}: {convnext_params(depths, dims, True):,}, {convnext_params(depths, dims, False):,} without the top")
    # ResNet50V2 with its classifier's logits (its softmax saturates): two 64x64 images through
    # resnet_v2.preprocess_input, five classes.
    print("resnet50v2 logits:", fmt(Walker().resnet_v2(images((2, 64, 64, 3)), RESNET_V2["resnet50v2"], True, 5).numpy().ravel()))
    # Without: 64x64, a (2, 2, 2, 2048) map after post_relu.
    summary("resnet50v2 64", Walker().resnet_v2(images((2, 64, 64, 3)), RESNET_V2["resnet50v2"], False), [0, 7, 123, 1000, 8191])
    # ConvNeXtTiny with its classifier: two 32x32 images of raw pixels (the model normalizes them), five classes.
    depths, dims = CONVNEXT["tiny"]
    print("convnext_tiny softmax:", fmt(Walker().convnext(images((2, 32, 32, 3)), depths, dims, True, classes=5).numpy().ravel()))
    # Without the top nor the preprocessing: 64x64, a (2, 2, 2, 768) map through the last LayerNormalization.
    summary("convnext_tiny 64", Walker().convnext(images((2, 64, 64, 3)) / 255.0, depths, dims, False, preprocessing=False), [0, 7, 123, 1000, 3071])


if __name__ == "__main__":
    main()
