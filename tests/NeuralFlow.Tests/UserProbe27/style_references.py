"""References for the TutorialStyleTransfer* tests: TensorFlow's neural style transfer tutorial
(site/en/tutorials/generative/style_transfer.ipynb) built by hand in PyTorch, float64, on keras.applications.VGG19
without its top, with the deterministic weights of UserProbe26/apps_references.py (the C# tests write them into a
Keras .h5 and load it by layer name) and 32x32 images from murmur in place of the tutorial's JPEGs.
Adam is Keras' (keras/src/optimizers/adam.py): alpha = lr sqrt(1 - b2^t) / (1 - b1^t), epsilon added outside the sqrt
and not bias-corrected. Run with /usr/bin/python3 (torch, numpy); its printed values are hard-coded in the tests.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe26"))
from apps_references import Net, murmur, fmt  # noqa: E402

torch.set_default_dtype(torch.float64)

CAFFE_MEAN = torch.tensor([103.939, 116.779, 123.68])
CONTENT_LAYERS = ["block5_conv2"]
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
STYLE_WEIGHT, CONTENT_WEIGHT, TV_WEIGHT = 1e-2, 1e4, 30
SIZE = 32


def image(offset):
    """The tutorial's load_img stand-in: pixel i of a (1, 32, 32, 3) image in [0, 1] is (murmur(i + offset) >> 24) / 255, float32."""
    n = SIZE * SIZE * 3
    v = (murmur(np.arange(n, dtype=np.uint64) + np.uint64(offset)) >> np.uint32(24)).astype(np.float32) / np.float32(255)
    return torch.tensor(v.astype(np.float64)).reshape(1, SIZE, SIZE, 3)


class Vgg19(Net):
    """VGG19's convolutions (each Conv2D with its relu) with the weights made once, in Keras' layer order."""

    def __init__(self):
        super().__init__()
        self.layers = []
        for block, (filters, n) in enumerate(zip([64, 128, 256, 512, 512], [2, 2, 4, 4, 4]), start=1):
            c_in = 3 if block == 1 else [64, 128, 256, 512][block - 2]
            for i in range(1, n + 1):
                kern = self.w("kernel", (3, 3, c_in, filters)).permute(3, 2, 0, 1)
                bias = self.w("bias", (filters,))
                self.layers.append((f"block{block}_conv{i}", kern, bias))
                c_in = filters
            self.layers.append((f"block{block}_pool", None, None))

    def outputs(self, x_nhwc, names):
        """The named layers' outputs (NHWC) for preprocessed images."""
        x = x_nhwc.permute(0, 3, 1, 2)
        got = {}
        for name, kern, bias in self.layers:
            if kern is None:
                x = F.max_pool2d(x, 2, stride=2)
            else:
                x = torch.relu(F.conv2d(F.pad(x, (1, 1, 1, 1)), kern) + bias.view(1, -1, 1, 1))
            if name in names:
                got[name] = x.permute(0, 2, 3, 1)
        return [got[n] for n in names]


def preprocess(images01):
    # vgg19.preprocess_input(inputs * 255): RGB to BGR less ImageNet's mean pixel.
    return images01.mul(255.0).flip(-1) - CAFFE_MEAN


def gram_matrix(t):
    return torch.einsum("bijc,bijd->bcd", t, t) / (t.shape[1] * t.shape[2])


def extract(vgg, images01):
    outs = vgg.outputs(preprocess(images01), STYLE_LAYERS + CONTENT_LAYERS)
    style = {n: gram_matrix(o) for n, o in zip(STYLE_LAYERS, outs[:5])}
    content = {n: o for n, o in zip(CONTENT_LAYERS, outs[5:])}
    return style, content, outs


def style_content_loss(outputs, style_targets, content_targets):
    style, content = outputs
    style_loss = sum(((style[n] - style_targets[n]) ** 2).mean() for n in STYLE_LAYERS) * STYLE_WEIGHT / len(STYLE_LAYERS)
    content_loss = sum(((content[n] - content_targets[n]) ** 2).mean() for n in CONTENT_LAYERS) * CONTENT_WEIGHT / len(CONTENT_LAYERS)
    return style_loss + content_loss


def total_variation(img):
    # tf.image.total_variation of a batch: one sum per image.
    return (img[:, 1:] - img[:, :-1]).abs().sum(dim=(1, 2, 3)) + (img[:, :, 1:] - img[:, :, :-1]).abs().sum(dim=(1, 2, 3))


class KerasAdam:
    def __init__(self, lr, b1, b2, eps):
        self.lr, self.b1, self.b2, self.eps, self.t, self.m, self.v = lr, b1, b2, eps, 0, 0.0, 0.0

    def apply(self, grad, var):
        self.t += 1
        alpha = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        self.m = self.m + (grad - self.m) * (1 - self.b1)
        self.v = self.v + (grad ** 2 - self.v) * (1 - self.b2)
        return var - self.m * alpha / (torch.sqrt(self.v) + self.eps)


PICKS = [0, 1, 100, 777, 1500, 2048, 3000, 3071]


def train(vgg, content_image, style_targets, content_targets, steps, tv_weight):
    opt = KerasAdam(0.02, 0.99, 0.999, 1e-1)
    img = content_image.clone()
    losses, images = [], []
    for _ in range(steps):
        x = img.clone().requires_grad_(True)
        s, c, _ = extract(vgg, x)
        loss = style_content_loss((s, c), style_targets, content_targets)
        if tv_weight:
            loss = loss + tv_weight * total_variation(x)  # a [1] tensor: tape.gradient sums it
        loss.sum().backward()
        img = opt.apply(x.grad.detach(), img).clamp(0.0, 1.0)
        losses.append(float(loss.sum()))
        images.append(img)
    return losses, images


def describe(label, img):
    flat = img.reshape(-1).numpy()
    print(f"{label} sum:", fmt([flat.sum()]), "sum of squares:", fmt([(flat ** 2).sum()]))
    print(f"{label} picks:", fmt(flat[PICKS]))


def main():
    vgg = Vgg19()
    content_image, style_image = image(777), image(4242)

    # The style extractor's five maps for style_image * 255 (the notebook's statistics cell: not preprocessed).
    for name, out in zip(STYLE_LAYERS, vgg.outputs(style_image * 255, STYLE_LAYERS)):
        o = out.numpy()
        print(f"style_extractor {name} shape:", o.shape, "min/max/mean:", fmt([o.min(), o.max(), o.mean()]))

    style_targets, _, _ = extract(vgg, style_image)
    content_style, content_targets, _ = extract(vgg, content_image)
    for name in STYLE_LAYERS:
        g = style_targets[name].numpy()
        print(f"style target {name} shape:", g.shape, "sum/sumsq:", fmt([g.sum(), (g ** 2).sum()]), "g[0,0,0], g[0,1,2]:", fmt([g[0, 0, 0], g[0, 1, 2]]))
    c = content_targets["block5_conv2"].numpy()
    print("content target shape:", c.shape, "sum/sumsq:", fmt([c.sum(), (c ** 2).sum()]), "picks:", fmt(c.reshape(-1)[[0, 5, 600, 2047]]))

    print("loss(content):", fmt([float(style_content_loss((content_style, content_targets), style_targets, content_targets))]))
    mixed = (content_image + style_image) / 2
    s, c, _ = extract(vgg, mixed)
    print("loss(mixed):", fmt([float(style_content_loss((s, c), style_targets, content_targets))]))
    print("total_variation(content):", fmt(total_variation(content_image).numpy()))

    # Where Keras' Adam and torch's (epsilon added to the bias-corrected sqrt(v)) part at the first step.
    x = content_image.clone().requires_grad_(True)
    style_content_loss(extract(vgg, x)[:2], style_targets, content_targets).backward()
    m, v = 0.01 * x.grad, 0.001 * x.grad ** 2
    keras = -0.02 * np.sqrt(0.001) / 0.01 * m / (v.sqrt() + 0.1)
    torch_adam = -0.02 * (m / 0.01) / ((v / 0.001).sqrt() + 0.1)
    print("first step, largest |keras - torch adam|:", fmt([float((keras - torch_adam).abs().max())]))

    losses, images = train(vgg, content_image, style_targets, content_targets, 10, 0)
    print("losses:", fmt(losses))
    for k in range(3):
        describe(f"step {k + 1}", images[k])
    losses, images = train(vgg, content_image, style_targets, content_targets, 2, TV_WEIGHT)
    print("tv losses:", fmt(losses))
    for k in range(2):
        describe(f"tv step {k + 1}", images[k])


if __name__ == "__main__":
    main()
