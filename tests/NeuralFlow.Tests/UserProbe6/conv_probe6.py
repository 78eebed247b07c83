"""Reference values for ConvPaddingProbeTests (Keras 'same' padding rule: pad_total =
max((ceil(n/s)-1)*s + (k-1)*d + 1 - n, 0), the smaller half before; average pooling counts only
the real cells of a padded window, as TensorFlow/Keras). Computed with PyTorch 1.13 on explicit pads."""
import math
import numpy as np
import torch
import torch.nn.functional as F

def x_nhwc():
    return np.sin(0.1 * np.arange(70)).reshape(1, 7, 5, 2)

def kernel_hwio():
    return np.cos(0.05 * np.arange(54)).reshape(3, 3, 2, 3)

BIAS = np.array([0.1, -0.2, 0.3])

def same_pads(n, k, s, d):
    out = math.ceil(n / s)
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2

def conv(padding, stride, dilation):
    x = torch.tensor(x_nhwc()).permute(0, 3, 1, 2)
    w = torch.tensor(kernel_hwio()).permute(3, 2, 0, 1)
    if padding == "same":
        (t, b), (l, r) = same_pads(7, 3, stride, dilation), same_pads(5, 3, stride, dilation)
        x = F.pad(x, (l, r, t, b))
    y = F.conv2d(x, w, torch.tensor(BIAS), stride=stride, dilation=dilation)
    return y.permute(0, 2, 3, 1).numpy()

def pool(kind, padding, size, stride):
    x = torch.tensor(x_nhwc()).permute(0, 3, 1, 2)
    if padding == "same":
        (t, b), (l, r) = same_pads(7, size, stride, 1), same_pads(5, size, stride, 1)
        if kind == "max":
            x = F.pad(x, (l, r, t, b), value=-math.inf)
            y = F.max_pool2d(x, size, stride)
        else:
            ones = F.pad(torch.ones_like(x), (l, r, t, b))
            x = F.pad(x, (l, r, t, b))
            y = F.avg_pool2d(x, size, stride) / F.avg_pool2d(ones, size, stride)
    else:
        y = (F.max_pool2d if kind == "max" else F.avg_pool2d)(x, size, stride)
    return y.permute(0, 2, 3, 1).numpy()

def show(name, a):
    print(name, list(a.shape), "[" + ", ".join(f"{v:.6f}f" for v in a.ravel()) + "]")

for padding, stride, dilation in [("same", 2, 1), ("same", 3, 1), ("valid", 3, 1), ("valid", 1, 2), ("same", 1, 2)]:
    show(f"conv {padding} s{stride} d{dilation}", conv(padding, stride, dilation))
for kind, padding, size, stride in [("max", "same", 3, 2), ("avg", "same", 3, 2), ("avg", "same", 2, 3), ("max", "valid", 2, 3)]:
    show(f"pool {kind} {padding} p{size} s{stride}", pool(kind, padding, size, stride))
