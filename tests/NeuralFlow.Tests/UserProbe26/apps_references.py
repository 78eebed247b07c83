"""References for ApplicationsMobileNetV2Tests: keras.applications.MobileNetV2 built by hand in PyTorch
(keras/src/applications/mobilenet_v2.py, channels_last weights in Keras' layouts) from deterministic weights,
which the C# test writes into a Keras legacy .h5 and loads by layer name. Run with /usr/bin/python3 (torch, numpy);
its printed values are hard-coded in the tests.

Every weight is a function of its flat index k (C order, Keras' shape) and the position j of its variable in the
model's weights (Keras' layer order, each layer's weights trainable first): with u = murmur(k + j * 1000003) / 2**32
(murmur3's 32-bit finalizer of the index times 0x9E3779B1), a kernel is (2u - 1) * sqrt(6 / fan_in), a bias
(2u - 1) / 10, gamma and moving_variance 0.75 + u / 2, beta and moving_mean (2u - 1) / 8, computed in float64 and
rounded to float32. An image pixel at flat NHWC index i is murmur(i + 777) >> 24.
"""
import math
import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def murmur(index):
    """murmur3's 32-bit finalizer of (index * 0x9E3779B1) mod 2**32, index a uint64 array."""
    with np.errstate(over="ignore"):
        h = index.astype(np.uint32) * np.uint32(0x9E3779B1)
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def value(kind, shape, j):
    n = int(np.prod(shape))
    h = murmur(np.arange(n, dtype=np.uint64) + np.uint64(j * 1000003))
    u = h.astype(np.float64) / 4294967296.0
    if kind in ("kernel", "depthwise_kernel"):
        fan_in = shape[0] * shape[1] if kind == "depthwise_kernel" else n // shape[-1]
        v = (2 * u - 1) * math.sqrt(6.0 / fan_in)
    elif kind == "bias":
        v = (2 * u - 1) / 10
    elif kind in ("gamma", "moving_variance"):
        v = 0.75 + u / 2
    else:  # beta, moving_mean
        v = (2 * u - 1) / 8
    return v.astype(np.float32).reshape(shape)


class Net:
    """Walks the architecture as mobilenet_v2.py does, making each weight in Keras' order and applying it."""

    def __init__(self):
        self.j = 0

    def w(self, kind, shape):
        v = value(kind, shape, self.j)
        self.j += 1
        return torch.tensor(v.astype(np.float64))

    @staticmethod
    def same_pad(x, k, s):
        # TensorFlow's 'same': the extra row/column of an odd total goes at the bottom/right.
        pads = []
        for size in (x.shape[3], x.shape[2]):
            out = -(-size // s)
            total = max((out - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        return F.pad(x, pads)

    def conv(self, x, filters, k, s=1, padding="same"):
        kern = self.w("kernel", (k, k, x.shape[1], filters))
        if padding == "same":
            x = self.same_pad(x, k, s)
        return F.conv2d(x, kern.permute(3, 2, 0, 1), stride=s)

    def depthwise(self, x, s, padding):
        c = x.shape[1]
        kern = self.w("depthwise_kernel", (3, 3, c, 1))
        if padding == "same":
            x = self.same_pad(x, 3, s)
        return F.conv2d(x, kern.permute(2, 3, 0, 1), stride=s, groups=c)

    def bn(self, x):
        c = x.shape[1]
        gamma, beta = self.w("gamma", (c,)), self.w("beta", (c,))
        mean, var = self.w("moving_mean", (c,)), self.w("moving_variance", (c,))
        sh = (1, c, 1, 1)
        return (x - mean.view(sh)) / torch.sqrt(var.view(sh) + 1e-3) * gamma.view(sh) + beta.view(sh)

    @staticmethod
    def relu6(x):
        return torch.clamp(x, 0, 6)

    def block(self, inputs, expansion, stride, alpha, filters, block_id):
        in_channels = inputs.shape[1]
        pointwise = make_divisible(int(filters * alpha), 8)
        x = inputs
        if block_id:
            x = self.relu6(self.bn(self.conv(x, expansion * in_channels, 1)))
        if stride == 2:
            h, w = x.shape[2], x.shape[3]
            ah, aw = 1 - h % 2, 1 - w % 2
            x = F.pad(x, (1 - aw, 1, 1 - ah, 1))
        x = self.depthwise(x, stride, "same" if stride == 1 else "valid")
        x = self.relu6(self.bn(x))
        x = self.bn(self.conv(x, pointwise, 1))
        if in_channels == pointwise and stride == 1:
            return inputs + x
        return x

    def forward(self, images, alpha, include_top, classes=0):
        x = torch.tensor(images.astype(np.float64)).permute(0, 3, 1, 2)
        x = self.relu6(self.bn(self.conv(x, make_divisible(32 * alpha, 8), 3, 2)))
        spec = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
                (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
                (320, 1, 6)]
        for i, (f, s, e) in enumerate(spec):
            x = self.block(x, e, s, alpha, f, i)
        last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
        x = self.relu6(self.bn(self.conv(x, last, 1)))
        if include_top:
            x = x.mean(dim=(2, 3))
            kern = self.w("kernel", (x.shape[1], classes))
            bias = self.w("bias", (classes,))
            return torch.softmax(x @ kern + bias, dim=1)
        return x.permute(0, 2, 3, 1)


def images(shape):
    return (murmur(np.arange(int(np.prod(shape)), dtype=np.uint64) + np.uint64(777)) >> np.uint32(24)).astype(np.float32).reshape(shape)


def fmt(values):
    return ", ".join(f"{v:.9g}f" for v in values)




# ResNet50 (keras/src/applications/resnet.py) with its classifier: 64x64 images through resnet50.preprocess_input
# ("caffe": BGR, ImageNet's mean subtracted), five classes.
def resnet50_weights(classes):
    """name -> arrays, made in Keras' layer order: in a block with a convolution shortcut, model.layers lists
    _1_conv, _1_bn, _1_relu, _2_conv, _2_bn, _2_relu, then _0_conv, _3_conv, _0_bn, _3_bn (by depth from the output)."""
    layers = []

    def conv(name, k, cin, cout):
        layers.append((name, [("kernel", (k, k, cin, cout)), ("bias", (cout,))]))

    def bn(name, c):
        layers.append((name, [(kind, (c,)) for kind in ("gamma", "beta", "moving_mean", "moving_variance")]))

    conv("conv1_conv", 7, 3, 64)
    bn("conv1_bn", 64)
    cin = 64
    for stack, (filters, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)], start=2):
        for b in range(1, blocks + 1):
            name = f"conv{stack}_block{b}"
            conv(f"{name}_1_conv", 1, cin, filters)
            bn(f"{name}_1_bn", filters)
            conv(f"{name}_2_conv", 3, filters, filters)
            bn(f"{name}_2_bn", filters)
            if b == 1:
                conv(f"{name}_0_conv", 1, cin, 4 * filters)
            conv(f"{name}_3_conv", 1, filters, 4 * filters)
            if b == 1:
                bn(f"{name}_0_bn", 4 * filters)
            bn(f"{name}_3_bn", 4 * filters)
            cin = 4 * filters
    layers.append(("predictions", [("kernel", (2048, classes)), ("bias", (classes,))]))
    weights, j = {}, 0
    for name, kinds in layers:
        arrays = []
        for kind, shape in kinds:
            arrays.append(torch.tensor(value(kind, shape, j).astype(np.float64)))
            j += 1
        weights[name] = arrays
    return weights


def resnet50(images_nhwc, classes):
    W = resnet50_weights(classes)

    def conv(x, name, s=1, pad=0):
        kern, bias = W[name]
        return F.conv2d(x, kern.permute(3, 2, 0, 1), bias, stride=s, padding=pad)

    def bn(x, name):
        gamma, beta, mean, var = (t.view(1, -1, 1, 1) for t in W[name])
        return (x - mean) / torch.sqrt(var + 1.001e-5) * gamma + beta

    x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
    x = torch.relu(bn(conv(F.pad(x, (3, 3, 3, 3)), "conv1_conv", s=2), "conv1_bn"))
    x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, stride=2)
    for stack, (blocks, stride1) in enumerate([(3, 1), (4, 2), (6, 2), (3, 2)], start=2):
        for b in range(1, blocks + 1):
            name = f"conv{stack}_block{b}"
            s = stride1 if b == 1 else 1
            shortcut = bn(conv(x, f"{name}_0_conv", s=s), f"{name}_0_bn") if b == 1 else x
            y = torch.relu(bn(conv(x, f"{name}_1_conv", s=s), f"{name}_1_bn"))
            y = torch.relu(bn(conv(y, f"{name}_2_conv", pad=1), f"{name}_2_bn"))
            y = bn(conv(y, f"{name}_3_conv"), f"{name}_3_bn")
            x = torch.relu(shortcut + y)
    x = x.mean(dim=(2, 3))
    kern, bias = W["predictions"]
    return x @ kern + bias


def main():
    # With its classifier: 32x32 images through mobilenet_v2.preprocess_input, alpha 0.35, five classes.
    top = Net().forward(images((2, 32, 32, 3)) / np.float32(127.5) - np.float32(1.0), alpha=0.35, include_top=True, classes=5)
    print("top softmax:", fmt(top.numpy().ravel()))

    # Without: 37x45 raw pixels (odd and even lengths for correct_pad), alpha 0.35: a (2, 2, 2, 1280) feature map.
    features = Net().forward(images((2, 37, 45, 3)) / np.float32(127.5) - np.float32(1.0), alpha=0.35, include_top=False).numpy()
    print("features shape:", features.shape)
    flat = features.reshape(2, -1)
    print("features sums:", fmt(flat.sum(axis=1)))
    print("features sums of squares:", fmt((flat ** 2).sum(axis=1)))
    picks = [0, 7, 123, 1000, 2047, 2561, 3333, 4095, 5119]
    print("features picks:", fmt(flat[:, picks].ravel()))
    print("features zero fraction:", (flat == 0).mean(), "at six:", (flat == 6).mean())

    pixels = images((2, 64, 64, 3))
    caffe = pixels[..., ::-1] - np.array([103.939, 116.779, 123.68], dtype=np.float32)
    print("resnet50 logits:", fmt(resnet50(caffe, 5).numpy().ravel()))


# apps2_references.py (UserProbe27) imports the weights, images and MobileNet walker above.
if __name__ == "__main__":
    main()
