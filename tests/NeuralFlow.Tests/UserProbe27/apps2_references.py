"""References for the Applications2* tests: keras.applications VGG16, VGG19, MobileNet (v1) and DenseNet121 built by
hand in PyTorch from keras/src/applications/{vgg16,vgg19,mobilenet,densenet}.py, with the deterministic weights of
UserProbe26/apps_references.py (each weight a function of its flat index and of its variable's position in Keras'
layer order), which the C# tests write into a Keras legacy .h5 and load by layer name. Every network here is a chain
of layers, so Keras' layer order is the order in which the walkers below make the weights.
Run with /usr/bin/python3 (torch, numpy); its printed values are hard-coded in the tests.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "UserProbe26"))
from apps_references import Net, images, fmt  # noqa: E402  (the shared weights, images and 'same' padding)

torch.set_default_dtype(torch.float64)

CAFFE_MEAN = np.array([103.939, 116.779, 123.68], dtype=np.float32)


class Walker(Net):
    def conv_bias(self, x, filters, k, s=1, padding="same"):
        x = self.conv(x, filters, k, s, padding)
        return x + self.w("bias", (filters,)).view(1, -1, 1, 1)

    def batch_norm(self, x, epsilon):
        c = x.shape[1]
        gamma, beta = self.w("gamma", (c,)), self.w("beta", (c,))
        mean, var = self.w("moving_mean", (c,)), self.w("moving_variance", (c,))
        sh = (1, c, 1, 1)
        return (x - mean.view(sh)) / torch.sqrt(var.view(sh) + epsilon) * gamma.view(sh) + beta.view(sh)

    def dense(self, x, units):
        return x @ self.w("kernel", (x.shape[1], units)) + self.w("bias", (units,))

    def vgg(self, images_nhwc, convolutions, include_top, classes=0):
        x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
        for filters, n in zip([64, 128, 256, 512, 512], convolutions):
            for _ in range(n):
                x = torch.relu(self.conv_bias(x, filters, 3))
            x = F.max_pool2d(x, 2, stride=2)
        if not include_top:
            return x.permute(0, 2, 3, 1)
        # Keras' Flatten reads the channels_last feature map in (height, width, channels) order.
        x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        x = torch.relu(self.dense(x, 4096))
        x = torch.relu(self.dense(x, 4096))
        return self.dense(x, classes)

    def mobilenet(self, images_nhwc, alpha, depth_multiplier, include_top, classes=0):
        x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
        x = torch.clamp(self.batch_norm(self.conv(x, int(32 * alpha), 3, 2), 1e-3), 0, 6)
        spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
                (512, 1), (1024, 2), (1024, 1)]
        for filters, s in spec:
            c = x.shape[1]
            if s == 2:
                x = F.pad(x, (0, 1, 0, 1))  # ZeroPadding2D(((0, 1), (0, 1))): below and right
            kern = self.w("depthwise_kernel", (3, 3, c, depth_multiplier))
            if s == 1:
                x = self.same_pad(x, 3, 1)
            # Keras' depthwise output channel c * depth_multiplier + m is input channel c through kernel[:, :, c, m].
            x = F.conv2d(x, kern.permute(2, 3, 0, 1).reshape(c * depth_multiplier, 1, 3, 3), stride=s, groups=c)
            x = torch.clamp(self.batch_norm(x, 1e-3), 0, 6)
            x = torch.clamp(self.batch_norm(self.conv(x, int(filters * alpha), 1), 1e-3), 0, 6)
        if not include_top:
            return x.permute(0, 2, 3, 1)
        x = x.mean(dim=(2, 3), keepdim=True)  # then Dropout: the identity at inference
        x = self.conv_bias(x, classes, 1).reshape(x.shape[0], classes)
        return torch.softmax(x, dim=1)

    def densenet(self, images_nhwc, blocks, include_top, classes=0):
        eps = 1.001e-5
        x = torch.tensor(images_nhwc.astype(np.float64)).permute(0, 3, 1, 2)
        x = self.conv(F.pad(x, (3, 3, 3, 3)), 64, 7, 2, padding="valid")
        x = torch.relu(self.batch_norm(x, eps))
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, stride=2)
        for stage, n in enumerate(blocks):
            for _ in range(n):
                x1 = self.conv(torch.relu(self.batch_norm(x, eps)), 128, 1)
                x1 = self.conv(torch.relu(self.batch_norm(x1, eps)), 32, 3)
                x = torch.cat([x, x1], dim=1)
            if stage < len(blocks) - 1:
                x = self.conv(torch.relu(self.batch_norm(x, eps)), int(x.shape[1] * 0.5), 1)
                x = F.avg_pool2d(x, 2, stride=2)
        x = torch.relu(self.batch_norm(x, eps))
        if not include_top:
            return x.permute(0, 2, 3, 1)
        return torch.softmax(self.dense(x.mean(dim=(2, 3)), classes), dim=1)


def caffe(pixels):
    return pixels[..., ::-1] - CAFFE_MEAN


def torch_mode(pixels):
    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
    return (pixels / np.float32(255.0) - mean) / std


def summary(label, features, picks):
    flat = features.numpy().reshape(features.shape[0], -1)
    print(f"{label} shape:", tuple(features.shape))
    print(f"{label} sums:", fmt(flat.sum(axis=1)))
    print(f"{label} sums of squares:", fmt((flat ** 2).sum(axis=1)))
    print(f"{label} picks:", fmt(flat[:, picks].ravel()))


def main():
    # VGG16 with its three Dense layers, 64x96 images (a 2x3x512 map to flatten), ten classes, logits.
    print("vgg16 logits:", fmt(Walker().vgg(caffe(images((2, 64, 96, 3))), [2, 2, 3, 3, 3], True, 10).numpy().ravel()))
    # VGG16 and VGG19 without it: 32x32 images give 1x1x512; 64x64 give 2x2x512.
    summary("vgg16 32", Walker().vgg(caffe(images((2, 32, 32, 3))), [2, 2, 3, 3, 3], False), [0, 5, 100, 257, 511])
    summary("vgg19 64", Walker().vgg(caffe(images((2, 64, 64, 3))), [2, 2, 4, 4, 4], False), [0, 7, 123, 1000, 2047])

    # MobileNet with its classifier: 32x32 images through mobilenet.preprocess_input ("tf"), alpha 0.25, five classes.
    tf = images((2, 32, 32, 3)) / np.float32(127.5) - np.float32(1.0)
    print("mobilenet softmax:", fmt(Walker().mobilenet(tf, 0.25, 1, True, 5).numpy().ravel()))
    # Without: 64x80 images (80 reaches an odd 5 before the last stride), alpha 0.5, depth multiplier 2: a (2, 2, 2, 512) map.
    tf = images((2, 64, 80, 3)) / np.float32(127.5) - np.float32(1.0)
    summary("mobilenet dm2", Walker().mobilenet(tf, 0.5, 2, False), [0, 7, 123, 1000, 2047])

    # DenseNet121 with its classifier: 32x32 images through densenet.preprocess_input ("torch"), five classes.
    print("densenet121 softmax:", fmt(Walker().densenet(torch_mode(images((2, 32, 32, 3))), [6, 12, 24, 16], True, 5).numpy().ravel()))
    # Without: 64x64 images: a (2, 2, 2, 1024) map.
    summary("densenet121 64", Walker().densenet(torch_mode(images((2, 64, 64, 3))), [6, 12, 24, 16], False), [0, 7, 123, 1000, 4095])


if __name__ == "__main__":
    main()
